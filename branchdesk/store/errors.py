"""Errors the storage layer raises, with messages fit to show a user."""

from __future__ import annotations


class StoreError(Exception):
    """A problem with the database that the user has to know about."""


class StaleEdit(StoreError):
    """A save was made against a row that someone else changed or deleted meanwhile."""


class DatabaseDamaged(StoreError):
    """The file is not a database, or is damaged."""


class MigrationFailed(StoreError):
    """A schema upgrade failed; the database was put back as it was."""
