"""Reads of the fund. Balances are sums over the ledger, computed by the database."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Sum

from core.money import to_money

from .models import LedgerEntry

# Figures summed over the whole ledger are cached under the latest entry: the ledger is
# append-only (a PostgreSQL trigger refuses UPDATE and DELETE; a correction is a new, reversing
# entry), so a new entry is a new key and a cached figure is never stale.
LEDGER_CACHE_SECONDS = 24 * 3600


def ledger_version() -> str:
    """The latest ledger entry (id and time recorded): changes whenever the ledger does."""
    last = LedgerEntry.objects.order_by("-id").values_list("id", "recorded_at").first()
    return "empty" if last is None else f"{last[0]}-{last[1].timestamp()}"


# The figures of the latest ledger state are also kept in this process as the objects
# themselves: the shared cache pickles, and unpickling a dict of thousands of Decimals (sums per
# project or solution) costs a page more than it reads. Exact for the same reason as the shared
# cache: the key names the ledger's state. Callers must not modify what they get.
_memo: dict[str, object] = {}


def ledger_cached(name: str, compute, *, version: str | None = None):
    """compute(), kept in the cache until the ledger changes. Pass `version` when a request
    reads several such figures, to look up the latest entry once."""
    version = version or ledger_version()
    key = f"digifin:ledger:{name}:{version}"
    if key in _memo:
        return _memo[key]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, LEDGER_CACHE_SECONDS)
    if not any(k.endswith(f":{version}") for k in _memo):
        _memo.clear()  # a new ledger state: the figures of the old one are of no more use
    _memo[key] = value
    return value


def fund_balance(*, until=None) -> Decimal:
    """Total capital in the fund now (or at the end of the day `until`)."""
    qs = LedgerEntry.objects.all()
    if until is not None:
        qs = qs.filter(occurred_on__lte=until)
    return _money_sum(qs.aggregate(total=Sum("amount"))["total"])


def _money_sum(total) -> Decimal:
    """A database SUM as exact money. SQLite adds decimals as floating point
    (0.00999999999999979 for 0.01), PostgreSQL exactly; rounding to øre makes both exact."""
    return to_money(total) if total is not None else Decimal("0.00")


def balance_by_source() -> dict[str, Decimal]:
    rows = LedgerEntry.objects.values("source").annotate(total=Sum("amount")).order_by("source")
    return {row["source"]: _money_sum(row["total"]) for row in rows}


def balance_by_kind() -> dict[str, Decimal]:
    """Net amount per kind, with reversals counted against the kind they reverse."""
    totals: dict[str, Decimal] = {}
    for row in LedgerEntry.objects.values("kind").annotate(total=Sum("amount")):
        totals[row["kind"]] = totals.get(row["kind"], Decimal("0")) + _money_sum(row["total"])
    for row in (
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REVERSAL)
        .values("reverses__kind")
        .annotate(total=Sum("amount"))
    ):
        total = _money_sum(row["total"])
        totals[LedgerEntry.Kind.REVERSAL] -= total
        totals[row["reverses__kind"]] = totals.get(row["reverses__kind"], Decimal("0")) + total
    totals.pop(LedgerEntry.Kind.REVERSAL, None)
    return totals


# --- capital commitments and the matching condition (issue 3) ----------------------------


def paid_in_by_source() -> dict[str, Decimal]:
    """Net capital paid in per source (inflow kinds and their reversals; outflows excluded)."""
    from django.db.models import Q

    inflow = list(LedgerEntry.INFLOW_KINDS)
    rows = (
        LedgerEntry.objects.filter(
            Q(kind__in=inflow) | Q(kind=LedgerEntry.Kind.REVERSAL, reverses__kind__in=inflow)
        )
        .values("source")
        .annotate(total=Sum("amount"))
        .order_by("source")
    )
    # to_money: SQLite sums decimals as floats; rounding to øre gives the exact figure back.
    return {row["source"]: to_money(row["total"]) for row in rows}


def commitments_vs_paid() -> list[dict]:
    """Per capital source: what was promised (commitments) and what was actually paid in
    (the ledger). Two separate numbers; a ceiling ("inntil") is marked."""
    from .models import CapitalCommitment, CapitalSource

    paid = paid_in_by_source()
    committed: dict[str, Decimal] = {}
    ceilings: dict[str, bool] = {}
    items: dict[str, list] = {}
    for c in CapitalCommitment.objects.order_by("year", "source", "id"):
        committed[c.source] = committed.get(c.source, Decimal("0")) + c.amount
        ceilings[c.source] = ceilings.get(c.source, False) or c.is_ceiling
        items.setdefault(c.source, []).append(c)
    rows = []
    for source in CapitalSource.values:
        if source not in committed and source not in paid:
            continue
        promised = committed.get(source, Decimal("0.00"))
        got = paid.get(source, Decimal("0.00"))
        rows.append(
            {
                "source": source,
                "label": CapitalSource(source).label,
                "committed": promised,
                "paid": got,
                "outstanding": max(promised - got, Decimal("0.00")),
                "is_ceiling": ceilings.get(source, False),
                "commitments": items.get(source, []),
            }
        )
    return rows


@dataclass(frozen=True)
class MatchingCondition:
    """KMD's condition: the municipal sector contributes at least as much as the state.

    `municipal_paid` is the members' paid shares (net of reversals); `ks_paid` KS's capital,
    shown apart (KS is the sector's organisation; whether it counts is KS's call, so both ratios
    are given). Ratios are Decimal to 4 places, None when KMD has paid nothing."""

    municipal_paid: Decimal
    ks_paid: Decimal
    kmd_paid: Decimal
    kmd_committed: Decimal
    ratio: Decimal | None
    ratio_with_ks: Decimal | None

    @property
    def is_met(self) -> bool:
        return self.kmd_paid > 0 and self.municipal_paid >= self.kmd_paid

    @property
    def shortfall(self) -> Decimal:
        return max(self.kmd_paid - self.municipal_paid, Decimal("0.00"))

    @property
    def percent(self) -> Decimal | None:
        return None if self.ratio is None else (self.ratio * 100).quantize(Decimal("0.1"))


def matching_condition() -> MatchingCondition:
    from .models import CapitalCommitment, CapitalSource

    paid = paid_in_by_source()
    municipal = paid.get(CapitalSource.MEMBERS, Decimal("0.00"))
    ks = paid.get(CapitalSource.KS, Decimal("0.00"))
    kmd = paid.get(CapitalSource.KMD, Decimal("0.00"))
    kmd_committed = CapitalCommitment.objects.filter(source=CapitalSource.KMD).aggregate(
        total=Sum("amount")
    )["total"] or Decimal("0.00")
    four = Decimal("0.0001")
    return MatchingCondition(
        municipal_paid=municipal,
        ks_paid=ks,
        kmd_paid=kmd,
        kmd_committed=kmd_committed,
        ratio=(municipal / kmd).quantize(four) if kmd > 0 else None,
        ratio_with_ks=((municipal + ks) / kmd).quantize(four) if kmd > 0 else None,
    )
