"""Writes for the overview: forecast scenarios and report orders. Every write takes the actor."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from fund.models import ForecastScenario, FundReport

from .tasks import render_annual_report


def _clean(rows: list[dict]) -> list[dict]:
    """JSON-safe assumptions: Decimals as strings, never floats."""
    return [{k: str(v) if isinstance(v, Decimal) else v for k, v in row.items()} for row in rows]


@transaction.atomic
def scenario_save(
    *,
    scenario: ForecastScenario | None = None,
    name: str,
    description: str = "",
    years: int,
    grant_quarters: int,
    other_inflow_per_quarter: Decimal,
    pipeline: list[dict],
    solutions: list[dict],
    actor,
) -> ForecastScenario:
    """Create or update a named scenario."""
    if scenario is None:
        scenario = ForecastScenario(created_by=actor)
    scenario.name = name
    scenario.description = description
    scenario.years = years
    scenario.grant_quarters = grant_quarters
    scenario.other_inflow_per_quarter = other_inflow_per_quarter
    scenario.assumptions = {"pipeline": _clean(pipeline), "solutions": _clean(solutions)}
    scenario.updated_by = actor
    scenario.full_clean()
    scenario.save()
    return scenario


@transaction.atomic
def scenario_delete(*, scenario: ForecastScenario, actor) -> None:
    scenario.delete()


@transaction.atomic
def annual_report_order(*, year: int, actor) -> FundReport:
    """Order (or re-order) the annual report for `year`; the PDF is rendered after commit."""

    report, _created = FundReport.objects.get_or_create(year=year, defaults={"requested_by": actor})
    render_annual_report.delay_on_commit(report.pk)
    return report
