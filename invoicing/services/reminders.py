"""Reminders (purring) for overdue invoices, at most one per invoice and interval."""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.money import format_nok

from .. import conf
from ..models import Document, Invoice, Reminder
from ..notify import notify_users
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
    transaction.on_commit(lambda: overdue_notify(reminder=reminder), robust=True)
    return reminder


def overdue_notify(*, reminder: Reminder) -> list:
    """Tell the buyer's case officers that the invoice is overdue (essential; once per reminder
    and user). The purring letter itself is kept on the member, not e-mailed, and the invoice
    e-mail went to the invoice address, so this is the officers' only message about it."""
    invoice = reminder.invoice
    users = User.objects.filter(
        role=Role.MUNICIPAL, is_active=True, organisation_id=invoice.buyer_id
    ).exclude(email="")
    return notify_users(
        kind="invoice_overdue",
        users=users,
        key=f"invoice-overdue:{invoice.pk}:{reminder.sequence}",
        subject=lambda: _("Faktura %(number)s er forfalt") % {"number": invoice.number},
        body=lambda: (
            _(
                "Faktura %(number)s på %(amount)s forfalt %(due)s og er ikke betalt. "
                "Purring nr. %(sequence)s ligger i portalen."
            )
            % {
                "number": invoice.number,
                "amount": format_nok(invoice.total),
                "due": date_format(invoice.due_on, "d.m.Y"),
                "sequence": reminder.sequence,
            }
        ),
        path=reverse("invoicing:invoice_detail", args=[invoice.pk]),
    )
