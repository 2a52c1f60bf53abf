"""The forecast's arithmetic, checked against cases computed by hand."""

from decimal import Decimal as D

import pytest

from overview.forecast import (
    ForecastInput,
    GrantCommitment,
    PipelineProject,
    Quarter,
    SolutionAdoption,
    adopters_by_quarter,
    run_forecast,
    spread,
)


def test_quarter_arithmetic_crosses_year_end():
    assert Quarter(2026, 4).plus(1) == Quarter(2027, 1)
    assert Quarter(2026, 3).plus(6) == Quarter(2028, 1)
    assert Quarter(2026, 4).label == "2026 K4"


def test_spread_rounds_down_and_last_part_takes_the_remainder():
    assert spread(D("100.00"), 3) == [D("33.33"), D("33.33"), D("33.34")]
    assert sum(spread(D("1000000.01"), 4)) == D("1000000.01")


def test_spread_refuses_floats():
    with pytest.raises(TypeError):
        spread(100.0, 2)


def test_linear_adoption_counts_adopters_so_far_once():
    # target = floor(10 * 0.5) = 5; one in already, 4 remain over 2 quarters: 1+2=3, 1+4=5.
    sol = SolutionAdoption(
        "A", D("1000"), 10, adopted_so_far=1, saturation=D("0.5"), ramp_quarters=2
    )
    assert adopters_by_quarter(sol, 4) == [2, 2, 0, 0]


def test_adoption_rounds_down_each_quarter_and_reaches_the_target():
    # target = floor(7 * 1) = 7 over 3 quarters: floor(7/3)=2, floor(14/3)=4, 7 -> 2, 2, 3.
    sol = SolutionAdoption("A", D("1"), 7, ramp_quarters=3)
    assert adopters_by_quarter(sol, 4) == [2, 2, 3, 0]


def test_adoption_waits_for_launch():
    sol = SolutionAdoption("A", D("1"), 4, launch_offset=2, ramp_quarters=1)
    assert adopters_by_quarter(sol, 4) == [0, 0, 4, 0]


def test_forecast_by_hand_with_grants_fees_and_dry_quarter():
    # Opening 1 000. A grant of 1 500 left over 3 quarters: 500 each. One solution: fee 200,
    # 4 potential adopters, ramp 4 -> 1 new adopter per quarter -> +200 each quarter.
    # Q1: 1000 + 200 - 500 = 700;  Q2: 700 + 200 - 500 = 400;  Q3: 400 + 200 - 500 = 100;
    # Q4: 100 + 200 = 300. Committed after: 1000, 500, 0, 0. Available: -300, -100, 100, 300.
    data = ForecastInput(
        start=Quarter(2027, 1),
        opening_balance=D("1000"),
        years=1,
        grants=(GrantCommitment("G", D("1500"), quarters=3),),
        solutions=(SolutionAdoption("S", D("200"), 4, ramp_quarters=4),),
    )
    result = run_forecast(data)
    assert [r.closing for r in result.rows] == [D("700"), D("400"), D("100"), D("300")]
    assert [r.available for r in result.rows] == [D("-300"), D("-100"), D("100"), D("300")]
    assert [r.quarter.label for r in result.rows] == ["2027 K1", "2027 K2", "2027 K3", "2027 K4"]
    assert result.dry_quarter is None
    assert result.total_access_fees == D("800")


def test_pipeline_that_cannot_be_paid_flags_dry_quarter_and_affordability():
    # Opening 1 000, no fees. Pipeline in priority order: A 600 in Q1, B 600 in Q2, C 300 in Q3.
    # All three: 400, -200 -> dry in Q2 (2027 K2).
    # Affordable greedily: A (400 left) yes; A+B (-200) no; A+C (100) yes.
    data = ForecastInput(
        start=Quarter(2027, 1),
        opening_balance=D("1000"),
        years=1,
        pipeline=(
            PipelineProject("A", D("600"), start_offset=0, quarters=1),
            PipelineProject("B", D("600"), start_offset=1, quarters=1),
            PipelineProject("C", D("300"), start_offset=2, quarters=1),
        ),
    )
    result = run_forecast(data)
    assert [r.closing for r in result.rows] == [D("400"), D("-200"), D("-500"), D("-500")]
    assert result.dry_quarter == Quarter(2027, 2)
    assert result.affordable == ["A", "C"]
    assert result.unaffordable == ["B"]


def test_other_inflow_each_quarter_and_horizon_in_years():
    data = ForecastInput(
        start=Quarter(2026, 4),
        opening_balance=D("0"),
        years=2,
        other_inflow_per_quarter=D("12.50"),
    )
    result = run_forecast(data)
    assert len(result.rows) == 8
    assert result.rows[-1].quarter == Quarter(2028, 3)
    assert result.closing == D("100.00")


def test_payments_beyond_the_horizon_are_not_counted_but_remain_committed():
    # 900 over 6 quarters = 150 each; horizon 1 year: 600 paid, 300 still committed after Q4.
    data = ForecastInput(
        start=Quarter(2027, 1),
        opening_balance=D("1000"),
        years=1,
        grants=(GrantCommitment("G", D("900"), quarters=6),),
    )
    result = run_forecast(data)
    assert result.closing == D("400")
    assert result.rows[-1].committed_after == D("300")
    assert result.rows[-1].available == D("100")


def test_solution_launched_earlier_spreads_the_rest_from_now_without_catch_up():
    # target 12 reached over 4 quarters from now; 4 are in: 8 remain -> 2 per quarter.
    sol = SolutionAdoption("A", D("1"), 12, adopted_so_far=4, launch_offset=-6, ramp_quarters=4)
    assert adopters_by_quarter(sol, 5) == [2, 2, 2, 2, 0]


def test_more_adopters_than_the_target_adds_none():
    sol = SolutionAdoption("A", D("1"), 10, adopted_so_far=9, saturation=D("0.5"), ramp_quarters=2)
    assert adopters_by_quarter(sol, 3) == [0, 0, 0]
