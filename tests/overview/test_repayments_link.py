"""The overview reads repayments' solutions and price models (when that app is present)."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

pytest.importorskip("repayments.models")

from overview import selectors  # noqa: E402
from repayments.models import PriceModel  # noqa: E402
from tests.repayments.factories import SolutionFactory, kommune  # noqa: E402

pytestmark = pytest.mark.django_db


def _solution(name, *, published, amount="40000"):
    solution = SolutionFactory(
        name=name,
        is_published=published,
        published_on=datetime.date(2026, 1, 1) if published else None,
        available_on=datetime.date(2026, 1, 1),
        expected_adoption=D("50"),
    )
    PriceModel.objects.create(solution=solution, kind="flat", parameters={"amount": amount})
    return solution


def test_public_page_lists_published_solutions_with_their_fee_only(client):
    _solution("Digiorden", published=True)
    _solution("Hemmelig løsning", published=False)
    html = client.get(reverse("public:transparency")).content.decode()
    assert "Digiorden" in html
    assert "Fast beløp 40\xa0000\xa0kr" in html
    assert "Hemmelig løsning" not in html
    assert "Hemmelig løsning" not in client.get(reverse("public:json")).content.decode()


def test_solution_defaults_come_from_the_price_model():
    for population in (1000, 2000, 3000, 4000):
        kommune(population)
    _solution("Digiorden", published=True, amount="40000")
    (row,) = selectors.solution_defaults(today=datetime.date(2026, 11, 22))
    assert row["label"] == "Digiorden"
    assert D(row["fee_per_adopter"]) == D("40000")
    assert row["potential_adopters"] == 4
    assert row["saturation"] == "0.500"
    # Launched 2026 K1, before the forecast starts (2027 K1): adoption continues from now.
    assert row["launch_offset"] == 0


def test_new_scenario_form_is_prefilled_with_solutions(ks_client):
    kommune(1000)
    _solution("Digiorden", published=True)
    response = ks_client.get(reverse("overview:scenario_create"))
    assert response.context["solutions"].forms[0].initial["label"] == "Digiorden"
