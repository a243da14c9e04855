"""Errors the storage layer raises, with messages fit to show a user."""

from __future__ import annotations


class StoreError(Exception):
    """A problem with the database that the user has to know about."""


class StaleEdit(StoreError):
    """A save was made against a row that someone else changed or deleted meanwhile."""


class DatabaseDamaged(StoreError):
    """The file is not a database, or is damaged."""


class DiskFull(StoreError):
    """The disk ran out of space part-way; the transaction was rolled back."""


class MigrationFailed(StoreError):
    """A schema upgrade failed; the database was put back as it was."""


class AccessDenied(StoreError):
    """The signed-in officer's role does not allow this; the refusal is in the audit log."""

    def __init__(
        self, message: str, *, table: str = "", action: str = "", row_id: int | None = None
    ):
        super().__init__(message)
        self.table = table
        self.action = action
        self.row_id = row_id
        # Set once the refusal is in the audit log, so an enclosing session does not add it again.
        self.recorded = False


class SignInRequired(AccessDenied):
    """The database has officers' accounts and nobody has signed in."""
