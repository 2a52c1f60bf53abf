"""Credit notes: all or part of an invoice, never more than it."""

import datetime

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from .. import handlers
from ..errors import InvoicingError
from ..models import Invoice
from ..vat import ZERO
from .delivery import enqueue_delivery
from .issue import InvoiceLineSpec, build_draft, create_invoice
from .payments import refresh_status


@transaction.atomic
def invoice_credit(
    *,
    invoice: Invoice,
    actor,
    reason: str,
    lines: list[InvoiceLineSpec] | None = None,
    issued_on: datetime.date | None = None,
) -> Invoice:
    """A credit note referring to `invoice`: all of it (lines=None) or the given lines. The
    credited total can never exceed the invoice."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.is_credit_note:
        raise InvoicingError(gettext("En kreditnota kan ikke krediteres."))
    if not reason.strip():
        raise InvoicingError(gettext("Oppgi årsak til krediteringen."))
    already = invoice.credit_notes.aggregate(s=Sum("total"))["s"] or ZERO
    if lines is None:
        lines = [
            InvoiceLineSpec(
                description=line.description,
                unit_price=line.unit_price,
                quantity=line.quantity,
                unit_code=line.unit_code,
                vat_category=line.vat_category,
                vat_rate=line.vat_rate,
            )
            for line in invoice.lines.all()
        ]
    issued_on = issued_on or timezone.localdate()
    n = invoice.credit_notes.count() + 1
    credit = create_invoice(
        *build_draft(
            buyer=invoice.buyer,
            kind=invoice.kind,
            document_type=Invoice.DocumentType.CREDIT_NOTE,
            lines=lines,
            issued_on=issued_on,
            due_on=issued_on,
            fakturareferanse=invoice.fakturareferanse,
            actor=actor,
            source_key=f"credit:{invoice.pk}:{n}",
            credits=invoice,
            credit_reason=reason.strip()[:300],
        )
    )
    if already + credit.total > invoice.total:
        raise InvoicingError(gettext("Kreditert beløp kan ikke overstige fakturaens beløp."))
    refresh_status(invoice)
    if invoice.status == Invoice.Status.CREDITED:
        # e.g. members confirms a share's participation again (a corrected share can follow)
        handlers.invoice_credited(invoice=invoice, actor=actor, reason=reason.strip())
    enqueue_delivery(credit)
    return credit
