"""The forecast's default solutions (overview.selectors.solution_defaults) read the pricing
columns and count the active agreements in a fixed number of queries, pricing solutions priced
alike once (issue 22). The figures are those of the implementation it replaced, kept here as
the reference: one model instance per solution, FeeBook.for_solutions and fee_summary each."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fund import selectors as fund_selectors
from fund.models import CapitalSource, LedgerEntry
from fund.services import ledger_record
from overview.forecast import Quarter
from overview.selectors import active_agreements_by_solution, solution_defaults
from repayments import selectors as repayments_selectors
from repayments.models import AccessAgreement, Audience, PriceModel, Solution
from repayments.selectors import FeeBook, fee_summary
from tests.repayments.factories import SolutionFactory, kommune
from tests.repayments.factories import project as make_project
from tests.repayments.test_fee_book import _members, _solutions

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


def _reference(today):
    start = Quarter.of(today).plus(1)
    solutions = list(
        Solution.objects.filter(price_model__isnull=False)
        .select_related("price_model")
        .annotate(adopted=Count("agreements", filter=Q(agreements__status="active")))
        .order_by("name")
    )
    book = FeeBook.for_solutions(solutions)
    out = []
    for solution in solutions:
        try:
            p = fee_summary(solution=solution, book=book)
        except (ValueError, ArithmeticError):
            continue
        if not p.members:
            continue
        launch = Quarter.of(solution.available_on)
        offset = (launch.year * 4 + launch.q) - (start.year * 4 + start.q)
        out.append(
            {
                "label": solution.name,
                "fee_per_adopter": str((p.sum_of_fees / p.members).quantize(D("0.01"))),
                "potential_adopters": p.members,
                "adopted_so_far": min(solution.adopted, p.members),
                "saturation": str((solution.expected_adoption / 100).quantize(D("0.001"))),
                "launch_offset": max(0, offset),
                "ramp_quarters": 12,
            }
        )
    return out


def _agreement(solution, member, *, status, user):
    AccessAgreement.objects.create(
        solution=solution,
        member=member,
        status=status,
        requested_by=user,
        fdvu_accepted_at=timezone.now(),
        fdvu_terms_accepted="Likt",
        activated_on=datetime.date(2026, 3, 1) if status == "active" else None,
    )


def test_defaults_equal_the_per_solution_reference(ks_user, monkeypatch):
    _members()
    solutions = _solutions(10)
    # Cost recovery from a project's disbursements (not what KS entered).
    linked = solutions[3]
    linked.project = make_project(actor=ks_user)
    linked.save()
    for kind, amount, source in (
        (LedgerEntry.Kind.KS_CAPITAL, D("1000000"), CapitalSource.KS),
        (LedgerEntry.Kind.DISBURSEMENT, D("777000"), CapitalSource.PROJECTS),
    ):
        ledger_record(
            kind=kind,
            source=source,
            amount=amount,
            occurred_on=datetime.date(2024, 1, 1),
            description="x",
            actor=ks_user,
            project_ref=linked.project_id if kind == LedgerEntry.Kind.DISBURSEMENT else None,
        )
    # Priced alike (shared computation), launched later, and one whose fees cannot be computed.
    for i, launch in enumerate((datetime.date(2027, 8, 1), datetime.date(2029, 2, 1))):
        twin = SolutionFactory(
            name=f"Tvilling {i}",
            audience=Audience.KOMMUNE,
            expected_adoption=D("40"),
            available_on=launch,
        )
        PriceModel.objects.create(solution=twin, kind="flat", parameters={"amount": "40000.00"})
    broken = SolutionFactory(name="Uberegnelig")  # parameters stored before validation
    PriceModel.objects.create(solution=broken, kind="flat", parameters={"amount": "mye"})
    SolutionFactory(name="Uten prismodell")
    members = [kommune(1000 + i, number=f"97{i:02d}") for i in range(4)]
    for member in members[:3]:
        _agreement(solutions[0], member, status="active", user=ks_user)
    _agreement(solutions[0], members[3], status="ended", user=ks_user)
    _agreement(solutions[1], members[0], status="waiting_for_share", user=ks_user)

    computed = []

    def counted(*, solution, book):
        computed.append(solution.pk)
        return fee_summary(solution=solution, book=book)

    monkeypatch.setattr(repayments_selectors, "fee_summary", counted)
    got = solution_defaults(today=TODAY)
    monkeypatch.undo()
    assert got == _reference(TODAY)
    # 13 solutions with a price model; the two twins are priced like the first (flat 40 000 kr
    # for kommuner): computed once for the three.
    assert len(computed) == 11
    assert "Uberegnelig" not in {row["label"] for row in got}
    assert {row["label"]: row["adopted_so_far"] for row in got}[solutions[0].name] == 3
    assert {row["label"]: row["launch_offset"] for row in got}["Tvilling 1"] == 8


def test_defaults_cost_the_same_queries_for_5_and_15_solutions():
    _members()

    def queries(n):
        _solutions(n)
        cache.clear()  # the ledger's sums cold both times (fund.selectors.ledger_cached)
        fund_selectors._memo.clear()
        with CaptureQueriesContext(connection) as captured:
            rows = solution_defaults(today=TODAY)
        assert len(rows) == Solution.objects.count()
        return len(captured)

    few = queries(5)  # every price model and audience
    assert queries(10) == few  # 15 solutions in all


@pytest.mark.services
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_members_with_access_are_counted_from_the_partial_index():
    """The count matches the partial index access_active_by_solution (its condition and
    column), so PostgreSQL can count without reading the agreements (an index-only scan)."""
    with CaptureQueriesContext(connection) as captured:
        active_agreements_by_solution()
    (query,) = captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: force the choice
        cursor.execute("EXPLAIN " + query["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using access_active_by_solution" in plan
