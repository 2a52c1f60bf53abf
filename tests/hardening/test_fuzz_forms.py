"""Fuzz every POST form (issue #17 §4): hostile values for every role, never a 5xx, and an error
answer changes nothing.

For every URL whose view accepts POST (tests/hardening/fuzzing.py FORMS; a test fails when one
is missing) and every role (anonymous, municipal user of organisation A, municipal user of
organisation B, council member, KS staff), hypothesis draws a request body from the fields the
form's page renders plus hostile extras: huge and negative numbers, NaN, Infinity, many
decimals, far and malformed dates, long and odd Unicode (RTL, zero-width, NUL, emoji, 10 000
characters), missing and duplicated fields, other organisations' and guessed ids, junk files.

It asserts that no answer is a 5xx (nor an exception), and that an error answer (4xx, or a page
re-rendered with 2xx, i.e. anything but a redirect after success) leaves every table of the
fund's apps as it was (row count, largest id and a hash of all values per table).

Size: 43 POST views × 5 roles × FUZZ_EXAMPLES examples (default 4, `DIGIFIN_FUZZ_EXAMPLES`
raises it) = 860 hostile requests, about 2 minutes on PostgreSQL with 2 shared cores. Each example
sends the same drawn body as every role, denied roles first."""

import datetime
import os

import pytest
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import ROLE_GROUPS, Role
from accounts.roles import sync_role_groups
from tests.accounts.factories import CouncilMemberFactory, KsStaffFactory, MunicipalUserFactory
from tests.hardening.fuzzing import FORMS, changed, fingerprint, parse_fields, post_views
from tests.invoicing.factories import member_with_address
from tests.security.builders import BUILDERS, NONEXISTENT

FUZZ_EXAMPLES = int(os.environ.get("DIGIFIN_FUZZ_EXAMPLES", "4"))
ROLES = ["anonymous", "municipal_b", "council", "municipal_a", "ks_staff"]

pytestmark = pytest.mark.services


def test_every_post_view_is_in_the_fuzz_registry():
    missing = sorted(post_views() - set(FORMS))
    assert missing == [], (
        f"These views accept POST but are not fuzzed: {missing}. Add one line per view to "
        'FORMS in tests/hardening/fuzzing.py: "app:name": Form("<builder for its path kwargs '
        'in tests/security/builders.py>", pages=("<url name of the page showing the form>",)).'
    )


def test_the_registry_names_only_post_views():
    stale = sorted(set(FORMS) - post_views())
    assert stale == [], f"Not (or no longer) POST views; remove from FORMS: {stale}"


# --- the world --------------------------------------------------------------------------------


def real_password_reset_token(org_a, users):
    """A valid reset link of A's user: GET it first (the view keeps the token in the session
    and redirects to the set-password URL), then POST there."""
    user = users["municipal_a"]
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    prime = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return {"uidb64": uid, "token": "set-password", "_prime": prime}


FUZZ_BUILDERS = {**BUILDERS, "real_password_reset_token": real_password_reset_token}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db):
    sync_role_groups()
    org_a = member_with_address(name="Lillehammer kommune")
    org_b = member_with_address(name="Øyer kommune", address="Kongsvegen 351\n2610 MESNALI")
    council = CouncilMemberFactory()
    council.groups.add(Group.objects.get(name=ROLE_GROUPS[Role.COUNCIL]))
    ks = KsStaffFactory()
    ks.groups.add(Group.objects.get(name=ROLE_GROUPS[Role.KS_STAFF]))
    users = {
        "anonymous": None,
        "municipal_a": MunicipalUserFactory(organisation=org_a),
        "municipal_b": MunicipalUserFactory(organisation=org_b),
        "council": council,
        "ks_staff": ks,
    }
    return org_a, org_b, users


# --- hostile values ---------------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "-0.01",
    "1e20",
    "-1e20",
    "1e308",
    "1e-308",
    "NaN",
    "nan",
    "sNaN",
    "-sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "99999999999999999999999999999999999999",
    "0.000000000000000000000000001",
    "12345.6789012345678901234567890",
    "1 000 000,50",
    "1,5",
    "0x10",
    "١٢٣",  # Arabic-Indic digits
    "0001-01-01",
    "9999-12-31",
    "3400-01-01",
    "3400",
    "0",
    "2026-13-45",
    "2026-02-30",
    "31.12.9999",
    "01.01.0001",
    "32.13.2026",
    "2026-11-22T25:61:00",
    "-2026-01-01",
    "true",
    "on",
    "null",
    "None",
    "[]",
    "{}",
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",  # RTL override
    "\u200b\u200c\u200d\ufeff",  # zero-width
    "😀" * 50,
    "Ω≈ç√∫˜µ≤≥÷ æøå ÆØÅ",
    "\ud7ff\ue000\uffff",
    "<script>alert(1)</script>",
    "'; DROP TABLE members_member; --",
    "../../../../etc/passwd",
    "%s%s%s%n",
    "x" * 10_000,
    "å" * 10_000,
]

ODD_TEXT = st.text(
    alphabet=st.sampled_from(list("aZ09.,-+eE:/ æøå\u202e\u200b\x00😀\n\r\t'\"<>&%")),
    max_size=40,
)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
DATES = st.one_of(
    st.dates(min_value=datetime.date(1, 1, 1)).map(
        lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
    ),
    st.dates(min_value=datetime.date(1, 1, 1)).map(
        lambda d: f"{d.day:02d}.{d.month:02d}.{d.year:04d}"
    ),
    st.tuples(st.integers(-99, 99999), st.integers(-1, 99), st.integers(-1, 99)).map(
        lambda t: f"{t[0]}-{t[1]}-{t[2]}"
    ),
)
EXTRA_NAMES = [
    "id",
    "pk",
    "member",
    "organisation",
    "proposal",
    "amount",
    "status",
    "is_staff",
    "action",
    "submission_key",
    "form_token",
    "user",
    "granted",
    "year",
]


def _ids(org_a, org_b):
    """Other organisations' ids and guessed ids."""
    return [str(org_b.pk), str(org_a.pk), str(NONEXISTENT), "0", "-1", str(2**63)]


def _junk_file(data):
    content = data.draw(
        st.sampled_from(
            [
                b"",
                b"\x00" * 100,
                b"%PDF-1.4\n%%EOF\n",
                b"<?xml version='1.0'?><Document><Amt Ccy='NOK'>1e20</Amt></Document>",
                b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;&a;</x>",
                "Kommunenr;Navn;Folketall\n0301;Oslo;1e20\n3201;Bærum".encode(),
                "\u202e😀".encode() * 1000,
            ]
        ),
        label="file",
    )
    name = data.draw(st.sampled_from(["a.pdf", "x" * 300 + ".xml", "../../etc/passwd", "😀.csv"]))
    return SimpleUploadedFile(name[-255:] if len(name) > 255 else name, content)


def _body(data, fields, files, ids):
    """A request body: each field kept or left out, one of its real values or a hostile one,
    sometimes sent twice; plus hostile extra fields."""
    body = {}
    for name in sorted(fields):
        if name in files:
            if data.draw(st.booleans(), label=f"{name}?"):
                body[name] = _junk_file(data)
            continue
        if not data.draw(st.integers(0, 5), label=f"{name}?"):
            continue  # missing
        real = sorted(fields[name])
        choices = [
            st.sampled_from(HOSTILE),
            st.sampled_from(ids),
            ODD_TEXT,
            NUMBERS,
            DATES,
        ]
        if real:
            choices.insert(0, st.sampled_from(real))
        value = data.draw(st.one_of(*choices), label=name)
        if data.draw(st.integers(0, 6), label=f"{name} twice?") == 0:
            value = [value, data.draw(st.one_of(*choices), label=f"{name}#2")]
        body[name] = value
    for name in data.draw(st.lists(st.sampled_from(EXTRA_NAMES), max_size=3, unique=True)):
        body.setdefault(name, data.draw(st.one_of(st.sampled_from(HOSTILE), st.sampled_from(ids))))
    return body


# --- the test ---------------------------------------------------------------------------------


def _login(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)


def _reverse(name, kwargs):
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        # A page with fewer kwargs than the form's URL (e.g. the list a form sits on).
        for key in list(kwargs):
            try:
                return reverse(name, kwargs={k: v for k, v in kwargs.items() if k != key})
            except NoReverseMatch:
                continue
        return reverse(name)


def _form_fields(client, users, name, form, kwargs):
    """The fields of the form, parsed from the pages every signed-in role can open."""
    fields, files = {}, set()
    pages = [_reverse(page, kwargs) for page in (name, *form.pages)]
    for role in ("ks_staff", "municipal_a", "council", "anonymous"):
        _login(client, users[role])
        for url in pages:
            if "_prime" in kwargs:
                client.get(kwargs["_prime"])
            response = client.get(url)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                page_fields, page_files = parse_fields(response.content.decode())
                for field, values in page_fields.items():
                    fields.setdefault(field, set()).update(values)
                files |= page_files
    for field in form.fields:
        fields.setdefault(field, set())
    return fields, files


def _has_form_errors(response) -> bool:
    context = response.context
    contexts = [] if context is None else context if isinstance(context, list) else [context]
    values = [value for item in contexts for value in item.flatten().values()]
    return any(getattr(value, "errors", None) for value in values)


def _is_success(form, response) -> bool:
    """A redirect inside the app; for page_on_success views also a page without form errors."""
    if response.status_code in (301, 302, 303):
        return "/konto/logg-inn/" not in response["Location"]
    if form.page_on_success and 200 <= response.status_code < 300:
        return not _has_form_errors(response)
    return False


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(FORMS))
def test_fuzz_form(client, world, name):
    org_a, org_b, users = world
    form = FORMS[name]
    kwargs = FUZZ_BUILDERS[form.builder](org_a, users) if form.builder else {}
    kwargs.pop("_query", None)
    prime = kwargs.get("_prime")
    url_kwargs = {k: v for k, v in kwargs.items() if not k.startswith("_")}
    url = reverse(name, kwargs=url_kwargs)
    fields, files = _form_fields(client, users, name, form, kwargs)
    ids = _ids(org_a, org_b)

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def fuzz(data):
        body = _body(data, fields, files, ids)
        state = fingerprint()
        for role in ROLES:
            _login(client, users[role])
            if prime:
                client.get(prime)
            for upload in body.values():
                if hasattr(upload, "seek"):
                    upload.seek(0)
            response = client.post(url, body)
            where = f"{role} POST {url} {sorted(body)}"
            assert response.status_code < 500, f"{response.status_code}: {where}"
            if _is_success(form, response):
                state = fingerprint()
                continue
            after = fingerprint()
            assert changed(state, after) == [], (
                f"an error answer ({response.status_code}) changed the database: {where}"
            )

    fuzz()
