"""core.bounds: the numbers, the form-field factories and the constraint conditions agree."""

import datetime
from decimal import Decimal

import pytest
from django import forms

from core import bounds


class _Form(forms.Form):
    amount = bounds.MoneyField(required=False)
    positive = bounds.MoneyField(required=False, minimum=Decimal("0.01"))
    rate = bounds.RateField(required=False)
    percent = bounds.PercentField(required=False)
    year = bounds.YearField(required=False)
    population = bounds.PopulationField(required=False)
    paid_on = forms.DateField(required=False, validators=bounds.booked_date_validators())
    due_on = forms.DateField(required=False, validators=bounds.planned_date_validators())


def _errors(**data):
    form = _Form(data)
    form.is_valid()
    return set(form.errors)


@pytest.mark.parametrize(
    "field, value",
    [
        ("amount", "10000000000.01"),
        ("amount", "1e20"),
        ("amount", "-0.01"),
        ("amount", "1.001"),
        ("amount", "NaN"),
        ("amount", "Infinity"),
        ("positive", "0"),
        ("rate", "1000.0001"),
        ("rate", "0.00001"),
        ("rate", "1e30"),
        ("percent", "100.01"),
        ("percent", "-1"),
        ("year", "2016"),
        ("year", "2101"),
        ("year", "0"),
        ("year", "3400"),
        ("population", "10000001"),
        ("population", "-1"),
        ("population", str(10**20)),
        ("paid_on", "2016-12-31"),
        ("due_on", "2016-12-31"),
    ],
)
def test_out_of_bounds_is_a_normal_form_error(field, value):
    assert _errors(**{field: value}) == {field}


@pytest.mark.parametrize(
    "field, value",
    [
        ("amount", "10000000000.00"),
        ("amount", "0"),
        ("positive", "0.01"),
        ("rate", "1000"),
        ("rate", "0.0001"),
        ("percent", "100"),
        ("year", "2017"),
        ("year", "2100"),
        ("population", "10000000"),
        ("population", "0"),
        ("paid_on", "2017-01-01"),
        ("due_on", "2017-01-01"),
    ],
)
def test_the_bounds_themselves_are_accepted(field, value):
    assert _errors(**{field: value}) == set()


def test_booked_dates_are_not_in_the_future_and_deadlines_within_the_horizon():
    today = datetime.date.today()
    tomorrow = today + datetime.timedelta(days=1)
    assert _errors(paid_on=today.isoformat()) == set()
    assert _errors(paid_on=tomorrow.isoformat()) == {"paid_on"}
    assert _errors(due_on=bounds.horizon().isoformat()) == set()
    beyond = bounds.horizon() + datetime.timedelta(days=1)
    assert _errors(due_on=beyond.isoformat()) == {"due_on"}


def test_the_numbers():
    assert Decimal("10000000000.00") == bounds.MONEY_MAX
    assert (bounds.YEAR_MIN, bounds.YEAR_MAX) == (2017, 2100)
    assert datetime.date(2017, 1, 1) == bounds.FUND_START
    assert bounds.POPULATION_MAX == 10_000_000
    # rate × population at their maxima is still storable money
    assert bounds.RATE_MAX * bounds.POPULATION_MAX <= bounds.MONEY_MAX
    # the model fields (max_digits=14, 2 places) hold the maximum
    assert len(str(int(bounds.MONEY_MAX))) <= bounds.MONEY_MAX_DIGITS - 2


def test_constraint_conditions():
    q = bounds.money_q("amount", nullable=True, signed=True)
    assert "amount__isnull" in str(q) and "-10000000000.00" in str(q)
    assert "year__lte" in str(bounds.year_q("year"))
    assert bounds.year_in_bounds(2017) and not bounds.year_in_bounds(0)
    assert not bounds.year_in_bounds(None)
