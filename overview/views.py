"""Views for the fund overview, the forecast, reports and the public transparency page.

Thin: check the role, call a selector or a service, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import ProtectedError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import council_or_staff_required, ks_staff_required
from fund.models import ForecastScenario, FundReport
from fund.selectors import matching_condition
from members.models import Participation

from . import benefits as benefit_figures
from . import reconciliation as recon
from . import reports, selectors, services
from .forms import (
    PipelineFormSet,
    ScenarioForm,
    SolutionFormSet,
    initial_solutions,
    rows_from_formset,
)
from .models import ReconciliationRun

EXPORT_FORMATS = ("csv", "xlsx")


def _num(value):
    """A chart value: plots are pictures of the money, so a float is fine here (never stored)."""
    return float(value) if value is not None else None


def _chart_data(ov) -> dict:
    years = ov.timeline["years"]
    return {
        "years": [y["year"] for y in years],
        "bySource": {
            str(s.label): [_num(y["cumulative"][s.source]) for y in years] for s in ov.sources
        },
        "flows": {
            "in": [_num(y["in"]) for y in years],
            "out": [_num(y["out"]) for y in years],
            "back": [_num(y["back"]) for y in years],
            "capital": [_num(y["capital"]) for y in years],
        },
        "recovery": {
            "labels": [r["name"] for r in ov.recovery],
            "cost": [_num(r["development_cost"]) for r in ov.recovery],
            "recovered": [_num(r["recovered"]) for r in ov.recovery],
        },
        "fylker": {
            "labels": [r["fylke"] for r in ov.by_fylke],
            "participating": [r["participating"] for r in ov.by_fylke],
            "others": [r["kommuner"] - r["participating"] for r in ov.by_fylke],
        },
        # The charts' legends, in the user's language (overview-charts.js draws them).
        "names": {
            "in": capfirst(_("inn")),
            "out": capfirst(_("ut")),
            "back": _("Tilbake"),
            "capital": _("Kapital"),
            "cost": _("Utviklingskostnad"),
            "recovered": _("Tilbakeført"),
            "participating": _("Deltar"),
            "others": _("Deltar ikke"),
        },
    }


@council_or_staff_required
def fund_overview(request):
    ov = selectors.fund_overview(limit=selectors.TABLE_LIMIT)
    return render(
        request,
        "overview/fund_overview.html",
        {"ov": ov, "chart_data": _chart_data(ov), "can_export": True},
    )


@council_or_staff_required
def overview_export(request, table: str, fmt: str):
    tables = reports.overview_tables()
    if table not in tables or fmt not in EXPORT_FORMATS:
        raise Http404
    title, headers, rows = tables[table]
    return reports.table_response(fmt, f"digifin-{table}", title, headers, rows)


@council_or_staff_required
def benefits(request):
    """Gevinster og utbredelse (issue 18 §5): a plot and a table of the same numbers per project,
    a page of projects at a time (the export has every project)."""
    page = Paginator(benefit_figures.benefit_projects(), benefit_figures.PAGE_SIZE).get_page(
        request.GET.get("side")
    )
    entries = benefit_figures.benefits_and_adoption(projects=page.object_list)
    return render(
        request,
        "overview/benefits.html",
        {"entries": entries, "page": page, "chart_data": benefit_figures.chart_data(entries)},
    )


@council_or_staff_required
def benefits_export(request, fmt: str):
    if fmt not in EXPORT_FORMATS:
        raise Http404
    title, headers, rows = benefit_figures.export_table(benefit_figures.benefits_and_adoption())
    return reports.table_response(fmt, "digifin-gevinster-og-utbredelse", title, headers, rows)


# --------------------------------------------------------------------------- reports


@ks_staff_required
def report_list(request):
    if request.method == "POST":
        try:
            year = int(request.POST.get("year", ""))
        except ValueError:
            year = 0
        if not 2017 <= year <= datetime.date.today().year:
            messages.error(request, _("Velg et år fra 2017 til i år."))
        else:
            services.annual_report_order(year=year, actor=request.user)
            messages.success(request, _("Årsrapporten for %(year)s lages.") % {"year": year})
        return redirect("overview:reports")
    this_year = datetime.date.today().year
    return render(
        request,
        "overview/reports.html",
        {
            "reports": FundReport.objects.all(),
            "years": list(range(this_year, 2016, -1)),
            "kmd": reports.kmd_grant_use(),
            "matching": matching_condition(),
        },
    )


@ks_staff_required
def annual_report_pdf(request, year: int):
    report = get_object_or_404(FundReport, year=year)
    if not report.pdf:
        raise Http404
    return FileResponse(
        report.pdf.open("rb"), as_attachment=True, filename=f"digifin-arsrapport-{year}.pdf"
    )


@ks_staff_required
def kmd_report(request, fmt: str):
    data = reports.kmd_grant_use()
    if fmt == "pdf":
        pdf = reports.render_pdf(
            "overview/pdf/kmd_report.html", {"kmd": data, "matching": matching_condition()}
        )
        response = FileResponse(iter([pdf]), content_type="application/pdf", as_attachment=True)
        response["Content-Disposition"] = 'attachment; filename="digifin-kmd-midler.pdf"'
        return response
    if fmt not in EXPORT_FORMATS:
        raise Http404
    return reports.table_response(
        fmt,
        "digifin-kmd-midler",
        _("Bruk av KMDs midler"),
        reports.KMD_HEADERS,
        reports.kmd_rows(data),
    )


# --------------------------------------------------------------------------- reconciliation

RECONCILIATION_RUNS_SHOWN = 20


@ks_staff_required
def reconciliation(request):
    """The last runs of the reconciliation, each check with its rows; POST starts a run now
    (refused while one started less than a minute ago: a double click runs once)."""
    if request.method == "POST":
        try:
            run = recon.reconcile(trigger=ReconciliationRun.Trigger.MANUAL, actor=request.user)
        except recon.RunRefused:
            messages.warning(
                request, _("En avstemming ble startet for under ett minutt siden. Vent litt.")
            )
        else:
            if run.ok:
                messages.success(request, _("Avstemmingen er i orden."))
            else:
                messages.error(request, _("Avstemmingen fant avvik. Se radene under."))
        return redirect("overview:reconciliation")
    titles = {c.name: c.title for c in recon.CHECKS}
    runs = list(ReconciliationRun.objects.select_related("run_by")[:RECONCILIATION_RUNS_SHOWN])
    for run in runs:
        for result in run.results:
            result["label"] = titles.get(result["name"], result.get("title", result["name"]))
    return render(
        request,
        "overview/reconciliation.html",
        {"runs": runs, "latest": runs[0] if runs else None},
    )


# --------------------------------------------------------------------------- forecast


@ks_staff_required
def scenario_list(request):
    scenarios = list(ForecastScenario.objects.all())
    return render(request, "overview/scenario_list.html", {"scenarios": scenarios})


def _scenario_form(request, scenario: ForecastScenario | None):
    if scenario is not None:
        data = scenario.assumptions or {}
        pipeline_initial = data.get("pipeline", [])
        solution_initial = initial_solutions(data.get("solutions", []))
    else:
        pipeline_initial = selectors.pipeline_defaults()
        solution_initial = initial_solutions(selectors.solution_defaults())
    if request.method == "POST":
        form = ScenarioForm(request.POST, instance=scenario)
        pipeline = PipelineFormSet(request.POST, prefix="pipeline", initial=pipeline_initial)
        solutions = SolutionFormSet(request.POST, prefix="solutions", initial=solution_initial)
        if form.is_valid() and pipeline.is_valid() and solutions.is_valid():
            try:
                saved = services.scenario_save(
                    scenario=scenario,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    years=form.cleaned_data["years"],
                    grant_quarters=form.cleaned_data["grant_quarters"],
                    other_inflow_per_quarter=form.cleaned_data["other_inflow_per_quarter"],
                    pipeline=rows_from_formset(pipeline),
                    solutions=rows_from_formset(solutions),
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Scenarioet er lagret."))
                return redirect("overview:scenario_detail", pk=saved.pk)
    else:
        form = ScenarioForm(instance=scenario)
        pipeline = PipelineFormSet(prefix="pipeline", initial=pipeline_initial)
        solutions = SolutionFormSet(prefix="solutions", initial=solution_initial)
    return render(
        request,
        "overview/scenario_form.html",
        {"form": form, "pipeline": pipeline, "solutions": solutions, "scenario": scenario},
    )


@ks_staff_required
def scenario_create(request):
    return _scenario_form(request, None)


@ks_staff_required
def scenario_edit(request, pk: int):
    return _scenario_form(request, get_object_or_404(ForecastScenario, pk=pk))


@ks_staff_required
@require_POST
def scenario_delete(request, pk: int):
    scenario = get_object_or_404(ForecastScenario, pk=pk)
    try:
        services.scenario_delete(scenario=scenario, actor=request.user)
    except ProtectedError:
        messages.error(request, _("Scenarioet kan ikke slettes."))
    else:
        messages.success(request, _("Scenarioet er slettet."))
    return redirect("overview:scenario_list")


def _forecast_chart(results: list[tuple[str, object]]) -> dict:
    first = results[0][1]
    return {
        "labels": [r.quarter.label for r in first.rows],
        "series": [
            {
                "label": name,
                "closing": [_num(r.closing) for r in result.rows],
                "available": [_num(r.available) for r in result.rows],
            }
            for name, result in results
        ],
        "names": {"capital": _("kapital"), "available": _("disponibelt")},
    }


@ks_staff_required
def scenario_detail(request, pk: int):
    scenario = get_object_or_404(ForecastScenario, pk=pk)
    result = selectors.scenario_forecast(scenario=scenario)
    return render(
        request,
        "overview/scenario_detail.html",
        {
            "scenario": scenario,
            "result": result,
            "chart_data": _forecast_chart([(scenario.name, result)]),
        },
    )


FORECAST_HEADERS = [
    "kvartal",
    "inngaende",
    "tilknytningskostnader",
    "andre_innbetalinger",
    "innvilget_utbetalt",
    "portefolje_utbetalt",
    "kapital",
    "bundet",
    "disponibelt",
]


def _forecast_rows(result) -> list[list]:
    return [
        [
            r.quarter.label,
            r.opening,
            r.access_fees,
            r.other_inflow,
            r.grants_paid,
            r.pipeline_paid,
            r.closing,
            r.committed_after,
            r.available,
        ]
        for r in result.rows
    ]


@ks_staff_required
def scenario_export(request, pk: int, fmt: str):
    scenario = get_object_or_404(ForecastScenario, pk=pk)
    if fmt not in EXPORT_FORMATS:
        raise Http404
    result = selectors.scenario_forecast(scenario=scenario)
    return reports.table_response(
        fmt,
        f"digifin-prognose-{scenario.pk}",
        _("Prognose"),
        FORECAST_HEADERS,
        _forecast_rows(result),
    )


def _compared(request):
    ids = [int(i) for i in request.GET.getlist("s") if i.isdigit()][:4]
    scenarios = list(ForecastScenario.objects.filter(pk__in=ids).order_by("name"))
    return [(s, selectors.scenario_forecast(scenario=s)) for s in scenarios]


@ks_staff_required
def scenario_compare(request):
    compared = _compared(request)
    context = {"scenarios": ForecastScenario.objects.all(), "compared": compared}
    if compared:
        horizon = min(len(r.rows) for _s, r in compared)
        context["quarters"] = [
            {
                "quarter": compared[0][1].rows[i].quarter,
                "cells": [(r.rows[i].closing, r.rows[i].available) for _s, r in compared],
            }
            for i in range(horizon)
        ]
        context["chart_data"] = _forecast_chart([(s.name, r) for s, r in compared])
        context["selected"] = [s.pk for s, _r in compared]
        context["query"] = "&".join(f"s={s.pk}" for s, _r in compared)
    return render(request, "overview/scenario_compare.html", context)


@ks_staff_required
def scenario_compare_export(request, fmt: str):
    compared = _compared(request)
    if fmt not in EXPORT_FORMATS or not compared:
        raise Http404
    horizon = min(len(r.rows) for _s, r in compared)
    headers = ["kvartal"]
    for s, _r in compared:
        headers += [
            _("%(scenario)s: kapital") % {"scenario": s.name},
            _("%(scenario)s: disponibelt") % {"scenario": s.name},
        ]
    rows = []
    for i in range(horizon):
        row = [compared[0][1].rows[i].quarter.label]
        for _s, r in compared:
            row += [r.rows[i].closing, r.rows[i].available]
        rows.append(row)
    return reports.table_response(fmt, "digifin-prognoser", _("Sammenligning"), headers, rows)


# --------------------------------------------------------------------------- public


def _predecessors_text(row: dict) -> str:
    """`0501 Lillehammer: 555700.00 | 1850 Tysfjord (0.5235): 12000.00` for the CSV: each
    predecessor, the part of it the member received when not all of it, what it paid."""
    parts = []
    for p in row.get("predecessors", []):
        part = "" if p["part"] == 1 else f" ({p['part']:.4f})"
        parts.append(f"{p['number']} {p['name']}{part}: {p['paid']}")
    return " | ".join(parts)


def _capital_rows(capital) -> list[dict]:
    return [{"source": str(s.label), "committed": s.committed, "paid": s.paid} for s in capital]


def _public_data() -> dict:
    version = selectors.ledger_version()
    return {
        "participants": selectors.public_participants(version=version),
        "projects": selectors.public_projects(version=version),
        "solutions": selectors.public_solutions(version=version),
        "capital": _capital_rows(selectors.capital_by_source(version=version)),
    }


def public_page(request):
    """The participants of today's structure in full (with what their predecessors paid);
    the fund's capital by source (the same selector as the fund overview); of the projects
    and solutions the latest TABLE_LIMIT, with their counts and the CSV/JSON that have them
    all."""
    version = selectors.ledger_version()
    limit = selectors.TABLE_LIMIT
    participants_key = selectors.participants_key(version=version)
    participants = selectors.public_participants(version=version, key=participants_key)
    capital = selectors.capital_by_source(version=version)
    paid_label = str(Participation.Status.PAID.label)
    context = {
        "participants": participants,
        # The rendered participant rows are kept under the list's key (the template's cache tag).
        "participants_key": participants_key,
        "capital": capital,
        "capital_total": sum((s.paid for s in capital), selectors.ZERO),
        # the one matching rule, from the capital figures the page already has
        "matching": matching_condition(
            paid={s.source: s.paid for s in capital},
            kmd_committed=next((s.committed for s in capital if s.source == "kmd"), None),
        ),
        "projects": selectors.public_projects(limit=limit, version=version),
        "solutions": selectors.public_solutions(limit=limit, version=version),
        "counts": selectors.public_counts(),
        "summary": {
            "count": len(participants),
            "paid": sum(1 for p in participants if p["status"] == paid_label),
        },
    }
    return render(request, "overview/public.html", context)


PUBLIC_TABLES = {
    "deltakere": (
        "participants",
        ["nummer", "navn", "type", "status", "vedtatt", "andel", "innbetalt", "forgjengere"],
        ["number", "name", "kind", "status", "decided_on", "share", "paid", _predecessors_text],
    ),
    "kapital": (
        "capital",
        ["kilde", "tilsagn", "innbetalt"],
        ["source", "committed", "paid"],
    ),
    "prosjekter": (
        "projects",
        ["prosjekt", "status", "innvilget", "utbetalt", "tilbakefort"],
        ["name", "status", "granted", "disbursed", "recovered"],
    ),
    "losninger": (
        "solutions",
        ["losning", "tilgjengelig_fra", "tilknytningskostnad", "tilbakefort"],
        ["name", "available_on", "access_fee", "recovered"],
    ),
}


def _cell(row: dict, field):
    return field(row) if callable(field) else row.get(field)


def public_csv(request, table: str):
    if table not in PUBLIC_TABLES:
        raise Http404
    key, headers, fields = PUBLIC_TABLES[table]
    rows = _public_data()[key] or []
    return reports.csv_response(
        f"digifin-{table}.csv", headers, [[_cell(row, f) for f in fields] for row in rows]
    )


def public_json(request):
    data = _public_data()
    payload = {
        "generated": datetime.date.today().isoformat(),
        "participants": data["participants"],
        "projects": data["projects"],
        "solutions": data["solutions"] or [],
        "capital": data["capital"],
    }
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False, "indent": 1})
