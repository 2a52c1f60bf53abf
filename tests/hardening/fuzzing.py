"""The fuzz test's registry and tools (tests/hardening/test_fuzz_forms.py, issue #17 §4).

FORMS names every URL whose view accepts POST: the builder (tests/security/builders.py) that
makes a real object of organisation A for its path kwargs, and the page(s) whose HTML holds the
form, so the field names (and the legitimate values of selects, radios and buttons) are parsed
from what the view really renders. A new POST view joins with one line here.

`accepts_post` decides per view whether it takes POST: a class-based view with a `post` method,
or a function view whose source (decorators included, and the module's helpers it calls) reads
`request.POST`, `request.FILES`, `request.method` or is decorated with `require_POST`.

`fingerprint` is what an error answer must leave alone: per table of the fund's apps the row
count, the largest id and a hash of every row's values."""

import hashlib
import inspect
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Form:
    builder: str | None = None  # tests/security/builders.py BUILDERS key → path kwargs
    pages: tuple[str, ...] = ()  # url names (beside the URL itself) whose HTML holds the form
    fields: tuple[str, ...] = ()  # field names when no page with the same kwargs shows the form
    # The view answers a successful POST with a page, not a redirect (e.g. "code sent"): a 2xx
    # is then an error answer only when a form on it has errors.
    page_on_success: bool = False


# url name → how to reach its form. One line per POST view.
FORMS = {
    # Django's language switch (i18n/setlang): accepts POST from anyone.
    "set_language": Form(pages=("home",)),
    # accounts: login, logout, two-factor, password reset must be covered (issue #17 §4)
    "accounts:login": Form(),
    "accounts:logout": Form(),
    "accounts:two_factor": Form(page_on_success=True),
    "accounts:password_reset": Form(),
    "accounts:password_reset_confirm": Form("real_password_reset_token"),
    "accounts:notification_settings": Form(),
    # members
    "members:confirm_participation": Form(pages=("members:my_organisation",)),
    "members:record_email_answer": Form(
        "email_answer_of_a", pages=("members:staff_member_detail",)
    ),
    "members:invitations_send": Form(pages=("members:invitations_confirm",)),
    "members:register_refresh_start": Form(pages=("members:register_refresh_list",)),
    "members:register_refresh_apply": Form(
        "register_refresh", pages=("members:register_refresh_detail",)
    ),
    "members:user_invitations": Form(),
    "members:user_invitation_revoke": Form("user_invitation", pages=("members:user_invitations",)),
    # projects: proposals
    "projects:proposal_create": Form(),
    "projects:proposal_edit": Form("proposal"),
    "projects:attachment_upload": Form("proposal", pages=("projects:proposal_edit",)),
    "projects:coapplicant_confirm": Form("proposal", pages=("projects:proposal_detail",)),
    "projects:proposal_transition": Form("proposal_submit", pages=("projects:proposal_detail",)),
    "projects:attachment_delete": Form("attachment"),
    "projects:qualification": Form("proposal"),
    # projects: the council, KS's decision, the portfolio
    "projects:meeting_create": Form(pages=("projects:council_queue",)),
    "projects:agenda_add": Form("meeting", pages=("projects:council_queue",)),
    "projects:meeting_close": Form("meeting", pages=("projects:council_queue",)),
    "projects:meeting_agenda_create": Form("meeting", pages=("projects:council_queue",)),
    "projects:council_item": Form("agenda_item"),
    "projects:decision": Form("prioritised_proposal"),
    "projects:project_detail": Form("project"),
    "projects:grant_detail": Form("grant"),
    # repayments
    "repayments:access_request": Form("solution", pages=("repayments:solution_detail",)),
    "repayments:access_leave": Form("agreement"),
    "repayments:staff_solution_create": Form(),
    "repayments:staff_solution_edit": Form("solution"),
    "repayments:staff_price_model": Form("solution"),
    "repayments:staff_publish": Form("solution", pages=("repayments:staff_solution_detail",)),
    "repayments:staff_fdvu_allocate": Form("solution", pages=("repayments:staff_solution_detail",)),
    "repayments:staff_fdvu_invoice": Form("fdvu_period"),
    "repayments:staff_fee_invoice": Form("agreement"),
    "repayments:staff_fee_refund": Form("agreement", fields=("amount", "refunded_on", "reason")),
    "repayments:staff_capital_repayment": Form(),
    # invoicing
    "invoicing:payment_register": Form("invoice", pages=("invoicing:invoice_detail",)),
    "invoicing:invoice_credit": Form("invoice", pages=("invoicing:invoice_detail",)),
    "invoicing:batch_start": Form(pages=("invoicing:staff_overview",)),
    "invoicing:bank_import": Form(pages=("invoicing:staff_overview",)),
    "invoicing:payment_resolve": Form("payment", pages=("invoicing:staff_overview",)),
    "invoicing:job_resume": Form("batch_job", pages=("invoicing:job_detail",)),
    # the fund overview: reports and forecast scenarios
    "overview:reports": Form(),
    "overview:scenario_create": Form(),
    "overview:scenario_edit": Form("scenario"),
    "overview:scenario_delete": Form("scenario", pages=("overview:scenario_detail",)),
    "overview:reconciliation": Form(),
}

# Django's admin is Django's own code (its forms are ModelForms over our models, whose bounds
# the model fields and CheckConstraints carry); its access is tested in
# tests/security/test_access_matrix.py. It is left out of the fuzz test to keep it bounded.
EXEMPT_PREFIXES = ("admin:",)


# --- which views accept POST -------------------------------------------------------------------

_POST_MARKERS = ("request.POST", "request.FILES", "request.method", "require_POST")


def _source(func) -> str:
    try:
        return inspect.getsource(inspect.unwrap(func))
    except (OSError, TypeError):
        return ""


def accepts_post(callback) -> bool:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post") and "post" in view_class.http_method_names
    func = inspect.unwrap(callback)
    source = _source(func)
    if any(marker in source for marker in _POST_MARKERS):
        return True
    module = inspect.getmodule(func)
    # One level down: a module-level helper the view calls (e.g. a shared create/edit form).
    for name, helper in inspect.getmembers(module, inspect.isfunction):
        calls = helper.__module__ == module.__name__ and re.search(rf"\b{name}\(", source)
        if calls and any(marker in _source(helper) for marker in _POST_MARKERS):
            return True
    return False


def url_patterns(resolver=None, namespace=""):
    """(qualified name, pattern) for every named URL pattern."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def post_views() -> set[str]:
    return {
        name
        for name, pattern in url_patterns()
        if not name.startswith(EXEMPT_PREFIXES) and accepts_post(pattern.callback)
    }


# --- the fields a page's forms hold ------------------------------------------------------------


class _FieldParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: dict[str, set[str]] = {}
        self.files: set[str] = set()
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag in ("input", "textarea", "select", "button") and name:
            values = self.fields.setdefault(name, set())
            if attrs.get("value") is not None:
                values.add(attrs["value"])
            if tag == "input" and attrs.get("type") == "file":
                self.files.add(name)
            self._select = name if tag == "select" else None
        elif tag == "option" and self._select and attrs.get("value") is not None:
            self.fields[self._select].add(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def parse_fields(html: str) -> tuple[dict[str, set[str]], set[str]]:
    parser = _FieldParser()
    parser.feed(html)
    parser.fields.pop("csrfmiddlewaretoken", None)
    return parser.fields, parser.files


# --- what an error answer must leave alone -------------------------------------------------------

FINGERPRINT_APPS = (
    "accounts",
    "members",
    "fund",
    "projects",
    "repayments",
    "invoicing",
    "overview",
)
# Fields a request may touch without changing anything of the fund (a login's timestamp).
VOLATILE_FIELDS = {"accounts.User": {"last_login"}}


def _models():
    for label in FINGERPRINT_APPS:
        yield from apps.get_app_config(label).get_models()


def fingerprint() -> dict[str, tuple]:
    """Per table: (row count, largest id, hash of every row's values in id order)."""
    if connection.vendor == "postgresql":
        return _fingerprint_postgresql()
    result = {}
    for model in _models():
        skip = VOLATILE_FIELDS.get(model._meta.label, set())
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        rows = list(model._default_manager.order_by("pk").values_list(*names))
        digest = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
        last = rows[-1][names.index(model._meta.pk.attname)] if rows else None
        result[model._meta.label] = (len(rows), last, digest)
    return result


def _fingerprint_postgresql() -> dict[str, tuple]:
    """The same in one query: every table's count, max(id) and md5 of its rows as JSON."""
    parts, params = [], []
    for model in _models():
        table = connection.ops.quote_name(model._meta.db_table)
        pk = connection.ops.quote_name(model._meta.pk.column)
        row = "to_jsonb(t)"
        params.append(model._meta.label)
        for field in VOLATILE_FIELDS.get(model._meta.label, ()):
            row = f"({row} - %s)"
            params.append(model._meta.get_field(field).column)
        parts.append(
            f"SELECT %s, count(*), max(t.{pk})::text, "  # noqa: S608 - our own table names
            f"md5(coalesce(string_agg({row}::text, ',' ORDER BY t.{pk}), '')) FROM {table} t"
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return {label: (count, last, digest) for label, count, last, digest in cursor.fetchall()}


def changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in before if before[k] != after.get(k))
