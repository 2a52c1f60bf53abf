"""Reads for the fund overview, the forecast's inputs and the public transparency page.

Every figure is aggregated by the database (GROUP BY over the ledger), never by looping over
rows in Python, so the overview costs the same handful of queries at any data scale. Sums over
the ledger go through the fund's read API (fund.selectors.ledger_net_by, disbursed_by_project),
which always nets reversals. The overview is the top layer: it imports projects, repayments and
members directly."""

from __future__ import annotations

import datetime
import heapq
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import translation

from core.money import to_money
from fund.models import CapitalSource
from fund.selectors import (
    FEE_KINDS,
    MatchingCondition,
    disbursed_by_project,
    ledger_cached,
    ledger_net_by,
    ledger_version,
    matching_condition,
    member_pledges,
    recovered_by_project,
)
from members.models import Member, Participation, PopulationFigure
from members.selectors import (
    capital_committed,
    member_paid_amounts,
    structure_digest,
    structure_lineage,
)
from projects import selectors as project_selectors
from projects.models import Project, Proposal
from repayments.models import AccessAgreement
from repayments.selectors import FeeSummary, priced_solutions, published_solutions

from .forecast import (
    ForecastInput,
    GrantCommitment,
    PipelineProject,
    Quarter,
    SolutionAdoption,
    run_forecast,
)

ZERO = Decimal("0.00")
CONTRIBUTOR_SOURCES = (CapitalSource.KMD, CapitalSource.KS, CapitalSource.MEMBERS)
# The fund's capital by source, as both the overview and the public page show it: what the
# contributors paid in, and what access fees brought back.
CAPITAL_SOURCES = (*CONTRIBUTOR_SOURCES, CapitalSource.ACCESS_FEES)
# The three flows of the revolving fund, by the ledger's source.
FLOW_OF_SOURCE = {
    CapitalSource.KMD: "in",
    CapitalSource.KS: "in",
    CapitalSource.MEMBERS: "in",
    CapitalSource.PROJECTS: "out",
    CapitalSource.CONTRIBUTORS: "out",
    CapitalSource.ACCESS_FEES: "back",
}


# The overview's tables show this many rows; the exports (CSV, XLSX, JSON) have them all.
TABLE_LIMIT = 50


# --------------------------------------------------------------------------- capital


@dataclass
class SourceFigures:
    source: str
    label: str
    committed: Decimal | None
    paid: Decimal
    is_ceiling: bool = False  # KS's «inntil 40 mill.»: a ceiling, apart from what is paid


@dataclass
class FundOverview:
    sources: list[SourceFigures]  # the contributors' (KMD, KS, members)
    capital: list[SourceFigures]  # capital_by_source(): the contributors' and access fees
    net_by_source: dict[str, Decimal]
    balance: Decimal
    disbursed: Decimal
    recovered: Decimal
    repaid_to_contributors: Decimal
    committed_unspent: Decimal | None
    granted: Decimal | None
    available: Decimal
    matching: MatchingCondition  # fund.selectors.matching_condition: the one figure
    pledges: list  # fund.selectors.member_pledges: the ten cities' 35 M, promised vs paid
    participants: dict
    by_fylke: list[dict]
    timeline: dict
    recovery: list[dict]
    notes: list[str] = field(default_factory=list)
    recovery_count: int = 0  # projects in the ledger; `recovery` may show only the largest

    @property
    def total_paid_in(self) -> Decimal:
        return sum((s.paid for s in self.sources), ZERO)


def net_by_source() -> dict[str, Decimal]:
    """Net ledger amount per source (reversals carry the source of what they reverse)."""
    totals = dict.fromkeys(CapitalSource.values, ZERO)
    totals.update(ledger_net_by("source", kinds=None))
    return totals


def participation_counts() -> dict:
    """Participation records by status, and the participants' shares: one query."""
    statuses = list(Participation.Status.values)
    participant = Q(status__in=list(Participation.PARTICIPANT_STATUSES))
    row = Participation.objects.aggregate(
        shares=Sum("share_amount", filter=participant),
        **{f"n_{st}": Count("id", filter=Q(status=st)) for st in statuses},
    )
    return {
        "by_status": {st: row[f"n_{st}"] for st in statuses},
        "shares": to_money(row["shares"]) if row["shares"] is not None else None,
    }


def committed_by_source(*, counts: dict | None = None) -> dict[str, tuple[Decimal, bool]]:
    """Committed capital by source: (amount, is a ceiling). The members' definition
    (members.selectors.capital_committed): KMD's and KS's commitments, and for members the
    participants' shares; the ten cities' 35 M is part of those shares, not added on top."""
    counts = counts if counts is not None else participation_counts()
    return capital_committed(shares=counts["shares"])


def capital_by_source(
    *, version: str | None = None, counts: dict | None = None
) -> list[SourceFigures]:
    """The fund's capital by source (KMD, KS, members, access fees): committed and paid in,
    net of reversals. The one selector for the figures the fund overview and the public page
    both show: the same ledger sums (net_by_source, cached until the ledger changes) and the
    same commitments (committed_by_source)."""
    net = ledger_cached("net", net_by_source, version=version)
    committed = committed_by_source(counts=counts)
    return [
        SourceFigures(
            source=s,
            label=CapitalSource(s).label,
            committed=committed[s][0] if s in committed else None,
            paid=net.get(s, ZERO),
            is_ceiling=committed[s][1] if s in committed else False,
        )
        for s in CAPITAL_SOURCES
    ]


def _ratio(numerator: Decimal, denominator: Decimal | None) -> Decimal | None:
    if not denominator:
        return None
    return (numerator / denominator).quantize(Decimal("0.001"))


def committed_unspent_grants(*, version: str | None = None) -> Decimal:
    """What granted projects may still draw (projects' figure)."""
    return project_selectors.committed_unspent_grants(version=version)


def fund_overview(*, limit: int | None = None) -> FundOverview:
    """The overview's figures; `limit` keeps only that many projects (the largest
    disbursements) in `recovery`. The sums over the whole ledger come from the cache."""
    version = ledger_version()
    net = ledger_cached("net", net_by_source, version=version)
    recovery_rows = recovery_by_project_rows(version=version)
    counts = participation_counts()
    capital = capital_by_source(version=version, counts=counts)
    sources = [s for s in capital if s.source in CONTRIBUTOR_SOURCES]
    balance = sum(net.values(), ZERO)
    disbursed = -net.get(CapitalSource.PROJECTS, ZERO)
    recovered = net.get(CapitalSource.ACCESS_FEES, ZERO)
    unspent = committed_unspent_grants(version=version)
    notes = []
    # = projects.selectors.available_capital(), without summing the ledger a second time.
    available = balance - unspent
    return FundOverview(
        sources=sources,
        capital=capital,
        net_by_source=net,
        balance=balance,
        disbursed=disbursed,
        recovered=recovered,
        repaid_to_contributors=-net.get(CapitalSource.CONTRIBUTORS, ZERO),
        committed_unspent=unspent,
        granted=disbursed + unspent,
        available=available,
        matching=matching_condition(
            paid=net, kmd_committed=next(s.committed for s in capital if s.source == "kmd")
        ),
        pledges=member_pledges(),
        participants=participation_summary(counts=counts),
        by_fylke=participation_by_fylke(),
        timeline=ledger_cached("timeline", capital_timeline, version=version),
        recovery=recovery_by_project(limit=limit, version=version),
        recovery_count=len(recovery_rows),
        notes=notes,
    )


def capital_timeline() -> dict:
    """Per year: net amount by source and by flow, and the cumulative capital (one query).
    The years are continuous: every year from the first entry's to the last entry's, a year
    without entries with zero flows and the capital carried over (a time axis with gaps would
    put 2021 and 2024 side by side)."""
    years: dict[int, dict[str, Decimal]] = {}
    for (year, source), total in sorted(ledger_net_by(("year", "source"), kinds=None).items()):
        years.setdefault(year, {})[source] = total
    out = []
    running = ZERO
    by_source_running = dict.fromkeys(CapitalSource.values, ZERO)
    for year in continuous_years(years):
        values = years.get(year, {})
        flows = {"in": ZERO, "out": ZERO, "back": ZERO}
        for source, total in values.items():
            flows[FLOW_OF_SOURCE.get(source, "in")] += total
            by_source_running[source] += total
        running += sum(values.values(), ZERO)
        out.append(
            {
                "year": year,
                "in": flows["in"],
                "out": -flows["out"],
                "back": flows["back"],
                "capital": running,
                "cumulative": {s: by_source_running[s] for s in CONTRIBUTOR_SOURCES},
            }
        )
    return {"years": out}


def continuous_years(years) -> list[int]:
    """Every year from the smallest to the largest of `years` (none when empty)."""
    years = list(years)
    return list(range(min(years), max(years) + 1)) if years else []


def recovery_by_project_rows(*, version: str | None = None) -> list[dict]:
    """Per project in the ledger (by project_ref, the ledger's one attribution): disbursed
    (fund.selectors.disbursed_by_project) and recovered by access fees (recovered_by_project),
    both net of reversals; one query over the ledger, none while it is unchanged (cached)."""
    version = version or ledger_version()
    return ledger_cached("recovery_rows", lambda: _recovery_rows(version=version), version=version)


def _recovery_rows(*, version: str) -> list[dict]:
    disbursed = disbursed_by_project(version=version)
    recovered = recovered_by_project(version=version)
    refs = sorted((set(disbursed) | set(recovered)) - {None})
    return [
        {
            "project_ref": ref,
            "disbursed": disbursed.get(ref, ZERO),
            "recovered": recovered.get(ref, ZERO),
        }
        for ref in refs
    ]


def recovery_by_project(*, limit: int | None = None, version: str | None = None) -> list[dict]:
    """Per project: disbursed (development cost paid by the fund) and recovered by access fees,
    against the project's development cost (its grant) when the projects app knows it. By
    project reference; with `limit`, only the `limit` largest disbursements (largest first),
    chosen once per ledger state (names and grants are read below, they may change without a
    ledger entry)."""
    version = version or ledger_version()
    if limit is None:
        rows = recovery_by_project_rows(version=version)
    else:
        rows = ledger_cached(
            f"recovery_largest:{limit}",
            lambda: heapq.nsmallest(
                limit,
                recovery_by_project_rows(version=version),
                key=lambda r: (-r["disbursed"], r["project_ref"]),
            ),
            version=version,
        )
    names = project_names([r["project_ref"] for r in rows])
    out = []
    for row in rows:
        info = names.get(row["project_ref"], {})
        disbursed = row["disbursed"]
        recovered = row["recovered"]
        cost = info.get("development_cost")
        out.append(
            {
                "project_ref": row["project_ref"],
                "name": info.get("name") or f"Prosjekt {row['project_ref']}",
                "development_cost": cost if cost is not None else disbursed,
                "disbursed": disbursed,
                "recovered": recovered,
                "share": _ratio(recovered, cost if cost else disbursed),
            }
        )
    return out


def project_names(ids: list[int]) -> dict[int, dict]:
    """Names and development cost (the grant) of projects by id: one query."""
    if not ids:
        return {}
    return {
        row["pk"]: {"name": row["title"], "development_cost": row["granted"]}
        for row in Project.objects.filter(pk__in=ids).values("pk", "title", "granted")
    }


# --------------------------------------------------------------------------- participation


# Participation is decided and paid by the members of the 2017 structure, on whose population
# the shares are based (a merged successor inherits it): coverage and the per-fylke figures are
# therefore counted on that structure, with its fylker (docs/decisions/overview-structure.md).
STRUCTURE_DATE = datetime.date(2017, 1, 1)


def _population():
    """The member's basis population (2017K2), or else its latest population figure."""
    latest = Subquery(
        PopulationFigure.objects.filter(member=OuterRef("pk"))
        .order_by("-period")
        .values("population")[:1]
    )
    return Coalesce(F("contribution_basis__population"), latest)


def _kommuner_at(on: datetime.date):
    return Member.objects.filter(kind=Member.Kind.KOMMUNE, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )


def public_counts() -> dict:
    """How many projects and published solutions there are (the public page shows the latest
    of each): one query each."""
    return {
        "projects": Project.objects.count(),
        "solutions": published_solutions().count(),
    }


def participation_summary(
    *, on: datetime.date = STRUCTURE_DATE, counts: dict | None = None
) -> dict:
    """Counts by status (all participation records), and the share of the population living in
    participating kommuner of the structure valid `on`. Only kommuner count for coverage
    (fylkeskommuner cover the same inhabitants)."""
    by_status = (counts if counts is not None else participation_counts())["by_status"]
    participant_statuses = list(Participation.PARTICIPANT_STATUSES)
    pops = (
        _kommuner_at(on)
        .annotate(pop=_population())
        .aggregate(
            total=Sum("pop"),
            covered=Sum("pop", filter=Q(participation__status__in=participant_statuses)),
        )
    )
    total = pops["total"] or 0
    covered = pops["covered"] or 0
    count = sum(by_status.get(s, 0) for s in participant_statuses)
    return {
        "count": count,
        "paid": by_status.get(Participation.Status.PAID, 0),
        "by_status": by_status,
        "population_total": total,
        "population_covered": covered,
        "population_share": _ratio(Decimal(covered), Decimal(total)) if total else None,
    }


def participation_by_fylke(*, on: datetime.date = STRUCTURE_DATE) -> list[dict]:
    """Per fylke of the structure valid `on`: how many kommuner, how many participate."""
    statuses = list(Participation.PARTICIPANT_STATUSES)
    rows = (
        _kommuner_at(on)
        .order_by()
        .annotate(fylke=Coalesce(F("county__name"), F("name")))
        .values("fylke")
        .annotate(
            kommuner=Count("id"),
            participating=Count("id", filter=Q(participation__status__in=statuses)),
            paid=Count("id", filter=Q(participation__status=Participation.Status.PAID)),
        )
        .order_by("fylke")
    )
    return [
        {
            **row,
            "share": _ratio(Decimal(row["participating"]), Decimal(row["kommuner"])),
        }
        for row in rows
    ]


# --------------------------------------------------------------------------- public lists


def participants_key(*, version: str | None = None, on: datetime.date | None = None) -> str:
    """What the public participant list depends on: the ledger's state, the member rows'
    fingerprint, the date (the structure valid that day) and the language (the list holds
    translated kinds and statuses). The public page keeps the list, and its rendered table,
    under this key."""
    on = on or datetime.date.today()
    language = translation.get_language() or ""
    return f"{version or ledger_version()}:{structure_digest()}:{on.isoformat()}:{language}"


def public_participants(
    *, version: str | None = None, on: datetime.date | None = None, key: str | None = None
) -> list[dict]:
    """Who participates and what each has paid, on the structure valid `on` (today's by
    default; docs/decisions/overview-structure.md): the members of today's structure that
    participate themselves or through their predecessors, each with its effective share and
    paid amount (its own payments plus its predecessors', split predecessors by their part:
    members.selectors.structure_lineage) and the predecessors it inherits from. Public facts
    only (no contacts, no references). Kept until the ledger, a member row or the date changes
    (`participants_key`); callers must not modify the list."""
    version = version or ledger_version()
    key = key or participants_key(version=version, on=on)
    return ledger_cached(
        f"public_participants:{key}",
        lambda: _public_participants(version=version, on=on),
        version=version,
    )


def _public_participants(*, version: str, on: datetime.date | None) -> list[dict]:
    paid = ledger_cached("paid_shares", member_paid_amounts, version=version)
    kinds = {value: str(label) for value, label in Member.Kind.choices}
    out = []
    for row in structure_lineage(on=on, paid=paid):
        eff = row.effective
        if not eff.is_participant:
            continue
        decided = [p.decided_on for p in eff.participations if p.is_participant and p.decided_on]
        if eff.own is not None and eff.own.decided_on:
            decided = [eff.own.decided_on]
        out.append(
            {
                "number": row.member.number,
                "name": row.member.name,
                "kind": kinds.get(row.member.kind, row.member.kind),
                "status": eff.status_display,
                "decided_on": min(decided) if decided else None,
                "share": to_money(eff.share_amount),
                "paid": to_money(eff.paid_amount),
                "own_paid": row.own_paid,
                "predecessors": [
                    {
                        "number": p.member.number,
                        "name": p.member.name,
                        "part": p.part,
                        "paid": p.paid,
                        "inherited": p.inherited,
                    }
                    for p in row.predecessors
                ],
            }
        )
    return out


def public_projects(*, limit: int | None = None, version: str | None = None) -> list[dict]:
    """Projects KS has granted (a public decision): the grant, what the fund has paid out and
    what access fees have brought back, from the ledger. By title; with `limit`, the `limit`
    most recently granted (newest first). Two queries (one when the ledger's sums are cached)."""
    flows = {r["project_ref"]: r for r in recovery_by_project_rows(version=version)}
    statuses = dict(Project.Status.choices)
    out = []
    projects = Project.objects.values("pk", "title", "granted", "status")
    if limit is None:
        projects = projects.order_by("title")
    else:
        projects = projects.order_by("-decided_at", "-pk")[:limit]
    for p in projects:
        r = flows.get(p["pk"], {})
        out.append(
            {
                "name": p["title"],
                "status": str(statuses.get(p["status"], p["status"])),
                "granted": p["granted"],
                "disbursed": r.get("disbursed", ZERO),
                "recovered": r.get("recovered", ZERO),
            }
        )
    return out


def recovered_by_solution() -> dict[int, Decimal]:
    """Net access fees per solution reference (one query over the ledger)."""
    return ledger_net_by("solution_ref", kinds=FEE_KINDS, solution_ref__isnull=False)


def public_solutions(*, limit: int | None = None, version: str | None = None) -> list[dict]:
    """Published solutions, their price model (access fee) and what they have brought back.
    By name; with `limit`, the `limit` most recently available (newest first). Two queries
    (one when the ledger's sums are cached)."""
    recovered = ledger_cached("solutions", recovered_by_solution, version=version)
    solutions = published_solutions().defer("description").order_by("name")
    if limit is not None:
        solutions = (
            published_solutions().defer("description").order_by("-available_on", "name")[:limit]
        )
    out = []
    for solution in solutions:
        price = getattr(solution, "price_model", None)
        out.append(
            {
                "name": solution.name,
                "available_on": solution.available_on,
                "access_fee": price.describe() if price is not None else "",
                "recovered": to_money(recovered.get(solution.pk, ZERO)),
            }
        )
    return out


# --------------------------------------------------------------------------- forecast inputs

CENT = Decimal("0.01")
PER_MILLE = Decimal("0.001")


def active_agreements_by_solution() -> dict[int, int]:
    """Solution id → members with an active access agreement: one GROUP BY over the
    agreements (no join), an index-only scan of the partial index access_active_by_solution."""
    return dict(
        AccessAgreement.objects.filter(status=AccessAgreement.Status.ACTIVE)
        .order_by()
        .values_list("solution_id")
        .annotate(n=Count("*"))
        .values_list("solution_id", "n")
    )


def pipeline_defaults() -> list[dict]:
    """Qualified proposals not yet granted, with their development cost: the default pipeline.

    The qualified proposals' development costs (one query)."""
    rows = (
        Proposal.objects.filter(status="qualified")
        .annotate(cost=Sum("cost_years__development"))
        .filter(cost__gt=0)
        .values("reference", "title", "cost")
        .order_by("submitted_at", "id")
    )
    return [
        {
            "label": f"{r['reference'] or ''} {r['title']}".strip(),
            "development_cost": str(r["cost"]),
            "start_offset": 1,
            "quarters": 4,
        }
        for r in rows
    ]


def solution_defaults(*, today: datetime.date | None = None) -> list[dict]:
    """Each solution's adoption assumptions, derived from repayments' price model: the average
    fee over the members it is for, how many have access already, the expected adoption, and
    the launch relative to the forecast's first quarter (negative = launched earlier). The
    ramp is 12 quarters: the principle note's figure 5 shows repayment over years 1-3.

    A fixed number of queries (repayments.selectors.priced_solutions: the pricing columns,
    solutions priced alike computed once; the active agreements counted per solution by the
    database), then a few lookups per solution."""
    start = Quarter.of(today or datetime.date.today()).plus(1)
    start_index = start.year * 4 + start.q
    adopted = active_agreements_by_solution()
    averages: dict[FeeSummary, str] = {}
    saturations: dict[Decimal, str] = {}
    out = []
    for solution in priced_solutions():
        p = solution.summary
        if p is None or not p.members:  # fees that cannot be computed yet, or nobody to pay
            continue
        if p not in averages:
            averages[p] = str((p.sum_of_fees / p.members).quantize(CENT))
        adoption = solution.expected_adoption
        if adoption not in saturations:
            saturations[adoption] = str((adoption / 100).quantize(PER_MILLE))
        launch = solution.available_on
        offset = launch.year * 4 + (launch.month - 1) // 3 + 1 - start_index
        out.append(
            {
                "label": solution.name,
                "fee_per_adopter": averages[p],
                "potential_adopters": p.members,
                "adopted_so_far": min(adopted.get(solution.pk, 0), p.members),
                "saturation": saturations[adoption],
                "launch_offset": max(0, offset),
                "ramp_quarters": 12,
            }
        )
    return out


def forecast_input(*, scenario, today: datetime.date | None = None):
    """The pure forecast's input: today's capital and committed grants from the ledger and the
    portfolio, and the scenario's assumptions."""
    today = today or datetime.date.today()
    # The ledger's sums as the fund overview reads them: cached until the ledger changes.
    version = ledger_version()
    balance = sum(ledger_cached("net", net_by_source, version=version).values(), ZERO)
    unspent = committed_unspent_grants(version=version)
    grants = ()
    if unspent > 0:
        grants = (GrantCommitment("Innvilget, ikke utbetalt", unspent, scenario.grant_quarters),)
    data = scenario.assumptions or {}
    pipeline = tuple(
        PipelineProject(
            label=p["label"],
            development_cost=Decimal(str(p["development_cost"])),
            start_offset=int(p.get("start_offset", 0)),
            quarters=int(p.get("quarters", 4)),
        )
        for p in data.get("pipeline", [])
    )
    solutions = tuple(
        SolutionAdoption(
            label=s["label"],
            fee_per_adopter=Decimal(str(s["fee_per_adopter"])),
            potential_adopters=int(s["potential_adopters"]),
            adopted_so_far=int(s.get("adopted_so_far", 0)),
            saturation=Decimal(str(s.get("saturation", "1"))),
            launch_offset=int(s.get("launch_offset", 0)),
            ramp_quarters=int(s.get("ramp_quarters", 12)),
        )
        for s in data.get("solutions", [])
    )
    return ForecastInput(
        start=Quarter.of(today).plus(1),
        opening_balance=balance,
        years=scenario.years,
        grants=grants,
        pipeline=pipeline,
        solutions=solutions,
        other_inflow_per_quarter=scenario.other_inflow_per_quarter,
    )


def scenario_forecast(*, scenario, today: datetime.date | None = None):
    return run_forecast(forecast_input(scenario=scenario, today=today))
