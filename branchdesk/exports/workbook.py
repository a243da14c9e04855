"""Workbooks of several streamed sheets with formulas of our own (totals, running balances,
costings that recompute), laid out as `xlsx.write_xlsx` lays out its one sheet.

User text still goes through the shared row writer, so "=1+1" typed by a user stays text; only
`Formula` cells, which reports build themselves, become formulas.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from branchdesk.exports.sheet_files import writes_sheets_beside
from branchdesk.money import Money
from branchdesk.progress import Progress
from branchdesk.store.listing import Column

PROGRESS_EVERY = 1_000


@dataclass(frozen=True)
class Formula:
    """A cell written as given: a formula a report made (never user text), or a bold label.
    `style` is one of money, date, bold, money_bold, int_bold."""

    text: str
    style: str = "money"


@dataclass
class Sheet:
    name: str
    title: str
    subtitle: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    # The rows under the data (totals), given how many data rows there were; kept out of the
    # filter range so sorting never moves them.
    foot: Callable[[int], list[Sequence[Any]]] | None = None
    # For progress: how many rows to expect.
    total_rows: int = 0
    # Rows the filter covers, when totals are among `rows` (default: all of them).
    filter_rows: int | None = None
    # Column index -> number format, for plain numbers in that column.
    formats: Mapping[int, str] | None = None
    # Landscape pages; None: landscape when there are more than six columns.
    landscape: bool | None = None


@writes_sheets_beside
def write_workbook(
    path: str | os.PathLike[str],
    title: str,
    sheets: Iterable[Sheet],
    progress: Progress | None = None,
    *,
    recalculate: bool = False,
    ruled_totals: bool = False,
) -> int:
    """Write `sheets` to a new .xlsx at `path` (appearing only when complete); return the data
    rows written. `recalculate` asks the spreadsheet to work formulas out when opened (they are
    written without cached values); `ruled_totals` draws a line above bold cells."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Border, Font, Side
    from openpyxl.workbook.properties import CalcProperties

    from branchdesk.exports.text import produced_line, xlsx_text
    from branchdesk.exports.xlsx import (
        FIRST_DATA_ROW,
        HEADER_ROW,
        MONEY_FORMAT,
        _discard_stream,
        _letter,
        _RowWriter,
        column_width,
        sheet_title,
    )
    from branchdesk.store.atomic import atomic_path

    sheets = list(sheets)
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "BranchDesk"
    workbook.properties.title = xlsx_text(title)[:255]
    if recalculate:
        workbook.calculation = CalcProperties(fullCalcOnLoad=True)
    line = produced_line(datetime.now())
    made: list[Any] = []
    written = 0
    expected = sum(sheet.total_rows for sheet in sheets)
    try:
        with atomic_path(path) as tmp:
            for spec in sheets:
                sheet = workbook.create_sheet(sheet_title(spec.name))
                made.append(sheet)
                writer = _RowWriter(sheet, spec.columns)

                def style(**attributes: Any) -> Any:
                    template = WriteOnlyCell(sheet)  # noqa: B023 - used at once, in this loop
                    for name, value in attributes.items():
                        setattr(template, name, value)
                    return template._style

                rule = {"border": Border(top=Side(style="thin"))} if ruled_totals else {}
                bold = Font(bold=True)
                styles = {
                    "money": writer.money_style,
                    "date": writer.date_style,
                    "bold": style(font=bold, **rule),
                    "money_bold": style(font=bold, number_format=MONEY_FORMAT, **rule),
                    "int_bold": style(font=bold, **rule),
                }
                formats = {i: style(number_format=f) for i, f in (spec.formats or {}).items()}
                for index, column in enumerate(spec.columns, start=1):
                    sheet.column_dimensions[_letter(index)].width = column_width(column)
                sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
                sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
                landscape = len(spec.columns) > 6 if spec.landscape is None else spec.landscape
                sheet.page_setup.orientation = "landscape" if landscape else "portrait"
                sheet.page_setup.fitToWidth = 1
                sheet.page_setup.fitToHeight = 0
                sheet.sheet_properties.pageSetUpPr.fitToPage = True
                sheet.append([writer.text_cell(spec.title, writer.title_style)])
                sheet.append([writer.text_cell(f"{line} — {spec.subtitle}", writer.produced_style)])
                sheet.append([])
                sheet.append(
                    [writer.text_cell(c.header, writer.header_style) for c in spec.columns]
                )

                cells = _CellMaker(sheet, writer, styles, formats, len(spec.columns))
                count = 0
                for row in spec.rows:
                    sheet.append(cells.row(row))
                    count += 1
                    if progress is not None and count % PROGRESS_EVERY == 0:
                        progress.update(written + count, expected)
                last = _letter(max(len(spec.columns), 1))
                covered = count if spec.filter_rows is None else spec.filter_rows
                sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + covered}"
                if spec.foot is not None:
                    for row in spec.foot(count):
                        sheet.append(cells.row(row, foot=True))
                written += count
            if progress is not None:
                progress.update(written, expected)  # a late cancel still wins over saving
            workbook.save(tmp)
    except BaseException:
        for sheet in made:
            _discard_stream(sheet)
        raise
    return written


class _CellMaker:
    """Turns a row's values into write-only cells: `Formula`s as formulas, money and dates as
    typed cells, numbers in formatted columns with their format, everything else through the
    shared `_RowWriter` (text stays text).

    Money and date cells are shared between rows (write-only mode writes a row out before the
    next is made, and no row holds one value twice in those columns): a 200,000-row ledger
    repeats a few thousand amounts and dates, and making a cell is much of a row's cost.
    """

    CACHE_LIMIT = 20_000

    def __init__(
        self,
        sheet: Any,
        writer: Any,
        styles: dict[str, Any],
        formats: dict[int, Any],
        width: int,
    ) -> None:
        from openpyxl.cell.cell import Cell

        self.sheet, self.writer, self.styles = sheet, writer, styles
        self.formats, self.width = formats, width
        self.make = Cell
        self.shared: dict[tuple[Any, ...], Any] = {}

    def _cell(self, value: Any, style_array: Any) -> Any:
        return self.make(self.sheet, row=1, column=1, value=value, style_array=style_array)

    def _shared(self, key: tuple[Any, ...], value: Any, style: str) -> Any:
        cell = self.shared.get(key)
        if cell is None:
            if len(self.shared) >= self.CACHE_LIMIT:
                self.shared.clear()
            cell = self.shared[key] = self._cell(value, self.styles[style])
        return cell

    def row(self, values: Sequence[Any], foot: bool = False) -> list[Any]:
        out: list[Any] = []
        for index, value in enumerate(values[: self.width]):
            kind = type(value)
            if kind is Formula:
                cell = self._cell(value.text, self.styles[value.style])
                if not value.text.startswith("="):
                    cell.data_type = "s"  # a label such as "Total"
                out.append(cell)
            elif kind is Money:
                style = "money_bold" if foot else "money"
                out.append(self._shared((style, value.pence), value.to_decimal(), style))
            elif kind is date:
                out.append(self._shared(("date", value), value, "date"))
            elif index in self.formats and kind in (int, Decimal):
                out.append(self._cell(value, self.formats[index]))
            else:
                out.append(self.writer.data_cell(value))
        return out
