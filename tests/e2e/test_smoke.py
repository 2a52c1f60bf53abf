"""One smoke test per role: log in, see the right navigation, log out; and axe on the start page."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import describe_violations

pytestmark = pytest.mark.django_db(transaction=True)


def _nav(page):
    return page.get_by_role("navigation", name="Hovedmeny")


def _logout(page):
    page.get_by_role("button", name="Logg ut").click()
    expect(page.get_by_role("link", name="Logg inn").first).to_be_visible()


def test_ks_staff_logs_in_sees_staff_navigation_and_logs_out(page, login, ks_user):
    login(ks_user)
    nav = _nav(page)
    expect(nav.get_by_role("link", name="Medlemmer")).to_be_visible()
    expect(nav.get_by_role("link", name="Administrasjon")).to_be_visible()
    expect(nav.get_by_role("link", name="Min organisasjon")).to_have_count(0)
    _logout(page)


def test_municipal_user_logs_in_sees_own_organisation_and_logs_out(page, login, municipal_user):
    login(municipal_user)
    nav = _nav(page)
    nav.get_by_role("link", name="Min organisasjon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(municipal_user.organisation.name)
    expect(nav.get_by_role("link", name="Administrasjon")).to_have_count(0)
    _logout(page)


def test_council_member_logs_in_sees_council_navigation_and_logs_out(page, login, council_user):
    login(council_user)
    expect(page.get_by_test_id("current-user")).to_contain_text(council_user.last_name)
    nav = _nav(page)
    expect(nav.get_by_role("link", name="Medlemmer")).to_have_count(0)
    expect(nav.get_by_role("link", name="Min organisasjon")).to_have_count(0)
    _logout(page)


def test_start_page_has_no_serious_accessibility_violations(page, live_server, axe):
    page.goto(live_server.url + "/")
    expect(page).to_have_title(re.compile("DigiFin"))
    violations = axe()
    assert violations == [], describe_violations(violations)


def test_login_page_has_no_serious_accessibility_violations(page, live_server, axe):
    page.goto(live_server.url + "/konto/logg-inn/")
    violations = axe()
    assert violations == [], describe_violations(violations)
