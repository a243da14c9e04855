"""The subject access request register: each request a member made, and how it was answered."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from branchdesk.store.base import Base, Timestamped, Versioned, audit_values
from branchdesk.store.types import UTCDateTime


class SarStatus(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    SENT = "sent"
    REFUSED = "refused"


SAR_STATUSES: dict[str, str] = {
    SarStatus.RECEIVED: "Received",
    SarStatus.IN_PROGRESS: "In progress",
    SarStatus.SENT: "Sent",
    SarStatus.REFUSED: "Refused",
}

# Requests still waiting for an answer: their deadline matters.
OPEN_STATUSES: tuple[str, ...] = (SarStatus.RECEIVED.value, SarStatus.IN_PROGRESS.value)

NOTES_LIMIT = 500
REASON_LIMIT = 300


class SarRequest(Timestamped, Versioned, Base):
    __tablename__ = "sar_requests"
    __area__ = "privacy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # SET NULL, not RESTRICT: erasing a member must not be blocked by the record that they once
    # asked for their data, and the register row (dates, status) is the branch's evidence that
    # it answered in time.
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True, info=audit_values()
    )
    received_on: Mapped[date] = mapped_column(Date, info=audit_values())
    # 0, 1 or 2: the further months allowed for a complex request (UK GDPR Article 12(3)).
    extended_months: Mapped[int] = mapped_column(Integer, default=0, info=audit_values())
    extension_reason: Mapped[str] = mapped_column(String(REASON_LIMIT), default="")
    status: Mapped[str] = mapped_column(
        String(20), default=SarStatus.RECEIVED.value, index=True, info=audit_values()
    )
    sent_on: Mapped[date | None] = mapped_column(Date, info=audit_values())
    # The export made for this request: when, and the folder it was written to (a path can
    # name the member, so only the time goes into the audit log).
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), info=audit_values())
    export_folder: Mapped[str] = mapped_column(String(1000), default="")
    notes: Mapped[str] = mapped_column(String(NOTES_LIMIT), default="")
