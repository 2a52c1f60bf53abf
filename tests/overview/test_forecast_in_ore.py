"""The forecast computed in whole øre (issue 22) gives exactly the figures of the Decimal
implementation it replaced, kept here verbatim as the reference (`_decimal_*`): on random
inputs (negative amounts and offsets included), and on a fixed case with known figures."""

from dataclasses import dataclass
from decimal import ROUND_DOWN
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
    adopters_by_quarter,
    run_forecast,
    spread,
)

Decimal = D


def _decimal_adopters(solution: SolutionAdoption, horizon: int) -> list[int]:
    """New adopters in each of the `horizon` forecast quarters."""
    target = int(
        (Decimal(solution.potential_adopters) * Decimal(solution.saturation)).to_integral_value(
            rounding=ROUND_DOWN
        )
    )
    ramp = max(1, int(solution.ramp_quarters))
    start = max(0, int(solution.launch_offset))
    remaining = max(0, target - solution.adopted_so_far)
    previous = solution.adopted_so_far
    new = []
    for index in range(horizon):
        k = index - start
        cumulative = (
            previous
            if k < 0
            else solution.adopted_so_far + min(remaining, remaining * (k + 1) // ramp)
        )
        new.append(cumulative - previous)
        previous = cumulative
    return new


def _decimal_schedule(
    horizon: int, start_offset: int, amount: Decimal, quarters: int
) -> list[Decimal]:
    out = [ZERO] * horizon
    for i, part in enumerate(spread(amount, quarters)):
        index = start_offset + i
        if 0 <= index < horizon:
            out[index] += part
    return out


@dataclass(frozen=True)
class _DecimalFlows:
    """Everything of a forecast except the pipeline: computed once per forecast."""

    horizon: int
    opening: Decimal
    fees: list[Decimal]
    other: Decimal
    grants: list[Decimal]
    committed_after: list[Decimal]  # still to pay on granted projects after quarter i


def _decimal_flows(data: ForecastInput) -> _DecimalFlows:
    horizon = max(1, int(data.years)) * 4
    grants = [ZERO] * horizon
    for grant in data.grants:
        for i, part in enumerate(_decimal_schedule(horizon, 0, grant.remaining, grant.quarters)):
            grants[i] += part
    total_grants = sum((_money(g.remaining) for g in data.grants), ZERO)
    committed_after = []
    paid = ZERO
    for i in range(horizon):
        paid += grants[i]
        committed_after.append(total_grants - paid)
    fees = [ZERO] * horizon
    for solution in data.solutions:
        fee = _money(solution.fee_per_adopter)
        for i, count in enumerate(_decimal_adopters(solution, horizon)):
            if count:
                fees[i] += fee * count
    return _DecimalFlows(
        horizon=horizon,
        opening=_money(data.opening_balance),
        fees=fees,
        other=_money(data.other_inflow_per_quarter),
        grants=grants,
        committed_after=committed_after,
    )


def _decimal_rows(
    data: ForecastInput, flows: _DecimalFlows, pipeline_out: list[Decimal]
) -> list[QuarterRow]:
    rows = []
    balance = flows.opening
    for i in range(flows.horizon):
        closing = balance + flows.fees[i] + flows.other - flows.grants[i] - pipeline_out[i]
        rows.append(
            QuarterRow(
                quarter=data.start.plus(i),
                opening=balance,
                access_fees=flows.fees[i],
                other_inflow=flows.other,
                grants_paid=flows.grants[i],
                pipeline_paid=pipeline_out[i],
                closing=closing,
                committed_after=flows.committed_after[i],
                available=closing - flows.committed_after[i],
            )
        )
        balance = closing
    return rows


def _dry(rows: list[QuarterRow]) -> Quarter | None:
    return next((r.quarter for r in rows if r.closing < 0), None)


def _decimal_forecast(data: ForecastInput) -> ForecastResult:
    """The forecast with the whole pipeline, and which pipeline projects the fund can afford.

    Linear in the pipeline and the solutions: fees, grants and other inflows are computed once;
    affordability keeps the closing capital with the affordable projects so far and tries each
    project's schedule against it (money is exact Decimal, so the order of the sums does not
    change a figure)."""
    flows = _decimal_flows(data)
    horizon = flows.horizon
    schedules = [
        _decimal_schedule(horizon, p.start_offset, p.development_cost, p.quarters)
        for p in data.pipeline
    ]
    pipeline_out = [ZERO] * horizon
    for sched in schedules:
        for i, part in enumerate(sched):
            pipeline_out[i] += part
    rows = _decimal_rows(data, flows, pipeline_out)
    # Closing capital per quarter with only the affordable projects (none yet).
    closing = []
    balance = flows.opening
    for i in range(horizon):
        balance += flows.fees[i] + flows.other - flows.grants[i]
        closing.append(balance)
    affordable: list[str] = []
    unaffordable: list[str] = []
    for project, sched in zip(data.pipeline, schedules, strict=True):
        trial = []
        paid = ZERO
        for i in range(horizon):
            paid += sched[i]
            if closing[i] - paid < 0:
                break
            trial.append(closing[i] - paid)
        if len(trial) == horizon:
            closing = trial
            affordable.append(project.label)
        else:
            unaffordable.append(project.label)
    return ForecastResult(
        rows=rows,
        dry_quarter=_dry(rows),
        affordable=affordable,
        unaffordable=unaffordable,
    )


signed_money = st.integers(min_value=-5_000_000, max_value=50_000_000).map(lambda ore: D(ore) / 100)
odd_money = st.decimals(min_value=-1000, max_value=1_000_000, places=4)  # rounded to øre
grants = st.builds(GrantCommitment, st.just("G"), signed_money, st.integers(1, 10))
projects = st.builds(
    PipelineProject,
    st.text("ABCDEFGH", min_size=1, max_size=3),
    st.one_of(signed_money, odd_money),
    st.integers(-6, 24),
    st.integers(-1, 9),
)
solutions = st.builds(
    SolutionAdoption,
    st.just("S"),
    st.one_of(signed_money, odd_money),
    st.integers(0, 400),
    st.integers(0, 450),
    st.sampled_from([D("0"), D("0.25"), D("0.6"), D("0.333"), D("1")]),
    st.integers(-8, 24),
    st.integers(0, 16),
)
inputs = st.builds(
    ForecastInput,
    start=st.builds(Quarter, st.integers(2020, 2030), st.integers(1, 4)),
    opening_balance=st.one_of(signed_money, odd_money),
    years=st.integers(0, 5),
    grants=st.lists(grants, max_size=3).map(tuple),
    pipeline=st.lists(projects, max_size=15).map(tuple),
    solutions=st.lists(solutions, max_size=12).map(tuple),
    other_inflow_per_quarter=st.one_of(signed_money, odd_money),
)


def _exactly(result: ForecastResult) -> list:
    """Every figure as its text: equal values with different exponents would show differently.
    (A negative zero, -0.00 from an input of -0.0001 kr, is 0.00 now: `+ 0` normalises it.)"""
    return [
        [
            str(value + 0 if isinstance(value, D) else value)
            for value in (getattr(row, name) for name in QuarterRow.__dataclass_fields__)
        ]
        for row in result.rows
    ]


@settings(max_examples=400, deadline=None)
@given(inputs)
def test_forecast_in_ore_equals_the_decimal_forecast(data):
    expected = _decimal_forecast(data)
    result = run_forecast(data)
    assert result == expected
    assert _exactly(result) == _exactly(expected)


@settings(max_examples=300, deadline=None)
@given(solutions, st.integers(1, 24))
def test_adopters_per_quarter_equal_the_decimal_forecasts(solution, horizon):
    assert adopters_by_quarter(solution, horizon) == _decimal_adopters(solution, horizon)


def test_a_fixed_case_has_the_known_figures():
    # 1 000 000 kr in the fund, 300 000 kr still to pay on grants over 3 quarters, 10 000 kr a
    # quarter from elsewhere; a pipeline project of 900 000 kr from the second quarter over
    # 2 quarters; two solutions on the same ramp (4 of 20 members at 50 %: 6 to come over 3
    # quarters, 2 a quarter) at 5 000 and 2 500 kr, and one launched in quarter 3 (10 of 10
    # over 2 quarters, 5 a quarter) at 1 000 kr.
    data = ForecastInput(
        start=Quarter(2027, 1),
        opening_balance=D("1000000"),
        years=1,
        grants=(GrantCommitment("G", D("300000"), 3),),
        pipeline=(PipelineProject("P", D("900000"), start_offset=1, quarters=2),),
        solutions=(
            SolutionAdoption("A", D("5000"), 20, 4, D("0.5"), 0, 3),
            SolutionAdoption("B", D("2500"), 20, 4, D("0.5"), 0, 3),
            SolutionAdoption("C", D("1000"), 10, 0, D("1"), 2, 2),
        ),
        other_inflow_per_quarter=D("10000"),
    )
    result = run_forecast(data)
    assert result == _decimal_forecast(data)
    fees = [D("15000.00"), D("15000.00"), D("20000.00"), D("5000.00")]
    assert [r.access_fees for r in result.rows] == fees
    assert [r.grants_paid for r in result.rows] == [D("100000.00")] * 3 + [ZERO]
    assert [r.pipeline_paid for r in result.rows] == [ZERO, D("450000.00"), D("450000.00"), ZERO]
    assert [str(r.closing) for r in result.rows] == [
        "925000.00",
        "400000.00",
        "-120000.00",
        "-105000.00",
    ]
    assert result.dry_quarter == Quarter(2027, 3)
    assert (result.affordable, result.unaffordable) == ([], ["P"])
    assert [str(p) for p in spread(D("100.00"), 3)] == ["33.33", "33.33", "33.34"]
