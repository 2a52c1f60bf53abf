"""Reads for solutions: populations, fees, the price preview, recovery (figure 5), FDVU users and
the contributor-repayment scenario. Nothing here writes."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from core.money import ORE, format_nok, to_money
from fund.models import LedgerEntry
from fund.selectors import FEE_KINDS, disbursed_by_project, ledger_net, ledger_net_by
from members.models import Member, MemberSuccession, PopulationFigure
from members.selectors import participant_flags

from . import price_models as pm
from .models import AccessAgreement, Audience, CapitalRepayment, FdvuKey, PriceModel, Solution

ZERO = Decimal("0.00")
PREVIEW_ADOPTIONS = (Decimal("0.25"), Decimal("0.50"), Decimal("0.75"), Decimal("1.00"))
CONTRIBUTION_KINDS = {
    LedgerEntry.Kind.MEMBER_SHARE: "member",
    LedgerEntry.Kind.STATE_GRANT: "kmd",
    LedgerEntry.Kind.KS_CAPITAL: "ks",
}


# --- population ------------------------------------------------------------------------------


def member_populations(*, members, _depth: int = 3) -> dict[int, int]:
    """The latest population figure of each member (by SSB period, `2024` after `2017K2`).

    Uses members' PopulationFigure; a member without a figure is left out (no fee can be
    computed for it)."""
    ids = [m.pk for m in members]
    result: dict[int, int] = {}
    for row in (
        PopulationFigure.objects.filter(member_id__in=ids)
        .order_by("member_id", "period")
        .values("member_id", "population")
    ):
        result[row["member_id"]] = row["population"]  # ordered by period: the last one wins
    missing = [i for i in ids if i not in result]
    if missing:
        result.update(_inherited_populations(missing, depth=_depth))
    return result


def _inherited_populations(member_ids: list[int], *, depth: int) -> dict[int, int]:
    """A member created by a renumbering, merge or split after the last SSB figure (2024) has
    none of its own: use its predecessors' latest figures × the part it received, half up to
    whole inhabitants."""

    links = list(
        MemberSuccession.objects.filter(successor_id__in=member_ids).values(
            "successor_id", "predecessor_id", "fraction"
        )
    )
    if not links or depth <= 0:  # a chain of changes deeper than 2017→2020→2024: give up
        return {}
    predecessor_ids = list({link["predecessor_id"] for link in links})
    known = member_populations(
        members=Member.objects.filter(pk__in=predecessor_ids), _depth=depth - 1
    )
    totals: dict[int, Decimal] = {}
    complete: dict[int, bool] = {}
    for link in links:
        population = known.get(link["predecessor_id"])
        sid = link["successor_id"]
        complete[sid] = complete.get(sid, True) and population is not None
        totals[sid] = totals.get(sid, Decimal(0)) + Decimal(population or 0) * link["fraction"]
    return {
        sid: int(total.quantize(Decimal(1), rounding="ROUND_HALF_UP"))
        for sid, total in totals.items()
        if complete[sid]
    }


def member_population(*, member: Member) -> int | None:
    return member_populations(members=[member]).get(member.pk)


# --- solutions and fees ----------------------------------------------------------------------


def audience_kinds(solution: Solution) -> list[str]:
    if solution.audience == Audience.BOTH:
        return [Member.Kind.KOMMUNE, Member.Kind.FYLKESKOMMUNE]
    return [solution.audience]


def audience_members(*, solution: Solution, on: datetime.date | None = None):
    """Every member the solution is for, valid on `on` (today)."""
    on = on or datetime.date.today()
    return (
        Member.objects.filter(kind__in=audience_kinds(solution), valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("number", "name")
    )


def development_cost(*, solution: Solution) -> Decimal:
    """The development cost to recover: the project's net disbursements from the fund
    (fund.selectors.disbursed_by_project) when the solution has a project with disbursements,
    else what KS entered."""
    if solution.project_id:
        disbursed = disbursed_by_project(projects=[solution.project_id]).get(solution.project_id)
        if disbursed:
            return disbursed
    return solution.development_cost


class FeeBook:
    """What computing fees needs besides the price model: the audience's members, their
    populations and the solutions' development costs, each loaded once and shared by every
    solution priced through the book. One solution's preview fills it lazily (the queries of
    one preview); `FeeBook.for_solutions` loads it for many at once (a fixed number of queries,
    whatever the number of solutions: the forecast's defaults price every solution)."""

    def __init__(self, *, on: datetime.date | None = None):
        self.on = on or datetime.date.today()
        self._audiences: dict[tuple[str, ...], list[Member]] = {}
        self._populations: dict[int, int] = {}
        self._known: set[int] = set()  # members whose population has been looked up
        self._costs: dict[int, Decimal] | None = None  # net disbursed by project id
        self._priced: dict[tuple[str, ...], tuple[list, list]] = {}

    @classmethod
    def for_solutions(cls, solutions, *, on: datetime.date | None = None) -> FeeBook:
        book = cls(on=on)
        for kinds in {tuple(audience_kinds(s)) for s in solutions}:
            book.populations(book.audience(kinds))
        project_ids = {s.project_id for s in solutions if s.project_id}
        book._costs = {}
        if project_ids:
            book._costs = disbursed_by_project(projects=project_ids)
        return book

    def project_cost(self, project_id: int | None, entered: Decimal) -> Decimal:
        """`development_cost` from a solution's columns: its project's net disbursements when
        there are any, else what KS entered (loaded with the book, or one query)."""
        if self._costs is None:
            self._costs = disbursed_by_project()  # the whole ledger's, cached until it changes
        disbursed = self._costs.get(project_id) if project_id else None
        return disbursed if disbursed else entered

    def audience(self, kinds) -> list[Member]:
        kinds = tuple(kinds)
        if kinds not in self._audiences:
            self._audiences[kinds] = list(
                Member.objects.filter(kind__in=kinds, valid_from__lte=self.on)
                .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.on))
                .order_by("number", "name")
            )
        return self._audiences[kinds]

    def populations(self, members) -> dict[int, int]:
        wanted = [m for m in members if m.pk not in self._known]
        if wanted:
            self._populations.update(member_populations(members=wanted))
            self._known.update(m.pk for m in wanted)
        return {m.pk: self._populations[m.pk] for m in members if m.pk in self._populations}

    def priced(self, solution: Solution, *, members=None):
        """([(member, population)], [member without a population]) of `members`, by default
        the solution's audience (kept for the next solution with the same audience)."""
        kinds = tuple(audience_kinds(solution))
        if members is None and kinds in self._priced:
            return self._priced[kinds]
        chosen = list(members) if members is not None else self.audience(kinds)
        populations = self.populations(chosen)
        priced, missing = [], []
        for member in chosen:
            population = populations.get(member.pk)
            if population is None:
                missing.append(member)
            else:
                priced.append((member, population))
        if members is None:
            self._priced[kinds] = (priced, missing)
        return priced, missing

    def development_cost(self, solution: Solution) -> Decimal:
        if self._costs is None:
            return development_cost(solution=solution)
        disbursed = self._costs.get(solution.project_id) if solution.project_id else None
        return disbursed if disbursed else solution.development_cost


def _fee_context(solution: Solution, *, members=None, book: FeeBook | None = None):
    """(kind, parameters, basis, priced, missing) for computing fees of this solution: priced
    are (member, population) of `members` (default: the audience), missing those without a
    population figure."""
    price = getattr(solution, "price_model", None)
    if price is None:
        raise pm.PriceModelError("Løsningen har ingen prismodell ennå.")
    book = book or FeeBook()
    priced, missing = book.priced(solution, members=members)
    basis = None
    if price.kind == pm.COST_RECOVERY:
        everyone = priced if members is None else book.priced(solution)[0]
        basis = pm.recovery_basis(
            price.parameters,
            development_cost=book.development_cost(solution),
            expected_adoption=solution.expected_adoption / 100,
            populations=[population for _member, population in everyone],
        )
    return price.kind, price.parameters, basis, priced, missing


def fee_for(*, solution: Solution, member: Member) -> tuple[Decimal, int]:
    """(fee, population used) for one member; raises PriceModelError if it cannot be computed."""
    kind, params, basis, priced, _ = _fee_context(solution, members=[member])
    population = priced[0][1] if priced else None
    if population is None and kind != pm.FLAT:
        raise pm.PriceModelError(f"Innbyggertall mangler for {member}.")
    return pm.fee(kind, params, population, basis=basis), population


def fee_for_or_none(*, solution: Solution, member: Member) -> Decimal | None:
    try:
        return fee_for(solution=solution, member=member)[0]
    except pm.PriceModelError:
        return None


@dataclass
class PricePreview:
    """The fees of the members that would really pay: participants in DigiFin (own or inherited
    participation, members.selectors.participant_flags). Members that declined, were only
    invited or never joined cannot get access (services.access_request refuses them), so they
    are listed apart and never charged or counted in the totals."""

    rows: list[dict]  # member, population, fee: the participants that would pay
    missing: list[Member]  # participants without a population figure (no fee can be computed)
    not_participating: list[Member]  # declined, invited or never joined: not charged
    priceable: int  # members of the audience with a fee, participants or not (for publishing)
    totals: list[tuple[Decimal, Decimal]]  # (adoption, expected recovery)
    sum_of_fees: Decimal
    development_cost: Decimal
    expected_adoption: Decimal
    expected_recovery: Decimal

    @property
    def expected_gap(self) -> Decimal:
        return self.development_cost - self.expected_recovery


def _fees(kind, params, basis, priced) -> list[Decimal]:
    """The fee of each priced member, in order. A flat fee needs no population: computed once."""
    if kind == pm.FLAT:
        return [pm.fee(kind, params, None)] * len(priced) if priced else []
    return [pm.fee(kind, params, population, basis=basis) for _member, population in priced]


def price_preview(*, solution: Solution, book: FeeBook | None = None) -> PricePreview:
    """The fee for every member of the solution's audience that would really pay (a
    participant), and the expected recovery at 25/50/75/100 % adoption and at the solution's
    expected adoption (docs/repayments.md). Non-participants are listed, not charged."""
    book = book or FeeBook()
    kind, params, basis, priced, missing = _fee_context(solution, book=book)
    audience = book.audience(audience_kinds(solution))
    payer = participant_flags(members=audience)
    # Every priceable member's fee (a model that cannot compute raises, participants or not),
    # then only the payers' are shown and summed.
    rows = [
        {"member": member, "population": population, "fee": fee}
        for (member, population), fee in zip(
            priced, _fees(kind, params, basis, priced), strict=True
        )
        if payer.get(member.pk)
    ]
    fees = [row["fee"] for row in rows]
    adoption = solution.expected_adoption / 100
    return PricePreview(
        rows=rows,
        missing=[m for m in missing if payer.get(m.pk)],
        not_participating=[m for m in audience if not payer.get(m.pk)],
        priceable=len(priced),
        totals=[(a, pm.total_at_adoption(fees, a)) for a in PREVIEW_ADOPTIONS],
        sum_of_fees=sum(fees, ZERO),
        development_cost=book.development_cost(solution),
        expected_adoption=solution.expected_adoption,
        expected_recovery=pm.total_at_adoption(fees, adoption),
    )


@dataclass(frozen=True)
class FeeSummary:
    """What the forecast needs: how many members of the audience can be priced and the sum of
    their fees. Unlike `price_preview` it counts every member of the audience with a population
    figure, participants or not (the forecast's potential adopters)."""

    members: int
    sum_of_fees: Decimal


def fee_summary(*, solution: Solution, book: FeeBook) -> FeeSummary:
    """The count and sum of fees of every priceable member of the audience (`price_preview`'s
    rows plus its non-participants with a fee), without building rows; raises PriceModelError
    as it does. Pass one `FeeBook.for_solutions(...)` for many solutions."""
    kind, params, basis, priced, _missing = _fee_context(solution, book=book)
    if kind == pm.FLAT:  # one fee for everyone: n × fee is the sum, exactly (Decimal)
        return FeeSummary(len(priced), pm.fee(kind, params, None) * len(priced) if priced else ZERO)
    fees = _fees(kind, params, basis, priced)
    return FeeSummary(len(fees), sum(fees, ZERO))


# What a solution's FeeSummary depends on, besides the book's members and populations: its
# audience and price model and, for cost recovery, its development cost and expected adoption.
PRICING_COLUMNS = (
    "pk",
    "name",
    "project_id",
    "development_cost",
    "audience",
    "expected_adoption",
    "available_on",
    "price_model__kind",
)


class PricedSolution(NamedTuple):
    """One solution with a price model, as the forecast's defaults read it (a named tuple:
    thousands are made at a time)."""

    pk: int
    name: str
    available_on: datetime.date
    expected_adoption: Decimal
    summary: FeeSummary | None  # None: the price model's fees cannot be computed


def priced_solutions(*, on: datetime.date | None = None) -> list[PricedSolution]:
    """Every solution with a price model, by name, with its fee summary (`fee_summary`'s
    figures). Reads only the columns pricing needs (no model instances per solution), and
    solutions priced alike share one computation: a fixed number of queries and a dict lookup
    per solution, so thousands of solutions cost little more than their rows."""
    rows = list(
        Solution.objects.filter(price_model__isnull=False)
        .annotate(params=Cast("price_model__parameters", TextField()))
        .order_by("name")
        .values_list(*PRICING_COLUMNS, "params")
    )
    book = FeeBook(on=on)
    # Populations once: the widest audience first, so the narrower ones are known already.
    audiences = {tuple(audience_kinds(Solution(audience=a))) for a in {row[4] for row in rows}}
    for kinds in sorted(audiences, key=lambda k: (-len(k), k)):
        book.populations(book.audience(kinds))
    summaries: dict[tuple, FeeSummary | None] = {}
    out = []
    for pk, name, project_id, entered, audience, adoption, available_on, kind, params in rows:
        recovery = None
        if kind == pm.COST_RECOVERY:
            recovery = (book.project_cost(project_id, entered), adoption)
        key = (audience, kind, params, recovery)  # equal text, equal parameters
        if key not in summaries:
            solution = Solution(
                pk=pk,
                project_id=project_id,
                development_cost=entered,
                audience=audience,
                expected_adoption=adoption,
            )
            PriceModel(solution=solution, kind=kind, parameters=json.loads(params))
            try:
                summaries[key] = fee_summary(solution=solution, book=book)
            except (ValueError, ArithmeticError):  # fees that cannot be computed yet
                summaries[key] = None
        out.append(PricedSolution(pk, name, available_on, adoption, summaries[key]))
    return out


# --- listing ---------------------------------------------------------------------------------


def published_solutions():
    return Solution.objects.filter(is_published=True).select_related("price_model")


def agreement_for(*, solution: Solution, member: Member) -> AccessAgreement | None:
    return AccessAgreement.objects.filter(solution=solution, member=member).first()


def agreements_for_member(*, member: Member):
    return AccessAgreement.objects.filter(member=member).select_related("solution")


# --- recovery (figure 5) ---------------------------------------------------------------------


def recovered(*, solution: Solution) -> Decimal:
    """Net access fees returned to the fund for this solution (refunds and reversals count)."""
    return ledger_net(kinds=FEE_KINDS, solution_ref=solution.pk)


def agreement_paid(*, agreement: AccessAgreement) -> Decimal:
    """Net access fee paid on this agreement, from the ledger."""
    return ledger_net(
        kinds=FEE_KINDS,
        subject_type=ContentType.objects.get_for_model(AccessAgreement),
        subject_id=agreement.pk,
    )


@dataclass
class Recovery:
    solution: Solution
    development_cost: Decimal
    recovered: Decimal

    @property
    def gap(self) -> Decimal:
        return max(self.development_cost - self.recovered, ZERO)

    @property
    def percent(self) -> int:
        if not self.development_cost:
            return 100
        return int(min(self.recovered / self.development_cost * 100, Decimal(100)))


def solution_recovery(*, solution: Solution) -> Recovery:
    return Recovery(solution, development_cost(solution=solution), recovered(solution=solution))


def recovery_overview() -> list[Recovery]:
    return [solution_recovery(solution=s) for s in Solution.objects.all()]


def project_recovery(*, project_id: int) -> list[Recovery]:
    """For the projects app: development cost, recovered and gap of each solution of a project."""
    return [solution_recovery(solution=s) for s in Solution.objects.filter(project_id=project_id)]


def recovery_by_year() -> tuple[list[int], list[dict]]:
    """(years, rows): for each solution its net access fees per year of booking."""
    rows = ledger_net_by(("solution_ref", "year"), kinds=FEE_KINDS, solution_ref__isnull=False)
    by_solution: dict[int, dict[int, Decimal]] = {}
    years: set[int] = set()
    for (solution_ref, year), total in rows.items():
        by_solution.setdefault(solution_ref, {})[year] = total
        years.add(year)
    ordered_years = sorted(years)
    result = []
    for solution in Solution.objects.all():
        per_year = by_solution.get(solution.pk, {})
        result.append(
            {
                "solution": solution,
                "years": [per_year.get(y, ZERO) for y in ordered_years],
                "total": sum(per_year.values(), ZERO),
                "development_cost": development_cost(solution=solution),
            }
        )
    return ordered_years, result


# --- FDVU ------------------------------------------------------------------------------------


def fdvu_users(*, solution: Solution, year: int):
    """Agreements that share FDVU in `year`: access granted by the end of the year and not left
    before it began (a member that leaves stops sharing from the next year)."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (
        AccessAgreement.objects.filter(
            solution=solution,
            status__in=[AccessAgreement.Status.ACTIVE, AccessAgreement.Status.ENDED],
            activated_on__lte=end,
        )
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
        .select_related("member")
        .order_by("member__number", "member__name")
    )


class FdvuError(pm.PriceModelError):
    """FDVU shares that cannot be computed (a user without a population figure, no yearly
    cost); the message says why, for the member and for KS."""


@dataclass(frozen=True)
class FdvuSplit:
    key: str
    total: Decimal  # what is shared: the yearly cost, or the sum of the tariff amounts
    amounts: list[Decimal]  # one per member, in the members' order
    populations: dict[int, int]  # member id → population used (members with a figure)


def fdvu_split(*, solution: Solution, members: list[Member]) -> FdvuSplit:
    """THE computation of FDVU shares: `members` (in number order) share a year of the
    solution's FDVU by its key. `tariff` gives each 12 × (fixed + rate × population), half up to
    kroner; the other keys split the yearly cost (whole kroner) by weight with the largest
    remainder, so the shares add up to the cost exactly. Used by `services.fdvu_allocate` and,
    through `fdvu_part`, for the amount a member sees before it accepts the FDVU terms."""
    populations = member_populations(members=members)
    key, params = solution.fdvu_key, solution.fdvu_parameters
    if key != FdvuKey.EQUAL:
        missing = [str(m) for m in members if m.pk not in populations]
        if missing:
            raise FdvuError(
                _("Innbyggertall mangler for: %(members)s") % {"members": ", ".join(missing)}
            )
    if key == FdvuKey.TARIFF:
        amounts = [pm.fdvu_tariff_yearly(params, populations[m.pk]) for m in members]
        return FdvuSplit(key, sum(amounts, Decimal(0)), amounts, populations)
    if solution.fdvu_yearly_cost is None:
        raise FdvuError(_("Løsningen har ingen årlig FDVU-kostnad"))
    total = to_money(solution.fdvu_yearly_cost).quantize(Decimal(1)).quantize(ORE)
    weights = [pm.fdvu_weight(key, params, populations.get(m.pk, 0)) for m in members]
    return FdvuSplit(key, total, pm.split_exact(total, weights), populations)


@dataclass(frozen=True)
class FdvuPart:
    """A member's yearly FDVU part: what it is shown, and what is recorded when it accepts."""

    solution: Solution
    member: Member
    year: int
    key: str
    amount: Decimal
    total: Decimal  # the yearly cost shared (tariff: the sum of the users' tariff amounts)
    users: int  # how many share it, the member included
    population: int | None

    @property
    def key_display(self) -> str:
        return str(FdvuKey(self.key).label)

    @property
    def population_display(self) -> str:
        """`27 785` (no-break space), the way numbers are shown in the UI."""
        return "" if self.population is None else format_nok(self.population, suffix=False)


def fdvu_part(*, solution: Solution, member: Member, year: int | None = None) -> FdvuPart:
    """THE member's FDVU part for `year` (this year): its share in `fdvu_split` among the
    solution's users that year, the member counted in if it is not a user yet (what it would pay
    if it joined now). Raises FdvuError if it cannot be computed."""
    year = year or datetime.date.today().year
    users = [a.member for a in fdvu_users(solution=solution, year=year)]
    if all(m.pk != member.pk for m in users):
        users = sorted([*users, member], key=lambda m: (m.number, m.name))
    split = fdvu_split(solution=solution, members=users)
    index = next(i for i, m in enumerate(users) if m.pk == member.pk)
    return FdvuPart(
        solution=solution,
        member=member,
        year=year,
        key=split.key,
        amount=split.amounts[index],
        total=split.total,
        users=len(users),
        population=split.populations.get(member.pk),
    )


def fdvu_part_or_error(*, solution: Solution, member: Member) -> tuple[FdvuPart | None, str]:
    """(part, "") or (None, why it cannot be computed), for the portal page."""
    try:
        return fdvu_part(solution=solution, member=member), ""
    except pm.PriceModelError as exc:
        return None, str(exc)


# --- returning capital to contributors --------------------------------------------------------


@dataclass
class ScenarioLine:
    key: str  # "member:<id>", "kmd" or "ks"
    label: str
    member: Member | None
    paid_in: Decimal
    repaid_before: Decimal
    repayment: Decimal


@dataclass
class RepaymentScenario:
    amount: Decimal
    lines: list[ScenarioLine]
    total_paid_in: Decimal
    fingerprint: str


def _contributor_key(kind: str, member_id: int | None) -> str:
    role = CONTRIBUTION_KINDS[kind]
    return f"member:{member_id}" if role == "member" else role


def _contributions() -> dict[str, Decimal]:
    """What each contributor has paid in, net of reversals."""
    totals: dict[str, Decimal] = {}
    rows = ledger_net_by(("kind", "member_id"), kinds=CONTRIBUTION_KINDS)
    for (kind, member_id), total in rows.items():
        key = _contributor_key(kind, member_id)
        totals[key] = totals.get(key, ZERO) + total
    return {k: v for k, v in totals.items() if v > 0}


REPAYMENT_KEY_PREFIX = "contributor-repayment"


def repayment_idempotency_key(*, repayment_id: int, contributor_key: str) -> str:
    return f"{REPAYMENT_KEY_PREFIX}:{repayment_id}:{contributor_key}"


def _repaid_before() -> dict[str, Decimal]:
    """What each contributor has had repaid already (reversals count back)."""
    result: dict[str, Decimal] = {}
    for entry in LedgerEntry.objects.net_of(LedgerEntry.Kind.CONTRIBUTOR_REPAYMENT).select_related(
        "reverses"
    ):
        source = entry.reverses if entry.kind == LedgerEntry.Kind.REVERSAL else entry
        key = (source.idempotency_key or "").split(":", 2)[-1]
        result[key] = result.get(key, ZERO) - entry.amount
    return result


def repayment_scenario(*, amount: Decimal) -> RepaymentScenario:
    """Each contributor's pro-rata part of `amount` by what it paid in (member shares, KMD's
    grant, KS's capital; net of reversals), split to the øre by largest remainder so the parts
    add up to `amount` exactly. Changes nothing."""
    amount = Decimal(amount).quantize(ORE)
    contributions = _contributions()
    before = _repaid_before()
    keys = sorted(contributions, key=lambda k: (k.startswith("member:"), k))
    member_ids = [int(k.split(":")[1]) for k in keys if k.startswith("member:")]
    members = Member.objects.in_bulk(member_ids)
    parts = pm.split_exact(amount, [contributions[k] for k in keys], unit=ORE)
    lines = []
    for key, part in zip(keys, parts, strict=True):
        member = members.get(int(key.split(":")[1])) if key.startswith("member:") else None
        label = str(member) if member else {"kmd": "KMD (staten)", "ks": "KS"}[key]
        lines.append(
            ScenarioLine(key, label, member, contributions[key], before.get(key, ZERO), part)
        )
    digest = hashlib.sha256()
    digest.update(f"{amount}|{CapitalRepayment.objects.count()}".encode())
    for line in lines:
        digest.update(f"|{line.key}={line.paid_in}:{line.repayment}".encode())
    return RepaymentScenario(amount, lines, sum(contributions.values(), ZERO), digest.hexdigest())
