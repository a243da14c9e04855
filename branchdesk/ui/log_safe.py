"""Logging an error by its type and where it happened, never by what its message says.

An exception's message can quote what it was given: a name typed into the member form, a cell
of an imported CSV file. The log file sits on an office PC and is sent to whoever looks after
BranchDesk, so it must never hold a member's details. The type and the frames are what someone
fixing the bug needs; the user still sees the whole message on screen.
"""

from __future__ import annotations

import traceback
from types import TracebackType

from sqlalchemy.exc import DBAPIError

# Enough of a chain of "raised while handling" to see where it began, without looping forever.
_MAX_CHAIN = 8


def error_kind(exc: BaseException) -> str:
    """`OperationalError (SQLITE_BUSY)`: the type, and the driver's error code if there is one."""
    name = type(exc).__name__
    code = getattr(exc.orig, "sqlite_errorname", None) if isinstance(exc, DBAPIError) else None
    return f"{name} ({code})" if code else name


def redacted_traceback(exc: BaseException, tb: TracebackType | None = None) -> str:
    """The traceback of `exc` and the errors that led to it, each ending in its type alone."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < _MAX_CHAIN and id(current) not in map(id, chain):
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    parts = []
    for n, error in enumerate(reversed(chain)):
        frames = tb if error is exc and tb is not None else error.__traceback__
        parts.append(
            "Traceback (most recent call last):\n"
            + "".join(traceback.format_tb(frames))
            + f"{type(error).__module__}.{error_kind(error)}: (message not logged)\n"
        )
        if n < len(chain) - 1:
            parts.append("\nwhich led to:\n\n")
    return "".join(parts)
