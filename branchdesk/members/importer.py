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

import contextlib
import gc
import io
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Insert, Table, bindparam, func, insert, literal_column, select

from branchdesk.access import policy
from branchdesk.access.roles import WRITE, Area
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
from branchdesk.store.audit import AuditEntry
from branchdesk.store.database import Database
from branchdesk.store.types import utcnow

MAX_FILE_BYTES = 200 * 1024 * 1024
_CHUNK = 1000
_LONG_CELL_LINES = 20
_KEEP_IF_BLANK = ("status", "subs_up_to_date")
_AUDIT_CHUNK = 5000
_MEMBERS = Member.__table__
_EMPLOYERS = Employer.__table__
_WORKPLACES = Workplace.__table__
_AUDIT_LOG = AuditEntry.__table__
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


class _CollectorPause:
    """Python's cycle collector paused while an import makes and keeps its many rows.

    A 20,000-row file makes hundreds of thousands of dicts and lists that live to the end of
    the import, none in a reference cycle. Meanwhile the collector would walk them, and every
    other object in the program, again and again: one full pass can take a tenth of a second
    in a busy window. Memory is still freed as usual (by reference counting), and the collector
    is back on when the last import going on is over, whatever happens.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._resume = False

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._depth == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0 and self._resume:
                    gc.enable()


_collector_paused = _CollectorPause()


# --- reading and checking -------------------------------------------------------------------

_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


class Reported(Protocol):
    """Where a reader lists what is wrong with a file (an import plan, a survey)."""

    problems: list[Problem]
    warnings: list[str]


def read_csv_text(path: Path, plan: Reported) -> str | None:
    """A CSV file's text, for `iter_rows`: None, with the problem listed in `plan`, when the
    file is missing, too large, not text, or in an encoding BranchDesk cannot tell."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            plan.problems.append(Problem(0, "", "the file is larger than 200 MB"))
            return None
        data = path.read_bytes()
    except FileNotFoundError:
        plan.problems.append(Problem(0, "", "no such file"))
        return None
    except OSError as exc:
        plan.problems.append(Problem(0, "", exc.strerror or str(exc)))
        return None
    if b"\x00" in data[:4096]:
        plan.problems.append(
            Problem(0, "", "this is not a text file (it looks like a spreadsheet: save it as CSV)")
        )
        return None
    return _decode(data, plan)


def _decode(data: bytes, plan: Reported) -> str | None:
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
    text = read_csv_text(path, plan)
    if text is None:
        return plan
    try:
        with _collector_paused():
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
    width = len(columns)
    number_at = columns.index("membership_number")
    # The columns that name a field, by cell index: text as it is, and values to parse.
    plain = [(i, key) for i, key in enumerate(columns) if key and key not in _PARSERS]
    parsed = [(i, key, _PARSERS[key]) for i, key in enumerate(columns) if key in _PARSERS]
    next_start = header_line + 1
    for line, raw in rows:
        if line - next_start > 0 and line - next_start >= _LONG_CELL_LINES:
            plan.warnings.append(
                f"the row starting on line {next_start} runs over {line - next_start} lines: "
                "check that no quote is missing"
            )
        next_start = line
        cells = [cell.strip() for cell in raw]
        if not any(cells):
            continue
        if len(cells) < width or any(cells[width:]):  # blank cells past the end are fine
            plan.problems.append(
                Problem(line, "", f"{len(cells)} cells, but the header has {width}")
            )
            continue
        number = cell_in(cells[number_at])
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
        row = _check_row(line, plain, parsed, cells, plan)
        if row is not None:
            plan.rows.append(row)


class _TrimmedForm(MemberForm):
    """A form whose text fields are already trimmed: `validate` need not copy it to trim it.

    Only for values read by `_check_row`, which trims every cell before `cell_in`; a value that
    `cell_in` leaves starting with a space goes through a plain `MemberForm` instead.
    """

    def cleaned(self) -> MemberForm:
        return self


_REQUIRED = ("membership_number", "first_name", "last_name")
_Parser = Callable[[str], Any]
# Fields that are not plain text; a blank cell empties the field, or leaves it (_KEEP_IF_BLANK).
_PARSERS: dict[str, _Parser] = {
    "date_joined": parse_date,
    "subs_up_to_date": parse_bool,
    "status": str.lower,
}


def _check_row(
    line: int,
    plain: list[tuple[int, str]],
    parsed: list[tuple[int, str, _Parser]],
    cells: list[str],
    plan: ImportPlan,
) -> ImportRow | None:
    """The values of one row's cells (each already trimmed), or None if it has problems."""
    trimmed = True
    if "'" in "".join(cells):
        # Undo protective apostrophes (rare: no cell can start with one otherwise).
        for index, _key in plain:
            text = cells[index]
            if text[:1] == "'":
                text = cells[index] = cell_in(text)
                # Before a tab or CR: the value may start with a space now.
                trimmed = trimmed and not text[:1].isspace()
        for index, _key, _parse in parsed:
            if cells[index][:1] == "'":
                cells[index] = cell_in(cells[index])
    values: dict[str, Any] = {key: cells[index] for index, key in plain}
    bad = False
    for index, key, parse in parsed:
        text = cells[index]
        if not text:
            if key not in _KEEP_IF_BLANK:
                values[key] = None  # a blank date empties the field
            continue
        try:
            values[key] = parse(text)
        except ValueError as exc:
            plan.problems.append(Problem(line, HEADERS[key], str(exc)))
            bad = True
    form = _TrimmedForm(**values) if trimmed else MemberForm(**values)
    errors = validate(form)
    if errors:
        for key, message in errors.items():
            if key in values or key in _REQUIRED:
                plan.problems.append(Problem(line, HEADERS[key], message))
                bad = True
    return None if bad else ImportRow(line, values)


# --- what changes -----------------------------------------------------------------------------


def _existing(conn: Connection, numbers: list[str]) -> dict[str, dict[str, Any]]:
    """Members already registered under these numbers, with employer and workplace by name."""
    if not numbers or conn.execute(select(_MEMBERS.c.id).limit(1)).first() is None:
        return {}  # the first import into an empty register: nothing to look up
    employer = _EMPLOYERS.alias()
    workplace = _WORKPLACES.alias()
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(numbers), 500):
        query = (
            select(_MEMBERS, employer.c.name.label("employer"), workplace.c.name.label("workplace"))
            .select_from(
                _MEMBERS.outerjoin(employer, _MEMBERS.c.employer_id == employer.c.id).outerjoin(
                    workplace, _MEMBERS.c.workplace_id == workplace.c.id
                )
            )
            .where(_MEMBERS.c.membership_number.in_(numbers[start : start + 500]))
        )
        for row in conn.execute(query).mappings():
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
        # Checked here: the bulk reads and writes below go round the session's role checks.
        policy.require(session, Area.MEMBERS, WRITE, "members")
        numbers = [r.values["membership_number"] for r in plan.rows]
        existing = _existing(session.connection(), numbers)
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


class _AuditRows:
    """The import's audit rows, in the order they are made, as `audit.entry` makes them.

    Every row is stamped with the moment the import's transaction began. Thousands of rows
    differ only in their row id, so each distinct entry is made (and its JSON written) once.
    """

    def __init__(self, officer: str, at: datetime) -> None:
        self.officer = officer
        self.at = at
        self.rows: list[dict[str, Any]] = []
        self._made: dict[tuple[Any, ...], dict[str, Any]] = {}

    def add(
        self,
        action: str,
        table: str,
        row_id: int,
        fields: Iterable[str],
        changes: dict[str, tuple[Any, Any]],
    ) -> None:
        fields = tuple(fields)
        # Equal values are written alike: each column holds values of one type (never both
        # True and 1, which are equal but written differently).
        key = (action, table, fields, tuple(changes.items()))
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = self._make(action, table, fields, changes)
        row = made.copy()
        row["row_id"] = row_id
        self.rows.append(row)

    def add_created(self, member_id: int, record: dict[str, Any]) -> None:
        """A new member's row: the fields given a value, and the values of the audited ones."""
        fields = tuple([k for k, v in record.items() if v is not None and v != ""])
        key = ("new member", fields, tuple([record.get(k) for k in _AUDITED]))
        made = self._made.get(key)
        if made is None:
            kept = {k: (None, record[k]) for k in _AUDITED if record.get(k) is not None}
            made = self._make("create", "members", fields, kept)
            self._made[key] = made
        row = made.copy()
        row["row_id"] = member_id
        self.rows.append(row)

    def _make(
        self, action: str, table: str, fields: tuple[str, ...], changes: dict[str, tuple[Any, Any]]
    ) -> dict[str, Any]:
        made = audit.entry(self.officer, action, table, None, fields, changes)
        del made["at"]  # the same for every row: written once into the statement
        return made

    def write(self, conn: Connection) -> None:
        # A Core insert into the table: the ORM's bulk insert of AuditEntry costs as much again.
        statement = _stamped_insert(conn, _AUDIT_LOG, self.at, "at")
        audit.chain(conn, self.rows, at=self.at)  # each row hashes the one before (tamper-evident)
        for start in range(0, len(self.rows), _AUDIT_CHUNK):
            conn.execute(statement, self.rows[start : start + _AUDIT_CHUNK])


def _stamped_insert(conn: Connection, table: Table, now: datetime, *columns: str) -> Insert:
    """An insert into `table` whose timestamp `columns` all hold `now`, written into the SQL.

    Bound, the timestamp of each of 20,000 rows would go through the column type one by one (a
    third of the time an insert takes); as a literal it is converted once, by the same type, to
    the same text a bound value is stored as.
    """
    values: dict[str, Any] = {}
    for name in columns:
        column_type = table.c[name].type
        render = column_type.dialect_impl(conn.dialect).literal_processor(conn.dialect)
        values[name] = literal_column(render(now), column_type) if render is not None else now
    return insert(table).values(values)


class _Places:
    """Employers and workplaces by name, created on first use within the import's transaction."""

    def __init__(self, conn: Connection, audit_rows: _AuditRows) -> None:
        self.conn = conn
        self.audit_rows = audit_rows
        self.employers = {n: i for n, i in conn.execute(select(_EMPLOYERS.c.name, _EMPLOYERS.c.id))}
        self.workplaces = {
            (e, n): i
            for e, n, i in conn.execute(
                select(_WORKPLACES.c.employer_id, _WORKPLACES.c.name, _WORKPLACES.c.id)
            )
        }

    def ids(self, employer: str, workplace: str) -> tuple[int | None, int | None]:
        if not employer:
            return None, None
        employer_id = self.employers.get(employer)
        if employer_id is None:
            employer_id = self.conn.execute(
                insert(_EMPLOYERS).values(name=employer).returning(_EMPLOYERS.c.id)
            ).scalar_one()
            self.employers[employer] = employer_id
            self._audit("employers", employer_id, {"name": employer})
        if not workplace:
            return employer_id, None
        workplace_id = self.workplaces.get((employer_id, workplace))
        if workplace_id is None:
            workplace_id = self.conn.execute(
                insert(_WORKPLACES)
                .values(employer_id=employer_id, name=workplace)
                .returning(_WORKPLACES.c.id)
            ).scalar_one()
            self.workplaces[(employer_id, workplace)] = workplace_id
            self._audit("workplaces", workplace_id, {"employer_id": employer_id, "name": workplace})
        return employer_id, workplace_id

    def _audit(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        changes = {k: (None, v) for k, v in values.items()}
        self.audit_rows.add("create", table, row_id, sorted(values), changes)


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
    defaults = _defaults()
    # Fields of the file that are not columns of members (employer and workplace, by name).
    by_name = [f for f in plan.fields if f not in PLAIN_FIELDS]
    with _collector_paused(), db.write() as session:
        policy.require(session, Area.MEMBERS, WRITE, "members")
        conn = session.connection()
        audit_rows = _AuditRows(db.officer, now)
        places = _Places(conn, audit_rows)
        existing = _existing(conn, [r.values["membership_number"] for r in plan.rows])
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for done, row in enumerate(plan.rows, 1):
            old = existing.get(row.values["membership_number"])
            if old is None:
                record = {**defaults, **row.values}
                for name in by_name:
                    record.pop(name, None)
                employer = row.values.get("employer", "")
                workplace = row.values.get("workplace", "")
                record["employer_id"], record["workplace_id"] = places.ids(employer, workplace)
                record["search_text"] = search_text_for(record, employer, workplace)
                inserts.append(record)
            else:
                changed = _changes(old, row.values)
                if changed:
                    updates.append(_update(old, changed, places, now))
                    _audit_update(audit_rows, old, updates[-1], changed)
            if done % _CHUNK == 0:
                progress.update(done, steps)

        last_id = conn.execute(select(func.max(_MEMBERS.c.id))).scalar()
        statement = _stamped_insert(conn, _MEMBERS, now, "created_at", "updated_at")
        for start in range(0, len(inserts), _CHUNK):
            conn.execute(statement, inserts[start : start + _CHUNK])
            progress.update(total + min(start + _CHUNK, len(inserts)), steps)
        created = _new_ids(conn, [r["membership_number"] for r in inserts], last_id)
        for record in inserts:
            audit_rows.add_created(created[record["membership_number"]], record)
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
            conn.execute(statement.values(assignments), updates)
        audit_rows.write(conn)
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
    audit_rows: _AuditRows, old: dict[str, Any], new: dict[str, Any], changed: dict[str, Any]
) -> None:
    fields = {
        "employer_id" if k == "employer" else "workplace_id" if k == "workplace" else k
        for k in changed
    }
    kept = {k: (old.get(k), new.get(k)) for k in _AUDITED if k in fields}
    audit_rows.add("update", "members", old["id"], sorted(fields), kept)


def _new_ids(conn: Connection, numbers: list[str], last_id: int | None) -> dict[str, int]:
    """The ids of the members just inserted under these numbers.

    New rows take ids above the largest there was before (SQLite and PostgreSQL's sequences
    both count up), so one range read finds them; any it misses are looked up by number.
    """
    if not numbers:
        return {}
    query = select(_MEMBERS.c.membership_number, _MEMBERS.c.id)
    if last_id is not None:
        query = query.where(_MEMBERS.c.id > last_id)
    found: dict[str, int] = {number: id_ for number, id_ in conn.execute(query)}
    missing = [n for n in numbers if n not in found]
    for start in range(0, len(missing), 500):
        query = select(_MEMBERS.c.membership_number, _MEMBERS.c.id).where(
            _MEMBERS.c.membership_number.in_(missing[start : start + 500])
        )
        found.update((number, id_) for number, id_ in conn.execute(query))
    return found


def import_members_csv(
    db: Database, path: str | os.PathLike[str], progress: Progress | None = None
) -> ImportResult:
    """Check then apply, for scripts and tests."""
    return apply_plan(db, check_members_csv(path), progress)
