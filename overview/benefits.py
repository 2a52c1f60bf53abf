"""Gevinster og utbredelse (issue 18 §5): per project, the benefits plan (the proposal's
benefit table as granted) against the benefits reported, and the adoption of its solutions
(members with an access agreement, by year) against what the proposal promised.

The overview reads projects and repayments (it is the top layer). A fixed number of queries
however many projects: every table is read once for all of them, narrowed to the projects
asked for (the page shows PAGE_SIZE at a time; the export all of them)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from members.models import Member
from projects.models import BenefitReportLine, BenefitYear, Project
from repayments.models import AccessAgreement, Audience, Solution

ZERO = Decimal("0.00")
# Projects per page of «Gevinster og utbredelse» (docs/decisions/overview-benefits-paging.md):
# each has a chart and a table, so the page shows a few at a time; the export has them all.
PAGE_SIZE = 20


@dataclass
class ProjectBenefits:
    project: Project
    promised_adoption: str  # the proposal's own words ("Forventet utbredelse")
    solutions: list[str] = field(default_factory=list)
    adoption_target: int | None = None  # members, from the solutions' expected adoption (%)
    years: list[int] = field(default_factory=list)
    planned: dict[int, Decimal] = field(default_factory=dict)
    realised: dict[int, Decimal | None] = field(default_factory=dict)
    adoption: dict[int, int] = field(default_factory=dict)

    @property
    def rows(self) -> list[dict]:
        return [
            {
                "year": y,
                "planned": self.planned.get(y, ZERO),
                "realised": self.realised.get(y),
                "adoption": self.adoption.get(y, 0),
            }
            for y in self.years
        ]


def _audience_sizes(today: datetime.date) -> dict[str, int]:
    valid = Q(valid_from__lte=today) & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    counts = dict(
        Member.objects.filter(valid)
        .filter(kind__in=[Member.Kind.KOMMUNE, Member.Kind.FYLKESKOMMUNE])
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    kommuner = counts.get(Member.Kind.KOMMUNE, 0)
    fylker = counts.get(Member.Kind.FYLKESKOMMUNE, 0)
    return {
        Audience.KOMMUNE: kommuner,
        Audience.FYLKESKOMMUNE: fylker,
        Audience.BOTH: kommuner + fylker,
    }


def benefit_projects():
    """The ids of the projects the view lists, in its order: every granted project that is
    running or completed, by title. Page it and pass a page to `benefits_and_adoption`; the
    sort reads the project table alone (no join), whatever the size of the portfolio."""
    return (
        Project.objects.exclude(status=Project.Status.STOPPED)
        .order_by("title", "pk")
        .values_list("pk", flat=True)
    )


def benefits_and_adoption(
    *, today: datetime.date | None = None, projects=None
) -> list[ProjectBenefits]:
    """The projects `projects` (ids, e.g. a page of `benefit_projects()`; default: all of
    them), by title, with plan, realised benefits and adoption per year (from the first
    planned, reported or adopted year to this year). Reads only the rows of those projects:
    a page costs the same at any size of the portfolio."""
    today = today or datetime.date.today()
    chosen = Project.objects.filter(pk__in=benefit_projects() if projects is None else projects)
    projects = list(
        chosen.select_related("proposal", "responsible")
        .only(
            "title",
            "status",
            "proposal_id",
            "responsible_id",
            "proposal__expected_adoption",
            "responsible__name",
        )
        .order_by("title", "pk")
    )
    by_proposal = {p.proposal_id: p.pk for p in projects}
    result = {
        p.pk: ProjectBenefits(project=p, promised_adoption=p.proposal.expected_adoption)
        for p in projects
    }
    for proposal_id, year, amount in BenefitYear.objects.filter(
        proposal_id__in=by_proposal
    ).values_list("proposal_id", "year", "amount"):
        planned = result[by_proposal[proposal_id]].planned
        planned[year] = planned.get(year, ZERO) + amount
    for project_id, year, amount in BenefitReportLine.objects.filter(
        report__project_id__in=result
    ).values_list("report__project_id", "report__year", "realised"):
        realised = result[project_id].realised
        realised[year] = (realised.get(year) or ZERO) + amount

    sizes = _audience_sizes(today)
    solution_project = {}
    solutions = Solution.objects.filter(project_id__in=result).only(
        "name", "project_id", "audience", "expected_adoption"
    )
    for solution in solutions.order_by("name"):
        entry = result[solution.project_id]
        entry.solutions.append(solution.name)
        target = (Decimal(sizes[solution.audience]) * solution.expected_adoption / 100).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
        entry.adoption_target = max(entry.adoption_target or 0, int(target))
        solution_project[solution.pk] = solution.project_id
    members_by_year: dict[int, dict[int, set]] = defaultdict(lambda: defaultdict(set))
    agreements = (
        AccessAgreement.objects.filter(solution_id__in=solution_project, activated_on__isnull=False)
        .order_by()
        .values_list("solution_id", "member_id", "activated_on", "left_on")
    )
    for solution_id, member_id, activated_on, left_on in agreements:
        last = min(left_on.year, today.year) if left_on else today.year
        for year in range(activated_on.year, last + 1):
            members_by_year[solution_project[solution_id]][year].add(member_id)
    for project_id, years in members_by_year.items():
        result[project_id].adoption = {y: len(m) for y, m in years.items()}

    for entry in result.values():
        known = set(entry.planned) | set(entry.realised) | set(entry.adoption)
        if known:
            entry.years = list(range(min(known), max(known) + 1))
    return list(result.values())


def export_table(entries: list[ProjectBenefits]) -> tuple[str, list[str], list[list]]:
    """The page's table as (title, headers, rows) for CSV/Excel (core/exports.py)."""
    headers = [
        _("prosjekt"),
        _("år"),
        _("planlagt gevinst (kr)"),
        _("realisert gevinst (kr)"),
        _("medlemmer med tilgang"),
        _("mål for utbredelse (medlemmer)"),
    ]
    rows = [
        [
            e.project.title,
            r["year"],
            r["planned"],
            r["realised"],
            r["adoption"],
            e.adoption_target,
        ]
        for e in entries
        for r in e.rows
    ]
    return _("Gevinster og utbredelse"), headers, rows


def _num(value):
    return float(value) if value is not None else None


def chart_data(entries: list[ProjectBenefits]) -> list[dict]:
    """One plot per project: planned and realised benefits (kroner) and members with access.
    Plots are pictures of the numbers in the table next to them (floats never stored)."""
    return [
        {
            "id": f"chart-benefits-{e.project.pk}",
            "years": e.years,
            "planned": [_num(r["planned"]) for r in e.rows],
            "realised": [_num(r["realised"]) for r in e.rows],
            "adoption": [r["adoption"] for r in e.rows],
            "target": e.adoption_target,
        }
        for e in entries
        if e.years
    ]
