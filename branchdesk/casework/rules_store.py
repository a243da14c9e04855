"""The branch's deadline rules, kept in the database so every PC computes the same dates.

Until someone edits them the shipped, sourced defaults apply; an edited copy is stored whole as
JSON with a version number, so two officers editing at once cannot overwrite each other.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from branchdesk.casework.deadlines import DeadlineRules
from branchdesk.casework.models import BranchSetting
from branchdesk.store.database import Database
from branchdesk.store.errors import StaleEdit

KEY = "deadline_rules"


def load_rules(db: Database) -> tuple[DeadlineRules, int | None]:
    """The rules in force and the version they were stored at (None: the shipped defaults)."""
    with db.read() as session:
        row = session.scalar(select(BranchSetting).where(BranchSetting.key == KEY))
    if row is None:
        return DeadlineRules.defaults(), None
    return DeadlineRules.from_json(row.value), row.version


def save_rules(db: Database, rules: DeadlineRules, version: int | None) -> int:
    """Store edited rules; `version` is what `load_rules` gave. Returns the new version."""
    text = rules.to_json()
    DeadlineRules.from_json(text)  # never store what could not be read back
    try:
        return _save(db, text, version)
    except IntegrityError as exc:
        # Another PC stored its first edit at the same moment.
        raise StaleEdit(_STALE) from exc


_STALE = (
    "The deadline rules were changed by someone else after you opened them. "
    "Nothing was saved: open them again and make your change."
)


def _save(db: Database, text: str, version: int | None) -> int:
    with db.write() as session:
        row = session.scalar(select(BranchSetting).where(BranchSetting.key == KEY))
        if (row.version if row is not None else None) != version:
            raise StaleEdit(_STALE)
        if row is None:
            row = BranchSetting(key=KEY, value=text)
            session.add(row)
        else:
            row.value = text
        session.flush()
        return row.version


def reset_rules(db: Database, version: int | None) -> None:
    """Go back to the shipped defaults."""
    with db.write() as session:
        row = session.scalar(select(BranchSetting).where(BranchSetting.key == KEY))
        if row is None:
            return
        if row.version != version:
            raise StaleEdit("The deadline rules were changed by someone else. Nothing was reset.")
        session.delete(row)
