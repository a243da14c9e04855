"""The building blocks of the member's PDF: its paragraph styles, and `_Story`, which builds
the flowables section by section with every user string escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from branchdesk.privacy.sar.facts import _show


def _styles() -> dict[str, Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.styles import ParagraphStyle

    from branchdesk.exports.pdf import BOLD, INK, MUTED
    from branchdesk.exports.report_parts import report_styles

    styles = report_styles()
    body = styles["body"]
    styles.update(
        {
            "cover_title": ParagraphStyle(
                "cover_title", parent=body, fontName=BOLD, fontSize=22, leading=27, spaceAfter=6
            ),
            "cover_sub": ParagraphStyle(
                "cover_sub",
                parent=body,
                fontSize=12,
                leading=16,
                textColor=HexColor(MUTED),
                spaceAfter=14,
            ),
            "h1": ParagraphStyle(
                "h1",
                parent=body,
                fontName=BOLD,
                fontSize=15,
                leading=19,
                spaceBefore=4,
                spaceAfter=6,
                textColor=HexColor(INK),
                keepWithNext=True,
            ),
            "text": ParagraphStyle("text", parent=body, fontSize=10, leading=13.5, spaceAfter=5),
            "bullet": ParagraphStyle(
                "bullet",
                parent=body,
                fontSize=10,
                leading=13.5,
                leftIndent=14,
                bulletIndent=3,
                spaceAfter=3,
            ),
            "h3": ParagraphStyle(
                "h3",
                parent=body,
                fontName=BOLD,
                fontSize=10,
                leading=13,
                spaceBefore=8,
                spaceAfter=3,
                keepWithNext=True,
            ),
        }
    )
    return styles


class _Story:
    """The PDF's flowables, built section by section; every user string is escaped."""

    def __init__(self) -> None:
        from branchdesk.exports.report_parts import frame_width

        self.styles = _styles()
        self.width = frame_width()
        self.items: list[Any] = []

    def para(self, text: str, style: str = "text") -> None:
        from branchdesk.exports.report_parts import text_paragraph

        self.items.append(text_paragraph(text, self.styles[style]))

    def markup(self, markup: str, style: str = "text") -> None:
        """A paragraph of markup built here from escaped pieces (see `pdf_text`)."""
        from reportlab.platypus import Paragraph

        self.items.append(Paragraph(markup, self.styles[style]))

    def bullets(self, lines: Iterable[str], numbered: bool = False) -> None:
        from reportlab.platypus import Paragraph

        from branchdesk.exports.text import pdf_text

        for number, line in enumerate(lines, start=1):
            mark = f"{number}." if numbered else "•"
            self.items.append(Paragraph(pdf_text(line), self.styles["bullet"], bulletText=mark))

    def facts(self, pairs: Sequence[tuple[str, Any]], blank: str | None = None) -> None:
        """Label and value, one pair a line (easier to read than two columns of pairs).

        Pairs with no value are left out, or show `blank` when it is given.
        """
        from reportlab.lib.colors import HexColor
        from reportlab.platypus import Table

        from branchdesk.exports.pdf import GRID
        from branchdesk.exports.report_parts import text_paragraph

        rows = []
        for key, value in pairs:
            text = _show(value)
            if not text.strip():
                if blank is None:
                    continue
                text = blank
            rows.append(
                [
                    text_paragraph(key, self.styles["cell_bold"]),
                    text_paragraph(text, self.styles["cell"]),
                ]
            )
        table = Table(
            rows, colWidths=[0.28 * self.width, 0.72 * self.width], splitInRow=1, hAlign="LEFT"
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
        self.items.append(table)

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        right: Sequence[int] = (),
        split_rows: bool = True,
    ) -> None:
        from branchdesk.exports.report_parts import grid_table

        cells = [[_show(v) for v in row] for row in rows]
        table = grid_table(header, cells, [w * self.width for w in widths], self.styles, right)
        if not split_rows:
            table.splitInRow = 0  # short rows: move a row whole rather than split it
        self.items.append(table)

    def space(self, height: float = 6) -> None:
        from reportlab.platypus import Spacer

        self.items.append(Spacer(1, height))

    def new_page(self) -> None:
        from reportlab.platypus import PageBreak

        self.items.append(PageBreak())

    def keep_room(self, height: float = 60) -> None:
        from reportlab.platypus import CondPageBreak

        self.items.append(CondPageBreak(height))
