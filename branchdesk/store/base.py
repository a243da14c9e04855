"""The declarative base and the mix-ins every editable table uses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from branchdesk.store.types import UTCDateTime, utcnow

# Stable constraint names, so Alembic can alter them later on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)

    # Rows of audited tables are written to the audit log on every create, change and delete.
    __audited__: bool = True
    # What part of the branch's records a table belongs to; roles are granted areas
    # (branchdesk.access.roles). Every table names one.
    __area__: str = ""


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


class Versioned:
    """A version number that refuses a save made against a row someone else has changed."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


def audit_values(**kwargs: Any) -> dict[str, Any]:
    """Column `info` for a field whose old and new values may go into the audit log.

    Fields are personal by default: the audit log names them but keeps no value, so erasing a
    member erases them everywhere.
    """
    return {"audit_values": True, **kwargs}
