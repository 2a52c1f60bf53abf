import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.implementation = None  # rebuild the handler with these settings
    yield
    AxesProxyHandler.implementation = None


def _attempt(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_repeated_failed_logins_lock_the_account_even_with_the_right_password(
    client, axes_on, municipal_user
):
    for _ in range(3):
        _attempt(client, municipal_user.username, "feil-passord")
    response = _attempt(client, municipal_user.username, "passord-123")
    assert response.status_code == 429
    assert "midlertidig sperret" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_few_failures_do_not_lock_out(client, axes_on, municipal_user):
    for _ in range(2):
        _attempt(client, municipal_user.username, "feil-passord")
    response = _attempt(client, municipal_user.username, "passord-123")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(municipal_user.pk)
