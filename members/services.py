"""Writes for members and their participation. Every write takes the acting user."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core.money import to_money
from fund.models import CapitalSource, LedgerEntry
from fund.selectors import ledger_net
from fund.services import ledger_record

from .models import Participation, ParticipationEvent
from .workflow import ParticipationError, perform_bulk_transition, perform_transition


@transaction.atomic
def participation_for_member(
    *, member, actor, invited_on: datetime.date | None = None
) -> Participation:
    """The member's own participation row, created as invited if it has none.

    A successor (e.g. 3405 Lillehammer, 2020) inherits its predecessors' participation: if one
    of them is a participant, the successor's own row is created as confirmed (logged as
    inherited), so that an invoice for what is still owed can be issued against it."""
    from .selectors import effective_participation

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
        rows=[(p, f"Andel {amount}") for p, amount in invoiced],
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
            note=f"Innbetalt {paid}",
            changes={"paid_on": paid_on},
        )
    return entry


def participation_balance(*, participation: Participation) -> Decimal:
    """Owed (positive) or over-paid (negative) against the invoiced share."""
    if participation.share_amount is None:
        return Decimal("0.00")
    return participation.share_amount - participation_paid_amount(participation=participation)
