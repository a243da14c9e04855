"""People's names in free text: how a name is matched (as its folded words), found and
quoted, and the rough SQL filter for rows that may hold one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, func

EXCERPT = 70  # characters either side of a name, in the review list


_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")


def name_tokens(text: str) -> tuple[str, ...]:
    """A name or a text as its words, folded: how names are matched in free text."""
    return tuple(_WORD.findall(text.casefold()))


class NameFinder:
    """Finds people's full names (two words or more) in free text, whatever the case or spacing."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names: dict[tuple[str, ...], str] = {}
        for name in names:
            key = name_tokens(name)
            if len(key) >= 2:
                self._names.setdefault(key, " ".join(name.split()))
        self._sizes = sorted({len(key) for key in self._names}, reverse=True)

    def find(self, text: str) -> list[str]:
        if not text or not self._names:
            return []
        words = name_tokens(text)
        found: dict[str, None] = {}
        for size in self._sizes:
            for start in range(len(words) - size + 1):
                name = self._names.get(words[start : start + size])
                if name is not None:
                    found[name] = None
        return list(found)


def excerpt(text: str, name: str) -> str:
    """The words around the first place `name` appears in `text` (for the review list)."""
    flat = " ".join(text.split())
    pattern = r"\W+".join(re.escape(word) for word in name.split())
    match = re.search(pattern, flat, re.IGNORECASE)
    if match is None:
        return flat[: 2 * EXCERPT]
    start, end = max(0, match.start() - EXCERPT), min(len(flat), match.end() + EXCERPT)
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")


def _name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()


def _like(column: Any, name: str) -> ColumnElement[bool]:
    # A rough filter in SQL (lower() folds ASCII on SQLite); the words are checked in Python.
    return func.lower(column).contains(" ".join(name.split()).lower(), autoescape=True)
