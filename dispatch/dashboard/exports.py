"""Any dashboard table as a download: CSV (UTF-8 with a byte-order mark, so Excel reads Chinese
names right) or Excel (openpyxl). The rows and columns are the page's own (tables.py); no table
carries a resident's name or phone unmasked."""
from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from dispatch.dashboard.tables import Column, Table, hours

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
NUMBER_FORMATS = {"rate": "0.00%", "score": "0.0000", "hours": "0.00", "day": "yyyy-mm-dd",
                  "time": "yyyy-mm-dd hh:mm"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE_FORBIDDEN = str.maketrans("", "", "[]:*?/\\")


def safe_text(value: str) -> str:
    """Text a spreadsheet will not run as a formula (CSV injection), without control characters."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value.startswith(FORMULA_START) else value


def export_value(value, column: Column):
    """A raw cell as written to a file: exact numbers, local times without a zone (Excel has none)."""
    if value is None:
        return None
    if column.kind == "hours":
        return hours(value)
    if column.kind == "time":
        return timezone.localtime(value).replace(tzinfo=None)
    if column.kind == "yes":
        return _("yes") if value else ""
    if column.kind == "text":
        return safe_text(str(value))
    return value


def export(table: Table, fmt: str) -> HttpResponse:
    content = _xlsx(table) if fmt == "xlsx" else _csv(table)
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{table.name or table.slug}.{fmt}")
    response["Cache-Control"] = "private, no-store"
    return response


def _rows(table: Table):
    for row in table.rows:
        yield [export_value(value, column) for value, column in zip(table.cells(row), table.columns, strict=True)]


def _csv(table: Table) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([str(column.label) for column in table.columns])
    for values in _rows(table):
        writer.writerow([_csv_cell(value, column) for value, column in zip(values, table.columns, strict=True)])
    return out.getvalue().encode("utf-8")


def _csv_cell(value, column: Column):
    if value is None:
        return ""
    return f"{value:%Y-%m-%d %H:%M}" if column.kind == "time" else value


def _xlsx(table: Table) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(table.title).translate(SHEET_TITLE_FORBIDDEN)[:31] or table.slug)
    bold = Font(bold=True)

    def cell(value, number_format: str | None = None, font=None) -> WriteOnlyCell:
        written = WriteOnlyCell(sheet, value=value)
        if number_format:
            written.number_format = number_format
        if font:
            written.font = font
        return written

    sheet.append([cell(str(column.label), font=bold) for column in table.columns])
    for values in _rows(table):
        sheet.append([cell(value, NUMBER_FORMATS.get(column.kind)) for value, column in
                      zip(values, table.columns, strict=True)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
