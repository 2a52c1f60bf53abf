"""The ledger's one read API (fund.selectors.ledger_net / ledger_net_by / disbursed_by_project,
LedgerEntry.objects.net_of): a reversed entry nets to zero in every figure that shows it.

Each figure is read three times: before an entry, with it (it must move, or the figure does not
show the entry and the test proves nothing) and after its reversal (back to where it was)."""

import datetime
import json
from decimal import Decimal as D

import pytest
from django.urls import reverse

from fund.models import CapitalSource, LedgerEntry
from fund.selectors import (
    balance_by_kind,
    balance_by_source,
    disbursed_by_project,
    fund_balance,
    ledger_net,
    ledger_net_by,
    paid_in_by_source,
)
from fund.services import ledger_record, ledger_reverse
from members import selectors as member_selectors
from members.models import Participation
from members.services import participation_paid_amount
from overview import reports
from overview import selectors as overview_selectors
from projects import selectors as project_selectors
from projects.models import Project
from projects.services.portfolio import disbursement_record
from repayments import selectors as repayment_selectors
from tests.overview.builders import build_fund
from tests.projects.factories import ProposalFactory, accept_grant
from tests.repayments.factories import SolutionFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 5, 2)


@pytest.fixture
def world(ks_user):
    """The overview's fund (tests/overview/builders.py) plus a project of the portfolio and a
    published solution of that project."""
    fund = build_fund(ks_user)
    proposal = ProposalFactory(title="Digital byggesøknad")
    project = Project.objects.create(
        pk=600,  # apart from the fund's project_refs 1 and 2
        proposal=proposal,
        title=proposal.title,
        responsible=proposal.lead_member,
        granted=D("5000000"),
        decided_by=ks_user,
    )
    accept_grant(project)
    disbursement_record(project=project, amount=D("1000000"), paid_on=DAY, actor=ks_user)
    solution = SolutionFactory(
        name="Byggesøknad", project=project, is_published=True, published_on=DAY
    )
    return {**fund, "project": project, "solution": solution, "actor": ks_user}


def _row(rows, **match):
    return next((r for r in rows if all(r.get(k) == v for k, v in match.items())), None)


def _public_json(client) -> dict:
    return json.loads(client.get(reverse("public:json")).content)


def figures(world, client) -> dict:
    """Every figure that shows a member's share payment, a disbursement to the world's project
    or an access fee of its solution, by where it is shown."""
    member = world["lillehammer"]
    project = world["project"]
    solution = world["solution"]
    ov = overview_selectors.fund_overview()
    recovery = _row(ov.recovery, project_ref=project.pk) or {}
    timeline = {
        y["year"]: (y["in"], y["out"], y["back"], y["capital"]) for y in ov.timeline["years"]
    }
    kmd = reports.kmd_grant_use()
    kmd_row = _row(kmd["projects"], project_ref=project.pk) or {}
    tables = reports.overview_tables()
    public = _public_json(client)
    participation = Participation.objects.get(member=member)
    return {
        # the fund
        "fund.balance": fund_balance(),
        "fund.by_source": balance_by_source(),
        "fund.by_kind": balance_by_kind(),
        "fund.paid_in": paid_in_by_source(),
        "fund.disbursed_by_project": disbursed_by_project().get(project.pk),
        # the overview
        "overview.balance": ov.balance,
        "overview.paid": [(s.source, s.paid) for s in ov.sources],
        "overview.disbursed": ov.disbursed,
        "overview.recovered": ov.recovered,
        "overview.available": ov.available,
        "overview.project": (recovery.get("disbursed"), recovery.get("recovered")),
        "overview.timeline": timeline,
        # the member's page
        "member.paid": member_selectors.effective_participation(member=member).paid_amount,
        "member.paid_amount": participation_paid_amount(participation=participation),
        # the project's page and the portfolio
        "project.disbursed": project_selectors.project_disbursed(project=project),
        "project.recovered": project_selectors.project_recovered(project=project),
        "project.committed": project_selectors.committed_unspent_grants(),
        "project.available": project_selectors.available_capital(),
        "portfolio": [
            (r.disbursed, r.remaining)
            for r in project_selectors.portfolio(user=world["actor"])
            if r.project.pk == project.pk
        ],
        # the solution (repayments)
        "solution.development_cost": repayment_selectors.development_cost(solution=solution),
        "solution.recovered": repayment_selectors.recovered(solution=solution),
        # the reports
        "report.kmd": (kmd["total_paid_in"], kmd["total_disbursed"], kmd_row.get("disbursed")),
        "report.year_flows": reports.year_flows(DAY.year),
        "report.tables": {name: rows for name, (_title, _headers, rows) in tables.items()},
        # the public page
        "public.participant": _row(public["participants"], name=member.name)["paid"],
        "public.project": _row(public["projects"], name=project.title),
        "public.solution": _row(public["solutions"], name=solution.name),
    }


def _changed(before: dict, after: dict) -> set[str]:
    return {key for key in before if before[key] != after[key]}


def _record_and_reverse(world, client, record, *, shown_in: set[str]):
    before = figures(world, client)
    entry = record()
    during = figures(world, client)
    assert shown_in <= _changed(before, during), "the entry must show in these figures"
    ledger_reverse(entry=entry, actor=world["actor"], reason="feil", occurred_on=DAY)
    assert figures(world, client) == before
    return before, during


def test_a_reversed_member_share_nets_to_zero_everywhere(world, client):
    member = world["lillehammer"]

    def record():
        return ledger_record(
            kind=LedgerEntry.Kind.MEMBER_SHARE,
            source=CapitalSource.MEMBERS,
            amount=D("1234.56"),
            occurred_on=DAY,
            description="Andel (feil)",
            member=member,
        )

    before, during = _record_and_reverse(
        world,
        client,
        record,
        shown_in={
            "fund.balance",
            "fund.by_kind",
            "fund.paid_in",
            "overview.paid",
            "overview.timeline",
            "member.paid",
            "member.paid_amount",
            "report.kmd",
            "report.year_flows",
            "public.participant",
        },
    )
    assert during["member.paid"] - before["member.paid"] == D("1234.56")


def test_a_reversed_disbursement_nets_to_zero_everywhere(world, client):
    def record():
        return disbursement_record(
            project=world["project"], amount=D("250000"), paid_on=DAY, actor=world["actor"]
        )

    before, during = _record_and_reverse(
        world,
        client,
        record,
        shown_in={
            "fund.balance",
            "fund.disbursed_by_project",
            "overview.disbursed",
            "overview.project",
            "overview.timeline",
            "project.disbursed",
            "project.committed",
            "portfolio",
            "solution.development_cost",
            "report.kmd",
            "report.year_flows",
            "report.tables",
            "public.project",
        },
    )
    assert during["project.disbursed"] == before["project.disbursed"] + D("250000")
    # Committed-but-unspent drops by what was paid, so the available capital does not move.
    assert during["project.available"] == before["project.available"]


def test_a_reversed_access_fee_nets_to_zero_everywhere(world, client):
    project, solution = world["project"], world["solution"]

    def record():
        return ledger_record(
            kind=LedgerEntry.Kind.ACCESS_FEE,
            source=CapitalSource.ACCESS_FEES,
            amount=D("40000"),
            occurred_on=DAY,
            description="Tilknytning (feil)",
            member=world["lillehammer"],
            project_ref=project.pk,
            solution_ref=solution.pk,
        )

    _record_and_reverse(
        world,
        client,
        record,
        shown_in={
            "fund.balance",
            "overview.recovered",
            "overview.project",
            "overview.available",
            "project.recovered",
            "solution.recovered",
            "report.year_flows",
            "report.tables",
            "public.solution",
        },
    )


def test_the_fund_fixtures_reversed_disbursement_leaves_nothing_for_it(world):
    """The builder's project 2 had 999 paid and reversed, then 1 200 000.50 paid."""
    assert disbursed_by_project()[2] == D("1200000.50")
    assert disbursed_by_project(until=datetime.date(2019, 3, 2))[2] == D("0.00")
    assert disbursed_by_project(until=datetime.date(2019, 3, 1))[2] == D("999.00")


def test_net_of_takes_the_reversals_of_exactly_those_kinds(world):
    share = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.MEMBER_SHARE).first()
    reversal = ledger_reverse(entry=share, actor=None, reason="feil", occurred_on=DAY)
    shares = LedgerEntry.objects.net_of(LedgerEntry.Kind.MEMBER_SHARE)
    assert reversal in shares and share in shares
    assert reversal not in LedgerEntry.objects.net_of([LedgerEntry.Kind.DISBURSEMENT])
    with pytest.raises(ValueError):
        LedgerEntry.objects.net_of([LedgerEntry.Kind.REVERSAL])


def test_grouped_sums_are_exact_and_count_a_reversal_under_its_kind(world):
    # SQLite adds decimals as floats (0.1 + 0.1 + 0.1 = 0.30000000000000004); the API gives
    # back exact øre.
    for _ in range(3):
        ledger_record(
            kind=LedgerEntry.Kind.KS_CAPITAL,
            source=CapitalSource.KS,
            amount=D("0.10"),
            occurred_on=DAY,
            description="øre",
        )
    by_kind = ledger_net_by("kind", kinds=None, occurred_on=DAY)
    assert by_kind[LedgerEntry.Kind.KS_CAPITAL] == D("0.30")
    assert str(by_kind[LedgerEntry.Kind.KS_CAPITAL]) == "0.30"
    assert LedgerEntry.Kind.REVERSAL not in balance_by_kind()
    # The builder's reversed 999 counts against disbursements, not as a kind of its own.
    flows = ledger_net_by("kind", kinds=LedgerEntry.Kind.DISBURSEMENT, occurred_on__year=2019)
    assert flows == {LedgerEntry.Kind.DISBURSEMENT: D("-3000000.00")}
    assert ledger_net(kinds=LedgerEntry.Kind.DISBURSEMENT, project_ref=2) == D("-1200000.50")
    assert ledger_net(kinds=LedgerEntry.Kind.DISBURSEMENT, project_ref=99) == D("0.00")
