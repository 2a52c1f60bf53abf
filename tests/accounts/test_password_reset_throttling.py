"""Password reset e-mails are throttled per address and per client (accounts/throttling.py);
over a limit the answer is the same neutral page and nothing is sent."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import PasswordResetRequest
from tests.accounts.factories import MunicipalUserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


def _reset(client, email, **extra):
    return client.post(reverse("accounts:password_reset"), {"email": email}, **extra)


def _main(response):
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_a_burst_to_one_address_sends_only_the_limit(client, municipal_user, mailoutbox, settings):
    settings.DIGIFIN_PASSWORD_RESET_PER_ADDRESS_PER_HOUR = 3
    responses = [_reset(client, municipal_user.email) for _ in range(23)]
    assert len(mailoutbox) == 3
    done = reverse("accounts:password_reset_done")
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, done)}


def test_the_address_limit_ignores_case_and_other_clients(
    client, municipal_user, mailoutbox, settings
):
    settings.DIGIFIN_PASSWORD_RESET_PER_ADDRESS_PER_HOUR = 2
    for n in range(5):
        _reset(client, municipal_user.email.upper(), REMOTE_ADDR=f"203.0.113.{n}")
    assert len(mailoutbox) == 2


def test_the_over_limit_page_is_the_same_as_for_an_unknown_address(
    client, municipal_user, mailoutbox, settings
):
    settings.DIGIFIN_PASSWORD_RESET_PER_ADDRESS_PER_HOUR = 1
    _reset(client, municipal_user.email)
    throttled = _reset(client, municipal_user.email, follow=True)
    unknown = _reset(client, "ingen@example.no", follow=True)
    assert len(mailoutbox) == 1
    assert throttled.redirect_chain == unknown.redirect_chain
    assert _main(throttled) == _main(unknown)
    assert "Hvis adressen finnes hos oss" in _main(throttled)


def test_one_client_is_limited_across_addresses(client, mailoutbox, settings):
    settings.DIGIFIN_PASSWORD_RESET_PER_CLIENT_PER_HOUR = 5
    users = MunicipalUserFactory.create_batch(7)
    for user in users[:6]:
        _reset(client, user.email, REMOTE_ADDR="203.0.113.7")
    assert len(mailoutbox) == 5
    _reset(client, users[6].email, REMOTE_ADDR="203.0.113.8")  # another client is not affected
    assert len(mailoutbox) == 6
    assert mailoutbox[-1].to == [users[6].email]


def test_behind_the_trusted_proxy_clients_are_counted_apart(client, mailoutbox, settings):
    settings.DIGIFIN_TRUSTED_PROXIES = [PROXY]
    settings.DIGIFIN_PASSWORD_RESET_PER_CLIENT_PER_HOUR = 2
    users = MunicipalUserFactory.create_batch(4)
    for user in users[:3]:
        _reset(client, user.email, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert len(mailoutbox) == 2
    _reset(client, users[3].email, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert len(mailoutbox) == 3
    # A spoofed header from a client that is not the proxy changes nothing.
    for n, user in enumerate(users[:3]):
        _reset(client, user.email, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"1.1.1.{n}")
    assert len(mailoutbox) == 5


def test_the_limit_lifts_after_an_hour_and_old_rows_are_deleted(
    client, municipal_user, mailoutbox, settings
):
    settings.DIGIFIN_PASSWORD_RESET_PER_ADDRESS_PER_HOUR = 1
    _reset(client, municipal_user.email)
    _reset(client, municipal_user.email)
    assert len(mailoutbox) == 1
    PasswordResetRequest.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    _reset(client, municipal_user.email)
    assert len(mailoutbox) == 2
    assert PasswordResetRequest.objects.count() == 1


def test_the_typed_address_is_not_stored(client, municipal_user):
    _reset(client, municipal_user.email)
    row = PasswordResetRequest.objects.get()
    assert municipal_user.email not in row.address_digest
    assert row.client_ip == "127.0.0.1"
