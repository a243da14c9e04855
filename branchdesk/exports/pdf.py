"""Export a list to a printable PDF table: A4, a header and footer on every page, "Page x of y".

reportlab is imported inside `write_pdf_table` so that starting BranchDesk does not pay for it.

Speed and memory: one reportlab Table of 20,000 rows is slow (every page break measures the
remaining rows again) and holds every cell in memory. Here rows are read from the iterable a
page at a time: a `_TableStream` flowable measures the next rows, hands reportlab a Table of
exactly what fits the space left on the page (with the header row when it starts a page) and
a new stream for the rest. Each cell is measured once and each row is in one Table; the
Table is given the measured row heights and shared cell styles instead of working them out
again, and draws its one-line cells in one PDF text object (`_table_class`).

Safety: reportlab Paragraphs read markup, so every user string that becomes a Paragraph goes
through `pdf_text`; short one-line text is drawn as a plain table string, which reportlab never
parses. No user text becomes a link, an image or a font name.
"""

from __future__ import annotations

import functools
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from branchdesk.exports.text import local_time, pdf_text, produced_line
from branchdesk.money import Money
from branchdesk.progress import Progress
from branchdesk.store.atomic import atomic_path
from branchdesk.store.listing import Column, ColumnKind

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Flowable, Paragraph, Table

MM = 72 / 25.4
MARGIN = 15 * MM

CONFIDENTIAL = "Confidential — contains personal data"
FONT = "Helvetica"
BOLD = "Helvetica-Bold"
CELL_SIZE = 8
CELL_LEADING = 10
CELL_PAD_X = 3
CELL_PAD_Y = 3  # reportlab's default top and bottom padding, so no style command is needed
FIT_TOLERANCE = 0.5  # points kept spare so rounding never makes a measured page overflow

# Relative widths when a Column has no width hint (characters, as in Column.width).
DEFAULT_WIDTHS: dict[ColumnKind, int] = {
    "text": 20,
    "int": 7,
    "date": 10,
    "datetime": 14,
    "money": 11,
    "bool": 6,
}
# The narrowest a column may be: enough for a typical value of its kind on one line.
_MIN_SAMPLES: dict[ColumnKind, str] = {
    "text": "abcdefgh",
    "int": "000000",
    "date": "00/00/0000",
    "datetime": "00/00/0000 00:00",
    "money": "-£00,000.00",
    "bool": "Yes",
}
_RIGHT_ALIGNED: frozenset[ColumnKind] = frozenset({"int", "money"})
# Text that cannot be a plain one-line string: line breaks, controls, lone surrogates.
_NEEDS_PARAGRAPH = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# Colours, converted with reportlab's HexColor when drawing.
INK = "#1F2933"
MUTED = "#5B6670"
RULE = "#8497B0"
CONFIDENTIAL_RED = "#9B1C1C"
HEADER_FILL = "#DDE3EA"
ZEBRA_FILL = "#F3F5F8"
GRID = "#B4BDC7"

# Vertical layout of the page header and footer, in points from the top and bottom margins.
BRANCH_BASELINE = 8
TITLE_BASELINE = 25
SUBTITLE_BASELINE = 37
FOOTER_RULE = 14
FOOTER_BASELINE = 4
GAP = 8  # between the header rule and the table, and between the table and the footer rule


def write_pdf_table(
    path: str | os.PathLike[str],
    *,
    branch_name: str,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    confidential: bool,
    subtitle: str | None = None,
    produced: datetime | None = None,
    total_rows: int | None = None,
    progress: Progress | None = None,
    landscape: bool = False,
) -> int:
    """Write `rows` as a table to a new PDF at `path`; return the number of rows written.

    Every page carries the branch name, the title, the confidentiality line when `confidential`,
    the production date and "Page x of y". The file appears only when complete: on an error or
    `Cancelled` an older file at `path` is left as it was.
    """
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Spacer

    pages = PdfPages(
        branch_name=branch_name,
        title=title,
        subtitle=subtitle,
        confidential=confidential,
        produced=produced,
        landscape=landscape,
    )
    frame = pages.frame
    source = _RowSource(
        _TableLayout(columns, frame.width, frame.height), rows, total_rows or 0, progress
    )
    story: list[Flowable] = [_stream_class()(source, first=True)]
    if source.peek(0) is None:
        note = ParagraphStyle("empty", fontName=FONT, fontSize=9, leading=12)
        story += [Spacer(1, 6), Paragraph("No rows.", note)]

    def complete() -> None:
        if source.peek(0) is not None:  # never expected: rather no file than a short one
            raise RuntimeError("the PDF layout stopped before the last row")

    pages.build(path, story, check=complete)
    return source.placed


class PdfPages:
    """A4 pages with the shared header (branch, title, confidential marking) and footer
    (production date, "Page x of y"), and the frame a report's story flows through."""

    def __init__(
        self,
        *,
        branch_name: str,
        title: str,
        subtitle: str | None,
        confidential: bool,
        produced: datetime | None = None,
        landscape: bool = False,
    ) -> None:
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.pagesizes import landscape as turned
        from reportlab.platypus import Frame

        self.branch_name, self.title, self.confidential = branch_name, title, confidential
        self.size = turned(A4) if landscape else A4
        page_width, page_height = self.size
        header_height = SUBTITLE_BASELINE + 5 if subtitle else TITLE_BASELINE + 7
        frame_top = page_height - MARGIN - header_height - GAP
        frame_bottom = MARGIN + FOOTER_RULE + GAP
        # No frame padding: then the space offered at the top of a page is the frame's height,
        # which is how a table stream knows it starts a page.
        self.frame = Frame(
            MARGIN,
            frame_bottom,
            page_width - 2 * MARGIN,
            frame_top - frame_bottom,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="body",
        )
        self.decoration = _PageDecoration(
            branch_name=branch_name,
            title=title,
            subtitle=subtitle,
            confidential=confidential,
            produced=produced_line(produced or datetime.now()),
            header_height=header_height,
        )

    def build(
        self,
        path: str | os.PathLike[str],
        story: list[Flowable],
        check: Callable[[], None] | None = None,
    ) -> None:
        """Lay out `story` into a new PDF at `path`, which appears only when complete (and
        `check`, run after the layout, has not raised)."""
        from reportlab.platypus import BaseDocTemplate, PageTemplate

        with atomic_path(path) as tmp:
            doc = BaseDocTemplate(
                str(tmp),
                pagesize=self.size,
                leftMargin=MARGIN,
                rightMargin=MARGIN,
                topMargin=MARGIN,
                bottomMargin=MARGIN,
                title=_plain(self.title),
                author=_plain(self.branch_name),
                subject=CONFIDENTIAL if self.confidential else "",
                creator="BranchDesk",
                pageTemplates=[
                    PageTemplate(id="body", frames=[self.frame], onPage=self.decoration.draw)
                ],
            )
            doc.build(story, canvasmaker=_numbered_canvas_class())
            if check is not None:
                check()


class _TableLayout:
    """Column widths, cell styles, and how rows become cells and cells become a Table."""

    # Cells remembered by column and text: a branch has few employers, workplaces and job
    # titles, and measuring a string or parsing a Paragraph is most of the cost of turning a
    # row into cells. A wrapped Paragraph takes some 5 kB, so the cache is bounded: emptied
    # when it holds CACHE_LIMIT cells in all, and never given long text, which rarely repeats.
    CACHE_LIMIT = 2048
    CACHE_TEXT_LIMIT = 200

    def __init__(self, columns: Sequence[Column], width: float, frame_height: float) -> None:
        from reportlab.lib.colors import HexColor
        from reportlab.lib.enums import TA_LEFT, TA_RIGHT
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.pdfbase.pdfmetrics import stringWidth
        from reportlab.platypus.tables import CellStyle

        self.frame_height = frame_height
        self.col_widths = column_widths(columns, width)
        self._text_widths = [w - 2 * CELL_PAD_X for w in self.col_widths]
        self._string_width = stringWidth
        self._paragraph = _paragraph_class()

        def style(name: str, font: str, right: bool) -> ParagraphStyle:
            return ParagraphStyle(
                name,
                fontName=font,
                fontSize=CELL_SIZE,
                leading=CELL_LEADING,
                alignment=TA_RIGHT if right else TA_LEFT,
                splitLongWords=True,  # a 200-character URL wraps instead of overrunning
            )

        @functools.cache
        def cell_style(font: str, right: bool) -> CellStyle:
            # What the FONT, VALIGN, padding and ALIGN commands of `_base_style` give a cell,
            # set once: Table would otherwise apply each command to every cell of every page.
            cell = CellStyle(f"{font}-{'right' if right else 'left'}")
            cell.fontname = font
            cell.fontsize = CELL_SIZE
            cell.leading = CELL_LEADING
            cell.valign = "TOP"
            cell.leftPadding = CELL_PAD_X
            cell.rightPadding = CELL_PAD_X
            cell.alignment = "RIGHT" if right else "LEFT"
            return cell

        right = [c.kind in _RIGHT_ALIGNED for c in columns]
        self._cell_styles = [style(f"cell{i}", FONT, r) for i, r in enumerate(right)]
        self._caches: list[dict[str, Any]] = [{} for _ in columns]
        self._cached = 0
        # Rows share these lists, and columns aligned alike share a style (Table then switches
        # font and colour only between header and body); the commands given to Table never
        # change a cell style, so sharing is safe.
        self._body_cell_styles = [cell_style(FONT, r) for r in right]
        self._head_cell_styles = [cell_style(BOLD, r) for r in right]
        self.header_cells: list[Any] = []
        for i, (column, r) in enumerate(zip(columns, right, strict=True)):
            # A header that fits on one line is drawn as a bold plain string, like a data cell.
            if self._fits(column.header, i, BOLD):
                self.header_cells.append(column.header)
            else:
                self.header_cells.append(
                    self._paragraph(pdf_text(column.header), style(f"head{i}", BOLD, r))
                )
        self.header_height = self.row_height(self.header_cells)
        grid = ("GRID", (0, 0), (-1, -1), 0.25, HexColor(GRID))
        # For a Table styled by commands (one holding a row taller than a page): few of them,
        # as Table applies each one to every cell.
        self._base_style: list[tuple[Any, ...]] = [
            grid,
            ("FONT", (0, 0), (-1, -1), FONT, CELL_SIZE, CELL_LEADING),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
            *(("ALIGN", (i, 0), (i, -1), "RIGHT") for i, r in enumerate(right) if r),
            *(
                ("FONT", (i, 0), (i, 0), BOLD)
                for i, h in enumerate(self.header_cells)
                if isinstance(h, str)
            ),
        ]
        # For the page tables, whose cells are styled by `_body_cell_styles` and the header's.
        self._lines_style: list[tuple[Any, ...]] = [grid]
        self._header_style: list[tuple[Any, ...]] = [
            ("BACKGROUND", (0, 0), (-1, 0), HexColor(HEADER_FILL)),
            ("LINEBELOW", (0, 0), (-1, 0), 0.75, HexColor(RULE)),
        ]
        self._white = HexColor("#FFFFFF")
        self._zebra = HexColor(ZEBRA_FILL)
        self._table_class = _table_class()

    def _fits(self, text: str, index: int, font: str = FONT) -> bool:
        """Whether `text` can be a plain string: one line that fits the column."""
        return (
            _NEEDS_PARAGRAPH.search(text) is None
            and self._string_width(text, font, CELL_SIZE) <= self._text_widths[index]
        )

    def cells(self, values: Sequence[Any]) -> list[Any]:
        """One row as table cells.

        Text that fits on one line is a plain string: Table draws those with drawString, which
        parses no markup, at a fraction of a Paragraph's cost. Anything longer, or with line
        breaks or control characters, becomes a Paragraph of escaped text that wraps.
        """
        cells: list[Any] = []
        count = len(values)
        for index, cache in enumerate(self._caches):
            value = values[index] if index < count else None
            if type(value) is str:
                text = value
            else:
                text = _formatted(value)
                if text is None:
                    text = value if isinstance(value, str) else str(value)
            cell = cache.get(text)
            if cell is None:
                if self._fits(text, index):
                    cell = text
                else:
                    cell = self._paragraph(pdf_text(text), self._cell_styles[index])
                if len(text) <= self.CACHE_TEXT_LIMIT:
                    if self._cached >= self.CACHE_LIMIT:
                        for each in self._caches:
                            each.clear()
                        self._cached = 0
                    cache[text] = cell
                    self._cached += 1
            cells.append(cell)
        return cells

    def row_height(self, cells: Sequence[Any]) -> float:
        """The height Table will give this row (same rule as reportlab's Table._calc_height)."""
        content = float(CELL_LEADING)  # a plain string is one line
        for cell, width in zip(cells, self._text_widths, strict=True):
            if not isinstance(cell, str):
                content = max(content, cell.wrap(width, 72_000)[1])
        return content + 2 * CELL_PAD_Y

    def table(
        self, rows: list[list[Any]], first_index: int, header: bool, split_in_row: bool = False
    ) -> Table:
        data = [list(self.header_cells), *rows] if header else rows
        top = 1 if header else 0
        # Stripes follow the row's place in the whole list, not in this table.
        stripes = [self._white, self._zebra]
        if first_index % 2:
            stripes.reverse()
        if split_in_row:
            # A row taller than a page, split by reportlab: plain Table, styled by commands.
            from reportlab.platypus import Table

            commands = [*self._base_style, ("ROWBACKGROUNDS", (0, top), (-1, -1), stripes)]
            if header:
                commands += self._header_style
            return Table(
                data,
                colWidths=self.col_widths,
                style=commands,
                repeatRows=top,
                splitInRow=1,
                hAlign="LEFT",
            )
        # A table that fits its page as measured: the row heights and cell styles are given,
        # so Table neither measures the cells again nor styles them one by one.
        commands = [*self._lines_style, ("ROWBACKGROUNDS", (0, top), (-1, -1), stripes)]
        body = self._body_cell_styles
        styles = [body] * len(rows)
        heights = [self.row_height(cells) for cells in rows]
        if header:
            commands += self._header_style
            styles.insert(0, self._head_cell_styles)
            heights.insert(0, self.header_height)
        return self._table_class(
            data,
            colWidths=self.col_widths,
            rowHeights=heights,
            style=commands,
            repeatRows=top,
            hAlign="LEFT",
            cellStyles=styles,
            normalizedData=1,
        )


class _RowSource:
    """The rows not yet placed, read from the caller's iterable only as far as layout needs."""

    PROGRESS_EVERY = 50

    def __init__(
        self,
        layout: _TableLayout,
        rows: Iterable[Sequence[Any]],
        total: int,
        progress: Progress | None,
    ) -> None:
        self.layout = layout
        self._rows: Iterator[Sequence[Any]] | None = iter(rows)
        self._pending: deque[tuple[list[Any], float]] = deque()
        self._total = total
        self._progress = progress
        self.placed = 0
        self._read = 0
        self._report(0)

    def peek(self, index: int) -> tuple[list[Any], float] | None:
        """The index-th row not yet placed, as (cells, height), or None past the last row."""
        while len(self._pending) <= index and self._rows is not None:
            values = next(self._rows, None)
            if values is None:
                self._rows = None
                break
            cells = self.layout.cells(values)
            self._pending.append((cells, self.layout.row_height(cells)))
            self._read += 1
            if self._read % self.PROGRESS_EVERY == 0:
                self._report(self.placed)
        return self._pending[index] if index < len(self._pending) else None

    def take(self, count: int) -> list[list[Any]]:
        taken = [self._pending.popleft()[0] for _ in range(count)]
        self.placed += count
        self._report(self.placed)
        return taken

    def fitting(self, space: float) -> tuple[int, bool]:
        """How many of the next rows fit in `space` points, and whether they are all the rest."""
        used = 0.0
        count = 0
        while (row := self.peek(count)) is not None:
            if used + row[1] > space - FIT_TOLERANCE:
                return count, False
            used += row[1]
            count += 1
        return count, True

    def _report(self, done: int) -> None:
        # Progress.update raises Cancelled, which unwinds out of doc.build and atomic_path.
        if self._progress is not None:
            self._progress.update(done, self._total)


@functools.cache
def _stream_class() -> type[Flowable]:
    """Defined on first use because it subclasses a reportlab class."""
    from reportlab.platypus import Flowable

    class TableStream(Flowable):
        """The rows still to place, as a flowable that splits off a page-sized Table at a time."""

        def __init__(self, source: _RowSource, first: bool) -> None:
            super().__init__()
            self._source = source
            self._first = first  # the first table has the header wherever it starts
            self._table: Table | None = None

        def _header(self, avail_height: float) -> bool:
            return self._first or avail_height >= self._source.layout.frame_height - 0.01

        def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
            header = self._header(avail_height)
            layout = self._source.layout
            space = avail_height - (layout.header_height if header else 0)
            count, rest = self._source.fitting(space)
            self._table = None
            if not rest:
                return avail_width, avail_height + 1  # too tall: reportlab will call split()
            # Everything left fits here: the last table, which draw() takes from the source.
            rows = [row[0] for i in range(count) if (row := self._source.peek(i)) is not None]
            self._table = layout.table(rows, self._source.placed, header)
            self._count = count
            self.width, self.height = self._table.wrap(avail_width, avail_height)
            return self.width, self.height

        def draw(self) -> None:
            if self._table is None:
                return
            self._source.take(self._count)
            self._table.drawOn(self.canv, 0, 0)

        def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
            source = self._source
            layout = source.layout
            header = self._header(avail_height)
            space = avail_height - (layout.header_height if header else 0)
            count, _rest = source.fitting(space)
            if count == 0 and not self._header(avail_height):
                return []  # not even one row fits: start again on the next page
            start = source.placed
            if count > 0:
                parts: list[Flowable] = [layout.table(source.take(count), start, header)]
            else:
                # At the top of a page and the next row alone is taller than the page (a very
                # long note): let reportlab split inside the row, over as many pages as needed.
                big = layout.table(source.take(1), start, header=True, split_in_row=True)
                parts = list(big.split(avail_width, avail_height))
                if not parts:
                    raise ValueError("a table row could not be split across pages")
            if source.peek(0) is not None:
                parts.append(TableStream(source, first=False))
            return parts

    return TableStream


@functools.cache
def _table_class() -> type[Table]:
    """Defined on first use because it subclasses a reportlab class."""
    from reportlab.platypus import Table

    class BatchedTable(Table):
        """A Table that draws its one-line string cells in one PDF text object.

        Table draws each string cell with drawString, which builds a text object for it: most
        of the cost of drawing a page. Here consecutive string cells of the same font and colour
        go into one text object, each placed where drawString would have placed it, so the page
        looks the same. Other cells (Paragraphs) are drawn by Table as before.
        """

        _batch: Any = None

        def _drawCell(self, cellval: Any, cellstyle: Any, pos: Any, size: Any) -> None:
            if (
                type(cellval) is not str
                or "\n" in cellval
                or cellstyle.valign != "TOP"
                or cellstyle.alignment not in ("LEFT", "RIGHT")
                or cellstyle.href
                or cellstyle.destination
                or cellstyle.direction
                or cellstyle.shaping
            ):
                self._flush_text()
                super()._drawCell(cellval, cellstyle, pos, size)
                return
            cur = self._curcellstyle
            if cur is not cellstyle:
                # Table's own switch of colour and font, made outside any text object.
                new_color = cur is None or cellstyle.color != cur.color
                new_font = (
                    cur is None
                    or cellstyle.leading != cur.leading
                    or cellstyle.fontname != cur.fontname
                    or cellstyle.fontsize != cur.fontsize
                )
                if new_color or new_font:
                    self._flush_text()
                    if new_color:
                        self.canv.setFillColor(cellstyle.color)
                    if new_font:
                        self.canv.setFont(cellstyle.fontname, cellstyle.fontsize, cellstyle.leading)
                self._curcellstyle = cellstyle
            if not cellval:
                return  # drawString("") draws nothing
            colpos, rowpos = pos
            colwidth, rowheight = size
            y = rowpos + rowheight - cellstyle.topPadding - cellstyle.fontsize
            if cellstyle.alignment == "LEFT":
                x = colpos + cellstyle.leftPadding
            else:
                x = colpos + colwidth - cellstyle.rightPadding
                x -= self.canv.stringWidth(cellval, cellstyle.fontname, cellstyle.fontsize)
            if self._batch is None:
                self._batch = self.canv.beginText(x, y)
            else:
                self._batch.setTextOrigin(x, y)
            self._batch.textLine(cellval)

        def _flush_text(self) -> None:
            if self._batch is not None:
                self.canv.drawText(self._batch)
                self._batch = None

        def _drawLines(self) -> None:
            # Called by draw() after the last cell: the text goes out before the grid, as
            # Table draws it.
            self._flush_text()
            super()._drawLines()

    return BatchedTable


@functools.cache
def _paragraph_class() -> type[Paragraph]:
    from reportlab.platypus import Paragraph

    class CachedParagraph(Paragraph):
        """A Paragraph that remembers its line breaks for a width.

        A cell is measured to plan the page and again by its Table; breaking lines depends only
        on the width and is the largest cost of a PDF export.
        """

        _wrapped: tuple[float, float, float] | None = None

        def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
            if self._wrapped is not None and self._wrapped[0] == avail_width:
                return self._wrapped[1], self._wrapped[2]
            width, height = super().wrap(avail_width, avail_height)
            if avail_width >= 1:  # reportlab's "cannot fit" answer is not worth keeping
                self._wrapped = (avail_width, width, height)
            return width, height

    return CachedParagraph


def column_widths(columns: Sequence[Column], total: float) -> list[float]:
    """Widths in points filling `total`: proportional to the hints, but never too narrow for
    a date, an amount or the longest word of the header."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    hints = [float(c.width or DEFAULT_WIDTHS.get(c.kind, DEFAULT_WIDTHS["text"])) for c in columns]
    minimums = []
    for column in columns:
        sample = _MIN_SAMPLES.get(column.kind, "")
        natural = max(
            stringWidth(sample, FONT, CELL_SIZE),
            *(stringWidth(word, BOLD, CELL_SIZE) for word in column.header.split() or [""]),
        )
        minimums.append(natural + 2 * CELL_PAD_X + 1)
    if sum(minimums) >= total:  # more columns than the page can take: shrink them all alike
        return [m * total / sum(minimums) for m in minimums]
    widths = [0.0] * len(columns)
    free = list(range(len(columns)))
    remaining = total
    # Share the width by the hints; a column that would fall below its minimum gets the
    # minimum, and what is left is shared again among the others.
    while free:
        scale = remaining / sum(hints[i] for i in free)
        short = [i for i in free if hints[i] * scale < minimums[i]]
        if not short:
            for i in free:
                widths[i] = hints[i] * scale
            break
        for i in short:
            widths[i] = minimums[i]
            remaining -= minimums[i]
            free.remove(i)
    return widths


class _PageDecoration:
    """Draws the header and footer of every page (the page count is added at save)."""

    def __init__(
        self,
        *,
        branch_name: str,
        title: str,
        subtitle: str | None,
        confidential: bool,
        produced: str,
        header_height: float,
    ) -> None:
        self.branch_name = _plain(branch_name)
        self.title = _plain(title)
        self.subtitle = _plain(subtitle) if subtitle else ""
        self.confidential = confidential
        self.produced = produced
        self.header_height = header_height

    def draw(self, canvas: Canvas, doc: Any) -> None:
        from reportlab.lib.colors import HexColor

        width, height = doc.pagesize
        left, right = MARGIN, width - MARGIN
        top = height - MARGIN
        canvas.saveState()
        reserved = 0.0
        if self.confidential:
            canvas.setFont(BOLD, 8.5)
            canvas.setFillColor(HexColor(CONFIDENTIAL_RED))
            canvas.drawRightString(right, top - BRANCH_BASELINE, CONFIDENTIAL)
            reserved = canvas.stringWidth(CONFIDENTIAL, BOLD, 8.5) + 12
        canvas.setFillColor(HexColor(MUTED))
        canvas.setFont(BOLD, 9)
        branch = _fit(self.branch_name, BOLD, 9, right - left - reserved)
        canvas.drawString(left, top - BRANCH_BASELINE, branch)
        canvas.setFillColor(HexColor(INK))
        canvas.setFont(BOLD, 14)
        canvas.drawString(left, top - TITLE_BASELINE, _fit(self.title, BOLD, 14, right - left))
        if self.subtitle:
            canvas.setFillColor(HexColor(MUTED))
            canvas.setFont(FONT, 8.5)
            subtitle = _fit(self.subtitle, FONT, 8.5, right - left)
            canvas.drawString(left, top - SUBTITLE_BASELINE, subtitle)
        canvas.setStrokeColor(HexColor(RULE))
        canvas.setLineWidth(0.75)
        canvas.line(left, top - self.header_height, right, top - self.header_height)

        canvas.setLineWidth(0.5)
        canvas.line(left, MARGIN + FOOTER_RULE, right, MARGIN + FOOTER_RULE)
        canvas.setFillColor(HexColor(MUTED))
        canvas.setFont(FONT, 8)
        canvas.drawString(left, MARGIN + FOOTER_BASELINE, self.produced)
        canvas.restoreState()


@functools.cache
def _numbered_canvas_class() -> type[Canvas]:
    from reportlab.lib.colors import HexColor
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        """Keeps each finished page until save(), when the page count is known.

        The usual reportlab recipe for "Page x of y" in one pass: pages wait as their drawn
        content streams, a few kilobytes each, not as flowables.
        """

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            state = dict(self.__dict__)
            # One string per waiting page instead of thousands of small ones: a third of the
            # memory. showPage() joins the list with newlines anyway.
            state["_code"] = ["\n".join(self._code)]
            self._pages.append(state)
            self._startPage()

        def save(self) -> None:
            from reportlab import rl_config

            # Page streams are compressed; reportlab then also wraps them in ASCII85 by default,
            # which makes the file bigger and, in pure Python, costs a tenth of the export time.
            # The setting is read while pages are written, so it is switched off for just that.
            saved_a85 = rl_config.useA85
            rl_config.useA85 = 0
            try:
                self._write_pages()
            finally:
                rl_config.useA85 = saved_a85

        def _write_pages(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                width, _height = self._pagesize
                self.saveState()
                self.setFont(FONT, 8)
                self.setFillColor(HexColor(MUTED))
                self.drawRightString(
                    width - MARGIN, MARGIN + FOOTER_BASELINE, f"Page {number} of {total}"
                )
                self.restoreState()
                super().showPage()
            super().save()

    return NumberedCanvas


def _formatted(value: Any) -> str | None:
    """Display text for values we format ourselves; None for anything else (user text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Money):
        return value.format()
    if isinstance(value, datetime):
        return f"{local_time(value):%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, int | Decimal | float):
        return str(value)
    return None


def _plain(text: str) -> str:
    """User text for drawString (no markup is parsed): one line, no control characters."""
    # isprintable() is False for controls, bidi overrides and lone surrogates alike.
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Cut `text` with "…" so that it fits `width` points."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if stringWidth(text[:middle] + "…", font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"
