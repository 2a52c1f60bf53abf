"""Shared fixtures: one user per role, and clients logged in as each."""

import importlib

import pytest
from django.test import override_settings
from django.utils import translation

from accounts.roles import sync_role_groups
from tests import test_translations
from tests.accounts.factories import (
    CouncilMemberFactory,
    KsStaffFactory,
    MunicipalUserFactory,
    UserFactory,
)
from tests.celery_support import real_broker  # noqa: F401  (fixture: a real worker's queue)


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


# Rows that data migrations load (rates, checklists, scoring criteria). A transactional test
# (browser tests, real-worker tests) flushes the database afterwards, so the next one would
# start without them: load them again, idempotently, before every transactional test.
DATA_MIGRATIONS = [
    ("members.migrations.0003_contribution_rates", "add_rates"),
    ("projects.migrations.0002_qualification_criteria", "load"),
    ("projects.migrations.0004_scoring_criteria", "load"),
]


@pytest.fixture(autouse=True)
def _data_migration_rows(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,))
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _closed_queues_forgotten():
    """The process keeps closed meetings' queues (projects.selectors); a test's database is
    rolled back and its ids may come again, so each test starts without them."""
    from projects import selectors

    selectors._CLOSED_QUEUES.clear()


@pytest.fixture
def english(tmp_path):
    """English active, with a fresh compile of the committed catalogue (locale/en)."""
    directory = tmp_path / "locale" / "en" / "LC_MESSAGES"
    directory.mkdir(parents=True)
    entries = test_translations.parse_po(test_translations.PO_FILE)
    test_translations.write_mo([e for e in entries if not e["obsolete"]], directory / "django.mo")
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]), translation.override("en"):
        yield
