"""Importing members from CSV: check the whole file, then write every row or none.

`check_members_csv` reads and checks the file without touching the database and returns a plan
listing every problem by line and column. `preview_import` counts what a clean plan would do,
and `apply_plan` writes it in one transaction with Core statements (ORM objects one by one are
many times slower). Both decide what changes with the same function, `_changes`, matching
existing members by membership number so that importing the same file twice changes nothing.

What a cell means:
- a column the file does not have leaves that field as it is;
- a blank Status or Subs cell leaves an existing member's value as it is (a new member gets
  the usual default); any other blank cell empties the field;
- a new employer without a Workplace column moves the member out of their old workplace, which
  belonged to the old employer.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session, aliased

from branchdesk.members.csvformat import (
    HEADERS,
    RowError,
    cell_in,
    header_key,
    iter_rows,
    parse_bool,
    parse_date,
)
from branchdesk.members.models import (
    PLAIN_FIELDS,
    Employer,
    Member,
    Workplace,
    search_text_for,
)
from branchdesk.members.service import MemberForm, validate
from branchdesk.progress import Progress
from branchdesk.store import audit
from branchdesk.store.database import Database
from branchdesk.store.types import utcnow

MAX_FILE_BYTES = 200 * 1024 * 1024
_CHUNK = 1000
_LONG_CELL_LINES = 20
_KEEP_IF_BLANK = ("status", "subs_up_to_date")
_MEMBERS = Member.__table__
# Columns whose values may go into the audit log: the ones the model marks, nothing else.
_AUDITED = tuple(c.name for c in _MEMBERS.columns if c.info.get("audit_values"))


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        if self.column:
            return f"{where}, {self.column}: {self.message}"
        return f"{where}: {self.message}"


@dataclass
class ImportRow:
    line: int
    values: dict[str, Any]  # only the fields the file has (non-blank) cells for


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
class ImportPreview:
    """What a clean plan would do, counted before anything is written."""

    plan: ImportPlan
    new: int = 0
    changed: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


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


# --- reading and checking -------------------------------------------------------------------

_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode(data: bytes, plan: ImportPlan) -> str | None:
    """UTF-8 (with or without a BOM); else Windows-1252, as Excel saves "CSV" on UK PCs.

    A file that is UTF-8 in places and not in others is refused: reading it either way would
    garble some names, and importing would overwrite the good ones.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = _line_of(data, exc.start)
        if _UTF8_MULTIBYTE.search(data):
            plan.problems.append(
                Problem(
                    bad_line,
                    "",
                    f"the file mixes character encodings (byte 0x{data[exc.start]:02x} is not "
                    "UTF-8, but other lines are): save it again as “CSV UTF-8”",
                )
            )
            return None
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        plan.problems.append(
            Problem(_line_of(data, exc.start), "", "the file is not UTF-8 or Windows-1252 text")
        )
        return None
    plan.warnings.append(
        f"the file is not UTF-8; it was read as Windows-1252 (first such character on line "
        f"{bad_line}): check names with accents in the preview"
    )
    return text


def check_members_csv(path: str | os.PathLike[str]) -> ImportPlan:
    """Read and check a member CSV; nothing is written."""
    path = Path(path)
    plan = ImportPlan(file=path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            plan.problems.append(Problem(0, "", "the file is larger than 200 MB"))
            return plan
        data = path.read_bytes()
    except FileNotFoundError:
        plan.problems.append(Problem(0, "", "no such file"))
        return plan
    except OSError as exc:
        plan.problems.append(Problem(0, "", exc.strerror or str(exc)))
        return plan
    if b"\x00" in data[:4096]:
        plan.problems.append(
            Problem(0, "", "this is not a text file (it looks like a spreadsheet: save it as CSV)")
        )
        return plan
    text = _decode(data, plan)
    if text is None:
        return plan
    try:
        _check_rows(iter_rows(io.StringIO(text, newline="")), plan)
    except RowError as exc:
        plan.problems.append(
            Problem(exc.line, "", f"the row starting here cannot be read ({exc}): check its quotes")
        )
    if not plan.rows and not plan.problems:
        plan.problems.append(Problem(0, "", "the file has a header but no members"))
    return plan


def _check_rows(rows: Any, plan: ImportPlan) -> None:
    try:
        header_line, header = next(rows)
    except StopIteration:
        plan.problems.append(Problem(0, "", "the file is empty"))
        return
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
        return

    seen: dict[str, int] = {}
    next_start = header_line + 1
    for line, raw in rows:
        if line - next_start > 0 and line - next_start >= _LONG_CELL_LINES:
            plan.warnings.append(
                f"the row starting on line {next_start} runs over {line - next_start} lines: "
                "check that no quote is missing"
            )
        next_start = line
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) != len(columns):
            extra = raw[len(columns) :]
            if len(raw) < len(columns) or any(cell.strip() for cell in extra):
                plan.problems.append(
                    Problem(line, "", f"{len(raw)} cells, but the header has {len(columns)}")
                )
                continue
        number = cell_in(raw[columns.index("membership_number")].strip())
        if number and number in seen:
            plan.problems.append(
                Problem(
                    line,
                    HEADERS["membership_number"],
                    f"membership number {number} is also on line {seen[number]}",
                )
            )
            continue
        if number:
            seen[number] = line
        row = _check_row(line, columns, raw, plan)
        if row is not None:
            plan.rows.append(row)


def _check_row(
    line: int, columns: list[str | None], raw: list[str], plan: ImportPlan
) -> ImportRow | None:
    values: dict[str, Any] = {}
    bad = False
    for key, cell in zip(columns, raw, strict=False):
        if key is None:
            continue
        text = cell_in(cell.strip())
        if not text and key in _KEEP_IF_BLANK:
            continue
        try:
            if key == "date_joined":
                values[key] = parse_date(text) if text else None
            elif key == "subs_up_to_date":
                values[key] = parse_bool(text)
            elif key == "status":
                values[key] = text.lower()
            else:
                values[key] = text
        except ValueError as exc:
            plan.problems.append(Problem(line, HEADERS[key], str(exc)))
            bad = True
    for key, message in validate(MemberForm(**values)).items():
        if key in values or key in ("membership_number", "first_name", "last_name"):
            plan.problems.append(Problem(line, HEADERS[key], message))
            bad = True
    return None if bad else ImportRow(line, values)


# --- what changes -----------------------------------------------------------------------------


def _existing(session: Session, numbers: list[str]) -> dict[str, dict[str, Any]]:
    """Members already registered under these numbers, with employer and workplace by name."""
    employer = aliased(Employer)
    workplace = aliased(Workplace)
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(numbers), 500):
        query = (
            select(_MEMBERS, employer.name.label("employer"), workplace.name.label("workplace"))
            .outerjoin(employer, Member.employer_id == employer.id)
            .outerjoin(workplace, Member.workplace_id == workplace.id)
            .where(Member.membership_number.in_(numbers[start : start + 500]))
        )
        for row in session.execute(query).mappings():
            old = dict(row)
            old["employer"] = old["employer"] or ""
            old["workplace"] = old["workplace"] or ""
            found[old["membership_number"]] = old
    return found


def _changes(old: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The fields of an existing member that a row changes, by name."""
    changed = {k: v for k, v in values.items() if old.get(k) != v}
    if "employer" in changed and "workplace" not in values and old["workplace"]:
        changed["workplace"] = ""  # the old workplace belongs to the old employer
    return changed


def preview_import(
    db: Database, plan: ImportPlan, progress: Progress | None = None
) -> ImportPreview:
    """Count the plan's new, changed and unchanged members; nothing is written."""
    if not plan.ok:
        return ImportPreview(plan)
    progress = progress or Progress()
    progress.update(0, 1)
    with db.read() as session:
        existing = _existing(session, [r.values["membership_number"] for r in plan.rows])
    new = changed = 0
    for row in plan.rows:
        old = existing.get(row.values["membership_number"])
        if old is None:
            new += 1
        elif _changes(old, row.values):
            changed += 1
    progress.update(1, 1)
    return ImportPreview(plan, new, changed, len(plan.rows) - new - changed)


# --- writing ------------------------------------------------------------------------------------


class _Places:
    """Employers and workplaces by name, created on first use within the import's transaction."""

    def __init__(self, session: Session, officer: str, audit_rows: list[dict[str, Any]]) -> None:
        self.session = session
        self.officer = officer
        self.audit_rows = audit_rows
        self.employers = {n: i for n, i in session.execute(select(Employer.name, Employer.id))}
        self.workplaces = {
            (e, n): i
            for e, n, i in session.execute(
                select(Workplace.employer_id, Workplace.name, Workplace.id)
            )
        }

    def ids(self, employer: str, workplace: str) -> tuple[int | None, int | None]:
        if not employer:
            return None, None
        employer_id = self.employers.get(employer)
        if employer_id is None:
            employer_id = self.session.execute(
                insert(Employer).values(name=employer).returning(Employer.id)
            ).scalar_one()
            self.employers[employer] = employer_id
            self._audit("employers", employer_id, {"name": employer})
        if not workplace:
            return employer_id, None
        workplace_id = self.workplaces.get((employer_id, workplace))
        if workplace_id is None:
            workplace_id = self.session.execute(
                insert(Workplace)
                .values(employer_id=employer_id, name=workplace)
                .returning(Workplace.id)
            ).scalar_one()
            self.workplaces[(employer_id, workplace)] = workplace_id
            self._audit("workplaces", workplace_id, {"employer_id": employer_id, "name": workplace})
        return employer_id, workplace_id

    def _audit(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        changes = {k: (None, v) for k, v in values.items()}
        self.audit_rows.append(audit.entry(self.officer, "create", table, row_id, values, changes))


def _defaults() -> dict[str, Any]:
    """A new member's values before the file's are laid over them (the model's defaults)."""
    values: dict[str, Any] = {}
    for name in PLAIN_FIELDS:
        default = _MEMBERS.c[name].default
        values[name] = default.arg if default is not None and default.is_scalar else None
    return values


def apply_plan(db: Database, plan: ImportPlan, progress: Progress | None = None) -> ImportResult:
    """Write a checked plan in one transaction; on any error or cancel nothing is kept."""
    if not plan.ok:
        raise ImportRefused(plan)
    progress = progress or Progress()
    total = len(plan.rows)
    steps = 2 * total  # sorting the rows out, then writing them
    progress.update(0, steps)
    now = utcnow()
    officer = db.officer
    with db.write() as session:
        audit_rows: list[dict[str, Any]] = []
        places = _Places(session, officer, audit_rows)
        existing = _existing(session, [r.values["membership_number"] for r in plan.rows])
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for done, row in enumerate(plan.rows, 1):
            old = existing.get(row.values["membership_number"])
            if old is None:
                record = _defaults() | {k: v for k, v in row.values.items() if k in PLAIN_FIELDS}
                employer = row.values.get("employer", "")
                workplace = row.values.get("workplace", "")
                record["employer_id"], record["workplace_id"] = places.ids(employer, workplace)
                record["search_text"] = search_text_for(record, employer, workplace)
                inserts.append(record)
            else:
                changed = _changes(old, row.values)
                if changed:
                    updates.append(_update(old, changed, places, now))
                    audit_rows.append(_audit_update(officer, old, updates[-1], changed))
            if done % _CHUNK == 0:
                progress.update(done, steps)

        for start in range(0, len(inserts), _CHUNK):
            session.execute(insert(_MEMBERS), inserts[start : start + _CHUNK])
            progress.update(total + min(start + _CHUNK, len(inserts)), steps)
        created = _ids_by_number(session, [r["membership_number"] for r in inserts])
        for record in inserts:
            fields = [k for k, v in record.items() if v not in (None, "")]
            kept = {k: (None, record[k]) for k in _AUDITED if record.get(k) is not None}
            member_id = created[record["membership_number"]]
            audit_rows.append(audit.entry(officer, "create", "members", member_id, fields, kept))
        if updates:
            assignments: dict[str, Any] = {
                name: bindparam(name)
                for name in (*PLAIN_FIELDS, "employer_id", "workplace_id", "search_text")
            }
            assignments["updated_at"] = bindparam("_updated_at")
            # Bulk statements bypass the ORM's version check: bump it by hand so an edit form
            # opened before this import is refused instead of overwriting the imported values.
            assignments["version"] = _MEMBERS.c.version + 1
            statement = _MEMBERS.update().where(_MEMBERS.c.id == bindparam("_id"))
            session.connection().execute(statement.values(assignments), updates)
        audit.record(session, audit_rows)
        progress.update(steps, steps)
    return ImportResult(len(inserts), len(updates), total - len(inserts) - len(updates))


def _update(
    old: dict[str, Any], changed: dict[str, Any], places: _Places, now: Any
) -> dict[str, Any]:
    record = {k: changed.get(k, old[k]) for k in PLAIN_FIELDS}
    employer = changed.get("employer", old["employer"])
    workplace = changed.get("workplace", old["workplace"])
    record["employer_id"], record["workplace_id"] = places.ids(employer, workplace)
    record["search_text"] = search_text_for(record, employer, workplace)
    record["_id"] = old["id"]
    record["_updated_at"] = now
    return record


def _audit_update(
    officer: str, old: dict[str, Any], new: dict[str, Any], changed: dict[str, Any]
) -> dict[str, Any]:
    fields = {
        "employer_id" if k == "employer" else "workplace_id" if k == "workplace" else k
        for k in changed
    }
    kept = {k: (old.get(k), new.get(k)) for k in _AUDITED if k in fields}
    return audit.entry(officer, "update", "members", old["id"], fields, kept)


def _ids_by_number(session: Session, numbers: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(numbers), 500):
        query = select(_MEMBERS.c.membership_number, _MEMBERS.c.id).where(
            _MEMBERS.c.membership_number.in_(numbers[start : start + 500])
        )
        found.update((number, id_) for number, id_ in session.execute(query))
    return found


def import_members_csv(
    db: Database, path: str | os.PathLike[str], progress: Progress | None = None
) -> ImportResult:
    """Check then apply, for scripts and tests."""
    return apply_plan(db, check_members_csv(path), progress)
