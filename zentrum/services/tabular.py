"""Tables written as German CSV (for Excel) or as XLSX, safe against formula injection.

A cell is text, a whole number, a decimal, a date, an aware datetime (shown in
Wuppertal time) or empty. Text that a spreadsheet would read as a formula
(starting with = + - @, a tab or a carriage return) gets a leading apostrophe
in both formats, and XLSX cells are written as plain strings, never formulas.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

import xlsxwriter

from zentrum.domain.clock import LOCAL_TZ

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel forbids these in sheet names; 31 characters at most.
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})
_SHEET_MAX = 31

Cell = str | int | float | date | datetime | None


@dataclass
class Table:
    """A titled table: header row and data rows."""

    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


def neutralise(text: str) -> str:
    """Text a spreadsheet would take for a formula, with an apostrophe in front."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def local(moment: datetime) -> datetime:
    """An aware moment in Wuppertal time."""
    return moment.astimezone(LOCAL_TZ)


def _csv_cell(value: Cell) -> str:
    """One cell as German Excel reads it: decimal comma, dd.mm.yyyy, hh:mm local time."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError("write booleans as words")
    if isinstance(value, datetime):
        return f"{local(value):%d.%m.%Y, %H:%M}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def to_csv(tables: list[Table], *, titled: bool) -> bytes:
    """UTF-8 with BOM, semicolons; with ``titled`` each table has its title above and a gap."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for index, table in enumerate(tables):
        if titled:
            if index:
                writer.writerow([])
            writer.writerow([_csv_cell(table.title)])
        writer.writerow([_csv_cell(h) for h in table.headers])
        writer.writerows([_csv_cell(c) for c in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8-sig")


def sheet_name(title: str, taken: set[str]) -> str:
    """A unique sheet name Excel accepts, made from the title."""
    base = title.translate(_SHEET_FORBIDDEN).strip("' ")[:_SHEET_MAX] or "Tabelle"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = base[: _SHEET_MAX - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


class _Formats:
    """The workbook's cell formats, made once."""

    def __init__(self, book) -> None:
        self.header = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.text = book.add_format({})
        self.whole = book.add_format({"num_format": "0"})
        self.decimal = book.add_format({"num_format": "0.0"})
        self.day = book.add_format({"num_format": "dd.mm.yyyy"})
        self.moment = book.add_format({"num_format": "dd.mm.yyyy hh:mm"})


def _write_cell(sheet, row: int, col: int, value: Cell, formats: _Formats) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        raise TypeError("write booleans as words")
    if isinstance(value, datetime):
        sheet.write_datetime(row, col, local(value).replace(tzinfo=None), formats.moment)
    elif isinstance(value, date):
        sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), formats.day)
    elif isinstance(value, int):
        sheet.write_number(row, col, value, formats.whole)
    elif isinstance(value, float):
        sheet.write_number(row, col, value, formats.decimal)
    else:
        sheet.write_string(row, col, neutralise(str(value)), formats.text)


def _width(value: Cell) -> int:
    if isinstance(value, datetime):
        return 17
    return len(_csv_cell(value))


def to_xlsx(tables: list[Table]) -> bytes:
    """One sheet per table, header bold and frozen, numbers and datetimes as such."""
    buffer = io.BytesIO()
    # No automatic conversions: every string stays a string (no formulas, links or numbers).
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    book = xlsxwriter.Workbook(buffer, options)
    formats = _Formats(book)
    taken: set[str] = set()
    for table in tables:
        sheet = book.add_worksheet(sheet_name(table.title, taken))
        widths = [min(max(len(h), 8), 40) for h in table.headers]
        for col, header in enumerate(table.headers):
            sheet.write_string(0, col, neutralise(header), formats.header)
        for row_index, row in enumerate(table.rows, start=1):
            for col, value in enumerate(row):
                _write_cell(sheet, row_index, col, value, formats)
                widths[col] = min(max(widths[col], _width(value)), 60)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width + 2)
        sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
