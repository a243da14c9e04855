"""Claim reports: the negotiation pack (PDF or spreadsheet) and the list of claims.

The pack goes across the table to the employer, so it carries no "confidential" marking: what
members said appears only as anonymous survey figures and quotes, and the claim's own notes and
the meetings' private notes are left out.

Safety as in the casework reports: every user string reaches reportlab through `pdf_text`
(escaped Paragraph markup) or as a plain drawn string (chart labels), so a title like
"<b>Smith & Sons</b>" prints as written. In the spreadsheet user text is always a text cell,
even when it starts with "="; the only formulas are the ones written here, in the Costing sheet,
which work a demand's cost out from the input cells of its row exactly as `costing.py` does, so
changing a headcount in Excel changes the cost. reportlab and openpyxl are imported inside the
functions that use them.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from branchdesk.demands.codes import (
    CATEGORIES,
    CLAIM_STATUSES,
    DEMAND_STATUSES,
    EVIDENCE_KINDS,
    PRIORITIES,
)
from branchdesk.demands.costing import CostBreakdown, Costing
from branchdesk.demands.queries import (
    ClaimDetail,
    DemandDetail,
    claim_costs,
    claim_lines,
    get_claim,
)
from branchdesk.demands.service import costing_of, load_survey
from branchdesk.demands.survey import QuestionSummary, summarise
from branchdesk.exports.report_parts import (
    check_suffix,
    dmy,
    frame_width,
    grid_table,
    report_styles,
    text_paragraph,
)
from branchdesk.exports.text import _MONTHS, pdf_text
from branchdesk.exports.workbook import Formula
from branchdesk.money import ZERO, Money
from branchdesk.progress import Progress
from branchdesk.store.database import Database
from branchdesk.store.listing import Column

PACK_SUFFIXES = (".pdf", ".xlsx")
CLAIMS_SUFFIXES = (".xlsx",)
PERCENT_FORMAT = "0.0%"
NUMBER_FORMAT = "0.###"
BAR_BLUE = "#3B6EA5"

_CHANGE_WORDS = {
    "percent": "% rise",
    "flat": "£ a year each",
    "hours": "hours a week each",
    "days": "days a year each",
}
_BASIS_WORDS = {"unit_cost": "Cost of one person a year", "pay_bill": "Pay bill of all affected"}


def _label(codes: dict[str, str], code: str) -> str:
    return codes.get(code, code)


def _long_date(value: date) -> str:
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def _num(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _change_text(costing: Costing) -> str:
    change = _num(costing.change)
    if costing.change_kind == "percent":
        return f"{change}% on current pay"
    if costing.change_kind == "flat":
        return f"{Money.from_decimal(costing.change)} a year for each person"
    if costing.change_kind == "hours":
        return f"{change} paid hours a week for each person at {costing.hourly_rate} an hour"
    return (
        f"{change} paid days a year for each person ({_num(costing.hours_per_day)} hours "
        f"at {costing.hourly_rate} an hour)"
    )


def _summaries(db: Database, claim: ClaimDetail) -> dict[int, list[QuestionSummary]]:
    """Each survey the claim has or its evidence quotes, summarised once."""
    ids = [s.id for s in claim.surveys]
    for detail in claim.demands:
        ids += [e.survey_id for e in detail.evidence if e.survey_id is not None]
    out: dict[int, list[QuestionSummary]] = {}
    for survey_id in dict.fromkeys(ids):
        try:
            out[survey_id] = summarise(load_survey(db, survey_id))
        except KeyError:  # deleted since the claim was read
            continue
    return out


def _question(
    summaries: dict[int, list[QuestionSummary]], survey_id: int | None, position: int | None
) -> QuestionSummary | None:
    for summary in summaries.get(survey_id or -1, []):
        if summary.question.position == position:
            return summary
    return None


# --------------------------------------------------------------------------------------------
# The negotiation pack


def export_claim_pack(
    db: Database,
    claim_id: int,
    out: str | os.PathLike[str],
    branch_name: str,
    today: date,
    progress: Progress | None = None,
) -> Path:
    """Write a claim's negotiation pack to .pdf or .xlsx; KeyError if there is no such claim.

    The file appears only when complete (an error or `Cancelled` leaves no partial file)."""
    path = Path(out)
    suffix = check_suffix(path, PACK_SUFFIXES)
    claim = get_claim(db, claim_id)
    summaries = _summaries(db, claim)
    if suffix == ".pdf":
        _write_pack_pdf(path, claim, summaries, branch_name, today, progress)
    else:
        _write_pack_xlsx(path, claim, summaries, branch_name)
        if progress is not None:
            progress.update(1, 1)
    return path


@dataclass(frozen=True)
class _TocEntry:
    level: int
    markup: str  # escaped: TableOfContents reads entries as Paragraph markup


def _heading(text: str, style: Any, toc: bool = True) -> Any:
    """A heading Paragraph that, with `toc`, is listed in the contents with its page."""
    paragraph = text_paragraph(text, style)
    if toc:
        paragraph.toc_entry = _TocEntry(0, pdf_text(text))
    return paragraph


def _pack_styles() -> dict[str, Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.styles import ParagraphStyle

    from branchdesk.exports.pdf import BOLD, INK, MUTED

    styles = report_styles()
    body = styles["body"]
    styles.update(
        {
            "body": ParagraphStyle("pack_body", parent=body, fontSize=9.5, leading=13.5),
            "h1": ParagraphStyle(
                "h1",
                parent=body,
                fontName=BOLD,
                fontSize=16,
                leading=20,
                spaceAfter=4,
                keepWithNext=True,
                textColor=HexColor(INK),
            ),
            "meta": ParagraphStyle(
                "meta", parent=body, fontSize=9, textColor=HexColor(MUTED), spaceAfter=4
            ),
            "item_head": ParagraphStyle(
                "item_head", parent=body, fontName=BOLD, spaceBefore=7, keepWithNext=True
            ),
            "item_body": ParagraphStyle(
                "item_body", parent=body, leftIndent=10, splitLongWords=True, spaceBefore=1
            ),
            "step": ParagraphStyle(
                "step", parent=body, fontSize=8.5, leading=11, leftIndent=14, firstLineIndent=-10
            ),
            "cover_branch": ParagraphStyle(
                "cover_branch",
                parent=body,
                fontName=BOLD,
                fontSize=13,
                leading=17,
                textColor=HexColor(MUTED),
            ),
            "cover_kind": ParagraphStyle(
                "cover_kind",
                parent=body,
                fontName=BOLD,
                fontSize=30,
                leading=36,
                textColor=HexColor(BAR_BLUE),
                spaceBefore=10,
            ),
            "cover_title": ParagraphStyle(
                "cover_title",
                parent=body,
                fontName=BOLD,
                fontSize=20,
                leading=25,
                spaceBefore=14,
                spaceAfter=24,
            ),
            "cover_label": ParagraphStyle("cover_label", parent=body, fontName=BOLD),
            "toc0": ParagraphStyle(
                "toc0", parent=body, fontSize=10, leading=14, leftIndent=18, firstLineIndent=-18
            ),
        }
    )
    return styles


def pack_story(
    claim: ClaimDetail,
    summaries: dict[int, list[QuestionSummary]],
    branch_name: str,
    today: date,
    progress: Progress | None = None,
) -> list[Any]:
    """The flowables of the negotiation pack (for tests and for callers that add to it)."""
    from reportlab.platypus import NextPageTemplate, PageBreak, Spacer
    from reportlab.platypus.tableofcontents import TableOfContents

    styles = _pack_styles()
    width = frame_width()
    story: list[Any] = _cover(claim, branch_name, today, styles, width)
    story += [NextPageTemplate("body"), PageBreak()]

    story.append(_heading("Contents", styles["h1"], toc=False))
    contents = TableOfContents(dotsMinLevel=0)
    contents.levelStyles = [styles["toc0"]]
    story += [contents, PageBreak()]

    story.append(_heading("Summary of demands", styles["h1"]))
    story.append(_summary_table(claim, styles, width))
    story += [
        Spacer(1, 6),
        text_paragraph(f"Costs are for a year, worked out on {dmy(today)}.", styles["note"]),
    ]

    total = len(claim.demands)
    for number, detail in enumerate(claim.demands, start=1):
        if progress is not None:
            progress.update(number - 1, total + 1)
        story.append(PageBreak())
        story += _demand_section(number, detail, summaries, styles, width)

    story.append(PageBreak())
    story.append(_heading("Meetings", styles["h1"]))
    story += _meetings(claim, styles, width)
    if progress is not None:
        progress.update(total, total + 1)
    return story


def _cover(
    claim: ClaimDetail, branch_name: str, today: date, styles: dict[str, Any], width: float
) -> list[Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Spacer, Table

    from branchdesk.exports.pdf import GRID

    c = claim.claim
    story: list[Any] = [
        Spacer(1, 90),
        text_paragraph(branch_name, styles["cover_branch"]),
        text_paragraph("Negotiation pack", styles["cover_kind"]),
        text_paragraph(c.title, styles["cover_title"]),
    ]
    pairs = [
        ("Employer", claim.employer),
        ("Bargaining unit", c.bargaining_unit or "—"),
    ]
    if claim.workplace:
        pairs.append(("Workplace", claim.workplace))
    pairs += [
        ("Claim reference", c.reference),
        ("Submitted", _long_date(c.submitted_on) if c.submitted_on else "Draft"),
    ]
    if c.settle_by:
        pairs.append(("Settlement sought by", _long_date(c.settle_by)))
    pairs += [
        ("Lead reps", c.lead_reps or "—"),
        ("Demands", str(len(claim.demands))),
        ("Cost of the claim", f"{claim.total_cost} a year"),
    ]
    rows = [
        [text_paragraph(k, styles["cover_label"]), text_paragraph(v, styles["body"])]
        for k, v in pairs
    ]
    table = Table(rows, colWidths=[0.28 * width, 0.72 * width], hAlign="LEFT")
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, HexColor(GRID)),
            ("LINEABOVE", (0, 0), (-1, 0), 1.2, HexColor(BAR_BLUE)),
        ]
    )
    story.append(table)
    story += [Spacer(1, 18), text_paragraph(f"Prepared on {_long_date(today)}.", styles["note"])]
    return story


def _summary_table(claim: ClaimDetail, styles: dict[str, Any], width: float) -> Any:
    from reportlab.lib.colors import HexColor

    from branchdesk.exports.pdf import RULE

    rows: list[list[Any]] = [
        [
            str(n),
            d.demand.title,
            _label(CATEGORIES, d.demand.category),
            _label(PRIORITIES, d.demand.priority),
            _label(DEMAND_STATUSES, d.demand.status),
            str(d.cost.total) if d.cost else "Not costed",
        ]
        for n, d in enumerate(claim.demands, start=1)
    ]
    rows.append(
        [
            "",
            text_paragraph("Total a year", styles["cell_bold"]),
            "",
            "",
            "",
            text_paragraph(str(claim.total_cost), styles["cell_head_right"]),
        ]
    )
    table = grid_table(
        ["No.", "Demand", "Category", "Priority", "Status", "Annual cost"],
        rows,
        [w * width for w in (0.06, 0.38, 0.18, 0.1, 0.12, 0.16)],
        styles,
        right=(0, 5),
    )
    table.setStyle([("LINEABOVE", (0, -1), (-1, -1), 1, HexColor(RULE))])
    return table


def _demand_section(
    number: int,
    detail: DemandDetail,
    summaries: dict[int, list[QuestionSummary]],
    styles: dict[str, Any],
    width: float,
) -> list[Any]:
    from reportlab.platypus import CondPageBreak

    demand = detail.demand
    story: list[Any] = [_heading(f"{number}. {demand.title}", styles["h1"])]
    meta = " · ".join(
        [
            _label(CATEGORIES, demand.category),
            f"{_label(PRIORITIES, demand.priority)} priority",
            _label(DEMAND_STATUSES, demand.status),
        ]
    )
    story.append(text_paragraph(meta, styles["meta"]))

    story.append(text_paragraph("The case for it", styles["h2"]))
    story.append(text_paragraph(demand.case_for or "Not yet written.", styles["body"]))

    story.append(text_paragraph("Evidence", styles["h2"]))
    if not detail.evidence:
        story.append(text_paragraph("No evidence recorded.", styles["note"]))
    for item in detail.evidence:
        story.append(CondPageBreak(60))
        head = _label(EVIDENCE_KINDS, item.kind)
        if item.title:
            head += f": {item.title}"
        story.append(text_paragraph(head, styles["item_head"]))
        if item.detail:
            story.append(text_paragraph(item.detail, styles["item_body"]))
        if item.kind == "survey_result":
            summary = _question(summaries, item.survey_id, item.question)
            if summary is None:
                story.append(
                    text_paragraph("The survey this came from is no longer held.", styles["note"])
                )
            else:
                story += _survey_result(summary, styles, width)
        if item.source:
            story.append(text_paragraph(f"Source: {item.source}", styles["note"]))

    heading = text_paragraph("Costing", styles["h2"])
    costing = costing_of(demand)
    if detail.cost is None or costing is None:
        story += [heading, text_paragraph("Not costed.", styles["note"])]
    else:
        story += _costing(costing, detail.cost, styles, width, heading)

    story.append(text_paragraph("The employer's response", styles["h2"]))
    story.append(text_paragraph(demand.employer_response or "No response yet.", styles["body"]))

    story.append(text_paragraph("Status history", styles["h2"]))
    story.append(
        grid_table(
            ["Date", "From", "To", "Note"],
            [
                [
                    dmy(h.changed_on),
                    _label(DEMAND_STATUSES, h.from_status) if h.from_status else "—",
                    _label(DEMAND_STATUSES, h.to_status),
                    h.note,
                ]
                for h in detail.history
            ]
            or [["", "", "", "No changes recorded."]],
            [w * width for w in (0.14, 0.17, 0.17, 0.52)],
            styles,
        )
    )
    return story


def _costing(
    costing: Costing, cost: CostBreakdown, styles: dict[str, Any], width: float, heading: Any
) -> list[Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import KeepTogether, Table

    from branchdesk.exports.pdf import GRID, RULE, ZEBRA_FILL

    people = "1 person" if costing.headcount == 1 else f"{costing.headcount:,} people"
    pairs: list[tuple[str, str]] = [("Headcount", people)]
    if costing.change_kind == "percent":
        pairs.append((_BASIS_WORDS.get(costing.basis, costing.basis), str(costing.current)))
    pairs += [
        ("Change", _change_text(costing)),
        ("Change in pay", str(cost.direct)),
        (f"Employer pension ({_num(costing.pension_percent)}%)", str(cost.pension)),
        (f"Employer National Insurance ({_num(costing.ni_percent)}%)", str(cost.ni)),
    ]
    rows = [
        [text_paragraph(k, styles["cell"]), text_paragraph(v, styles["cell_right"])]
        for k, v in pairs
    ]
    rows.append(
        [
            text_paragraph("Total a year", styles["cell_bold"]),
            text_paragraph(str(cost.total), styles["cell_head_right"]),
        ]
    )
    table = Table(rows, colWidths=[0.42 * width, 0.28 * width], hAlign="LEFT")
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LINEBELOW", (0, 0), (-1, -2), 0.25, HexColor(GRID)),
            ("LINEABOVE", (0, -1), (-1, -1), 1, HexColor(RULE)),
            ("BACKGROUND", (0, -1), (-1, -1), HexColor(ZEBRA_FILL)),
        ]
    )
    block: list[Any] = [
        heading,
        table,
        text_paragraph("How it is worked out:", styles["item_head"]),
    ]
    block += [
        text_paragraph(f"{n}. {step}", styles["step"]) for n, step in enumerate(cost.steps, start=1)
    ]
    return [KeepTogether(block)]  # the heading, the table and its working on one page


def _survey_result(summary: QuestionSummary, styles: dict[str, Any], width: float) -> list[Any]:
    from reportlab.platypus import Table

    question = summary.question
    story: list[Any] = [
        text_paragraph(f"“{question.text}”", styles["item_body"]),
        text_paragraph(
            f"{summary.answered:,} of {summary.respondents:,} respondents answered"
            + (f"; the average answer was {summary.mean}." if summary.mean is not None else "."),
            styles["note"],
        ),
    ]
    if question.kind == "text" or not summary.counts:
        story += [
            text_paragraph(f"“{example}”", styles["item_body"]) for example in summary.examples
        ]
        return story
    chart_width = 0.6 * width
    figures = grid_table(
        ["Answer", "Count", "%"],
        [[c.answer, c.count, f"{c.percent}%"] for c in summary.counts],
        [w * (width - chart_width - 8) for w in (0.5, 0.25, 0.25)],
        styles,
        right=(1, 2),
    )
    pair = Table(
        [[_survey_chart(summary, chart_width), figures]],
        colWidths=[chart_width + 8, width - chart_width - 8],
        hAlign="LEFT",
    )
    pair.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
        ]
    )
    story.append(pair)
    return story


def _survey_chart(summary: QuestionSummary, width: float) -> Any:
    """A bar chart of the answers: horizontal bars for choices (their labels can be long),
    upright bars for a scale. Labels are drawn as plain strings, never parsed."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.colors import HexColor

    from branchdesk.exports.pdf import FONT, _fit, _plain

    counts = list(summary.counts)
    top = max([1, *(c.count for c in counts)])
    step = _nice_step(top)
    if summary.question.kind == "scale":
        height = 150.0
        drawing = Drawing(width, height)
        chart: Any = VerticalBarChart()
        chart.x, chart.y = 34, 24
        chart.width, chart.height = width - 44, height - 40
        chart.categoryAxis.categoryNames = [c.answer for c in counts]
        chart.data = [[c.count for c in counts]]
        chart.barLabels.nudge = 6
    else:
        counts.reverse()  # the chart draws its first bar at the bottom: most chosen on top
        label_width = 0.38 * width
        height = 30.0 + 20 * len(counts)
        drawing = Drawing(width, height)
        chart = HorizontalBarChart()
        chart.x, chart.y = label_width + 6, 20
        chart.width, chart.height = width - label_width - 40, height - 28
        chart.categoryAxis.categoryNames = [
            _fit(_plain(c.answer), FONT, 7.5, label_width - 4) for c in counts
        ]
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.data = [[c.count for c in counts]]
        chart.barLabels.nudge = 14
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = step * (-(-top // step))
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d"
    chart.bars[0].fillColor = HexColor(BAR_BLUE)
    chart.bars.strokeColor = None
    chart.barLabelFormat = "values"
    chart.barLabelArray = [[f"{c.percent}%" for c in counts]]
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6.5
    drawing.add(chart)
    return drawing


def _nice_step(top: int) -> int:
    """A step of 1, 2 or 5 × 10ⁿ giving at most 6 gridlines up to `top`."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if -(-top // step) <= 6:
                return step
        magnitude *= 10


def _meetings(claim: ClaimDetail, styles: dict[str, Any], width: float) -> list[Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import CondPageBreak, Table

    from branchdesk.exports.pdf import GRID

    if not claim.meetings:
        return [text_paragraph("No meetings yet.", styles["note"])]
    story: list[Any] = []
    for meeting in claim.meetings:
        story.append(CondPageBreak(90))
        story.append(text_paragraph(f"Meeting on {_long_date(meeting.held_on)}", styles["h2"]))
        pairs = [
            ("For the union", meeting.union_side),
            ("For the employer", meeting.employer_side),
            ("The union put forward", meeting.union_proposals),
            ("The employer put forward", meeting.employer_proposals),
            ("Actions", meeting.actions),
        ]
        rows = [
            [text_paragraph(k, styles["cell_bold"]), text_paragraph(v or "—", styles["cell"])]
            for k, v in pairs
        ]
        table = Table(rows, colWidths=[0.24 * width, 0.76 * width], splitInRow=1, hAlign="LEFT")
        table.setStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, HexColor(GRID)),
            ]
        )
        story.append(table)
    return story


@functools.cache
def _pack_doc_class() -> type:
    from reportlab.platypus import BaseDocTemplate

    class PackDoc(BaseDocTemplate):
        """Lists each heading that carries a `toc_entry` in the contents, with its page."""

        def afterFlowable(self, flowable: Any) -> None:
            entry = getattr(flowable, "toc_entry", None)
            if entry is not None:
                self.notify("TOCEntry", (entry.level, entry.markup, self.page))

    return PackDoc


def _write_pack_pdf(
    path: Path,
    claim: ClaimDetail,
    summaries: dict[int, list[QuestionSummary]],
    branch_name: str,
    today: date,
    progress: Progress | None,
) -> None:
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Frame, PageTemplate

    from branchdesk.exports.pdf import (
        FONT,
        FOOTER_BASELINE,
        FOOTER_RULE,
        GAP,
        MARGIN,
        MUTED,
        RULE,
        PdfPages,
        _numbered_canvas_class,
        _plain,
    )
    from branchdesk.exports.text import produced_line
    from branchdesk.store.atomic import atomic_path

    c = claim.claim
    subtitle = " · ".join(p for p in (claim.employer, c.bargaining_unit, c.reference) if p)
    pages = PdfPages(
        branch_name=branch_name,
        title=f"Negotiation pack — {c.title}",
        subtitle=subtitle,
        confidential=False,
    )
    produced = produced_line(datetime.now())
    page_width, page_height = pages.size

    def cover_footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setStrokeColor(HexColor(RULE))
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, MARGIN + FOOTER_RULE, page_width - MARGIN, MARGIN + FOOTER_RULE)
        canvas.setFillColor(HexColor(MUTED))
        canvas.setFont(FONT, 8)
        canvas.drawString(MARGIN, MARGIN + FOOTER_BASELINE, produced)
        canvas.restoreState()

    bottom = MARGIN + FOOTER_RULE + GAP
    cover = Frame(
        MARGIN,
        bottom,
        page_width - 2 * MARGIN,
        page_height - MARGIN - bottom,
        id="cover",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    story = pack_story(claim, summaries, branch_name, today, progress)
    with atomic_path(path) as tmp:
        doc = _pack_doc_class()(
            str(tmp),
            pagesize=pages.size,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=_plain(f"Negotiation pack — {c.title}"),
            author=_plain(branch_name),
            creator="BranchDesk",
            pageTemplates=[
                PageTemplate(id="cover", frames=[cover], onPage=cover_footer),
                PageTemplate(id="body", frames=[pages.frame], onPage=pages.decoration.draw),
            ],
        )
        # Two or three passes: the contents learn each heading's page number.
        doc.multiBuild(story, canvasmaker=_numbered_canvas_class())
    if progress is not None:
        progress.update(len(claim.demands) + 1, len(claim.demands) + 1)


# --------------------------------------------------------------------------------------------
# The pack as a spreadsheet


@dataclass(frozen=True)
class _Sheet:
    name: str
    heading: str
    columns: Sequence[Column]
    rows: list[Sequence[Any]]
    data_rows: int  # the rows the auto-filter covers (a total row below them is left out)
    formats: dict[int, str] | None = None  # column index -> number format for plain values


# The Costing sheet's columns; the formulas below refer to them by letter.
_COSTING_COLUMNS = (
    Column("number", "No.", "int", 6),  # A
    Column("title", "Demand", "text", 36),  # B
    Column("headcount", "Headcount", "int", 11),  # C
    Column("basis", "Current is", "text", 24),  # D
    Column("current", "Current (£)", "money", 14),  # E
    Column("kind", "Change is", "text", 18),  # F
    Column("change", "Change", "int", 10),  # G
    Column("hourly", "Hourly rate (£)", "money", 14),  # H
    Column("hours_day", "Hours a day", "int", 11),  # I
    Column("weeks", "Weeks a year", "int", 12),  # J
    Column("pension", "Pension %", "int", 10),  # K
    Column("ni", "NI %", "int", 8),  # L
    Column("direct", "Change in pay (£)", "money", 16),  # M
    Column("pension_cost", "Pension (£)", "money", 14),  # N
    Column("ni_cost", "NI (£)", "money", 14),  # O
    Column("total", "Total (£)", "money", 15),  # P
)


def direct_formula(costing: Costing, row: int) -> str:
    """The change in pay for a Costing sheet row, as costing.py works it, rounded to the penny."""
    r = row
    if costing.change_kind == "percent":
        if costing.basis == "pay_bill":
            return f"=ROUND(E{r}*G{r}/100,2)"
        return f"=ROUND(C{r}*E{r}*G{r}/100,2)"
    if costing.change_kind == "flat":
        return f"=ROUND(C{r}*G{r},2)"
    if costing.change_kind == "hours":
        return f"=ROUND(C{r}*G{r}*H{r}*J{r},2)"
    return f"=ROUND(C{r}*G{r}*I{r}*H{r},2)"


def _costing_sheet(claim: ClaimDetail) -> _Sheet:
    from branchdesk.exports.xlsx import FIRST_DATA_ROW

    rows: list[Sequence[Any]] = []
    for number, detail in enumerate(claim.demands, start=1):
        costing = costing_of(detail.demand)
        if costing is None:
            continue
        r = FIRST_DATA_ROW + len(rows)
        rows.append(
            [
                number,
                detail.demand.title,
                costing.headcount,
                _BASIS_WORDS.get(costing.basis, costing.basis),
                costing.current,
                _CHANGE_WORDS.get(costing.change_kind, costing.change_kind),
                costing.change,
                costing.hourly_rate,
                costing.hours_per_day,
                costing.weeks_per_year,
                costing.pension_percent,
                costing.ni_percent,
                Formula(direct_formula(costing, r)),
                Formula(f"=ROUND(M{r}*K{r}/100,2)"),
                Formula(f"=ROUND(M{r}*L{r}/100,2)"),
                Formula(f"=M{r}+N{r}+O{r}"),
            ]
        )
    count = len(rows)
    if count:
        first, last = FIRST_DATA_ROW, FIRST_DATA_ROW + count - 1
        total: list[Any] = ["", Formula("Total", "bold"), *([None] * 10)]
        total += [Formula(f"=SUM({col}{first}:{col}{last})", "money_bold") for col in "MNOP"]
        rows.append(total)
    return _Sheet(
        "Costing",
        "Costed demands: change the blue-headed inputs and the costs work out again",
        _COSTING_COLUMNS,
        rows,
        count,
        {
            6: NUMBER_FORMAT,
            8: NUMBER_FORMAT,
            9: NUMBER_FORMAT,
            10: NUMBER_FORMAT,
            11: NUMBER_FORMAT,
        },
    )


def _demands_sheet(claim: ClaimDetail) -> _Sheet:
    from branchdesk.exports.xlsx import FIRST_DATA_ROW

    columns = (
        Column("number", "No.", "int", 6),
        Column("title", "Demand", "text", 44),
        Column("category", "Category", "text", 28),
        Column("priority", "Priority", "text", 10),
        Column("status", "Status", "text", 14),
        Column("cost", "Annual cost", "money", 15),
    )
    rows: list[Sequence[Any]] = [
        [
            n,
            d.demand.title,
            _label(CATEGORIES, d.demand.category),
            _label(PRIORITIES, d.demand.priority),
            _label(DEMAND_STATUSES, d.demand.status),
            d.cost.total if d.cost else None,
        ]
        for n, d in enumerate(claim.demands, start=1)
    ]
    count = len(rows)
    if count:
        last = FIRST_DATA_ROW + count - 1
        rows.append(
            [
                "",
                Formula("Total", "bold"),
                None,
                None,
                None,
                Formula(f"=SUM(F{FIRST_DATA_ROW}:F{last})", "money_bold"),
            ]
        )
    return _Sheet("Demands", "The demands in priority order", columns, rows, count)


def _survey_sheet(claim: ClaimDetail, summaries: dict[int, list[QuestionSummary]]) -> _Sheet:
    columns = (
        Column("survey", "Survey", "text", 24),
        Column("number", "Q no.", "int", 7),
        Column("question", "Question", "text", 44),
        Column("kind", "Kind", "text", 8),
        Column("answer", "Answer", "text", 30),
        Column("count", "Count", "int", 9),
        Column("percent", "Percent", "int", 9),
        Column("mean", "Mean", "int", 8),
        Column("answered", "Answered", "int", 10),
        Column("respondents", "Respondents", "int", 12),
    )
    rows: list[Sequence[Any]] = []
    for survey in claim.surveys:
        for summary in summaries.get(survey.id, []):
            q = summary.question
            start = [survey.name, q.position, q.text, q.kind]
            end = [summary.answered, summary.respondents]
            if summary.counts:
                for c in summary.counts:
                    rows.append([*start, c.answer, c.count, c.percent / 100, summary.mean, *end])
            elif summary.examples:
                rows += [[*start, e, None, None, None, *end] for e in summary.examples]
            else:
                rows.append([*start, None, None, None, None, *end])
    heading = "What members said, question by question (percent of those who answered)"
    return _Sheet("Survey", heading, columns, rows, len(rows), {6: PERCENT_FORMAT})


def _write_pack_xlsx(
    path: Path,
    claim: ClaimDetail,
    summaries: dict[int, list[QuestionSummary]],
    branch_name: str,
) -> None:
    sheets = [_demands_sheet(claim), _costing_sheet(claim)]
    if claim.surveys:
        sheets.append(_survey_sheet(claim, summaries))
    c = claim.claim
    title = f"Negotiation pack — {c.reference} — {c.title} — {claim.employer} — {branch_name}"
    from branchdesk.exports.workbook import Sheet, write_workbook

    write_workbook(
        path,
        title,
        [
            Sheet(
                s.name,
                title,
                s.heading,
                s.columns,
                s.rows,
                filter_rows=s.data_rows,
                formats=s.formats,
                landscape=True,
            )
            for s in sheets
        ],
    )


# --------------------------------------------------------------------------------------------
# Every claim


_CLAIMS_COLUMNS = (
    Column("reference", "Reference", "text", 13),
    Column("title", "Title", "text", 40),
    Column("employer", "Employer", "text", 30),
    Column("status", "Status", "text", 15),
    Column("submitted_on", "Submitted", "date", 12),
    Column("settle_by", "Settle by", "date", 12),
    Column("demands", "Demands", "int", 10),
    Column("cost", "Annual cost", "money", 15),
)


def export_claims(db: Database, out: str | os.PathLike[str], branch_name: str) -> int:
    """Write every claim, newest first, with its demands and cost a year, to .xlsx; returns
    the number of claims."""
    from branchdesk.exports.xlsx import write_xlsx

    path = Path(out)
    check_suffix(path, CLAIMS_SUFFIXES)
    costs = claim_costs(db)
    lines = claim_lines(db)
    rows = [
        (
            line.reference,
            line.title,
            line.employer,
            _label(CLAIM_STATUSES, line.status),
            line.submitted_on,
            line.settle_by,
            line.demands,
            costs.get(line.id, ZERO),
        )
        for line in lines
    ]
    return write_xlsx(
        path,
        title=f"Claims — {branch_name}",
        columns=_CLAIMS_COLUMNS,
        rows=rows,
        sheet_name="Claims",
        total_rows=len(rows),
    )
