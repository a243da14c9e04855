"""Who is at the keyboard: the officer signed in, and their role."""

from __future__ import annotations

from dataclasses import dataclass

from branchdesk.access.roles import ROLE_LABELS, Role


def name_key(name: str) -> str:
    """An officer's name folded for comparison: case and repeated spaces do not matter."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Principal:
    officer_id: int
    name: str
    role: Role

    @property
    def key(self) -> str:
        return name_key(self.name)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]
