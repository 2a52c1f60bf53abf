"""The contribution table as CSV and XLSX (management command, admin and staff pages), written
by `core.exports`: `;`, UTF-8 with BOM, formula-safe text, amounts as numbers."""

from decimal import ROUND_HALF_EVEN, Decimal

from core.exports import csv_text, write_csv, xlsx_bytes

from .selectors import contribution_table

HEADER = ["nummer", "navn", "type", "innbyggere", "andel", "status", "innbetalt", "grunnlag"]
SOURCE = "Kilde: Statistisk sentralbyrå (innbyggertall), Kartverket (kommuneendringer)"


def _cells(row) -> list:
    return [
        row["nummer"],  # text, so that 0301 keeps its zero
        row["navn"],
        row["type"],
        row["innbyggere"],
        int(Decimal(row["andel"]).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)),  # whole kroner
        row["status"],
        Decimal(row["innbetalt"]).quantize(Decimal("0.01")),  # with øre
        row["grunnlag"],  # the basis's date: «1.1.2017» or «2. kvartal 2017» (issue 16)
    ]


def contribution_table_csv(*, structure: str, out=None) -> str:
    """`nummer;navn;type;innbyggere;andel;status;innbetalt;grunnlag`; andel in whole kroner,
    innbetalt with øre, grunnlag the date of the basis (`1.1.2017`, `2. kvartal 2017`), nummer
    as text so that 0301 keeps its zero. Written to `out` when given (one write), else
    returned."""
    rows = [_cells(row) for row in contribution_table(structure=structure)]
    if out is not None:
        write_csv(out, HEADER, rows)
        return ""
    return csv_text(HEADER, rows)


def contribution_table_xlsx(*, structure: str) -> bytes:
    rows = [_cells(row) for row in contribution_table(structure=structure)]
    return xlsx_bytes(HEADER, [*rows, [], [SOURCE]], title=f"Andeler {structure}", text_columns=[0])
