"""Pieces every register's PDF reports are built from: paragraphs of escaped text, the shared
paragraph styles, a table with a repeating header, label-and-value facts, and the checks on an
export's file name. reportlab is imported only when a report is made."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from branchdesk.exports.text import pdf_text


def check_suffix(path: Path, allowed: Sequence[str]) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        choices = " or ".join(allowed)
        raise ValueError(f"{path.name}: choose a file ending in {choices}")
    return suffix


def report_styles() -> dict[str, Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.styles import ParagraphStyle

    from branchdesk.exports.pdf import BOLD, FONT, INK, MUTED

    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, textColor=HexColor(INK))
    return {
        "body": body,
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=BOLD,
            fontSize=11.5,
            leading=15,
            spaceBefore=10,
            spaceAfter=4,
            keepWithNext=True,
        ),
        "entry_head": ParagraphStyle("entry_head", parent=body, fontName=BOLD, spaceBefore=6),
        "entry_body": ParagraphStyle(
            "entry_body", parent=body, leftIndent=10, splitLongWords=True, spaceBefore=1
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10, splitLongWords=True),
        "cell_bold": ParagraphStyle(
            "cell_bold", parent=body, fontName=BOLD, fontSize=8, leading=10
        ),
        "cell_right": ParagraphStyle(
            "cell_right", parent=body, fontSize=8, leading=10, alignment=2
        ),
        "cell_head_right": ParagraphStyle(
            "cell_head_right", parent=body, fontName=BOLD, fontSize=8, leading=10, alignment=2
        ),
        "note": ParagraphStyle("note", parent=body, fontSize=8.5, textColor=HexColor(MUTED)),
    }


def text_paragraph(text: str, style: Any) -> Any:
    """A Paragraph of user (or any) text, escaped so it prints exactly as written."""
    from reportlab.platypus import Paragraph

    return Paragraph(pdf_text(text), style)


def dmy(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def frame_width() -> float:
    from reportlab.lib.pagesizes import A4

    from branchdesk.exports.pdf import MARGIN

    return A4[0] - 2 * MARGIN


def grid_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    styles: dict[str, Any],
    right: Sequence[int] = (),
) -> Any:
    """A table with a shaded header row that repeats on each page; long cells wrap and split.

    Cells may be str (user text: escaped into a Paragraph) or an already built flowable.
    """
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Table

    from branchdesk.exports.pdf import GRID, HEADER_FILL, RULE, ZEBRA_FILL

    def cell(value: Any, index: int) -> Any:
        if isinstance(value, str):
            return text_paragraph(value, styles["cell_right"] if index in right else styles["cell"])
        if isinstance(value, int):
            return text_paragraph(f"{value:,}", styles["cell_right"])
        return value

    heads = [styles["cell_head_right" if i in right else "cell_bold"] for i in range(len(header))]
    data = [[text_paragraph(h, style) for h, style in zip(header, heads, strict=True)]]
    data += [[cell(v, i) for i, v in enumerate(row)] for row in rows]
    table = Table(data, colWidths=list(widths), repeatRows=1, splitInRow=1, hAlign="LEFT")
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("GRID", (0, 0), (-1, -1), 0.25, HexColor(GRID)),
            ("BACKGROUND", (0, 0), (-1, 0), HexColor(HEADER_FILL)),
            ("LINEBELOW", (0, 0), (-1, 0), 0.75, HexColor(RULE)),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [HexColor("#FFFFFF"), HexColor(ZEBRA_FILL)]),
        ]
    )
    return table


def facts_table(pairs: Sequence[tuple[str, str]], styles: dict[str, Any], width: float) -> Any:
    """Label and value pairs in two columns of pairs (four table columns)."""
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Table

    from branchdesk.exports.pdf import GRID

    label_width = 0.16 * width
    value_width = width / 2 - label_width
    cells = [
        (text_paragraph(k, styles["cell_bold"]), text_paragraph(v, styles["cell"]))
        for k, v in pairs
    ]
    rows = []
    for start in range(0, len(cells), 2):
        left = cells[start]
        right = cells[start + 1] if start + 1 < len(cells) else ("", "")
        rows.append([*left, *right])
    table = Table(
        rows,
        colWidths=[label_width, value_width, label_width, value_width],
        splitInRow=1,
        hAlign="LEFT",
    )
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, HexColor(GRID)),
        ]
    )
    return table
