"""Reads of the fund. Balances are sums over the ledger, computed by the database."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import F, Sum
from django.db.models.functions import Coalesce, ExtractYear

from core.money import to_money

from .models import CapitalCommitment, CapitalSource, LedgerEntry

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


ZERO = Decimal("0.00")
# What an access fee brings back to the fund, net: fees minus refunds.
FEE_KINDS = (LedgerEntry.Kind.ACCESS_FEE, LedgerEntry.Kind.ACCESS_FEE_REFUND)


# --- the one read API: net sums over the ledger ---------------------------------------------
#
# Every sum over the ledger goes through `ledger_net` / `ledger_net_by` (or, to list entries,
# LedgerEntry.objects.net_of). A correction is a reversing entry of kind "reversal"; a figure
# of some kinds therefore always includes the reversals of entries of those kinds, so that a
# reversed entry nets to zero in every figure that shows it.


def _net_entries(kinds, filters):
    """The entries that `kinds` (None: the whole ledger) and `filters` select, reversals
    included."""
    qs = LedgerEntry.objects.all() if kinds is None else LedgerEntry.objects.net_of(kinds)
    return qs.filter(**filters).order_by()


def _money_sum(total) -> Decimal:
    """A database SUM as exact money. SQLite adds decimals as floating point
    (0.00999999999999979 for 0.01), PostgreSQL exactly; rounding to øre makes both exact."""
    return to_money(total) if total is not None else ZERO


def ledger_net(*, kinds, **filters) -> Decimal:
    """The net sum of the entries of `kinds` (a kind, an iterable of kinds, or None for every
    kind) and the reversals of such entries, further narrowed by `filters` (keyword lookups
    on LedgerEntry, e.g. member_id=…, occurred_on__lte=…). Exact money (to øre); 0.00 when
    nothing matches."""
    return _money_sum(_net_entries(kinds, filters).aggregate(total=Sum("amount"))["total"])


def ledger_net_by(field, *, kinds, **filters) -> dict:
    """`ledger_net` grouped by `field` (a field name, or a tuple of names for tuple keys): one
    query, {key: exact Decimal}. Grouping by "kind" counts a reversal under the kind of the
    entry it reverses; "year" is the year the entry is booked (occurred_on). A reversal
    carries its entry's source, member and references, so for every other field it lands in
    the same group as the entry it reverses."""
    fields = (field,) if isinstance(field, str) else tuple(field)
    qs = _net_entries(kinds, filters)
    names = []
    for name in fields:
        if name == "kind":
            qs = qs.annotate(net_kind=Coalesce(F("reverses__kind"), F("kind")))
            name = "net_kind"
        elif name == "year":
            qs = qs.annotate(booked_year=ExtractYear("occurred_on"))
            name = "booked_year"
        names.append(name)
    rows = qs.values(*names).annotate(total=Sum("amount"))
    out = {}
    for row in rows:
        key = row[names[0]] if len(names) == 1 else tuple(row[n] for n in names)
        out[key] = _money_sum(row["total"])
    return out


def _project_flows(version: str | None) -> dict:
    """(project_ref, kind) → net amount of disbursements and access fees: one query over the
    whole ledger, cached until the ledger changes. Both per-project figures come from it."""
    return ledger_cached(
        "project_flows",
        lambda: ledger_net_by(
            ("project_ref", "kind"), kinds=(LedgerEntry.Kind.DISBURSEMENT, *FEE_KINDS)
        ),
        version=version,
    )


def disbursed_by_project(
    *, projects=None, until=None, version: str | None = None
) -> dict[int | None, Decimal]:
    """The one answer to "what has the fund paid out to each project": project id → net
    disbursed, a positive amount (disbursements minus their reversals; a fully reversed
    disbursement leaves 0.00). Disbursements not attributed to a project are under None.

    Attribution: an entry belongs to the project named by its `project_ref` (and to the
    solution named by its `solution_ref`), never by its `subject`. The subject is the document
    the entry books (a project for a disbursement, an access agreement for a fee, an invoice,
    a capital repayment), so it cannot attribute a fee to its project; `project_ref` is set on
    every disbursement and access fee (projects' disbursement_record, repayments' fee
    services) and copied onto a reversal (ledger_reverse).

    Over the whole ledger the sums are cached until the ledger changes (ledger_cached; pass
    `version` when it has been read already). Narrowed, one query and not cached: `projects`
    (project ids) keeps only those projects; `until` only entries booked up to and including
    that day."""
    filters = {}
    if projects is not None:
        filters["project_ref__in"] = list(projects)
    if until is not None:
        filters["occurred_on__lte"] = until
    if filters:
        rows = ledger_net_by("project_ref", kinds=LedgerEntry.Kind.DISBURSEMENT, **filters)
        return {ref: ZERO - total for ref, total in rows.items()}
    version = version or ledger_version()

    def compute():
        return {
            ref: ZERO - total
            for (ref, kind), total in _project_flows(version).items()
            if kind == LedgerEntry.Kind.DISBURSEMENT
        }

    return ledger_cached("disbursed_per_project", compute, version=version)


def recovered_by_project(*, version: str | None = None) -> dict[int, Decimal]:
    """Project id → net access fees (fees minus refunds, reversals netted) attributed to the
    project by `project_ref` (see disbursed_by_project); cached until the ledger changes."""
    version = version or ledger_version()

    def compute():
        out: dict[int, Decimal] = {}
        for (ref, kind), total in _project_flows(version).items():
            if kind in FEE_KINDS and ref is not None:
                out[ref] = out.get(ref, ZERO) + total
        return out

    return ledger_cached("recovered_per_project", compute, version=version)


# --- figures of the whole fund ----------------------------------------------------------------


def fund_balance(*, until=None) -> Decimal:
    """Total capital in the fund now (or at the end of the day `until`)."""
    if until is not None:
        return ledger_net(kinds=None, occurred_on__lte=until)
    return ledger_net(kinds=None)


def balance_by_source() -> dict[str, Decimal]:
    return dict(sorted(ledger_net_by("source", kinds=None).items()))


def balance_by_kind() -> dict[str, Decimal]:
    """Net amount per kind, with reversals counted against the kind they reverse."""
    return ledger_net_by("kind", kinds=None)


# --- capital commitments and the matching condition (issue 3) ----------------------------


def paid_in_by_source(*, version: str | None = None, cached: bool = True) -> dict[str, Decimal]:
    """Net capital paid in per source (inflow kinds and their reversals; outflows excluded).
    Kept with the ledger's state (`ledger_cached`): the member overview, the matching figure
    and the reports read it on every view, and over 200 000 entries the sum takes 0.3 s. The
    reconciliation asks with `cached=False` (it checks the ledger, not the cache)."""
    if not cached:
        return _paid_in_by_source()
    return ledger_cached("paid_in", _paid_in_by_source, version=version)


def _paid_in_by_source() -> dict[str, Decimal]:
    return dict(sorted(ledger_net_by("source", kinds=LedgerEntry.INFLOW_KINDS).items()))


@dataclass(frozen=True)
class MemberPledge:
    """A members' commitment that names its members (the ten largest kommuner's 35 M): their
    shares promised early. `paid` is those members' share payments (net of reversals): the
    commitment is fulfilled by them, never added to the members' committed total."""

    commitment: CapitalCommitment
    members: list
    promised: Decimal
    paid: Decimal

    @property
    def outstanding(self) -> Decimal:
        return max(self.promised - self.paid, Decimal("0.00"))


def member_pledges() -> list[MemberPledge]:
    """Every members' commitment with the members it names, promised against paid."""
    commitments = list(
        CapitalCommitment.objects.filter(source=CapitalSource.MEMBERS)
        .prefetch_related("members")
        .order_by("year", "id")
    )
    ids = {m.pk for c in commitments for m in c.members.all()}
    paid = (
        ledger_net_by("member_id", kinds=LedgerEntry.Kind.MEMBER_SHARE, member_id__in=ids)
        if ids
        else {}
    )
    return [
        MemberPledge(
            commitment=c,
            members=sorted(c.members.all(), key=lambda m: m.number),
            promised=to_money(c.amount),
            paid=to_money(sum((paid.get(m.pk, 0) for m in c.members.all()), Decimal(0))),
        )
        for c in commitments
    ]


def commitments_by_source() -> dict[str, tuple[Decimal, bool]]:
    """KMD's and KS's commitments per source: (amount, is a ceiling «inntil»). The members'
    commitments are their shares (members.selectors.capital_committed adds them), so they are
    not here: the ten cities' 35 M would otherwise count twice."""
    out: dict[str, tuple[Decimal, bool]] = {}
    for c in CapitalCommitment.objects.exclude(source=CapitalSource.MEMBERS).order_by("id"):
        amount, ceiling = out.get(c.source, (Decimal("0.00"), False))
        out[c.source] = (to_money(amount + c.amount), ceiling or c.is_ceiling)
    return out


@dataclass(frozen=True)
class MatchingCondition:
    """KMD's condition: the municipal sector contributes at least as much as the state.

    The one definition (docs/decisions/fund-capital-sources-and-matching.md): the kommuner's
    and fylkeskommuner's paid shares (net of reversals) against KMD's paid grants. KS's own
    capital does not count as the municipal sector's: it is a source of its own in the seeds
    and the condition asks the kommuner themselves to co-finance; it is shown apart
    (`ks_paid`). `ratio` is Decimal to 4 places, None when KMD has paid nothing; every page
    shows it as `percent` (one decimal, «95,5 %») through templates/fund/_matching.html."""

    municipal_paid: Decimal
    ks_paid: Decimal
    kmd_paid: Decimal
    kmd_committed: Decimal
    ratio: Decimal | None

    @property
    def is_met(self) -> bool:
        return self.kmd_paid > 0 and self.municipal_paid >= self.kmd_paid

    @property
    def shortfall(self) -> Decimal:
        return max(self.kmd_paid - self.municipal_paid, Decimal("0.00"))

    @property
    def percent(self) -> Decimal | None:
        return None if self.ratio is None else (self.ratio * 100).quantize(Decimal("0.1"))


def matching_condition(
    *, paid: dict | None = None, kmd_committed: Decimal | None = None
) -> MatchingCondition:
    """The matching figure every page shows (overview, member overview, public page, KMD
    report, annual report): one selector, one form. A caller that has the ledger's sums by
    source (net of reversals; the fund overview's cached ones) and KMD's commitments may pass
    them, to save the queries; the rule stays here."""
    paid = paid_in_by_source() if paid is None else paid
    municipal = to_money(paid.get(CapitalSource.MEMBERS, 0))
    ks = to_money(paid.get(CapitalSource.KS, 0))
    kmd = to_money(paid.get(CapitalSource.KMD, 0))
    if kmd_committed is None:
        kmd_committed = CapitalCommitment.objects.filter(source=CapitalSource.KMD).aggregate(
            total=Sum("amount")
        )["total"] or Decimal("0.00")
    return MatchingCondition(
        municipal_paid=municipal,
        ks_paid=ks,
        kmd_paid=kmd,
        kmd_committed=to_money(kmd_committed),
        ratio=(municipal / kmd).quantize(Decimal("0.0001")) if kmd > 0 else None,
    )
