"""Each price model against fees computed by hand (docs/repayments.md has the formulas)."""

from decimal import Decimal

import pytest

from repayments import price_models as pm
from tests.repayments.factories import DIGIORDEN_CLASSES, DIGIORDEN_FDVU

D = Decimal


def _fee(kind, params, population, **kw):
    return pm.fee(kind, pm.validate(kind, params), population, **kw)


def test_flat_fee_is_the_same_for_every_size():
    assert _fee(pm.FLAT, {"amount": "25000"}, 300) == D("25000.00")
    assert _fee(pm.FLAT, {"amount": "25000"}, 700_000) == D("25000.00")


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (1_000, "10000.00"),  # 2 500 kr is under the floor
        (5_084, "12710.00"),  # 5 084 × 2,50
        (27_785, "69463.00"),  # 69 462,50 rounded half up
        (100_000, "200000.00"),  # 250 000 kr is over the ceiling
    ],
)
def test_per_inhabitant_fee_rounds_half_up_then_clamps(population, expected):
    params = {"rate": "2.50", "floor": "10000", "ceiling": "200000"}
    assert _fee(pm.PER_INHABITANT, params, population) == D(expected)


def test_per_inhabitant_without_floor_or_ceiling_is_rate_times_population():
    assert _fee(pm.PER_INHABITANT, {"rate": "1,25"}, 1_001) == D("1251.00")  # 1 251,25


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (1_000, "25000.00"),
        (4_999, "25000.00"),
        (5_000, "40000.00"),
        (5_084, "40000.00"),  # Øyer
        (10_000, "40000.00"),
        (10_001, "60000.00"),
        (27_785, "60000.00"),  # Lillehammer
    ],
)
def test_digiorden_size_classes_give_ks_published_fees(population, expected):
    assert _fee(pm.SIZE_CLASS, {"classes": DIGIORDEN_CLASSES}, population) == D(expected)


def test_cost_recovery_equal_weights_rounds_each_fee_up_to_whole_kroner():
    params = pm.validate(pm.COST_RECOVERY, {"weighting": "equal"})
    basis = pm.recovery_basis(
        params, development_cost=D("1000000"), expected_adoption=D("0.6"), populations=[1] * 7
    )
    fee = pm.fee(pm.COST_RECOVERY, params, 1, basis=basis)
    # 1 000 000 / (0,6 × 7) = 238 095,238… → 238 096
    assert fee == D("238096.00")
    assert pm.total_at_adoption([fee] * 7, D("0.6")) == D("1000003.00")  # ≥ cost, < 1 kr/member


def test_cost_recovery_by_size_class_reproduces_digiorden_ratios():
    params = pm.validate(
        pm.COST_RECOVERY,
        {
            "weighting": "size_class",
            "weights": [
                {"min_population": 0, "weight": "1"},
                {"min_population": 5000, "weight": "1.6"},
                {"min_population": 10001, "weight": "2.4"},
            ],
        },
    )
    pops = [1_000, 6_000, 20_000]
    basis = pm.recovery_basis(
        params, development_cost=D("125000"), expected_adoption=D("1"), populations=pops
    )
    fees = [pm.fee(pm.COST_RECOVERY, params, p, basis=basis) for p in pops]
    assert fees == [D("25000.00"), D("40000.00"), D("60000.00")]


def test_cost_recovery_per_inhabitant_recovers_cost_at_expected_adoption():
    params = pm.validate(pm.COST_RECOVERY, {"weighting": "per_inhabitant"})
    pops = [1_000, 3_000, 6_000]
    basis = pm.recovery_basis(
        params, development_cost=D("1000000"), expected_adoption=D("0.5"), populations=pops
    )
    fees = [pm.fee(pm.COST_RECOVERY, params, p, basis=basis) for p in pops]
    assert fees == [D("200000.00"), D("600000.00"), D("1200000.00")]
    assert pm.total_at_adoption(fees, D("0.5")) == D("1000000.00")


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        (pm.FLAT, {"amount": "0"}, "større enn null"),
        (pm.FLAT, {"amount": 1.5}, "flyttall"),
        (pm.FLAT, {"amount": "tjue"}, "ikke et tall"),
        (pm.PER_INHABITANT, {"rate": "2", "floor": "500", "ceiling": "100"}, "Minstebeløpet"),
        (pm.SIZE_CLASS, {"classes": []}, "minst én rad"),
        (pm.SIZE_CLASS, {"classes": [{"min_population": 10, "amount": "5"}]}, "starte på 0"),
        (pm.COST_RECOVERY, {"weighting": "tilfeldig"}, "Velg vekting"),
        ("auksjon", {}, "Ukjent prismodell"),
    ],
)
def test_invalid_parameters_are_refused_with_a_reason(kind, params, message):
    with pytest.raises(pm.PriceModelError, match=message):
        pm.validate(kind, params)


def test_split_exact_gives_leftover_kroner_to_largest_remainders():
    assert pm.split_exact(D("100"), [D(1), D(1), D(1)]) == [D("34.00"), D("33.00"), D("33.00")]
    parts = pm.split_exact(D("1000"), [D(27785), D(5084), D(6193)])
    assert sum(parts) == D("1000.00")
    assert parts == [D("711.00"), D("130.00"), D("159.00")]


def test_digiorden_fdvu_tariff_is_500_a_month_plus_0125_per_inhabitant():
    params = pm.validate_fdvu("tariff", DIGIORDEN_FDVU, None)
    # Lillehammer: (500 + 0,125 × 27 785) × 12 = 47 677,50 → 47 678
    assert pm.fdvu_tariff_yearly(params, 27_785) == D("47678.00")
    # Øyer: (500 + 0,125 × 5 084) × 12 = 13 626
    assert pm.fdvu_tariff_yearly(params, 5_084) == D("13626.00")
