"""Issue 17 §1: bounded years and amounts on proposals; the NPV never raises on stored data."""

from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from core.bounds import MONEY_MAX, YEAR_MAX, YEAR_MIN
from projects.models import BenefitYear, CostYear, Proposal
from projects.npv import compute_npv

from .factories import complete_proposal, participant_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant():
    return participant_user()


@pytest.fixture
def proposal(applicant):
    return complete_proposal(lead_member=applicant.organisation, created_by=applicant)


@contextmanager
def rows_from_before_the_bounds():
    """Write rows the new CheckConstraints refuse, as rows stored before them exist."""
    if connection.vendor != "sqlite":
        pytest.skip("PRAGMA ignore_check_constraints is SQLite's")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints = ON")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")


def _pages(client, applicant, ks_user, proposal):
    client.force_login(applicant)
    detail = client.get(reverse("projects:proposal_detail", args=[proposal.pk]))
    edit = client.get(reverse("projects:proposal_edit", args=[proposal.pk]))
    client.force_login(ks_user)
    export = client.get(reverse("projects:staff_export"))
    return detail, edit, export


def test_npv_of_a_start_year_far_outside_the_span_does_not_raise():
    result = compute_npv(
        costs=[(2027, Decimal("1000000"), Decimal("0"))],
        benefits=[(2028, Decimal("2080"))],
        first_year=3400,
    )
    assert result.first_year == 2027
    assert 3400 in result.skipped_years
    assert result.pv_development == Decimal("1000000.00")


def test_npv_of_a_cost_row_in_year_0_leaves_the_row_out():
    result = compute_npv(
        costs=[(0, Decimal("5"), Decimal("0")), (2027, Decimal("1000"), Decimal("0"))],
        benefits=[],
        first_year=2027,
    )
    assert result.skipped_years == (0,)
    assert result.total_development == Decimal("1000.00")


def test_npv_at_the_bounds_is_exact_enough_and_finite():
    costs = [(y, MONEY_MAX, MONEY_MAX) for y in range(YEAR_MIN, YEAR_MAX + 1)]
    benefits = [(y, MONEY_MAX) for y in range(YEAR_MIN, YEAR_MAX + 1)]
    for first_year in (YEAR_MIN, YEAR_MAX):
        result = compute_npv(costs=costs, benefits=benefits, first_year=first_year)
        assert result.npv.is_finite() and result.npv_per_krone is not None


@pytest.mark.parametrize("start_year, cost_year", [(3400, 2029), (2027, 0)])
def test_stored_year_outside_the_span_does_not_break_the_pages(
    client, applicant, ks_user, proposal, start_year, cost_year
):
    with rows_from_before_the_bounds():
        Proposal.objects.filter(pk=proposal.pk).update(start_year=start_year)
        CostYear.objects.create(proposal=proposal, year=cost_year, development=Decimal("1000000"))
    detail, edit, export = _pages(client, applicant, ks_user, proposal)
    assert detail.status_code == 200 and edit.status_code == 200 and export.status_code == 200
    assert 'data-testid="npv-skipped"' in detail.content.decode()


def test_the_applicant_can_repair_a_stored_year_outside_the_span(client, applicant, proposal):
    with rows_from_before_the_bounds():
        Proposal.objects.filter(pk=proposal.pk).update(start_year=3400)
    client.force_login(applicant)
    url = reverse("projects:proposal_edit", args=[proposal.pk])
    data = {
        "title": proposal.title,
        "start_year": "3400",
        "cost-TOTAL_FORMS": "0",
        "cost-INITIAL_FORMS": "0",
        "benefit-TOTAL_FORMS": "0",
        "benefit-INITIAL_FORMS": "0",
        "contact-TOTAL_FORMS": "0",
        "contact-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Året kan ikke være etter 2100" in response.content.decode()
    data["start_year"] = "2027"
    assert client.post(url, data).status_code == 302
    proposal.refresh_from_db()
    assert proposal.start_year == 2027


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("cost-0-year", "3400", "Året kan ikke være etter 2100"),
        ("cost-0-year", "0", "Året kan ikke være før 2017"),
        ("cost-0-development", "1e20", "Beløpet kan være høyst"),
        ("cost-0-operating", "10000000000.01", "Beløpet kan være høyst"),
        ("cost-0-development", "1.001", "2 eller færre desimaler"),
    ],
)
def test_cost_rows_out_of_bounds_are_form_errors(
    client, applicant, proposal, field, value, message
):
    client.force_login(applicant)
    data = {
        "title": proposal.title,
        "start_year": "2027",
        "cost-TOTAL_FORMS": "1",
        "cost-INITIAL_FORMS": "0",
        "cost-0-year": "2030",
        "cost-0-development": "5",
        "cost-0-operating": "0",
        "cost-0-own_contribution": "0",
        "cost-0-other_funding": "0",
        "benefit-TOTAL_FORMS": "0",
        "benefit-INITIAL_FORMS": "0",
        "contact-TOTAL_FORMS": "0",
        "contact-INITIAL_FORMS": "0",
    }
    data[field] = value
    response = client.post(reverse("projects:proposal_edit", args=[proposal.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not proposal.cost_years.filter(year=2030).exists()


def test_a_proposal_at_the_maximum_values_renders_everywhere(client, applicant, ks_user, proposal):
    Proposal.objects.filter(pk=proposal.pk).update(start_year=YEAR_MAX)
    proposal.cost_years.all().delete()
    proposal.benefit_years.all().delete()
    for year in (YEAR_MIN, YEAR_MAX):
        CostYear.objects.create(
            proposal=proposal,
            year=year,
            development=MONEY_MAX,
            operating=MONEY_MAX,
            own_contribution=MONEY_MAX,
            other_funding=MONEY_MAX,
        )
        BenefitYear.objects.create(
            proposal=proposal,
            year=year,
            kind=BenefitYear.Kind.ECONOMIC,
            beneficiary="x" * 200,
            amount=MONEY_MAX,
            measurement="y" * 300,
        )
    detail, edit, export = _pages(client, applicant, ks_user, proposal)
    assert detail.status_code == 200 and edit.status_code == 200 and export.status_code == 200


@pytest.mark.parametrize(
    "model, values",
    [
        (CostYear, {"year": 2016}),
        (CostYear, {"year": 2101}),
        (CostYear, {"year": 2027, "development": MONEY_MAX + 1}),
        (BenefitYear, {"year": 2101, "kind": "time", "beneficiary": "x", "measurement": "y"}),
    ],
)
def test_constraints_refuse_what_the_forms_refuse(proposal, model, values):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(proposal=proposal, **values)
