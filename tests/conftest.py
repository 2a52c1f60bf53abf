"""Shared fixtures: one user per role, and clients logged in as each."""

import pytest

from accounts.roles import sync_role_groups
from tests.accounts.factories import (
    CouncilMemberFactory,
    KsStaffFactory,
    MunicipalUserFactory,
    UserFactory,
)


@pytest.fixture
def ks_user(db):
    sync_role_groups()
    user = KsStaffFactory()
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name="KS-ansatte"))
    return user


@pytest.fixture
def municipal_user(db):
    return MunicipalUserFactory()


@pytest.fixture
def other_municipal_user(db):
    """A municipal user of another organisation (org B)."""
    return MunicipalUserFactory()


@pytest.fixture
def council_user(db):
    return CouncilMemberFactory()


@pytest.fixture
def inactive_user(db):
    return MunicipalUserFactory(is_active=False)


@pytest.fixture
def plain_user(db):
    """Signed in, but with no role in DigiFin."""
    return UserFactory()


def _client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def ks_client(client, ks_user):
    return _client_for(client, ks_user)


@pytest.fixture
def municipal_client(client, municipal_user):
    return _client_for(client, municipal_user)


@pytest.fixture
def council_client(client, council_user):
    return _client_for(client, council_user)
