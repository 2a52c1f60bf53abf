"""A login lasts a working day for KS staff and 12 hours for everybody else, counted from the
login (accounts/sessions.py), instead of Django's default of two weeks."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _login(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": "passord-123"}
    )
    assert response.status_code == 302
    return client.session


def _hours_left(session):
    return (session.get_expiry_date() - timezone.now()) / datetime.timedelta(hours=1)


def test_a_staff_login_lasts_eight_hours(client, ks_user):
    session = _login(client, ks_user)
    assert 7.9 < _hours_left(session) <= 8
    stored = Session.objects.get(session_key=session.session_key)
    assert 7.9 < (stored.expire_date - timezone.now()) / datetime.timedelta(hours=1) <= 8


@pytest.mark.parametrize("fixture", ["municipal_user", "council_user"])
def test_other_logins_last_twelve_hours(client, request, fixture):
    session = _login(client, request.getfixturevalue(fixture))
    assert 11.9 < _hours_left(session) <= 12


def test_the_lifetimes_are_settings(client, ks_user, municipal_user, settings):
    settings.DIGIFIN_STAFF_SESSION_HOURS = 2
    settings.DIGIFIN_SESSION_HOURS = 3
    assert 1.9 < _hours_left(_login(client, ks_user)) <= 2
    client.logout()
    assert 2.9 < _hours_left(_login(client, municipal_user)) <= 3


def test_activity_does_not_extend_a_staff_session(client, ks_user):
    session = _login(client, ks_user)
    expiry = session.get_expiry_date()
    session["touched"] = True
    session.save()
    client.get(reverse("members:staff_member_list"))
    assert client.session.get_expiry_date() == expiry


def test_an_expired_staff_session_is_signed_out(client, ks_user):
    session = _login(client, ks_user)
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get(reverse("members:staff_member_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
