"""What the fuzz test (test_fuzz_forms.py) found, pinned as plain tests."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.bounds import ID_MAX, FiniteDecimalField, object_id
from invoicing.models import BatchJob
from overview.forms import PipelineForm
from projects.forms import BenefitYearForm, CostYearForm


def test_object_id_refuses_what_cannot_be_an_id():
    assert object_id("17") == 17
    assert object_id(str(ID_MAX)) == ID_MAX
    for value in (str(ID_MAX + 1), str(10**30), "0", "-1", "abc", "", None, "1.5"):
        assert object_id(value) is None


@pytest.mark.django_db
def test_invitations_with_an_id_beyond_the_database_integer_is_not_a_500(ks_client):
    """Found: members=2**63 overflowed the database integer (500 on SQLite)."""
    response = ks_client.post(
        reverse("members:invitations_send"), {"members": [str(2**63), str(10**30)]}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("members:invitations_confirm")
    assert not BatchJob.objects.exists()


@pytest.mark.parametrize("value", ["sNaN", "-sNaN", "NaN", "Infinity"])
def test_a_signalling_nan_in_a_formset_row_is_a_form_error_not_a_500(value):
    """Found: cost-0-development=-sNaN on the proposal's edit page raised
    decimal.InvalidOperation in the formset's has_changed (500)."""
    field = FiniteDecimalField(max_digits=14, decimal_places=2)
    assert field.has_changed(Decimal("1.00"), value) is True
    with pytest.raises(ValidationError):
        field.clean(value)


def test_the_proposal_and_forecast_formsets_use_the_finite_field():
    assert isinstance(CostYearForm().fields["development"], FiniteDecimalField)
    assert isinstance(BenefitYearForm().fields["amount"], FiniteDecimalField)
    assert isinstance(PipelineForm().fields["development_cost"], FiniteDecimalField)
