"""«Varsler og språk» (/konto/varsler/): the user's e-mail language and the non-essential
notifications on or off; essential ones are listed and cannot be turned off."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.notifications import KINDS, wants
from tests.accounts.factories import CouncilMemberFactory, MunicipalUserFactory
from tests.once_support import with_once

pytestmark = pytest.mark.django_db
URL = reverse("accounts:notification_settings")


def test_council_member_turns_off_case_notices_and_chooses_english(client):
    member = CouncilMemberFactory()
    client.force_login(member)
    page = client.get(URL).content.decode()
    assert 'name="notify_case_to_score"' in page and 'name="notify_meeting_coming"' in page
    data = with_once(member, {"language": "en", "notify_meeting_coming": "on"})
    response = client.post(URL, data)
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    member.refresh_from_db()
    assert member.language == "en"
    assert member.muted_notifications == ["case_to_score"]
    assert not wants(member, "case_to_score") and wants(member, "meeting_coming")
    # the same form sent again (a double click) changes nothing more
    again = client.post(URL, {**data, "language": "nb"})
    assert again.status_code == 302
    member.refresh_from_db()
    assert member.language == "en"


def test_municipal_officer_has_only_essential_notifications(client):
    officer = MunicipalUserFactory()
    client.force_login(officer)
    response = client.get(URL)
    page = response.content.decode()
    assert 'name="notify_' not in page  # nothing to turn off
    listed = response.context["essential"]
    assert {k.code for k in listed} == {
        "coapplicant_confirm",
        "invoice_overdue",
        "proposal_decision",
        "grant_to_accept",
        "grant_status",
        "benefit_report_due",
    }
    assert all(KINDS[k.code].essential for k in listed)
    client.post(URL, with_once(officer, {"language": "nb", "notify_invoice_overdue": ""}))
    officer.refresh_from_db()
    assert officer.muted_notifications == [] and wants(officer, "invoice_overdue")


def test_an_unknown_language_is_refused(client):
    officer = MunicipalUserFactory()
    client.force_login(officer)
    response = client.post(URL, with_once(officer, {"language": "xx"}))
    assert response.status_code == 200 and response.context["form"].errors
    officer.refresh_from_db()
    assert officer.language == "nb"


def test_the_settings_need_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "logg-inn" in response["Location"]
