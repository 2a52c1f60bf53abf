"""The ledger's admin exports (CSV and XLSX) in the one format of core.exports: formula-safe
text, amounts as numbers (outflows negative)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fund.models import CapitalSource, LedgerEntry
from fund.services import ledger_record

pytestmark = pytest.mark.django_db
URL = reverse("admin:fund_ledgerentry_changelist")


@pytest.fixture
def entries():
    grant = ledger_record(
        kind=LedgerEntry.Kind.STATE_GRANT,
        source=CapitalSource.KMD,
        amount=Decimal("25000000"),
        occurred_on=datetime.date(2017, 12, 14),
        description="KMD tilskudd 2017",
    )
    payout = ledger_record(
        kind=LedgerEntry.Kind.DISBURSEMENT,
        source=CapitalSource.PROJECTS,
        amount=Decimal("1200.50"),
        occurred_on=datetime.date(2018, 1, 5),
        description='=HYPERLINK("http://x","klikk")',
        project_ref=1,
    )
    return [grant, payout]


def _export(admin_client, action, entries):
    return admin_client.post(URL, {"action": action, "_selected_action": [e.pk for e in entries]})


def test_ledger_csv_escapes_formulas_and_keeps_negative_amounts_numeric(admin_client, entries):
    response = _export(admin_client, "export_ledger_csv", entries)
    assert response["Content-Disposition"] == 'attachment; filename="fondsregnskap.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["dato", "type", "kilde", "beløp"]
    payout = next(r for r in rows[1:] if r[0] == "2018-01-05")
    assert payout[5] == '\'=HYPERLINK("http://x","klikk")'
    assert payout[3] == "-1200.50"
    grant = next(r for r in rows[1:] if r[0] == "2017-12-14")
    assert grant[3] == "25000000.00" and grant[5] == "KMD tilskudd 2017"


def test_ledger_xlsx_escapes_formulas_and_keeps_negative_amounts_numeric(admin_client, entries):
    response = _export(admin_client, "export_ledger_xlsx", entries)
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.title == "Posteringer"
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    payout = rows["2018-01-05"]
    assert payout[5].value == '\'=HYPERLINK("http://x","klikk")'
    assert payout[5].data_type == "s"
    assert payout[3].value == Decimal("-1200.50") and payout[3].data_type == "n"
    assert rows["2017-12-14"][3].value == 25000000
