"""Every URL × every role → the expected outcome (tests/security/matrix.py); guessed ids; the
admin's changelists."""

from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import ROLE_GROUPS, Role
from accounts.roles import sync_role_groups
from tests.accounts.factories import CouncilMemberFactory, KsStaffFactory, MunicipalUserFactory
from tests.invoicing.factories import member_with_address
from tests.security.builders import BUILDERS, LIST_MARKERS, NONEXISTENT, OBJECT_KWARGS, state
from tests.security.matrix import (
    EXEMPT,
    EXEMPT_PREFIXES,
    FORBIDDEN,
    INVALID,
    LOGIN,
    MATRIX,
    NOT_FOUND,
    OK,
    ROLES,
)

DENIED_OUTCOMES = (LOGIN, FORBIDDEN, NOT_FOUND)
SIGNED_IN = ["municipal_a", "municipal_b", "council", "ks_staff"]


def _named_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_patterns(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_has_an_entry_in_the_access_matrix():
    missing = sorted(
        name
        for name in _named_patterns()
        if name not in MATRIX and name not in EXEMPT and not name.startswith(EXEMPT_PREFIXES)
    )
    assert missing == [], f"Add these URL names to tests/security/matrix.py: {missing}"


def test_matrix_names_only_existing_urls():
    stale = sorted(set(MATRIX) - _named_patterns())
    assert stale == []


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _with_group(user, role):
    user.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
    return user


@pytest.fixture
def world(db):
    """Two organisations and one user per role, made once per test function."""
    sync_role_groups()
    org_a = member_with_address(name="Lillehammer kommune")
    org_b = member_with_address(name="Øyer kommune", address="Kongsvegen 351\n2610 MESNALI")
    users = {
        "anonymous": None,
        "municipal_a": MunicipalUserFactory(organisation=org_a),
        "municipal_b": MunicipalUserFactory(organisation=org_b),
        "council": _with_group(CouncilMemberFactory(), Role.COUNCIL),
        "ks_staff": _with_group(KsStaffFactory(), Role.KS_STAFF),
        "inactive": MunicipalUserFactory(organisation=org_a, is_active=False),
    }
    return org_a, users


def _outcome(response) -> str:
    status = response.status_code
    if status in (301, 302, 303):
        location = response["Location"]
        return LOGIN if "/konto/logg-inn/" in location else OK
    if status == 400:
        return INVALID
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return NOT_FOUND
    if 200 <= status < 300:
        return OK
    return f"status {status}"


def _allowed(method, expected) -> tuple:
    allowed = expected if isinstance(expected, tuple) else (expected,)
    if method == "post" and OK in allowed:
        # Sent empty, a POST may be refused as bad input; what matters is no 5xx.
        allowed = (*allowed, INVALID)
    return allowed


def _request(client, user, method, name, kwargs):
    kwargs = dict(kwargs)
    query = kwargs.pop("_query", None) or {}
    client.logout()
    if user is not None:
        client.force_login(user)
    url = reverse(name, kwargs=kwargs)
    if method == "get":
        return url, client.get(url, query)
    if query:
        url = f"{url}?{urlencode(query)}"
    return url, client.post(url)


def _role_order(method, expected):
    """POST: the denied roles go first, so that an allowed role's change cannot hide a denial
    (and the object is still there when the denied roles try it)."""
    if method != "post":
        return ROLES
    denied = [r for r in ROLES if set(_allowed(method, expected[r])) <= set(DENIED_OUTCOMES)]
    return denied + [r for r in ROLES if r not in denied]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access_matrix(client, world, name):
    org_a, users = world
    method, expected, builder = MATRIX[name]
    kwargs = BUILDERS[builder](org_a, users) if builder else {}
    failures = []
    for role in _role_order(method, expected):
        allowed = _allowed(method, expected[role])
        denied = set(allowed) <= set(DENIED_OUTCOMES)
        before = state() if method == "post" and denied else None
        url, response = _request(client, users[role], method, name, kwargs)
        got = _outcome(response)
        if got not in allowed:
            failures.append(f"{role}: expected {expected[role]}, got {got} ({method} {url})")
        if before is not None:
            after = state()
            changed = sorted(k for k in before if before[k] != after[k])
            if changed:
                failures.append(f"{role}: a denied POST changed {changed} ({url})")
    assert failures == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, (_m, _r, b) in MATRIX.items() if b))
def test_guessed_object_ids_are_404_or_403_never_500(client, world, name):
    """Every object URL with an id that does not exist, for every signed-in role."""
    org_a, users = world
    method, _expected, builder = MATRIX[name]
    kwargs = BUILDERS[builder](org_a, users)
    query = dict(kwargs.pop("_query", None) or {})
    guessed = {k: NONEXISTENT if k in OBJECT_KWARGS else v for k, v in kwargs.items()}
    guessed_query = {k: NONEXISTENT if k in OBJECT_KWARGS else v for k, v in query.items()}
    if guessed == kwargs and guessed_query == query:
        pytest.skip("no object id in this URL")
    if guessed_query:
        guessed["_query"] = guessed_query
    failures = []
    for role in SIGNED_IN:
        url, response = _request(client, users[role], method, name, guessed)
        if response.status_code not in (403, 404):
            failures.append(f"{role}: {response.status_code} ({method} {url})")
    assert failures == []


# Known gap, reported to the lead engineer: accounts/roles.py gives the KS staff group the
# permissions of KS_STAFF_APPS only, so KS staff get 403 on these changelists (a locked-out
# user cannot be unlocked, nor a lost authenticator reset, without a superuser). Strict: the
# test fails as soon as it is fixed, so this list must then be emptied.
KS_STAFF_ADMIN_GAP: set[str] = set()
ADMIN_MODELS = [
    pytest.param(
        name,
        marks=pytest.mark.xfail(
            strict=True,
            raises=AssertionError,
            reason="KS staff lack this app's permissions (accounts/roles.py)",
        ),
    )
    if name in KS_STAFF_ADMIN_GAP
    else name
    for name in sorted(f"{m._meta.app_label}_{m._meta.model_name}" for m in admin.site._registry)
]


@pytest.mark.django_db
@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_changelists_are_for_ks_staff_only(
    client, model, ks_user, municipal_user, council_user, inactive_user
):
    url = reverse(f"admin:{model}_changelist")
    client.force_login(ks_user)
    assert client.get(url).status_code == 200
    for user in (municipal_user, council_user, inactive_user, None):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 302, (user, response.status_code)
        assert response["Location"].startswith(reverse("admin:login")), user


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(LIST_MARKERS))
def test_lists_show_organisation_a_its_objects_and_organisation_b_none_of_them(client, world, name):
    org_a, users = world
    markers = [make(org_a, users) for make in LIST_MARKERS[name]]
    _url, own = _request(client, users["municipal_a"], "get", name, {})
    _url, other = _request(client, users["municipal_b"], "get", name, {})
    own_text, other_text = own.content.decode(), other.content.decode()
    assert [m for m in markers if m not in own_text] == []
    assert [m for m in markers if m in other_text] == []
