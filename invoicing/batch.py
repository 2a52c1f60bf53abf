"""Batch jobs (one item per member or invoice), run by Celery. Share invoices are issued in
bulk when the job is enqueued and delivered a few items per task; letters and reminders run
item by item.

Idempotency: each item's work is idempotent on a natural key (share invoice "share:<p id>",
letter "invitation:<member id>", reminder (invoice, sequence)) under a row lock (the item, or
the invoices being delivered), so a redelivered or re-enqueued task never duplicates an
invoice, a number or an e-mail. A job killed halfway is completed by `job_enqueue_pending`
(the "Fortsett" button)."""

import datetime
import io
import zipfile
from decimal import Decimal

from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from core.tasking import enqueue_on_commit

from . import handlers, services
from .models import BatchItem, BatchJob, Document, Invoice


def job_targets(kind: str) -> list[int]:
    """The ids the job's items work on: overdue invoices for reminders; members, asked of the
    source registered for the kind (handlers.register_batch), for the others."""
    if kind == BatchJob.Kind.REMINDERS:
        today = timezone.localdate()
        return [
            invoice.pk
            for invoice in Invoice.objects.filter(
                document_type=Invoice.DocumentType.INVOICE,
                status__in=[Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID],
                due_on__lt=today,
            ).prefetch_related("reminders")
            if services.reminder_due(invoice=invoice, on=today)
        ]
    return handlers.batch_source(kind).targets()


@transaction.atomic
def job_start(*, kind: str, actor) -> BatchJob | None:
    """Create the job with one item per target; after commit a worker issues what it can in
    bulk and enqueues the items (tasks.batch_resume → job_enqueue_pending), so the request that
    starts a job of 430 members returns at once. If the broker is down the job waits, logged,
    for "Fortsett". None when there is nothing to do."""
    # Imported here: the tasks module imports this one (a real cycle).
    from .tasks import batch_resume

    targets = job_targets(kind)
    if not targets:
        return None
    job = BatchJob.objects.create(kind=kind, started_by=actor)
    BatchItem.objects.bulk_create(BatchItem(job=job, object_id=t) for t in targets)
    enqueue_on_commit(batch_resume, job.pk)
    return job


# A lost database connection (PostgreSQL restarting) is not the item's failure: it propagates,
# the task is retried (tasks.py) or the sweep re-enqueues the item, and nothing was committed.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)

# Share invoices are issued this many at a time (one transaction each), and each chunk's items
# are enqueued as soon as it commits, so the workers render while the next chunk is issued.
ISSUE_CHUNK = 50
# Issued share invoices are delivered this many per task (services.invoices_deliver): the same
# dozen queries serve them all, and a task stays short enough to spread evenly over the workers.
DELIVER_CHUNK = 5
# The first chunk is small, so that the workers start rendering while the rest is issued.
FIRST_ISSUE_CHUNK = 2 * DELIVER_CHUNK


def _issue_chunks(items: list) -> list[list]:
    """`items` in issue chunks: FIRST_ISSUE_CHUNK, then ISSUE_CHUNK at a time."""
    head, rest = items[:FIRST_ISSUE_CHUNK], items[FIRST_ISSUE_CHUNK:]
    return [
        c
        for c in [head] + [rest[i : i + ISSUE_CHUNK] for i in range(0, len(rest), ISSUE_CHUNK)]
        if c
    ]


def job_enqueue_pending(*, job_id: int, only_pending: bool = False) -> int:
    """Enqueue every item of the job that is not done (`only_pending`: not failed either).
    For share invoices, first issue the invoices of the items that have none, in bulk (the
    registered source's issue_many), chunk by chunk: the items then only render and deliver.
    An item the bulk issue leaves out issues its own invoice, or records why it cannot."""
    # Imported here: the tasks module imports this one (a real cycle).
    from .tasks import batch_item_run, batch_items_deliver

    statuses = [BatchItem.Status.PENDING] if only_pending else None
    items = list(
        BatchItem.objects.filter(job_id=job_id)
        .exclude(status=BatchItem.Status.DONE)
        .filter(**({"status__in": statuses} if statuses else {}))
        .select_related("job__started_by")
        .only("pk", "object_id", "invoice_id", "job__kind", "job__started_by")
        .order_by("pk")
    )
    shares = _shares(items)
    for chunk in _issue_chunks(items):
        if shares:
            _issue_shares(chunk, shares)
        issued = [
            i.pk for i in chunk if i.invoice_id and i.job.kind == BatchJob.Kind.INVOICE_SHARES
        ]
        for at in range(0, len(issued), DELIVER_CHUNK):
            batch_items_deliver.delay(issued[at : at + DELIVER_CHUNK])
        for item in chunk:
            if item.pk not in issued:
                share = shares.get(item.object_id)
                batch_item_run.delay(item.pk, str(share) if share is not None else None)
    return len(items)


def jobs_sweep(*, stale_seconds: int) -> list[int]:
    """Re-enqueue the pending items of every unfinished job that has made no progress for
    `stale_seconds` (Celery beat, every minute: the job's items are its outbox). Tasks are lost
    when Redis loses its queues (stopped without persistence, or restored from an older
    snapshot), when a publish fails while the broker is down, or when a task fails on a
    database that is restarting; the job then waits no longer than this for a human to press
    "Fortsett". Failed items are left to the human (their error is shown); a redelivered item
    that is already done does nothing (item_run, items_deliver), so a sweep of a slow but live
    job costs only the look-up. Returns the ids of the jobs resumed."""
    cutoff = timezone.now() - datetime.timedelta(seconds=stale_seconds)
    recent = BatchItem.objects.filter(job=OuterRef("pk"), finished_at__gte=cutoff)
    pending = BatchItem.objects.filter(job=OuterRef("pk"), status=BatchItem.Status.PENDING)
    stale = (
        BatchJob.objects.filter(finished_at__isnull=True, started_at__lt=cutoff)
        .filter(Exists(pending))
        .exclude(Exists(recent))
        .values_list("pk", flat=True)
    )
    resumed = []
    for job_id in stale:
        job_enqueue_pending(job_id=job_id, only_pending=True)
        resumed.append(job_id)
    return resumed


def _shares(items: list[BatchItem]) -> dict[int, Decimal]:
    """Object id → amount to invoice, for the share items, computed for all of them at once by
    the registered source (a few queries instead of a book of predecessors per item). Computed
    when the items are enqueued, so a resumed job uses the shares of that day; an item whose
    share is zero or missing computes it itself."""
    object_ids = [i.object_id for i in items if i.job.kind == BatchJob.Kind.INVOICE_SHARES]
    if not object_ids:
        return {}
    return handlers.batch_source(BatchJob.Kind.INVOICE_SHARES).prepare(object_ids)


@transaction.atomic
def _issue_shares(items: list[BatchItem], shares: dict[int, Decimal]) -> None:
    """Issue the share invoices of the items without one, in one go, and note them on the
    items. An item whose member is refused is left without: it runs on its own (item_run) and
    records why."""
    todo = [i for i in items if i.invoice_id is None and i.object_id in shares]
    if not todo:
        return
    issued = handlers.batch_source(BatchJob.Kind.INVOICE_SHARES).issue_many(
        {i.object_id: shares[i.object_id] for i in todo},
        issued_on=timezone.localdate(),
        actor=todo[0].job.started_by,
    )
    noted = []
    for item in todo:
        invoice = issued.get(item.object_id)
        if invoice is not None:
            item.invoice = invoice
            noted.append(item)
    BatchItem.objects.bulk_update(noted, ["invoice"])


def item_run(*, item_id: int, share: Decimal | None = None) -> None:
    """Do one item's work, then deliver it (files, document, e-mail), then mark it done.
    Safe to run twice, concurrently, or after a crash at any point: the work is idempotent on
    its natural key, and delivery claims each e-mail once (services.invoices_deliver,
    mail.send_once). `share` is the member's share computed when the job was enqueued (share
    invoices only). A share item whose invoice the job already issued only delivers it."""
    item = BatchItem.objects.select_related(
        "job__started_by", "invoice__buyer", "invoice__created_by"
    ).get(pk=item_id)
    if item.status == BatchItem.Status.DONE:
        return
    item.attempts += 1
    if not (item.invoice_id and item.job.kind == BatchJob.Kind.INVOICE_SHARES):
        try:
            with transaction.atomic():
                # A duplicate of this item waits here, then finds it done.
                locked = BatchItem.objects.select_for_update().values_list("status", flat=True)
                if locked.get(pk=item_id) == BatchItem.Status.DONE:
                    return
                _work(item, share=share)
                item.save(update_fields=["attempts", "invoice", "document"])
        except TRANSIENT_ERRORS:
            raise
        except Exception as exc:  # recorded on the item; the job shows it as a failure
            _finish(item, error=exc)
            return
    # Delivery after the commit, so an e-mail never announces an invoice that rolled back.
    try:
        _after_commit(item)
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:  # recorded; "Fortsett" retries the delivery
        _finish(item, error=exc)
        return
    _finish(item)


def _finish(item: BatchItem, *, error: Exception | None = None) -> None:
    item.status = BatchItem.Status.FAILED if error else BatchItem.Status.DONE
    item.error = f"{type(error).__name__}: {error}" if error else ""
    item.finished_at = timezone.now()
    item.save(update_fields=["status", "error", "finished_at", "attempts"])
    _maybe_finish(item.job_id)


def items_deliver(*, item_ids: list[int]) -> None:
    """Deliver the issued share invoices of several items together (services.invoices_deliver)
    and mark the items done. Safe to run twice or concurrently, like item_run. If the shared
    delivery fails, each item is run on its own, so that each records its own error."""
    items = list(
        BatchItem.objects.filter(
            pk__in=item_ids, invoice__isnull=False, job__kind=BatchJob.Kind.INVOICE_SHARES
        )
        .exclude(status=BatchItem.Status.DONE)
        .select_related("invoice__buyer", "invoice__created_by")
        .order_by("pk")
    )
    if not items:
        return
    try:
        failed = services.invoices_deliver(invoices=[item.invoice for item in items])
    except TRANSIENT_ERRORS:
        raise
    except Exception:  # one invoice's trouble must not fail the others: one by one instead
        for item in items:
            item_run(item_id=item.pk)
        return
    done = [item.pk for item in items if item.invoice_id not in failed]
    BatchItem.objects.filter(pk__in=done).update(
        status=BatchItem.Status.DONE,
        error="",
        attempts=F("attempts") + 1,
        finished_at=timezone.now(),
    )
    for item in items:
        if item.invoice_id in failed:
            item.attempts += 1
            _finish(item, error=failed[item.invoice_id])
    _maybe_finish(items[0].job_id)


def _work(item: BatchItem, *, share: Decimal | None = None) -> None:
    actor = item.job.started_by
    today = timezone.localdate()
    kind = item.job.kind
    if kind == BatchJob.Kind.REMINDERS:
        invoice = Invoice.objects.get(pk=item.object_id)
        reminder = services.reminder_create(invoice=invoice, on=today, actor=actor)
        if reminder is None:
            reminder = invoice.reminders.order_by("-sequence").first()
        item.invoice = invoice
        item.document = reminder.document if reminder else None
        return
    # Files of an invoice are rendered in delivery, after this commit: the numbering counter
    # stays locked until the commit, and a PDF render inside it would serialise the workers.
    done = handlers.batch_source(kind).run(item.object_id, actor=actor, today=today, amount=share)
    if isinstance(done, Invoice):
        item.invoice = done
    else:
        item.document = done


def _after_commit(item: BatchItem) -> None:
    if item.invoice_id and item.job.kind == BatchJob.Kind.INVOICE_SHARES:
        services.invoice_deliver(invoice=item.invoice)
    elif item.document_id:
        document = Document.objects.select_related("member").get(pk=item.document_id)
        services.letter_create(
            member=document.member,
            kind=document.kind,
            actor=item.job.started_by,
            source_key=document.source_key,
        )


def _maybe_finish(job_id: int) -> None:
    """Mark the job finished once no item is pending (one statement)."""
    pending = BatchItem.objects.filter(job_id=job_id, status=BatchItem.Status.PENDING)
    BatchJob.objects.filter(pk=job_id, finished_at__isnull=True).exclude(Exists(pending)).update(
        finished_at=timezone.now()
    )


def job_progress(*, job: BatchJob) -> dict:
    counts = BatchItem.objects.filter(job=job).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=BatchItem.Status.DONE)),
        failed=Count("pk", filter=Q(status=BatchItem.Status.FAILED)),
    )
    counts["finished"] = counts["done"] + counts["failed"] >= counts["total"]
    counts["percent"] = round(100 * (counts["done"] + counts["failed"]) / (counts["total"] or 1))
    return counts


def job_zip(*, job: BatchJob) -> bytes:
    """All results of a job in one ZIP: invoice PDFs and EHF XMLs, or letter PDFs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        items = job.items.filter(status=BatchItem.Status.DONE).select_related("invoice", "document")
        for item in items:
            files = []
            if item.invoice_id and item.invoice.pdf:
                files += [item.invoice.pdf, item.invoice.ehf_xml]
            elif item.document_id:
                files.append(item.document.file)
            for f in files:
                if not f:
                    continue
                with f.open("rb") as fh:
                    archive.writestr(f.name.rsplit("/", 1)[-1], fh.read())
    return buffer.getvalue()
