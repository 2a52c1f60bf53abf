import io
import zipfile
from decimal import Decimal

import pytest
from django.core import mail

from invoicing import batch
from invoicing.ehf import validate_ehf
from invoicing.models import BatchItem, BatchJob, Document, Invoice, OutgoingEmail
from members.models import Participation
from tests.invoicing.factories import confirmed_participation, member_with_address

pytestmark = pytest.mark.django_db


@pytest.fixture
def shares(monkeypatch):
    monkeypatch.setattr(
        "members.selectors.share_to_invoice", lambda *, participation: Decimal("2000.00")
    )


def _run(job):
    for item_id in job.items.values_list("pk", flat=True):
        batch.item_run(item_id=item_id)


def test_invoice_batch_invoices_every_confirmed_member_once(shares, ks_user):
    participations = [confirmed_participation(actor=ks_user) for _ in range(3)]
    member_with_address()  # not participating: not invoiced
    job = batch.job_start(kind=BatchJob.Kind.INVOICE_SHARES, actor=ks_user)
    _run(job)
    _run(job)  # a rerun or a redelivered task changes nothing
    assert batch.job_progress(job=job) | {"percent": 0} == {
        "total": 3,
        "done": 3,
        "failed": 0,
        "finished": True,
        "percent": 0,
    }
    invoices = Invoice.objects.all()
    assert invoices.count() == 3
    for invoice in invoices:
        xml = invoice.ehf_xml.read()
        assert validate_ehf(xml, digifin=True) == []
        assert invoice.pdf.read().startswith(b"%PDF")
    assert len(mail.outbox) == 3
    assert OutgoingEmail.objects.count() == 3
    for p in participations:
        assert Participation.objects.get(pk=p.pk).status == Participation.Status.INVOICED
    # a second batch finds nobody left to invoice
    assert batch.job_start(kind=BatchJob.Kind.INVOICE_SHARES, actor=ks_user) is None

    with zipfile.ZipFile(io.BytesIO(batch.job_zip(job=job))) as archive:
        names = archive.namelist()
    assert len([n for n in names if n.endswith(".pdf")]) == 3
    assert len([n for n in names if n.endswith(".xml")]) == 3


def test_a_failing_item_is_counted_and_the_rest_completes(shares, ks_user):
    good = confirmed_participation(actor=ks_user)
    bad = confirmed_participation(actor=ks_user)
    job = batch.job_start(kind=BatchJob.Kind.INVOICE_SHARES, actor=ks_user)
    # the member loses its orgnr before the batch runs: its item fails, clearly
    type(bad.member).objects.filter(pk=bad.member_id).update(orgnr="")
    _run(job)
    progress = batch.job_progress(job=job)
    assert (progress["done"], progress["failed"], progress["finished"]) == (1, 1, True)
    failed = job.items.get(status=BatchItem.Status.FAILED)
    assert "organisasjonsnummer" in failed.error
    assert Invoice.objects.get().buyer_id == good.member_id


def test_invitation_batch_sends_each_member_one_letter(shares, ks_user):
    members = [member_with_address() for _ in range(2)]
    job = batch.job_start(kind=BatchJob.Kind.INVITATIONS, actor=ks_user)
    _run(job)
    _run(job)
    docs = Document.objects.filter(kind=Document.Kind.INVITATION)
    assert sorted(d.member_id for d in docs) == sorted(m.pk for m in members)
    assert len(mail.outbox) == 2
    assert "Invitasjon" in mail.outbox[0].subject


def test_a_member_billed_with_another_is_not_a_batch_target(shares, ks_user):
    """Oslo fylke's share is on Oslo kommune's invoice: the batch must not try (and fail) it."""
    kommune = member_with_address(name="Oslo kommune")
    fylke = member_with_address(name="Oslo fylke", kind="fylkeskommune", billed_with=kommune)
    confirmed_participation(actor=ks_user, member=kommune)
    confirmed_participation(actor=ks_user, member=fylke)
    assert batch.job_targets(BatchJob.Kind.INVOICE_SHARES) == [kommune.pk]


def _member_with_share(ks_user, population):
    from members.models import ContributionRate, Member
    from tests.members.factories import basis

    ContributionRate.objects.get_or_create(
        kind=Member.Kind.KOMMUNE,
        valid_from="2017-01-01",
        defaults={"per_inhabitant": Decimal("20.00")},
    )
    member = member_with_address()
    basis(member, population)
    confirmed_participation(actor=ks_user, member=member)
    return member


def _enqueued(monkeypatch, job_id):
    """job_enqueue_pending's task arguments (item id, share) and its SQL."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sent = []
    monkeypatch.setattr("invoicing.tasks.batch_item_run.delay", lambda *args: sent.append(args))
    with CaptureQueriesContext(connection) as queries:
        batch.job_enqueue_pending(job_id=job_id)
    return sent, len(queries)


def test_the_shares_are_computed_once_for_the_whole_job(ks_user, monkeypatch):
    """The shares of all members are computed when the items are enqueued, in as many queries
    for 1 member as for 4, and an item with its share builds no book of predecessors."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = _member_with_share(ks_user, 1000)
    one = batch.job_start(kind=BatchJob.Kind.INVOICE_SHARES, actor=ks_user)
    sent_one, queries_one = _enqueued(monkeypatch, one.pk)
    assert [s for _i, s in sent_one] == ["20000.00"]
    BatchJob.objects.all().delete()
    for population in (2000, 3000, 4000):
        _member_with_share(ks_user, population)
    many = batch.job_start(kind=BatchJob.Kind.INVOICE_SHARES, actor=ks_user)
    sent_many, queries_many = _enqueued(monkeypatch, many.pk)
    assert sorted(s for _i, s in sent_many) == ["20000.00", "40000.00", "60000.00", "80000.00"]
    assert queries_many == queries_one

    item_id, share = next((i, s) for i, s in sent_many if s == "20000.00")
    with CaptureQueriesContext(connection) as queries:
        batch.item_run(item_id=item_id, share=Decimal(share))
    assert not [q for q in queries if "members_membersuccession" in q["sql"]]
    invoice = Invoice.objects.get(buyer=first)
    assert invoice.total == Decimal("20000.00")
    assert Participation.objects.get(member=first).share_amount == Decimal("20000.00")
    assert BatchItem.objects.get(pk=item_id).status == BatchItem.Status.DONE
