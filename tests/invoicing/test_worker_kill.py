"""A real Celery worker (Redis + PostgreSQL from scripts/test.sh) is SIGKILLed halfway through
the batch "invoice all confirmed members"; a second worker and a resume complete it without a
duplicate invoice, number or e-mail."""

import os
import time
from decimal import Decimal

import pytest

from invoicing.models import BatchItem, BatchJob, Invoice, InvoiceNumberCounter, OutgoingEmail
from tests.celery_support import Worker, wait_for

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL"), reason="needs the real Redis (scripts/test.sh)"
    ),
]

MEMBERS = 40


def _confirmed_members(ks_user):
    from members.models import ContributionRate, Member
    from tests.invoicing.factories import confirmed_participation, member_with_address
    from tests.members.factories import basis

    ContributionRate.objects.get_or_create(
        kind=Member.Kind.KOMMUNE,
        valid_from="2017-01-01",
        defaults={"per_inhabitant": Decimal("20.00")},
    )
    for i in range(MEMBERS):
        member = member_with_address(email=f"post{i}@kommune.example.no")
        basis(member, 1000 + i)
        confirmed_participation(actor=ks_user, member=member)


def test_killed_worker_halfway_then_resume_makes_no_duplicates(real_broker, ks_user, tmp_path):
    from invoicing import batch

    _confirmed_members(ks_user)
    (tmp_path / "mail").mkdir()
    first = Worker(queue=real_broker, tmp=tmp_path, name="first")
    second = None
    try:
        job = batch.job_start(kind=BatchJob.Kind.INVOICE_SHARES, actor=ks_user)
        assert job.items.count() == MEMBERS
        done = lambda n: BatchItem.objects.filter(job=job, status="done").count() >= n  # noqa: E731
        wait_for(lambda: done(MEMBERS // 4), 60, "a quarter of the batch", job=job)
        first.kill()
        finished_before = BatchItem.objects.filter(job=job, status="done").count()
        assert finished_before < MEMBERS, "the worker finished before it was killed"

        second = Worker(queue=real_broker, tmp=tmp_path, name="second")
        batch.job_enqueue_pending(job_id=job.pk)  # "Fortsett": re-enqueue what is not done
        wait_for(lambda: done(MEMBERS), 120, "the whole batch after the resume", job=job)
        # Let redelivered duplicates of already-done items drain through the worker.
        time.sleep(1.5)
    finally:
        first.stop()
        if second is not None:
            second.stop()

    invoices = Invoice.objects.filter(kind=Invoice.Kind.MEMBER_SHARE)
    assert invoices.count() == MEMBERS
    assert invoices.values("buyer").distinct().count() == MEMBERS
    assert sorted(invoices.values_list("sequence", flat=True)) == list(range(1, MEMBERS + 1))
    assert InvoiceNumberCounter.objects.get(series="F").last_number == MEMBERS
    assert all(i.pdf and i.ehf_xml for i in invoices)

    from members.models import Participation, ParticipationEvent

    assert Participation.objects.filter(status="invoiced").count() == MEMBERS
    assert ParticipationEvent.objects.filter(to_status="invoiced").count() == MEMBERS

    # E-mail: one claim per invoice; every message on disk is unique. A claim the kill
    # interrupted between claim and send stays "sending" for a human (never sent twice).
    emails = OutgoingEmail.objects.filter(invoice__in=invoices)
    assert emails.count() == emails.values("invoice").distinct().count()
    sent = emails.filter(status="sent").count()
    stuck = emails.filter(status="sending").count()
    assert sent + stuck == MEMBERS and stuck <= 2
    messages = []
    for f in (tmp_path / "mail").iterdir():
        messages += [line for line in f.read_text().splitlines() if line.startswith("Subject:")]
    assert len(messages) == len(set(messages)) == sent
