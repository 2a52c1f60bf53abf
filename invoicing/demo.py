"""Demo invoicing (idempotent, a few seconds): the 2018 share invoices behind the members demo's
invoiced and paid participations, their payments, a manual invoice with a credit note, a
reminder, and letters for the demo organisations.

The members demo already booked the share payments in the ledger (keys "demo:share:…"), so the
payments here are recorded on the invoices only (Payment rows, no second ledger entry). PDFs and
EHF files are rendered for the demo users' organisations only; the rest render on first
download."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from digifin.demo import current_member
from members.models import Member, Participation

from .models import Document, Invoice, Payment
from .selectors import organisation_lineage
from .services import (
    InvoiceLineSpec,
    _refresh_status,
    invoice_credit,
    invoice_issue,
    invoice_render_files,
    letter_create,
    reminder_create,
)

DEMO_ORGS = ["3405", "3440", "4601"]  # Lillehammer, Øyer, Bergen (the demo users)
TERMS = datetime.timedelta(days=30)


def load(*, stdout) -> None:
    from accounts.models import User

    actor = User.objects.filter(username="ks").first()
    participations = list(
        Participation.objects.filter(
            status__in=[Participation.Status.INVOICED, Participation.Status.PAID],
            share_amount__gt=0,
        )
        .exclude(Q(member__orgnr="") | Q(fakturareferanse=""))
        .select_related("member")
        .order_by("invoiced_on", "member__number")
    )
    if not participations:
        stdout.write("invoicing: ingen fakturerte deltakelser (kjør members-demoen først)")
        return
    created = _share_invoices(participations, actor)
    paid = _payments(participations, actor)
    demo_orgs = [current_member("kommune", n) for n in DEMO_ORGS]
    rendered = _render_for(demo_orgs)
    extras = _extras(demo_orgs, actor)
    stdout.write(
        f"invoicing: {created} andelsfakturaer opprettet, {paid} innbetalinger registrert, "
        f"{rendered} PDF/EHF laget, {extras} brev/kreditnota/purring"
    )


@transaction.atomic
def _share_invoices(participations, actor) -> int:
    have = set(
        Invoice.objects.filter(source_key__startswith="share:").values_list("source_key", flat=True)
    )
    created = 0
    for p in participations:
        key = f"share:{p.pk}"
        if key in have:
            continue
        issued_on = p.invoiced_on or datetime.date(2018, 1, 15)
        invoice_issue(
            buyer=p.member,
            kind=Invoice.Kind.MEMBER_SHARE,
            lines=[
                InvoiceLineSpec(
                    description=f"Engangsandel i DigiFin-ordningen for {p.member.name}",
                    unit_price=p.share_amount,
                )
            ],
            issued_on=issued_on,
            due_on=issued_on + TERMS,
            fakturareferanse=p.fakturareferanse,
            actor=actor,
            source_key=key,
            deliver=False,
        )
        created += 1
    return created


@transaction.atomic
def _payments(participations, actor) -> int:
    """Mirror what the members demo booked in the ledger as payments on the invoices."""
    from members.selectors import member_paid_amounts

    paid = member_paid_amounts(member_ids=[p.member_id for p in participations])
    invoices = {
        i.source_key: i
        for i in Invoice.objects.filter(source_key__in=[f"share:{p.pk}" for p in participations])
    }
    have = set(
        Payment.objects.filter(external_ref__startswith="demo:").values_list(
            "external_ref", flat=True
        )
    )
    rows = []
    for p in participations:
        amount = paid.get(p.member_id) or Decimal("0")
        invoice = invoices.get(f"share:{p.pk}")
        ref = f"demo:share:{p.pk}"
        if amount <= 0 or invoice is None or ref in have:
            continue
        rows.append(
            Payment(
                invoice=invoice,
                amount=min(amount, invoice.total),
                paid_on=p.paid_on or invoice.due_on,
                kid=invoice.kid,
                source=Payment.Source.MANUAL,
                external_ref=ref,
                note="Bokført i fondsregnskapet av medlemsdemoen.",
                recorded_by=actor,
            )
        )
    Payment.objects.bulk_create(rows)
    for payment in rows:
        _refresh_status(payment.invoice, paid_on=payment.paid_on)
    return len(rows)


def _render_for(orgs: list[Member]) -> int:
    ids = set()
    for org in orgs:
        ids |= organisation_lineage(member_id=org.pk)
    count = 0
    for invoice in Invoice.objects.filter(buyer_id__in=ids).filter(Q(pdf="") | Q(ehf_xml="")):
        invoice_render_files(invoice=invoice)
        count += 1
    return count


def _extras(orgs: list[Member], actor) -> int:
    lillehammer, oyer, bergen = orgs
    done = 0
    # A manual invoice to Bergen (a seminar), corrected by a credit note.
    seminar = invoice_issue(
        buyer=bergen,
        kind=Invoice.Kind.MANUAL,
        lines=[
            InvoiceLineSpec(
                description="Deltakelse, DigiFin-samling 2026",
                unit_price=Decimal("1500"),
                quantity=Decimal("3"),
            )
        ],
        issued_on=datetime.date(2026, 10, 5),
        fakturareferanse="4601-DIGI-2026",
        actor=actor,
        source_key="demo:manual:bergen-samling-2026",
        deliver=False,
    )
    if not seminar.credit_notes.exists():
        invoice_credit(
            invoice=seminar,
            actor=actor,
            reason="Én deltaker meldte avbud",
            lines=[
                InvoiceLineSpec(
                    description="Deltakelse, DigiFin-samling 2026 (avbud)",
                    unit_price=Decimal("1500"),
                )
            ],
            issued_on=datetime.date(2026, 10, 12),
        )
        done += 1
    for invoice in [seminar, *seminar.credit_notes.all()]:
        invoice_render_files(invoice=invoice)
    # A reminder for an unpaid share invoice (an invoiced, not paid participation).
    unpaid = (
        Invoice.objects.filter(
            kind=Invoice.Kind.MEMBER_SHARE, status=Invoice.Status.ISSUED, reminders__isnull=True
        )
        .order_by("number")
        .first()
    )
    if unpaid is not None and not Invoice.objects.filter(reminders__isnull=False).exists():
        reminder_create(invoice=unpaid, on=unpaid.due_on + datetime.timedelta(days=20), actor=actor)
        done += 1
    # Letters kept on the demo organisations: invitation (with the computed share) and
    # participation confirmation.
    for org in (lillehammer, oyer, bergen):
        for kind in (Document.Kind.INVITATION, Document.Kind.CONFIRMATION):
            key = f"demo:{kind}:{org.pk}"
            if not Document.objects.filter(source_key=key).exists():
                letter_create(member=org, kind=kind, actor=actor, source_key=key, email=False)
                done += 1
    return done
