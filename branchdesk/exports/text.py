"""Make user text safe for the places exports put it: spreadsheet cells, PDF paragraphs, file names.

Everything here is plain Python so that the GUI can build a file name without importing
openpyxl or reportlab.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from xml.sax.saxutils import escape

# The characters openpyxl refuses in a cell (its ILLEGAL_CHARACTERS_RE: C0 controls except tab,
# LF and CR). Copied rather than imported so this module does not pull in openpyxl;
# tests/test_exports_xlsx.py checks that the two agree.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Not XML characters at all: a lone surrogate cannot even be encoded as UTF-8, and U+FFFE/U+FFFF
# make the sheet XML unreadable. openpyxl does not check for them.
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_XML_NONCHARS = re.compile(r"[\ufffe\uffff]")
# Anything xlsx_text changes: the above, and CR (the range \x0b-\x1f includes \x0d).
_XLSX_CHANGED = re.compile(r"[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
# For PDF paragraphs: every control character except the line breaks we turn into <br/>.
_PDF_CONTROLS = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")

# Excel's limit on a cell, counted as Excel counts: in UTF-16 code units.
XLSX_CELL_LIMIT = 32_767
ELLIPSIS = "…"

FILENAME_LIMIT = 100
# Characters Windows forbids in names, plus both path separators.
_FILENAME_FORBIDDEN = re.compile(r'[<>:"|?*\\/]')
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"COM{n}" for n in "123456789¹²³"}
    | {f"LPT{n}" for n in "123456789¹²³"}
)
# Unicode categories dropped from file names: controls, format characters (which include the
# bidi embeddings, overrides and isolates U+202A–E, U+2066–9 and the marks U+200E/F, U+061C),
# surrogates and line/paragraph separators.
_FILENAME_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
MONTH_ABBR = tuple(name[:3] for name in _MONTHS)


def short_date(value: date | None) -> str:
    """'9 Jun 2026': spelt out here, so it reads the same whatever the PC's locale."""
    if value is None:
        return ""
    return f"{value.day} {MONTH_ABBR[value.month - 1]} {value.year}"


def local_time(when: datetime) -> datetime:
    """An aware datetime as local wall-clock time without a zone (naive ones are kept).

    Spreadsheets cannot hold time zones, and people read times as they are on the screen.
    """
    if when.tzinfo is None:
        return when
    return when.astimezone().replace(tzinfo=None)


def produced_line(when: datetime) -> str:
    """The line "Produced 05 March 2026 14:30", in English whatever the locale (%B is not)."""
    when = local_time(when)
    return f"Produced {when.day:02d} {_MONTHS[when.month - 1]} {when.year} {when:%H:%M}"


def xlsx_text(value: str) -> str:
    """Text as it can be stored in one spreadsheet cell.

    Removes the control characters openpyxl refuses (tab and line breaks stay), turns CR and CRLF
    into LF, and cuts text longer than Excel's 32,767-character cell limit, ending it with "…".
    """
    if len(value) <= XLSX_CELL_LIMIT // 2 and _XLSX_CHANGED.search(value) is None:
        return value  # nearly all text: nothing to remove, convert or cut
    text = _XLSX_ILLEGAL.sub("", value)
    text = _XML_NONCHARS.sub("", text)
    text = _SURROGATES.sub("\ufffd", text)
    # XML readers turn a raw CR into LF anyway (and openpyxl writes it raw), so a CR could never
    # reach Excel; converting here makes the stored value the one every reader gets back.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _truncate_utf16(text, XLSX_CELL_LIMIT)


def pdf_text(value: str) -> str:
    """User text as reportlab Paragraph markup that prints exactly as written.

    Paragraphs interpret markup (<b>, <img>, <a href>, entities), so &, < and > are escaped;
    line breaks become <br/> and other control characters become spaces.
    """
    text = _SURROGATES.sub("\ufffd", value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _PDF_CONTROLS.sub(" ", text)
    return escape(text).replace("\n", "<br/>")


def safe_filename(text: str, default: str = "export") -> str:
    """A file name (no folder) built from user text that is safe on Windows, macOS and Linux.

    Path separators and `..` cannot climb out of the chosen folder, control and right-to-left
    override characters cannot disguise the extension, and Windows device names (CON, LPT1.pdf)
    get a leading underscore. Returns `default` when nothing usable is left.
    """
    text = unicodedata.normalize("NFC", text)
    text = "".join(
        " " if unicodedata.category(ch) == "Zs" or ch in "\t\n\r" else ch
        for ch in text
        if ch in "\t\n\r" or unicodedata.category(ch) not in _FILENAME_DROPPED_CATEGORIES
    )
    # Split on separators and drop "", "." and ".." so "../../etc/passwd" becomes "etc_passwd".
    parts = [p.strip() for p in re.split(r"[\\/]", text)]
    parts = [p for p in parts if p.strip(". ")]
    text = "_".join(parts)
    text = _FILENAME_FORBIDDEN.sub("_", text)
    text = re.sub(r"\.{2,}", ".", text)
    text = re.sub(r" {2,}", " ", text)
    # Leading dots hide files on Unix; trailing dots and spaces are dropped by Windows.
    text = text.strip(" ").lstrip(".").rstrip(". ")
    text = _limit_length(text, FILENAME_LIMIT)
    if not text:
        text = default
    stem = text.split(".", 1)[0].rstrip(" ").upper()
    if stem in _WINDOWS_RESERVED:
        text = _limit_length(f"_{text}", FILENAME_LIMIT)
    return text


def _limit_length(name: str, limit: int) -> str:
    """Shorten a file name to `limit` characters, keeping a short extension such as ".xlsx"."""
    if len(name) <= limit:
        return name
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and 0 < len(suffix) <= 10 and " " not in suffix:
        kept = stem[: limit - len(suffix) - 1].rstrip(". ")
        return f"{kept}.{suffix}" if kept else name[:limit].rstrip(". ")
    return name[:limit].rstrip(". ")


def _truncate_utf16(text: str, limit: int) -> str:
    if len(text) <= limit // 2:  # even if every character were astral it would fit
        return text
    units = len(text.encode("utf-16-le")) // 2
    if units <= limit:
        return text
    # Keep the longest prefix that leaves one unit for the ellipsis.
    budget = limit - len(ELLIPSIS)
    cut = 0
    for index, ch in enumerate(text):
        budget -= 2 if ord(ch) > 0xFFFF else 1
        if budget < 0:
            cut = index
            break
    return text[:cut] + ELLIPSIS


def plural(n: int, one: str, many: str | None = None) -> str:
    """ "1 claim", "1,204 claims" ("entries" given where adding an s will not do)."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"
