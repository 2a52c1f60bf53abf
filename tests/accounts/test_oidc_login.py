"""Login with ID-porten and Entra ID against a real OpenID provider on a local port
(tests/accounts/oidc_provider.py): authorization code flow with PKCE, state and nonce, RS256
id_tokens checked against the provider's JWKS, logout at the provider."""

import datetime
import logging
import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from accounts.identity import identity_digest, invitation_create
from accounts.models import ExternalIdentity, Invitation, Role, User
from accounts.oidc import _discovery_cache
from tests.accounts.factories import KsStaffFactory
from tests.accounts.oidc_provider import running_provider
from tests.members.factories import MemberFactory

PID = "01017012345"  # a made-up fødselsnummer, never to appear in logs or pages
STAFF_GROUP = "7d1c1b5e-digifin-staff"


@pytest.fixture(scope="module")
def provider():
    with running_provider() as running:
        yield running


@pytest.fixture(autouse=True)
def providers(settings, provider):
    _discovery_cache.clear()
    settings.DIGIFIN_OIDC_PROVIDERS = {
        "idporten": {
            "issuer": provider.issuer,
            "client_id": "digifin-idporten",
            "client_secret": "idporten-secret",
            "jwks_uri": "",
            "scopes": "openid profile",
            "acr_values": "idporten-loa-substantial",
        },
        "entra": {
            "issuer": provider.issuer,
            "client_id": "digifin-entra",
            "client_secret": "entra-secret",
            "jwks_uri": "",
            "scopes": "openid profile email",
            "staff_group": STAFF_GROUP,
        },
    }
    provider.wrapper.tamper_payload = None
    yield


def _person(provider, sub, **claims):
    provider.set_user(sub, {"pid": PID, "acr": "idporten-loa-substantial", **claims})
    return sub


def _login(client, provider, sub, key="idporten"):
    """The whole round trip: DigiFin → provider's form → DigiFin's callback."""
    start = client.get(reverse(f"accounts:oidc_start_{key}"))
    assert start.status_code == 302
    back = provider.authorize(start["Location"], sub)
    parsed = urlparse(back)
    assert parsed.path == reverse(f"accounts:oidc_callback_{key}")
    return client.get(f"{parsed.path}?{parsed.query}")


def _invite(client, *, expires_on=None, organisation=None):
    organisation = organisation or MemberFactory(name="Lillehammer kommune")
    inviter = KsStaffFactory()
    invitation, token = invitation_create(
        name="Kari Nordmann",
        email="kari.nordmann@lillehammer.kommune.no",
        organisation=organisation,
        expires_on=expires_on or timezone.localdate() + datetime.timedelta(days=14),
        actor=inviter,
    )
    page = client.get(reverse("accounts:invitation", args=[token]))
    return invitation, page


def _refusal(client, response):
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:oidc_refused")
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page


@pytest.mark.django_db
def test_first_login_with_an_invitation_creates_and_binds_a_municipal_user(client, provider):
    invitation, page = _invite(client)
    assert page.status_code == 200
    assert "Kari Nordmann" in page.content.decode()
    sub = _person(provider, "pairwise-kari")

    response = _login(client, provider, sub)

    assert response.status_code == 302 and response["Location"] == reverse("home")
    user = User.objects.get(pk=client.session[SESSION_KEY])
    assert (user.role, user.organisation, user.email) == (
        Role.MUNICIPAL,
        invitation.organisation,
        "kari.nordmann@lillehammer.kommune.no",
    )
    assert user.get_full_name() == "Kari Nordmann"
    assert not user.has_usable_password()
    identity = ExternalIdentity.objects.get(user=user)
    assert identity.subject_digest == identity_digest("idporten", PID)
    invitation.refresh_from_db()
    assert invitation.used_by == user and invitation.used_at is not None
    # The pid itself is nowhere in the database's user or identity rows.
    assert PID not in str(list(User.objects.values())) + str(
        list(ExternalIdentity.objects.values())
    )

    # The next login, in a fresh browser without the link, finds the same user.
    client.logout()
    assert _login(client, provider, sub).status_code == 302
    assert int(client.session[SESSION_KEY]) == user.pk
    assert User.objects.count() == 2  # the invited person and the inviter


@pytest.mark.django_db
def test_pkce_state_and_nonce_are_sent_and_pkce_is_checked_by_the_provider(client, provider):
    _invite(client)
    sub = _person(provider, "pairwise-pkce")
    refusals = provider.wrapper.pkce_refusals
    _login(client, provider, sub)
    params = provider.wrapper.authorize_params[-1]
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert params["state"] and params["nonce"]
    assert params["acr_values"] == "idporten-loa-substantial"
    assert provider.wrapper.pkce_refusals == refusals  # the verifier matched
    assert SESSION_KEY in client.session


@pytest.mark.django_db
def test_a_stolen_code_without_the_verifier_is_refused_by_the_provider(client, provider):
    _invite(client)
    sub = _person(provider, "pairwise-stolen")
    start = client.get(reverse("accounts:oidc_start_idporten"))
    back = provider.authorize(start["Location"], sub)
    code = parse_qs(urlparse(back).query)["code"][0]
    token = requests.post(
        f"{provider.issuer}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": "digifin-idporten",
            "client_secret": "x",
            "redirect_uri": "http://testserver/",
        },
        timeout=5,
    )
    assert token.status_code == 400 and token.json()["error"] == "invalid_grant"


@pytest.mark.django_db
def test_unknown_person_without_invitation_is_refused_with_how_to_get_access(client, provider):
    sub = _person(provider, "pairwise-stranger")
    users_before = User.objects.count()

    page = _refusal(client, _login(client, provider, sub))

    text = page.content.decode()
    assert "ikke registrert som bruker av DigiFin" in text
    assert "invitasjon" in text
    assert SESSION_KEY not in client.session
    assert User.objects.count() == users_before
    assert not ExternalIdentity.objects.exists()


@pytest.mark.django_db
def test_expired_invitation_is_refused_at_the_link_and_at_the_login(client, provider):
    invitation, _page = _invite(client)
    sub = _person(provider, "pairwise-late")
    # The link was opened in time; the invitation expires before the login comes back.
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    page = _refusal(client, _login(client, provider, sub))

    assert "Invitasjonen er utløpt" in page.content.decode()
    assert SESSION_KEY not in client.session
    assert not ExternalIdentity.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).used_at is None


@pytest.mark.django_db
def test_expired_and_used_invitation_links_say_why(client):
    invitation, token = invitation_create(
        name="Ola Nordmann",
        email="ola@example.no",
        organisation=MemberFactory(),
        expires_on=timezone.localdate() - datetime.timedelta(days=1),
        actor=KsStaffFactory(),
    )
    page = client.get(reverse("accounts:invitation", args=[token]))
    assert page.status_code == 410 and "Invitasjonen er utløpt" in page.content.decode()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + datetime.timedelta(days=1), used_at=timezone.now()
    )
    page = client.get(reverse("accounts:invitation", args=[token]))
    assert page.status_code == 410 and "allerede brukt" in page.content.decode()
    assert client.get(reverse("accounts:invitation", args=["nonsense"])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("claims", "error"),
    [
        ({"aud": "someone-else"}, "InvalidAudienceError"),
        ({"iss": "https://idporten.example.invalid"}, "InvalidIssuerError"),
        ({"nonce": "not-the-one-we-sent"}, "Nonce"),
        ({"exp": 1_700_000_000, "iat": 1_699_990_000}, "ExpiredSignatureError"),
    ],
    ids=["audience", "issuer", "nonce", "expired"],
)
def test_id_token_with_wrong_claims_is_refused_logged_and_creates_nothing(
    client, provider, caplog, claims, error
):
    invitation, _page = _invite(client)
    sub = _person(provider, f"pairwise-bad-{error}", **claims)

    with caplog.at_level(logging.WARNING, logger="digifin.oidc"):
        page = _refusal(client, _login(client, provider, sub))

    assert "kunne ikke bekreftes" in page.content.decode()
    assert SESSION_KEY not in client.session
    assert not ExternalIdentity.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).used_at is None
    assert error in caplog.text
    assert PID not in caplog.text


@pytest.mark.django_db
def test_id_token_altered_after_signing_is_refused(client, provider, caplog):
    invitation, _page = _invite(client)
    sub = _person(provider, "pairwise-tampered")
    provider.wrapper.tamper_payload = {"pid": "02029912345"}

    with caplog.at_level(logging.WARNING, logger="digifin.oidc"):
        _refusal(client, _login(client, provider, sub))

    assert "InvalidSignatureError" in caplog.text
    assert SESSION_KEY not in client.session
    assert not ExternalIdentity.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).used_at is None
    assert "02029912345" not in caplog.text and PID not in caplog.text


@pytest.mark.django_db
def test_login_below_the_required_level_is_refused(client, provider):
    _invite(client)
    sub = _person(provider, "pairwise-low", acr="idporten-loa-low")
    page = _refusal(client, _login(client, provider, sub))
    assert "sikkerhetsnivå" in page.content.decode()
    assert not ExternalIdentity.objects.exists()


@pytest.mark.django_db
def test_session_ends_when_the_id_token_does(client, provider):
    _invite(client)
    sub = _person(provider, "pairwise-session", exp=int(time.time()) + 600)
    _login(client, provider, sub)
    expiry = client.session.get_expiry_date()
    assert expiry <= timezone.now() + datetime.timedelta(seconds=601)
    assert expiry > timezone.now() + datetime.timedelta(seconds=500)


@pytest.mark.django_db
def test_logout_ends_the_session_here_and_at_the_provider(client, provider):
    _invite(client)
    sub = _person(provider, "pairwise-logout")
    _login(client, provider, sub)
    assert SESSION_KEY in client.session

    response = client.post(reverse("accounts:logout"))

    assert SESSION_KEY not in client.session
    assert response.status_code == 200
    url = response.context["end_session_url"]
    assert f'content="0;url={url}"'.replace("&", "&amp;") in response.content.decode()
    end_session = urlparse(url)
    assert f"{end_session.scheme}://{end_session.netloc}" == provider.issuer
    assert end_session.path == "/oauth2/end_session"
    params = parse_qs(end_session.query)
    assert params["post_logout_redirect_uri"] == ["http://testserver/"]
    assert params["id_token_hint"][0].count(".") == 2
    # The provider ends its session and sends the browser back to DigiFin's start page.
    form = requests.get(url, timeout=5)
    assert form.status_code == 200
    confirm = requests.post(
        f"{provider.issuer}/oauth2/end_session/confirm",
        data={"redirect_uri": "http://testserver/"},
        allow_redirects=False,
        timeout=5,
    )
    assert confirm.headers["Location"] == "http://testserver/"


@pytest.mark.django_db
def test_entra_staff_group_maps_to_ks_staff_without_a_second_totp(client, provider, settings):
    settings.DIGIFIN_STAFF_REQUIRE_2FA = True
    provider.set_user(
        "entra-sub-1",
        {
            "oid": "0a1b2c3d-oid",
            "groups": ["other", STAFF_GROUP],
            "name": "Per Saksbehandler",
            "email": "per.saksbehandler@ks.no",
        },
    )

    response = _login(client, provider, "entra-sub-1", key="entra")

    assert response.status_code == 302
    user = User.objects.get(pk=client.session[SESSION_KEY])
    assert user.role == Role.KS_STAFF and user.is_staff and user.is_ks_staff
    assert user.groups.filter(name="KS-ansatte").exists()
    # No TOTP prompt: the staff pages open directly.
    page = client.get(reverse("members:staff_member_list"))
    assert page.status_code == 200


@pytest.mark.django_db
def test_password_login_of_staff_still_needs_totp(client, settings):
    settings.DIGIFIN_STAFF_REQUIRE_2FA = True
    client.force_login(KsStaffFactory())
    page = client.get(reverse("members:staff_member_list"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:two_factor"))


@pytest.mark.django_db
def test_entra_account_without_the_staff_group_is_refused(client, provider):
    provider.set_user(
        "entra-sub-2",
        {
            "oid": "ffff-oid",
            "groups": ["some-other-group"],
            "name": "Ikke Ansatt",
            "email": "ikke@ks.no",
        },
    )
    users_before = User.objects.count()

    page = _refusal(client, _login(client, provider, "entra-sub-2", key="entra"))

    assert "gir ikke tilgang til DigiFin" in page.content.decode()
    assert User.objects.count() == users_before
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_login_page_shows_the_configured_providers(client, settings):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Logg inn med ID-porten" in page
    assert "Logg inn med Entra ID (KS-ansatte)" in page
    assert 'name="password"' in page
    settings.DIGIFIN_OIDC_PROVIDERS = {}
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Logg inn med ID-porten" not in page
    assert client.get(reverse("accounts:oidc_start_idporten")).status_code == 404


@pytest.mark.django_db
def test_password_login_can_be_switched_off(client, settings):
    settings.DIGIFIN_PASSWORD_LOGIN = False
    user = KsStaffFactory()
    page = client.get(reverse("accounts:login")).content.decode()
    assert 'name="password"' not in page
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": "passord-123"}
    )
    assert response.status_code == 403
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_every_page_links_the_privacy_statement(client):
    home = client.get(reverse("home")).content.decode()
    assert reverse("accounts:privacy") in home
    privacy = client.get(reverse("accounts:privacy")).content.decode()
    assert "fødselsnummer" in privacy and "HMAC-SHA256" in privacy


@pytest.mark.django_db
def test_a_used_invitation_does_not_let_a_second_person_in(client, provider, settings):
    invitation, _page = _invite(client)
    first = _person(provider, "pairwise-first")
    _login(client, provider, first)
    client.logout()
    # Another person arrives with the same invitation in the session (a forwarded link).
    session = client.session
    session["digifin_invitation"] = invitation.token_digest
    session.save()
    provider.set_user("pairwise-second", {"pid": "02029912345", "acr": "idporten-loa-substantial"})

    page = _refusal(client, _login(client, provider, "pairwise-second"))

    assert "allerede brukt" in page.content.decode()
    assert ExternalIdentity.objects.count() == 1
    assert User.objects.filter(role=Role.MUNICIPAL).count() == 1


@pytest.mark.django_db
def test_a_wrong_code_verifier_is_refused_by_the_provider_and_nobody_is_logged_in(
    client, provider, caplog
):
    invitation, _page = _invite(client)
    sub = _person(provider, "pairwise-verifier")
    start = client.get(reverse("accounts:oidc_start_idporten"))
    back = urlparse(provider.authorize(start["Location"], sub))
    session = client.session
    state = parse_qs(back.query)["state"][0]
    session["oidc_states"][state]["code_verifier"] = "x" * 64
    session.save()

    with caplog.at_level(logging.WARNING, logger="digifin.oidc"):
        _refusal(client, client.get(f"{back.path}?{back.query}"))

    assert "token exchange failed: HTTPError" in caplog.text
    assert SESSION_KEY not in client.session
    assert Invitation.objects.get(pk=invitation.pk).used_at is None
