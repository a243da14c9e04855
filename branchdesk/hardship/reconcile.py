"""Bank reconciliation: importing statements, matching their lines to ledger entries, and the
difference between the bank's balance and the ledger's, with what explains it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Select, func, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased

from branchdesk.hardship.bankfiles import (
    BankFileError,
    CsvProfile,
    Statement,
    mask_account,
    read_statement,
    same_account,
)
from branchdesk.hardship.codes import MANUAL_KINDS
from branchdesk.hardship.ledger import balance_on, current_balance, lock_fund, post
from branchdesk.hardship.matching import BankItem, BookEntry, ProposedMatch, propose_matches
from branchdesk.hardship.models import (
    BankCsvProfile,
    BankLine,
    BankStatement,
    Donation,
    Fund,
    LedgerEntry,
)
from branchdesk.members.service import ValidationError
from branchdesk.money import ZERO, Money
from branchdesk.store.database import Database
from branchdesk.store.errors import StaleEdit
from branchdesk.store.types import utcnow

MATCH_WINDOW_DAYS = 3


class StatementRefused(ValueError):
    """A statement that cannot go into this fund: the problems, in plain words."""


@dataclass
class StatementImport:
    statement_id: int | None = None
    imported: int = 0
    already_imported: int = 0
    matched: int = 0
    warnings: list[str] = field(default_factory=list)


def check_statement(fund: Fund, statement: Statement) -> list[str]:
    """Why a statement does not belong to this fund's account, if it does not."""
    problems: list[str] = []
    if statement.currency and statement.currency.upper() != fund.currency.upper():
        problems.append(
            f"The statement is in {statement.currency.upper()} but the fund '{fund.name}' is "
            f"kept in {fund.currency}: nothing was imported."
        )
    if fund.account_number and not same_account(fund.account_number, fund.sort_code, statement):
        theirs = mask_account(statement.account) if statement.account else "an unknown account"
        problems.append(
            f"The statement is for account {theirs}"
            + (f" (sort code {statement.sort_code})" if statement.sort_code else "")
            + f" but the fund '{fund.name}' banks with account {mask_account(fund.account_number)}"
            + (f" (sort code {fund.sort_code})" if fund.sort_code else "")
            + ": nothing was imported."
        )
    return problems


def read_for_fund(
    db: Database, fund_id: int, path: Path, profile: CsvProfile | None = None
) -> Statement:
    """Read a statement file and check it belongs to the fund; StatementRefused or
    BankFileError (with every problem) otherwise."""
    statement = read_statement(path, profile)
    with db.read() as session:
        fund = session.get(Fund, fund_id)
        if fund is None:
            raise StaleEdit("This fund has been deleted by someone else.")
        problems = check_statement(fund, statement)
        unchecked = []
        if not statement.currency:
            unchecked.append(
                f"the file does not say its currency, so it was taken as {fund.currency}"
            )
        if fund.account_number and not statement.account:
            unchecked.append(
                "the file does not say which account it is for: make sure it is the fund's "
                f"account {mask_account(fund.account_number)}"
            )
    if problems:
        raise StatementRefused(" ".join(problems))
    if unchecked:
        warnings = (*statement.warnings, *(u[0].upper() + u[1:] + "." for u in unchecked))
        statement = replace(statement, warnings=warnings)
    return statement


def import_statement(
    db: Database,
    fund_id: int,
    path: Path,
    profile: CsvProfile | None = None,
    auto_match: bool = True,
) -> StatementImport:
    """Import a statement's new lines (lines already imported, known by their transaction id,
    are skipped) in one transaction, then match what matches without doubt: same amount,
    date within a few days, reference agreeing, one candidate only."""
    statement = read_for_fund(db, fund_id, path, profile)
    result = StatementImport(warnings=list(statement.warnings))
    with db.write() as session:
        lock_fund(session, fund_id)
        known = set(
            session.scalars(
                select(BankLine.fitid).where(
                    BankLine.fund_id == fund_id,
                    BankLine.fitid.in_({line.fitid[:255] for line in statement.lines}),
                )
            )
        )
        row = BankStatement(
            fund_id=fund_id,
            file_name=path.name[:300],
            source=statement.source,
            starts_on=statement.starts_on,
            ends_on=statement.ends_on,
            closing_balance=statement.closing_balance,
            closing_balance_on=statement.closing_balance_on,
        )
        session.add(row)
        session.flush()
        for line in statement.lines:
            if line.fitid[:255] in known:
                result.already_imported += 1
                continue
            known.add(line.fitid[:255])
            session.add(
                BankLine(
                    fund_id=fund_id,
                    statement_id=row.id,
                    fitid=line.fitid[:255],
                    posted_on=line.posted_on,
                    amount=line.amount,
                    description=line.description[:500],
                    reference=line.reference[:200],
                    balance=line.balance,
                )
            )
            result.imported += 1
        row.lines_imported = result.imported
        row.lines_skipped = result.already_imported
        result.statement_id = row.id
        session.flush()
        if auto_match:
            result.matched = _auto_match(session, fund_id, row.id, db.officer)
    if result.already_imported:
        result.warnings.append(
            f"{result.already_imported} line(s) had been imported before and were skipped."
        )
    return result


def _unmatched(
    fund_id: int, start: date | None = None, end: date | None = None
) -> tuple[Select[tuple[BankLine]], Select[tuple[LedgerEntry]]]:
    """Statement lines with no entry, and entries with no line (between the dates given)."""
    lines = select(BankLine).where(BankLine.fund_id == fund_id, BankLine.entry_id.is_(None))
    has_line = select(BankLine.id).where(BankLine.entry_id == LedgerEntry.id).exists()
    entries = select(LedgerEntry).where(LedgerEntry.fund_id == fund_id, ~has_line)
    if start is not None:
        entries = entries.where(LedgerEntry.posted_on >= start)
    if end is not None:
        entries = entries.where(LedgerEntry.posted_on <= end)
    return lines, entries


def _clusters(days: list[date], gap: int) -> list[tuple[date, date]]:
    """Sorted days grouped into runs with no gap longer than `gap` days, so entries are read
    only around the lines (an old unmatched line does not pull in months of the ledger)."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and (day - runs[-1][1]).days <= gap:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _proposals(
    session: Session, fund_id: int, statement_id: int | None = None
) -> tuple[list[ProposedMatch], dict[int, BankLine], list[BookEntry]]:
    lines_q, _ = _unmatched(fund_id)
    if statement_id is not None:
        lines_q = lines_q.where(BankLine.statement_id == statement_id)
    lines = {line.id: line for line in session.scalars(lines_q.order_by(BankLine.posted_on))}
    if not lines:
        return [], lines, []
    window = timedelta(days=MATCH_WINDOW_DAYS)
    entries: list[BookEntry] = []
    days = sorted({line.posted_on for line in lines.values()})
    for first, last in _clusters(days, 2 * MATCH_WINDOW_DAYS):
        _, entries_q = _unmatched(fund_id, first - window, last + window)
        entries.extend(
            BookEntry(e.id, e.posted_on, e.amount, e.reference, e.description)
            for e in session.scalars(entries_q)
        )
    items = [
        BankItem(line.id, line.posted_on, line.amount, line.reference, line.description)
        for line in lines.values()
    ]
    return propose_matches(items, entries, MATCH_WINDOW_DAYS), lines, entries


def _auto_match(session: Session, fund_id: int, statement_id: int, officer: str) -> int:
    """Match a new statement's lines where the amount and the reference agree, and no other
    line or entry would agree as well (a BACS run of equal payments under one batch reference
    is left for the treasurer to confirm, so no claim's payment is tied to another's line)."""
    proposals, lines, entries = _proposals(session, fund_id, statement_id)
    items = {
        line.id: BankItem(line.id, line.posted_on, line.amount, line.reference, line.description)
        for line in lines.values()
    }
    entries_by_amount: dict[Money, list[BookEntry]] = {}
    for entry in entries:
        entries_by_amount.setdefault(entry.amount, []).append(entry)
    items_by_amount: dict[Money, list[BankItem]] = {}
    for item in items.values():
        items_by_amount.setdefault(item.amount, []).append(item)
    matched = 0
    for proposal in proposals:
        if not proposal.reference_agrees:
            continue
        item = items[proposal.line_id]
        other_entries = [
            e for e in entries_by_amount.get(item.amount, []) if e.entry_id != proposal.entry_id
        ]
        other_items = [i for i in items_by_amount.get(item.amount, []) if i.line_id != item.line_id]
        entry = next(e for e in entries_by_amount[item.amount] if e.entry_id == proposal.entry_id)
        rivals = [
            *propose_matches([item], other_entries, MATCH_WINDOW_DAYS),
            *propose_matches(other_items, [entry], MATCH_WINDOW_DAYS),
        ]
        if any(rival.reference_agrees for rival in rivals):
            continue
        line = lines[proposal.line_id]
        line.entry_id = proposal.entry_id
        line.matched_by = f"{officer} (automatic)"[:200]
        line.matched_at = utcnow()
        matched += 1
    return matched


@dataclass(frozen=True)
class Suggestion:
    line_id: int
    line_date: date
    line_amount: Money
    line_text: str
    entry_id: int
    entry_date: date
    entry_text: str
    reason: str


def _text(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def suggest_matches(db: Database, fund_id: int) -> list[Suggestion]:
    """Proposed matches for the treasurer to confirm."""
    with db.read() as session:
        proposals, lines, _entries = _proposals(session, fund_id)
        entries = {
            e.id: e
            for e in session.scalars(
                select(LedgerEntry).where(LedgerEntry.id.in_([p.entry_id for p in proposals]))
            )
        }
        return [
            Suggestion(
                p.line_id,
                lines[p.line_id].posted_on,
                lines[p.line_id].amount,
                _text(lines[p.line_id].description, lines[p.line_id].reference),
                p.entry_id,
                entries[p.entry_id].posted_on,
                _text(entries[p.entry_id].description, entries[p.entry_id].reference),
                p.reason,
            )
            for p in proposals
        ]


def match(db: Database, line_id: int, entry_id: int) -> None:
    """Reconcile a statement line with a ledger entry (confirmed, or chosen by hand)."""
    with db.write() as session:
        _match_in(session, line_id, entry_id, db.officer)


def match_many(db: Database, pairs: Sequence[tuple[int, int]]) -> list[str]:
    """Confirm many suggested matches in one transaction; a pair that can no longer be matched
    (matched meanwhile, say) is left out and its problem returned."""
    problems: list[str] = []
    with db.write() as session:
        for line_id, entry_id in pairs:
            try:
                with session.begin_nested():
                    _match_in(session, line_id, entry_id, db.officer)
            except ValidationError as exc:
                problems.append(" ".join(exc.errors.values()))
            except StaleEdit as exc:
                problems.append(str(exc))
    return problems


def _match_in(session: Session, line_id: int, entry_id: int, officer: str) -> None:
    line = session.get(BankLine, line_id)
    entry = session.get(LedgerEntry, entry_id)
    if line is None or entry is None:
        raise StaleEdit("The statement line or the ledger entry no longer exists.")
    if line.fund_id != entry.fund_id:
        raise ValidationError({"entry": "The entry is in another fund."})
    if line.entry_id is not None:
        raise ValidationError({"line": "This statement line is already matched."})
    if session.scalar(select(BankLine.id).where(BankLine.entry_id == entry_id)):
        raise ValidationError({"entry": "This ledger entry is already matched to a line."})
    if line.amount != entry.amount:
        raise ValidationError(
            {
                "entry": f"The line is {line.amount} and the entry {entry.amount}: only equal "
                "amounts can be matched. Record the difference as its own entry."
            }
        )
    line.entry_id = entry_id
    line.matched_by = officer[:200]
    line.matched_at = utcnow()
    session.flush()


@dataclass(frozen=True)
class MatchedLine:
    line_id: int
    posted_on: date
    amount: Money
    line_text: str
    entry_id: int
    entry_text: str
    matched_by: str


def matched_lines(db: Database, fund_id: int, limit: int = 500) -> list[MatchedLine]:
    """The lines reconciled most recently, with their entries, so a wrong match can be undone."""
    with db.read() as session:
        rows = session.execute(
            select(BankLine, LedgerEntry)
            .join(LedgerEntry, LedgerEntry.id == BankLine.entry_id)
            .where(BankLine.fund_id == fund_id)
            .order_by(BankLine.matched_at.desc(), BankLine.id.desc())
            .limit(limit)
        ).all()
        return [
            MatchedLine(
                line.id,
                line.posted_on,
                line.amount,
                _text(line.description, line.reference),
                entry.id,
                _text(entry.description, entry.reference),
                line.matched_by,
            )
            for line, entry in rows
        ]


def unmatch(db: Database, line_id: int) -> None:
    with db.write() as session:
        line = session.get(BankLine, line_id)
        if line is None:
            raise StaleEdit("The statement line no longer exists.")
        line.entry_id = None
        line.matched_by = ""
        line.matched_at = None


def record_line(
    db: Database,
    line_id: int,
    kind: str,
    description: str = "",
    donor_kind: str = "anonymous",
    donor_name: str = "",
) -> int:
    """Record a statement line the ledger lacks as a new entry (a bank charge, interest, a
    transfer or a donation) and match it; returns the entry's id."""
    from branchdesk.hardship.codes import DONOR_KINDS
    from branchdesk.hardship.donations import donor_label

    if kind != "donation" and kind not in MANUAL_KINDS:
        raise ValidationError({"kind": "Choose a bank charge, interest, a transfer or a donation."})
    if kind == "donation" and donor_kind not in DONOR_KINDS:
        raise ValidationError({"donor_kind": "Choose who the donor is."})
    with db.write() as session:
        line = session.get(BankLine, line_id)
        if line is None:
            raise StaleEdit("The statement line no longer exists.")
        if line.entry_id is not None:
            raise ValidationError({"line": "This statement line is already matched."})
        money_in = kind == "donation" or MANUAL_KINDS[kind] > 0
        if (line.amount > ZERO) != money_in:
            direction = "paid in" if line.amount > ZERO else "paid out"
            raise ValidationError(
                {"kind": f"The line is money {direction}; choose a kind that matches."}
            )
        lock_fund(session, line.fund_id)
        donor = donor_label(donor_kind, donor_name) if kind == "donation" else ""
        reference = line.reference or line.description[:200]
        details = description.strip() or line.description
        if kind == "donation" and donor_kind in ("individual", "anonymous"):
            # The bank's text usually names the payer, and the ledger can never be changed:
            # it stays on the statement line and the donation, which can be erased.
            reference, details = "", f"Donation: {DONOR_KINDS[donor_kind]}"
        entry = post(
            session,
            line.fund_id,
            kind,
            line.amount,
            line.posted_on,
            db.officer,
            reference=reference,
            description=details,
            donor=donor,
        )
        if kind == "donation":
            session.add(
                Donation(
                    fund_id=line.fund_id,
                    received_on=line.posted_on,
                    donor_kind=donor_kind,
                    donor_name="" if donor_kind == "anonymous" else donor_name.strip()[:200],
                    amount=line.amount,
                    method="bank_transfer",
                    bank_reference=(line.reference or line.description)[:200],
                    entry_id=entry.id,
                )
            )
        line.entry_id = entry.id
        line.matched_by = db.officer[:200]
        line.matched_at = utcnow()
        return entry.id


# The reconciliation view ----------------------------------------------------------------------


@dataclass(frozen=True)
class OpenItem:
    id: int
    posted_on: date
    amount: Money
    text: str


# The open items listed on screen; totals always count them all.
OPEN_ITEMS_SHOWN = 500


@dataclass(frozen=True)
class Reconciliation:
    as_of: date | None
    statement_balance: Money | None
    ledger_balance: Money
    # The bank's balance before the first statement line imported: money the account held
    # before the fund's ledger began (zero for an account opened for the fund).
    brought_forward: Money
    # Entries in the ledger the bank had not shown by the statement's date (an uncleared
    # cheque, a payment in transit), and statement lines the ledger had not recorded by then
    # (a bank charge): the first OPEN_ITEMS_SHOWN of each, with the count and total of all.
    not_on_statement: tuple[OpenItem, ...]
    not_in_ledger: tuple[OpenItem, ...]
    not_on_statement_count: int = 0
    not_on_statement_total: Money = ZERO
    not_in_ledger_count: int = 0
    not_in_ledger_total: Money = ZERO

    @property
    def difference(self) -> Money | None:
        """Statement balance less ledger balance."""
        if self.statement_balance is None:
            return None
        return self.statement_balance - self.ledger_balance

    @property
    def explained(self) -> Money:
        """What the open items account for: the balance brought forward and lines the ledger
        lacks, less entries the bank has not shown yet."""
        return self.brought_forward + self.not_in_ledger_total - self.not_on_statement_total

    @property
    def unexplained(self) -> Money | None:
        """Nonzero when the statements do not add up from one to the next: a statement
        missing between those imported, or a line changed by the bank."""
        difference = self.difference
        return None if difference is None else difference - self.explained

    @property
    def reconciled(self) -> bool:
        """The difference is all explained and the ledger has every statement line (entries
        the bank has not shown yet, such as an uncashed cheque, are normal)."""
        return self.unexplained == ZERO and self.not_in_ledger_count == 0


def _pence_sum(column: object) -> object:
    return func.coalesce(func.sum(type_coerce(column, BigInteger)), 0)


def _brought_forward(session: Session, fund_id: int) -> Money:
    """The first statement's closing balance less the lines it brought in, up to that date."""
    first = session.execute(
        select(BankStatement.id, BankStatement.closing_balance, BankStatement.closing_balance_on)
        .where(BankStatement.fund_id == fund_id, BankStatement.lines_imported > 0)
        .order_by(BankStatement.starts_on, BankStatement.id)
        .limit(1)
    ).first()
    if first is None or first[1] is None or first[2] is None:
        return ZERO
    lines = session.scalar(
        select(_pence_sum(BankLine.amount)).where(  # type: ignore[call-overload]
            BankLine.statement_id == first[0], BankLine.posted_on <= first[2]
        )
    )
    return first[1] - Money(int(lines or 0))


def _open_items(fund_id: int, as_of: date) -> tuple[Select[Any], Select[Any]]:
    """Lines on the statement by `as_of` whose entry is missing or dated later, and entries
    in the ledger by `as_of` whose line is missing or dated later."""
    entry = aliased(LedgerEntry)
    lines = (
        select(
            BankLine.id,
            BankLine.posted_on,
            BankLine.amount,
            BankLine.description,
            BankLine.reference,
        )
        .outerjoin(entry, entry.id == BankLine.entry_id)
        .where(
            BankLine.fund_id == fund_id,
            BankLine.posted_on <= as_of,
            or_(BankLine.entry_id.is_(None), entry.posted_on > as_of),
        )
    )
    line = aliased(BankLine)
    entries = (
        select(
            LedgerEntry.id,
            LedgerEntry.posted_on,
            LedgerEntry.amount,
            LedgerEntry.description,
            LedgerEntry.reference,
        )
        .outerjoin(line, line.entry_id == LedgerEntry.id)
        .where(
            LedgerEntry.fund_id == fund_id,
            LedgerEntry.posted_on <= as_of,
            or_(line.id.is_(None), line.posted_on > as_of),
        )
    )
    return lines, entries


def _summed(session: Session, query: Select[Any]) -> tuple[tuple[OpenItem, ...], int, Money]:
    sub = query.subquery()
    count, total = session.execute(
        select(func.count(), _pence_sum(sub.c.amount))  # type: ignore[call-overload]
    ).one()
    items = tuple(
        OpenItem(row_id, posted_on, amount, _text(description, reference))
        for row_id, posted_on, amount, description, reference in session.execute(
            # By date, then id: selected_columns are (id, posted_on, ...).
            query.order_by(query.selected_columns[1], query.selected_columns[0]).limit(
                OPEN_ITEMS_SHOWN
            )
        )
    )
    return items, int(count), Money(int(total or 0))


def reconciliation(db: Database, fund_id: int, as_of: date | None = None) -> Reconciliation:
    """The latest statement balance (on or before `as_of`, when given) against the ledger on
    the same day, and what explains the difference, counted up to the statement's date."""
    with db.read() as session:
        statements = select(BankStatement.closing_balance, BankStatement.closing_balance_on).where(
            BankStatement.fund_id == fund_id,
            BankStatement.closing_balance.is_not(None),
            BankStatement.closing_balance_on.is_not(None),
        )
        lines = select(func.max(BankLine.posted_on)).where(BankLine.fund_id == fund_id)
        if as_of is not None:
            statements = statements.where(BankStatement.closing_balance_on <= as_of)
            lines = lines.where(BankLine.posted_on <= as_of)
        latest = session.execute(
            statements.order_by(
                BankStatement.closing_balance_on.desc(), BankStatement.id.desc()
            ).limit(1)
        ).first()
        as_of = latest[1] if latest else None
        statement_balance = latest[0] if latest else None
        if as_of is None:
            as_of = session.scalar(lines)
        if as_of is None:
            return Reconciliation(None, None, current_balance(session, fund_id), ZERO, (), ())
        lines_q, entries_q = _open_items(fund_id, as_of)
        lines, lines_count, lines_total = _summed(session, lines_q)
        entries, entries_count, entries_total = _summed(session, entries_q)
        return Reconciliation(
            as_of,
            statement_balance,
            balance_on(session, fund_id, as_of),
            _brought_forward(session, fund_id),
            entries,
            lines,
            entries_count,
            entries_total,
            lines_count,
            lines_total,
        )


# Saved CSV layouts ----------------------------------------------------------------------------


def save_profile(db: Database, profile: CsvProfile) -> None:
    problems = profile.problems()
    if len(profile.name) > 100:
        problems.append("The layout's name is too long: at most 100 characters.")
    if problems:
        raise ValidationError({"profile": " ".join(problems)})
    with db.write() as session:
        row = session.scalar(select(BankCsvProfile).where(BankCsvProfile.name == profile.name))
        if row is None:
            session.add(BankCsvProfile(name=profile.name[:100], mapping=profile.to_json()))
        elif row.mapping != profile.to_json():
            row.mapping = profile.to_json()


def saved_profiles(db: Database) -> list[CsvProfile]:
    with db.read() as session:
        return [
            CsvProfile.from_json(text)
            for text in session.scalars(
                select(BankCsvProfile.mapping).order_by(BankCsvProfile.name)
            )
        ]


__all__ = [
    "BankFileError",
    "StatementRefused",
    "import_statement",
    "match",
    "reconciliation",
    "record_line",
    "suggest_matches",
    "unmatch",
]
