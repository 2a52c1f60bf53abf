"""Payments: the one door for money in. Every payment, manual or from a bank file, is
registered here and handed to the app that owns the invoice's kind (handlers)."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext

from core.money import format_nok, to_money
from fund.services import booked_date_problem

from .. import handlers
from ..errors import InvoicingError
from ..models import Invoice, Payment
from ..vat import ZERO


def invoice_paid_amount(*, invoice: Invoice) -> Decimal:
    return invoice.payments.aggregate(s=Sum("amount"))["s"] or ZERO


def invoice_balance(*, invoice: Invoice) -> Decimal:
    """Still owed (positive) or over-paid (negative): total − credited − paid."""
    credited = invoice.credit_notes.aggregate(s=Sum("total"))["s"] or ZERO
    return invoice.total - credited - invoice_paid_amount(invoice=invoice)


def refresh_status(invoice: Invoice, paid_on: datetime.date | None = None) -> None:
    credited = invoice.credit_notes.aggregate(s=Sum("total"))["s"] or ZERO
    paid = invoice_paid_amount(invoice=invoice)
    if credited >= invoice.total:
        status = Invoice.Status.CREDITED
    elif paid >= invoice.total - credited:
        status = Invoice.Status.PAID
    elif paid > 0:
        status = Invoice.Status.PARTLY_PAID
    else:
        status = Invoice.Status.ISSUED
    if status != invoice.status:
        invoice.status = status
        if status == Invoice.Status.PAID and invoice.paid_on is None:
            invoice.paid_on = paid_on
        invoice.save(update_fields=["status", "paid_on"])


@transaction.atomic
def register_payment(
    *,
    amount: Decimal,
    paid_on: datetime.date,
    actor,
    invoice: Invoice | None = None,
    kid: str = "",
    reference: str = "",
    payer: str = "",
    source: str = Payment.Source.MANUAL,
    external_ref: str | None = None,
    bank_import=None,
) -> Payment:
    """Record money received and apply it to its invoice (given, or found by KID). Idempotent
    on `external_ref` (the bank's transaction reference, or a key of the caller's choosing).
    A payment that matches no invoice, or leaves it partly paid or over-paid, is listed for a
    human (resolved=False). The money then goes to its owner: the handlers registered for the
    invoice's kind (handlers.register), e.g. members books a share payment in the ledger and
    marks the participation paid. This is the one way a payment is registered."""
    amount = to_money(amount)
    if amount <= 0:
        raise InvoicingError(gettext("Beløpet må være større enn null."))
    if problem := booked_date_problem(paid_on):  # the ledger's rule: from the fund's start to today
        raise InvoicingError(problem)
    if external_ref:
        existing = Payment.objects.filter(external_ref=external_ref).first()
        if existing is not None:
            return existing
    if invoice is None and kid:
        invoice = Invoice.objects.filter(
            kid=kid, document_type=Invoice.DocumentType.INVOICE
        ).first()
    if invoice is not None:
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.is_credit_note:
            raise InvoicingError(gettext("En innbetaling kan ikke føres på en kreditnota."))
    payment = Payment(
        invoice=invoice,
        amount=amount,
        paid_on=paid_on,
        kid=kid or (invoice.kid if invoice else ""),
        reference=reference[:200],
        payer=payer[:200],
        source=source,
        external_ref=external_ref,
        bank_import=bank_import,
        recorded_by=actor,
    )
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        if external_ref:
            return Payment.objects.get(external_ref=external_ref)
        raise
    if invoice is None:
        payment.resolved = False
        payment.note = "Ingen faktura med denne KID-en."
        payment.save(update_fields=["resolved", "note"])
        return payment
    balance = invoice_balance(invoice=invoice)
    if balance > 0:
        payment.resolved, payment.note = (
            False,
            f"Delbetaling: {format_nok(balance, decimals=True)} gjenstår.",
        )
    elif balance < 0:
        payment.resolved, payment.note = (
            False,
            f"Overbetaling: {format_nok(-balance, decimals=True)} for mye.",
        )
    if not payment.resolved:
        payment.save(update_fields=["resolved", "note"])
    handlers.invoice_paid(invoice=invoice, payment=payment, actor=actor)
    refresh_status(invoice, paid_on=paid_on)
    return payment


@transaction.atomic
def payment_resolve(*, payment: Payment, actor, note: str) -> Payment:
    """A human has looked at an unmatched, partial or over-payment and noted what was done."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if not note.strip():
        raise InvoicingError(gettext("Skriv hva som er gjort med innbetalingen."))
    payment.resolved = True
    payment.note = f"{payment.note} Behandlet: {note.strip()}"[:300]
    payment.save(update_fields=["resolved", "note"])
    return payment
