"""KS staff's proposal list as CSV (core.exports): `;`, BOM, formula-safe text, amounts as
numbers (a negative net present value too)."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.accounts.factories import MunicipalUserFactory

from .factories import complete_proposal

pytestmark = pytest.mark.django_db
FORMULA = '=HYPERLINK("http://x","klikk")'


def test_staff_export_escapes_formula_titles_and_keeps_a_negative_npv_numeric(client, ks_user):
    proposal = complete_proposal(lead_member=MunicipalUserFactory().organisation, title=FORMULA)
    proposal.benefit_years.all().delete()  # costs and no benefits: a negative NPV
    client.force_login(ks_user)
    response = client.get(reverse("projects:staff_export"))
    assert response["Content-Disposition"] == 'attachment; filename="prosjektforslag.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    row = next(r for r in rows[1:] if r[1].endswith(FORMULA))
    assert row[1] == "'" + FORMULA
    assert row[7] == "1500000.00"  # development costs, as the export always wrote them
    assert row[10].startswith("-") and Decimal(row[10]) < 0  # a number, not escaped text
