"""Reminders (purring) for overdue invoices, at most one per invoice and interval."""

import datetime

from django.db import transaction

from .. import conf
from ..models import Document, Invoice, Reminder
from .letters import letter_create
from .payments import invoice_balance


def reminder_due(*, invoice: Invoice, on: datetime.date) -> bool:
    """Overdue, not paid or credited, and no reminder within the interval."""
    if invoice.is_credit_note or invoice.status not in (
        Invoice.Status.ISSUED,
        Invoice.Status.PARTLY_PAID,
    ):
        return False
    if invoice.due_on >= on:
        return False
    last = invoice.reminders.order_by("-sequence").first()
    return last is None or (on - last.sent_on).days >= conf.reminder_interval_days()


@transaction.atomic
def reminder_create(*, invoice: Invoice, on: datetime.date, actor) -> Reminder | None:
    """A purring letter for an overdue invoice, at most one per interval: the invoice row is
    locked and the sequence is unique per invoice, so two runs cannot both send one."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not reminder_due(invoice=invoice, on=on):
        return None
    sequence = invoice.reminders.count() + 1
    reminder = Reminder.objects.create(invoice=invoice, sequence=sequence, sent_on=on)
    document = letter_create(
        member=invoice.buyer,
        kind=Document.Kind.REMINDER,
        actor=actor,
        source_key=f"reminder:{invoice.pk}:{sequence}",
        extra={
            "invoice": invoice,
            "sequence": sequence,
            "balance": invoice_balance(invoice=invoice),
        },
        email=False,
    )
    reminder.document = document
    reminder.save(update_fields=["document"])
    return reminder
