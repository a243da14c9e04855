"""PDF exports: every page labelled and numbered, user text printed literally, long notes, and
no half-written files.

Text is read back with pypdf, which sees what a PDF viewer would show and what it would load
(links, images).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from branchdesk.exports.pdf import CONFIDENTIAL, write_pdf_table
from branchdesk.exports.text import pdf_text
from branchdesk.money import Money
from branchdesk.progress import Cancelled, Progress
from branchdesk.store.listing import Column

PRODUCED = datetime(2026, 3, 5, 14, 30)
BRANCH = "Northtown Health Branch"

COLUMNS = [
    Column("no", "Member no.", "int", 8),
    Column("name", "Full name", "text", 22),
    Column("joined", "Joined", "date"),
    Column("seen", "Last contact", "datetime"),
    Column("dues", "Dues paid", "money"),
    Column("active", "Active", "bool"),
    Column("note", "Note", "text", 40),
]

# Markup, entities and links that reportlab's Paragraph would act on if not escaped.
MARKUP = [
    "<b>Smith & Sons</b>",
    '<img src="/etc/passwd">',
    "</para>",
    "&#x41;",
    '<a href="file:///etc/passwd">x</a>',
    "R&D",
    "a <b>bold",
    "&amp; &lt;",
]


def _write(path: Path, rows: Sequence[Sequence[Any]] | Iterator[Any], **kwargs: Any) -> int:
    kwargs.setdefault("branch_name", BRANCH)
    kwargs.setdefault("title", "Members list")
    kwargs.setdefault("columns", COLUMNS)
    kwargs.setdefault("confidential", True)
    kwargs.setdefault("produced", PRODUCED)
    return write_pdf_table(path, rows=rows, **kwargs)


def _row(number: int, **values: Any) -> tuple[Any, ...]:
    defaults: dict[str, Any] = {
        "no": number,
        "name": f"Member M-{number:06d}",
        "joined": date(2019, 4, 1),
        "seen": datetime(2026, 2, 27, 9, 15),
        "dues": Money(123456),
        "active": number % 2 == 0,
        "note": "",
    }
    defaults.update(values)
    return tuple(defaults[c.key] for c in COLUMNS)


def _pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def _squash(text: str) -> str:
    """Text without whitespace: cells wrap lines (even inside long words), so compare this."""
    return re.sub(r"\s+", "", text)


# --- every page -----------------------------------------------------------------------------


def test_every_page_has_header_footer_and_page_x_of_y(tmp_path: Path) -> None:
    path = tmp_path / "members.pdf"
    written = _write(path, [_row(n) for n in range(300)], subtitle="Search: smith")

    assert written == 300
    pages = _pages(path)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert BRANCH in text
        assert "Members list" in text
        assert "Search: smith" in text
        assert CONFIDENTIAL in text
        assert "Produced 05 March 2026 14:30" in text
        # The table's header row starts every page, not only the first.
        for column in COLUMNS:
            assert _squash(column.header) in _squash(text), (number, column.header)


def test_every_row_is_printed_once_in_order_across_page_breaks(tmp_path: Path) -> None:
    # Rows of random heights, so page breaks fall everywhere in a row's possible shapes.
    chooser = random.Random(20260305)
    notes = ["", "short", "a longer note " * 6, "line\n" * 5, "x" * 300]
    path = tmp_path / "members.pdf"
    _write(path, [_row(n, note=chooser.choice(notes)) for n in range(600)])

    ids = [int(found) for found in re.findall(r"M-(\d{6})", "\n".join(_pages(path)))]
    assert ids == list(range(600))


def test_confidential_line_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "public.pdf"
    _write(path, [_row(n) for n in range(120)], confidential=False)

    pages = _pages(path)
    assert len(pages) >= 2
    assert not any("Confidential" in text for text in pages)
    assert b"Confidential" not in path.read_bytes()  # nor in the document's metadata


def test_landscape_pages_are_wider_than_tall(tmp_path: Path) -> None:
    path = tmp_path / "wide.pdf"
    _write(path, [_row(1)], landscape=True)
    box = PdfReader(path).pages[0].mediabox
    assert box.width > box.height
    portrait = tmp_path / "tall.pdf"
    _write(portrait, [_row(1)])
    box = PdfReader(portrait).pages[0].mediabox
    assert box.height > box.width
    assert round(float(box.width)) == 595  # A4


def test_values_are_formatted(tmp_path: Path) -> None:
    path = tmp_path / "values.pdf"
    rows = [
        _row(1, dues=Money(123456), active=True),
        _row(2, dues=Money(-350), active=False, joined=date(2024, 12, 31)),
        _row(3, dues=None, joined=None, seen=None, active=None),
    ]
    _write(path, rows)

    text = _pages(path)[0]
    assert "£1,234.56" in text
    assert "-£3.50" in text
    assert "01/04/2019" in text and "31/12/2024" in text
    assert "27/02/2026 09:15" in text
    assert "Yes" in text and "No" in text
    assert "None" not in text


def test_no_rows_prints_the_header_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    assert _write(path, []) == 0
    pages = _pages(path)
    assert len(pages) == 1
    assert "No rows." in pages[0] and "Page 1 of 1" in pages[0]
    assert "Memberno.FullnameJoined" in _squash(pages[0])


# --- user text ------------------------------------------------------------------------------


def test_markup_in_user_text_prints_literally(tmp_path: Path) -> None:
    path = tmp_path / "markup.pdf"
    long_tail = " and then a long sentence that has to wrap inside its narrow cell" * 3
    rows = []
    for number, text in enumerate(MARKUP):
        # Short text is drawn as a plain string, long or multi-line text as a Paragraph:
        # both ways must print the characters as typed.
        rows.append(_row(number, name=text, note=text))
        rows.append(_row(100 + number, name=f"{text}\nsecond line", note=text + long_tail))
    _write(path, rows, branch_name="<b>Smith & Sons</b> Branch", title="</para> &#x41;")

    pages = _pages(path)
    everything = _squash(" ".join(pages))
    for text in MARKUP:
        assert everything.count(_squash(text)) >= 4, text
    assert "<b>Smith & Sons</b> Branch" in pages[0]
    assert "</para> &#x41;" in pages[0]


def test_no_links_images_or_embedded_files_from_user_text(tmp_path: Path) -> None:
    path = tmp_path / "links.pdf"
    rows = [_row(n, name=text, note=text * 40) for n, text in enumerate(MARKUP * 3)]
    _write(path, rows, branch_name='<a href="https://evil.example">x</a>')

    reader = PdfReader(path)
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert "/Annots" not in page
        xobjects = page["/Resources"].get("/XObject") or {}
        subtypes = [xobjects[name].get_object().get("/Subtype") for name in xobjects]
        assert "/Image" not in subtypes
        assert list(page.images) == []  # inline images too
    assert reader.attachments == {}
    raw = path.read_bytes()
    for marker in (b"/URI", b"/Launch", b"/EmbeddedFile", b"/JavaScript", b"/Subtype /Image"):
        assert marker not in raw


def test_emoji_other_scripts_and_control_characters_do_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "unicode.pdf"
    strange = "😀 中文 עברית \u202eevil\u202c \x00\x07\x1b tab\there \ud800 \ufffe"
    rows = [_row(1, name=strange, note=strange), _row(2, name="after")]
    assert _write(path, rows, branch_name=strange, title=strange, subtitle=strange) == 2

    # Helvetica has no glyphs for emoji or Chinese: they print as boxes, which is acceptable.
    text = _pages(path)[0]
    assert "after" in text
    assert text.count("evil") >= 3  # the header's title and branch, and the table cells


def test_a_40000_character_note_splits_across_pages(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    words = " ".join(f"w{i:05d}" for i in range(5_700))[:39_990] + " NOTE-END"
    unbroken = "x" * 40_000  # no spaces: must still wrap and split, not overrun or fail
    rows = [_row(1, note=words), _row(2, note=unbroken), _row(3, name="Last member")]
    assert _write(path, rows) == 3

    pages = _pages(path)
    assert len(pages) > 5
    everything = "\n".join(pages)
    assert "NOTE-END" in everything and "Last member" in everything
    assert "Memberno." in _squash(pages[2])  # continuation pages still have the header row
    assert all(f"Page {n} of {len(pages)}" in text for n, text in enumerate(pages, start=1))


def test_pdf_text_escapes_markup_and_keeps_line_breaks() -> None:
    assert pdf_text("<b>Smith & Sons</b>") == "&lt;b&gt;Smith &amp; Sons&lt;/b&gt;"
    assert pdf_text("&#x41;") == "&amp;#x41;"
    assert pdf_text("one\ntwo\r\nthree\rfour") == "one<br/>two<br/>three<br/>four"
    assert pdf_text("a\x00b\x07c\td\x1b\x85e") == "a b c d  e"
    assert pdf_text("lone \ud800") == "lone \ufffd"
    assert pdf_text("😀") == "😀"


def test_row_heights_are_measured_as_reportlab_measures_them() -> None:
    # The page planner measures rows itself so that each row is laid out once; if a
    # reportlab release measured differently, tables would overflow pages. Guard that here.
    from reportlab.platypus import Table

    from branchdesk.exports.pdf import _TableLayout

    layout = _TableLayout(COLUMNS, 500, 700)
    rows = [
        layout.cells(_row(1)),
        layout.cells(_row(2, note="a longer note that wraps " * 8)),
        layout.cells(_row(3, name="two\nlines", note="x" * 500)),
        layout.cells(_row(4, name="<b>&</b>", dues=Money(10**12), note=None)),
    ]
    table = Table(
        [layout.header_cells, *rows],
        colWidths=layout.col_widths,
        style=[
            ("FONT", (0, 0), (-1, -1), "Helvetica", 8, 10),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ],
    )
    table.wrap(500, 10_000)
    measured = [layout.header_height, *(layout.row_height(cells) for cells in rows)]
    assert measured == pytest.approx(table._rowHeights)
    assert measured[2] > measured[1] and measured[3] > measured[1]


def test_short_text_is_a_plain_string_and_long_text_a_wrapping_paragraph() -> None:
    from reportlab.platypus import Paragraph

    from branchdesk.exports.pdf import _TableLayout

    layout = _TableLayout(COLUMNS, 500, 700)
    long_note = "a long <b>&amp; note that cannot fit on one line of its column" * 3
    first = layout.cells(_row(1, name="<b>&</b>", note=long_note))
    second = layout.cells(_row(2, name="<b>&</b>", note=long_note))

    # Plain strings are drawn as written (no markup is parsed), so they are not escaped.
    assert first[1] == "<b>&</b>"
    assert isinstance(first[6], Paragraph)
    assert "a long &lt;b&gt;&amp;amp; note" in first[6].text  # escaped, and it wraps
    assert layout.row_height(first) > layout.header_height
    # Repeated text reuses the measured cell.
    assert second[1] == "<b>&</b>" and second[6] is first[6]


def test_a_header_too_long_for_its_column_wraps() -> None:
    from reportlab.platypus import Paragraph

    from branchdesk.exports.pdf import _TableLayout

    columns = [*COLUMNS[:-1], Column("note", "Note <b>&amp; a long header " * 4, "text", 8)]
    layout = _TableLayout(columns, 500, 700)
    assert layout.header_cells[1] == "Full name"
    assert isinstance(layout.header_cells[-1], Paragraph)
    assert layout.header_cells[-1].text == pdf_text(columns[-1].header).strip()
    assert layout.header_height > layout.row_height(layout.cells(_row(1)))


def test_the_cell_cache_stays_small() -> None:
    from branchdesk.exports.pdf import _TableLayout

    layout = _TableLayout(COLUMNS, 500, 700)
    layout.CACHE_LIMIT = 10
    for number in range(100):
        cells = layout.cells(_row(number, name=f"Name {number}", note="y" * 300))
        assert cells[1] == f"Name {number}"
    assert sum(len(cache) for cache in layout._caches) <= 10
    assert "y" * 300 not in layout._caches[6]  # long text is never kept


def _drawn_text(flowable: Any) -> list[tuple[str, float, float, str]]:
    """What `flowable` draws: each string with its position and font, read back by pypdf."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(600, 900))
    flowable.wrapOn(canvas, 500, 800)
    flowable.drawOn(canvas, 40, 40)
    canvas.showPage()
    canvas.save()
    found: list[tuple[str, float, float, str]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            name = str(font.get("/BaseFont")) if font else ""
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip(), round(x, 3), round(y, 3), name))

    PdfReader(buffer).pages[0].extract_text(visitor_text=visit)
    return sorted(found)


def test_tables_draw_text_where_reportlab_would() -> None:
    # Page tables draw their string cells in one text object and take row heights and cell
    # styles as measured; reportlab's own Table, styled by commands, must print the same.
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    from branchdesk.exports.pdf import BOLD, _TableLayout

    layout = _TableLayout(COLUMNS, 500, 700)
    rows = [
        layout.cells(_row(1, name="<b>&</b>", note="short")),
        layout.cells(_row(-22, dues=Money(-350), active=False, note="a wrapping note " * 9)),
        layout.cells(_row(3, name="two\nlines", joined=None, dues=Money(10**12))),
        layout.cells(_row(4, name="R&D", note="😀 x")),
    ]
    for first in (0, 1):
        fast = layout.table([list(r) for r in rows], first, header=True)
        plain = layout.table([list(r) for r in rows], first, header=True, split_in_row=True)
        assert type(fast) is not type(plain)
        assert _drawn_text(fast) == _drawn_text(plain)

    # A header drawn as a bold string sits where the bold Paragraph used to put it.
    fast = layout.table([rows[0]], 0, header=True)
    heads = [
        Paragraph(
            pdf_text(c.header),
            ParagraphStyle(
                "h",
                fontName=BOLD,
                fontSize=8,
                leading=10,
                alignment=2 if c.kind in ("int", "money") else 0,
            ),
        )
        for c in COLUMNS
    ]
    plain = layout.table([rows[0]], 0, header=True, split_in_row=True)
    plain._cellvalues[0] = heads
    assert _drawn_text(fast) == _drawn_text(plain)


# --- progress, cancel, failures -------------------------------------------------------------


def test_progress_reaches_the_total(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    progress = Progress(lambda done, total: calls.append((done, total)))
    _write(tmp_path / "p.pdf", (_row(n) for n in range(500)), total_rows=500, progress=progress)

    assert calls[0] == (0, 500) and calls[-1] == (500, 500)
    assert len(calls) > 5  # every page or so, not only at the ends
    done = [d for d, _total in calls]
    assert done == sorted(done)


def _old_file(folder: Path) -> Path:
    old = folder / "members.pdf"
    old.write_bytes(b"%PDF- last week's export")
    return old


def test_cancel_keeps_the_old_file_and_leaves_no_part_file(tmp_path: Path) -> None:
    old = _old_file(tmp_path)
    progress = Progress()

    def rows() -> Iterator[tuple[Any, ...]]:
        for number in range(2_000):
            if number == 300:
                progress.cancel()
            yield _row(number)

    with pytest.raises(Cancelled):
        _write(old, rows(), progress=progress)

    assert old.read_bytes() == b"%PDF- last week's export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["members.pdf"]


def test_a_failing_row_source_keeps_the_old_file(tmp_path: Path) -> None:
    old = _old_file(tmp_path)

    def rows() -> Iterator[tuple[Any, ...]]:
        for number in range(2_000):
            if number == 150:
                raise RuntimeError("database went away")
            yield _row(number)

    with pytest.raises(RuntimeError, match="database went away"):
        _write(old, rows())

    assert old.read_bytes() == b"%PDF- last week's export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["members.pdf"]


def test_a_new_export_replaces_the_old_file(tmp_path: Path) -> None:
    old = _old_file(tmp_path)
    _write(old, [_row(1)])
    assert len(PdfReader(old).pages) == 1
