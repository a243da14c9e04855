"""Outsourcing watch reports: the watch list as a spreadsheet and a briefing PDF.

Contracts are public information, so neither file is marked as personal data. Every file is
written atomically (a temporary file moved into place only when complete). In the PDF every
user string reaches reportlab through `pdf_text` (escaped Paragraph markup) or as a plain
drawn string; in the workbook text is always a text cell, never a formula. reportlab and
openpyxl are imported inside the functions that use them.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from branchdesk.casework.deadlines import add_months
from branchdesk.exports.text import pdf_text
from branchdesk.members.models import Employer
from branchdesk.money import Money
from branchdesk.outsourcing.codes import STATUSES, WATCHED
from branchdesk.outsourcing.models import Contract, ContractSupplier
from branchdesk.outsourcing.queries import ContractLine, contract_lines, totals
from branchdesk.outsourcing.service import decision_point
from branchdesk.store.database import Database
from branchdesk.store.listing import Column

BRIEFING_MONTHS = 18
BARS_PER_CHART = 30
TOP_TOTALS = 25


def check_suffix(path: Path, allowed: Sequence[str]) -> None:
    if path.suffix.lower() not in allowed:
        raise ValueError(f"{path.name}: choose a file ending in {' or '.join(allowed)}")


def dmy(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


# --------------------------------------------------------------------------------------------
# The watch list as a spreadsheet


@dataclass(frozen=True)
class WatchRow:
    """One contract with everything the watch list shows."""

    id: int
    service: str
    title: str
    authority: str
    contractors: tuple[str, ...]
    status: str
    value: Money | None
    currency: str
    start_on: date | None
    end_on: date | None
    max_end_on: date | None
    break_on: date | None
    decision_on: date | None
    tupe_staff: int | None
    recognises_union: bool | None
    pay_notes: str
    ocid: str
    release_id: str
    award_id: str
    contract_id: str
    ocds_status: str
    source_url: str


# The branch's own columns, then the same facts under OCDS flattened field names (as
# flatten-tool and the OCDS Data Review Tool name them), then what only OCDS has.
WATCH_COLUMNS: tuple[Column, ...] = (
    Column("service", "Service", width=36),
    Column("authority", "Authority", width=28),
    Column("contractors", "Contractors", width=32),
    Column("status", "Status", width=22),
    Column("value", "Value (£)", "money"),
    Column("currency", "Currency", width=9),
    Column("start_on", "Start", "date"),
    Column("end_on", "End", "date"),
    Column("max_end_on", "End with extensions", "date"),
    Column("break_on", "Break", "date"),
    Column("decision_on", "Decision point", "date"),
    Column("tupe_staff", "TUPE staff", "int"),
    Column("recognises_union", "Recognises union", "bool", width=10),
    Column("pay_notes", "Pay notes", width=40),
    Column("ocid", "ocid", width=30),
    Column("release_id", "id", width=20),
    Column("title", "tender/title", width=36),
    Column("buyer", "buyer/name", width=28),
    Column("award_id", "awards/0/id", width=20),
    Column("suppliers", "awards/0/suppliers/0/name", width=32),
    Column("amount", "awards/0/value/amount", "money", width=16),
    Column("amount_currency", "awards/0/value/currency", width=10),
    Column("period_start", "awards/0/contractPeriod/startDate", "date"),
    Column("period_end", "awards/0/contractPeriod/endDate", "date"),
    Column("period_max", "awards/0/contractPeriod/maxExtentDate", "date"),
    Column("contract_id", "contracts/0/id", width=20),
    Column("ocds_status", "contracts/0/status", width=12),
    Column("source_url", "Source", width=40),
)


def watch_rows(db: Database, notice_months: int, authority: str = "") -> list[WatchRow]:
    """Every contract, soonest decision point first (those with no end date last)."""
    query = (
        select(
            Contract.id,
            Contract.service,
            Contract.title,
            func.coalesce(Employer.name, ""),
            Contract.status,
            Contract.value,
            Contract.currency,
            Contract.start_on,
            Contract.end_on,
            Contract.max_end_on,
            Contract.break_on,
            Contract.critical_on,
            Contract.tupe_staff,
            Contract.recognises_union,
            Contract.pay_notes,
            Contract.ocid,
            Contract.release_id,
            Contract.award_id,
            Contract.contract_id,
            Contract.ocds_status,
            Contract.source_url,
        )
        .outerjoin(Employer, Contract.authority_id == Employer.id)
        .order_by(Contract.critical_on.is_(None), Contract.critical_on, Contract.id)
    )
    if authority:
        query = query.where(Employer.name == authority)
    suppliers: dict[int, list[str]] = defaultdict(list)
    with db.read() as session:
        rows = session.execute(query).all()
        for contract_id, name in session.execute(
            select(ContractSupplier.contract_id, ContractSupplier.name).order_by(
                ContractSupplier.contract_id, ContractSupplier.position
            )
        ):
            suppliers[contract_id].append(name)
    return [
        WatchRow(
            id=r[0],
            service=r[1] or "",
            title=r[2] or "",
            authority=r[3],
            contractors=tuple(suppliers.get(r[0], ())),
            status=r[4],
            value=r[5],
            currency=r[6] or "GBP",
            start_on=r[7],
            end_on=r[8],
            max_end_on=r[9],
            break_on=r[10],
            decision_on=decision_point(r[11], notice_months),
            tupe_staff=r[12],
            recognises_union=r[13],
            pay_notes=r[14] or "",
            ocid=r[15] or "",
            release_id=r[16] or "",
            award_id=r[17] or "",
            contract_id=r[18] or "",
            ocds_status=r[19] or "",
            source_url=r[20] or "",
        )
        for r in rows
    ]


def _cells(row: WatchRow) -> list[Any]:
    gbp = row.currency == "GBP"
    amount: Any = row.value if gbp else (row.value.to_decimal() if row.value else None)
    published = bool(row.ocid)
    return [
        row.service or row.title,
        row.authority,
        "; ".join(row.contractors),
        STATUSES.get(row.status, row.status),
        amount,
        row.currency,
        row.start_on,
        row.end_on,
        row.max_end_on,
        row.break_on,
        row.decision_on,
        row.tupe_staff,
        row.recognises_union,
        row.pay_notes,
        row.ocid,
        row.release_id,
        row.title,
        row.authority if published else "",
        row.award_id,
        "; ".join(row.contractors) if published else "",
        amount if published else None,
        row.currency if published and row.value is not None else "",
        row.start_on if published else None,
        row.end_on if published else None,
        row.max_end_on if published else None,
        row.contract_id,
        row.ocds_status,
        row.source_url,
    ]


def export_contracts(
    db: Database,
    out: str | os.PathLike[str],
    branch_name: str,
    today: date,
    notice_months: int,
) -> int:
    """Write the watch list to a new .xlsx; returns the number of contracts written.

    The OCDS-named columns are filled only for contracts that came from published data.
    """
    from branchdesk.exports.xlsx import write_xlsx

    path = Path(out)
    check_suffix(path, (".xlsx",))
    rows = watch_rows(db, notice_months)
    return write_xlsx(
        path,
        title=f"Outsourcing watch list — {branch_name}",
        columns=WATCH_COLUMNS,
        rows=(_cells(r) for r in rows),
        sheet_name="Contracts",
        produced=datetime.now(),
        subtitle=(
            f"{len(rows):,} contracts on {dmy(today)}; decision point {notice_months} months "
            "before the earliest end or break date"
        ),
        total_rows=len(rows),
    )


# --------------------------------------------------------------------------------------------
# The briefing PDF


@dataclass(frozen=True)
class Briefing:
    """The figures a briefing prints."""

    today: date
    notice_months: int
    authority: str
    upcoming: list[ContractLine]  # decision point in the next BRIEFING_MONTHS months
    overdue: list[ContractLine]  # decision point passed, contract not yet ended
    watched: list[ContractLine]  # every contract still outside the council
    totals: dict[str, dict[str, tuple[int, Money]]]

    @property
    def staff(self) -> dict[str, tuple[int, int, int]]:
        """By authority: (contracts, TUPE staff known, contracts with the number unknown)."""
        out: dict[str, tuple[int, int, int]] = {}
        for line in self.watched:
            name = line.authority or "(no authority named)"
            count, staff, unknown = out.get(name, (0, 0, 0))
            out[name] = (
                count + 1,
                staff + (line.tupe_staff or 0),
                unknown + (line.tupe_staff is None),
            )
        return out


def briefing(db: Database, today: date, notice_months: int, authority: str = "") -> Briefing:
    lines = contract_lines(db, today, notice_months, authority=authority)
    watched = [line for line in lines if line.status in WATCHED]
    horizon = add_months(today, BRIEFING_MONTHS)
    upcoming, overdue = [], []
    for line in watched:
        if line.decision_on is None or line.critical_on is None or line.critical_on < today:
            continue
        if line.decision_on < today:
            overdue.append(line)
        elif line.decision_on <= horizon:
            upcoming.append(line)
    return Briefing(
        today=today,
        notice_months=notice_months,
        authority=authority,
        upcoming=upcoming,
        overdue=overdue,
        watched=watched,
        totals=totals(watched),
    )


def _value(line: ContractLine) -> str:
    if line.value is None:
        return ""
    if line.currency == "GBP":
        return line.value.format()
    return f"{line.currency} {line.value.format(symbol=False)}"


def _contract_table(lines: Sequence[ContractLine], styles: dict[str, Any], width: float) -> Any:
    from branchdesk.exports.report_parts import grid_table

    header = ["Decision", "Service", "Authority", "Contractor(s)", "Ends", "Value", "TUPE"]
    shares = [9, 26, 17, 20, 9, 12, 6]
    widths = [width * s / sum(shares) for s in shares]
    rows = [
        [
            dmy(line.decision_on),
            line.service or line.title,
            line.authority,
            "; ".join(line.contractors),
            dmy(line.critical_on),
            _value(line),
            "" if line.tupe_staff is None else f"{line.tupe_staff:,}",
        ]
        for line in lines
    ]
    return grid_table(header, rows, widths, styles, right=(5, 6))


def _year_ticks(first: date, last: date) -> list[date]:
    span = last.year - first.year
    step = 1 if span <= 12 else 2 if span <= 24 else 5
    year = first.year + 1
    year += (-year) % step
    return [date(y, 1, 1) for y in range(year, last.year + 1, step)]


def _timeline(lines: Sequence[ContractLine], today: date, width: float) -> Any:
    """Horizontal bars from start to end (extension lighter), decision point and today marked."""
    from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
    from reportlab.lib.colors import HexColor
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from branchdesk.exports.pdf import FONT, GRID, INK, MUTED, _fit, _plain

    bar_h, row_h = 7.0, 12.0
    label_w = min(170.0, width * 0.34)
    left, right = label_w + 6, width - 6
    top_pad, bottom_pad, legend_h = 6.0, 18.0, 20.0
    height = legend_h + top_pad + row_h * len(lines) + bottom_pad
    drawing = Drawing(width, height)

    dates = [today]
    for line in lines:
        dates += [d for d in (line.start_on, line.end_on, line.max_end_on, line.decision_on) if d]
    first = min(dates)
    last = max(dates)
    first = date(first.year, 1, 1)
    last = date(last.year + 1, 1, 1)
    span = (last - first).days or 1

    def x(day: date) -> float:
        return left + (right - left) * (day - first).days / span

    main, extension, marker = HexColor("#3B6EA5"), HexColor("#A9C3E0"), HexColor("#B3261E")
    axis_y = bottom_pad
    chart_top = axis_y + row_h * len(lines) + top_pad
    for tick in _year_ticks(first, last):
        tx = x(tick)
        drawing.add(Line(tx, axis_y, tx, chart_top, strokeColor=HexColor(GRID), strokeWidth=0.25))
        drawing.add(
            String(
                tx,
                axis_y - 9,
                str(tick.year),
                fontName=FONT,
                fontSize=6.5,
                fillColor=HexColor(MUTED),
                textAnchor="middle",
            )
        )
    drawing.add(Line(left, axis_y, right, axis_y, strokeColor=HexColor(MUTED), strokeWidth=0.5))
    for index, line in enumerate(lines):
        y = chart_top - top_pad - row_h * (index + 1) + (row_h - bar_h) / 2
        label = _fit(_plain(line.service or line.title or "(unnamed)"), FONT, 7, label_w)
        drawing.add(String(0, y + 1.5, label, fontName=FONT, fontSize=7, fillColor=HexColor(INK)))
        end = line.end_on or line.critical_on
        start = line.start_on or first
        if end is not None and end >= start:
            drawing.add(
                Rect(
                    x(start), y, max(x(end) - x(start), 1), bar_h, fillColor=main, strokeColor=None
                )
            )
            if line.max_end_on and line.max_end_on > end:
                drawing.add(
                    Rect(
                        x(end),
                        y,
                        x(line.max_end_on) - x(end),
                        bar_h,
                        fillColor=extension,
                        strokeColor=None,
                    )
                )
        if line.decision_on is not None:
            dx, mid = x(line.decision_on), y + bar_h / 2
            drawing.add(
                Polygon(
                    [dx, mid + 4.5, dx + 3.5, mid, dx, mid - 4.5, dx - 3.5, mid],
                    fillColor=marker,
                    strokeColor=HexColor("#FFFFFF"),
                    strokeWidth=0.5,
                )
            )
    tx = x(today)
    drawing.add(
        Line(
            tx,
            axis_y,
            tx,
            chart_top,
            strokeColor=HexColor(INK),
            strokeWidth=0.9,
            strokeDashArray=[2, 2],
        )
    )
    drawing.add(
        String(
            tx,
            chart_top + 1,
            "today",
            fontName=FONT,
            fontSize=6.5,
            fillColor=HexColor(INK),
            textAnchor="middle",
        )
    )
    # Legend along the top.
    lx, ly = left, height - 8
    for fill, text in ((main, "Contract term"), (extension, "Possible extensions")):
        drawing.add(Rect(lx, ly, 14, 6, fillColor=fill, strokeColor=None))
        drawing.add(
            String(lx + 18, ly + 0.5, text, fontName=FONT, fontSize=7, fillColor=HexColor(INK))
        )
        lx += 22 + stringWidth(text, FONT, 7) + 12
    drawing.add(
        Polygon(
            [lx + 4, ly + 7, lx + 7.5, ly + 3, lx + 4, ly - 1, lx + 0.5, ly + 3],
            fillColor=marker,
            strokeColor=None,
        )
    )
    drawing.add(
        String(
            lx + 11, ly + 0.5, "Decision point", fontName=FONT, fontSize=7, fillColor=HexColor(INK)
        )
    )
    return drawing


def _totals_table(
    entries: dict[str, tuple[int, Money]], heading: str, styles: dict[str, Any], width: float
) -> Any:
    from branchdesk.exports.report_parts import grid_table

    ranked = sorted(entries.items(), key=lambda kv: (-kv[1][1].pence, -kv[1][0], kv[0]))
    rows: list[list[Any]] = [
        [name, f"{count:,}", total.format()] for name, (count, total) in ranked[:TOP_TOTALS]
    ]
    rest = ranked[TOP_TOTALS:]
    if rest:
        rows.append(
            [
                f"{len(rest):,} others",
                f"{sum(c for _, (c, _) in rest):,}",
                sum((t for _, (_, t) in rest), Money(0)).format(),
            ]
        )
    if not rows:
        rows = [["None", "", ""]]
    return grid_table(
        [heading, "Contracts", "Value"],
        rows,
        [width * 0.6, width * 0.15, width * 0.25],
        styles,
        right=(1, 2),
    )


def _briefing_story(brief: Briefing) -> list[Any]:
    from reportlab.platypus import CondPageBreak, Paragraph, Spacer

    from branchdesk.exports.report_parts import frame_width, grid_table, report_styles

    styles = report_styles()
    width = frame_width()

    def para(text: str, style: str = "body") -> Any:
        return Paragraph(pdf_text(text), styles[style])

    staff_soon = sum(line.tupe_staff or 0 for line in brief.upcoming + brief.overdue)
    story: list[Any] = [
        para(
            f"{len(brief.watched):,} contracts are outside the council on {dmy(brief.today)}. "
            f"{len(brief.upcoming):,} reach their decision point in the next "
            f"{BRIEFING_MONTHS} months and {len(brief.overdue):,} have passed it without the "
            f"contract ending: {staff_soon:,} staff transferred under TUPE work on them."
        ),
        Spacer(1, 3),
        para(
            f"The decision point is {brief.notice_months} months before the earliest end or "
            "break date: the last date to decide whether to re-tender or bring the service "
            "back in-house.",
            "note",
        ),
        para(f"Decisions due in the next {BRIEFING_MONTHS} months", "h2"),
    ]
    if brief.upcoming:
        story.append(_contract_table(brief.upcoming, styles, width))
    else:
        story.append(para("None."))
    story.append(para("Decisions overdue (the contract has not yet ended)", "h2"))
    if brief.overdue:
        story.append(_contract_table(brief.overdue, styles, width))
    else:
        story.append(para("None."))

    charted = brief.upcoming + brief.overdue
    if charted:
        chunks = [charted[i : i + BARS_PER_CHART] for i in range(0, len(charted), BARS_PER_CHART)]
        for n, chunk in enumerate(chunks, start=1):
            part = f" ({n} of {len(chunks)})" if len(chunks) > 1 else ""
            drawing = _timeline(chunk, brief.today, width)
            story += [
                CondPageBreak(drawing.height + 40),
                para(f"Timeline{part}", "h2"),
                drawing,
            ]

    half = (width - 12) / 2
    story += [
        para("Totals by contractor", "h2"),
        para(
            "A framework or contract shared by several contractors counts its whole value "
            "against each of them (published data gives one value for the lot), so these "
            "figures add up to more than the total. Values in other currencies are left out.",
            "note",
        ),
        Spacer(1, 3),
        _totals_table(brief.totals["contractor"], "Contractor", styles, width * 0.8),
        para("Totals by authority", "h2"),
        _totals_table(brief.totals["authority"], "Authority", styles, width * 0.8),
        para("Staff affected", "h2"),
    ]
    staff = sorted(brief.staff.items(), key=lambda kv: (-kv[1][1], kv[0]))
    rows: list[list[Any]] = [
        [name, f"{count:,}", f"{known:,}", f"{unknown:,}"]
        for name, (count, known, unknown) in staff
    ]
    rows.append(
        [
            "All authorities",
            f"{sum(c for c, _, _ in brief.staff.values()):,}",
            f"{sum(k for _, k, _ in brief.staff.values()):,}",
            f"{sum(u for _, _, u in brief.staff.values()):,}",
        ]
    )
    story.append(
        grid_table(
            ["Authority", "Contracts", "TUPE staff", "Staff number not known"],
            rows,
            [width * 0.46, half * 0.3, half * 0.3, half * 0.4],
            styles,
            right=(1, 2, 3),
        )
    )
    return story


def export_briefing(
    db: Database,
    out: str | os.PathLike[str],
    branch_name: str,
    today: date,
    notice_months: int,
    authority: str = "",
) -> Path:
    """Write the outsourcing briefing for a branch committee or a councillor to a new .pdf."""
    from branchdesk.exports.pdf import PdfPages

    path = Path(out)
    check_suffix(path, (".pdf",))
    brief = briefing(db, today, notice_months, authority)
    if authority and not brief.watched and not watch_rows(db, notice_months, authority):
        raise ValueError(f"no contracts with the authority {authority!r}")
    where = f" — {authority}" if authority else ""
    pages = PdfPages(
        branch_name=branch_name,
        title=f"Outsourcing briefing{where}",
        subtitle=f"Contracts on {dmy(today)}: decisions due, timeline, totals and staff affected",
        confidential=False,
    )
    pages.build(path, _briefing_story(brief))
    return path


__all__ = [
    "BRIEFING_MONTHS",
    "WATCH_COLUMNS",
    "Briefing",
    "WatchRow",
    "briefing",
    "export_briefing",
    "export_contracts",
    "watch_rows",
]
