"""axe on every page of every role (issue 20 §4): load_demo, then for each demo user (and an
anonymous visitor) crawl the pages reachable from the navigation (tests/crawl_support.py, as
tests/digifin/test_crawl.py does) and open each in Chromium: 0 serious and 0 critical axe
findings (WCAG 2.1 A/AA), and no duplicate id on any page."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from tests.crawl_support import crawl
from tests.e2e.conftest import describe_violations
from tests.html_support import duplicate_ids

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_USERS = [None, "ks", "lillehammer", "oyer", "bergen", "radet", "radet2"]


def test_axe_and_unique_ids_on_every_page_of_every_role(page, live_server, axe):
    call_command("load_demo", stdout=io.StringIO())
    problems, pages = [], 0
    for username in DEMO_USERS:
        client = Client()
        page.context.clear_cookies()
        if username:
            client.force_login(User.objects.get(username=username))
            page.context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "url": live_server.url,
                    }
                ]
            )
        urls = [url for url, response in crawl(client, ["/"]) if response.status_code == 200]
        for url in urls:
            page.goto(live_server.url + url)
            pages += 1
            ids = duplicate_ids(page.content())
            if ids:
                problems.append(f"{username} {url}: duplicate ids {ids}")
            violations = axe()
            if violations:
                problems.append(f"{username} {url}: {describe_violations(violations)}")
    assert problems == [], "\n".join(problems)
    assert pages > 100
