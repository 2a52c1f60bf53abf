"""The contribution table as CSV and XLSX (management command and admin)."""

import csv
import io

from .selectors import contribution_table

HEADER = ["nummer", "navn", "type", "innbyggere", "andel", "status", "innbetalt"]


def _cells(row) -> list:
    return [
        row["nummer"],
        row["navn"],
        row["type"],
        row["innbyggere"],
        f"{row['andel']:.0f}",
        row["status"],
        f"{row['innbetalt']:.2f}",
    ]


def contribution_table_csv(*, structure: str, out=None) -> str:
    """`nummer;navn;type;innbyggere;andel;status;innbetalt`; andel in whole kroner,
    innbetalt with øre, numbers as text so that 0301 keeps its zero."""
    buffer = out or io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    for row in contribution_table(structure=structure):
        writer.writerow(_cells(row))
    return buffer.getvalue() if out is None else ""


def contribution_table_xlsx(*, structure: str) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = f"Andeler {structure}"
    ws.append(HEADER)
    for row in contribution_table(structure=structure):
        ws.append(
            [
                row["nummer"],
                row["navn"],
                row["type"],
                row["innbyggere"] if row["innbyggere"] != "" else None,
                int(row["andel"]),
                row["status"],
                float(row["innbetalt"]),  # openpyxl cell value; the CSV keeps exact øre
            ]
        )
    for cell in ws["A"]:
        cell.number_format = "@"
    ws.append([])
    ws.append(["Kilde: Statistisk sentralbyrå (innbyggertall), Kartverket (kommuneendringer)"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
