"""NPV by hand: year 0 = first project year (not discounted), r = 4 %."""

from decimal import Decimal

from projects.npv import compute_npv

R = Decimal("0.04")


def test_single_year_zero_flows_are_not_discounted():
    result = compute_npv(
        costs=[(2027, Decimal("100"), Decimal("0"))], benefits=[(2027, Decimal("250"))], rate=R
    )
    assert result.npv == Decimal("150.00")
    assert result.npv_per_krone == Decimal("1.50")


def test_later_years_are_discounted_by_one_plus_rate_to_the_power_t():
    # Dev 1 000 000 in 2027 (t=0). Benefit 1 081 600 in 2029 (t=2): 1 081 600 / 1.0816 = 1 000 000.
    result = compute_npv(
        costs=[(2027, Decimal("1000000"), Decimal("0"))],
        benefits=[(2029, Decimal("1081600"))],
        rate=R,
    )
    assert result.pv_benefits == Decimal("1000000.00")
    assert result.npv == Decimal("0.00")
    assert result.npv_per_krone == Decimal("0.00")


def test_operating_costs_reduce_npv_but_not_the_invested_krone():
    # t=0: dev 1000; t=1: op 104 -> PV 100; benefit 520 at t=1 -> PV 500.
    # NPV = 500 - 1000 - 100 = -600; per krone = -600 / 1000 = -0.60
    result = compute_npv(
        costs=[(2027, Decimal("1000"), Decimal("0")), (2028, Decimal("0"), Decimal("104"))],
        benefits=[(2028, Decimal("520"))],
        rate=R,
    )
    assert result.pv_operating == Decimal("100.00")
    assert result.npv == Decimal("-600.00")
    assert result.npv_per_krone == Decimal("-0.60")


def test_npv_rounds_half_up_to_ore_only_at_the_end():
    # 100 / 1.04 = 96.153846... -> 96.15 ; 100/1.04^2 = 92.455621... -> sum 188.609467 -> 188.61
    result = compute_npv(
        costs=[(2027, Decimal("0"), Decimal("0"))],
        benefits=[(2028, Decimal("100")), (2029, Decimal("100"))],
        rate=R,
    )
    assert result.npv == Decimal("188.61")
    assert result.npv_per_krone is None  # no development cost: ratio undefined


def test_first_year_given_overrides_earliest_row():
    result = compute_npv(
        costs=[(2028, Decimal("104"), Decimal("0"))], benefits=[], first_year=2027, rate=R
    )
    assert result.pv_development == Decimal("100.00")


def test_empty_tables_give_zero():
    result = compute_npv(costs=[], benefits=[], rate=R)
    assert result.npv == Decimal("0.00")
    assert result.first_year is None


def test_default_rate_comes_from_settings(settings):
    settings.DIGIFIN_DISCOUNT_RATE = Decimal("0.10")
    result = compute_npv(
        costs=[(2027, Decimal("0"), Decimal("0"))], benefits=[(2028, Decimal("110"))]
    )
    assert result.npv == Decimal("100.00")
