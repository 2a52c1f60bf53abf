"""Celery tasks for the overview: the annual fund report as PDF (WeasyPrint) and the nightly
reconciliation."""

from celery import shared_task

from fund.models import FundReport

from .annual import annual_report_render
from .models import ReconciliationRun
from .reconciliation import reconcile


@shared_task(name="overview.tasks.render_annual_report", acks_late=True)
def render_annual_report(report_id: int) -> None:
    """Render the annual report's PDF and store it. Running it twice replaces the file with an
    identical report; a missing report id does nothing."""

    report = FundReport.objects.filter(pk=report_id).first()
    if report is None:
        return
    annual_report_render(report=report)


@shared_task(name="overview.tasks.reconcile_nightly")
def reconcile_nightly() -> int:
    """The nightly reconciliation (CELERY_BEAT_SCHEDULE). Each run is its own stored row, so a
    redelivered task only adds one more run to the history."""
    return reconcile(trigger=ReconciliationRun.Trigger.NIGHTLY).pk
