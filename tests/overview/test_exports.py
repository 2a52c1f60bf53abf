"""The overview's exports (the overview tables, the KMD report, forecasts, the public CSVs) in
the one format of core.exports: `;`, BOM, formula-safe text, amounts as numbers."""

import csv
import datetime
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fund.models import CapitalSource, ForecastScenario, LedgerEntry
from fund.services import ledger_record
from tests.overview.test_views import _scenario_post

pytest.importorskip("repayments.models")
pytest.importorskip("projects.models")

from tests.repayments.factories import project as make_project  # noqa: E402

pytestmark = pytest.mark.django_db
FORMULA = '=HYPERLINK("http://x","klikk")'


def _rows(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    text = text.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def _xlsx(response):
    return load_workbook(io.BytesIO(response.content)).active


@pytest.fixture
def evil_project(ks_user):
    project = make_project(actor=ks_user, title=FORMULA, granted=D("5000000"))
    ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=D("25000000"),
        occurred_on=datetime.date(2017, 12, 14),
        description="KMD tilskudd 2017",
    )
    ledger_record(
        kind=LedgerEntry.Kind.DISBURSEMENT,
        source=CapitalSource.PROJECTS,
        amount=D("1250000"),
        occurred_on=datetime.date(2021, 6, 1),
        description="Utbetaling",
        actor=ks_user,
        project_ref=project.pk,
    )
    return project


def test_public_projects_csv_escapes_a_formula_title(client, evil_project):
    rows = _rows(client.get(reverse("public:csv", args=["prosjekter"])))
    row = next(r for r in rows if r[0].endswith(FORMULA))
    assert row[0] == "'" + FORMULA
    assert row[2:4] == ["5000000.00", "1250000.00"]


def test_overview_project_table_escapes_a_formula_title_in_csv_and_xlsx(ks_client, evil_project):
    url = reverse("overview:overview_export", args=["prosjekter", "csv"])
    row = next(r for r in _rows(ks_client.get(url)) if r[0].endswith(FORMULA))
    assert row[0] == "'" + FORMULA and row[2] == "1250000.00"
    ws = _xlsx(ks_client.get(reverse("overview:overview_export", args=["prosjekter", "xlsx"])))
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "'" + FORMULA)
    assert row[0].data_type == "s"
    assert row[2].value == 1250000 and row[2].data_type == "n"


def test_kmd_report_escapes_a_formula_title(ks_client, evil_project):
    rows = _rows(ks_client.get(reverse("overview:kmd_report", args=["csv"])))
    row = next(r for r in rows if r[0] == "'" + FORMULA)
    assert row[1:3] == ["1250000.00", "1250000.00"]  # KMD paid all the capital
    ws = _xlsx(ks_client.get(reverse("overview:kmd_report", args=["xlsx"])))
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "'" + FORMULA)
    assert row[1].value == 1250000 and row[1].data_type == "n"


def test_forecast_exports_escape_a_formula_name_and_keep_negative_amounts_numeric(fund, ks_client):
    ks_client.post(reverse("overview:scenario_create"), _scenario_post(name=FORMULA))
    scenario = ForecastScenario.objects.get()
    rows = _rows(ks_client.get(reverse("overview:scenario_export", args=[scenario.pk, "csv"])))
    negative = [cell for row in rows[1:] for cell in row[1:] if cell.startswith("-")]
    assert negative, "999 M in the first quarter leaves the fund below zero"
    assert not [cell for row in rows[1:] for cell in row if cell.startswith("'")]
    assert all(D(cell) < 0 for cell in negative)
    ws = _xlsx(ks_client.get(reverse("overview:scenario_export", args=[scenario.pk, "xlsx"])))
    numbers = [c.value for r in ws.iter_rows(min_row=2, min_col=2) for c in r]
    assert any(v < 0 for v in numbers) and all(isinstance(v, int | float) for v in numbers)
    compare = ks_client.get(
        reverse("overview:scenario_compare_export", args=["csv"]) + f"?s={scenario.pk}"
    )
    assert _rows(compare)[0][1] == "'" + FORMULA + ": kapital"
