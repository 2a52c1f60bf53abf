"""Every page of every role in the one Norwegian format, with unique ids (issue 20 §3–4).

load_demo, then crawl as each demo user from the start page through the navigation and the
links on each page (tests/crawl_support.py: at most three pages per URL shape), and assert:
no page answers with an error, no two elements share an id, and no visible text shows a raw
number of five digits or more (`699827`), an amount with a decimal point (`150000.00`) or an
unspaced account number. Whitelisted on purpose (tests/crawl_support.py): text inside
`data-raw-number` (KID, read digit for digit as the bank shows it), times (`kl. 02.30`), URLs
and attributes (ids in links), scripts and form inputs (what a user types)."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.context_processors import _declared_navigation, role_key
from accounts.models import User
from tests.crawl_support import crawl, duplicate_ids, format_findings

pytestmark = pytest.mark.django_db

DEMO_USERS = ["ks", "lillehammer", "oyer", "bergen", "radet", "radet2"]


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def test_every_page_of_every_role_is_formatted_and_has_unique_ids(demo):
    problems, visited = [], {}
    for username in [None, *DEMO_USERS]:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        pages = []
        for url, response in crawl(client, ["/"]):
            if response.status_code != 200:
                if response.status_code >= 500 or response.status_code == 404:
                    problems.append(f"{username} {url}: {response.status_code}")
                continue
            pages.append(url)
            html = response.content.decode()
            problems += [f"{username} {url}: duplicate id {i}" for i in duplicate_ids(html)]
            problems += [f"{username} {url}: {f}" for f in format_findings(html)]
        visited[username] = pages
    assert problems == [], "\n".join(problems)
    # Every page in each role's navigation was crawled.
    for username in DEMO_USERS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        nav = _declared_navigation().get(role_key(user), [])
        nav_urls = [item["url"] for item in client.get("/").context["nav_items"]]
        assert len(nav_urls) == len(nav) and nav_urls
        missing = [u for u in nav_urls if u not in visited[username] and not u.startswith("/admin")]
        assert missing == [], (username, missing)
    assert sum(len(p) for p in visited.values()) > 100
