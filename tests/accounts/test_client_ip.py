"""The client's address behind a reverse proxy (accounts/client_ip.py), and the login lockout
(django-axes) keyed on it: X-Forwarded-For counts only when it comes from a trusted proxy."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.client_ip import client_ip

PROXY = "10.0.0.5"


def _request(remote_addr, forwarded_for=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.DIGIFIN_TRUSTED_PROXIES = []
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_a_spoofed_header_from_an_untrusted_client_is_ignored(settings):
    settings.DIGIFIN_TRUSTED_PROXIES = [PROXY]
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_through_the_trusted_proxy_the_real_client_is_used(settings):
    settings.DIGIFIN_TRUSTED_PROXIES = [PROXY]
    assert client_ip(_request(PROXY, "198.51.100.1")) == "198.51.100.1"


def test_the_rightmost_untrusted_address_wins_over_what_the_client_wrote(settings):
    # The client sent "X-Forwarded-For: 1.2.3.4"; our proxy appended the address it saw.
    settings.DIGIFIN_TRUSTED_PROXIES = [PROXY]
    assert client_ip(_request(PROXY, "1.2.3.4, 198.51.100.1")) == "198.51.100.1"


def test_a_chain_of_trusted_proxies_given_as_a_network_is_skipped(settings):
    settings.DIGIFIN_TRUSTED_PROXIES = ["172.16.0.0/12", PROXY]
    assert client_ip(_request(PROXY, "1.2.3.4, 198.51.100.1, 172.18.0.3")) == "198.51.100.1"


def test_garbage_in_the_header_falls_back_to_the_proxy_address(settings):
    settings.DIGIFIN_TRUSTED_PROXIES = [PROXY]
    assert client_ip(_request(PROXY, "1.2.3.4, not-an-address")) == PROXY
    assert client_ip(_request(PROXY)) == PROXY


def test_ipv6_clients_are_read_too(settings):
    settings.DIGIFIN_TRUSTED_PROXIES = ["fd00::/8"]
    assert client_ip(_request("fd00::1", "2001:db8::7")) == "2001:db8::7"


# --- the login lockout -------------------------------------------------------------------------


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.implementation = None  # rebuild the handler with these settings
    yield
    AxesProxyHandler.implementation = None


def _attempt(client, user, password, **extra):
    return client.post(
        reverse("accounts:login"), {"username": user.username, "password": password}, **extra
    )


@pytest.mark.django_db
def test_behind_the_proxy_one_client_locked_out_does_not_lock_out_another(
    client, axes_on, settings, municipal_user
):
    settings.DIGIFIN_TRUSTED_PROXIES = [PROXY]
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.66"}
    for _ in range(3):
        _attempt(client, municipal_user, "feil-passord", **attacker)
    assert _attempt(client, municipal_user, "passord-123", **attacker).status_code == 429
    colleague = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.20"}
    response = _attempt(client, municipal_user, "passord-123", **colleague)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(municipal_user.pk)


@pytest.mark.django_db
def test_a_client_cannot_escape_the_lockout_by_spoofing_the_header(
    client, axes_on, settings, municipal_user
):
    settings.DIGIFIN_TRUSTED_PROXIES = [PROXY]
    for n in range(3):
        _attempt(
            client,
            municipal_user,
            "feil-passord",
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    response = _attempt(
        client,
        municipal_user,
        "passord-123",
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
