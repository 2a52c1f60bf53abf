"""Issue 17 §1: price models and solutions are bounded; stored parameters never make a page 500."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.bounds import MONEY_MAX, POPULATION_MAX, RATE_MAX
from repayments import price_models as pm
from repayments.models import PriceModel
from tests.repayments.factories import SolutionFactory, kommune, make_participant, published

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "flat", "amount": "1e20"}, "Beløpet kan være høyst"),
        ({"kind": "flat", "amount": "100.123"}, "desimaler"),
        ({"kind": "per_inhabitant", "rate": "1e30"}, "Satsen kan være høyst"),
        ({"kind": "per_inhabitant", "rate": "0.00001"}, "desimaler"),
        ({"kind": "per_inhabitant", "rate": "2", "ceiling": "1e20"}, "Beløpet kan være høyst"),
        ({"kind": "size_class", "classes": "0: 1e20"}, "kan være høyst"),
        ({"kind": "size_class", "classes": "0: 100.5555"}, "desimaler"),
        ({"kind": "size_class", "classes": "0: 100\n99999999999: 5"}, "kan være høyst"),
        ({"kind": "cost_recovery", "weighting": "size_class", "weights": "0: 1e30"}, "høyst"),
    ],
)
def test_price_model_out_of_bounds_is_a_form_error_and_nothing_is_saved(ks_client, data, message):
    solution = SolutionFactory()
    response = ks_client.post(reverse("repayments:staff_price_model", args=[solution.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PriceModel.objects.exists()


@pytest.mark.parametrize(
    "kind, parameters",
    [
        ("flat", {"amount": "1e20"}),
        ("flat", {"amount": "10.001"}),
        ("per_inhabitant", {"rate": "1e30"}),
        ("per_inhabitant", {"rate": str(RATE_MAX + 1)}),
        ("per_inhabitant", {"rate": "1", "floor": "1e20"}),
    ],
)
def test_validate_refuses_parameters_out_of_bounds(kind, parameters):
    with pytest.raises(pm.PriceModelError):
        pm.validate(kind, parameters)


def test_bounds_themselves_are_accepted():
    assert pm.validate("per_inhabitant", {"rate": str(RATE_MAX), "ceiling": str(MONEY_MAX)})
    assert pm.validate("flat", {"amount": str(MONEY_MAX)})
    params = pm.validate("per_inhabitant", {"rate": str(RATE_MAX)})
    assert pm.fee("per_inhabitant", params, POPULATION_MAX) == MONEY_MAX


def test_solution_money_out_of_bounds_is_a_form_error(ks_client):
    response = ks_client.post(
        reverse("repayments:staff_solution_create"),
        {
            "name": "Stor",
            "description": "x",
            "development_cost": "1e20",
            "audience": "kommune",
            "expected_adoption": "60",
            "available_on": "2026-01-01",
            "fdvu_terms": "Vilkår",
            "fdvu_key": "tariff",
            "fdvu_monthly_fixed": "500",
            "fdvu_monthly_per_inhabitant": "1e30",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Beløpet kan være høyst" in page and "Satsen kan være høyst" in page


def test_a_rate_stored_before_the_bounds_does_not_break_the_preview(ks_client, ks_user):
    kommune(1_000)
    solution = SolutionFactory()
    PriceModel.objects.create(
        solution=solution, kind="per_inhabitant", parameters={"rate": "1e30", "floor": None}
    )
    response = ks_client.get(reverse("repayments:staff_price_preview", args=[solution.pk]))
    assert response.status_code in (200, 302)
    for name in ("staff_solution_detail", "staff_price_model", "staff_solution_edit"):
        url = reverse(f"repayments:{name}", args=[solution.pk])
        assert ks_client.get(url).status_code == 200, name
    assert ks_client.get(reverse("repayments:staff_recovery")).status_code == 200


@pytest.mark.parametrize(
    "kind, parameters",
    [
        ("per_inhabitant", {"rate": str(RATE_MAX), "ceiling": str(MONEY_MAX)}),
        ("cost_recovery", {"weighting": "per_inhabitant"}),
        ("flat", {"amount": str(MONEY_MAX)}),
    ],
)
def test_a_solution_at_the_maximum_values_renders_everywhere(
    client, ks_user, municipal_user, kind, parameters
):
    big = kommune(POPULATION_MAX)
    make_participant(municipal_user.organisation, paid=True)
    kommune(0)
    solution = SolutionFactory(
        development_cost=MONEY_MAX,
        fdvu_yearly_cost=MONEY_MAX,
        expected_adoption=Decimal("100"),
    )
    published(solution, kind=kind, parameters=parameters, actor=ks_user)
    assert big.population.get().population == POPULATION_MAX
    client.force_login(ks_user)
    for name in [
        "staff_solution_detail",
        "staff_solution_edit",
        "staff_price_model",
        "staff_price_preview",
    ]:
        url = reverse(f"repayments:{name}", args=[solution.pk])
        assert client.get(url).status_code == 200, name
    assert client.get(reverse("repayments:staff_recovery")).status_code == 200
    client.force_login(municipal_user)
    assert client.get(reverse("repayments:solution_list")).status_code == 200
    detail = reverse("repayments:solution_detail", args=[solution.pk])
    assert client.get(detail).status_code == 200
