"""Demo participation across the real 2017 members (idempotent, bulk where it can be).

Most 2017 kommuner and fylkeskommuner confirmed in autumn 2017, were invoiced in early 2018 and
paid (the KS web page says members have paid over NOK 110 M); some are invited only, a few
declined, some paid in part. Lillehammer, Gausdal and Øyer follow the seeds (2017K2 basis).
The money goes the way real money does: the shares are invoiced through the share-invoice service
(members.invoicing.share_invoices_issue) and paid through invoicing's one door
(invoicing.services.register_payment), whose member_share handler books each payment in the
fund's ledger and marks the participation paid. So the demo reconciles honestly
(overview/reconciliation.py) with no exemption for demo rows.

load_invoices (run by load_demo after the repayments demo) adds letters, a credit note and a
reminder, and current_member gives the demo users their organisations."""

import dataclasses
import datetime
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from accounts.identity import token_digest
from accounts.models import Invitation, User
from core.money import round_kroner
from fund.models import CapitalSource, LedgerEntry
from fund.services import commitment_record
from invoicing.models import Document, Invoice, Payment
from invoicing.services import (
    InvoiceLineSpec,
    invoice_credit,
    invoice_issue,
    invoice_render_files,
    letter_create,
    register_payment,
    reminder_create,
)

from .enhetsregisteret import RegisterError, fixture_lookup
from .invoicing import organisation_lineage, share_invoices_issue
from .models import (
    Maalform,
    Member,
    Participation,
    ParticipationCorrespondence,
    ParticipationEvent,
    RegisterRefresh,
)
from .register import register_refresh_apply, register_refresh_fetch
from .selectors import STRUCTURE_DATES, _Book, members_at
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
    actor = User.objects.filter(username="ks").first()
    _register(actor, stdout=stdout)
    # One transaction: a run that stops halfway leaves nothing, and the next run starts over.
    with transaction.atomic():
        plans = _participations(members)
        invoiced = _share_invoices(plans, actor)
        payments = _share_payments(plans, actor)
    paid = LedgerEntry.objects.filter(source=CapitalSource.MEMBERS).aggregate(t=Sum("amount"))[
        "t"
    ] or Decimal(0)
    stdout.write(
        f"members: {len(plans)} deltakelser opprettet, {invoiced} andelsfakturaer, "
        f"{payments} innbetalinger; innbetalt fra medlemmer {paid:,.0f} kr".replace(",", " ")
    )
    _answers_by_email(stdout=stdout)
    _cities_commitment(members, stdout=stdout)
    _user_invitations(stdout=stdout)


# Persons KS has invited to log in with ID-porten (issue 21): one waiting (its link works in
# the demo: /konto/invitasjon/demo-invitasjon-oyer/), one used, one expired, one withdrawn.
# (token, name, e-mail, kommunenummer 2024, state, days from today to its last valid day)
DEMO_USER_INVITATIONS = [
    ("demo-invitasjon-oyer", "Marte Lien", "marte.lien@oyer.kommune.no", "3440", "valid", 12),
    (
        "demo-invitasjon-lillehammer",
        "Lars Haugen",
        "lillehammer@demo.digifin.no",
        "3405",
        "used",
        5,
    ),
    ("demo-invitasjon-bergen", "Sindre Vik", "sindre.vik@bergen.kommune.no", "4601", "expired", -3),
    ("demo-invitasjon-bergen-2", "Hanne Moe", "hanne.moe@bergen.kommune.no", "4601", "revoked", 20),
]


def _user_invitations(*, stdout) -> None:
    """KS's list of invitations to persons (idempotent: keyed by the demo link's token)."""
    actor = User.objects.filter(username="ks").first()
    today = timezone.localdate()
    made = 0
    for token, name, email, number, state, days in DEMO_USER_INVITATIONS:
        digest = token_digest(token)
        if Invitation.objects.filter(token_digest=digest).exists():
            continue
        last_day = datetime.datetime.combine(
            today + datetime.timedelta(days=days), datetime.time(23, 59, 59)
        )
        invitation = Invitation.objects.create(
            token_digest=digest,
            name=name,
            email=email,
            organisation=current_member("kommune", number),
            expires_at=timezone.make_aware(last_day),
            created_by=actor,
        )
        if state == "used":
            invitation.used_at = timezone.now() - datetime.timedelta(days=2)
            invitation.used_by = User.objects.filter(username="lillehammer").first()
        elif state == "revoked":
            invitation.revoked_at = timezone.now() - datetime.timedelta(days=1)
        invitation.save()
        made += 1
    stdout.write(f"members: {made} brukerinvitasjoner opprettet")


DEMO_REGISTER_NOTE = "Demodata: Enhetsregisteret-fixturene (members/data/enhetsregisteret)"
# Bergen kommune's målvedtak is «nøytral»; the register knows only bokmål and nynorsk, so KS
# sets it (KS's setting wins over the register's).
KS_MAALFORM = {"4601": Maalform.NOYTRAL}


def _register(actor, *, stdout) -> None:
    """Addresses, organisasjonsform and målform from the Enhetsregisteret fixtures, through
    the same look-up and apply as KS's refresh, reading the fixture files (no network); once,
    before the share invoices, so every invoice carries its buyer's postal address."""
    if not RegisterRefresh.objects.filter(note=DEMO_REGISTER_NOTE).exists():
        with transaction.atomic():
            refresh = RegisterRefresh.objects.create(created_by=actor, note=DEMO_REGISTER_NOTE)
            refresh = register_refresh_fetch(refresh=refresh, lookup=fixture_lookup())
            register_refresh_apply(refresh=refresh, actor=actor)
        stdout.write(
            f"members: {len(refresh.changes)} medlemmer fikk adresse og målform fra "
            "Enhetsregisteret (fixturene)"
        )
    _register_pending(actor, stdout=stdout)
    for number, maalform in KS_MAALFORM.items():
        Member.objects.filter(kind=Member.Kind.KOMMUNE, number=number, maalform="").update(
            maalform=maalform
        )


DEMO_PENDING_NOTE = "Demodata: ny henting med forskjeller til kontroll"
PENDING_NUMBERS = ["3405", "3440", "3407", "4601", "4621"]  # Lillehammer … Gjøvik, Voss


def _register_pending(actor, *, stdout) -> None:
    """A later look-up waiting for KS: the register has a new postal address for Gjøvik, and
    Voss did not answer in time (so KS sees a difference and a failure); once."""
    if RegisterRefresh.objects.filter(note=DEMO_PENDING_NOTE).exists():
        return
    members = Member.objects.filter(
        kind=Member.Kind.KOMMUNE, number__in=PENDING_NUMBERS, valid_to__isnull=True
    )
    fixtures = fixture_lookup()

    def lookup(orgnr: str):
        entry = fixtures(orgnr)
        if entry.name == "GJØVIK KOMMUNE":
            return dataclasses.replace(entry, address_lines=("Rådhuset", "Postboks 4"))
        if entry.name == "VOSS KOMMUNE":
            raise RegisterError("Enhetsregisteret svarte ikke innen 10 sekunder.")
        return entry

    refresh = RegisterRefresh.objects.create(
        created_by=actor,
        note=DEMO_PENDING_NOTE,
        member_ids=list(members.values_list("pk", flat=True)),
    )
    register_refresh_fetch(refresh=refresh, lookup=lookup)
    stdout.write("members: en henting fra Enhetsregisteret venter på KS' kontroll")


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


@dataclass
class _Plan:
    """What the demo lets happen to a new participation after it is confirmed."""

    plan: str  # invoiced, paid, partial (or confirmed/invited/declined: nothing more)
    invoiced_on: datetime.date | None = None
    paid_on: datetime.date | None = None


def _participations(members: list[Member]) -> dict[int, _Plan]:
    """Create the participations that are missing, as invited, declined or confirmed (the
    decision is the member's, recorded as data); invoicing and payment follow through the
    services. Participation id → its plan, for the new ones."""
    have = set(Participation.objects.values_list("member_id", flat=True))
    rnd = random.Random(2017)
    rows, plans = [], {}
    invited_on = datetime.date(2017, 9, 1)
    for m in members:
        plan = _plan(m, rnd)
        if m.pk in have:
            continue
        decided, reference = SEEDED.get(
            m.number,
            (_day(rnd, datetime.date(2017, 10, 2), 80), f"Sak {rnd.randrange(20, 140)}/17"),
        )
        p = Participation(member=m, invited_on=invited_on)  # status set below, before save
        status = plan if plan in (S.INVITED, S.DECLINED) else S.CONFIRMED
        if status == S.CONFIRMED:
            p.decided_on, p.decision_reference = decided, reference
            p.fakturareferanse = f"{m.number}-DIGIFIN"
            p.contact_name = "Rådmannens stab"
            p.contact_email = f"postmottak@{m.number}.demo.digifin.no"
        if status == S.DECLINED:
            p.declined_on = decided
        future = _Plan(plan)
        if plan in (S.INVOICED, S.PAID, "partial"):
            future.invoiced_on = _day(rnd, datetime.date(2018, 1, 15), 45)
        if plan == S.PAID:
            future.paid_on = future.invoiced_on + datetime.timedelta(days=rnd.randrange(14, 90))
            if rnd.random() < 0.04:  # a few late payers
                future.paid_on = _day(rnd, datetime.date(2019, 3, 1), 600)
        if plan == "partial":
            future.paid_on = future.invoiced_on + datetime.timedelta(days=30)
        p.__dict__["status"] = status  # bulk demo rows: FSM-protected field set once, unsaved
        rows.append(p)
        plans[m.pk] = future
    Participation.objects.bulk_create(rows)
    created = {
        p.member_id: p
        for p in Participation.objects.filter(member_id__in=[r.member_id for r in rows])
    }
    events = []
    for p in created.values():
        path = [S.INVITED] if p.status == S.INVITED else [S.INVITED, p.status]
        for a, b in zip(path, path[1:], strict=False):
            events.append(
                ParticipationEvent(participation=p, from_status=a, to_status=b, note="Demodata")
            )
    ParticipationEvent.objects.bulk_create(events)
    return {created[mid].pk: plan for mid, plan in plans.items()}


def _share_invoices(plans: dict[int, _Plan], actor) -> int:
    """Invoice the shares the way KS does (the share-invoice service: numbered, KID, the
    participation marked invoiced), on the day each was invoiced in early 2018."""
    by_day: dict[datetime.date, list[int]] = {}
    for pk, plan in plans.items():
        if plan.invoiced_on is not None:
            by_day.setdefault(plan.invoiced_on, []).append(pk)
    book = _Book.everything()
    member_of = dict(
        Participation.objects.filter(
            pk__in=[pk for pks in by_day.values() for pk in pks]
        ).values_list("pk", "member_id")
    )
    count = 0
    for day in sorted(by_day):
        result = share_invoices_issue(
            amounts={pk: book.share(member_of[pk]) for pk in sorted(by_day[day])},
            issued_on=day,
            actor=actor,
        )
        count += len(result.new)
    return count


def _share_payments(plans: dict[int, _Plan], actor) -> int:
    """Pay the invoiced shares through invoicing's one door (register_payment): its handler
    books each payment in the fund's ledger and marks the participation paid."""
    invoices = {
        int(i.source_key.split(":")[1]): i
        for i in Invoice.objects.filter(
            source_key__in=[f"share:{pk}" for pk in plans], kind=Invoice.Kind.MEMBER_SHARE
        )
    }
    count = 0
    for pk in sorted(plans, key=lambda pk: (plans[pk].paid_on or datetime.date.max, pk)):
        plan, invoice = plans[pk], invoices.get(pk)
        if invoice is None or plan.paid_on is None:
            continue
        amount = invoice.total
        if plan.plan == "partial":
            rnd = random.Random(f"demo:share:{pk}")  # the same part on every run
            amount = round_kroner(invoice.total * Decimal(rnd.choice(["0.25", "0.5", "0.6"])))
        if amount <= 0:
            continue
        register_payment(
            amount=amount,
            paid_on=plan.paid_on,
            actor=actor,
            invoice=invoice,
            reference=f"Innbetaling {invoice.number}",
            payer=invoice.buyer_name,
            external_ref=f"demo:share:{pk}",
        )
        count += 1
    return count


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
# The 2018 share invoices and their payments are load()'s (through the services). Here: a manual
# invoice with a credit note, a reminder, and letters for the demo organisations. PDFs and EHF
# files are rendered for the demo users' organisations only; the rest render on first download.

DEMO_ORGS = ["3405", "3440", "4601"]  # Lillehammer, Øyer, Bergen (the demo users)
TERMS = datetime.timedelta(days=30)


def load_invoices(*, stdout) -> None:
    """The invoicing demo (load_demo runs it after the repayments demo)."""
    actor = User.objects.filter(username="ks").first()
    if not Invoice.objects.filter(kind=Invoice.Kind.MEMBER_SHARE).exists():
        stdout.write("invoicing: ingen andelsfakturaer (kjør members-demoen først)")
        return
    demo_orgs = [current_member("kommune", n) for n in DEMO_ORGS]
    nynorsk = nynorsk_demo_member()
    rendered = _render_for(demo_orgs + ([nynorsk] if nynorsk else []))
    extras = _invoice_extras(demo_orgs, actor)
    if nynorsk is not None:
        extras += _letters(nynorsk, actor)
    paid = Payment.objects.filter(external_ref__startswith="demo:share:").count()
    stdout.write(
        f"invoicing: {paid} andelsinnbetalinger, {rendered} PDF/EHF laget, "
        f"{extras} brev/kreditnota/purring"
    )


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
        done += _letters(org, actor)
    return done


def _letters(org: Member, actor) -> int:
    done = 0
    for kind in (Document.Kind.INVITATION, Document.Kind.CONFIRMATION):
        key = f"demo:{kind}:{org.pk}"
        if not Document.objects.filter(source_key=key).exists():
            letter_create(member=org, kind=kind, actor=actor, source_key=key, email=False)
            done += 1
    return done


def nynorsk_demo_member() -> Member | None:
    """The demo's nynorsk kommune: the first (by number) today's kommune whose målform is
    nynorsk (from Enhetsregisteret, e.g. in Vestland) and whose share invoice went out in
    nynorsk. Its share invoice PDF and its letters show documents in nynorsk
    (docs/decisions/i18n-documents-maalform.md)."""
    candidates = (
        Member.objects.filter(kind=Member.Kind.KOMMUNE, valid_to__isnull=True)
        .filter(Q(maalform=Maalform.NYNORSK) | Q(maalform="", register_maalform=Maalform.NYNORSK))
        .order_by("number")
    )
    for member in candidates:
        if Invoice.objects.filter(
            kind=Invoice.Kind.MEMBER_SHARE,
            buyer_id__in=organisation_lineage(member_id=member.pk),
            buyer_language="nn",
        ).exists():
            return member
    return None
