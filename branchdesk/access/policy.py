"""The role checks, made on every session a `Database` hands out.

Every mapped table names its area (`__area__`). A query may touch only areas the officer's role
may read; a flush, or an insert, update or delete statement, may change only areas it may
write. Where a role sees only its own rows of an area (a caseworker's own cases), the table's
class gives the condition (`__own_rows__`) and it is added to every query as loader criteria,
so lists, counts, look-ups and related rows all leave the others out.

A refusal raises `AccessDenied`; `Database` records it in the audit log after the rollback.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, event, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import TextClause

from branchdesk.access.principal import Principal
from branchdesk.access.roles import AREA_LABELS, OWN_ROWS_ONLY, READ, WRITE, can
from branchdesk.store.errors import AccessDenied, SignInRequired

if TYPE_CHECKING:
    from sqlalchemy.orm import sessionmaker
    from sqlalchemy.sql import Executable

GUARD = "branchdesk_guard"

_areas: dict[str, str] | None = None
_classes: dict[str, type] | None = None


def _registry() -> tuple[dict[str, str], dict[str, type]]:
    global _areas, _classes
    if _areas is None or _classes is None:
        import branchdesk.schema  # noqa: F401  (every table's class is mapped)
        from branchdesk.store.base import Base

        mappers = list(Base.registry.mappers)
        _classes = {m.local_table.name: m.class_ for m in mappers}  # type: ignore[union-attr]
        _areas = {name: getattr(cls, "__area__", "") for name, cls in _classes.items()}
    return _areas, _classes


def table_areas() -> dict[str, str]:
    """Every mapped table's area, by table name."""
    return dict(_registry()[0])


class Guard:
    """The checks for one officer, kept in a session's `info` while the session lasts."""

    def __init__(self, principal: Principal | None) -> None:
        self.principal = principal

    # -- areas ---------------------------------------------------------------------------

    def require(self, area: str, action: str, table: str = "", row_id: int | None = None) -> None:
        principal = self.principal
        if principal is None:
            raise SignInRequired(
                "sign in first: this database has officers' accounts",
                table=table,
                action=action,
                row_id=row_id,
            )
        if area and can(principal.role, area, action):
            return
        what = AREA_LABELS.get(area, table or "this record")  # type: ignore[call-overload]
        verb = "see" if action == READ else "change"
        raise AccessDenied(
            f"{principal.name} is signed in as {principal.role_label.lower()}, which may not "
            f"{verb} {what}",
            table=table,
            action=action,
            row_id=row_id,
        )

    def own_rows_only(self, area: str) -> bool:
        return self.principal is not None and area in OWN_ROWS_ONLY.get(self.principal.role, ())

    def check_statement(self, statement: Executable, action: str) -> list[type]:
        """Refuse a statement touching an area the role may not; the classes to narrow."""
        areas, classes = _registry()
        narrow: list[type] = []
        for table in _tables(statement):
            area = areas.get(table, "")
            self.require(area, action, table)
            cls = classes.get(table)
            if cls is not None and self.own_rows_only(area) and cls not in narrow:
                narrow.append(cls)
        return narrow

    def restrict(self, statement: Any) -> Any:
        """A SELECT narrowed to what the officer may see, or AccessDenied."""
        narrow = self.check_statement(statement, READ)
        if not narrow:
            return statement
        assert self.principal is not None
        key = self.principal.key
        return statement.options(
            *(
                with_loader_criteria(cls, cls.__own_rows__(key), include_aliases=True)  # type: ignore[attr-defined]
                for cls in narrow
            )
        )

    # -- flushes -------------------------------------------------------------------------

    def check_flush(self, session: Session) -> None:
        areas, _ = _registry()
        for kind, objects in (
            ("new", session.new),
            ("dirty", session.dirty),
            ("gone", session.deleted),
        ):
            for obj in objects:
                table = obj.__table__.name
                row_id = getattr(obj, "id", None)
                area = areas.get(table, "")
                self.require(area, WRITE, table, row_id)
                if self.own_rows_only(area) and not self._owns(session, obj, kind):
                    assert self.principal is not None
                    raise AccessDenied(
                        f"{self.principal.name} may change only the cases they represent or "
                        "are assigned to",
                        table=table,
                        action=WRITE,
                        row_id=row_id,
                    )

    def _owns(self, session: Session, obj: Any, kind: str) -> bool:
        assert self.principal is not None
        key = self.principal.key
        with session.no_autoflush:
            if kind != "new":
                # A changed or deleted row must be one the officer could see as it was stored
                # (the query is narrowed by `_on_execute`).
                cls = type(obj)
                stored = session.execute(select(cls.id).where(cls.id == obj.id)).first()  # type: ignore[attr-defined]
                if stored is None:
                    return False
                # A case may be handed over to another rep; a note may not move to a case
                # that is not the officer's.
                if kind == "gone" or getattr(obj, "__owner_root__", False):
                    return True
            return bool(obj.__owned_by__(key, session))


def require(session: Session, area: str, action: str, table: str = "") -> None:
    """The role check for work done on the session's connection below the ORM (bulk imports),
    which the session's own checks cannot see. Nothing for a session without a guard."""
    guard: Guard | None = session.info.get(GUARD)
    if guard is not None:
        guard.require(area, action, table)


def _tables(statement: Any) -> Iterable[str]:
    seen: set[str] = set()
    for element in visitors.iterate(statement):
        if isinstance(element, Table) and element.name not in seen:
            seen.add(element.name)
            yield element.name


def _on_execute(state: ORMExecuteState) -> None:
    guard: Guard | None = state.session.info.get(GUARD)
    if guard is None:
        return
    if state.is_select:
        state.statement = guard.restrict(state.statement)
    elif isinstance(state.statement, TextClause):
        # Raw SQL names its tables in a string, where they cannot be checked: an officer's
        # session refuses it (the program's own checks run PRAGMAs, which read no rows).
        if not state.statement.text.lstrip().upper().startswith("PRAGMA"):
            raise AccessDenied(
                "a raw SQL statement cannot be checked against the officer's role",
                action=READ,
            )
    elif state.is_insert or state.is_update or state.is_delete:
        narrow = guard.check_statement(state.statement, WRITE)
        if narrow:
            # A bulk change cannot be checked row by row against what the officer owns.
            assert guard.principal is not None
            raise AccessDenied(
                f"{guard.principal.name} may change only their own cases, one at a time",
                table=narrow[0].__table__.name,  # type: ignore[attr-defined]
                action=WRITE,
            )


def _on_flush(session: Session, _context: Any, _instances: Any) -> None:
    guard: Guard | None = session.info.get(GUARD)
    if guard is not None:
        guard.check_flush(session)


def install(sessions: sessionmaker[Session]) -> None:
    """Attach the checks to every session a sessionmaker makes (active when a guard is set)."""
    event.listen(sessions, "do_orm_execute", _on_execute)
    event.listen(sessions, "before_flush", _on_flush)
