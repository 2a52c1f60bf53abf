"""Playwright (Python) against a live server, driving Debian's /usr/bin/chromium."""

import json
import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("DIGIFIN_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture
def login(page, live_server):
    """Log in through the real form as `user` (password from the factories)."""

    def _login(user, password="passord-123"):
        page.goto(f"{live_server.url}/konto/logg-inn/")
        page.get_by_label("Brukernavn").fill(user.username)
        page.get_by_label("Passord").fill(password)
        page.get_by_role("button", name="Logg inn").last.click()
        page.wait_for_load_state()
        return page

    return _login


@pytest.fixture
def axe(page, live_server):
    """Run axe-core on the current page; returns serious and critical violations.

    axe is loaded from our own static files, so the page's CSP (script-src 'self') allows it."""

    def _run():
        page.add_script_tag(url=f"{live_server.url}/static/vendor/js/axe.min.js")
        tags = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']"
        result = page.evaluate(f"async () => await axe.run(document, {{runOnly: {tags}}})")
        return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]

    return _run


def describe_violations(violations) -> str:
    return json.dumps(
        [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in violations],
        indent=1,
    )
