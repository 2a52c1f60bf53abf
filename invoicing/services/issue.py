"""Issuing invoices: checked drafts, numbered and saved in the caller's transaction."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from simple_history.utils import bulk_create_with_history

from core.money import to_money

from .. import conf, handlers
from ..errors import InvoicingError
from ..models import Invoice, InvoiceLine
from ..vat import ZERO, vat_breakdown
from .delivery import enqueue_delivery
from .numbering import assign_number, next_sequence


@dataclass(frozen=True)
class InvoiceLineSpec:
    """One line to invoice. Amounts in kroner (Decimal); VAT defaults to the configured VAT."""

    description: str
    unit_price: Decimal
    quantity: Decimal = Decimal("1")
    unit_code: str = "EA"
    vat_category: str | None = None
    vat_rate: Decimal | None = None


def _line_values(spec: InvoiceLineSpec, vat: dict) -> dict:
    quantity = Decimal(spec.quantity)
    unit_price = to_money(spec.unit_price)
    if quantity <= 0:
        raise InvoicingError(gettext("Antall må være større enn null."))
    if unit_price < 0:
        raise InvoicingError(gettext("Enhetsprisen kan ikke være negativ."))
    if not spec.description.strip():
        raise InvoicingError(gettext("Hver fakturalinje må ha en beskrivelse."))
    category = spec.vat_category or vat["category"]
    rate = Decimal(spec.vat_rate) if spec.vat_rate is not None else vat["rate"]
    if category in ("O", "E", "Z", "AE", "K", "G") and rate != 0:
        raise InvoicingError(
            gettext("Mva-kategori %(category)s har sats 0.") % {"category": category}
        )
    if category == "S" and rate <= 0:  # EN 16931 BR-S-05: standard rate is above zero
        raise InvoicingError(gettext("Mva-kategori S må ha en sats over null."))
    return {
        "description": spec.description.strip()[:300],
        "quantity": to_money(quantity),
        "unit_code": spec.unit_code,
        "unit_price": unit_price,
        # Rounding: each line's net amount is quantity × price, half up to whole øre.
        "net_amount": to_money(quantity * unit_price),
        "vat_category": category,
        "vat_rate": to_money(rate),
        "vat_exemption_reason": (
            vat["exemption_reason"] if category == vat["category"] and rate == 0 else ""
        ),
    }


def build_draft(
    *,
    buyer,
    kind: str,
    document_type: str,
    lines: list[InvoiceLineSpec],
    issued_on: datetime.date,
    due_on: datetime.date,
    fakturareferanse: str,
    actor,
    source_key: str,
    credits: Invoice | None = None,
    credit_reason: str = "",
) -> tuple[Invoice, list[dict]]:
    """The unsaved, unnumbered invoice and its line values, checked line by line."""
    vat = conf.vat()
    values = [_line_values(spec, vat) for spec in lines]
    if not values:
        raise InvoicingError(gettext("En faktura må ha minst én linje."))
    categories = {v["vat_category"] for v in values}
    if "O" in categories and len(categories) > 1:
        # EN 16931 BR-O-11..14: "outside scope" cannot be mixed with other VAT categories.
        raise InvoicingError(gettext("Mva-kategori O kan ikke blandes med andre kategorier."))
    breakdown = vat_breakdown(values)
    net_total = sum((v["net_amount"] for v in values), ZERO)
    vat_total = sum((g["vat"] for g in breakdown), ZERO)
    invoice = Invoice(
        kind=kind,
        document_type=document_type,
        source_key=source_key,
        buyer=buyer,
        buyer_name=buyer.name,
        buyer_orgnr=buyer.orgnr,
        buyer_address=buyer.address,
        buyer_email=buyer.email,
        buyer_language=handlers.buyers().language(member=buyer),
        fakturareferanse=fakturareferanse,
        issued_on=issued_on,
        due_on=due_on,
        net_total=net_total,
        vat_total=vat_total,
        total=net_total + vat_total,
        credits=credits,
        credit_reason=credit_reason,
        created_by=actor,
    )
    return invoice, values


def _lines(invoice: Invoice, values: list[dict]) -> list[InvoiceLine]:
    return [InvoiceLine(invoice=invoice, position=i, **v) for i, v in enumerate(values, start=1)]


def create_invoice(invoice: Invoice, values: list[dict]) -> Invoice:
    """Number and save a draft with its lines (in the caller's transaction)."""
    series = conf.SERIES[invoice.document_type][0]
    assign_number(invoice, next_sequence(series=series, year=invoice.issued_on.year))
    invoice.save()
    InvoiceLine.objects.bulk_create(_lines(invoice, values))
    return invoice


@transaction.atomic
def invoice_issue(
    *,
    buyer,
    kind: str,
    lines: list[InvoiceLineSpec],
    issued_on: datetime.date,
    due_on: datetime.date | None = None,
    fakturareferanse: str,
    actor,
    source_key: str,
    deliver: bool = True,
) -> Invoice:
    """Issue an invoice to a member. Idempotent on `source_key` (e.g. "share:<participation
    id>", "access:<agreement id>"): issuing twice returns the first invoice. The number and the
    KID are taken in this transaction, so a rollback leaves no gap. Files and e-mail follow
    after commit (tasks.invoice_deliver)."""
    existing = Invoice.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    return _issue_new(
        buyer=buyer,
        kind=kind,
        lines=lines,
        issued_on=issued_on,
        due_on=due_on,
        fakturareferanse=fakturareferanse,
        actor=actor,
        source_key=source_key,
        deliver=deliver,
    )


def _issue_draft(
    *, buyer, kind, issued_on, due_on, fakturareferanse, **rest
) -> tuple[Invoice, list[dict]]:
    """The checked, unnumbered draft of a new invoice (`rest`: lines, actor, source_key);
    InvoicingError says what is wrong."""
    if kind not in Invoice.Kind.values:
        raise InvoicingError(gettext("Ukjent fakturatype: %(kind)s") % {"kind": kind})
    fakturareferanse = (fakturareferanse or "").strip()
    if not fakturareferanse:
        raise InvoicingError(
            gettext("Fakturareferanse må oppgis: offentlige kjøpere avviser fakturaer uten.")
        )
    if not buyer.orgnr:
        raise InvoicingError(gettext("%(buyer)s mangler organisasjonsnummer.") % {"buyer": buyer})
    due_on = due_on or issued_on + datetime.timedelta(days=conf.payment_terms_days())
    if due_on < issued_on:
        raise InvoicingError(gettext("Forfallsdatoen kan ikke være før fakturadatoen."))
    return build_draft(
        buyer=buyer,
        kind=kind,
        document_type=Invoice.DocumentType.INVOICE,
        issued_on=issued_on,
        due_on=due_on,
        fakturareferanse=fakturareferanse,
        **rest,
    )


def _issue_new(*, deliver: bool, **draft) -> Invoice:
    """invoice_issue once the caller knows no invoice has `source_key` yet (a concurrent one
    is still caught by the unique constraint)."""
    invoice, values = _issue_draft(**draft)
    # Serialise per source key: a concurrent caller with the same key waits for this one.
    try:
        with transaction.atomic():
            invoice = create_invoice(invoice, values)
    except IntegrityError:
        existing = Invoice.objects.filter(source_key=invoice.source_key).first()
        if existing is None:
            raise
        return existing
    if deliver:
        enqueue_delivery(invoice)
    return invoice


@dataclass
class InvoiceDraft:
    """A checked, unsaved and unnumbered invoice with its line values (invoice_draft)."""

    invoice: Invoice
    values: list[dict]


def invoice_draft(
    *,
    buyer,
    kind: str,
    lines: list[InvoiceLineSpec],
    issued_on: datetime.date,
    due_on: datetime.date | None = None,
    fakturareferanse: str,
    actor,
    source_key: str,
) -> InvoiceDraft:
    """The invoice invoice_issue would issue, checked but not saved: InvoicingError says what
    is wrong. For callers that issue many at once (invoices_create)."""
    return InvoiceDraft(
        *_issue_draft(
            buyer=buyer,
            kind=kind,
            lines=lines,
            issued_on=issued_on,
            due_on=due_on,
            fakturareferanse=fakturareferanse,
            actor=actor,
            source_key=source_key,
        )
    )


def invoices_create(*, drafts: list[InvoiceDraft], actor) -> list[Invoice]:
    """Number drafts of the same year consecutively under one lock of the counter and save them
    with their lines and history rows in bulk, in the caller's transaction: as many queries
    for one invoice as for four hundred. Files and e-mail are the caller's (invoices_deliver).
    The caller makes sure no invoice has a draft's source_key yet (the unique constraint
    refuses a duplicate)."""
    if not drafts:
        return []
    years = {d.invoice.issued_on.year for d in drafts}
    if len(years) != 1:
        raise ValueError("invoices_create numbers drafts of one year at a time")
    series = conf.SERIES[Invoice.DocumentType.INVOICE][0]
    first = next_sequence(series=series, year=years.pop(), count=len(drafts))
    for offset, draft in enumerate(drafts):
        assign_number(draft.invoice, first + offset)
    invoices = [d.invoice for d in drafts]
    bulk_create_with_history(invoices, Invoice, default_user=actor)
    InvoiceLine.objects.bulk_create(line for d in drafts for line in _lines(d.invoice, d.values))
    return invoices
