"""The bulk fee path (FeeBook, fee_summary) gives price_preview's numbers in a fixed number of
queries, whatever the number of solutions (the forecast's defaults price every solution)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fund.models import CapitalSource, LedgerEntry
from fund.services import ledger_record
from members.models import Member
from repayments import selectors
from repayments.models import Audience, PriceModel
from tests.members.factories import MemberFactory
from tests.repayments.factories import (
    DIGIORDEN_CLASSES,
    SolutionFactory,
    kommune,
    make_participant,
    population,
)
from tests.repayments.factories import project as make_project

pytestmark = pytest.mark.django_db
D = Decimal

MODELS = [
    ("flat", {"amount": "40000.00"}),
    ("per_inhabitant", {"rate": "1.5", "floor": "5000", "ceiling": "60000"}),
    ("size_class", {"classes": DIGIORDEN_CLASSES}),
    ("cost_recovery", {"weighting": "per_inhabitant"}),
    ("cost_recovery", {"weighting": "equal"}),
]


def _members(*, participants=False):
    members = [kommune(value) for value in (800, 4_999, 5_000, 12_000, 31_000)]
    members.append(MemberFactory(name="Uten tall"))  # no population: missing, not priced
    fylke = MemberFactory(kind=Member.Kind.FYLKESKOMMUNE, name="Testfylke")
    population(fylke, 250_000)
    members.append(fylke)
    if participants:  # the preview charges participants only; fee_summary counts everyone
        for member in members:
            make_participant(member, paid=True)


def _solutions(n: int, *, actor=None):
    audiences = [Audience.KOMMUNE, Audience.BOTH, Audience.FYLKESKOMMUNE]
    out = []
    for i in range(n):
        kind, parameters = MODELS[i % len(MODELS)]
        solution = SolutionFactory(
            audience=audiences[i % len(audiences)],
            development_cost=D(100_000 * (i + 1)),
            expected_adoption=D(40 + i),
        )
        PriceModel.objects.create(solution=solution, kind=kind, parameters=parameters)
        out.append(solution)
    return out


def _summaries(solutions):
    book = selectors.FeeBook.for_solutions(solutions)
    return [selectors.fee_summary(solution=s, book=book) for s in solutions]


def test_fee_summary_equals_the_price_preview_for_every_model_and_audience(ks_user):
    _members(participants=True)
    solutions = _solutions(10)
    # A solution from a project with disbursements recovers those, not what KS entered.
    linked = solutions[3]
    linked.project = make_project(actor=ks_user)
    linked.save()
    ledger_record(
        kind=LedgerEntry.Kind.KS_CAPITAL,
        source=CapitalSource.KS,
        amount=D("1000000"),
        occurred_on=datetime.date(2023, 1, 1),
        description="Kapital",
        actor=ks_user,
    )
    ledger_record(
        kind=LedgerEntry.Kind.DISBURSEMENT,
        source=CapitalSource.PROJECTS,
        amount=D("777000"),
        occurred_on=datetime.date(2024, 1, 1),
        description="Utbetaling",
        actor=ks_user,
        project_ref=linked.project_id,
    )
    for solution, summary in zip(solutions, _summaries(solutions), strict=True):
        preview = selectors.price_preview(solution=solution)
        assert summary == selectors.FeeSummary(len(preview.rows), preview.sum_of_fees)
    book = selectors.FeeBook.for_solutions(solutions)
    assert (
        book.development_cost(linked) == D("777000") == selectors.development_cost(solution=linked)
    )
    assert selectors.price_preview(solution=linked, book=book).development_cost == D("777000")


def test_fee_summary_queries_do_not_grow_with_the_solutions():
    _members()

    def queries(n):
        solutions = list(_solutions(n))
        for s in solutions:
            s.refresh_from_db()  # price_model loaded below with the rest, not cached here
        with CaptureQueriesContext(connection) as captured:
            fetched = list(
                type(solutions[0])
                .objects.filter(pk__in=[s.pk for s in solutions])
                .select_related("price_model")
            )
            _summaries(fetched)
        return len(captured)

    assert queries(3) == queries(15)


def test_a_model_that_cannot_compute_raises_like_the_preview():
    _members()
    (solution,) = _solutions(1)
    solution.price_model.parameters = {"weighting": "equal"}
    solution.price_model.kind = "cost_recovery"
    solution.expected_adoption = D("0")
    book = selectors.FeeBook.for_solutions([solution])
    with pytest.raises(ValueError):
        selectors.fee_summary(solution=solution, book=book)
    with pytest.raises(ValueError):
        selectors.price_preview(solution=solution)
