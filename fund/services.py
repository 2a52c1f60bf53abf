"""Writes to the fund's ledger. Every app records money through these functions."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from core.money import to_money

from .models import CapitalCommitment, CapitalSource, LedgerEntry
from .selectors import fund_balance


class LedgerError(ValueError):
    """A ledger entry that would break one of the fund's rules."""


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
):
    """Record capital promised to the fund (not a payment: payments go through
    ledger_record). The same source, year and reference twice returns the first."""

    amount = to_money(amount)
    if amount <= 0:
        raise LedgerError(_("Tilsagnet må være større enn null."))
    if source not in CapitalSource.values:
        raise LedgerError(_("Ukjent kilde: %(source)s") % {"source": source})
    existing = CapitalCommitment.objects.filter(
        source=source, year=year, reference=reference
    ).first()
    if existing is not None:
        return existing
    return CapitalCommitment.objects.create(
        source=source,
        year=year,
        amount=amount,
        is_ceiling=is_ceiling,
        reference=reference,
        conditions=conditions,
        recorded_by=actor,
    )
