"""Members' exports (the contribution table, the admin's basis and participation lists) in the
one format of core.exports: `;`, BOM, formula-safe text, numbers as numbers."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members.models import Participation
from tests.members.factories import Member2017Factory, basis

pytestmark = pytest.mark.django_db
FORMULA = '=HYPERLINK("http://x","klikk")'


@pytest.fixture
def admin_client(client, ks_user):
    ks_user.is_superuser = True
    ks_user.save()
    client.force_login(ks_user)
    return client


@pytest.fixture
def evil():
    member = Member2017Factory(number="0521", name=FORMULA, valid_to=None)
    basis(member, 5084)
    return member


def _rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_contribution_table_csv_escapes_a_formula_name(ks_client, evil):
    url = reverse("members:contribution_table_export", kwargs={"structure": "2017", "fmt": "csv"})
    rows = _rows(ks_client.get(url))
    assert rows[0] == [
        "nummer",
        "navn",
        "type",
        "innbyggere",
        "andel",
        "status",
        "innbetalt",
        "grunnlag",
    ]
    assert [
        "0521",
        "'" + FORMULA,
        "kommune",
        "5084",
        "101680",
        "",
        "0.00",
        "2. kvartal 2017",
    ] in rows


def test_contribution_table_xlsx_escapes_a_formula_name_and_keeps_numbers(ks_client, evil):
    url = reverse("members:contribution_table_export", kwargs={"structure": "2017", "fmt": "xlsx"})
    ws = load_workbook(io.BytesIO(ks_client.get(url).content)).active
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "0521")
    assert row[0].number_format == "@"  # 0301 keeps its zero
    assert row[1].value == "'" + FORMULA and row[1].data_type == "s"
    assert row[3].value == 5084 and row[4].value == 101680 and row[4].data_type == "n"
    assert row[6].value == 0 and row[6].data_type == "n"
    assert ws.cell(ws.max_row, 1).value.startswith("Kilde:")


def test_admin_basis_export_escapes_a_formula_name(admin_client, evil):
    response = admin_client.post(
        reverse("admin:members_contributionbasis_changelist"),
        {"action": "export_csv", "_selected_action": [evil.contribution_basis.pk]},
    )
    assert response["Content-Disposition"] == 'attachment; filename="beregningsgrunnlag.csv"'
    rows = _rows(response)
    assert rows[1][:4] == ["0521", "'" + FORMULA, "kommune", "5084"]


def test_admin_participation_export_escapes_names_and_keeps_amounts_numeric(admin_client, evil):
    participation = Participation.objects.create(
        member=evil,
        status=Participation.Status.INVOICED,
        share_amount=Decimal("101680.00"),
        invoiced_on=datetime.date(2018, 2, 1),
    )
    response = admin_client.post(
        reverse("admin:members_participation_changelist"),
        {"action": "export_csv", "_selected_action": [participation.pk]},
    )
    assert response["Content-Disposition"] == 'attachment; filename="deltakelser.csv"'
    rows = _rows(response)
    assert rows[0] == ["nummer", "navn", "status", "andel", "vedtaksdato", "fakturert", "betalt"]
    assert rows[1] == ["0521", "'" + FORMULA, "invoiced", "101680.00", "", "2018-02-01", ""]
