import datetime
from decimal import Decimal

import pytest
from django.core import mail

from invoicing.models import Document, Invoice, Reminder
from invoicing.services import letter_create, register_payment, reminder_create
from invoicing.tasks import reminders_generate
from tests.invoicing.factories import issue_manual, member_with_address

pytestmark = pytest.mark.django_db
DUE = datetime.date(2026, 12, 2)


@pytest.fixture
def overdue():
    return issue_manual(amount="5000")  # issued 02.11.2026, due 02.12.2026


def test_an_overdue_invoice_gets_one_reminder_per_interval(overdue, settings):
    settings.DIGIFIN_REMINDER_INTERVAL_DAYS = 14
    first = reminder_create(invoice=overdue, on=DUE + datetime.timedelta(days=1), actor=None)
    assert first.sequence == 1 and first.document.kind == Document.Kind.REMINDER
    assert (
        reminder_create(invoice=overdue, on=DUE + datetime.timedelta(days=10), actor=None) is None
    )
    second = reminder_create(invoice=overdue, on=DUE + datetime.timedelta(days=15), actor=None)
    assert second.sequence == 2
    assert Reminder.objects.count() == 2


def test_no_reminder_before_the_due_date_or_when_paid(overdue):
    assert reminder_create(invoice=overdue, on=DUE, actor=None) is None
    register_payment(invoice=overdue, amount=Decimal("5000"), paid_on=DUE, actor=None)
    overdue.refresh_from_db()
    assert overdue.status == Invoice.Status.PAID
    assert (
        reminder_create(invoice=overdue, on=DUE + datetime.timedelta(days=30), actor=None) is None
    )


def test_the_reminder_letter_shows_what_is_still_owed(overdue):
    register_payment(invoice=overdue, amount=Decimal("1000"), paid_on=DUE, actor=None)
    reminder = reminder_create(invoice=overdue, on=DUE + datetime.timedelta(days=3), actor=None)
    import subprocess

    text = subprocess.run(
        ["pdftotext", reminder.document.file.path, "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "4 000,00 kr" in text.replace("\xa0", " ")
    assert overdue.kid in text


def test_the_beat_task_starts_a_reminder_batch_only_for_due_invoices(
    overdue, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: DUE + datetime.timedelta(days=1))
    issue_manual(amount="10", source_key="not-due", issued_on=DUE)
    with django_capture_on_commit_callbacks(execute=True):
        job_id = reminders_generate.apply().get()
    assert job_id
    assert Reminder.objects.get().invoice == overdue


def test_the_beat_schedule_has_the_reminder_entry():
    from digifin.celery import app

    entry = app.conf.beat_schedule["invoicing-reminders"]
    assert entry["task"] == "invoicing.tasks.reminders_generate"


def test_invitation_letter_has_the_members_share_and_is_mailed_once(monkeypatch):
    monkeypatch.setattr("members.selectors.member_share", lambda *, member: Decimal("555700.00"))
    member = member_with_address(name="Lillehammer")
    for _ in range(2):
        doc = letter_create(
            member=member, kind=Document.Kind.INVITATION, actor=None, source_key="inv:1"
        )
    import subprocess

    text = subprocess.run(
        ["pdftotext", doc.file.path, "-"], capture_output=True, text=True, check=True
    ).stdout.replace("\xa0", " ")
    assert "555 700 kr" in text
    assert Document.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("kind", ["confirmation", "decision", "access_confirmation"])
def test_every_letter_template_renders_to_pdf(kind):
    doc = letter_create(
        member=member_with_address(), kind=kind, actor=None, source_key=f"k:{kind}", email=False
    )
    assert doc.file.read().startswith(b"%PDF")
