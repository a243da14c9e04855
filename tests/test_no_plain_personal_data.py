"""Settings, logs, temporary files and backups carry no personal data in plain text.

Every piece of personal text typed into an encrypted branch carries a random marker of its own
(one per field: a member's surname, first name, address, email and notes; a case's title and
companion; timeline entries, one confidential; a document's content and file name; a hardship
claim's text and the panel's reasons; a demand's case and the employer's response; a
contract's pay notes and an event; a bank statement line; a case later erased). The branch
then goes through what a branch does, once for the whole module (`worked`): the command line's
imports, lists, every export, backups, restore, the restore drill, the check, a subject access
request, the retention review, officers and passwords; a document opened for viewing; the
window with every tab, a search, a document opened from a case, errors that quote a member,
Preferences, today's backup and File › Back up….

Then every file under the world the program lives in (the database's folder with its -wal,
-shm and .keys files and the documents, the backups, the data folder with its logs, the config
folder, the temporary folder, a home folder) is searched for every marker (marker_world.scan):
one may be only in the exports the user asked for. The same search runs while the database is
open with its -wal file full, and on every file at the moment the program removes it
(marker_world.RemovalWatch), so temporary files count too.

The controls show the search can fail: each marker is found in an export; in a plain branch
the markers are found in the -wal file, the database, the backup and the documents folder.
A plain branch encrypted with `branchdesk encrypt` keeps no marker anywhere, backups included.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from marker_world import (
    FUND,
    MEMBER_FIELDS,
    MEMBER_NUMBER,
    NEW_PASSWORD,
    NOT_EXPORTED,
    PASSWORD,
    SECRETARY,
    TREASURER,
    TREASURER_PASSWORD,
    Finding,
    RemovalWatch,
    Scan,
    World,
    bank_statement_csv,
    find_markers,
    import_bank,
    import_members,
    members_csv,
    new_markers,
    scan,
    seed_records,
    the_document,
)
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QTabWidget, QWidget

from branchdesk.access import officers
from branchdesk.access.encryption import open_encrypted
from branchdesk.casework.documents import (
    clear_viewing_folder,
    export_copy,
    viewable_copy,
    viewing_folder,
)
from branchdesk.casework.service import case_id_by_reference
from branchdesk.cli import main
from branchdesk.settings import Preferences
from branchdesk.store.conversion import is_plain
from branchdesk.store.database import Database, open_database
from branchdesk.store.schedule import take_daily_backup
from branchdesk.store.sealed import is_sealed
from branchdesk.ui import exception_hook
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs import DialogService
from branchdesk.ui.main_window import MainWindow
from branchdesk.ui.worker import Worker

# Argon2id runs at every command's unlock and sign-in: the module takes about 25 s of CPU
# time, most of it in the first test (which sets up `worked`). The timeout is for a loaded PC.
pytestmark = pytest.mark.timeout(300)

BRANCH = "Northmoor Fictional Branch"


@dataclass
class Cli:
    """`branchdesk` run in-process, its output captured, as tests/test_cli.py runs it."""

    db: Path
    watch: RemovalWatch | None = None

    def __call__(self, *args: str, officer: str | None = SECRETARY) -> str:
        if self.watch is not None:
            self.watch.step = "branchdesk " + " ".join(args)
        words = ["--db", str(self.db)]
        if officer is not None:
            words += ["--officer", officer]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main([*words, *args])
            except SystemExit as exc:
                status = int(exc.code or 0)
        assert status == 0, f"branchdesk {' '.join(args)} exited {status}: {err.getvalue()}"
        return out.getvalue()


@contextlib.contextmanager
def _living_in(world: World, patch: pytest.MonkeyPatch) -> Iterator[World]:
    """The program's folders, temporary folder and home all in `world`; the log file the
    window keeps (here also for the commands); preferences naming the backups folder."""
    for name, value in world.environment().items():
        patch.setenv(name, value)
    patch.delenv("BRANCHDESK_DB", raising=False)
    patch.setattr(tempfile, "tempdir", str(world.tmp))
    prefs = Preferences()
    assert prefs.path.parent == world.config
    prefs.set("backup_folder", str(world.backups))
    prefs.set("branch_name", BRANCH)
    prefs.set("officer_name", SECRETARY)
    prefs.save()

    from branchdesk.app import _LOG_HANDLER_NAME, _log_to_file

    root = logging.getLogger()
    # A log file another test left set up would keep this world's log from being written.
    aside = [h for h in root.handlers if h.name == _LOG_HANDLER_NAME]
    for handler in aside:
        root.removeHandler(handler)
    _log_to_file()
    added = [h for h in root.handlers if h.name == _LOG_HANDLER_NAME]
    assert added, "the log file was not set up"
    # The handler takes INFO; BranchDesk's own INFO lines are let through to it, so what the
    # program would log at that level is scanned too (third-party loggers stay as they are).
    app_logger = logging.getLogger("branchdesk")
    level = app_logger.level
    app_logger.setLevel(logging.INFO)
    try:
        yield world
    finally:
        app_logger.setLevel(level)
        for handler in added:
            root.removeHandler(handler)
            handler.close()
        for handler in aside:
            root.addHandler(handler)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with _living_in(World(tmp_path / "world", tmp_path / "user-files").make(), monkeypatch) as w:
        yield w


@contextlib.contextmanager
def _wal_kept(db: Database) -> Iterator[None]:
    """Hold a connection open, as a second window or PC would: each unit of work closes its
    own, and the last one to close empties the -wal file into the database and removes it.
    While this one is open, what is written stays in the -wal file, to be scanned there."""
    keeper = db.engine.connect()
    try:
        keeper.exec_driver_sql("SELECT count(*) FROM sqlite_master").all()
        yield
        wal = Path(f"{db.path}-wal")
        assert wal.is_file() and wal.stat().st_size, "nothing was left in the -wal file"
    finally:
        keeper.close()


def _scan(world: World, markers: dict[str, str], *, viewing: bool = False) -> Scan:
    """Every file under the world; markers may be in the exports only (and, with `viewing`,
    in the copies of documents opened for viewing, which the officer asked for too)."""
    allowed = [world.exports, world.data / "opened-documents"] if viewing else [world.exports]
    return scan([world.root], markers, allowed=allowed)


def _listing(findings: list[Finding]) -> str:
    return "\n".join(str(f) for f in findings)


# -- the encrypted branch, through every workflow ------------------------------------------------


@dataclass
class Worked:
    """An encrypted branch after every workflow, and what was seen on the way."""

    world: World
    markers: dict[str, str]
    final: Scan
    while_open: list[tuple[str, Scan]] = field(default_factory=list)  # -wal file full
    removed: list[Path] = field(default_factory=list)
    removed_findings: list[Finding] = field(default_factory=list)
    removal_problems: list[str] = field(default_factory=list)
    viewing_left: list[Path] = field(default_factory=list)  # after the window closed


def _command_line_workflows(cli: Cli, worked: Worked, patch: pytest.MonkeyPatch) -> str:
    """Set up, seed and work the branch from the command line (and, for what the command line
    does not type, the service functions it calls). Returns the reference of the case."""
    world, markers, exports = worked.world, worked.markers, worked.world.exports
    patch.setenv("BRANCHDESK_NEW_PASSWORD", PASSWORD)
    out = cli("officer", "setup", "--name", SECRETARY, "--encrypt", officer=None)
    assert "Recovery code" in out
    assert (world.db_folder / "branch.sqlite3.keys").is_file()
    patch.setenv("BRANCHDESK_PASSWORD", PASSWORD)

    # The user's own member list, kept outside the scanned world.
    csv_file = members_csv(world.user_files / "members.csv", markers)
    out = cli("import", "members", str(csv_file))
    assert "2 members added" in out

    # What the command line cannot type: cases, timeline, a document, the hardship fund, a
    # demand, a contract. The same service functions the window calls.
    if cli.watch is not None:
        cli.watch.step = "seeding, viewing and copying a document (service functions)"
    db = open_encrypted(world.db_path, SECRETARY, PASSWORD)
    try:
        with _wal_kept(db):
            seeded = seed_records(db, markers, world.user_files, date.today())
            worked.while_open.append(("seeding", _scan(world, markers)))
        document = the_document(db, seeded.document_id)
        # Opened for viewing: a plain copy in the viewing folder, as the officer asked.
        viewed = viewable_copy(db, document)
        assert viewed.ok and viewed.path.is_relative_to(viewing_folder())
        assert markers["document content"] in viewed.path.read_text("utf-8")
        # Saved elsewhere on purpose (to email it): an export.
        export_copy(db, document, exports / "document-copy.txt")
    finally:
        db.dispose()
    assert clear_viewing_folder() >= 1
    assert not any(p.is_file() for p in viewing_folder().rglob("*"))

    # The fund's bank statement, imported and reconciled.
    statement = bank_statement_csv(world.user_files / "statement.csv", markers)
    out = cli("import", "bank", str(statement), "--fund", FUND)
    assert "2 lines imported" in out

    # Lists, as a user saves them (`branchdesk list members > members.csv`): exports.
    lists = {
        "members": ("list", "members"),
        "members-search": ("list", "members", "--search", markers["member surname"]),
        "cases": ("list", "cases"),
        "cases-search": ("list", "cases", "--search", markers["timeline note"]),
        "claims": ("list", "claims"),
        "contracts": ("list", "contracts"),
        "funds": ("list", "funds"),
        "fund-claims": ("list", "claims", "--fund", FUND),
        "ledger": ("list", "ledger", "--fund", FUND),
    }
    for name, words in lists.items():
        (exports / f"list-{name}.csv").write_text(cli(*words), "utf-8")
    assert markers["member surname"] in (exports / "list-members-search.csv").read_text("utf-8")

    # Every export the command line offers, in each format.
    for what, name in (
        ("members", "members.xlsx"),
        ("members", "members.pdf"),
        ("cases", "cases.xlsx"),
        ("cases", "cases.pdf"),
        ("caseload", "caseload.pdf"),
        ("caseload", "caseload.xlsx"),
        ("deadlines", "deadlines.ics"),
        ("claims", "claims.xlsx"),
        ("contracts", "contracts.xlsx"),
        ("outsourcing-briefing", "briefing.pdf"),
    ):
        cli("export", what, "--out", str(exports / name))
    cli(
        "export", "case-summary", "--case", seeded.case_reference,
        "--include-confidential", "--out", str(exports / "case-summary.pdf"),
    )  # fmt: skip
    for suffix in ("pdf", "xlsx"):
        cli(
            "export", "claim", "--claim", seeded.claim_reference,
            "--out", str(exports / f"claim-pack.{suffix}"),
        )  # fmt: skip
    cli("export", "ledger", "--fund", FUND, "--out", str(exports / "ledger.xlsx"))
    cli(
        "export", "ledger", "--fund", FUND, "--anonymised",
        "--out", str(exports / "ledger-anonymised.xlsx"),
    )  # fmt: skip
    cli("export", "statement", "--fund", FUND, "--out", str(exports / "statement.pdf"))
    for suffix in ("xlsx", "pdf"):
        cli("export", "payments", "--fund", FUND, "--out", str(exports / f"payments.{suffix}"))

    # A subject access request, logged and answered.
    cli("sar", "add", "--member", MEMBER_NUMBER, "--notes", "Asked by letter")
    (exports / "list-sar.csv").write_text(cli("sar", "list"), "utf-8")
    cli("export", "sar", "--member", MEMBER_NUMBER, "--out", str(exports / "sar"), "--request", "1")
    assert len(list((exports / "sar").iterdir())) == 3

    # Backups: the rotation's, one to a file of the user's choice, a restore from it, the
    # restore drill and the check.
    cli("backup")
    cli("backup", "--out", str(world.backups / "before-the-move.sqlite3"))
    assert "restored" in cli("restore", str(world.backups / "before-the-move.sqlite3"))
    assert "pass" in cli("restore-drill").lower()
    assert "all checks passed" in cli("check")

    # The retention review: the case closed in 2016 is due, and is erased (its summary was
    # printed first, for the branch's own files).
    cli(
        "export", "case-summary", "--case", seeded.erased_case_reference,
        "--out", str(exports / "old-case-summary.pdf"),
    )  # fmt: skip
    due = cli("retention", "due")
    (exports / "retention-due.csv").write_text(due, "utf-8")
    assert seeded.erased_case_reference in due
    cli("retention", "apply", "--ref", seeded.erased_case_reference)
    assert seeded.erased_case_reference not in cli("retention", "due")

    # Officers: a treasurer added (given a key), who signs in; the secretary's new password
    # and a new recovery code.
    patch.setenv("BRANCHDESK_NEW_PASSWORD", TREASURER_PASSWORD)
    cli("officer", "add", "--name", TREASURER, "--role", "treasurer")
    patch.setenv("BRANCHDESK_PASSWORD", TREASURER_PASSWORD)
    assert FUND in cli("list", "funds", officer=TREASURER)
    patch.setenv("BRANCHDESK_PASSWORD", PASSWORD)
    patch.setenv("BRANCHDESK_NEW_PASSWORD", NEW_PASSWORD)
    cli("officer", "password", "--name", SECRETARY)
    patch.setenv("BRANCHDESK_PASSWORD", NEW_PASSWORD)
    assert TREASURER in cli("officer", "list")
    cli("officer", "recovery-code")

    # The audit log, last, so it holds everything above.
    cli("export", "audit", "--out", str(exports / "audit.xlsx"))
    return seeded.case_reference


class ScriptedDialogs(DialogService):
    """The window's questions answered by the test: each custom dialog by the next handler,
    each save-file dialog by the next path; every confirmation is a yes."""

    def __init__(self) -> None:
        self.handlers: list[Callable[[Any], None]] = []
        self.save_files: list[Path] = []
        self.shown: list[tuple[str, str]] = []

    def confirm(self, parent: QWidget | None, title: str, text: str, *, yes: str = "") -> bool:
        self.shown.append(("confirm", title))
        return True

    def error(self, parent: QWidget | None, title: str, text: str, details: str = "") -> None:
        self.shown.append(("error", f"{title}: {text}"))

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        self.shown.append(("info", title))

    def save_file(
        self, parent: QWidget | None, title: str, suggested: str | Path, filter: str
    ) -> Path | None:
        self.shown.append(("save_file", title))
        if not self.save_files:
            raise AssertionError(f"unexpected save-file dialog {title!r}")
        return self.save_files.pop(0)

    def run_dialog(self, dialog: QDialog) -> bool:
        if not self.handlers:
            raise AssertionError(f"unexpected dialog {dialog.windowTitle()!r}")
        dialog.show()
        self.handlers.pop(0)(dialog)
        accepted = dialog.result() == QDialog.DialogCode.Accepted
        dialog.hide()
        return accepted

    def open_folder(self, path: Path) -> bool:
        return True


def _wait_until(condition: Callable[[], object], what: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        QTest.qWait(10)


def _errors_quoting_a_member(
    ctx: AppContext, markers: dict[str, str], patch: pytest.MonkeyPatch
) -> None:
    """Errors whose messages quote a member (as a validation or driver message can): one no
    screen caught, reaching the exception hook, and one in background work. The log must
    have them by type and frames only."""
    shown: list[str] = []
    patch.setattr(exception_hook, "_show_dialog", lambda text, details: shown.append(text))
    name = f"{markers['member first name']} {markers['member surname']}"

    def save() -> None:
        try:
            raise ValueError(f"{name} lives at {markers['member home address']}")
        except ValueError as exc:
            raise RuntimeError(f"could not save {name}") from exc

    try:
        save()
    except RuntimeError as exc:
        exception_hook.handle_exception(type(exc), exc, exc.__traceback__)
    assert shown and markers["member surname"] in shown[0]  # on screen, for the officer

    failed: list[BaseException] = []

    def work() -> None:
        raise ValueError(f"could not export {name}: {markers['member notes']}")

    ctx.worker.run(work, on_error=failed.append)
    ctx.worker.wait_for_done(10_000)
    assert failed, "the failing background work did not report back"


def _work_the_window(
    worked: Worked, case_ref: str, ctx: AppContext, patch: pytest.MonkeyPatch
) -> None:
    """Every tab and page; the case with its timeline; a search of the notes; its document
    opened; errors quoting a member; Preferences changed (the backups folder), today's backup
    and File › Back up…; then the window closed, as an officer closes BranchDesk."""
    world, markers = worked.world, worked.markers
    dialogs = ctx.dialogs
    assert isinstance(dialogs, ScriptedDialogs)
    window = MainWindow(ctx)
    try:
        window.show()
        assert QTest.qWaitForWindowExposed(window)
        _wait_until(lambda: window.registers_built and not window.loading_pages, "the registers")
        titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
        assert titles == ["Casework", "Negotiating demands", "Outsourcing watch", "Hardship fund"]
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            for inner in window.tabs.widget(index).findChildren(QTabWidget):
                for n in range(inner.count()):
                    inner.setCurrentIndex(n)
                    QTest.qWait(10)
            QTest.qWait(20)

        case_id = case_id_by_reference(ctx.db, case_ref)
        assert case_id is not None
        window.tabs.setCurrentIndex(0)
        window.casework_tab.show_case(case_id)
        cases = window.casework_tab.cases_page
        _wait_until(lambda: cases.selected_id() == case_id, "the case to show")
        _wait_until(lambda: cases.detail.documents.rowCount() == 1, "the case's document")
        # The document opened from the case, as a double click does (the viewer is not run).
        opened: list[QUrl] = []
        patch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
        cases.open_document(0)
        assert len(opened) == 1, dialogs.shown
        copy = Path(opened[0].toLocalFile())
        assert markers["document content"] in copy.read_text("utf-8")
        # A search of the notes for what was typed in one.
        cases.filter_bar.edit.setFocus()
        QTest.keyClicks(cases.filter_bar.edit, markers["timeline note"])
        QTest.keyClick(cases.filter_bar.edit, Qt.Key.Key_Return)
        QTest.qWait(50)
        worked.while_open.append(("working in the window", _scan(world, markers, viewing=True)))

        _errors_quoting_a_member(ctx, markers, patch)

        # Preferences: the daily backups move to another folder (a USB stick, say), where
        # today's backup is then taken, by the window.
        stick = world.backups / "usb-stick"

        def move_backups(dialog: Any) -> None:
            dialog.backup_folder.setFocus()
            dialog.backup_folder.selectAll()
            QTest.keyClick(dialog.backup_folder, Qt.Key.Key_Delete)
            QTest.keyClicks(dialog.backup_folder, str(stick))
            QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

        dialogs.handlers.append(move_backups)
        window.preferences_action.trigger()
        assert not dialogs.handlers, "Preferences did not open"
        assert Preferences().get("backup_folder") == str(stick)
        window.database_actions.start_daily_backup()
        ctx.worker.wait_for_done(10_000)
        assert [p for p in stick.glob("branch.backup-*.sqlite3") if not is_plain(p)]
        # File › Back up…, to a file the officer chooses.
        dialogs.save_files.append(world.backups / "from-the-window.sqlite3")
        window.database_actions.backup_action.trigger()
        ctx.worker.wait_for_done(10_000)
        assert not is_plain(world.backups / "from-the-window.sqlite3")
        assert not [s for s in dialogs.shown if s[0] == "error"], dialogs.shown
    finally:
        window.close()
        window.deleteLater()
        QApplication.processEvents()


@pytest.fixture(scope="module")
def worked(tmp_path_factory: pytest.TempPathFactory, qapp: QApplication) -> Iterator[Worked]:
    """An encrypted branch worked through every workflow once, for the tests below."""
    root = tmp_path_factory.mktemp("no-plain-personal-data")
    world = World(root / "world", root / "user-files").make()
    markers = new_markers()
    with pytest.MonkeyPatch.context() as patch, _living_in(world, patch):
        watch = RemovalWatch.installed()
        with watch.watching([world.root], markers):
            worked = Worked(world, markers, Scan())
            cli = Cli(world.db_path, watch)
            case_ref = _command_line_workflows(cli, worked, patch)
            watch.step = "the window"
            db = open_encrypted(world.db_path, SECRETARY, NEW_PASSWORD)
            ctx = AppContext(
                db=db,
                preferences=Preferences(),
                dialogs=ScriptedDialogs(),
                worker=Worker(synchronous=True),
            )
            try:
                with _wal_kept(db):
                    _work_the_window(worked, case_ref, ctx, patch)
            finally:
                ctx.worker.wait_for_done(10_000)
                db.dispose()
        worked.removed = list(watch.removed)
        worked.removed_findings = list(watch.findings)
        worked.removal_problems = list(watch.problems)
        worked.viewing_left = sorted(p for p in viewing_folder().rglob("*") if p.is_file())
        # The copies opened for viewing are judged by the last test, on their own.
        worked.final = _scan(world, markers, viewing=True)
        yield worked


def test_no_file_the_program_keeps_holds_personal_data(worked: Worked) -> None:
    world = worked.world
    # What the program wrote, so the scan is known to have covered it.
    files = {p.relative_to(world.root) for p in worked.final.files}
    for expected in (
        Path("data/logs/branchdesk.log"),
        Path("config/preferences.json"),
        Path("config/window.ini"),
        Path("database/branch.sqlite3"),
        Path("database/branch.sqlite3.keys"),
    ):
        assert expected in files, sorted(map(str, files))
    assert any(p.parts[:2] == ("database", "branch-documents") for p in files)
    assert any(p.name.startswith("branch.before-restore-") for p in files)
    assert len([p for p in files if p.parts[0] == "backups" and p.suffix == ".sqlite3"]) >= 3
    assert not is_plain(world.db_path)

    leaks = worked.final.leaks
    assert not leaks, f"personal data in plain text, outside the exports:\n{_listing(leaks)}"


def test_nothing_leaks_while_the_database_is_open(worked: Worked) -> None:
    """Scanned with the -wal file still holding what was just written."""
    assert [what for what, _ in worked.while_open] == ["seeding", "working in the window"]
    for what, result in worked.while_open:
        assert any(p.name == "branch.sqlite3-wal" for p in result.files), what
        assert not result.leaks, f"personal data in plain text ({what}):\n{result.report()}"


def test_each_marker_is_in_an_export_the_user_asked_for(worked: Worked) -> None:
    """The control: each marker is found in an export, so the scan would see it were it
    anywhere else. (A bank line's description is in no export: the plain branch's control
    shows the scan finds it in a database.)"""
    exports = worked.world.exports.resolve()
    found = {f.field for f in worked.final.allowed if f.path.resolve().is_relative_to(exports)}
    missing = sorted(set(worked.markers) - NOT_EXPORTED - found)
    assert not missing, f"no export holds these fields, so the scan cannot vouch for: {missing}"


def test_no_file_removed_on_the_way_held_personal_data(worked: Worked) -> None:
    """Files written and removed again (temporary files, the drill's scratch copy, backups
    rotated out) held no marker when removed either. The copy of a document opened for
    viewing is the officer's, like an export: it is shredded first, only its name is left."""
    if sys.platform == "linux":
        assert not worked.removal_problems, worked.removal_problems
    assert worked.removed, "the removal watch saw no file removed"
    allowed = [worked.world.exports.resolve(), (worked.world.data / "opened-documents").resolve()]
    leaks = [
        f
        for f in worked.removed_findings
        if not any(f.path.is_relative_to(folder) for folder in allowed)
    ]
    assert not leaks, (
        "personal data in plain text in a file written, then removed, on the way:\n"
        + _listing(leaks)
    )


def test_documents_opened_in_the_window_are_cleared_when_it_closes(worked: Worked) -> None:
    """The plain copy made for the viewer is the officer's, like an export, but it is kept in
    the data folder only while BranchDesk is open: the viewing folder "is emptied when
    BranchDesk starts and closes" (casework/documents.py)."""
    fields: dict[Path, set[str]] = {}
    for f in worked.final.allowed:
        fields.setdefault(f.path, set()).add(f.field)
    left = [
        f"{p.relative_to(worked.world.root)} (holding the {', '.join(sorted(fields.get(p, ())))})"
        for p in worked.viewing_left
    ]
    assert not left, (
        "plain copies of documents opened for viewing are still in the data folder after the "
        "window closed:\n" + "\n".join(left)
    )


# -- the controls --------------------------------------------------------------------------------


def _plain_branch(
    world: World, markers: dict[str, str], while_open: Callable[[], None] | None = None
) -> None:
    """A plain (unencrypted) branch with the markers, a document and today's backup;
    `while_open` is called with the -wal file still holding the records just written."""
    db = open_database(world.db_path, officer=SECRETARY)
    try:
        officers.create_first_officer(db, SECRETARY, PASSWORD)
        with _wal_kept(db):
            import_members(db, members_csv(world.user_files / "members.csv", markers))
            seed_records(db, markers, world.user_files, date.today())
            import_bank(db, bank_statement_csv(world.user_files / "statement.csv", markers))
            if while_open is not None:
                while_open()
    finally:
        db.dispose()
    assert take_daily_backup(world.db_path, world.backups) is not None


def _fields_in(result: Scan, where: Callable[[Path], bool]) -> set[str]:
    return {f.field for f in result.leaks if where(f.path)}


def test_the_scan_finds_the_markers_in_a_plain_branch(world: World) -> None:
    """The scan can fail: in a plain branch it finds every marker in the -wal file while the
    database is open, then in the database file and in the backup, and the document's content
    in the documents folder, whatever the case the marker is searched in; and the removal
    watch finds one in a temporary file as it is removed."""
    markers = new_markers()
    stored_in_rows = set(markers) - {"document content"}
    seen: dict[str, set[str]] = {}

    def scan_while_open() -> None:
        seen["wal"] = _fields_in(_scan(world, markers), lambda p: p.name == "branch.sqlite3-wal")

    _plain_branch(world, markers, scan_while_open)
    assert seen["wal"] >= stored_in_rows, sorted(stored_in_rows - seen["wal"])

    result = _scan(world, markers)
    in_database = _fields_in(result, lambda p: p == world.db_path)
    in_backups = _fields_in(result, lambda p: p.is_relative_to(world.backups))
    in_documents = _fields_in(result, lambda p: "branch-documents" in p.parts)
    assert in_database >= stored_in_rows, sorted(stored_in_rows - in_database)
    assert in_backups >= stored_in_rows, sorted(stored_in_rows - in_backups)
    assert in_documents == {"document content"}
    # The search ignores case: a marker written in capitals is still found in the file.
    shouting = {"timeline note": markers["timeline note"].upper()}
    assert find_markers(world.db_path, shouting, world.root)

    with RemovalWatch.installed().watching([world.root], markers) as removals:
        handle, name = tempfile.mkstemp(dir=world.tmp)
        with open(handle, "w", encoding="utf-16-le") as scratch:
            scratch.write(f"left for a moment: {markers['member notes'].lower()}")
        Path(name).unlink()
    assert [(f.path.name, f.field) for f in removals.findings] == [
        (Path(name).name, "member notes")
    ]


def test_encrypting_a_plain_branch_leaves_no_plain_copy(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    markers = new_markers()
    _plain_branch(world, markers)
    before = _scan(world, markers)
    assert {f.field for f in before.leaks} >= set(MEMBER_FIELDS)

    monkeypatch.setenv("BRANCHDESK_PASSWORD", PASSWORD)
    with RemovalWatch.installed().watching([world.root], markers) as removals:
        out = Cli(world.db_path, removals)("encrypt")
    assert "now encrypted" in out and "Recovery code" in out

    # The plain files were overwritten before they were removed: no marker at the moment of
    # removal (the database's, the backup's, and the document's plain copy).
    removed = {p.name for p in removals.removed}
    assert "branch.sqlite3.plain-before-encryption" in removed
    assert any(
        name.endswith(".sqlite3.plain-before-encryption")
        for name in removed - {"branch.sqlite3.plain-before-encryption"}
    ), sorted(removed)
    assert any(name.startswith(".") and name.endswith(".txt.plain") for name in removed)
    assert not removals.findings, _listing(removals.findings)
    leftovers = sorted(
        p.name for p in world.db_folder.iterdir() if "plain" in p.name or "encrypting" in p.name
    )
    assert not leftovers

    leaks = _scan(world, markers).leaks
    assert not leaks, f"personal data in plain text after `encrypt`:\n{_listing(leaks)}"
    # The database and its backup are encrypted, the documents sealed, and the branch still
    # opens and checks.
    backups = list(world.backups.glob("branch.backup-*.sqlite3"))
    assert backups and not any(is_plain(p) for p in [world.db_path, *backups])
    assert all(p.with_name(p.name + ".keys").is_file() for p in backups)
    documents = [p for p in (world.db_folder / "branch-documents").rglob("*") if p.is_file()]
    assert documents and all(is_sealed(p) for p in documents)
    assert "all checks passed" in Cli(world.db_path)("check")
