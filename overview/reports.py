"""Exports (CSV, XLSX), the KMD grant-use report and PDF rendering for the overview.

CSV and XLSX are written by `core.exports` (`;`, UTF-8 with BOM, formula-safe text; amounts as
plain decimals with a point, `555700.00`, and as numbers in XLSX): machine-readable, formatted
only on the pages. PDFs are rendered by invoicing's PDF module, like every letter."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Min
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core import exports
from fund.models import CapitalSource, LedgerEntry
from fund.selectors import disbursed_by_project, ledger_net_by
from invoicing.pdf import html_to_pdf

from . import selectors

ZERO = Decimal("0.00")
ORE = Decimal("0.01")


def _cell(value):
    if isinstance(value, Decimal) and value.as_tuple().exponent > -2:
        # Aggregates come back without their scale on SQLite: amounts always with øre.
        return value.quantize(ORE)
    return value


def _rows(rows: list[list]):
    return ([_cell(v) for v in row] for row in rows)


def csv_response(filename: str, headers: list[str], rows: list[list]) -> HttpResponse:
    return exports.csv_response(filename, headers, _rows(rows))


def xlsx_bytes(title: str, headers: list[str], rows: list[list]) -> bytes:
    return exports.xlsx_bytes(headers, _rows(rows), title=title)


def xlsx_response(filename: str, title: str, headers: list[str], rows: list[list]):
    return exports.xlsx_response(filename, headers, _rows(rows), title=title)


def table_response(fmt: str, name: str, title: str, headers: list[str], rows: list[list]):
    if fmt == "xlsx":
        return xlsx_response(f"{name}.xlsx", title, headers, rows)
    return csv_response(f"{name}.csv", headers, rows)


def render_pdf(template: str, context: dict) -> bytes:
    return html_to_pdf(render_to_string(template, context))


# --------------------------------------------------------------------------- tables


def overview_tables() -> dict[str, tuple[str, list[str], list[list]]]:
    """The lists on the overview page, as (title, headers, rows) for export."""
    ov = selectors.fund_overview()
    return {
        "kapital": (
            _("Kapital etter kilde"),
            [_("kilde"), _("tilsagn"), _("innbetalt")],
            [[s.label, s.committed, s.paid] for s in ov.capital],
        ),
        "fylker": (
            _("Deltakelse per fylke"),
            [_("fylke"), _("kommuner"), _("deltakere"), _("betalt"), _("andel")],
            [
                [r["fylke"], r["kommuner"], r["participating"], r["paid"], r["share"]]
                for r in ov.by_fylke
            ],
        ),
        "prosjekter": (
            _("Tilbakeføring per prosjekt"),
            [_("prosjekt"), _("utviklingskostnad"), _("utbetalt"), _("tilbakeført"), _("andel")],
            [
                [r["name"], r["development_cost"], r["disbursed"], r["recovered"], r["share"]]
                for r in ov.recovery
            ],
        ),
        "tidslinje": (
            _("Kapital over tid"),
            [_("år"), _("inn"), _("ut"), _("tilbake"), _("kapital")],
            [[y["year"], y["in"], y["out"], y["back"], y["capital"]] for y in ov.timeline["years"]],
        ),
    }


def kmd_grant_use(*, until: datetime.date | None = None) -> dict:
    """Use of KMD's grant: development costs paid per project (the fund pays nothing else),
    and KMD's pro-rata part of each.

    Money in the fund is not earmarked, so KMD's part is the disbursement times KMD's share of
    the capital paid in by KMD, KS and members up to `until`, rounded half up to øre
    (docs/decisions/overview-kmd-report.md)."""
    until = until or datetime.date.today()
    paid_in = ledger_net_by(
        "source", kinds=None, source__in=selectors.CONTRIBUTOR_SOURCES, occurred_on__lte=until
    )
    total_in = sum(paid_in.values(), ZERO)
    kmd_in = paid_in.get(CapitalSource.KMD, ZERO)
    share = (kmd_in / total_in) if total_in else ZERO
    disbursed_by = disbursed_by_project(until=until)
    # When each project was paid (first and last disbursement or reversal): dates, not sums.
    dates = {
        r["project_ref"]: r
        for r in LedgerEntry.objects.net_of(LedgerEntry.Kind.DISBURSEMENT)
        .filter(occurred_on__lte=until)
        .order_by()
        .values("project_ref")
        .annotate(first=Min("occurred_on"), last=Max("occurred_on"))
    }
    names = selectors.project_names([ref for ref in disbursed_by if ref])
    projects = []
    # By project id; disbursements without a project last (as PostgreSQL orders NULL).
    for ref in sorted(disbursed_by, key=lambda ref: (ref is None, ref or 0)):
        disbursed = disbursed_by[ref]
        r = dates[ref]
        projects.append(
            {
                "project_ref": ref,
                "name": names.get(ref, {}).get("name")
                or (f"Prosjekt {ref}" if ref else "Uten prosjekt"),
                "disbursed": disbursed,
                "kmd_part": (disbursed * share).quantize(ORE, rounding=ROUND_HALF_UP),
                "first": r["first"],
                "last": r["last"],
            }
        )
    return {
        "until": until,
        "kmd_paid_in": kmd_in,
        "total_paid_in": total_in,
        "kmd_share": share.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
        "projects": projects,
        "total_disbursed": sum((p["disbursed"] for p in projects), ZERO),
        "total_kmd_part": sum((p["kmd_part"] for p in projects), ZERO),
    }


KMD_HEADERS = [
    "prosjekt",
    "utviklingskostnad_utbetalt",
    "kmd_andel",
    "forste_utbetaling",
    "siste_utbetaling",
]


def kmd_rows(report: dict) -> list[list]:
    return [
        [p["name"], p["disbursed"], p["kmd_part"], p["first"], p["last"]]
        for p in report["projects"]
    ]


def year_flows(year: int) -> list[dict]:
    """The year's net flows by kind (reversals counted against the kind they reverse)."""
    kind = dict(LedgerEntry.Kind.choices)
    totals = ledger_net_by("kind", kinds=None, occurred_on__year=year)
    return [{"kind": str(kind[k]), "amount": v} for k, v in sorted(totals.items()) if v]
