"""Demo participation across the real 2017 members (idempotent, bulk where it can be).

Most 2017 kommuner and fylkeskommuner confirmed in autumn 2017, were invoiced in early 2018 and
paid (the KS web page says members have paid over NOK 110 M); some are invited only, a few
declined, some paid in part. Lillehammer, Gausdal and Øyer follow the seeds (2017K2 basis).
Payments are booked with fund.services.ledger_record (idempotency keys), so the ledger
stays the single source of what was paid.

load_invoices (run by load_demo after the repayments demo) adds the invoices behind them, and
current_member gives the demo users their organisations."""

import datetime
import random
import uuid
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q, Sum

from accounts.models import User
from core.money import round_kroner
from fund.models import CapitalSource, LedgerEntry
from fund.services import commitment_record, ledger_record
from invoicing.models import Document, Invoice, Payment
from invoicing.services import (
    InvoiceLineSpec,
    invoice_credit,
    invoice_issue,
    invoice_render_files,
    letter_create,
    payments_record_booked,
    reminder_create,
)

from .invoicing import organisation_lineage
from .models import Member, Participation, ParticipationCorrespondence, ParticipationEvent
from .selectors import STRUCTURE_DATES, _Book, member_paid_amounts, members_at
from .services import participation_record_email

S = Participation.Status
# The ten largest kommuner (1 January 2017) backed the scheme (Storbynettverket, letter of
# 2 June 2017) with 35 M as their 20 kr shares: they paid, and the commitment names them.
BIG_CITIES = {"0301", "1201", "1601", "1103", "0219", "1001", "0106", "1102", "1902", "0602"}
CITIES_COMMITMENT = {
    "year": 2017,
    "amount": Decimal("35000000"),
    "reference": "Storbynettverket og de 10 største kommunene, brev til KS 2. juni 2017",
    "conditions": (
        "De 10 største kommunenes andel av den frivillige ordningen (20 kr per innbygger): "
        "deres egne andeler lovet på forhånd, ikke penger i tillegg."
    ),
}
SEEDED = {
    # number: (decided_on, decision_reference)
    "0501": (datetime.date(2017, 11, 23), "Lillehammer kommunestyre, sak 17/2201"),
    "0522": (datetime.date(2017, 11, 30), "Gausdal kommunestyre, sak 17/2209"),
    "0521": (datetime.date(2017, 11, 30), "Øyer kommunestyre, arkivsak 17/2218"),
}
DECLINED = {"1151", "1856", "2024", "1632", "1739", "0436"}  # Utsira, Røst, Berlevåg, ...


def _plan(member: Member, rnd: random.Random) -> str:
    if member.number in SEEDED or member.number in BIG_CITIES:
        return S.PAID
    if member.number in DECLINED:
        return S.DECLINED
    roll = rnd.random()
    if member.kind == Member.Kind.FYLKESKOMMUNE:
        return S.PAID if roll < 0.85 else S.INVOICED
    if roll < 0.80:
        return S.PAID
    if roll < 0.85:
        return "partial"
    if roll < 0.89:
        return S.INVOICED
    if roll < 0.92:
        return S.CONFIRMED
    return S.INVITED


def _day(rnd: random.Random, start: datetime.date, days: int) -> datetime.date:
    day = start + datetime.timedelta(days=rnd.randrange(days))
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def load(*, stdout) -> None:
    members = list(
        members_at(on=STRUCTURE_DATES["2017"])
        .filter(billed_with__isnull=True)
        .order_by("kind", "number")
    )
    if not members:
        stdout.write("members: ingen referansedata; kjør load_reference_data først")
        return
    with transaction.atomic():
        created = _participations(members)
    paid = _payments(members)
    stdout.write(
        f"members: {created} deltakelser opprettet; innbetalt fra medlemmer {paid:,.0f} kr".replace(
            ",", " "
        )
    )
    _answers_by_email(stdout=stdout)
    _cities_commitment(members, stdout=stdout)


def _cities_commitment(members: list[Member], *, stdout) -> None:
    """The ten cities' 35 M as a members' commitment naming them (idempotent): fulfilled by
    their share payments, never counted on top of the members' shares."""
    cities = [m for m in members if m.kind == Member.Kind.KOMMUNE and m.number in BIG_CITIES]
    commitment_record(
        source=CapitalSource.MEMBERS,
        members=cities,
        actor=User.objects.filter(username="ks").first(),
        **CITIES_COMMITMENT,
    )
    stdout.write(f"members: tilsagn fra de {len(cities)} største kommunene registrert")


# The e-mailed decision KS keeps with a confirmation (a one-page PDF).
DEMO_DECISION_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _answers_by_email(*, stdout) -> None:
    """KS records, through the staff page's service, a confirmation (with the e-mailed decision
    as PDF) and a decline from two kommuner that were invited and answered by e-mail in
    November 2026. Once: skipped when any e-mailed answer is recorded."""
    ks = User.objects.filter(username="ks").first()
    if ks is None or ParticipationCorrespondence.objects.exists():
        return
    invited = list(
        Participation.objects.filter(
            status=S.INVITED, member__valid_to__isnull=True, member__kind=Member.Kind.KOMMUNE
        )
        .select_related("member")
        .order_by("member__number")[:2]
    )
    if len(invited) < 2:
        return
    answers = [
        ("confirmation", datetime.date(2026, 11, 18), "2026/1187-4", "Vedtak kommunestyret.pdf"),
        ("decline", datetime.date(2026, 11, 24), "26/2231", "Svar på invitasjon.pdf"),
    ]
    for participation, (kind, received, reference, file_name) in zip(invited, answers, strict=True):
        member = participation.member
        extra = {}
        if kind == "confirmation":
            extra = {
                "fakturareferanse": f"{member.number}-DIGIFIN",
                "decided_on": datetime.date(2026, 11, 12),
                "contact_name": "Rådmannens stab",
                "contact_email": f"postmottak@{member.number}.demo.digifin.no",
            }
        participation_record_email(
            member=member,
            kind=kind,
            received_on=received,
            reference=reference,
            upload=SimpleUploadedFile(file_name, DEMO_DECISION_PDF),
            submission_key=uuid.uuid5(uuid.NAMESPACE_URL, f"digifin-demo:email:{member.pk}"),
            actor=ks,
            **extra,
        )
        label = "bekreftelse" if kind == "confirmation" else "avslag"
        stdout.write(f"members: KS registrerte {label} fra e-post for {member}")


def _participations(members: list[Member]) -> int:
    have = set(Participation.objects.values_list("member_id", flat=True))
    book = _Book.everything()
    rnd = random.Random(2017)
    rows, plans = [], {}
    invited_on = datetime.date(2017, 9, 1)
    for m in members:
        plan = _plan(m, rnd)
        plans[m.pk] = plan
        if m.pk in have:
            continue
        decided, reference = SEEDED.get(
            m.number,
            (_day(rnd, datetime.date(2017, 10, 2), 80), f"Sak {rnd.randrange(20, 140)}/17"),
        )
        p = Participation(member=m, invited_on=invited_on)  # status set below, before save
        status = S.CONFIRMED if plan == "partial" else plan
        if status != S.INVITED and status != S.DECLINED:
            p.decided_on, p.decision_reference = decided, reference
            p.fakturareferanse = f"{m.number}-DIGIFIN"
            p.contact_name = "Rådmannens stab"
            p.contact_email = f"postmottak@{m.number}.demo.digifin.no"
        if status == S.DECLINED:
            p.declined_on = decided
        if plan in (S.INVOICED, S.PAID, "partial"):
            p.share_amount = book.share(m.pk)
            p.invoiced_on = _day(rnd, datetime.date(2018, 1, 15), 45)
            status = S.INVOICED
        if plan == S.PAID:
            p.paid_on = p.invoiced_on + datetime.timedelta(days=rnd.randrange(14, 90))
            if rnd.random() < 0.04:  # a few late payers
                p.paid_on = _day(rnd, datetime.date(2019, 3, 1), 600)
            status = S.PAID
        p.__dict__["status"] = status  # bulk demo rows: FSM-protected field set once, unsaved
        rows.append(p)
    Participation.objects.bulk_create(rows)
    created = {
        p.member_id: p
        for p in Participation.objects.filter(member_id__in=[r.member_id for r in rows])
    }
    events = []
    for p in created.values():
        path = [S.INVITED]
        if p.status == S.DECLINED:
            path.append(S.DECLINED)
        elif p.status != S.INVITED:
            path.append(S.CONFIRMED)
            if p.status in (S.INVOICED, S.PAID):
                path.append(S.INVOICED)
            if p.status == S.PAID:
                path.append(S.PAID)
        for a, b in zip(path, path[1:], strict=False):
            events.append(
                ParticipationEvent(participation=p, from_status=a, to_status=b, note="Demodata")
            )
    ParticipationEvent.objects.bulk_create(events)
    return len(rows)


@transaction.atomic
def _payments(members: list[Member]) -> Decimal:
    """Book the payments of invoiced and paid participations (idempotent by key)."""
    participations = Participation.objects.filter(
        member__in=members, status__in=[S.INVOICED, S.PAID]
    ).select_related("member")
    keys = set(
        LedgerEntry.objects.filter(idempotency_key__startswith="demo:share:").values_list(
            "idempotency_key", flat=True
        )
    )
    for p in participations.order_by("member__number"):
        key = f"demo:share:{p.member.kind}:{p.member.number}"
        rnd = random.Random(key)  # the same choices on every run, whatever else changed
        partial = rnd.random() < 0.5  # of the invoiced: half paid in part
        if key in keys:
            continue
        if p.status == S.PAID:
            amount, day = p.share_amount, p.paid_on
        elif partial:
            amount = round_kroner(p.share_amount * Decimal(rnd.choice(["0.25", "0.5", "0.6"])))
            day = p.invoiced_on + datetime.timedelta(days=30)
        else:
            continue
        if amount <= 0:
            continue
        ledger_record(
            kind=LedgerEntry.Kind.MEMBER_SHARE,
            source=CapitalSource.MEMBERS,
            amount=amount,
            occurred_on=day,
            description=f"Andel {p.member} (faktura {p.invoiced_on:%d.%m.%Y})",
            member=p.member,
            idempotency_key=key,
        )
    return LedgerEntry.objects.filter(source=CapitalSource.MEMBERS).aggregate(t=Sum("amount"))[
        "t"
    ] or Decimal(0)


# --- demo organisations ------------------------------------------------------------------------

# Only used when reference data is absent (a bare foundation): real numbers and orgnr.
_FALLBACK_MEMBERS = {
    "3405": ("Lillehammer", "945578564"),
    "3440": ("Øyer", "961381185"),
    "4601": ("Bergen", "964338531"),
    "5001": ("Trondheim", "942110464"),
}


def current_member(kind: str, number: str) -> Member:
    """A demo organisation: the member of this kind and number valid today, created from the
    fallback list on a bare foundation (no reference data)."""
    member = (
        Member.objects.filter(kind=kind, number=number, valid_to__isnull=True)
        .order_by("-valid_from")
        .first()
    )
    if member is None:
        name, orgnr = _FALLBACK_MEMBERS[number]
        member = Member.objects.create(
            kind=kind, number=number, name=name, orgnr=orgnr, valid_from=datetime.date(2020, 1, 1)
        )
    return member


# --- invoicing ----------------------------------------------------------------------------------
# The 2018 share invoices behind the invoiced and paid participations above, their payments, a
# manual invoice with a credit note, a reminder, and letters for the demo organisations.
# load() already booked the share payments in the ledger (keys "demo:share:…"), so the payments
# here are recorded on the invoices only (invoicing.services.payments_record_booked: Payment
# rows, no second ledger entry). PDFs and EHF files are rendered for the demo users'
# organisations only; the rest render on first download.

DEMO_ORGS = ["3405", "3440", "4601"]  # Lillehammer, Øyer, Bergen (the demo users)
TERMS = datetime.timedelta(days=30)


def load_invoices(*, stdout) -> None:
    """The invoicing demo (load_demo runs it after the repayments demo)."""
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
    paid = _share_payments(participations, actor)
    demo_orgs = [current_member("kommune", n) for n in DEMO_ORGS]
    rendered = _render_for(demo_orgs)
    extras = _invoice_extras(demo_orgs, actor)
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
def _share_payments(participations, actor) -> int:
    """Mirror what the members demo booked in the ledger as payments on the invoices."""
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
    payments_record_booked(payments=rows)
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


def _invoice_extras(orgs: list[Member], actor) -> int:
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
