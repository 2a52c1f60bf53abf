"""The nightly reconciliation: every figure the fund keeps, compared with an independent sum.

Each check is a named function returning the offending rows, as short Norwegian sentences that
name the row (an invoice number, a payment id, a project, a ledger entry id), never just a
boolean. An empty list is a passed check. `reconcile()` runs them all and stores a
ReconciliationRun; `manage.py reconcile`, the nightly Celery task and the KS page
"Avstemming" all go through it (docs/overview.md, "Avstemming").

The checks lean on aggregate SQL (GROUP BY) and only walk in Python the few rows a failing
comparison names, so a run costs the same handful of queries at any scale. Where a check compares
with "a raw sum" it reads the tables with plain SQL on purpose: it must not share the code path
(fund.selectors' net-of-reversals filter, the ledger cache) whose result it is checking.

The reconciliation lives in the top layer because it compares the figures of every app."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from core.money import format_nok, to_money
from fund.models import CapitalCommitment, CapitalSource, LedgerEntry
from fund.selectors import (
    FEE_KINDS,
    disbursed_by_project,
    fund_balance,
    ledger_cached,
    ledger_net,
    ledger_net_by,
    ledger_version,
    paid_in_by_source,
)
from invoicing import kid as kid_rules
from invoicing.models import Invoice, InvoiceNumberCounter, Payment
from invoicing.notify import notify_users
from members.models import Participation
from members.selectors import (
    STRUCTURE_DATES,
    effective_participations,
    member_list,
    member_paid_amounts,
)
from projects.models import Grant, Project
from projects.selectors import proposal_fundings

from . import reports, selectors
from .models import ReconciliationRun

ZERO = Decimal("0.00")
# Invoice kinds whose payments are capital of the fund (booked in the ledger by their handler);
# FDVU and manual invoices are money outside the fund.
PAID_KINDS = {
    Invoice.Kind.MEMBER_SHARE: LedgerEntry.Kind.MEMBER_SHARE,
    Invoice.Kind.ACCESS_FEE: LedgerEntry.Kind.ACCESS_FEE,
}
PAYMENT_KEY = "invoicing-payment:"  # the handlers' ledger idempotency key: + payment id
# A run started less than this long ago blocks another manual start (double clicks).
MANUAL_RUN_GAP = datetime.timedelta(minutes=1)
ROW_LIMIT = 50  # rows kept per check in a stored run (the count says how many there were)
BANNER_CACHE_KEY = "digifin:reconciliation:latest-failed"


def _kr(value) -> str:
    return format_nok(value, decimals=True)


def _raw(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _money(value) -> Decimal:
    return to_money(value) if value is not None else ZERO


# --------------------------------------------------------------------------- 1. the fund


def check_fund_balance() -> list[str]:
    """The fund's balance by source, read through the ledger's one read API (and the cached
    figure the overview shows), equals a raw SUM over the ledger table; and every entry carries
    the sign its kind demands (inflows positive, outflows negative, a reversal the opposite of
    what it reverses, from the same source)."""
    rows = []
    raw = {
        s: _money(t)
        for s, t in _raw("SELECT source, SUM(amount) FROM fund_ledgerentry GROUP BY source")
    }
    api = ledger_net_by("source", kinds=None)
    cached = ledger_cached("net", selectors.net_by_source)
    for source in sorted(set(raw) | set(api) | {s for s, v in cached.items() if v}):
        label = CapitalSource(source).label if source in CapitalSource.values else source
        want = raw.get(source, ZERO)
        if api.get(source, ZERO) != want:
            rows.append(
                f"Kilde {label}: lesesiden gir {_kr(api.get(source, ZERO))}, "
                f"summen i fondsregnskapet er {_kr(want)}"
            )
        if cached.get(source, ZERO) != want:
            rows.append(
                f"Kilde {label}: oversikten (hurtigbuffer) viser {_kr(cached.get(source, ZERO))}, "
                f"summen i fondsregnskapet er {_kr(want)}"
            )
    total = sum(raw.values(), ZERO)
    balance = fund_balance()
    if balance != total:
        rows.append(f"Saldo: fund_balance gir {_kr(balance)}, summen er {_kr(total)}")
    inflow = [str(k) for k in LedgerEntry.INFLOW_KINDS]
    outflow = [str(k) for k in LedgerEntry.OUTFLOW_KINDS]
    wrong_sign = LedgerEntry.objects.filter(
        Q(kind__in=inflow, amount__lt=0) | Q(kind__in=outflow, amount__gt=0)
    ).order_by("id")
    for e in wrong_sign.values("id", "kind", "amount")[:ROW_LIMIT]:
        rows.append(f"Postering #{e['id']} ({e['kind']}): feil fortegn, {_kr(e['amount'])}")
    bad_reversals = _raw(
        "SELECT r.id, o.id FROM fund_ledgerentry r JOIN fund_ledgerentry o ON o.id = r.reverses_id "
        "WHERE r.amount <> -o.amount OR r.source <> o.source ORDER BY r.id"
    )
    for rid, oid in bad_reversals[:ROW_LIMIT]:
        rows.append(
            f"Postering #{rid}: reverserer #{oid}, men ikke med motsatt beløp og samme kilde"
        )
    return rows


def check_commitments() -> list[str]:
    """What KMD and KS have paid in is never more than they committed (a ceiling, "inntil",
    included). The members' commitment row (the ten largest kommuner) is a part of the shares,
    which check_participations reconciles one by one (docs/decisions/overview-reconciliation.md)."""
    committed = {
        row["source"]: to_money(row["total"])
        for row in CapitalCommitment.objects.exclude(source=CapitalSource.MEMBERS)
        .order_by()
        .values("source")
        .annotate(total=Sum("amount"))
    }
    paid = paid_in_by_source(cached=False)
    rows = []
    for source in (CapitalSource.KMD, CapitalSource.KS):
        got = paid.get(source, ZERO)
        promised = committed.get(source)
        if got and promised is None:
            rows.append(f"{CapitalSource(source).label}: innbetalt {_kr(got)} uten kapitaltilsagn")
        elif promised is not None and got > promised:
            rows.append(
                f"{CapitalSource(source).label}: innbetalt {_kr(got)} er mer enn tilsagnet "
                f"{_kr(promised)}"
            )
    return rows


# --------------------------------------------------------------------------- 2. payments


def _overpaid_invoices(invoice_ids) -> set[int]:
    """Of `invoice_ids`, those paid more than their total less credit notes (an over-payment a
    handler books only in part, left to a human in invoicing's list of unresolved payments)."""
    ids = list(invoice_ids)
    if not ids:
        return set()
    credited = dict(
        Invoice.objects.filter(credits_id__in=ids)
        .order_by()
        .values("credits_id")
        .annotate(t=Sum("total"))
        .values_list("credits_id", "t")
    )
    out = set()
    for inv in Invoice.objects.filter(pk__in=ids).annotate(paid=Sum("payments__amount")):
        if (inv.paid or ZERO) > inv.total - (credited.get(inv.pk) or ZERO):
            out.add(inv.pk)
    return out


def check_payments() -> list[str]:
    """Every payment of a share or access-fee invoice has its ledger entry (the handler's key
    "invoicing-payment:<payment id>") of the right kind, member and amount; every share or
    access-fee entry in the ledger has the payment it books. Two joins in the database; only
    the rows that differ come back."""
    rows = []
    kinds = [str(k) for k in PAID_KINDS]  # an invoice kind books an entry of the same name
    differing = _raw(
        "SELECT p.id, p.amount, i.id, i.number, i.kind, e.id, e.kind, e.amount, "
        "CASE WHEN e.member_id = i.buyer_id THEN 0 ELSE 1 END "
        "FROM invoicing_payment p JOIN invoicing_invoice i ON i.id = p.invoice_id "
        "LEFT JOIN fund_ledgerentry e "
        "ON e.idempotency_key = 'invoicing-payment:' || CAST(p.id AS TEXT) "
        "WHERE i.kind IN (%s, %s) AND (e.id IS NULL OR e.amount <> p.amount "
        "OR e.kind <> i.kind OR e.member_id IS NULL OR e.member_id <> i.buyer_id) "
        "ORDER BY p.id",
        kinds,
    )
    # The access-fee handler books no more than the fee outstanding: the surplus of an
    # over-paid fee invoice stays with invoicing for a human (its unresolved payments).
    overpaid = _overpaid_invoices({r[2] for r in differing if r[4] == Invoice.Kind.ACCESS_FEE})
    for pid, amount, inv_id, number, _kind, eid, kind, booked, other_member in differing:
        if len(rows) >= ROW_LIMIT:
            rows.append(f"… og flere innbetalinger som ikke stemmer (av {len(differing)})")
            break
        amount, booked = _money(amount), _money(booked)
        if inv_id in overpaid and (eid is None or ZERO < booked < amount):
            continue
        if eid is None:
            rows.append(
                f"Innbetaling #{pid} ({_kr(amount)}) på faktura {number}: "
                "ingen postering i fondsregnskapet"
            )
        elif other_member:
            rows.append(
                f"Innbetaling #{pid} på faktura {number}: postering #{eid} står på et annet medlem"
            )
        elif kind != _kind:
            rows.append(
                f"Innbetaling #{pid} på faktura {number}: postering #{eid} har typen {kind}"
            )
        else:
            rows.append(
                f"Innbetaling #{pid} på faktura {number}: {_kr(amount)} innbetalt, "
                f"postering #{eid} bokfører {_kr(booked)}"
            )
    # Entries of a paid kind without the payment they book (no key, or a key of no payment).
    orphans = _raw(
        "SELECT e.id, e.kind, e.amount, e.occurred_on FROM fund_ledgerentry e "
        # The handlers' key read back as the payment id.
        "LEFT JOIN invoicing_payment p ON p.id = CASE WHEN e.idempotency_key "
        "LIKE 'invoicing-payment:%%' THEN CAST(SUBSTR(e.idempotency_key, 19) AS BIGINT) END "
        "WHERE e.kind IN (%s, %s) AND p.id IS NULL ORDER BY e.id",
        kinds,
    )
    for eid, kind, amount, day in orphans[:ROW_LIMIT]:
        if isinstance(day, str):  # SQLite's raw cursor returns the text
            day = datetime.date.fromisoformat(day)
        rows.append(
            f"Postering #{eid} ({kind}, {_kr(amount)}, {day:%d.%m.%Y}): ingen innbetaling bak"
        )
    if len(orphans) > ROW_LIMIT:
        rows.append(f"… og {len(orphans) - ROW_LIMIT} posteringer til uten innbetaling")
    return rows


def check_participations() -> list[str]:
    """Each member's paid share in the ledger equals what was paid on its share invoices, and
    a participation marked paid has paid its share (one GROUP BY on each side)."""
    ledger = member_paid_amounts()
    paid = {
        buyer: to_money(total)
        for buyer, total in Payment.objects.filter(invoice__kind=Invoice.Kind.MEMBER_SHARE)
        .order_by()
        .values("invoice__buyer_id")
        .annotate(t=Sum("amount"))
        .values_list("invoice__buyer_id", "t")
    }
    rows = []
    differing = sorted(
        m for m in set(ledger) | set(paid) if ledger.get(m, ZERO) != paid.get(m, ZERO)
    )
    names = dict(
        Participation.objects.filter(member_id__in=differing).values_list(
            "member_id", "member__name"
        )
    )
    for mid in differing:
        rows.append(
            f"{names.get(mid, f'Medlem {mid}')}: innbetalt på andelsfakturaer "
            f"{_kr(paid.get(mid, ZERO))}, andel i fondsregnskapet {_kr(ledger.get(mid, ZERO))}"
        )
    for p in Participation.objects.filter(status=Participation.Status.PAID).values(
        "member_id", "member__name", "share_amount"
    ):
        got = ledger.get(p["member_id"], ZERO)
        if p["share_amount"] is not None and got < p["share_amount"]:
            rows.append(
                f"{p['member__name']}: markert betalt, men bare {_kr(got)} av "
                f"{_kr(p['share_amount'])} er innbetalt"
            )
    return rows


# --------------------------------------------------------------------------- 3. projects


def check_projects() -> list[str]:
    """Each project: its disbursements (ledger entries booked on the project) = what the fund's
    read API attributes to it (disbursed_by_project, by project_ref) ≤ granted ≤ applied."""
    ct = ContentType.objects.get_for_model(Project)
    # Raw and independent: disbursements and their reversals by the project they are booked
    # on (subject), not by project_ref.
    raw = {
        pid: _money(total)
        for pid, total in _raw(
            "SELECT e.subject_id, -SUM(e.amount) FROM fund_ledgerentry e "
            "LEFT JOIN fund_ledgerentry o ON o.id = e.reverses_id "
            "WHERE e.subject_type_id = %s AND (e.kind = %s OR (e.kind = %s AND o.kind = %s)) "
            "GROUP BY e.subject_id",
            [ct.pk, "disbursement", "reversal", "disbursement"],
        )
    }
    api = disbursed_by_project()
    projects = {p["pk"]: p for p in Project.objects.values("pk", "title", "granted", "proposal_id")}
    # granted ≤ applied: the amount applied for is projects.selectors' answer (development less
    # own contribution and other funding, never below zero). One GROUP BY picks the projects
    # granted more than development − own − other (a superset of those granted more than the
    # applied amount, which is never less); the selector decides for those few. Asking it for
    # all 6 000 proposals of bench scale 100 at once cost 0.3–0.6 s.
    over = [
        proposal_id
        for (proposal_id,) in _raw(
            "SELECT p.proposal_id FROM projects_project p "
            "LEFT JOIN projects_costyear c ON c.proposal_id = p.proposal_id "
            "GROUP BY p.id, p.proposal_id, p.granted "
            "HAVING p.granted > COALESCE(SUM(c.development), 0) "
            "- COALESCE(SUM(c.own_contribution), 0) - COALESCE(SUM(c.other_funding), 0)"
        )
    ]
    applied = proposal_fundings(proposal_ids=over)
    rows = []
    for ref in sorted(set(raw) | set(api) - {None}, key=lambda r: r or 0):
        if ref not in projects:
            rows.append(
                f"Utbetaling til prosjekt {ref}, som ikke finnes "
                f"({_kr(api.get(ref, raw.get(ref)))})"
            )
    if api.get(None):
        rows.append(f"Utbetalinger uten prosjekt: {_kr(api[None])}")
    for pid, p in sorted(projects.items()):
        on_project, attributed = raw.get(pid, ZERO), api.get(pid, ZERO)
        if on_project != attributed:
            rows.append(
                f"{p['title']}: utbetalt {_kr(on_project)} på prosjektet, "
                f"men {_kr(attributed)} i fondets tall"
            )
        if max(on_project, attributed) > p["granted"]:
            rows.append(
                f"{p['title']}: utbetalt {_kr(max(on_project, attributed))} er mer enn "
                f"innvilget {_kr(p['granted'])}"
            )
        funding = applied.get(p["proposal_id"])
        if funding is not None and p["granted"] > funding.requested_from_fund:
            rows.append(
                f"{p['title']}: innvilget {_kr(p['granted'])} er mer enn søkt "
                f"{_kr(funding.requested_from_fund)}"
            )
    return rows + _grant_rows(projects, raw)


def _grant_rows(projects: dict, disbursed: dict) -> list[str]:
    """The grant (issue 18) agrees with its project: the same amount; declined or lapsed means
    the project is no longer active (else its capital is still committed, and available capital
    is understated); money only went to a project whose grant was accepted."""
    rows = []
    grants = Grant.objects.values_list("project_id", "amount", "status", "project__status")
    for pid, amount, status, project_status in grants:
        title = projects[pid]["title"] if pid in projects else pid
        if amount != projects.get(pid, {}).get("granted", amount):
            rows.append(
                f"{title}: tilsagnet er {_kr(amount)}, men prosjektet har innvilget "
                f"{_kr(projects[pid]['granted'])}"
            )
        released = status in (Grant.Status.DECLINED, Grant.Status.LAPSED)
        if released and project_status == Project.Status.ACTIVE:
            label = Grant.Status(status).label
            rows.append(f"{title}: tilsagnet er {label}, men prosjektet er fortsatt aktivt")
        if status != Grant.Status.ACCEPTED and disbursed.get(pid, ZERO) > 0:
            rows.append(f"{title}: utbetalt {_kr(disbursed[pid])}, men tilsagnet er ikke akseptert")
    return rows


# --------------------------------------------------------------------------- 4. numbers, dates


def check_invoice_numbers() -> list[str]:
    """Invoice numbers run 1, 2, 3 … without gaps in every series and year, the counter stands
    at the last one, and each number reads as its series, year and sequence."""
    rows = []
    groups = (
        Invoice.objects.order_by()
        .values("series", "year")
        .annotate(n=Count("id"), first=Min("sequence"), last=Max("sequence"))
    )
    counters = {(c.series, c.year): c.last_number for c in InvoiceNumberCounter.objects.all()}
    for g in groups:
        series, year = g["series"], g["year"]
        if g["n"] != g["last"] or g["first"] != 1:
            have = set(
                Invoice.objects.filter(series=series, year=year).values_list("sequence", flat=True)
            )
            gaps = [n for n in range(1, g["last"] + 1) if n not in have]
            shown = ", ".join(f"{series}{year}-{n:05d}" for n in gaps[:20])
            more = f" og {len(gaps) - 20} til" if len(gaps) > 20 else ""
            rows.append(f"Serie {series} {year}: mangler {shown}{more}")
        if counters.get((series, year), 0) != g["last"]:
            rows.append(
                f"Serie {series} {year}: telleren står på {counters.get((series, year), 0)}, "
                f"siste faktura er nr. {g['last']}"
            )
    if connection.vendor == "postgresql":
        bad = _raw(
            "SELECT id, number FROM invoicing_invoice WHERE number <> "
            "series || year::text || '-' || lpad(sequence::text, 5, '0') ORDER BY id"
        )
    else:
        bad = [
            (pk, number)
            for pk, number, series, year, seq in Invoice.objects.values_list(
                "pk", "number", "series", "year", "sequence"
            )
            if number != f"{series}{year}-{seq:05d}"
        ]
    for pk, number in bad[:ROW_LIMIT]:
        rows.append(f"Faktura {number} (#{pk}): nummeret stemmer ikke med serie, år og løpenummer")
    return rows


def check_kids() -> list[str]:
    """Every invoice has a KID, no two invoices share one, and each passes its check digit."""
    rows = []
    invoices = Invoice.objects.filter(document_type=Invoice.DocumentType.INVOICE)
    for number in invoices.filter(kid="").values_list("number", flat=True)[:ROW_LIMIT]:
        rows.append(f"Faktura {number}: mangler KID")
    dupes = (
        invoices.exclude(kid="").order_by().values("kid").annotate(n=Count("id")).filter(n__gt=1)
    )
    for d in dupes[:ROW_LIMIT]:
        numbers = ", ".join(invoices.filter(kid=d["kid"]).values_list("number", flat=True))
        rows.append(f"KID {d['kid']} brukes av flere fakturaer: {numbers}")
    # The KIDs by a plain cursor: 160 000 strings through the ORM's row iterator cost 0.5 s.
    kids = _raw(
        "SELECT kid FROM invoicing_invoice WHERE document_type = %s AND kid <> ''",
        [Invoice.DocumentType.INVOICE.value],
    )
    invalid = kid_rules.invalid_kids(kid for (kid,) in kids)
    bad = list(invoices.filter(kid__in=invalid[: ROW_LIMIT * 2]).values_list("number", "kid"))
    for number, kid in bad[:ROW_LIMIT]:
        rows.append(f"Faktura {number}: KID {kid} har feil kontrollsiffer")
    return rows


def check_future_dates() -> list[str]:
    """No ledger entry and no payment is dated after today."""
    today = timezone.localdate()
    rows = []
    for e in (
        LedgerEntry.objects.filter(occurred_on__gt=today)
        .order_by("id")
        .values("id", "kind", "amount", "occurred_on")[:ROW_LIMIT]
    ):
        rows.append(
            f"Postering #{e['id']} ({e['kind']}, {_kr(e['amount'])}) er datert "
            f"{e['occurred_on']:%d.%m.%Y}, etter i dag"
        )
    for p in (
        Payment.objects.filter(paid_on__gt=today)
        .order_by("id")
        .values("id", "amount", "paid_on")[:ROW_LIMIT]
    ):
        rows.append(
            f"Innbetaling #{p['id']} ({_kr(p['amount'])}) er datert {p['paid_on']:%d.%m.%Y}, "
            "etter i dag"
        )
    return rows


# --------------------------------------------------------------------------- 5. figures shown


def _differs(rows: list[str], where: str, what: str, shown, source) -> None:
    if to_money(shown or 0) != to_money(source or 0):
        rows.append(f"{where}, {what}: viser {_kr(shown)}, kilden gir {_kr(source)}")


def check_figures_shown() -> list[str]:
    """The figures the overview, the public page, the member list, the annual report and the
    KMD report show, built by the same functions those pages call, equal the ledger's one read
    API (each compared with the selector it should come from)."""
    rows: list[str] = []
    version = ledger_version()
    by_source = ledger_net_by("source", kinds=None)
    balance = fund_balance()
    disbursed = sum(disbursed_by_project().values(), ZERO)
    # Fund overview (overview:fund_overview).
    ov = selectors.fund_overview(limit=selectors.TABLE_LIMIT)
    _differs(rows, "Fondsoversikten", "saldo", ov.balance, balance)
    _differs(rows, "Fondsoversikten", "utbetalt til prosjekter", ov.disbursed, disbursed)
    _differs(rows, "Fondsoversikten", "tilbakeført", ov.recovered, ledger_net(kinds=FEE_KINDS))
    for s in ov.capital:
        _differs(rows, "Fondsoversikten", f"innbetalt {s.label}", s.paid, by_source.get(s.source))
    # Public page (public:transparency): capital and projects.
    public_capital = selectors.capital_by_source(version=version)
    for s in public_capital:
        _differs(rows, "Åpenhetssiden", f"innbetalt {s.label}", s.paid, by_source.get(s.source))
    per_project = disbursed_by_project()
    titles = dict(Project.objects.values_list("title", "pk"))
    for p in selectors.public_projects(version=version):
        _differs(
            rows, "Åpenhetssiden", f"utbetalt {p['name']}", p["disbursed"],
            per_project.get(titles.get(p["name"]), ZERO),
        )  # fmt: skip
    # Public participants and the staff member list (members:staff_member_list): each
    # member's own payments and what the list shows as paid equal the ledger's share sum.
    paid = member_paid_amounts()
    participants = selectors.public_participants(version=version)
    staff = list(member_list(on=STRUCTURE_DATES["2024"]))
    by_name = {(m.number, m.name): m for m in staff}
    effective = effective_participations(members=staff)
    for row in participants:
        member = by_name.get((row["number"], row["name"]))
        if member is None:
            continue
        what = f"innbetalt selv {row['name']}"
        _differs(rows, "Åpenhetssiden", what, row["own_paid"], paid.get(member.pk))
        eff = effective[member.pk]
        _differs(
            rows, "Medlemsoversikten", f"innbetalt {row['name']}", eff.paid_amount, row["paid"]
        )
    # Annual report (this year) and the KMD report. The annual report's figures are built by
    # the functions annual_report_context calls for them (closing balance, the year's flows,
    # the overview); the rest of its context (the solutions, the KMD section to the year's end,
    # the forecast) shows no figure checked here and cost 1.5 s of 3 at bench scale 100.
    year = timezone.localdate().year
    closing = fund_balance(until=datetime.date(year, 12, 31))
    _differs(rows, f"Årsrapporten {year}", "saldo ved årets slutt", closing, balance)
    flows = sum((f["amount"] for f in reports.year_flows(year)), ZERO)
    _differs(
        rows, f"Årsrapporten {year}", "årets bevegelser", flows,
        ledger_net(kinds=None, occurred_on__year=year),
    )  # fmt: skip
    # The annual report shows selectors.fund_overview() with every row; its balance is the
    # overview's above (the limit only shortens the tables).
    _differs(rows, f"Årsrapporten {year}", "saldo i oversikten", ov.balance, balance)
    kmd = reports.kmd_grant_use()
    _differs(rows, "KMD-rapporten", "utbetalt til prosjekter", kmd["total_disbursed"], disbursed)
    _differs(
        rows,
        "KMD-rapporten",
        "innbetalt fra KMD",
        kmd["kmd_paid_in"],
        by_source.get(CapitalSource.KMD),
    )
    return rows


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class Check:
    name: str
    title: str
    run: Callable[[], list[str]]


CHECKS = [
    Check("fund_balance", _("Fondets saldo per kilde = sum inn − sum ut"), check_fund_balance),
    Check("commitments", _("Innbetalt ≤ kapitaltilsagn (KMD, KS)"), check_commitments),
    Check("payments", _("Innbetaling ↔ faktura ↔ postering"), check_payments),
    Check(
        "participations", _("Medlemmenes andeler: innbetalt = posteringer"), check_participations
    ),
    Check("projects", _("Prosjekter: utbetalt = posteringer ≤ innvilget ≤ søkt"), check_projects),
    Check("invoice_numbers", _("Fakturanumre uten hull per serie"), check_invoice_numbers),
    Check("kids", _("KID unik og gyldig"), check_kids),
    Check("future_dates", _("Ingen postering eller innbetaling fram i tid"), check_future_dates),
    Check("figures_shown", _("Tallene på sidene = kildene"), check_figures_shown),
]


@dataclass
class CheckOutcome:
    name: str
    title: str
    rows: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.rows


def run_checks(checks=None) -> list[CheckOutcome]:
    """Run the checks (all by default); a check that raises is a failed check naming the error."""
    out = []
    for check in checks or CHECKS:
        started = time.monotonic()
        try:
            rows = check.run()
        except Exception as exc:  # a broken check must show red, not hide the others
            rows = [f"Kontrollen feilet: {type(exc).__name__}: {exc}"]
        out.append(
            CheckOutcome(check.name, str(check.title), rows, round(time.monotonic() - started, 3))
        )
    return out


class RunRefused(Exception):
    """Another run started less than a minute ago (a double click)."""


def reconcile(*, trigger: str, actor=None) -> ReconciliationRun:
    """Run every check and store the run. A manual run is refused (RunRefused) while another
    started less than MANUAL_RUN_GAP ago: the claim is a row written under a lock, so two
    clicks that arrive together start one run."""
    with transaction.atomic():
        if trigger == ReconciliationRun.Trigger.MANUAL:
            _lock()
            since = timezone.now() - MANUAL_RUN_GAP
            if ReconciliationRun.objects.filter(started_at__gte=since).exists():
                raise RunRefused
        run = ReconciliationRun.objects.create(
            started_at=timezone.now(), trigger=trigger, run_by=actor
        )
    outcomes = run_checks()
    run.results = [
        {
            "name": o.name,
            "title": o.title,
            "ok": o.ok,
            "count": len(o.rows),
            "rows": o.rows[:ROW_LIMIT],
            "seconds": o.seconds,
        }
        for o in outcomes
    ]
    run.ok = all(o.ok for o in outcomes)
    run.finished_at = timezone.now()
    run.save(update_fields=["results", "ok", "finished_at"])
    cache.delete(BANNER_CACHE_KEY)
    if not run.ok:
        failure_notify(run=run)
    return run


def failure_notify(*, run: ReconciliationRun) -> list:
    """E-mail KS staff that a run failed (essential; once per run and user), naming the checks."""
    failed = ", ".join(str(check["title"]) for check in run.failed_checks)
    staff = User.objects.filter(
        Q(role=Role.KS_STAFF) | Q(is_superuser=True), is_active=True
    ).exclude(email="")
    return notify_users(
        kind="reconciliation_failed",
        users=staff,
        key=f"reconciliation-failed:{run.pk}",
        subject=lambda: (
            _("Avstemmingen %(date)s fant avvik")
            % {"date": date_format(timezone.localtime(run.started_at), "d.m.Y")}
        ),
        body=lambda: _("Disse kontrollene feilet: %(checks)s.") % {"checks": failed},
        path=reverse("overview:reconciliation"),
    )


def _lock() -> None:
    """Serialise manual starts (PostgreSQL: a transaction-scoped advisory lock; SQLite
    serialises writers anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [4242_0016])


def latest_failed() -> datetime.datetime | None:
    """When the latest finished run started, if it failed; else None. One query, cached until
    the next run (reconcile() clears it) or for five minutes: the red banner reads it on every
    page KS staff open."""
    value = cache.get(BANNER_CACHE_KEY)
    if value is None:
        run = (
            ReconciliationRun.objects.filter(finished_at__isnull=False)
            .order_by("-started_at", "-id")
            .values("ok", "started_at")
            .first()
        )
        value = run["started_at"] if run is not None and run["ok"] is False else ""
        cache.set(BANNER_CACHE_KEY, value, 300)
    return value or None
