"""Casework reports: the case list, one case's summary for a hearing, and the branch caseload.

Every file is confidential (cases are personal data) and is written atomically: a temporary file
beside the target, moved into place only when complete. In the PDFs every user string reaches
reportlab either through `pdf_text` (escaped Paragraph markup) or as a plain drawn string, so a
title like "<b>Smith & Sons</b>" prints as written and no user text becomes markup, a link or
an image. reportlab and openpyxl are imported inside the functions that use them.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from branchdesk.casework.codes import Stage
from branchdesk.casework.deadlines import add_months, describe_remaining
from branchdesk.casework.labels import (
    CASE_TYPES,
    COMPANIONS,
    ENTRY_KINDS,
    OUTCOMES,
    STAGES,
    label,
)
from branchdesk.casework.listing import CaseFilter, CaseListing
from branchdesk.casework.models import Case
from branchdesk.casework.queries import CaseDetail, MemberLine, caseload_counts, get_case
from branchdesk.exports.lists import export_list
from branchdesk.exports.report_parts import (
    check_suffix,
    dmy,
    facts_table,
    frame_width,
    grid_table,
    report_styles,
)
from branchdesk.exports.sheet_files import writes_sheets_beside
from branchdesk.exports.text import MONTH_ABBR, pdf_text
from branchdesk.members.models import Employer
from branchdesk.members.service import STATUSES
from branchdesk.progress import Progress
from branchdesk.store.database import Database
from branchdesk.store.listing import Column

AGE_BANDS = (
    "Under 1 month",
    "1–3 months",
    "3–6 months",
    "6–12 months",
    "Over 12 months",
)
OLDEST_COUNT = 10


# --------------------------------------------------------------------------------------------
# The case list


def describe_filter(case_filter: CaseFilter, search: str = "") -> str:
    """The filter in words, for the line under a report's title."""
    parts: list[str] = []
    if case_filter.status == "open":
        parts.append("open cases")
    elif case_filter.status == "closed":
        parts.append("closed cases")
    elif case_filter.status:
        parts.append(f"stage {label(STAGES, case_filter.status)}")
    if case_filter.case_type:
        parts.append(f"type {label(CASE_TYPES, case_filter.case_type)}")
    if case_filter.rep:
        parts.append(f"rep {case_filter.rep}")
    if case_filter.employer:
        parts.append(f"employer {case_filter.employer}")
    if search.strip():
        parts.append(f"matching “{search.strip()}”")
    if not parts:
        return "All cases"
    return "Cases: " + ", ".join(parts)


def export_cases(
    db: Database,
    out: str | os.PathLike[str],
    case_filter: CaseFilter,
    branch_name: str,
    search: str = "",
    *,
    progress: Progress | None = None,
) -> int:
    """Write the cases matching the filter and search to .xlsx or .pdf; returns the count."""
    path = Path(out)
    check_suffix(path, (".xlsx", ".pdf"))
    listing = CaseListing(db, case_filter)
    return export_list(
        path,
        listing,
        listing.ids(search),
        branch_name=branch_name,
        title="Case list",
        sheet_name="Cases",
        subtitle=describe_filter(case_filter, search),
        confidential=True,
        progress=progress,
    )


# --------------------------------------------------------------------------------------------
# Shared PDF pieces: a page with the standard header and footer, paragraphs, small tables


def _build_pdf(
    path: Path,
    *,
    branch_name: str,
    title: str,
    subtitle: str,
    story: list[Any],
    confidential: bool = True,
) -> None:
    """Lay out `story` on A4 pages carrying the shared header and footer and "Page x of y"."""
    from branchdesk.exports.pdf import PdfPages

    pages = PdfPages(
        branch_name=branch_name, title=title, subtitle=subtitle, confidential=confidential
    )
    pages.build(path, story)


# --------------------------------------------------------------------------------------------
# One case's summary


def _member_status(code: str) -> str:
    return dict(STATUSES).get(code, code)


def _member_pairs(member: MemberLine) -> list[tuple[str, str]]:
    return [
        ("Name", member.name),
        ("Membership no.", member.membership_number),
        ("Employer", member.employer),
        ("Workplace", member.workplace),
        ("Job title", member.job_title),
        ("Joined", dmy(member.date_joined)),
        ("Status", _member_status(member.status)),
        ("Subs up to date", "Yes" if member.subs_up_to_date else "No"),
    ]


def _case_pairs(case: CaseDetail) -> list[tuple[str, str]]:
    stage = label(STAGES, case.status)
    companion = label(COMPANIONS, case.companion) if case.companion else "None"
    if case.companion_name:
        companion = f"{companion}: {case.companion_name}"
    pairs = [
        ("Reference", case.reference),
        ("Type", label(CASE_TYPES, case.case_type)),
        ("Sub-type", case.sub_type),
        ("Title", case.title),
        ("Employer", case.employer),
        ("Rep", case.rep),
        ("Second rep", case.second_rep),
        ("Stage", f"{stage} since {dmy(case.status_changed_on)}"),
        ("Opened", dmy(case.opened_on)),
        ("Problem arose", dmy(case.problem_arose_on) or "Not recorded"),
        ("Companion", companion),
    ]
    if case.status == Stage.CLOSED.value:
        pairs += [
            ("Closed", dmy(case.closed_on)),
            ("Outcome", label(OUTCOMES, case.outcome) if case.outcome else ""),
            ("Remedy", case.remedy),
        ]
    pairs.append(("Eligibility", case.eligibility_note or "No concerns recorded"))
    return pairs


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def case_summary_story(
    case: CaseDetail, today: date, include_confidential: bool = False
) -> list[Any]:
    """The flowables of a case summary (for tests and for callers that add to it).

    Timeline entries marked confidential are left out (and counted) unless asked for: the
    summary is what gets handed over.
    """
    from reportlab.platypus import CondPageBreak, Paragraph, Spacer

    styles = report_styles()
    width = frame_width()
    story: list[Any] = []

    def heading(text: str) -> None:
        story.append(Paragraph(pdf_text(text), styles["h2"]))

    def none(text: str) -> None:
        story.append(Paragraph(pdf_text(text), styles["note"]))

    heading("Member")
    story.append(facts_table(_member_pairs(case.member), styles, width))
    if case.other_members:
        heading("Other members in this collective case")
        story.append(
            grid_table(
                ["Name", "Number", "Employer", "Workplace", "Job title", "Status", "Subs"],
                [
                    [
                        m.name,
                        m.membership_number,
                        m.employer,
                        m.workplace,
                        m.job_title,
                        _member_status(m.status),
                        "Yes" if m.subs_up_to_date else "No",
                    ]
                    for m in case.other_members
                ],
                [w * width for w in (0.18, 0.12, 0.2, 0.17, 0.15, 0.09, 0.09)],
                styles,
            )
        )

    heading("Case")
    story.append(facts_table(_case_pairs(case), styles, width))

    heading("Stage history")
    story.append(
        grid_table(
            ["Date", "From", "To", "By", "Note"],
            [
                [
                    dmy(s.changed_on),
                    label(STAGES, s.from_stage) if s.from_stage else "—",
                    label(STAGES, s.to_stage),
                    s.officer,
                    s.note,
                ]
                for s in case.stages
            ],
            [w * width for w in (0.12, 0.16, 0.16, 0.16, 0.40)],
            styles,
        )
    )

    entries = [e for e in case.timeline if include_confidential or not e.confidential]
    withheld = len(case.timeline) - len(entries)
    heading(f"Timeline ({len(entries)} entries)")
    if withheld:
        none(
            f"{withheld} confidential {'entry is' if withheld == 1 else 'entries are'} left "
            "out of this summary."
        )
    if not case.timeline:
        none("No timeline entries.")
    for entry in entries:
        # The heading line is built from escaped pieces; the body is its own Paragraph, which
        # reportlab splits across pages however long it is.
        parts = [dmy(entry.happened_on), label(ENTRY_KINDS, entry.kind)]
        if entry.title:
            parts.append(entry.title)
        head = " · ".join(pdf_text(p) for p in parts)
        if entry.confidential:
            head += ' <font color="#9B1C1C">[confidential]</font>'
        if entry.author:
            head += f' <font color="#5B6670" size="8">— {pdf_text(entry.author)}</font>'
        # Never an entry's heading alone at the foot of a page; keepWithNext would instead
        # move a long entry whole to the next page, leaving a gap.
        story.append(CondPageBreak(40))
        story.append(Paragraph(head, styles["entry_head"]))
        if entry.body:
            story.append(Paragraph(pdf_text(entry.body), styles["entry_body"]))

    heading("Deadlines")
    if not case.deadlines:
        none("No deadlines.")
    else:
        rows = []
        for line in case.deadlines:
            what = pdf_text(line.title)
            if line.working:
                what += '<br/><font size="7" color="#5B6670">' + pdf_text(line.working) + "</font>"
            if line.done_on:
                state = f"Done {dmy(line.done_on)}"
            else:
                state = describe_remaining(line.due_on, today).capitalize()
            rows.append(
                [Paragraph(what, styles["cell"]), dmy(line.due_on), state, line.rule or "By hand"]
            )
        story.append(
            grid_table(
                ["Deadline (and how it was worked out)", "Due", "Days remaining", "Rule"],
                rows,
                [w * width for w in (0.56, 0.12, 0.17, 0.15)],
                styles,
            )
        )

    if case.consents:
        heading("Consents")
        story.append(
            grid_table(
                ["Step", "Agreed", "Recorded", "Note"],
                [
                    [c.step, "Yes" if c.consented else "No", dmy(c.recorded_on), c.note]
                    for c in case.consents
                ],
                [w * width for w in (0.40, 0.10, 0.14, 0.36)],
                styles,
            )
        )

    heading("Documents")
    if not case.documents:
        none("No documents.")
    else:
        story.append(
            grid_table(
                ["Name", "Added", "Size", "SHA-256 (first 12)"],
                [
                    [doc.name, dmy(doc.added_on), _size(doc.size), doc.sha256[:12]]
                    for doc in case.documents
                ],
                [w * width for w in (0.52, 0.13, 0.15, 0.20)],
                styles,
                right=(2,),
            )
        )
    story.append(Spacer(1, 8))
    none(f"Days remaining are counted from {dmy(today)}.")
    return story


def export_case_summary(
    db: Database,
    case_id: int,
    out: str | os.PathLike[str],
    branch_name: str,
    today: date,
    include_confidential: bool = False,
) -> Path:
    """Write one case's summary PDF (for a hearing or a hand-over); KeyError if no such case.

    Confidential timeline entries are left out unless `include_confidential`."""
    path = Path(out)
    check_suffix(path, (".pdf",))
    case = get_case(db, case_id)
    title = f"Case summary — {case.reference}"
    subtitle = f"{label(CASE_TYPES, case.case_type)} · {case.member.name}"
    if case.title:
        subtitle += f" · {case.title}"
    _build_pdf(
        path,
        branch_name=branch_name,
        title=title,
        subtitle=subtitle,
        story=case_summary_story(case, today, include_confidential),
    )
    return path


# --------------------------------------------------------------------------------------------
# The branch caseload


@dataclass(frozen=True)
class OldCase:
    reference: str
    case_type: str
    employer: str
    rep: str
    stage: str
    opened_on: date
    age_days: int


@dataclass(frozen=True)
class Caseload:
    today: date
    by_type: list[tuple[str, int]]
    by_stage: list[tuple[str, int]]
    by_employer: list[tuple[str, int]]
    by_rep: list[tuple[str, int]]
    ages: list[tuple[str, int]]
    months: list[tuple[date, int, int]]  # first day of the month, opened, closed
    oldest: list[OldCase]

    @property
    def open_total(self) -> int:
        return sum(n for _, n in self.by_stage)


def _age_band(opened: date, today: date) -> int:
    for index, months in enumerate((1, 3, 6, 12)):
        if opened > add_months(today, -months):
            return index
    return len(AGE_BANDS) - 1


def _by_count(counts: dict[str, int], blank: str) -> list[tuple[str, int]]:
    rows = [(k or blank, n) for k, n in counts.items()]
    return sorted(rows, key=lambda r: (-r[1], r[0].casefold()))


def caseload(db: Database, today: date) -> Caseload:
    """The figures of the caseload report, read in a few short queries."""
    counts = caseload_counts(db)
    by_type = [
        (label(CASE_TYPES, code), counts["type"][code])
        for code in [*CASE_TYPES, *sorted(set(counts["type"]) - set(CASE_TYPES))]
        if counts["type"].get(code)
    ]
    by_stage = [
        (label(STAGES, code), counts["stage"][code])
        for code in [*STAGES, *sorted(set(counts["stage"]) - set(STAGES))]
        if counts["stage"].get(code)
    ]
    first_month = add_months(today.replace(day=1), -11)
    is_open = Case.status != Stage.CLOSED.value
    with db.read() as session:
        open_dates = list(session.scalars(select(Case.opened_on).where(is_open)))
        opened = list(session.scalars(select(Case.opened_on).where(Case.opened_on >= first_month)))
        closed = list(
            session.scalars(
                select(Case.closed_on).where(
                    Case.closed_on.is_not(None), Case.closed_on >= first_month
                )
            )
        )
        oldest_rows = session.execute(
            select(
                Case.reference,
                Case.case_type,
                func.coalesce(Employer.name, ""),
                Case.rep,
                Case.status,
                Case.opened_on,
            )
            .outerjoin(Employer, Case.employer_id == Employer.id)
            .where(is_open)
            .order_by(Case.opened_on, Case.id)
            .limit(OLDEST_COUNT)
        ).all()
    bands = Counter(_age_band(d, today) for d in open_dates)
    opened_by = Counter((d.year, d.month) for d in opened if d <= today)
    closed_by = Counter((d.year, d.month) for d in closed if d is not None and d <= today)
    months = []
    for i in range(12):
        start = add_months(first_month, i)
        key = (start.year, start.month)
        months.append((start, opened_by[key], closed_by[key]))
    oldest = [
        OldCase(
            reference,
            label(CASE_TYPES, case_type),
            employer,
            rep,
            label(STAGES, status),
            opened_on,
            (today - opened_on).days,
        )
        for reference, case_type, employer, rep, status, opened_on in oldest_rows
    ]
    return Caseload(
        today=today,
        by_type=by_type,
        by_stage=by_stage,
        by_employer=_by_count(counts["employer"], "(no employer)"),
        by_rep=_by_count(counts["rep"], "(no rep)"),
        ages=[(band, bands[i]) for i, band in enumerate(AGE_BANDS)],
        months=months,
        oldest=oldest,
    )


def _month_name(start: date) -> str:
    return f"{MONTH_ABBR[start.month - 1]} {start.year}"


_OLDEST_COLUMNS = (
    Column("reference", "Reference", "text", 12),
    Column("case_type", "Type", "text", 18),
    Column("employer", "Employer", "text", 26),
    Column("rep", "Rep", "text", 20),
    Column("stage", "Stage", "text", 16),
    Column("opened_on", "Opened", "date", 11),
    Column("age", "Age (days)", "int", 10),
)


def _caseload_tables(
    load: Caseload,
) -> list[tuple[str, str, Sequence[Column], list[tuple[Any, ...]]]]:
    """(sheet name, heading, columns, rows) for each table of the report."""

    def counted(name: str, header: str) -> tuple[Column, Column]:
        return Column(name, header, "text", 30), Column("count", "Open cases", "int", 12)

    return [
        ("By type", "Open cases by type", counted("type", "Type"), list(load.by_type)),
        ("By stage", "Open cases by stage", counted("stage", "Stage"), list(load.by_stage)),
        (
            "By employer",
            "Open cases by employer",
            counted("employer", "Employer"),
            list(load.by_employer),
        ),
        ("By rep", "Open cases by rep", counted("rep", "Rep"), list(load.by_rep)),
        ("Ages", "How long open cases have been open", counted("age", "Age"), list(load.ages)),
        (
            "Per month",
            "Cases opened and closed per month (last 12 months)",
            (
                Column("month", "Month", "text", 14),
                Column("month_start", "From", "date", 12),
                Column("opened", "Opened", "int", 10),
                Column("closed", "Closed", "int", 10),
            ),
            [(_month_name(m), m, o, c) for m, o, c in load.months],
        ),
        (
            "Oldest open",
            f"The {OLDEST_COUNT} oldest open cases",
            _OLDEST_COLUMNS,
            [
                (o.reference, o.case_type, o.employer, o.rep, o.stage, o.opened_on, o.age_days)
                for o in load.oldest
            ],
        ),
    ]


def _bar_chart(load: Caseload, width: float) -> Any:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.colors import HexColor

    from branchdesk.exports.pdf import FONT

    height = 190
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 38
    chart.width, chart.height = width - 40, height - 70
    chart.data = [[o for _, o, _ in load.months], [c for _, _, c in load.months]]
    chart.categoryAxis.categoryNames = [
        f"{MONTH_ABBR[m.month - 1]} {m.year % 100:02d}" for m, _, _ in load.months
    ]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.dy = -2
    top = max([1, *chart.data[0], *chart.data[1]])
    step = max(1, -(-top // 5))
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = step * (-(-top // step)) + step
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d"
    chart.bars[0].fillColor = HexColor("#3B6EA5")
    chart.bars[1].fillColor = HexColor("#E0913A")
    chart.bars.strokeColor = None
    chart.barSpacing = 1
    chart.groupSpacing = 6
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6.5
    chart.barLabels.nudge = 5
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 30, height - 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 70
    legend.fontName = FONT
    legend.fontSize = 8
    legend.colorNamePairs = [(HexColor("#3B6EA5"), "Opened"), (HexColor("#E0913A"), "Closed")]
    drawing.add(legend)
    return drawing


def _caseload_story(load: Caseload) -> list[Any]:
    from reportlab.platypus import Paragraph, Table

    from branchdesk.exports.pdf import _formatted

    styles = report_styles()
    width = frame_width()
    story: list[Any] = [
        Paragraph(pdf_text(f"{load.open_total:,} open cases on {dmy(load.today)}."), styles["body"])
    ]
    tables = _caseload_tables(load)

    def table(entry: tuple[str, str, Sequence[Column], list[tuple[Any, ...]]], w: float) -> Any:
        _, _, columns, rows = entry
        right = [i for i, c in enumerate(columns) if c.kind == "int"]
        cells = [[v if isinstance(v, int) else (_formatted(v) or v) for v in r] for r in rows]
        if not cells:
            cells = [["None", *([""] * (len(columns) - 1))]]
        widths = [w * (c.width or 12) / sum(c.width or 12 for c in columns) for c in columns]
        return grid_table([c.header for c in columns], cells, widths, styles, right=right)

    def heading(text: str) -> Any:
        return Paragraph(pdf_text(text), styles["h2"])

    by = {entry[0]: entry for entry in tables}
    half = (width - 12) / 2
    # Type and stage side by side: both short lists, so neither needs to split over a page.
    pair = Table(
        [
            [heading(by["By type"][1]), heading(by["By stage"][1])],
            [table(by["By type"], half), table(by["By stage"], half)],
        ],
        colWidths=[half + 12, half],
        hAlign="LEFT",
    )
    pair.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]
    )
    story.append(pair)
    story += [heading(by["Ages"][1]), table(by["Ages"], half)]
    story += [
        heading(by["Per month"][1]),
        _bar_chart(load, width),
        table(by["Per month"], width * 0.6),
    ]
    story += [heading(by["Oldest open"][1]), table(by["Oldest open"], width)]
    story += [heading(by["By employer"][1]), table(by["By employer"], width * 0.75)]
    story += [heading(by["By rep"][1]), table(by["By rep"], width * 0.6)]
    return story


def export_caseload(
    db: Database, out: str | os.PathLike[str], branch_name: str, today: date
) -> Caseload:
    """Write the branch caseload report to .pdf or .xlsx; returns the figures written."""
    path = Path(out)
    suffix = check_suffix(path, (".pdf", ".xlsx"))
    load = caseload(db, today)
    subtitle = f"Open cases on {dmy(today)}, and the last 12 months"
    if suffix == ".pdf":
        _build_pdf(
            path,
            branch_name=branch_name,
            title="Branch caseload",
            subtitle=subtitle,
            story=_caseload_story(load),
        )
    else:
        write_sheets(
            path,
            title=f"Branch caseload — {branch_name} — Confidential",
            sheets=[
                (name, heading, columns, rows)
                for name, heading, columns, rows in _caseload_tables(load)
            ],
            produced=datetime.now(),
        )
    return load


# --------------------------------------------------------------------------------------------
# A workbook of several sheets (write_xlsx writes one)


@writes_sheets_beside
def write_sheets(
    path: str | os.PathLike[str],
    *,
    title: str,
    sheets: Iterable[tuple[str, str, Sequence[Column], Iterable[Sequence[Any]]]],
    produced: datetime | None = None,
) -> int:
    """Write (sheet name, heading, columns, rows) tables, one per sheet, to a new .xlsx.

    Each sheet is laid out as `write_xlsx` lays out its one: title, "Produced …" and heading,
    a blank row, the header row, then typed cells (text never becomes a formula). Returns the
    number of data rows written. The file appears only when complete.
    """
    from openpyxl import Workbook

    from branchdesk.exports.text import produced_line, xlsx_text
    from branchdesk.exports.xlsx import (
        FIRST_DATA_ROW,
        HEADER_ROW,
        _discard_stream,
        _letter,
        _RowWriter,
        column_width,
        sheet_title,
    )
    from branchdesk.store.atomic import atomic_path

    workbook = Workbook(write_only=True)
    workbook.properties.creator = "BranchDesk"
    workbook.properties.title = xlsx_text(title)[:255]
    line = produced_line(produced or datetime.now())
    written = 0
    made: list[Any] = []
    used: set[str] = set()
    try:
        with atomic_path(path) as tmp:
            for name, heading, columns, rows in sheets:
                base = sheet_title(name)
                unique, n = base, 1
                while unique.casefold() in used:
                    n += 1
                    unique = f"{base[:27]} {n}"
                used.add(unique.casefold())
                sheet = workbook.create_sheet(unique)
                made.append(sheet)
                writer = _RowWriter(sheet, columns)
                for index, column in enumerate(columns, start=1):
                    sheet.column_dimensions[_letter(index)].width = column_width(column)
                sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
                sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
                sheet.append([writer.text_cell(title, writer.title_style)])
                sheet.append([writer.text_cell(f"{line} — {heading}", writer.produced_style)])
                sheet.append([])
                sheet.append([writer.text_cell(c.header, writer.header_style) for c in columns])
                count = 0
                for row in rows:
                    sheet.append(writer.data_row(row))
                    count += 1
                last = _letter(max(len(columns), 1))
                sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + count}"
                written += count
            if not made:
                workbook.create_sheet("Sheet1")
            workbook.save(tmp)
    except BaseException:
        for sheet in made:
            _discard_stream(sheet)
        raise
    return written
