"""The login buttons end to end in Chromium: DigiFin → the OpenID provider's login form (a real
provider on a local port, tests/accounts/oidc_provider.py) → back to DigiFin, logged in; and the
logout through the provider's end-session page."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.identity import invitation_create
from accounts.models import ExternalIdentity, User
from accounts.oidc import _discovery_cache
from tests.accounts.factories import KsStaffFactory
from tests.accounts.oidc_provider import running_provider
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)

STAFF_GROUP = "digifin-staff-e2e"


@pytest.fixture
def provider(settings):
    _discovery_cache.clear()
    with running_provider() as running:
        common = {"issuer": running.issuer, "client_secret": "secret", "jwks_uri": ""}
        settings.DIGIFIN_OIDC_PROVIDERS = {
            "idporten": {
                **common,
                "client_id": "digifin-idporten",
                "scopes": "openid profile",
                "acr_values": "idporten-loa-substantial",
            },
            "entra": {
                **common,
                "client_id": "digifin-entra",
                "scopes": "openid profile email",
                "staff_group": STAFF_GROUP,
            },
        }
        yield running


def _sign_in_at_provider(page, provider, sub):
    expect(page).to_have_url(re.compile(re.escape(provider.issuer) + "/oauth2/authorize"))
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_load_state()


def test_invited_officer_logs_in_with_idporten_and_out_again(page, live_server, provider):
    member = MemberFactory(name="Øyer kommune")
    _invitation, token = invitation_create(
        name="Kari Nordmann",
        email="kari@oyer.kommune.no",
        organisation=member,
        expires_on=timezone.localdate() + datetime.timedelta(days=7),
        actor=KsStaffFactory(),
    )
    provider.set_user("kari", {"pid": "01017012345", "acr": "idporten-loa-substantial"})

    page.goto(f"{live_server.url}/konto/invitasjon/{token}/")
    expect(page.get_by_test_id("invitation-text")).to_contain_text("Øyer kommune")
    page.get_by_role("link", name="Logg inn med ID-porten").click()
    _sign_in_at_provider(page, provider, "kari")

    expect(page.get_by_test_id("current-user")).to_have_text("Kari Nordmann, Øyer kommune")
    assert ExternalIdentity.objects.filter(user__organisation=member).count() == 1

    page.get_by_role("button", name="Logg ut").click()
    expect(page).to_have_url(re.compile(re.escape(provider.issuer) + "/oauth2/end_session"))
    page.get_by_role("button", name="End session").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Logg inn").first).to_be_visible()


def test_stranger_is_told_how_to_get_access(page, live_server, provider):
    provider.set_user("stranger", {"pid": "02029912345", "acr": "idporten-loa-substantial"})
    page.goto(f"{live_server.url}/konto/logg-inn/")
    page.get_by_test_id("login-idporten").click()
    _sign_in_at_provider(page, provider, "stranger")
    expect(page.get_by_test_id("oidc-refusal")).to_contain_text("invitasjon")
    assert not User.objects.filter(username__startswith="idporten-").exists()


def test_ks_staff_logs_in_with_entra_and_sees_staff_pages(page, live_server, provider):
    provider.set_user(
        "per",
        {"oid": "per-oid", "groups": [STAFF_GROUP], "name": "Per Hansen", "email": "per@ks.no"},
    )
    page.goto(f"{live_server.url}/konto/logg-inn/")
    page.get_by_role("link", name="Logg inn med Entra ID (KS-ansatte)").click()
    _sign_in_at_provider(page, provider, "per")
    expect(page.get_by_test_id("current-user")).to_have_text("Per Hansen")
    nav = page.get_by_role("navigation", name="Hovedmeny")
    expect(nav.get_by_role("link", name="Brukerinvitasjoner")).to_be_visible()
