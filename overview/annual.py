"""The annual fund report: the year's flows, projects, solutions, recovery and the forecast."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from fund.models import ForecastScenario, FundReport
from fund.selectors import fund_balance
from invoicing.pdf import html_to_pdf

from . import reports, selectors


def annual_report_context(*, year: int) -> dict:
    end = datetime.date(year, 12, 31)
    start = datetime.date(year, 1, 1)
    scenario = ForecastScenario.objects.order_by("name").first()
    forecast = selectors.scenario_forecast(scenario=scenario) if scenario else None
    return {
        "year": year,
        "opening": fund_balance(until=start - datetime.timedelta(days=1)),
        "closing": fund_balance(until=end),
        "flows": reports.year_flows(year),
        "overview": selectors.fund_overview(),
        "solutions": selectors.public_solutions(),
        "kmd": reports.kmd_grant_use(until=end),
        "scenario": scenario,
        "forecast": forecast,
        "generated": timezone.localdate(),
    }


@transaction.atomic
def annual_report_render(*, report: FundReport) -> FundReport:
    """Render and store the PDF (replacing an earlier rendering of the same year); rendered by
    invoicing's PDF module, which renders every letter and document."""
    report = FundReport.objects.select_for_update().get(pk=report.pk)
    html = render_to_string(
        "overview/pdf/annual_report.html", annual_report_context(year=report.year)
    )
    pdf = html_to_pdf(html)
    if report.pdf:
        report.pdf.delete(save=False)
    report.pdf.save(f"digifin-arsrapport-{report.year}.pdf", ContentFile(pdf), save=False)
    report.rendered_at = timezone.now()
    report.save(update_fields=["pdf", "rendered_at"])
    return report
