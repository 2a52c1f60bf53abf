"""CSV and Excel (XLSX) exports: one format for every table the project exports
(docs/decisions/foundation-004-exports.md).

CSV: UTF-8 with a byte-order mark and `;` between fields, so that a Norwegian Excel opens it
with æøå and in columns; rows end in CRLF (RFC 4180). XLSX: one sheet, bold header.

The same cell rules in both:
- numbers (int, float, Decimal) stay numbers, negative ones too; a Decimal is written exactly,
  with a point in CSV (`-1200.50`) and as a number cell with `#,##0.00` in XLSX;
- dates as ISO text (`2026-12-03`), date-times as local `2026-12-03 10:15`, None as empty;
- everything else is text, and a text beginning with `=`, `+`, `-`, `@`, tab or CR gets a
  leading apostrophe, so that a spreadsheet shows it instead of running it as a formula.

    csv_response("prosjekter.csv", header, rows)
    xlsx_response("prosjekter.xlsx", header, rows, title="Prosjekter")
    write_csv(buffer, header, rows)     # any text buffer: StringIO, an HttpResponse, stdout
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

DELIMITER = ";"
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DECIMAL_FORMAT = "#,##0.00"
INTEGER_FORMAT = "0"


def safe_text(value) -> str:
    """The value as text a spreadsheet will not evaluate: `'` before a formula's first sign."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _date_text(value: datetime.date) -> str:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")  # exact, never `1E+3`
    if _is_number(value):
        return str(value)
    if isinstance(value, datetime.date):
        return _date_text(value)
    return safe_text(value)


def xlsx_cell(value):
    if value is None or value == "":
        return None
    if _is_number(value):
        return value
    if isinstance(value, datetime.date):
        return _date_text(value)
    # openpyxl refuses control characters; a spreadsheet cannot show them anyway.
    return ILLEGAL_CHARACTERS_RE.sub("", safe_text(value))


def write_csv(buffer, header: Iterable, rows: Iterable[Iterable], *, bom: bool = True) -> None:
    """Write the table to a text buffer (a file, StringIO or HttpResponse) in one write, so that
    a management command's stdout gets no line of its own for the BOM."""
    text = io.StringIO()
    if bom:
        text.write(BOM)
    writer = csv.writer(text, delimiter=DELIMITER)
    writer.writerow([csv_cell(v) for v in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    buffer.write(text.getvalue())


def csv_text(header: Iterable, rows: Iterable[Iterable]) -> str:
    buffer = io.StringIO()
    write_csv(buffer, header, rows)
    return buffer.getvalue()


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> HttpResponse:
    response = HttpResponse(content_type=CSV_CONTENT_TYPE)
    write_csv(response, header, rows)
    return _attachment(response, filename)


def xlsx_bytes(
    header: Iterable,
    rows: Iterable[Iterable],
    *,
    title: str = "Eksport",
    text_columns: Iterable[int] = (),
) -> bytes:
    """One sheet named `title` (Excel allows 31 characters). `text_columns` (0-based) are
    formatted as text, e.g. municipality numbers such as 0301."""
    wb = Workbook()
    ws = wb.active
    ws.title = ILLEGAL_CHARACTERS_RE.sub("", str(title))[:31] or "Eksport"
    ws.append([xlsx_cell(v) for v in header])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([xlsx_cell(v) for v in row])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = DECIMAL_FORMAT
            elif _is_number(cell.value) and isinstance(cell.value, int):
                cell.number_format = INTEGER_FORMAT
    for index in text_columns:
        for (cell,) in ws.iter_rows(min_col=index + 1, max_col=index + 1):
            cell.number_format = "@"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    filename: str,
    header: Iterable,
    rows: Iterable[Iterable],
    *,
    title: str = "Eksport",
    text_columns: Iterable[int] = (),
) -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes(header, rows, title=title, text_columns=text_columns),
        content_type=XLSX_CONTENT_TYPE,
    )
    return _attachment(response, filename)
