"""The recovery the fault drills rely on, in the fast suite: the batch sweep resumes a job whose
tasks were lost, and a lost database connection is not recorded as an item's failure."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from invoicing import batch
from invoicing.models import BatchItem, BatchJob, Invoice
from tests.invoicing.factories import confirmed_participation

pytestmark = pytest.mark.django_db


@pytest.fixture
def shares(monkeypatch):
    monkeypatch.setattr(
        "members.selectors.share_to_invoice", lambda *, participation: Decimal("2000.00")
    )


def _job_whose_tasks_were_lost(ks_user, *, minutes_ago=10):
    """A job as job_start makes it, but its tasks never ran (Redis lost them)."""
    for _ in range(3):
        confirmed_participation(actor=ks_user)
    kind = BatchJob.Kind.INVOICE_SHARES
    job = BatchJob.objects.create(kind=kind, started_by=ks_user)
    BatchItem.objects.bulk_create(BatchItem(job=job, object_id=t) for t in batch.job_targets(kind))
    BatchJob.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    return job


def test_the_sweep_resumes_a_stalled_job_once(shares, ks_user):
    job = _job_whose_tasks_were_lost(ks_user)
    assert batch.jobs_sweep(stale_seconds=120) == [job.pk]
    assert job.items.filter(status=BatchItem.Status.DONE).count() == 3
    assert Invoice.objects.count() == 3
    job.refresh_from_db()
    assert job.finished_at is not None
    assert batch.jobs_sweep(stale_seconds=120) == []  # finished: nothing more to do
    assert Invoice.objects.count() == 3


def test_the_sweep_leaves_a_job_that_is_moving_or_new(shares, ks_user):
    job = _job_whose_tasks_were_lost(ks_user)
    item = job.items.first()
    BatchItem.objects.filter(pk=item.pk).update(status="done", finished_at=timezone.now())
    assert batch.jobs_sweep(stale_seconds=120) == []  # an item finished a moment ago
    BatchJob.objects.filter(pk=job.pk).update(started_at=timezone.now())
    BatchItem.objects.filter(pk=item.pk).update(finished_at=None)
    assert batch.jobs_sweep(stale_seconds=120) == []  # just started
    assert job.items.filter(status=BatchItem.Status.PENDING).count() == 2


def test_the_sweep_leaves_failed_items_to_a_person(shares, ks_user):
    job = _job_whose_tasks_were_lost(ks_user)
    job.items.update(status=BatchItem.Status.FAILED, error="ValueError: ugyldig adresse")
    assert batch.jobs_sweep(stale_seconds=120) == []
    assert Invoice.objects.count() == 0


def test_a_lost_database_connection_is_not_the_items_failure(shares, ks_user, monkeypatch):
    job = _job_whose_tasks_were_lost(ks_user)
    item = job.items.first()

    def server_restarting(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(batch, "_work", server_restarting)
    with pytest.raises(OperationalError):  # the task retries it (tasks.RETRY)
        batch.item_run(item_id=item.pk)
    item.refresh_from_db()
    assert item.status == BatchItem.Status.PENDING and item.error == ""

    def broken(*args, **kwargs):
        raise ValueError("ugyldig adresse")

    monkeypatch.setattr(batch, "_work", broken)
    batch.item_run(item_id=item.pk)  # the item's own trouble is recorded, as before
    item.refresh_from_db()
    assert item.status == BatchItem.Status.FAILED
    assert "ugyldig adresse" in item.error


def test_the_batch_tasks_retry_database_connection_errors():
    from invoicing import tasks

    for task in (tasks.batch_item_run, tasks.batch_items_deliver, tasks.batch_resume):
        assert OperationalError in task.autoretry_for
        assert task.acks_late
    assert "invoicing-sweep-batches" in settings.CELERY_BEAT_SCHEDULE
