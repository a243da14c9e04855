"""An officer account: who signs in, in which role, with an Argon2id hash of the password."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from branchdesk.store.base import Base, Timestamped, Versioned, audit_values
from branchdesk.store.types import UTCDateTime


class Officer(Timestamped, Versioned, Base):
    __tablename__ = "officers"
    __area__ = "officers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), info=audit_values())
    # The name folded for comparison, so "Sam Okoro" and "sam okoro" are one account.
    name_key: Mapped[str] = mapped_column(String(200), unique=True, info={"audit_skip": True})
    role: Mapped[str] = mapped_column(String(20), info=audit_values())
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True, info=audit_values())
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0, info={"audit_skip": True})
    last_failed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"audit_skip": True}
    )
    last_signed_in_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"audit_skip": True}
    )
