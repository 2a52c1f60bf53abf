"""The session's user comes with its organisation (accounts.backends.ModelBackend)."""

import pytest
from django.test import RequestFactory

from accounts.backends import ModelBackend
from tests.accounts.factories import MunicipalUserFactory

pytestmark = pytest.mark.django_db


def test_the_user_is_read_with_its_organisation(django_assert_num_queries):
    user = MunicipalUserFactory()
    with django_assert_num_queries(1):
        loaded = ModelBackend().get_user(user.pk)
        assert loaded.organisation.name == user.organisation.name


def test_an_inactive_or_unknown_user_is_no_user():
    user = MunicipalUserFactory(is_active=False)
    assert ModelBackend().get_user(user.pk) is None
    assert ModelBackend().get_user(999_999) is None


def test_login_through_the_form_uses_it(client):
    from django.contrib.auth import SESSION_KEY, authenticate

    user = MunicipalUserFactory()
    user.set_password("riktig-passord-1")
    user.save()
    request = RequestFactory().post("/konto/logg-inn/")
    assert authenticate(request, username=user.username, password="riktig-passord-1") == user
    assert client.login(request=request, username=user.username, password="riktig-passord-1")
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session["_auth_user_backend"] == "accounts.backends.ModelBackend"
