"""The linear forecast against the straightforward one it replaced, on random inputs.

The reference recomputes the whole forecast for every pipeline project (quadratic, obviously
right); `run_forecast` must give exactly the same rows and the same affordable projects."""

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from overview.forecast import (
    ZERO,
    ForecastInput,
    ForecastResult,
    GrantCommitment,
    PipelineProject,
    Quarter,
    QuarterRow,
    SolutionAdoption,
    _money,
    _schedule,
    adopters_by_quarter,
    run_forecast,
)


def _reference_rows(data: ForecastInput, pipeline) -> list[QuarterRow]:
    horizon = max(1, int(data.years)) * 4
    grants = [ZERO] * horizon
    for grant in data.grants:
        for i, part in enumerate(_schedule(horizon, 0, grant.remaining, grant.quarters)):
            grants[i] += part
    total_grants = sum((_money(g.remaining) for g in data.grants), ZERO)
    pipeline_out = [ZERO] * horizon
    for project in pipeline:
        sched = _schedule(horizon, project.start_offset, project.development_cost, project.quarters)
        for i, part in enumerate(sched):
            pipeline_out[i] += part
    fees = [ZERO] * horizon
    for solution in data.solutions:
        fee = _money(solution.fee_per_adopter)
        for i, count in enumerate(adopters_by_quarter(solution, horizon)):
            fees[i] += fee * count
    other = _money(data.other_inflow_per_quarter)
    rows, balance, paid = [], _money(data.opening_balance), ZERO
    for i in range(horizon):
        paid += grants[i]
        closing = balance + fees[i] + other - grants[i] - pipeline_out[i]
        rows.append(
            QuarterRow(
                quarter=data.start.plus(i),
                opening=balance,
                access_fees=fees[i],
                other_inflow=other,
                grants_paid=grants[i],
                pipeline_paid=pipeline_out[i],
                closing=closing,
                committed_after=total_grants - paid,
                available=closing - (total_grants - paid),
            )
        )
        balance = closing
    return rows


def _reference(data: ForecastInput) -> ForecastResult:
    def dry(rows):
        return next((r.quarter for r in rows if r.closing < 0), None)

    rows = _reference_rows(data, data.pipeline)
    affordable, unaffordable = [], []
    for project in data.pipeline:
        if dry(_reference_rows(data, (*affordable, project))) is None:
            affordable.append(project)
        else:
            unaffordable.append(project.label)
    return ForecastResult(rows, dry(rows), [p.label for p in affordable], unaffordable)


money = st.integers(min_value=0, max_value=50_000_000).map(lambda ore: D(ore) / 100)
grants = st.builds(GrantCommitment, st.just("G"), money, st.integers(1, 10))
projects = st.builds(
    PipelineProject,
    st.text("ABCDEFGH", min_size=1, max_size=3),
    money,
    st.integers(-2, 14),
    st.integers(1, 9),
)
solutions = st.builds(
    SolutionAdoption,
    st.just("S"),
    money,
    st.integers(0, 400),
    st.integers(0, 100),
    st.sampled_from([D("0"), D("0.25"), D("0.6"), D("1")]),
    st.integers(-8, 10),
    st.integers(1, 16),
)
inputs = st.builds(
    ForecastInput,
    start=st.builds(Quarter, st.integers(2020, 2030), st.integers(1, 4)),
    opening_balance=money,
    years=st.integers(1, 4),
    grants=st.lists(grants, max_size=3).map(tuple),
    pipeline=st.lists(projects, max_size=12).map(tuple),
    solutions=st.lists(solutions, max_size=6).map(tuple),
    other_inflow_per_quarter=money.map(lambda m: m / 10).map(_money),
)


@settings(max_examples=300, deadline=None)
@given(inputs)
def test_linear_forecast_equals_the_quadratic_reference(data):
    expected = _reference(data)
    result = run_forecast(data)
    assert result == expected
    # Exact Decimal end to end: every amount has øre and no more.
    for row in result.rows:
        for value in (row.opening, row.access_fees, row.grants_paid, row.closing, row.available):
            assert value == value.quantize(D("0.01"))


def test_affordability_is_decided_in_the_given_order_with_later_projects_still_tried():
    # Opening 500, nothing comes in: A (300) fits, B (300) would not after A, C (200) still does.
    data = ForecastInput(
        start=Quarter(2027, 1),
        opening_balance=D("500"),
        years=1,
        pipeline=(
            PipelineProject("A", D("300"), quarters=2),
            PipelineProject("B", D("300"), start_offset=3, quarters=1),
            PipelineProject("C", D("200"), start_offset=1, quarters=3),
        ),
    )
    result = run_forecast(data)
    assert (result.affordable, result.unaffordable) == (["A", "C"], ["B"])
    assert result == _reference(data)
