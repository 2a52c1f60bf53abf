"""The registry through which invoicing reaches the apps that own what it invoices.

Invoicing is the one door for money in: every payment, typed in by KS or read from a camt.054
file, goes through services.register_payment, which applies it to its invoice and then calls the
handlers registered for the invoice's kind. Invoicing knows no member rules: the app above it
registers, from its AppConfig.ready(),

    register(kind, handler)            # an InvoiceHandler for an invoice kind (several allowed,
                                       # called in registration order, i.e. INSTALLED_APPS order)
    register_buyers(directory)         # a BuyerDirectory: who the buyers are (members)
    register_batch(job_kind, source)   # a BatchSource: the targets and the work of a batch job

members registers the member_share handler, the buyers and the share and invitation batches;
repayments registers the access_fee and fdvu handlers, and a member_share handler that grants
the access requests that waited for the share.
"""

import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext

from .errors import InvoicingError
from .models import BatchJob, Document, Invoice, Payment


class InvoiceHandler:
    """What an app does with the invoices of a kind it owns. Override what you need; the
    defaults do nothing. Both run in invoicing's transaction."""

    def paid(self, *, invoice: Invoice, payment: Payment, actor) -> None:
        """A payment was applied to `invoice` (once per payment: be idempotent on payment.pk,
        e.g. a ledger idempotency key "invoicing-payment:<payment id>")."""

    def credited(self, *, invoice: Invoice, actor, reason: str) -> None:
        """`invoice` was credited in full (its status is now credited)."""


class BuyerDirectory:
    """Who invoicing's buyers (members.Member, Invoice.buyer) are, as far as invoicing needs."""

    def lineage(self, *, member_id: int) -> set[int]:
        """The organisation and every predecessor it took over: whose invoices and letters a
        user of `member_id` sees."""
        return {member_id}

    def letter_recipients(self) -> QuerySet:
        """The members letters are written to (the letters page)."""
        raise NotImplementedError

    def letter_context(self, *, member, kind: str) -> dict:
        """What a letter of `kind` to `member` shows beyond the member itself."""
        return {}

    def language(self, *, member) -> str:
        """The language code ("nb" or "nn") of the invoices and letters to `member`: its
        målform (docs/decisions/i18n-documents-maalform.md)."""
        return "nb"


class BatchSource:
    """The targets and the per-target work of a batch job kind (one item per target id)."""

    def targets(self) -> list[int]:
        raise NotImplementedError

    def prepare(self, object_ids: list[int]) -> dict[int, Decimal]:
        """The amount to invoice per target, computed for all targets at once when the job is
        enqueued (invoice jobs); a target left out computes its own in run()."""
        return {}

    def issue_many(
        self, amounts: dict[int, Decimal], *, issued_on: datetime.date, actor
    ) -> dict[int, Invoice]:
        """Issue the invoices of several targets in one go: target id → its invoice. A target
        left out runs on its own (run()) and records why."""
        return {}

    def run(
        self, object_id: int, *, actor, today: datetime.date, amount: Decimal | None
    ) -> Invoice | Document:
        """One target's work, idempotent on its natural key. An invoice is not delivered here
        (the batch delivers it after the commit); a letter is not e-mailed here."""
        raise NotImplementedError


_HANDLERS: dict[str, list[InvoiceHandler]] = {}
_BATCHES: dict[str, BatchSource] = {}
_BUYERS: list[BuyerDirectory] = [BuyerDirectory()]


def register(kind: str, handler: InvoiceHandler) -> None:
    """Call `handler` for the payments and full credits of invoices of `kind`. Call from
    AppConfig.ready(); a second handler of the same class replaces the first."""
    if kind not in Invoice.Kind.values:
        raise InvoicingError(gettext("Ukjent fakturatype: %(kind)s") % {"kind": kind})
    handlers = _HANDLERS.setdefault(kind, [])
    same = [i for i, h in enumerate(handlers) if type(h) is type(handler)]
    if same:
        handlers[same[0]] = handler
    else:
        handlers.append(handler)


def handlers_for(kind: str) -> list[InvoiceHandler]:
    return list(_HANDLERS.get(kind, []))


def register_buyers(directory: BuyerDirectory) -> None:
    _BUYERS[0] = directory


def buyers() -> BuyerDirectory:
    return _BUYERS[0]


def register_batch(job_kind: str, source: BatchSource) -> None:
    if job_kind not in BatchJob.Kind.values:
        raise ValueError(job_kind)
    _BATCHES[job_kind] = source


def batch_source(job_kind: str) -> BatchSource:
    source = _BATCHES.get(job_kind)
    if source is None:
        raise ValueError(job_kind)
    return source


def invoice_paid(*, invoice: Invoice, payment: Payment, actor) -> None:
    for handler in handlers_for(invoice.kind):
        handler.paid(invoice=invoice, payment=payment, actor=actor)


def invoice_credited(*, invoice: Invoice, actor, reason: str) -> None:
    for handler in handlers_for(invoice.kind):
        handler.credited(invoice=invoice, actor=actor, reason=reason)
