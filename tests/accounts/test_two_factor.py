"""Two-factor authentication for KS staff (accounts/twofactor.py). The authenticator's secret
is shown only in a session that proved the account's e-mail address with a one-time code."""

import base64
import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import EmailedCode
from tests.accounts.factories import KsStaffFactory

pytestmark = pytest.mark.django_db

TWO_FACTOR = "/konto/tofaktor/"


@pytest.fixture
def require_2fa(settings):
    settings.DIGIFIN_STAFF_REQUIRE_2FA = True


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _send_code(client, mailoutbox, next_url=None):
    data = {"action": "send"} | ({"next": next_url} if next_url else {})
    response = client.post(reverse("accounts:two_factor"), data)
    assert response.status_code == 200
    return re.search(r"^(\d{8})$", mailoutbox[-1].body, re.M)[1]


def _prove_address(client, mailoutbox, next_url=None):
    code = _send_code(client, mailoutbox, next_url)
    data = {"action": "verify", "email_code": code} | ({"next": next_url} if next_url else {})
    response = client.post(reverse("accounts:two_factor"), data)
    assert response.status_code == 302
    return response


def base32_secret(device):
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def _shows_secret(response):
    html = response.content.decode()
    return "data:image/svg+xml" in html or 'data-testid="totp-secret"' in html


def test_staff_must_set_up_an_authenticator_before_reaching_the_admin(
    ks_client, ks_user, require_2fa, mailoutbox
):
    response = ks_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor"))
    page = ks_client.get(response["Location"])
    assert not _shows_secret(page)
    response = _prove_address(ks_client, mailoutbox, next_url="/admin/")
    assert mailoutbox[-1].to == [ks_user.email]
    page = ks_client.get(response["Location"])
    assert "data:image/svg+xml" in page.content.decode()
    device = TOTPDevice.objects.get(confirmed=False)
    assert base32_secret(device) in page.content.decode()
    response = ks_client.post(
        reverse("accounts:two_factor"), {"token": _code(device), "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert ks_client.get("/admin/").status_code == 200


def test_the_secret_is_not_shown_with_the_password_alone(ks_client, require_2fa, mailoutbox):
    page = ks_client.get(reverse("accounts:two_factor"))
    assert page.status_code == 200
    assert not _shows_secret(page)
    assert not TOTPDevice.objects.exists()
    # Sending the code shows no secret either, and a TOTP code cannot be confirmed yet.
    page = ks_client.post(reverse("accounts:two_factor"), {"action": "send"})
    assert not _shows_secret(page)
    assert len(mailoutbox) == 1
    response = ks_client.post(reverse("accounts:two_factor"), {"token": "123456"})
    assert not _shows_secret(response)
    assert not TOTPDevice.objects.exists()
    assert ks_client.get("/admin/").status_code == 302


def test_a_device_made_before_the_proof_is_replaced(ks_client, ks_user, require_2fa, mailoutbox):
    leaked = TOTPDevice.objects.create(user=ks_user, confirmed=False, name="Autentiseringsapp")
    page = ks_client.get(reverse("accounts:two_factor"))
    assert base32_secret(leaked) not in page.content.decode()
    _prove_address(ks_client, mailoutbox)
    device = TOTPDevice.objects.get(user=ks_user)
    assert device.pk != leaked.pk
    page = ks_client.get(reverse("accounts:two_factor"))
    assert base32_secret(device) in page.content.decode()
    assert base32_secret(leaked) not in page.content.decode()


def test_a_wrong_email_code_is_refused_and_attempts_are_limited(
    ks_client, require_2fa, mailoutbox, settings
):
    settings.DIGIFIN_EMAIL_CODE_ATTEMPTS = 3
    code = _send_code(ks_client, mailoutbox)
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    for _ in range(3):
        page = ks_client.post(
            reverse("accounts:two_factor"), {"action": "verify", "email_code": wrong}
        )
        assert page.status_code == 200
        assert "Koden stemmer ikke" in page.content.decode()
        assert not _shows_secret(page)
    # The right code no longer helps: the tries are used up.
    page = ks_client.post(reverse("accounts:two_factor"), {"action": "verify", "email_code": code})
    assert page.status_code == 200
    assert not _shows_secret(page)
    assert not TOTPDevice.objects.exists()


def test_the_email_code_is_single_use_and_short_lived(client, require_2fa, mailoutbox, ks_user):
    client.force_login(ks_user)
    code = _send_code(client, mailoutbox)
    client.post(reverse("accounts:two_factor"), {"action": "verify", "email_code": code})
    # Another session (signed in with the password again) cannot reuse the code.
    other = Client()
    other.force_login(ks_user)
    page = other.post(reverse("accounts:two_factor"), {"action": "verify", "email_code": code})
    assert page.status_code == 200
    assert not _shows_secret(page)
    # An expired code is refused.
    code = _send_code(other, mailoutbox)
    EmailedCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    page = other.post(reverse("accounts:two_factor"), {"action": "verify", "email_code": code})
    assert "Koden stemmer ikke" in page.content.decode()
    assert not _shows_secret(page)


def test_a_new_code_cancels_the_old_one(ks_client, require_2fa, mailoutbox):
    first = _send_code(ks_client, mailoutbox)
    second = _send_code(ks_client, mailoutbox)
    page = ks_client.post(reverse("accounts:two_factor"), {"action": "verify", "email_code": first})
    assert not _shows_secret(page)
    response = ks_client.post(
        reverse("accounts:two_factor"), {"action": "verify", "email_code": second}
    )
    assert response.status_code == 302
    assert _shows_secret(ks_client.get(response["Location"]))


def test_codes_are_limited_per_hour(ks_client, require_2fa, mailoutbox, settings):
    settings.DIGIFIN_EMAIL_CODES_PER_HOUR = 2
    for _ in range(4):
        ks_client.post(reverse("accounts:two_factor"), {"action": "send"})
    assert len(mailoutbox) == 2
    page = ks_client.post(reverse("accounts:two_factor"), {"action": "send"})
    assert "for mange koder" in page.content.decode()


def test_the_code_is_stored_only_as_a_hash(ks_client, require_2fa, mailoutbox):
    code = _send_code(ks_client, mailoutbox)
    row = EmailedCode.objects.get()
    assert code not in row.code_digest
    assert row.attempts == 0 and row.used_at is None


def test_the_proof_expires(ks_client, require_2fa, mailoutbox, settings):
    _prove_address(ks_client, mailoutbox)
    assert _shows_secret(ks_client.get(reverse("accounts:two_factor")))
    settings.DIGIFIN_ENROLMENT_MINUTES = 0
    assert not _shows_secret(ks_client.get(reverse("accounts:two_factor")))


def test_a_user_without_an_address_is_told_to_ask_an_administrator(client, require_2fa):
    user = KsStaffFactory(email="")
    client.force_login(user)
    page = client.post(reverse("accounts:two_factor"), {"action": "send"})
    assert "ingen e-postadresse" in page.content.decode()
    assert not _shows_secret(page)


def test_a_wrong_code_is_refused_and_changes_nothing(ks_client, require_2fa, mailoutbox):
    _prove_address(ks_client, mailoutbox)
    ks_client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get()
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = ks_client.post(reverse("accounts:two_factor"), {"token": wrong})
    assert response.status_code == 200
    assert "Koden stemmer ikke" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert ks_client.get("/admin/").status_code == 302


def test_a_confirmed_device_only_asks_for_the_code(ks_client, ks_user, require_2fa, mailoutbox):
    device = TOTPDevice.objects.create(user=ks_user, confirmed=True, name="Autentiseringsapp")
    page = ks_client.get(reverse("accounts:two_factor"))
    assert not _shows_secret(page)
    assert "Skriv inn de seks sifrene" in page.content.decode()
    response = ks_client.post(reverse("accounts:two_factor"), {"token": _code(device)})
    assert response.status_code == 302
    assert mailoutbox == []
    assert ks_client.get("/admin/").status_code == 200


def test_municipal_users_are_not_asked_for_a_code(municipal_client, require_2fa):
    response = municipal_client.get(reverse("members:my_organisation"))
    assert response.status_code == 200


def test_without_the_setting_staff_go_straight_in(ks_client, settings):
    settings.DIGIFIN_STAFF_REQUIRE_2FA = False
    assert ks_client.get("/admin/").status_code == 200


def test_next_cannot_redirect_off_site(ks_client, require_2fa, mailoutbox):
    response = _prove_address(ks_client, mailoutbox, next_url="https://evil.example/")
    assert response["Location"] == f"{TWO_FACTOR}?next=%2F"
    ks_client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get()
    response = ks_client.post(
        reverse("accounts:two_factor"), {"token": _code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
