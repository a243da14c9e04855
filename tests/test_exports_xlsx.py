"""Excel exports: typed cells, no formulas from user text, streaming, and no half-written files.

Every check reads the file back with openpyxl (and, where openpyxl could hide something, the
raw sheet XML), the way a member's data would reach Excel or LibreOffice.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from branchdesk.exports.text import safe_filename, xlsx_text
from branchdesk.exports.xlsx import MONEY_FORMAT, sheet_title, write_xlsx
from branchdesk.money import Money
from branchdesk.progress import Cancelled, Progress
from branchdesk.store.listing import Column

PRODUCED = datetime(2026, 3, 5, 14, 30)

COLUMNS = [
    Column("no", "Member no.", "int", 10),
    Column("name", "Name", "text", 30),
    Column("joined", "Joined", "date"),
    Column("seen", "Last contact", "datetime"),
    Column("dues", "Dues paid", "money"),
    Column("active", "Active", "bool"),
    Column("note", "Note", "text", 50),
]

# Strings a spreadsheet would run as formulas, or as DDE/commands, if stored as formulas.
INJECTIONS = [
    "=1+1",
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1",
    "@SUM(1)",
    "\t=1",
    "=cmd|' /C calc'!A0",
]


def _write(path: Path, rows: Sequence[Sequence[Any]], **kwargs: Any) -> int:
    kwargs.setdefault("title", "Members")
    kwargs.setdefault("columns", COLUMNS)
    kwargs.setdefault("produced", PRODUCED)
    return write_xlsx(path, rows=rows, **kwargs)


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode("utf-8")


def _row(number: int = 1, **values: Any) -> tuple[Any, ...]:
    defaults: dict[str, Any] = {
        "no": number,
        "name": f"Member {number}",
        "joined": date(2019, 4, 1),
        "seen": datetime(2026, 2, 27, 9, 15),
        "dues": Money(1234),
        "active": True,
        "note": "",
    }
    defaults.update(values)
    return tuple(defaults[c.key] for c in COLUMNS)


# --- layout ---------------------------------------------------------------------------------


def test_title_produced_line_header_frozen_and_filtered(tmp_path: Path) -> None:
    path = tmp_path / "members.xlsx"
    written = _write(path, [_row(1), _row(2), _row(3)], subtitle="Search: smith")

    assert written == 3
    ws = load_workbook(path).active
    assert ws["A1"].value == "Members"
    assert ws["A1"].font.bold and ws["A1"].font.size > 11
    assert ws["A2"].value == "Produced 05 March 2026 14:30 — Search: smith"
    assert all(cell.value is None for cell in ws[3])
    assert [cell.value for cell in ws[4]] == [c.header for c in COLUMNS]
    assert all(cell.font.bold for cell in ws[4])
    assert ws["A4"].fill.fill_type == "solid"
    assert ws["A5"].value == 1  # data starts on row 5
    assert ws.freeze_panes == "A5"
    assert ws.auto_filter.ref == "A4:G7"
    assert ws.max_row == 7


def test_column_widths_follow_hints_or_defaults_per_kind(tmp_path: Path) -> None:
    path = tmp_path / "widths.xlsx"
    _write(path, [_row()])

    ws = load_workbook(path).active
    widths = {letter: ws.column_dimensions[letter].width for letter in "ABCDEFG"}
    assert widths["B"] == 30  # hint
    assert widths["G"] == 50  # hint
    assert widths["C"] < widths["D"] < widths["B"]  # date < datetime < a wide text column
    for width, column in zip(widths.values(), COLUMNS, strict=True):
        assert width >= len(column.header) + 3  # header and filter arrow fit


def test_no_rows_still_writes_the_header(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    assert _write(path, []) == 0
    ws = load_workbook(path).active
    assert [cell.value for cell in ws[4]] == [c.header for c in COLUMNS]
    assert ws.auto_filter.ref == "A4:G4"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Members", "Members"),
        ("Q1 [draft]: a/b\\c?*", "Q1 draft a b c"),
        ("x" * 40, "x" * 31),
        ("'quoted'", "quoted"),
        ("History", "History 1"),  # reserved by Excel
        ("", "Sheet1"),
        ("[]:*?", "Sheet1"),
        ("tab\tand\nnewline\x00", "tab and newline"),
    ],
)
def test_sheet_names_are_ones_excel_accepts(name: str, expected: str, tmp_path: Path) -> None:
    assert sheet_title(name) == expected
    path = tmp_path / "named.xlsx"
    _write(path, [_row()], sheet_name=name)
    assert load_workbook(path).sheetnames == [expected]


# --- typed cells ----------------------------------------------------------------------------


def test_cells_are_typed(tmp_path: Path) -> None:
    path = tmp_path / "typed.xlsx"
    rows = [
        _row(7, dues=Money(123456), active=True),
        _row(8, dues=Money(-350), active=False, joined=None, seen=None, note=None),
        _row(9, dues=Money(0)),
    ]
    _write(path, rows)

    ws = load_workbook(path).active
    no, name, joined, seen, dues, active, note = ws[5]
    assert no.value == 7 and no.data_type == "n"
    assert name.value == "Member 7" and name.data_type == "s"
    assert joined.is_date and joined.value.date() == date(2019, 4, 1)
    assert joined.number_format == "dd/mm/yyyy"
    assert seen.is_date and seen.value == datetime(2026, 2, 27, 9, 15)
    assert seen.number_format == "dd/mm/yyyy hh:mm"
    assert dues.data_type == "n" and dues.number_format == MONEY_FORMAT
    assert Decimal(str(dues.value)) == Decimal("1234.56")
    assert active.value == "Yes" and active.data_type == "s"
    assert note.value is None

    second = ws[6]
    assert Decimal(str(second[4].value)) == Decimal("-3.50")
    assert second[5].value == "No"
    assert second[2].value is None and second[3].value is None and second[6].value is None
    assert ws["E7"].value == 0 and ws["E7"].number_format == MONEY_FORMAT


def test_values_excel_would_mangle_are_kept_safe(tmp_path: Path) -> None:
    path = tmp_path / "edges.xlsx"
    rows = [
        _row(1234567890123456789, name="", note="\x00\x01"),  # 19 digits; text that is all junk
        _row(999_999_999_999_999, name=float("nan"), note=Decimal("Infinity")),
    ]
    _write(path, rows)

    ws = load_workbook(path).active
    # Excel keeps 15 significant digits: a longer number would be silently rounded.
    assert (ws["A5"].value, ws["A5"].data_type) == ("1234567890123456789", "s")
    assert ws["A6"].value == 999_999_999_999_999
    # Empty text is an empty cell, not an empty string (which filters treat differently).
    assert ws["B5"].value is None and ws["G5"].value is None
    assert ws["B6"].value is None and ws["G6"].value is None  # NaN and infinity: no number


def test_money_is_written_as_the_exact_decimal(tmp_path: Path) -> None:
    """No float ever: the XML holds the decimal digits of the pence."""
    path = tmp_path / "money.xlsx"
    amounts = [Money(1), Money(10), Money(-1), Money(99_999_999_999), Money(123456789)]
    _write(path, [_row(i, dues=amount) for i, amount in enumerate(amounts)])

    xml = _sheet_xml(path)
    values = re.findall(r'<c r="E\d+"[^>]*><v>([^<]*)</v>', xml)
    assert [Decimal(v) for v in values] == [a.to_decimal() for a in amounts]
    assert "0.01" in values and "999999999.99" in values


def test_aware_datetimes_become_local_time(tmp_path: Path) -> None:
    path = tmp_path / "aware.xlsx"
    aware = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    _write(path, [_row(seen=aware)], produced=datetime(2026, 7, 1, 13, 0, tzinfo=UTC))

    ws = load_workbook(path).active
    assert ws["D5"].value == aware.astimezone().replace(tzinfo=None)


def test_a_string_in_a_typed_column_is_text_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "mixed.xlsx"
    _write(path, [_row(no="n/a", joined="unknown", dues="=1+1", active="maybe")])

    ws = load_workbook(path).active
    assert [(c.value, c.data_type) for c in ws[5]][:6] == [
        ("n/a", "s"),
        ("Member 1", "s"),
        ("unknown", "s"),
        (datetime(2026, 2, 27, 9, 15), "d"),
        ("=1+1", "s"),
        ("maybe", "s"),
    ]


# --- user text: formulas, control characters, length ---------------------------------------


@pytest.mark.parametrize("text", INJECTIONS)
def test_formula_like_text_stays_text_in_every_text_field(text: str, tmp_path: Path) -> None:
    path = tmp_path / "inject.xlsx"
    columns = [*COLUMNS[:-1], Column(text, text, "text")]  # user-named column header
    rows = [_row(name=text, note=text), _row(no=text, joined=text, dues=text, active=text)]
    write_xlsx(path, title=text, subtitle=text, columns=columns, rows=rows, produced=PRODUCED)

    ws = load_workbook(path).active
    text_cells = [ws["A1"], ws["G4"], ws["B5"], ws["G5"], ws["A6"], ws["C6"], ws["E6"], ws["F6"]]
    for cell in text_cells:
        assert cell.data_type == "s", cell.coordinate
        assert cell.value == text, cell.coordinate
    assert ws["A2"].value.endswith(f" — {text}")
    # openpyxl would show a formula as data_type "f"; the XML must not contain one either.
    assert "<f>" not in _sheet_xml(path) and "<f " not in _sheet_xml(path)


@pytest.mark.parametrize("text", ["#N/A", "#REF!", "#DIV/0!", "#VALUE!", "=", "#", "# 1"])
def test_error_codes_and_lone_marks_stay_text(text: str, tmp_path: Path) -> None:
    # Plain text goes to openpyxl as a bare str, which it would store as an error cell if it
    # were an error code such as "#N/A": such text must still be a string cell.
    path = tmp_path / "codes.xlsx"
    _write(path, [_row(name=text, note=f"{text} ok", no=text)])

    ws = load_workbook(path).active
    for cell, expected in ((ws["A5"], text), (ws["B5"], text), (ws["G5"], f"{text} ok")):
        assert (cell.value, cell.data_type) == (expected, "s"), cell.coordinate
    assert 't="e"' not in _sheet_xml(path) and "<f>" not in _sheet_xml(path)


def test_text_cells_in_a_long_export_are_the_same_as_in_a_short_one(tmp_path: Path) -> None:
    # Text cells are written as bare strings and repeated ones share nothing that could leak
    # between rows: each row reads back as it was written.
    path = tmp_path / "many.xlsx"
    texts = ["plain", "=1+1", "#N/A", "a\x00b", "cr\rlf", "", "Yes", "  ", "x" * 100]
    rows = [
        _row(n, name=texts[n % len(texts)], note=texts[(n * 7) % len(texts)]) for n in range(90)
    ]
    _write(path, rows)

    ws = load_workbook(path).active
    for n, row in enumerate(ws.iter_rows(min_row=5, values_only=True)):
        for value, text in ((row[1], texts[n % len(texts)]), (row[6], texts[(n * 7) % len(texts)])):
            assert value == (xlsx_text(text) or None), n


def test_carriage_returns_become_line_feeds_and_stay_text(tmp_path: Path) -> None:
    # XML readers (Excel's too) turn a raw CR into LF, so xlsx_text does it up front and the
    # value read back is exactly the value written.
    path = tmp_path / "cr.xlsx"
    _write(path, [_row(name="\r=1", note="first\r\nsecond\rthird")])

    ws = load_workbook(path).active
    assert (ws["B5"].value, ws["B5"].data_type) == ("\n=1", "s")
    assert ws["G5"].value == "first\nsecond\nthird"
    assert "<f>" not in _sheet_xml(path)


def test_leading_and_trailing_whitespace_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "space.xlsx"
    _write(path, [_row(name="  padded\t", note="\ttabbed")])
    ws = load_workbook(path).active
    assert ws["B5"].value == "  padded\t"
    assert ws["G5"].value == "\ttabbed"


def test_control_characters_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "controls.xlsx"
    note = "a" + "".join(chr(c) for c in range(0x00, 0x09)) + "b\x0b\x0c\x0e\x1fc\td\ne"
    _write(path, [_row(name="x\x00y", note=note)], title="Title\x07")

    ws = load_workbook(path).active
    assert ws["B5"].value == "xy"
    assert ws["G5"].value == "abc\td\ne"
    assert ws["A1"].value == "Title"


def test_text_longer_than_an_excel_cell_is_cut_with_an_ellipsis(tmp_path: Path) -> None:
    path = tmp_path / "long.xlsx"
    note = "".join(f"{i:08d} " for i in range(4_445))[:40_000]
    _write(path, [_row(note=note), _row(2, note="after")])

    ws = load_workbook(path).active
    value = ws["G5"].value
    assert len(value) == 32_767
    assert value.endswith("…")
    assert value[:-1] == note[:32_766]
    assert ws["G6"].value == "after"


def test_unencodable_characters_do_not_break_the_file(tmp_path: Path) -> None:
    path = tmp_path / "odd.xlsx"
    _write(path, [_row(name="lone \ud800 surrogate", note="non\ufffechar 😀 עברית \u202eRTL")])

    ws = load_workbook(path).active
    assert ws["B5"].value == "lone \ufffd surrogate"
    assert ws["G5"].value == "nonchar 😀 עברית \u202eRTL"


def test_xlsx_text_removes_exactly_what_openpyxl_refuses() -> None:
    for code in range(0x00, 0xA0):
        char = chr(code)
        if char == "\r":
            assert xlsx_text(char) == "\n"
        elif ILLEGAL_CHARACTERS_RE.match(char):
            assert xlsx_text(char) == "", hex(code)
        else:
            assert xlsx_text(char) == char, hex(code)


def test_xlsx_text_changes_text_only_where_it_must() -> None:
    # Text with nothing to remove is returned at once; anything else takes the slow path.
    plain = "Smith & Sons <b> 😀 עברית \t tab \n line"
    assert xlsx_text(plain) is plain
    for code in [*range(0x00, 0x20), 0xD800, 0xDFFF, 0xFFFE, 0xFFFF]:
        char = chr(code)
        expected = {"\t": "\t", "\n": "\n", "\r": "\n"}.get(char, "")
        if 0xD800 <= code <= 0xDFFF:
            expected = "\ufffd"
        assert xlsx_text(f"ab{char}cd") == f"ab{expected}cd", hex(code)


def test_xlsx_text_counts_the_limit_as_excel_does() -> None:
    # Excel counts UTF-16 units: an emoji is two of them.
    cut = xlsx_text("😀" * 20_000)
    assert cut.endswith("…")
    assert len(cut.encode("utf-16-le")) // 2 <= 32_767
    assert xlsx_text("x" * 32_767) == "x" * 32_767
    assert xlsx_text("x" * 32_768) == "x" * 32_766 + "…"


# --- progress, cancel, failures -------------------------------------------------------------


def _many(count: int, fail_at: int | None = None) -> Iterator[tuple[Any, ...]]:
    for number in range(count):
        if number == fail_at:
            raise RuntimeError("database went away")
        yield _row(number)


def test_progress_is_reported_every_500_rows(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    progress = Progress(lambda done, total: calls.append((done, total)))
    _write(tmp_path / "p.xlsx", _many(1_200), total_rows=1_200, progress=progress)
    assert calls == [(0, 1_200), (500, 1_200), (1_000, 1_200), (1_200, 1_200)]


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system temp folder, as openpyxl sees it, made empty and private to the test."""
    folder = tmp_path / "system-temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _old_file(folder: Path) -> Path:
    old = folder / "members.xlsx"
    old.write_bytes(b"the export from last week")
    return old


def test_cancel_keeps_the_old_file_and_leaves_nothing_behind(
    tmp_path: Path, private_tmp: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    old = _old_file(out)
    progress = Progress()

    def rows() -> Iterator[tuple[Any, ...]]:
        for number in range(5_000):
            if number == 1_200:
                progress.cancel()
            yield _row(number)

    with pytest.raises(Cancelled):
        _write(old, rows(), progress=progress)

    assert old.read_bytes() == b"the export from last week"
    assert sorted(p.name for p in out.iterdir()) == ["members.xlsx"]  # no .part file
    assert list(private_tmp.iterdir()) == []  # openpyxl's streamed sheet is gone too


def test_cancel_of_a_new_export_leaves_no_file(tmp_path: Path, private_tmp: Path) -> None:
    progress = Progress()
    progress.cancel()
    with pytest.raises(Cancelled):
        _write(tmp_path / "new.xlsx", _many(10), progress=progress)
    assert list(tmp_path.glob("*.xlsx")) == []
    assert list(tmp_path.glob(".*part")) == []


def test_a_failing_row_source_keeps_the_old_file(tmp_path: Path, private_tmp: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    old = _old_file(out)

    with pytest.raises(RuntimeError, match="database went away"):
        _write(old, _many(2_000, fail_at=700))

    assert old.read_bytes() == b"the export from last week"
    assert sorted(p.name for p in out.iterdir()) == ["members.xlsx"]
    assert list(private_tmp.iterdir()) == []


def test_a_new_export_replaces_the_old_file(tmp_path: Path) -> None:
    old = _old_file(tmp_path)
    _write(old, [_row()])
    assert load_workbook(old).active["B5"].value == "Member 1"


@pytest.mark.slow
def test_200000_rows_stream_to_a_complete_file(tmp_path: Path) -> None:
    columns = [
        Column("no", "No.", "int"),
        Column("name", "Name"),
        Column("joined", "Joined", "date"),
        Column("dues", "Dues", "money"),
    ]
    count = 200_000
    start = date(2000, 1, 1)

    def rows() -> Iterator[tuple[Any, ...]]:  # a generator: the rows are never all in memory
        for n in range(count):
            yield (n, f"Member {n}", start + timedelta(days=n % 9_000), Money(n))

    path = tmp_path / "big.xlsx"
    assert write_xlsx(path, title="Ledger", columns=columns, rows=rows()) == count

    first = next(load_workbook(path, read_only=True).active.iter_rows(min_row=5, max_row=5))
    assert [cell.value for cell in first][:2] == [0, "Member 0"]
    # Reading 200,000 rows back through openpyxl takes longer than writing them; the raw XML,
    # streamed, shows that every row arrived and what the last one holds.
    rows_seen = 0
    tail = b""
    with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
        while chunk := sheet.read(1 << 20):
            rows_seen += (tail[-4:] + chunk).count(b"<row ")  # 4: a split "<row "
            tail = (tail + chunk)[-2_000:]
    assert rows_seen == count + 4  # title, produced, blank, header
    last = tail.decode("utf-8")
    n = count + 4
    assert re.search(rf'<c r="A{n}"[^>]*><v>{count - 1}</v>', last)
    assert re.search(rf'<c r="B{n}"[^>]*><is><t>Member {count - 1}</t>', last)
    assert re.search(rf'<c r="D{n}"[^>]*><v>1999.99</v>', last)


# --- file names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Members 2026", "Members 2026"),
        ("../../etc/passwd", "etc_passwd"),
        ("..\\..\\Windows\\win.ini", "Windows_win.ini"),
        ("Casework 2025/26", "Casework 2025_26"),
        ("CON", "_CON"),
        ("con.xlsx", "_con.xlsx"),
        ("LPT9.pdf", "_LPT9.pdf"),
        ("Com1 .txt", "_Com1 .txt"),
        ("CONSOLE.pdf", "CONSOLE.pdf"),
        ("report. . .", "report"),
        ("...hidden", "hidden"),
        ("invoice\u202excod.pdf", "invoicexcod.pdf"),  # right-to-left override removed
        ("a\u2066b\u2069c\u200ed\u200fe", "abcde"),
        ("tab\there\x00\x1f", "tab here"),
        ('what? <b>"quotes"</b>|*:', "what_ _b__quotes___b____"),
        ("", "export"),
        (" ../ .. ", "export"),
    ],
)
def test_safe_filename(text: str, expected: str) -> None:
    assert safe_filename(text) == expected


def test_safe_filename_length_and_default() -> None:
    long = safe_filename("n" * 300 + ".xlsx")
    assert len(long) == 100 and long.endswith(".xlsx")
    assert len(safe_filename("word " * 100)) <= 100
    assert safe_filename("\u202e", default="members") == "members"


def test_exports_need_neither_qt_nor_the_export_libraries_to_import() -> None:
    code = (
        "import sys, branchdesk.exports, branchdesk.exports.text, branchdesk.exports.xlsx,"
        " branchdesk.exports.pdf;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('openpyxl', 'reportlab', 'PySide6') or m.startswith('branchdesk.members')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_produced_line_uses_english_month_names(tmp_path: Path) -> None:
    # Spelt out by the code, not strftime's %B, which follows the process locale.
    path = tmp_path / "when.xlsx"
    _write(path, [], produced=datetime(2026, 12, 15, 9, 5))
    assert load_workbook(path).active["A2"].value == "Produced 15 December 2026 09:05"
