"""A branch's own list of contracts from CSV: one row per contract, a header row naming fields.

All rows or none: the whole file is checked first (every bad row reported with its line,
column and reason) and only a clean file is written, in one transaction. The file is read as
the member importer reads one (UTF-8 or Windows-1252, comma, semicolon or tab, strict quotes,
the protective apostrophe BranchDesk writes before risky text removed again).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from branchdesk.members.csvformat import RowError, cell_in, iter_rows, parse_bool, parse_date
from branchdesk.members.importer import ImportPlan, ImportRefused, Problem, read_csv_text
from branchdesk.money import Money
from branchdesk.outsourcing.codes import STATUSES
from branchdesk.outsourcing.models import Contract
from branchdesk.outsourcing.service import (
    ContractForm,
    apply_form,
    set_suppliers,
    validate_contract,
)
from branchdesk.store.database import Database

# (field, header) as a template would name them.
FIELDS: tuple[tuple[str, str], ...] = (
    ("service", "Service"),
    ("authority", "Authority"),
    ("contractors", "Contractors"),
    ("status", "Status"),
    ("value", "Value"),
    ("start_on", "Start"),
    ("end_on", "End"),
    ("max_end_on", "End with extensions"),
    ("break_on", "Break"),
    ("tupe_staff", "TUPE staff"),
    ("notes", "Notes"),
    ("title", "Title"),
    ("annual_value", "Annual value"),
    ("transfer_on", "Transfer date"),
    ("recognises_union", "Recognises union"),
    ("pay_notes", "Pay notes"),
)
HEADERS = dict(FIELDS)

_ALIASES = {
    "service_name": "service",
    "council": "authority",
    "buyer": "authority",
    "client": "authority",
    "contracting_authority": "authority",
    "contractor": "contractors",
    "contractor_s": "contractors",
    "supplier": "contractors",
    "suppliers": "contractors",
    "provider": "contractors",
    "contract_status": "status",
    "value_gbp": "value",
    "contract_value": "value",
    "total_value": "value",
    "start_date": "start_on",
    "starts": "start_on",
    "end_date": "end_on",
    "ends": "end_on",
    "end_including_extensions": "max_end_on",
    "end_with_extension": "max_end_on",
    "max_end": "max_end_on",
    "max_end_date": "max_end_on",
    "latest_end": "max_end_on",
    "break_date": "break_on",
    "break_clause": "break_on",
    "tupe": "tupe_staff",
    "staff": "tupe_staff",
    "staff_transferred": "tupe_staff",
    "tupe_staff_transferred": "tupe_staff",
    "contract_title": "title",
    "value_a_year": "annual_value",
    "annual_value_gbp": "annual_value",
    "transfer_on": "transfer_on",
    "tupe_transfer_date": "transfer_on",
    "union_recognised": "recognises_union",
    "recognition": "recognises_union",
    "pay": "pay_notes",
    "pay_and_conditions": "pay_notes",
}
for _key, _header in FIELDS:
    _ALIASES.setdefault(re.sub(r"[^a-z0-9]+", "_", _header.lower()).strip("_"), _key)
    _ALIASES.setdefault(_key, _key)

_STATUS_WORDS = {words.casefold(): code for code, words in STATUSES.items()}
_STATUS_WORDS.update(
    {
        "outsourced": "outsourced",
        "running": "outsourced",
        "at risk": "in_house_at_risk",
        "in-house at risk": "in_house_at_risk",
        "tender": "out_to_tender",
        "in-house": "returned_in_house",
        "insourced": "returned_in_house",
    }
)


def header_key(header: str) -> str | None:
    """The field a column header names, or None."""
    return _ALIASES.get(re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_"))


def parse_status(text: str) -> str:
    value = " ".join(text.strip().split())
    code = value.lower().replace(" ", "_").replace("-", "_")
    if code in STATUSES:
        return code
    found = _STATUS_WORDS.get(value.casefold())
    if found is None:
        raise ValueError(f"'{text}' is not a status: use one of " + ", ".join(STATUSES.values()))
    return found


def parse_staff(text: str) -> int:
    value = text.strip().replace(",", "")
    if not value.isdigit():
        raise ValueError(f"'{text}' is not a whole number of staff")
    return int(value)


def parse_contractors(text: str) -> list[str]:
    return [name.strip() for name in text.split(";") if name.strip()]


_PARSERS: dict[str, Callable[[str], Any]] = {
    "status": parse_status,
    "value": Money.parse,
    "annual_value": Money.parse,
    "start_on": parse_date,
    "end_on": parse_date,
    "max_end_on": parse_date,
    "break_on": parse_date,
    "transfer_on": parse_date,
    "tupe_staff": parse_staff,
    "recognises_union": parse_bool,
    "contractors": parse_contractors,
}


@dataclass
class ContractPlan(ImportPlan):
    """A checked file: the contracts to create, by the line each starts on."""

    forms: list[tuple[int, ContractForm]] = field(default_factory=list)


def check_contracts_csv(path: str | os.PathLike[str]) -> ContractPlan:
    """Read and check a contract CSV; nothing is written."""
    path = Path(path)
    plan = ContractPlan(file=path)
    text = read_csv_text(path, plan)
    if text is None:
        return plan
    try:
        _check_rows(iter_rows(io.StringIO(text, newline="")), plan)
    except RowError as exc:
        plan.problems.append(
            Problem(exc.line, "", f"the row starting here cannot be read ({exc}): check its quotes")
        )
    if not plan.forms and not plan.problems:
        plan.problems.append(Problem(0, "", "the file has a header but no contracts"))
    return plan


def _check_rows(rows: Any, plan: ContractPlan) -> None:
    try:
        header_line, header = next(rows)
    except StopIteration:
        plan.problems.append(Problem(0, "", "the file is empty"))
        return
    columns: list[str | None] = []
    names: dict[str, str] = {}
    for name in header:
        key = header_key(name)
        if key is None and name.strip():
            plan.warnings.append(f"column '{name.strip()}' is not a contract field and is ignored")
        if key is not None and key in columns:
            plan.problems.append(Problem(header_line, name.strip(), "this column appears twice"))
        columns.append(key)
        if key is not None:
            names.setdefault(key, name.strip())
    plan.fields = [c for c in columns if c]
    if "service" not in columns and "title" not in columns:
        plan.problems.append(
            Problem(header_line, HEADERS["service"], "the file has no column for this field")
        )
    if plan.problems:
        return
    width = len(columns)
    for line, raw in rows:
        cells = [cell.strip() for cell in raw]
        if not any(cells):
            continue
        if len(cells) < width or any(cells[width:]):
            plan.problems.append(
                Problem(line, "", f"{len(cells)} cells, but the header has {width}")
            )
            continue
        values: dict[str, Any] = {}
        bad = False
        for cell, key in zip(cells, columns, strict=False):
            if key is None:
                continue
            text = cell_in(cell)
            if not text:
                continue
            parser = _PARSERS.get(key)
            try:
                values[key] = parser(text) if parser else text
            except ValueError as exc:  # MoneyError is a ValueError too
                plan.problems.append(Problem(line, names[key], str(exc)))
                bad = True
        if bad:
            continue
        form = ContractForm(**values)
        errors = validate_contract(form)
        for key, message in errors.items():
            plan.problems.append(Problem(line, names.get(key, HEADERS.get(key, key)), message))
        if not errors:
            plan.forms.append((line, form))


@dataclass(frozen=True)
class ContractImportResult:
    created: int
    ids: list[int]


def apply_contracts_plan(db: Database, plan: ContractPlan) -> ContractImportResult:
    """Create every contract of a clean plan in one transaction; a plan with problems raises
    `ImportRefused` and writes nothing."""
    if not plan.ok:
        raise ImportRefused(plan)
    ids: list[int] = []
    with db.write() as session:
        for _line, form in plan.forms:
            contract = Contract()
            apply_form(session, contract, form)
            session.add(contract)
            session.flush()
            set_suppliers(session, contract.id, form.contractors)
            ids.append(contract.id)
    return ContractImportResult(created=len(ids), ids=ids)


def import_contracts_csv(db: Database, path: str | os.PathLike[str]) -> ContractImportResult:
    """Check then apply: all the file's contracts, or none (`ImportRefused`)."""
    return apply_contracts_plan(db, check_contracts_csv(path))
