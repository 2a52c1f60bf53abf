import pytest
from stdnum import luhn

from invoicing import kid


def test_mod10_kid_has_the_documented_layout_and_a_luhn_check_digit():
    value = kid.make_kid(series_digit=1, year=2026, sequence=42, method="mod10")
    assert value[:10] == "1260000420"
    assert len(value) == kid.KID_LENGTH
    assert luhn.is_valid(value)
    assert kid.is_valid(value, "mod10")


def test_mod11_check_digit_matches_a_known_kid():
    # weights 2..7 from the right: 8·2+7·3+6·4+5·5+4·6+3·7+2·2+1·3 = 138; 11 − 138 % 11 = 5
    assert kid.mod11_check_digit("12345678") == "5"
    assert kid.is_valid("123456785", "mod11")


def test_mod11_picks_the_next_number_when_the_remainder_is_10():
    sequences = [
        s
        for s in range(1, 200)
        if kid.mod11_check_digit(f"126{s:06d}0") is None  # variant 0 has no check digit
    ]
    assert sequences, "some sequence must hit remainder 10 in 200 numbers"
    value = kid.make_kid(series_digit=1, year=2026, sequence=sequences[0], method="mod11")
    assert value[9] == "1"  # the variant digit moved on
    assert kid.is_valid(value, "mod11")


def test_changing_one_digit_makes_a_kid_invalid():
    value = kid.make_kid(series_digit=1, year=2026, sequence=7, method="mod10")
    broken = value[:-2] + str((int(value[-2]) + 1) % 10) + value[-1]
    assert not kid.is_valid(broken, "mod10")


def test_sequence_that_does_not_fit_is_refused():
    with pytest.raises(ValueError):
        kid.make_kid(series_digit=1, year=2026, sequence=1_000_000)


def test_the_configured_method_is_used(settings):
    settings.DIGIFIN_KID_METHOD = "mod11"
    value = kid.make_kid(series_digit=1, year=2026, sequence=5)
    assert kid.mod11_check_digit(value[:-1]) == value[-1]


def test_unicode_digits_are_not_a_kid():
    """'²' is a digit to str.isdigit() but not to a bank: refused, not a crash."""
    assert kid.is_valid("²0", method="mod11") is False
    assert kid.is_valid("1²345678903", method="mod10") is False
