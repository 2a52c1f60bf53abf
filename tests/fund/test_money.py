from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import format_nok, round_kroner, to_money

NB = "\xa0"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("555700"), f"555{NB}700{NB}kr"),
        (Decimal("101680.00"), f"101{NB}680{NB}kr"),
        (Decimal("125000000"), f"125{NB}000{NB}000{NB}kr"),
        (Decimal("999"), f"999{NB}kr"),
        (Decimal("0"), f"0{NB}kr"),
        (Decimal("-1500"), f"−1{NB}500{NB}kr"),
    ],
)
def test_format_nok_whole_kroner(amount, expected):
    assert format_nok(amount) == expected


def test_format_nok_with_ore():
    assert format_nok(Decimal("555700"), decimals=True) == f"555{NB}700,00{NB}kr"
    assert format_nok(Decimal("1234.5"), decimals=True) == f"1{NB}234,50{NB}kr"


def test_rounding_is_half_up_to_ore_and_kroner():
    assert to_money("0.005") == Decimal("0.01")
    assert to_money("2.675") == Decimal("2.68")
    assert round_kroner("2.5") == Decimal("3.00")
    assert round_kroner("-2.5") == Decimal("-3.00")


def test_floats_are_refused():
    with pytest.raises(TypeError):
        to_money(0.1)
    with pytest.raises(TypeError):
        round_kroner(2.5)


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_formatting_round_trips(amount):
    text = format_nok(amount, decimals=True, suffix=False)
    parsed = Decimal(text.replace(NB, "").replace(",", ".").replace("−", "-"))
    assert parsed == amount
