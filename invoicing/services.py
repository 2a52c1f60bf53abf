"""Writes for invoicing: issue, credit, pay, render, e-mail. Every write takes the acting user.

The generic API other apps call (docs/invoicing.md):
    invoice_issue(*, buyer, kind, lines, issued_on, due_on=None, fakturareferanse, actor,
                  source_key) -> Invoice
    invoice_credit(*, invoice, actor, reason, lines=None, issued_on=None) -> Invoice
    register_payment(*, amount, paid_on, actor, invoice=None, kid="", ...) -> Payment
    register_payment_handler(kind, handler)  # handler(*, invoice, payment, actor)
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum, prefetch_related_objects
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext
from simple_history.utils import bulk_create_with_history

from core.money import format_nok, to_money

from . import conf
from .kid import make_kid
from .models import Document, Invoice, InvoiceLine, InvoiceNumberCounter, Payment, Reminder

log = logging.getLogger(__name__)

ZERO = Decimal("0.00")

# Sent after a payment is applied to an invoice of any kind (after the kind's handler ran).
invoice_paid = Signal()  # kwargs: invoice, payment, actor

_PAYMENT_HANDLERS: dict[str, Callable] = {}


class InvoicingError(ValueError):
    """An invoicing change the rules do not allow; the message is for the user."""


@dataclass(frozen=True)
class InvoiceLineSpec:
    """One line to invoice. Amounts in kroner (Decimal); VAT defaults to the configured VAT."""

    description: str
    unit_price: Decimal
    quantity: Decimal = Decimal("1")
    unit_code: str = "EA"
    vat_category: str | None = None
    vat_rate: Decimal | None = None


def register_payment_handler(kind: str, handler: Callable) -> None:
    """Let the app that owns an invoice kind react to its payments, e.g. repayments books the
    access-fee ledger entry: `handler(*, invoice, payment, actor)`, called in the payment's
    transaction once per payment (so make it idempotent on payment.pk). Call from ready()."""
    if kind not in Invoice.Kind.values:
        raise InvoicingError(gettext("Ukjent fakturatype: %(kind)s") % {"kind": kind})
    _PAYMENT_HANDLERS[kind] = handler


# --- numbering -------------------------------------------------------------------------------


def _next_sequence(*, series: str, year: int, count: int = 1) -> int:
    """The next gapless number in a series and year (the first of `count` consecutive ones).
    The counter row stays locked until the calling transaction ends, so each number is used by
    exactly one invoice or by none."""
    counter = InvoiceNumberCounter.objects.select_for_update().filter(series=series, year=year)
    row = counter.first()
    if row is None:
        try:
            with transaction.atomic():
                InvoiceNumberCounter.objects.create(series=series, year=year, last_number=0)
        except IntegrityError:
            pass  # created concurrently; lock it below
        row = counter.get()
    first = row.last_number + 1
    row.last_number += count
    row.save(update_fields=["last_number"])
    return first


# --- issue and credit --------------------------------------------------------------------------


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


def vat_breakdown(lines) -> list[dict]:
    """VAT per (category, rate): taxable amount and VAT, rounded half up to øre per group
    (EN 16931 BR-CO-17). `lines` are InvoiceLine objects or dicts."""
    groups: dict[tuple, dict] = {}
    for line in lines:
        get = line.get if isinstance(line, dict) else lambda k, _l=line: getattr(_l, k)
        key = (get("vat_category"), to_money(get("vat_rate")))
        group = groups.setdefault(
            key,
            {
                "category": key[0],
                "rate": key[1],
                "taxable": ZERO,
                "exemption_reason": get("vat_exemption_reason"),
            },
        )
        group["taxable"] += get("net_amount")
    for group in groups.values():
        group["vat"] = to_money(group["taxable"] * group["rate"] / 100)
    return list(groups.values())


def _invoice_draft(
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


def _number(invoice: Invoice, sequence: int) -> None:
    """Give a draft its number (series, year, sequence) and, for an invoice, its KID."""
    series, series_digit = conf.SERIES[invoice.document_type]
    year = invoice.issued_on.year
    invoice.series, invoice.year, invoice.sequence = series, year, sequence
    invoice.number = f"{series}{year}-{sequence:05d}"
    invoice.kid = (
        make_kid(series_digit=series_digit, year=year, sequence=sequence)
        if invoice.document_type == Invoice.DocumentType.INVOICE
        else ""
    )


def _lines(invoice: Invoice, values: list[dict]) -> list[InvoiceLine]:
    return [InvoiceLine(invoice=invoice, position=i, **v) for i, v in enumerate(values, start=1)]


def _create_invoice(invoice: Invoice, values: list[dict]) -> Invoice:
    """Number and save a draft with its lines (in the caller's transaction)."""
    series = conf.SERIES[invoice.document_type][0]
    _number(invoice, _next_sequence(series=series, year=invoice.issued_on.year))
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
    return _invoice_draft(
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
            invoice = _create_invoice(invoice, values)
    except IntegrityError:
        existing = Invoice.objects.filter(source_key=invoice.source_key).first()
        if existing is None:
            raise
        return existing
    if deliver:
        _enqueue_delivery(invoice)
    return invoice


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
    credit = _create_invoice(
        *_invoice_draft(
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
    _refresh_status(invoice)
    if invoice.kind == Invoice.Kind.MEMBER_SHARE and invoice.status == Invoice.Status.CREDITED:
        _reopen_share(invoice=invoice, actor=actor, reason=reason.strip())
    _enqueue_delivery(credit)
    return credit


def _reopen_share(*, invoice: Invoice, actor, reason: str) -> None:
    """A share invoice credited in full before payment: the participation is confirmed again so
    a corrected share can be invoiced (by the next batch or by hand)."""
    from members.models import Participation
    from members.services import participation_share_credited

    participation_pk = int(invoice.source_key.split(":")[1])
    participation = Participation.objects.filter(
        pk=participation_pk, status=Participation.Status.INVOICED
    ).first()
    if participation is not None:
        participation_share_credited(
            participation=participation,
            actor=actor,
            note=f"Andelsfaktura {invoice.number} kreditert: {reason}"[:300],
        )


def _enqueue_delivery(invoice: Invoice) -> None:
    from .tasks import invoice_deliver

    invoice_deliver.delay_on_commit(invoice.pk)


# --- payments --------------------------------------------------------------------------------


def invoice_paid_amount(*, invoice: Invoice) -> Decimal:
    return invoice.payments.aggregate(s=Sum("amount"))["s"] or ZERO


def invoice_balance(*, invoice: Invoice) -> Decimal:
    """Still owed (positive) or over-paid (negative): total − credited − paid."""
    credited = invoice.credit_notes.aggregate(s=Sum("total"))["s"] or ZERO
    return invoice.total - credited - invoice_paid_amount(invoice=invoice)


def _refresh_status(invoice: Invoice, paid_on: datetime.date | None = None) -> None:
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
    human (resolved=False). Share payments go to members (ledger + participation); other kinds
    go to the handler registered for the kind, then the `invoice_paid` signal is sent."""
    amount = to_money(amount)
    if amount <= 0:
        raise InvoicingError(gettext("Beløpet må være større enn null."))
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
        payment.resolved, payment.note = False, f"Delbetaling: {balance} gjenstår."
    elif balance < 0:
        payment.resolved, payment.note = False, f"Overbetaling: {-balance} for mye."
    if not payment.resolved:
        payment.save(update_fields=["resolved", "note"])
    _apply_to_owner(invoice=invoice, payment=payment, actor=actor)
    _refresh_status(invoice, paid_on=paid_on)
    invoice_paid.send(sender=Invoice, invoice=invoice, payment=payment, actor=actor)
    return payment


def _apply_to_owner(*, invoice: Invoice, payment: Payment, actor) -> None:
    if invoice.kind == Invoice.Kind.MEMBER_SHARE:
        from members.models import Participation
        from members.services import participation_register_payment

        participation = Participation.objects.get(member=invoice.buyer)
        participation_register_payment(
            participation=participation,
            amount=payment.amount,
            paid_on=payment.paid_on,
            actor=actor,
            reference=invoice.number,
            idempotency_key=f"invoicing-payment:{payment.pk}",
            subject=invoice,
        )
        return
    handler = _PAYMENT_HANDLERS.get(invoice.kind)
    if handler is not None:
        handler(invoice=invoice, payment=payment, actor=actor)


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


# --- member shares ---------------------------------------------------------------------------


@transaction.atomic
def share_invoice_issue(
    *,
    participation,
    issued_on: datetime.date,
    actor,
    deliver: bool = True,
    amount: Decimal | None = None,
) -> Invoice:
    """Invoice a confirmed member's share (idempotent: "share:<participation id>") and freeze
    the share in members: the one-participation case of share_invoices_issue, raising
    InvoicingError with the reason when it cannot. Files and e-mail follow after commit unless
    `deliver` is off."""
    result = share_invoices_issue(
        amounts={participation.pk: amount}, issued_on=issued_on, actor=actor
    )
    if participation.pk in result.refused:
        raise result.refused[participation.pk]
    invoice = result.invoices[participation.pk]
    if deliver and participation.pk in result.new:
        _enqueue_delivery(invoice)
    return invoice


def _share_key(participation_pk: int, earlier: int) -> str:
    """The source key of a participation's next share invoice after `earlier` ones: "share:<id>"
    for the first, then "share:<id>:2", "share:<id>:3", ... after each one credited in full."""
    return f"share:{participation_pk}" + (f":{earlier + 1}" if earlier else "")


def _share_lines(member, amount: Decimal) -> list[InvoiceLineSpec]:
    return [
        InvoiceLineSpec(
            description=f"Engangsandel i DigiFin-ordningen for {member.name}", unit_price=amount
        )
    ]


@dataclass
class SharesIssued:
    invoices: dict[int, Invoice]  # participation id → its standing share invoice
    new: set[int]  # the participations invoiced by this call
    refused: dict[int, InvoicingError]  # why the others could not be invoiced


@transaction.atomic
def share_invoices_issue(
    *, amounts: dict[int, Decimal | None], issued_on: datetime.date, actor
) -> SharesIssued:
    """Invoice the shares of confirmed participations and freeze them in members, numbered
    consecutively under one lock of the counter, in as many queries for one member as for four
    hundred (the invoice batch issues 50 at a time). `amounts` maps participation id to the share
    to invoice (members.selectors.shares_to_invoice, computed for the batch at once); a missing
    or zero amount is computed here (selectors.share_to_invoice: the member's share, or for a
    merged successor what its predecessors left unpaid). Idempotent: a participation's share
    invoice that stands (not credited in full) is its answer; after one credited in full the
    next is "share:<id>:2". Files and e-mail are the caller's."""
    from members.models import Participation
    from members.selectors import share_to_invoice
    from members.services import participations_mark_invoiced

    participations = list(
        Participation.objects.select_for_update(of=("self",))
        .select_related("member")
        .filter(pk__in=list(amounts))
        .order_by("pk")
    )
    earlier: dict[int, list[Invoice]] = {}
    for invoice in Invoice.objects.filter(
        buyer_id__in=[p.member_id for p in participations],
        document_type=Invoice.DocumentType.INVOICE,
        source_key__startswith="share:",
    ):
        earlier.setdefault(int(invoice.source_key.split(":")[1]), []).append(invoice)
    result, drafts = SharesIssued(invoices={}, new=set(), refused={}), []
    for participation in participations:
        mine = earlier.get(participation.pk, [])
        existing = next((i for i in mine if i.status != Invoice.Status.CREDITED), None)
        if existing is not None:
            result.invoices[participation.pk] = existing
            continue
        try:
            if participation.status != Participation.Status.CONFIRMED:
                raise InvoicingError(gettext("Bare bekreftede deltakelser kan faktureres."))
            amount = amounts[participation.pk]
            if amount is None or amount <= 0:
                amount = share_to_invoice(participation=participation)
            if amount <= 0:
                raise InvoicingError(
                    gettext("%(member)s har ingen andel å fakturere.")
                    % {"member": participation.member}
                )
            draft = _issue_draft(
                buyer=participation.member,
                kind=Invoice.Kind.MEMBER_SHARE,
                lines=_share_lines(participation.member, amount),
                issued_on=issued_on,
                due_on=None,
                fakturareferanse=participation.fakturareferanse,
                actor=actor,
                source_key=_share_key(participation.pk, len(mine)),
            )
        except InvoicingError as exc:
            result.refused[participation.pk] = exc
            continue
        drafts.append((participation, amount, *draft))
    if not drafts:
        return result
    series = conf.SERIES[Invoice.DocumentType.INVOICE][0]
    first = _next_sequence(series=series, year=issued_on.year, count=len(drafts))
    for offset, (_p, _a, invoice, _v) in enumerate(drafts):
        _number(invoice, first + offset)
    bulk_create_with_history([d[2] for d in drafts], Invoice, default_user=actor)
    InvoiceLine.objects.bulk_create(
        line for _p, _a, invoice, values in drafts for line in _lines(invoice, values)
    )
    participations_mark_invoiced(
        invoiced=[(p, amount) for p, amount, _i, _v in drafts], invoiced_on=issued_on, actor=actor
    )
    for participation, _a, invoice, _v in drafts:
        result.invoices[participation.pk] = invoice
        result.new.add(participation.pk)
    return result


# --- files -----------------------------------------------------------------------------------


def invoice_render_files(*, invoice: Invoice, force: bool = False) -> Invoice:
    """Generate and store the PDF and the EHF XML if missing (idempotent; the invoice row is
    locked so two workers never write the files twice)."""
    with transaction.atomic():
        invoice = _locked_with_lines(invoice)
        _render_files(invoice, force=force)
    return invoice


def _locked_with_lines(invoice: Invoice) -> Invoice:
    return (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("credits", "buyer", "created_by")
        .prefetch_related("lines")  # read by both the PDF and the EHF
        .get(pk=invoice.pk)
    )


def _render_files(invoice: Invoice, *, force: bool, save: bool = True) -> dict[str, bytes]:
    """Render what is missing (or everything, with `force`) and store the files. Returns the
    contents rendered now, by field name. The row is updated with a plain UPDATE of the file
    fields (allowed on an issued invoice, see Invoice.MUTABLE_FIELDS), or by the caller
    (`save=False`): generated files are not a change to the invoice, so they add no history
    row (docs/invoicing.md)."""
    from .ehf import invoice_xml
    from .pdf import invoice_pdf

    rendered = {}
    if force or not invoice.ehf_xml:
        rendered["ehf_xml"] = invoice_xml(invoice)
        invoice.ehf_xml.save(f"{invoice.number}.xml", ContentFile(rendered["ehf_xml"]), save=False)
    if force or not invoice.pdf:
        rendered["pdf"] = invoice_pdf(invoice)
        invoice.pdf.save(f"{invoice.number}.pdf", ContentFile(rendered["pdf"]), save=False)
    if rendered and save:
        Invoice.objects.filter(pk=invoice.pk).update(**{f: getattr(invoice, f) for f in rendered})
    return rendered


def _read(field) -> bytes:
    with field.open("rb") as fh:
        return fh.read()


def invoice_deliver(*, invoice: Invoice) -> Invoice:
    """Files, the document on the member and one e-mail, each once (invoices_deliver); the
    error of a failed e-mail is raised."""
    failed = invoices_deliver(invoices=[invoice])
    if failed:
        raise failed[invoice.pk]
    return invoice


def invoices_deliver(*, invoices: list[Invoice]) -> dict[int, Exception]:
    """Deliver invoices: their PDF and EHF files and their documents on the members, committed
    together with the claims of their e-mails, then the e-mails. Each step is idempotent under
    the invoices' row locks, so a rerun or a concurrent duplicate makes nothing twice. The same
    dozen queries deliver one invoice or ten (a batch task delivers a few at a time). The
    invoices as the caller loaded them, best with buyer and creator. Returns invoice id → error
    for the e-mails the mail server refused (recorded on their OutgoingEmail rows)."""
    from . import mail

    by_pk = {invoice.pk: invoice for invoice in invoices}
    with transaction.atomic():
        # Lock the rows and read their committed state: a duplicate waits here, then finds the
        # files, documents and claims made.
        locked = Invoice.objects.select_for_update().filter(pk__in=by_pk).order_by("pk")
        for pk, pdf, ehf_xml, emailed_at in locked.values_list(
            "pk", "pdf", "ehf_xml", "emailed_at"
        ):
            invoice = by_pk[pk]
            invoice.pdf, invoice.ehf_xml, invoice.emailed_at = pdf, ehf_xml, emailed_at
        missing = [i for i in invoices if not (i.pdf and i.ehf_xml)]
        prefetch_related_objects(missing, "lines")  # read by both the PDF and the EHF
        rendered = {i.pk: _render_files(i, force=False, save=False) for i in missing}
        if missing:
            Invoice.objects.bulk_update(missing, ["pdf", "ehf_xml"])
        documents = _invoice_documents(invoices)
        claimed = mail.claim_many(
            [
                _invoice_message(i, documents[i.pk], rendered.get(i.pk, {}))
                for i in invoices
                if i.emailed_at is None and i.buyer_email
            ]
        )
    sent, failed = [], {}
    for record, message in claimed:
        try:
            mail.send_claimed(record, message)
        except Exception as exc:  # recorded on the row; the caller reports it
            failed[message.invoice.pk] = exc
        else:
            sent.append(record)
    if sent:
        # Recorded by the e-mail rows themselves; a plain UPDATE like the files (no history).
        emailed_at = mail.mark_sent(sent)
        Invoice.objects.filter(pk__in=[r.invoice_id for r in sent]).update(emailed_at=emailed_at)
        for record in sent:
            by_pk[record.invoice_id].emailed_at = emailed_at
    return failed


def _invoice_documents(invoices: list[Invoice]) -> dict[int, Document]:
    """Invoice id → its document on the member (the PDF), created where missing."""
    keys = {f"invoice:{i.pk}": i for i in invoices}
    documents = {d.invoice_id: d for d in Document.objects.filter(source_key__in=keys)}
    new = [
        Document(
            member=i.buyer,
            kind=Document.Kind.INVOICE,
            title=f"{i.get_document_type_display()} {i.number}"[:200],
            source_key=key,
            invoice=i,
            file=i.pdf.name,
            created_by=i.created_by,
        )
        for key, i in keys.items()
        if i.pk not in documents
    ]
    documents.update({d.invoice_id: d for d in Document.objects.bulk_create(new)})
    return documents


def _invoice_message(invoice: Invoice, document: Document, rendered: dict):
    from .mail import Message

    kind = "Kreditnota" if invoice.is_credit_note else "Faktura"
    return Message(
        key=f"invoice:{invoice.pk}",
        to=invoice.buyer_email,
        subject=f"{kind} {invoice.number} fra KS (DigiFin)",
        body=(
            f"Vedlagt er {kind.lower()} {invoice.number} på "
            f"{format_nok(invoice.total, decimals=True)}"
            f" (deres referanse {invoice.fakturareferanse})."
            + (
                ""
                if invoice.is_credit_note
                else f" KID: {invoice.kid}, forfall {invoice.due_on:%d.%m.%Y}."
            )
            + "\n\nEHF-fakturaen sendes også via PEPPOL.\n\nVennlig hilsen\nKS, DigiFin"
        ),
        attachments=[
            (f"{invoice.number}.pdf", rendered.get("pdf") or _read(invoice.pdf), "application/pdf"),
            (
                f"{invoice.number}.xml",
                rendered.get("ehf_xml") or _read(invoice.ehf_xml),
                "application/xml",
            ),
        ],
        document=document,
        invoice=invoice,
    )


# --- documents and letters -------------------------------------------------------------------

LETTER_TITLES = {
    Document.Kind.INVITATION: "Invitasjon til å delta i DigiFin",
    Document.Kind.CONFIRMATION: "Bekreftelse på deltakelse i DigiFin",
    Document.Kind.DECISION: "Vedtak",
    Document.Kind.ACCESS_CONFIRMATION: "Bekreftelse på tilgang til løsning",
    Document.Kind.REMINDER: "Purring",
}


@transaction.atomic
def document_store(
    *,
    member,
    kind: str,
    title: str,
    source_key: str,
    file_name: str,
    content: bytes | None,
    actor,
    invoice: Invoice | None = None,
) -> Document:
    """Keep a file on the member, once per source_key. For an invoice the file is its PDF."""
    existing = Document.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    document = Document(
        member=member,
        kind=kind,
        title=title[:200],
        source_key=source_key,
        invoice=invoice,
        created_by=actor,
    )
    if content is None and invoice is not None:
        document.file.name = invoice.pdf.name
    else:
        document.file.save(file_name, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        return Document.objects.get(source_key=source_key)
    return document


def letter_context(*, member, kind: str, extra: dict | None = None) -> dict:
    """What a letter template needs; the invitation shows the member's computed share."""
    context = dict(extra or {})
    if kind == Document.Kind.INVITATION and "share" not in context:
        from members.selectors import member_share

        context["share"] = member_share(member=member)
    participation = getattr(member, "participation", None)
    context.setdefault("participation", participation)
    return context


def letter_preview_html(*, member, kind: str, extra: dict | None = None) -> str:
    from .pdf import letter_html

    return letter_html(
        template=kind, member=member, context=letter_context(member=member, kind=kind, extra=extra)
    )


def letter_create(
    *, member, kind: str, actor, source_key: str, extra: dict | None = None, email: bool = True
) -> Document:
    """Render a letter to PDF, keep it on the member and e-mail it once (idempotent on
    source_key, e.g. "invitation:<member id>")."""
    from .mail import send_once
    from .pdf import html_to_pdf

    document = Document.objects.filter(source_key=source_key).first()
    if document is None:
        pdf = html_to_pdf(letter_preview_html(member=member, kind=kind, extra=extra))
        title = f"{LETTER_TITLES[kind]} – {member.name}"
        document = document_store(
            member=member,
            kind=kind,
            title=title,
            source_key=source_key,
            file_name=f"{kind}-{member.number or member.pk}.pdf",
            content=pdf,
            actor=actor,
            invoice=(extra or {}).get("invoice"),
        )
    if email and member.email:
        document.file.open("rb")
        content = document.file.read()
        document.file.close()
        send_once(
            key=f"document:{document.pk}",
            to=member.email,
            subject=f"{document.title} (KS, DigiFin)",
            body=f"Vedlagt er {document.title.lower()}.\n\nVennlig hilsen\nKS, DigiFin",
            attachments=[(f"{kind}.pdf", content, "application/pdf")],
            document=document,
        )
    return document


# --- reminders -------------------------------------------------------------------------------


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
