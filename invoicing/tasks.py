"""Celery tasks: thin, take ids, idempotent (safe to run twice or after a killed worker)."""

import logging
from decimal import Decimal

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings

from . import batch, pdf, services
from .models import Invoice

logger = logging.getLogger(__name__)

# A task that meets a lost database connection (PostgreSQL restarting) is retried with backoff
# instead of failing for good; its work is idempotent. Should the retry itself be lost (Redis
# down too), the batch sweep re-enqueues what is still pending.
RETRY = {
    "acks_late": True,
    "autoretry_for": batch.TRANSIENT_ERRORS,
    "retry_backoff": 1,
    "retry_backoff_max": 30,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**RETRY)
def invoice_deliver(invoice_id: int) -> None:
    """Render the PDF and EHF (if missing), keep them on the member, and e-mail them once."""
    invoice = Invoice.objects.select_related("buyer", "credits", "created_by").get(pk=invoice_id)
    services.invoice_deliver(invoice=invoice)


@shared_task(**RETRY)
def batch_item_run(item_id: int, share: str | None = None) -> None:
    """One batch item; `share` (a decimal string) is the member's share computed when the job
    was enqueued, for share invoices."""
    batch.item_run(item_id=item_id, share=Decimal(share) if share else None)


@shared_task(**RETRY)
def batch_items_deliver(item_ids: list[int]) -> None:
    """Several share items whose invoices the job has issued: files, documents and e-mails."""
    batch.items_deliver(item_ids=item_ids)


@shared_task(**RETRY)
def batch_resume(job_id: int) -> int:
    """Enqueue every item of a job that is not done (rerun after a crash)."""
    return batch.job_enqueue_pending(job_id=job_id)


@shared_task
def batch_sweep() -> list[int]:
    """Celery beat, every minute: resume the jobs whose tasks were lost (batch.jobs_sweep)."""
    return batch.jobs_sweep(stale_seconds=settings.DIGIFIN_BATCH_STALE_SECONDS)


@shared_task
def reminders_generate() -> int:
    """Celery beat, daily: start a reminder batch for overdue invoices (at most one reminder per
    invoice and interval; see services.reminder_create)."""
    job = batch.job_start(kind="reminders", actor=None)
    return job.pk if job else 0


@worker_process_init.connect
def _renderer_warm_up(**kwargs) -> None:
    """Every worker process loads WeasyPrint and the letters' font when it starts, not in the
    first document it renders (docs/bench.md, "Invoice batch"). A failure here is logged and
    left to the first document, which reports it on its batch item."""
    try:
        pdf.warm_up()
    except Exception:  # noqa: BLE001 - the worker must start; the render fails where it is seen
        logger.exception("WeasyPrint warm-up failed")
