"""Writes for invoicing: issue, credit, pay, render, e-mail. Every write takes the acting user.

One module per concern; this package re-exports the public API, so other apps write
`from invoicing.services import invoice_issue`. The submodules import each other and the leaf
modules (errors, vat, handlers, models), never this package.

The generic API other apps call (docs/invoicing.md):
    invoice_issue(*, buyer, kind, lines, issued_on, due_on=None, fakturareferanse, actor,
                  source_key) -> Invoice
    invoice_draft(...) -> InvoiceDraft; invoices_create(*, drafts, actor) -> [Invoice]  # bulk
    invoice_credit(*, invoice, actor, reason, lines=None, issued_on=None) -> Invoice
    register_payment(*, amount, paid_on, actor, invoice=None, kid="", ...) -> Payment
An app reacts to the payments of its invoice kind through invoicing.handlers.register.
"""

from ..errors import InvoicingError
from ..vat import vat_breakdown
from .credit import invoice_credit
from .delivery import enqueue_delivery, invoice_deliver, invoice_render_files, invoices_deliver
from .issue import InvoiceDraft, InvoiceLineSpec, invoice_draft, invoice_issue, invoices_create
from .letters import (
    LETTER_TITLES,
    document_email,
    document_pdf,
    document_send,
    document_store,
    letter_context,
    letter_create,
    letter_preview_html,
)
from .payments import (
    invoice_balance,
    invoice_paid_amount,
    payment_resolve,
    register_payment,
)
from .reminders import reminder_create, reminder_due

__all__ = [
    "LETTER_TITLES",
    "InvoiceDraft",
    "InvoiceLineSpec",
    "InvoicingError",
    "document_email",
    "document_pdf",
    "document_send",
    "document_store",
    "enqueue_delivery",
    "invoice_balance",
    "invoice_credit",
    "invoice_deliver",
    "invoice_draft",
    "invoice_issue",
    "invoice_paid_amount",
    "invoice_render_files",
    "invoices_create",
    "invoices_deliver",
    "letter_context",
    "letter_create",
    "letter_preview_html",
    "payment_resolve",
    "register_payment",
    "reminder_create",
    "reminder_due",
    "vat_breakdown",
]
