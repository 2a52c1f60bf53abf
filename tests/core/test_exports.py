"""core.exports: the one CSV/XLSX format (docs/decisions/foundation-004-exports.md)."""

import csv
import datetime
import io
from decimal import Decimal as D

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from core import exports

HEADER = ["navn", "beløp", "dato"]
ROWS = [
    ['=HYPERLINK("http://x")', D("-1200.50"), datetime.date(2026, 1, 2)],
    ["+47 22 00 00 00", D("25000000.00"), None],
    ["-minus", -3, None],
    ["@SUM(A1)", 1.5, None],
    ["\tfane", D("0"), None],
    ["\rretur", D("1E+3"), None],
    ["Øyer", D("101680.00"), datetime.date(2017, 12, 14)],
]


def _csv_rows(text):
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_csv_is_semicolon_separated_with_a_bom_and_crlf():
    buffer = io.StringIO()
    exports.write_csv(buffer, HEADER, [["Øyer", D("101680.00"), datetime.date(2017, 12, 14)]])
    assert buffer.getvalue() == "\ufeffnavn;beløp;dato\r\nØyer;101680.00;2017-12-14\r\n"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("=1+1", "'=1+1"),
        ("+47", "'+47"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Bergen", "Bergen"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_text_beginning_like_a_formula_gets_an_apostrophe(text, escaped):
    assert exports.safe_text(text) == escaped
    assert exports.csv_cell(text) == escaped


def test_csv_escapes_text_and_leaves_numbers_numeric():
    rows = _csv_rows(exports.csv_text(HEADER, ROWS))
    assert rows[0] == HEADER
    assert [r[0] for r in rows[1:]] == [
        '\'=HYPERLINK("http://x")',
        "'+47 22 00 00 00",
        "'-minus",
        "'@SUM(A1)",
        "'\tfane",
        "'\rretur",
        "Øyer",
    ]
    assert [r[1] for r in rows[1:]] == [
        "-1200.50",
        "25000000.00",
        "-3",
        "1.5",
        "0",
        "1000",
        "101680.00",
    ]
    assert rows[1][2] == "2026-01-02" and rows[2][2] == ""


def test_csv_header_is_escaped_too_and_lazy_text_is_text():
    rows = _csv_rows(exports.csv_text([gettext_lazy("navn"), "=A: kapital"], []))
    assert rows == [["navn", "'=A: kapital"]]


def test_datetimes_are_local_minutes():
    aware = datetime.datetime(2026, 6, 1, 10, 15, tzinfo=datetime.UTC)
    assert exports.csv_cell(aware) == "2026-06-01 12:15"  # Europe/Oslo, summer time


def test_csv_response_is_an_attachment():
    response = exports.csv_response("liste.csv", HEADER, ROWS)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="liste.csv"'
    assert _csv_rows(response.content.decode("utf-8"))[1][0].startswith("'=")


def test_xlsx_has_the_same_cell_rules():
    response = exports.xlsx_response("liste.xlsx", HEADER, ROWS, title="Liste")
    assert response["Content-Disposition"] == 'attachment; filename="liste.xlsx"'
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.title == "Liste"
    assert [c.value for c in ws[1]] == HEADER
    assert ws[1][0].font.bold
    formula = ws["A2"]
    assert formula.value == '\'=HYPERLINK("http://x")' and formula.data_type == "s"
    assert [ws[f"A{i}"].value for i in range(3, 6)] == ["'+47 22 00 00 00", "'-minus", "'@SUM(A1)"]
    assert ws["B2"].value == D("-1200.50") and ws["B2"].data_type == "n"
    assert ws["B2"].number_format == exports.DECIMAL_FORMAT
    assert ws["B4"].value == -3 and ws["B4"].data_type == "n"
    assert ws["C2"].value == "2026-01-02"
    assert ws["C3"].value is None


def test_xlsx_text_columns_and_control_characters():
    data = exports.xlsx_bytes(
        ["nummer", "navn"], [["0301", "Oslo\x0b"]], title="x" * 40, text_columns=[0]
    )
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.title == "x" * 31
    assert ws["A2"].value == "0301" and ws["A2"].number_format == "@"
    assert ws["B2"].value == "Oslo"
