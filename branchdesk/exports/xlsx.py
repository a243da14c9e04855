"""Export a list to an Excel workbook, streaming, with typed cells and no formulas from user text.

openpyxl is imported inside `write_xlsx` so that starting BranchDesk does not pay for it.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from branchdesk.exports.sheet_files import writes_sheets_beside
from branchdesk.exports.text import local_time, produced_line, xlsx_text
from branchdesk.money import Money
from branchdesk.progress import Progress
from branchdesk.store.atomic import atomic_path
from branchdesk.store.listing import Column, ColumnKind

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

HEADER_ROW = 4  # row 1 title, row 2 "Produced …", row 3 blank
FIRST_DATA_ROW = HEADER_ROW + 1
PROGRESS_EVERY = 500

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
MONEY_FORMAT = '"£"#,##0.00;[Red]-"£"#,##0.00'

# Column widths in characters when a Column has no width hint.
DEFAULT_WIDTHS: dict[ColumnKind, int] = {
    "text": 24,
    "int": 10,
    "date": 12,
    "datetime": 17,
    "money": 14,
    "bool": 8,
}
MAX_WIDTH = 80
EXACT_INT_LIMIT = 10**15

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# First characters of text that openpyxl would not store as a plain string: "=" starts a formula
# and "#" an error code such as "#N/A".
_NOT_PLAIN_FIRST = frozenset("=#")


@writes_sheets_beside
def write_xlsx(
    path: str | os.PathLike[str],
    *,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    sheet_name: str = "Sheet1",
    produced: datetime | None = None,
    subtitle: str | None = None,
    total_rows: int | None = None,
    progress: Progress | None = None,
) -> int:
    """Write `rows` under a title and a header row to a new .xlsx at `path`; return the row count.

    Rows are streamed (openpyxl write-only mode) so memory stays flat for any number of rows.
    The file appears only when complete: on an error or `Cancelled` an older file at `path` is
    left as it was.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    workbook.properties.creator = "BranchDesk"
    workbook.properties.title = xlsx_text(title)[:255]
    sheet: WriteOnlyWorksheet = workbook.create_sheet(sheet_title(sheet_name))
    writer = _RowWriter(sheet, columns)
    written = 0
    try:
        with atomic_path(path) as tmp:
            # In write-only mode everything above the rows is written with the first row, so
            # widths, frozen panes and print titles must be set before it.
            for index, column in enumerate(columns, start=1):
                sheet.column_dimensions[_letter(index)].width = column_width(column)
            sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
            sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
            sheet.page_setup.orientation = "landscape" if len(columns) > 6 else "portrait"
            sheet.page_setup.fitToWidth = 1
            sheet.page_setup.fitToHeight = 0
            sheet.sheet_properties.pageSetUpPr.fitToPage = True

            line = produced_line(produced or datetime.now())
            if subtitle:
                line = f"{line} — {subtitle}"
            sheet.append([writer.text_cell(title, writer.title_style)])
            sheet.append([writer.text_cell(line, writer.produced_style)])
            sheet.append([])
            sheet.append([writer.text_cell(c.header, writer.header_style) for c in columns])

            total = total_rows or 0
            if progress is not None:
                progress.update(0, total)
            for row in rows:
                sheet.append(writer.data_row(row))
                written += 1
                if progress is not None and written % PROGRESS_EVERY == 0:
                    progress.update(written, total)
            if progress is not None:
                progress.update(written, total)  # a late cancel still wins over saving

            last_column = _letter(max(len(columns), 1))
            sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{HEADER_ROW + written}"
            workbook.save(tmp)
    except BaseException:
        _discard_stream(sheet)
        raise
    return written


def sheet_title(name: str) -> str:
    """A worksheet name Excel accepts: no []:*?/\\, not quoted, 1–31 characters."""
    text = _SHEET_FORBIDDEN.sub(" ", xlsx_text(name).replace("\t", " ").replace("\n", " "))
    text = " ".join(text.split()).strip("'")[:31].strip()
    if not text:
        return "Sheet1"
    if text.casefold() == "history":  # reserved by Excel
        return "History 1"
    return text


def column_width(column: Column) -> float:
    """Width in Excel's character units: the hint, else a default for the kind; header fits."""
    width = column.width or DEFAULT_WIDTHS.get(column.kind, DEFAULT_WIDTHS["text"])
    width = max(width, len(column.header) + 3)  # room for the auto-filter arrow
    return float(min(width, MAX_WIDTH))


class _RowWriter:
    """Turns Python values into write-only cells, sharing one style per kind of cell."""

    def __init__(self, sheet: WriteOnlyWorksheet, columns: Sequence[Column]) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import Cell
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self._sheet = sheet
        self._width = len(columns)
        self._make = Cell

        def style(**attributes: Any) -> Any:
            # A template cell registers the style with the workbook once; data cells then copy
            # its style array instead of looking fonts and formats up again for every cell.
            template = WriteOnlyCell(sheet)
            for name, value in attributes.items():
                setattr(template, name, value)
            return template._style

        self.title_style = style(font=Font(bold=True, size=14))
        self.produced_style = style(font=Font(size=10, color="595959"))
        self.header_style = style(
            font=Font(bold=True),
            fill=PatternFill(fill_type="solid", fgColor="DDE3EA"),
            border=Border(bottom=Side(style="thin", color="8497B0")),
            alignment=Alignment(vertical="center"),
        )
        self.date_style = style(number_format=DATE_FORMAT)
        self.datetime_style = style(number_format=DATETIME_FORMAT)
        self.money_style = style(number_format=MONEY_FORMAT)

    def text_cell(self, value: str, style: Any = None) -> Cell | None:
        text = xlsx_text(value)
        if not text:
            return None  # an empty string cell is not an empty cell to Excel's filters
        cell = self._cell(text, style)
        # Always a string cell: openpyxl would otherwise store "=…" as a live formula.
        cell.data_type = "s"
        return cell

    def _cell(self, value: Any, style: Any) -> Cell:
        # Cell copies the style array, so shared templates are never modified.
        return self._make(self._sheet, row=1, column=1, value=value, style_array=style)

    def data_row(self, values: Sequence[Any]) -> list[Any]:
        data_cell = self.data_cell
        return [data_cell(value) for value in values[: self._width]]

    def data_cell(self, value: Any) -> Any:
        # Chosen by the value's type, not the column's kind, so a stray string in a date column
        # is still written as text and a Money anywhere is still money.
        kind = type(value)
        if kind is str:
            # The common case, without a Cell: openpyxl stores a plain str as a string cell
            # unless it looks like a formula ("=…") or an error code ("#N/A"), which get a
            # Cell marked as text.
            text = xlsx_text(value)
            if not text:
                return None
            return self._text_only(text) if text[0] in _NOT_PLAIN_FIRST else text
        if kind is int:
            # Excel keeps 15 significant digits and would silently round a longer number.
            return (
                value if -EXACT_INT_LIMIT < value < EXACT_INT_LIMIT else self.text_cell(str(value))
            )
        if value is None:
            return None
        if kind is date:
            return self._cell(value, self.date_style)
        if isinstance(value, str):
            return self.text_cell(value)
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, Money):
            return self._cell(value.to_decimal(), self.money_style)
        if isinstance(value, datetime):
            return self._cell(local_time(value), self.datetime_style)
        if isinstance(value, date):
            return self._cell(value, self.date_style)
        if isinstance(value, int):
            return value if abs(value) < EXACT_INT_LIMIT else self.text_cell(str(value))
        if isinstance(value, Decimal | float):
            return value if _finite(value) else None  # NaN or infinity would corrupt the file
        return self.text_cell(str(value))

    def _text_only(self, text: str) -> Cell:
        cell = self._cell(text, None)
        cell.data_type = "s"
        return cell


def _finite(value: Decimal | float) -> bool:
    return value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _discard_stream(sheet: Any) -> None:
    # openpyxl streams the sheet to its own file (beside the export: exports/sheet_files.py) and
    # deletes it only on a successful save (or at exit). After a failure that file, full of
    # members' data, would sit there until BranchDesk closes, so close and remove it now. Best
    # effort: these are openpyxl's internals.
    writer = getattr(sheet, "_writer", None)
    if writer is None:
        return
    rows = getattr(sheet, "_rows", None)
    if rows is not None:
        with contextlib.suppress(Exception):
            rows.close()
    with contextlib.suppress(Exception):
        writer.close()
    with contextlib.suppress(Exception):
        writer.cleanup()
