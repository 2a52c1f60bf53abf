import io
import zipfile
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
    """What job_enqueue_pending enqueues, and its number of queries: the items that run on
    their own as (item id, share), and the item ids of each delivery task."""
    runs, delivers = [], []
    monkeypatch.setattr("invoicing.tasks.batch_item_run.delay", lambda *args: runs.append(args))
    monkeypatch.setattr("invoicing.tasks.batch_items_deliver.delay", delivers.append)
    with CaptureQueriesContext(connection) as queries:
        batch.job_enqueue_pending(job_id=job_id)
    return runs, delivers, len(queries)


def _delivered(item_ids):
    with CaptureQueriesContext(connection) as queries:
        batch.items_deliver(item_ids=item_ids)
    return len(queries)


def test_the_shares_are_computed_issued_and_delivered_in_bulk(ks_user, monkeypatch):
    """Enqueueing a job computes every member's share and issues every share invoice in bulk,
    in as many queries for 1 member as for 3; the items are then delivered several per task,
    again in as many queries for 1 as for 3."""
    first = _member_with_share(ks_user, 1000)
    warm_up = batch.job_start(kind=BatchJob.Kind.INVOICE_SHARES, actor=ks_user)
    _runs, delivers, _queries = _enqueued(monkeypatch, warm_up.pk)  # makes the number counter
    _delivered(delivers[0])  # makes the storage folders
    second = _member_with_share(ks_user, 1500)
    one = batch.job_start(kind=BatchJob.Kind.INVOICE_SHARES, actor=ks_user)
    runs_one, delivers_one, queries_one = _enqueued(monkeypatch, one.pk)
    assert (runs_one, delivers_one) == ([], [[one.items.get().pk]])
    assert one.items.get().invoice.total == Decimal("30000.00")
    others = [_member_with_share(ks_user, population) for population in (2000, 3000, 4000)]
    many = batch.job_start(kind=BatchJob.Kind.INVOICE_SHARES, actor=ks_user)
    runs_many, delivers_many, queries_many = _enqueued(monkeypatch, many.pk)
    assert (runs_many, delivers_many) == ([], [sorted(many.items.values_list("pk", flat=True))])
    assert queries_many == queries_one

    # Issued by the enqueue, numbered consecutively in the order of the members' items.
    invoices = [Invoice.objects.get(buyer=m) for m in [first, second, *others]]
    assert [i.sequence for i in invoices] == list(range(1, 6))
    totals = ("20000", "30000", "40000", "60000", "80000")
    assert [i.total for i in invoices] == [Decimal(a) for a in totals]
    for member in others:
        participation = Participation.objects.get(member=member)
        assert participation.status == Participation.Status.INVOICED
        assert participation.share_amount == Invoice.objects.get(buyer=member).total
        assert participation.events.get(to_status="invoiced").actor == ks_user

    assert _delivered(delivers_many[0]) == _delivered(delivers_one[0]) > 0
    assert Invoice.objects.count() == 5  # the items delivered what the job had issued
    assert set(many.items.values_list("status", flat=True)) == {BatchItem.Status.DONE}
    assert set(many.items.values_list("attempts", flat=True)) == {1}
    assert BatchJob.objects.get(pk=many.pk).finished_at is not None
    for invoice in Invoice.objects.filter(buyer__in=others):
        assert invoice.pdf.read().startswith(b"%PDF")
        assert validate_ehf(invoice.ehf_xml.read(), digifin=True) == []
        assert invoice.emailed_at is not None
        assert Document.objects.get(invoice=invoice).file.name == invoice.pdf.name
        assert OutgoingEmail.objects.get(invoice=invoice).status == OutgoingEmail.Status.SENT
    assert len(mail.outbox) == 5
    _delivered(delivers_many[0])  # a redelivered task changes nothing
    assert len(mail.outbox) == 5


def test_a_refused_email_fails_its_own_item_only(ks_user, monkeypatch):
    """Delivered together, the invoice whose e-mail the mail server refuses fails its item
    (recorded on the e-mail row); the other item is done."""
    from django.core.mail import EmailMessage

    good = _member_with_share(ks_user, 1000)
    bad = _member_with_share(ks_user, 2000)
    type(bad).objects.filter(pk=bad.pk).update(email="refused@example.no")
    job = batch.job_start(kind=BatchJob.Kind.INVOICE_SHARES, actor=ks_user)
    _runs, delivers, _queries = _enqueued(monkeypatch, job.pk)
    send = EmailMessage.send

    def refuse(message, *args, **kwargs):
        if message.to == ["refused@example.no"]:
            raise ConnectionRefusedError("550 mailbox unavailable")
        return send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", refuse)
    _delivered(delivers[0])
    failed = job.items.get(status=BatchItem.Status.FAILED)
    assert failed.object_id == bad.pk
    assert "550 mailbox unavailable" in failed.error
    assert job.items.get(status=BatchItem.Status.DONE).object_id == good.pk
    assert OutgoingEmail.objects.get(invoice__buyer=bad).status == OutgoingEmail.Status.FAILED
    assert [m.to for m in mail.outbox] == [[good.email]]


def test_an_item_with_its_share_builds_no_book_of_predecessors(ks_user):
    """An item that issues its own invoice (not issued by the job) uses the share it was given."""
    member = _member_with_share(ks_user, 1000)
    job = batch.job_start(kind=BatchJob.Kind.INVOICE_SHARES, actor=ks_user)
    item = job.items.get()
    with CaptureQueriesContext(connection) as queries:
        batch.item_run(item_id=item.pk, share=Decimal("20000.00"))
    assert not [q for q in queries if "members_membersuccession" in q["sql"]]
    assert Invoice.objects.get(buyer=member).total == Decimal("20000.00")
    assert Participation.objects.get(member=member).share_amount == Decimal("20000.00")
    assert BatchItem.objects.get(pk=item.pk).status == BatchItem.Status.DONE


def test_bulk_issue_is_the_same_invoice_as_one_by_one(ks_user):
    """Several participations invoiced together get the invoice, lines, history and share that
    one invoiced alone gets, and a second call returns the standing invoices, issuing none."""
    import datetime

    from members import invoicing as services

    one = confirmed_participation(actor=ks_user)
    bulk = confirmed_participation(actor=ks_user)
    day = datetime.date(2026, 11, 2)
    single = services.share_invoice_issue(
        participation=one, issued_on=day, actor=ks_user, deliver=False, amount=Decimal("1234.50")
    )
    issued = services.share_invoices_issue(
        amounts={bulk.pk: Decimal("1234.50")}, issued_on=day, actor=ks_user
    )
    assert (issued.new, issued.refused) == ({bulk.pk}, {})
    together = issued.invoices[bulk.pk]
    fields = ["kind", "document_type", "series", "year", "issued_on", "due_on", "net_total",
              "vat_total", "total", "fakturareferanse", "status", "created_by_id"]  # fmt: skip
    assert [getattr(together, f) for f in fields] == [getattr(single, f) for f in fields]
    assert (together.source_key, together.sequence) == (f"share:{bulk.pk}", single.sequence + 1)
    assert together.kid != single.kid and len(together.kid) == len(single.kid)
    line = together.lines.get()
    assert (line.unit_price, line.vat_category) == (Decimal("1234.50"), "O")
    assert bulk.member.name in line.description
    history = together.history.get()
    assert (history.history_type, history.history_user) == ("+", ks_user)
    participation = Participation.objects.get(pk=bulk.pk)
    assert (participation.status, participation.share_amount, participation.invoiced_on) == (
        Participation.Status.INVOICED,
        Decimal("1234.50"),
        day,
    )
    assert participation.history.first().history_user == ks_user
    again = services.share_invoices_issue(
        amounts={bulk.pk: Decimal("1234.50"), one.pk: Decimal("1")}, issued_on=day, actor=ks_user
    )
    assert (again.invoices, again.new) == ({bulk.pk: together, one.pk: single}, set())
    assert Invoice.objects.count() == 2


def test_a_member_the_bulk_issue_leaves_out_fails_on_its_own_item(ks_user, monkeypatch):
    """A member without fakturareferanse is not issued in bulk; its item says why, and the
    rest of the job is issued and delivered."""
    good = _member_with_share(ks_user, 1000)
    bad = _member_with_share(ks_user, 2000)
    Participation.objects.filter(member=bad).update(fakturareferanse="")
    job = batch.job_start(kind=BatchJob.Kind.INVOICE_SHARES, actor=ks_user)
    runs, delivers, _queries = _enqueued(monkeypatch, job.pk)
    assert list(Invoice.objects.values_list("buyer_id", flat=True)) == [good.pk]
    assert delivers == [[job.items.get(object_id=good.pk).pk]]
    _delivered(delivers[0])
    for item_id, share in runs:
        batch.item_run(item_id=item_id, share=Decimal(share))
    failed = job.items.get(status=BatchItem.Status.FAILED)
    assert failed.object_id == bad.pk
    assert "Fakturareferanse" in failed.error
    assert job.items.get(status=BatchItem.Status.DONE).invoice.buyer == good


def test_starting_a_job_leaves_the_bulk_work_to_a_worker(
    shares, ks_user, monkeypatch, django_capture_on_commit_callbacks
):
    """The request creates the job and its items; after commit it only publishes batch_resume
    (a worker issues and enqueues), and with the broker down the job waits for "Fortsett"."""
    confirmed_participation(actor=ks_user)
    published = []
    monkeypatch.setattr(
        "invoicing.tasks.batch_resume.apply_async",
        lambda args, kwargs: published.append(args),
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = batch.job_start(kind=BatchJob.Kind.INVOICE_SHARES, actor=ks_user)
    assert published == [(job.pk,)]
    assert not Invoice.objects.exists()  # nothing issued in the request

    def broker_down(args, kwargs):
        raise ConnectionRefusedError("redis")

    monkeypatch.setattr("invoicing.tasks.batch_resume.apply_async", broker_down)
    confirmed_participation(actor=ks_user)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = batch.job_start(kind=BatchJob.Kind.INVOICE_SHARES, actor=ks_user)
    assert set(waiting.items.values_list("status", flat=True)) == {BatchItem.Status.PENDING}
