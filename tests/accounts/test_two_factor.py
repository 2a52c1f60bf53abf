import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


@pytest.fixture
def require_2fa(settings):
    settings.DIGIFIN_STAFF_REQUIRE_2FA = True


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_staff_must_set_up_an_authenticator_before_reaching_the_admin(ks_client, require_2fa):
    response = ks_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor"))
    page = ks_client.get(response["Location"])
    assert "data:image/svg+xml" in page.content.decode()
    device = TOTPDevice.objects.get(confirmed=False)
    response = ks_client.post(
        reverse("accounts:two_factor"), {"token": _code(device), "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert ks_client.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused_and_changes_nothing(ks_client, require_2fa):
    ks_client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get()
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = ks_client.post(reverse("accounts:two_factor"), {"token": wrong})
    assert response.status_code == 200
    assert "Koden stemmer ikke" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert ks_client.get("/admin/").status_code == 302


def test_municipal_users_are_not_asked_for_a_code(municipal_client, require_2fa):
    response = municipal_client.get(reverse("members:my_organisation"))
    assert response.status_code == 200


def test_without_the_setting_staff_go_straight_in(ks_client, settings):
    settings.DIGIFIN_STAFF_REQUIRE_2FA = False
    assert ks_client.get("/admin/").status_code == 200


def test_next_cannot_redirect_off_site(ks_client, require_2fa):
    ks_client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get()
    response = ks_client.post(
        reverse("accounts:two_factor"), {"token": _code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
