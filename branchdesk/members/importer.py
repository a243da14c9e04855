"""Importing members from CSV: check the whole file, then write every row or none.

`check_members_csv` reads and checks the file without touching the database and returns a plan
listing every problem by line and column. `apply_plan` writes a clean plan in one transaction
with Core statements (ORM objects one by one are many times slower), matching existing members
by membership number so that importing the same file twice updates instead of duplicating.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import aliased

from branchdesk.members.csvformat import (
    HEADERS,
    cell_in,
    header_key,
    iter_rows,
    parse_bool,
    parse_date,
)
from branchdesk.members.models import Employer, Member, Workplace
from branchdesk.members.service import MemberForm, validate
from branchdesk.progress import Progress
from branchdesk.store import audit
from branchdesk.store.database import Database
from branchdesk.store.types import utcnow

MAX_FILE_BYTES = 200 * 1024 * 1024
_CHUNK = 1000
_MEMBER_FIELDS = (
    "membership_number",
    "first_name",
    "last_name",
    "department",
    "job_title",
    "work_email",
    "work_phone",
    "personal_email",
    "personal_phone",
    "home_address",
    "date_joined",
    "status",
    "subs_up_to_date",
    "notes",
)


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return (
            f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


@dataclass
class ImportRow:
    line: int
    values: dict[str, Any]  # only the fields the file has columns for


@dataclass
class ImportPlan:
    file: Path
    fields: list[str] = field(default_factory=list)
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class ImportPreview:
    """What a clean plan would do, counted before anything is written."""

    plan: ImportPlan
    new: int = 0
    changed: int = 0
    unchanged: int = 0


class ImportRefused(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, plan: ImportPlan) -> None:
        self.plan = plan
        shown = "\n".join(f"  {p}" for p in plan.problems[:50])
        more = len(plan.problems) - 50
        tail = f"\n  … and {more} more" if more > 0 else ""
        super().__init__(
            f"{plan.file}: {len(plan.problems)} problem(s), nothing was imported:\n{shown}{tail}"
        )


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise ValueError("this is not a text file (it looks like a spreadsheet or other binary)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV" on a UK Windows PC is Windows-1252.
        return data.decode("cp1252", errors="replace")


def check_members_csv(path: str | os.PathLike[str]) -> ImportPlan:
    """Read and check a member CSV; nothing is written."""
    import io

    path = Path(path)
    plan = ImportPlan(file=path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            plan.problems.append(Problem(0, "", "the file is larger than 200 MB"))
            return plan
        text = _read_text(path)
    except FileNotFoundError:
        plan.problems.append(Problem(0, "", "no such file"))
        return plan
    except (OSError, ValueError) as exc:
        plan.problems.append(Problem(0, "", str(exc)))
        return plan

    rows = iter_rows(io.StringIO(text, newline=""))
    try:
        header_line, header = next(rows)
    except StopIteration:
        plan.problems.append(Problem(0, "", "the file is empty"))
        return plan
    except csv.Error as exc:
        plan.problems.append(Problem(1, "", f"not a readable CSV file ({exc})"))
        return plan

    columns: list[str | None] = []
    for name in header:
        key = header_key(name)
        if key is None and name.strip():
            plan.warnings.append(f"column '{name.strip()}' is not a member field and is ignored")
        if key is not None and key in columns:
            plan.problems.append(Problem(header_line, name, "this column appears twice"))
        columns.append(key)
    plan.fields = [c for c in columns if c]
    for required in ("membership_number", "last_name", "first_name"):
        if required not in columns:
            plan.problems.append(
                Problem(header_line, HEADERS[required], "the file has no column for this field")
            )
    if plan.problems:
        return plan

    seen: dict[str, int] = {}
    try:
        for line, raw in rows:
            if not any(cell.strip() for cell in raw):
                continue
            if len(raw) > len(columns):
                extra = raw[len(columns) :]
                if any(cell.strip() for cell in extra):
                    plan.problems.append(
                        Problem(line, "", f"{len(raw)} cells but the header has {len(columns)}")
                    )
                    continue
            row = _check_row(line, columns, raw, plan)
            if row is None:
                continue
            number = row.values["membership_number"]
            if number in seen:
                plan.problems.append(
                    Problem(
                        line,
                        HEADERS["membership_number"],
                        f"membership number {number} is also on line {seen[number]}",
                    )
                )
                continue
            seen[number] = line
            plan.rows.append(row)
    except csv.Error as exc:
        plan.problems.append(Problem(0, "", f"the CSV is broken: {exc}"))
    if not plan.rows and not plan.problems:
        plan.problems.append(Problem(0, "", "the file has a header but no members"))
    return plan


def _check_row(
    line: int, columns: list[str | None], raw: list[str], plan: ImportPlan
) -> ImportRow | None:
    values: dict[str, Any] = {}
    bad = False
    for key, cell in zip(columns, raw + [""] * (len(columns) - len(raw)), strict=True):
        if key is None:
            continue
        text = cell_in(cell.strip())
        try:
            if key == "date_joined":
                values[key] = parse_date(text) if text else None
            elif key == "subs_up_to_date":
                values[key] = parse_bool(text) if text else True
            elif key == "status":
                values[key] = text.lower() or "current"
            else:
                values[key] = text
        except ValueError as exc:
            plan.problems.append(Problem(line, HEADERS[key], str(exc)))
            bad = True
    form = MemberForm(**values)
    for key, message in validate(form).items():
        if key in values or key in ("membership_number", "first_name", "last_name"):
            plan.problems.append(Problem(line, HEADERS[key], message))
            bad = True
    return None if bad else ImportRow(line, values)


def preview_import(
    db: Database, plan: ImportPlan, progress: Progress | None = None
) -> ImportPreview:
    """Count the plan's new, changed and unchanged members, the way `apply_plan` matches them."""
    if not plan.ok:
        return ImportPreview(plan)
    progress = progress or Progress()
    employer = aliased(Employer)
    workplace = aliased(Workplace)
    numbers = [r.values["membership_number"] for r in plan.rows]
    existing: dict[str, dict[str, Any]] = {}
    with db.read() as session:
        for start in range(0, len(numbers), 500):
            progress.update(start, len(numbers))
            query = (
                select(
                    Member.__table__,
                    employer.name.label("employer"),
                    workplace.name.label("workplace"),
                )
                .outerjoin(employer, Member.employer_id == employer.id)
                .outerjoin(workplace, Member.workplace_id == workplace.id)
                .where(Member.membership_number.in_(numbers[start : start + 500]))
            )
            for found in session.execute(query).mappings():
                existing[found["membership_number"]] = dict(found)
    new = changed = 0
    for row in plan.rows:
        old = existing.get(row.values["membership_number"])
        if old is None:
            new += 1
        elif any((old.get(k) or "") != (v or "") for k, v in row.values.items()):
            changed += 1
    return ImportPreview(plan, new, changed, len(plan.rows) - new - changed)


def apply_plan(db: Database, plan: ImportPlan, progress: Progress | None = None) -> ImportResult:
    """Write a checked plan in one transaction; on any error or cancel nothing is kept."""
    if not plan.ok:
        raise ImportRefused(plan)
    progress = progress or Progress()
    total = len(plan.rows)
    steps = 2 * total  # sorting the rows out, then writing them
    progress.update(0, steps)
    members = Member.__table__
    now = utcnow()
    with db.write() as session:
        officer = db.officer
        audit_rows: list[dict[str, Any]] = []

        employers = {name: id_ for name, id_ in session.execute(select(Employer.name, Employer.id))}
        new_employers = sorted(
            {r.values["employer"] for r in plan.rows if r.values.get("employer")} - set(employers)
        )
        for name in new_employers:
            eid = session.execute(insert(Employer).values(name=name).returning(Employer.id))
            employers[name] = eid.scalar_one()
            audit_rows.append(
                audit.entry(
                    officer,
                    "create",
                    "employers",
                    employers[name],
                    ["name"],
                    {"name": (None, name)},
                )
            )
        workplaces = {
            (e, n): i
            for e, n, i in session.execute(
                select(Workplace.employer_id, Workplace.name, Workplace.id)
            )
        }

        existing: dict[str, dict[str, Any]] = {}
        numbers = [r.values["membership_number"] for r in plan.rows]
        for start in range(0, len(numbers), 500):
            query = select(members).where(
                members.c.membership_number.in_(numbers[start : start + 500])
            )
            for found in session.execute(query).mappings():
                existing[found["membership_number"]] = dict(found)

        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        unchanged = 0
        for done, row in enumerate(plan.rows, 1):
            values = dict(row.values)
            employer_id = employers.get(values.pop("employer", "") or "")
            workplace_name = values.pop("workplace", "") or ""
            workplace_id = None
            if employer_id is not None and workplace_name:
                workplace_id = workplaces.get((employer_id, workplace_name))
                if workplace_id is None:
                    result = session.execute(
                        insert(Workplace)
                        .values(employer_id=employer_id, name=workplace_name)
                        .returning(Workplace.id)
                    )
                    workplace_id = workplaces[(employer_id, workplace_name)] = result.scalar_one()
                    audit_rows.append(
                        audit.entry(
                            officer,
                            "create",
                            "workplaces",
                            workplace_id,
                            ["employer_id", "name"],
                            {"employer_id": (None, employer_id), "name": (None, workplace_name)},
                        )
                    )
            if "employer" in row.values:
                values["employer_id"] = employer_id
                values["workplace_id"] = workplace_id
            old = existing.get(values["membership_number"])
            if old is None:
                record = {f: _default(f) for f in _MEMBER_FIELDS}
                record.update(employer_id=None, workplace_id=None)
                record.update(values)
                inserts.append(record)
            else:
                changed = {k: v for k, v in values.items() if old.get(k) != v}
                if not changed:
                    unchanged += 1
                else:
                    merged = {k: old[k] for k in (*_MEMBER_FIELDS, "employer_id", "workplace_id")}
                    merged.update(values)
                    merged["_id"] = old["id"]
                    merged["_updated_at"] = now
                    updates.append(merged)
                    audit_rows.append(_audit_update(officer, old, changed))
            if done % _CHUNK == 0:
                progress.update(done, steps)

        if inserts:
            for start in range(0, len(inserts), _CHUNK):
                session.execute(insert(members), inserts[start : start + _CHUNK])
                progress.update(total + min(start + _CHUNK, len(inserts)), steps)
            created_ids = _ids_by_number(session, [r["membership_number"] for r in inserts])
            for record in inserts:
                fields = [k for k, v in record.items() if v not in (None, "")]
                kept = {k: (None, record[k]) for k in _AUDITED if record.get(k) is not None}
                audit_rows.append(
                    audit.entry(
                        officer,
                        "create",
                        "members",
                        created_ids[record["membership_number"]],
                        fields,
                        kept,
                    )
                )
        if updates:
            assignments: dict[str, Any] = {
                name: bindparam(name) for name in (*_MEMBER_FIELDS, "employer_id", "workplace_id")
            }
            assignments["updated_at"] = bindparam("_updated_at")
            # Bulk statements bypass the ORM's version check: bump it by hand so an edit form
            # opened before this import is refused instead of overwriting the imported values.
            assignments["version"] = members.c.version + 1
            statement = members.update().where(members.c.id == bindparam("_id")).values(assignments)
            session.connection().execute(statement, updates)
        audit.record(session, audit_rows)
        progress.update(steps, steps)
    return ImportResult(created=len(inserts), updated=len(updates), unchanged=unchanged)


def _ids_by_number(session: Any, numbers: list[str]) -> dict[str, int]:
    members = Member.__table__
    found: dict[str, int] = {}
    for start in range(0, len(numbers), 500):
        query = select(members.c.membership_number, members.c.id).where(
            members.c.membership_number.in_(numbers[start : start + 500])
        )
        found.update((number, id_) for number, id_ in session.execute(query))
    return found


_AUDITED = ("status", "subs_up_to_date", "employer_id", "workplace_id")


def _audit_update(officer: str, old: dict[str, Any], changed: dict[str, Any]) -> dict[str, Any]:
    kept = {k: (old.get(k), v) for k, v in changed.items() if k in _AUDITED}
    return audit.entry(officer, "update", "members", old["id"], list(changed), kept)


def _default(name: str) -> Any:
    if name == "date_joined":
        return None
    if name == "status":
        return "current"
    if name == "subs_up_to_date":
        return True
    return ""


def import_members_csv(
    db: Database, path: str | os.PathLike[str], progress: Progress | None = None
) -> ImportResult:
    """Check then apply: what `branchdesk import members` runs."""
    plan = check_members_csv(path)
    if not plan.ok:
        raise ImportRefused(plan)
    return apply_plan(db, plan, progress)
