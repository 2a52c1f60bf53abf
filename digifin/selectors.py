"""Reads of the fund. Balances are sums over the ledger, computed by the database."""

from decimal import Decimal

from django.db.models import Sum

from .models import LedgerEntry


def fund_balance(*, until=None) -> Decimal:
    """Total capital in the fund now (or at the end of the day `until`)."""
    qs = LedgerEntry.objects.all()
    if until is not None:
        qs = qs.filter(occurred_on__lte=until)
    return qs.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


def balance_by_source() -> dict[str, Decimal]:
    rows = LedgerEntry.objects.values("source").annotate(total=Sum("amount")).order_by("source")
    return {row["source"]: row["total"] for row in rows}


def balance_by_kind() -> dict[str, Decimal]:
    """Net amount per kind, with reversals counted against the kind they reverse."""
    totals: dict[str, Decimal] = {}
    for row in LedgerEntry.objects.values("kind").annotate(total=Sum("amount")):
        totals[row["kind"]] = totals.get(row["kind"], Decimal("0")) + row["total"]
    for row in (
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REVERSAL)
        .values("reverses__kind")
        .annotate(total=Sum("amount"))
    ):
        totals[LedgerEntry.Kind.REVERSAL] -= row["total"]
        totals[row["reverses__kind"]] = (
            totals.get(row["reverses__kind"], Decimal("0")) + row["total"]
        )
    totals.pop(LedgerEntry.Kind.REVERSAL, None)
    return totals
