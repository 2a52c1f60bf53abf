"""Writes to the fund's ledger. Every app records money through these functions."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from core.bounds import FUND_START, booked_date_validators
from core.money import to_money

from .models import CapitalCommitment, CapitalSource, LedgerEntry
from .selectors import fund_balance


class LedgerError(ValueError):
    """A ledger entry that would break one of the fund's rules."""


def booked_date_problem(day: datetime.date | None) -> str | None:
    """Why `day` cannot be the date of a ledger entry or a payment, naming the rule (None when
    it can). The bounds are core.bounds' booked-date rule: from the fund's start to today. A
    planned disbursement is a plan, not an entry: it is not booked until it is paid."""
    if day is None:
        return _("Regelen om bokføringsdato: posteringen må ha en dato.")
    for validator in booked_date_validators():
        try:
            validator(day)
        except ValidationError as exc:
            if exc.code == "future":
                return _(
                    "Regelen om bokføringsdato: penger føres på dagen de ble betalt, ikke fram "
                    "i tid (%(day)s er etter i dag, %(today)s). En planlagt utbetaling er en "
                    "plan, ikke en postering."
                ) % {
                    "day": day.strftime("%d.%m.%Y"),
                    "today": datetime.date.today().strftime("%d.%m.%Y"),
                }
            return _(
                "Regelen om bokføringsdato: penger føres ikke før fondet startet "
                "(%(start)s); %(day)s er før."
            ) % {"start": FUND_START.strftime("%d.%m.%Y"), "day": day.strftime("%d.%m.%Y")}
    return None


@transaction.atomic
def ledger_record(
    *,
    kind: str,
    source: str,
    amount: Decimal,
    occurred_on: datetime.date,
    description: str,
    actor=None,
    member=None,
    subject=None,
    project_ref: int | None = None,
    solution_ref: int | None = None,
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """Append one entry. Inflows are positive, outflows negative: `amount` is given as a
    positive number and signed by `kind`. With an `idempotency_key`, recording the same thing
    twice returns the first entry instead of booking it again."""
    amount = to_money(amount)
    if amount <= 0:
        raise LedgerError(_("Beløpet må være større enn null."))
    if kind == LedgerEntry.Kind.REVERSAL:
        raise LedgerError(_("Bruk ledger_reverse for korrigeringer."))
    if kind not in LedgerEntry.Kind.values:
        raise LedgerError(_("Ukjent posteringstype: %(kind)s") % {"kind": kind})
    if source not in CapitalSource.values:
        raise LedgerError(_("Ukjent kilde: %(source)s") % {"source": source})
    if problem := booked_date_problem(occurred_on):
        raise LedgerError(problem)
    if idempotency_key:
        existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing
    signed = amount if kind in LedgerEntry.INFLOW_KINDS else -amount
    # Every write takes the lock, so entries commit in the order of their ids: the latest id
    # then identifies the ledger's state (fund.selectors.ledger_version, the cache key).
    ledger_lock()
    if signed < 0 and fund_balance() + signed < 0:
        raise LedgerError(_("Fondet kan ikke gå i minus."))
    entry = LedgerEntry(
        kind=kind,
        source=source,
        amount=signed,
        occurred_on=occurred_on,
        description=description,
        member=member,
        project_ref=project_ref,
        solution_ref=solution_ref,
        idempotency_key=idempotency_key,
        recorded_by=actor,
    )
    if subject is not None:
        entry.subject_type = ContentType.objects.get_for_model(subject)
        entry.subject_id = subject.pk
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        if idempotency_key:
            return LedgerEntry.objects.get(idempotency_key=idempotency_key)
        raise
    return entry


@transaction.atomic
def ledger_reverse(
    *, entry: LedgerEntry, actor, reason: str, occurred_on: datetime.date | None = None
) -> LedgerEntry:
    """Correct an entry by appending its exact opposite. An entry can be reversed once."""
    if entry.kind == LedgerEntry.Kind.REVERSAL:
        raise LedgerError(_("En reversering kan ikke reverseres; før en ny postering."))
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise LedgerError(_("Posteringen er allerede reversert."))
    if problem := booked_date_problem(occurred_on or datetime.date.today()):
        raise LedgerError(problem)
    if entry.amount > 0:
        ledger_lock()

        if fund_balance() - entry.amount < 0:
            raise LedgerError(_("Fondet kan ikke gå i minus."))
    reversal = LedgerEntry(
        kind=LedgerEntry.Kind.REVERSAL,
        source=entry.source,
        amount=-entry.amount,
        occurred_on=occurred_on or datetime.date.today(),
        description=f"Reversering: {reason}"[:300],
        member=entry.member,
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        project_ref=entry.project_ref,
        solution_ref=entry.solution_ref,
        reverses=entry,
        recorded_by=actor,
    )
    reversal.save()
    return reversal


def ledger_lock():
    """Serialise ledger writes: two concurrent disbursements cannot both pass the balance check,
    and entries commit in id order. Call it inside a transaction before checking available
    capital and then recording (ledger_record and ledger_reverse take it themselves).

    On PostgreSQL a transaction-scoped advisory lock; SQLite serialises writers anyway."""

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [4242_0001])


# --- capital commitments (issue 3) -------------------------------------------------------


@transaction.atomic
def commitment_record(
    *,
    source: str,
    year: int,
    amount: Decimal,
    actor,
    is_ceiling: bool = False,
    reference: str = "",
    conditions: str = "",
    members=(),
):
    """Record capital promised to the fund (not a payment: payments go through
    ledger_record). The same source, year and reference twice returns the first.

    `members` (only for the members' source) names the members whose shares the commitment
    promises early (the ten largest kommuner's 35 M): fulfilled by their share payments."""

    amount = to_money(amount)
    if amount <= 0:
        raise LedgerError(_("Tilsagnet må være større enn null."))
    if source not in CapitalSource.values:
        raise LedgerError(_("Ukjent kilde: %(source)s") % {"source": source})
    members = list(members)
    if members and source != CapitalSource.MEMBERS:
        raise LedgerError(_("Bare et tilsagn fra medlemmer kan navngi medlemmer."))
    existing = CapitalCommitment.objects.filter(
        source=source, year=year, reference=reference
    ).first()
    if existing is None:
        existing = CapitalCommitment.objects.create(
            source=source,
            year=year,
            amount=amount,
            is_ceiling=is_ceiling,
            reference=reference,
            conditions=conditions,
            recorded_by=actor,
        )
    if members:
        existing.members.add(*members)
    return existing
