"""Writes for members and their participation. Every write takes the acting user."""

import datetime
import uuid
from decimal import Decimal
from pathlib import Path

import filetype
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from core.money import format_nok, to_money
from fund.models import CapitalSource, LedgerEntry
from fund.selectors import ledger_net
from fund.services import ledger_record

from .models import Participation, ParticipationCorrespondence, ParticipationEvent
from .selectors import effective_participation
from .workflow import ParticipationError, perform_bulk_transition, perform_transition


@transaction.atomic
def participation_for_member(
    *, member, actor, invited_on: datetime.date | None = None
) -> Participation:
    """The member's own participation row, created as invited if it has none.

    A successor (e.g. 3405 Lillehammer, 2020) inherits its predecessors' participation: if one
    of them is a participant, the successor's own row is created as confirmed (logged as
    inherited), so that an invoice for what is still owed can be issued against it."""

    existing = Participation.objects.filter(member=member).first()
    if existing is not None:
        return existing
    effective = effective_participation(member=member)
    inherited = effective.is_participant
    participation = Participation.objects.create(
        member=member,
        invited_on=invited_on or datetime.date.today(),
        status=Participation.Status.CONFIRMED if inherited else Participation.Status.INVITED,
    )
    if inherited:
        source = effective.participations[0] if effective.participations else None
        participation.decided_on = source.decided_on if source else None
        participation.decision_reference = source.decision_reference if source else ""
        participation.fakturareferanse = source.fakturareferanse if source else ""
        participation.save()
        ParticipationEvent.objects.create(
            participation=participation,
            from_status=Participation.Status.INVITED,
            to_status=Participation.Status.CONFIRMED,
            actor=actor,
            note="Arvet fra forgjenger(e) ved sammenslåing",
        )
    return participation


def _locked(participation: Participation) -> Participation:
    return Participation.objects.select_for_update().get(pk=participation.pk)


@transaction.atomic
def participation_confirm(
    *,
    participation: Participation,
    decided_on: datetime.date,
    decision_reference: str,
    fakturareferanse: str,
    contact_name: str,
    contact_email: str,
    actor,
) -> Participation:
    """The member's formal decision to join (this replaces the e-mail to KS). The table
    (members/workflow.py) requires a fakturareferanse."""
    return perform_transition(
        participation=participation,
        name="confirm",
        actor=actor,
        note=decision_reference,
        changes={
            "decided_on": decided_on,
            "decision_reference": decision_reference,
            "fakturareferanse": fakturareferanse.strip(),
            "contact_name": contact_name,
            "contact_email": contact_email,
        },
    )


@transaction.atomic
def participation_decline(*, participation: Participation, actor, note: str = "") -> Participation:
    return perform_transition(
        participation=participation,
        name="decline",
        actor=actor,
        note=note,
        changes={"declined_on": datetime.date.today()},
    )


@transaction.atomic
def participation_mark_invoiced(
    *, participation: Participation, amount: Decimal, invoiced_on: datetime.date, actor
) -> Participation:
    """Freeze the share at the invoiced amount. Called by invoicing when a share invoice is
    issued; population imports after this never change the amount."""
    participation = _locked(participation)
    participations_mark_invoiced(
        invoiced=[(participation, amount)], invoiced_on=invoiced_on, actor=actor
    )
    return participation


def participations_mark_invoiced(
    *, invoiced: list[tuple[Participation, Decimal]], invoiced_on: datetime.date, actor
) -> None:
    """participation_mark_invoiced for participations the caller has locked, all at once (the
    invoice batch issues hundreds): one update, one history insert and one event insert
    (members.workflow.perform_bulk_transition)."""
    for participation, amount in invoiced:
        participation.share_amount = to_money(amount)
        participation.invoiced_on = invoiced_on
    perform_bulk_transition(
        rows=[(p, f"Andel {format_nok(amount, decimals=True)}") for p, amount in invoiced],
        name="mark_invoiced",
        actor=actor,
        fields=["share_amount", "invoiced_on"],
    )


@transaction.atomic
def participation_share_credited(
    *, participation: Participation, actor, note: str
) -> Participation:
    """The share invoice was credited in full and nothing was paid: back to confirmed with the
    frozen share released, so the next share invoice uses the corrected basis. Called by
    invoicing when it credits a share invoice; a paid participation is left as it is."""
    return perform_transition(
        participation=participation,
        name="reopen_after_credit",
        actor=actor,
        note=note,
        changes={"share_amount": None, "invoiced_on": None},
    )


def participation_paid_amount(*, participation: Participation) -> Decimal:
    """What the member has paid of its share, from the ledger (reversals included)."""
    return ledger_net(kinds=LedgerEntry.Kind.MEMBER_SHARE, member_id=participation.member_id)


@transaction.atomic
def participation_register_payment(
    *,
    participation: Participation,
    amount: Decimal,
    paid_on: datetime.date,
    actor,
    reference: str = "",
    idempotency_key: str | None = None,
    subject=None,
) -> LedgerEntry:
    """Book a payment of the member's share into the fund's ledger. A partial payment leaves
    the participation invoiced; when the paid total reaches the share it becomes paid.
    An over-payment is booked as paid in; the surplus shows in `participation_balance`."""
    participation = _locked(participation)
    if participation.status not in (Participation.Status.INVOICED, Participation.Status.PAID):
        raise ParticipationError(_("Andelen må være fakturert før en innbetaling kan registreres."))
    entry = ledger_record(
        kind=LedgerEntry.Kind.MEMBER_SHARE,
        source=CapitalSource.MEMBERS,
        amount=amount,
        occurred_on=paid_on,
        description=f"Andel {participation.member} {reference}".strip()[:300],
        actor=actor,
        member=participation.member,
        subject=subject,
        idempotency_key=idempotency_key,
    )
    paid = participation_paid_amount(participation=participation)
    if participation.status == Participation.Status.INVOICED and paid >= participation.share_amount:
        perform_transition(
            participation=participation,
            name="mark_paid",
            actor=actor,
            note=f"Innbetalt {format_nok(paid, decimals=True)}",
            changes={"paid_on": paid_on},
        )
    return entry


def participation_balance(*, participation: Participation) -> Decimal:
    """Owed (positive) or over-paid (negative) against the invoiced share."""
    if participation.share_amount is None:
        return Decimal("0.00")
    return participation.share_amount - participation_paid_amount(participation=participation)


# --- confirmations and declines that reach KS by e-mail -------------------------------------------

# Detected MIME type -> extension. Decided by the file's CONTENT (magic bytes), never its name
# (as for proposal attachments, projects/services/proposals.py).
ALLOWED_DOCUMENT_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "image/png": ".png",
    "image/jpeg": ".jpg",
}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def detect_document_type(head: bytes) -> str | None:
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_DOCUMENT_TYPES:
        return None
    return kind.mime


def _checked_document(upload) -> tuple[bytes, str, str]:
    """(content, MIME type, safe file name) of an uploaded document, or ParticipationError."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ParticipationError(
            _("Filen er for stor (maks %(mb)s MB).") % {"mb": MAX_DOCUMENT_BYTES // (1024 * 1024)}
        )
    if upload.size == 0:
        raise ParticipationError(_("Filen er tom."))
    upload.seek(0)
    content = upload.read()
    mime = detect_document_type(content[:8192])
    if mime is None:
        raise ParticipationError(
            _("Filtypen er ikke tillatt. Last opp PDF, DOCX, ODT, PNG eller JPEG.")
        )
    stem = get_valid_filename(Path(upload.name).stem)[:80] or "dokument"
    return content, mime, f"{stem}{ALLOWED_DOCUMENT_TYPES[mime]}"


@transaction.atomic
def participation_record_email(
    *,
    member,
    kind: str,
    received_on: datetime.date,
    reference: str,
    upload,
    submission_key: uuid.UUID,
    actor,
    fakturareferanse: str = "",
    decided_on: datetime.date | None = None,
    contact_name: str = "",
    contact_email: str = "",
) -> tuple[ParticipationCorrespondence, bool]:
    """KS records a confirmation or a decline that came by e-mail, with its document.

    The change goes through the transition table ("confirm" or "decline", actor = the KS user);
    the record keeps who recorded it and when, and links the event it wrote. Returns (record,
    created): the same form sent twice (same submission_key) returns the first record and
    changes nothing. The participation row is locked first, so a second submission waits for
    the first and then finds its record."""
    if actor is None or not actor.is_ks_staff:
        raise ParticipationError(_("Bare KS kan registrere svar som kom på e-post."))
    if kind not in ParticipationCorrespondence.Kind.values:
        raise ParticipationError(_("Ukjent handling."))
    participation = _locked(participation_for_member(member=member, actor=actor))
    existing = ParticipationCorrespondence.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing, False
    content, mime, name = _checked_document(upload)
    reference = reference.strip()
    note = _("E-post mottatt %(date)s, deres ref. %(reference)s") % {
        "date": received_on.strftime("%d.%m.%Y"),
        "reference": reference,
    }
    if kind == ParticipationCorrespondence.Kind.CONFIRMATION:
        changes = {
            "decided_on": decided_on,
            "decision_reference": reference,
            "fakturareferanse": fakturareferanse.strip(),
        }
        if contact_name:
            changes["contact_name"] = contact_name
        if contact_email:
            changes["contact_email"] = contact_email
        name_ = "confirm"
    else:
        changes = {"declined_on": received_on}
        name_ = "decline"
    participation = perform_transition(
        participation=participation, name=name_, actor=actor, note=note, changes=changes
    )
    event = participation.events.order_by("-id").first()
    record = ParticipationCorrespondence(
        participation=participation,
        event=event,
        kind=kind,
        received_on=received_on,
        reference=reference,
        fakturareferanse=fakturareferanse.strip() if name_ == "confirm" else "",
        original_name=name,
        content_type=mime,
        size=len(content),
        submission_key=submission_key,
        recorded_by=actor,
    )
    record.file.save(name, ContentFile(content), save=False)
    record.save()
    return record, True
