"""A branch seeded with unique marker strings, and a scanner that looks for them in files.

Used by test_no_plain_personal_data.py: every piece of personal text the test types carries a
marker of its own (one per field, so a finding names the field), and after the workflows have
run, every file the program wrote is searched for every marker. The search looks through the
raw bytes as UTF-8, UTF-16-LE and UTF-16-BE, ignoring case, and also inside what a file packs
up: the members of a zip (an xlsx is one), the compressed streams of a PDF and the PDF's text,
gzip files, and file and folder names.

All names and text here are fictional.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import re
import sys
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from branchdesk.casework.documents import attach_document
from branchdesk.casework.models import Document
from branchdesk.casework.service import (
    CaseForm,
    EntryForm,
    add_deadline,
    add_entry,
    case_id_by_reference,
    close_case,
    open_case,
)
from branchdesk.demands.service import ClaimForm as NegotiatingClaimForm
from branchdesk.demands.service import DemandForm, add_demand, create_claim
from branchdesk.hardship.claims import ClaimForm, decide
from branchdesk.hardship.claims import create_claim as create_hardship_claim
from branchdesk.hardship.donations import DonationForm, record_donation
from branchdesk.hardship.funds import FundForm, add_strike_day, create_fund, set_taking_part
from branchdesk.hardship.payments import pay
from branchdesk.hardship.rules import PaymentRules
from branchdesk.money import Money
from branchdesk.outsourcing.service import (
    ContractForm,
    add_event,
    create_contract,
    set_contract_members,
)
from branchdesk.store.database import Database

SECRETARY = "Sam Fictional Secretary"
PASSWORD = "a fictional long password 1"
NEW_PASSWORD = "another fictional password 2"
TREASURER = "Terry Fictional Treasurer"
TREASURER_PASSWORD = "treasurer fictional password 3"

MEMBER_NUMBER = "ZM-1001"  # the member whose record carries the markers
FUND = "Depot dispute fund"
STRIKE_DAY = date(2025, 3, 10)

# The fields that get a marker. Each is typed once, into one field, by one route.
MEMBER_FIELDS = (
    "member surname",
    "member first name",
    "member home address",
    "member personal email",
    "member notes",
)
FIELDS = (
    *MEMBER_FIELDS,
    "case title",
    "case companion name",
    "timeline entry title",
    "timeline note",
    "confidential timeline note",
    "document content",
    "document file name",
    "hardship claim circumstances",
    "hardship claim evidence",
    "hardship decision reasons",
    "demand case for",
    "demand employer response",
    "contract pay notes",
    "contract event detail",
    "erased case title",
    "bank statement description",
)


def new_markers() -> dict[str, str]:
    """A fresh random marker per field: ZQMARK and ten hex digits (never in real data)."""
    return {name: f"ZQMARK{uuid.uuid4().hex[:10]}" for name in FIELDS}


# -- the folders -------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """Everything the program may write, under `root`; the user's own files outside it."""

    root: Path
    user_files: Path  # the user's own input files (the CSV, the letter attached): not scanned

    @property
    def db_folder(self) -> Path:
        return self.root / "database"

    @property
    def db_path(self) -> Path:
        return self.db_folder / "branch.sqlite3"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def exports(self) -> Path:
        """Where the user asked for exports: the only place markers may be."""
        return self.root / "exports"

    def make(self) -> World:
        for folder in (
            self.user_files,
            self.db_folder,
            self.backups,
            self.data,
            self.config,
            self.tmp,
            self.home,
            self.exports,
        ):
            folder.mkdir(parents=True, exist_ok=True)
        return self

    def environment(self) -> dict[str, str]:
        """The variables that point the program, Qt, SQLite and Python at this world."""
        return {
            "BRANCHDESK_DATA_DIR": str(self.data),
            "BRANCHDESK_CONFIG_DIR": str(self.config),
            "TMPDIR": str(self.tmp),
            "TEMP": str(self.tmp),
            "TMP": str(self.tmp),
            "SQLITE_TMPDIR": str(self.tmp),
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_STATE_HOME": str(self.home / ".local" / "state"),
        }


# -- seeding -----------------------------------------------------------------------------------


def members_csv(path: Path, markers: dict[str, str]) -> Path:
    """The user's own member list, with the member's details marked (and one plain member)."""
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "Membership number",
                "Last name",
                "First name",
                "Employer",
                "Workplace",
                "Personal email",
                "Home address",
                "Date joined",
                "Status",
                "Notes",
            ]
        )
        out.writerow(
            [
                MEMBER_NUMBER,
                markers["member surname"],
                markers["member first name"],
                "Northmoor Borough Council",
                "Riverside Depot",
                f"{markers['member personal email']}@example.org",
                f"12 {markers['member home address']} Road, Northmoor",
                "2015-03-01",
                "current",
                f"Prefers phone calls. {markers['member notes']}",
            ]
        )
        out.writerow(
            [
                "ZM-1002",
                "Colleague",
                "Chris",
                "Northmoor Borough Council",
                "Riverside Depot",
                "",
                "",
                "2018-06-01",
                "current",
                "",
            ]
        )
    return path


def bank_statement_csv(path: Path, markers: dict[str, str]) -> Path:
    """The fund's bank statement as online banking gives it: the payment out names the payee."""
    paid = STRIKE_DAY + timedelta(days=3)
    path.write_text(
        "Date,Description,Debit,Credit,Balance\n"
        f"{STRIKE_DAY:%d/%m/%Y},NORTHTOWN BRANCH DONATION,,200.00,200.00\n"
        f"{paid:%d/%m/%Y},BACS RUN1 TO {markers['bank statement description']},50.00,,150.00\n",
        encoding="utf-8",
    )
    return path


# Kept in the database only: no export prints a bank statement line's description. The plain
# branch's scan shows the marker is found in the database, so the scan would see it elsewhere.
NOT_EXPORTED = frozenset({"bank statement description"})


def import_bank(db: Database, statement: Path) -> None:
    """The import `branchdesk import bank` runs, for a database opened in-process."""
    from branchdesk.hardship.funds import fund_id_by_name
    from branchdesk.hardship.reconcile import import_statement

    fund_id = fund_id_by_name(db, FUND)
    assert fund_id is not None
    assert import_statement(db, fund_id, statement, None).imported == 2


def import_members(db: Database, csv_path: Path) -> None:
    """The import the command line runs, for a database opened in-process."""
    from branchdesk.members.importer import apply_plan, check_members_csv

    plan = check_members_csv(csv_path)
    assert plan.ok, plan
    apply_plan(db, plan)


@dataclass(frozen=True)
class Seeded:
    case_reference: str
    erased_case_reference: str  # closed in 2016: due for erasure
    claim_reference: str  # the negotiating claim
    document_id: int


def seed_records(db: Database, markers: dict[str, str], user_files: Path, today: date) -> Seeded:
    """Cases, a document, a hardship claim, a demand and a contract, each with its markers.

    The members (MEMBER_NUMBER and ZM-1002) must be there already; `db` is signed in as the
    branch secretary.
    """
    opened = today - timedelta(days=30)
    reference = open_case(
        db,
        CaseForm(
            membership_number=MEMBER_NUMBER,
            case_type="grievance",
            title=f"Grievance about {markers['case title']}",
            rep=SECRETARY,
            opened_on=opened,
            problem_arose_on=opened - timedelta(days=5),
            companion="fellow_worker",
            companion_name=f"Pat {markers['case companion name']}",
        ),
        today=today,
    )
    case_id = case_id_by_reference(db, reference)
    assert case_id is not None
    add_entry(
        db,
        case_id,
        EntryForm(
            opened + timedelta(days=1),
            "meeting",
            title=f"Meeting {markers['timeline entry title']}",
            body=f"Met the manager about the rota. {markers['timeline note']}",
        ),
        today=today,
    )
    add_entry(
        db,
        case_id,
        EntryForm(
            opened + timedelta(days=2),
            "note",
            title="Occupational health report",
            body=f"Health detail: {markers['confidential timeline note']}",
            confidential=True,
        ),
        today=today,
    )
    add_deadline(db, case_id, "Lodge the appeal", today + timedelta(days=10))
    letter = user_files / f"{markers['document file name']} fit note.txt"
    letter.write_text(f"Fit note for the member. {markers['document content']}\n", "utf-8")
    document_id = attach_document(db, case_id, letter, today=today)

    # A case closed long ago, due for erasure under the default schedule (6 years).
    old = open_case(
        db,
        CaseForm(
            membership_number="ZM-1002",
            case_type="capability",
            title=f"Old capability case {markers['erased case title']}",
            rep=SECRETARY,
            opened_on=date(2015, 1, 5),
        ),
        today=today,
    )
    old_id = case_id_by_reference(db, old)
    assert old_id is not None
    close_case(db, old_id, "withdrawn", date(2016, 2, 1), 1, today=today)

    # The hardship fund: a strike day, a donation, a claim decided and paid.
    fund_id = create_fund(
        db,
        FundForm(name=FUND, starts_on=STRIKE_DAY - timedelta(days=9)),
        PaymentRules(effective_from=STRIKE_DAY - timedelta(days=9), per_day=Money(5000)),
    )
    day_id = add_strike_day(db, fund_id, STRIKE_DAY, "All-out strike")
    assert set_taking_part(db, day_id, [MEMBER_NUMBER]) == []
    record_donation(
        db,
        fund_id,
        DonationForm(
            received_on=STRIKE_DAY,
            donor_kind="branch",
            donor_name="Northtown branch",
            amount=Money(20000),
        ),
    )
    claim_id = create_hardship_claim(
        db,
        fund_id,
        ClaimForm(
            member_number=MEMBER_NUMBER,
            received_on=STRIKE_DAY + timedelta(days=1),
            days=[STRIKE_DAY],
            requested=Money(5000),
            pay_deducted=Money(9000),
            payslip_seen=True,
            evidence=f"Payslip seen. {markers['hardship claim evidence']}",
            circumstances=f"Two children, rent due. {markers['hardship claim circumstances']}",
        ),
    )
    decide(db, claim_id, True, Money(5000), f"Agreed. {markers['hardship decision reasons']}")
    pay(db, fund_id, {claim_id: Money(5000)}, STRIKE_DAY + timedelta(days=3), "bacs", "RUN1")

    # A negotiating claim with a demand.
    claim_reference = create_claim(
        db,
        NegotiatingClaimForm(
            title="Pay claim 2026", employer="Northmoor Borough Council", submitted_on=opened
        ),
        today=today,
    )
    from branchdesk.demands.service import claim_id_by_reference

    negotiating_id = claim_id_by_reference(db, claim_reference)
    assert negotiating_id is not None
    add_demand(
        db,
        negotiating_id,
        DemandForm(
            title="Fair rota",
            category="hours",
            case_for=f"The depot rota harms {markers['demand case for']}.",
            employer_response=f"Management said {markers['demand employer response']}.",
        ),
        today=today,
    )

    # A contract on the outsourcing watch, linked to the member, with an event naming them.
    contract_id = create_contract(
        db,
        ContractForm(
            service="Waste collection",
            authority="Northmoor Borough Council",
            contractors=["Kestrel Waste Ltd"],
            start_on=date(2020, 4, 1),
            end_on=today + timedelta(days=300),
            pay_notes=f"Below the council's scale. {markers['contract pay notes']}",
        ),
    )
    set_contract_members(db, contract_id, [MEMBER_NUMBER], 1)
    add_event(
        db,
        contract_id,
        today - timedelta(days=3),
        "complaint",
        "Complaint about the new rota",
        # Naming the member, so the subject access review list quotes it.
        f"Raised by {markers['member first name']} {markers['member surname']} at the site "
        f"meeting. {markers['contract event detail']}",
    )
    return Seeded(reference, old, claim_reference, document_id)


def the_document(db: Database, document_id: int) -> Document:
    with db.read() as session:
        document = session.scalar(select(Document).where(Document.id == document_id))
        assert document is not None
        session.expunge(document)
        return document


# -- scanning ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    path: Path
    field: str
    marker: str
    how: str  # "utf-8 in the bytes", "utf-16-le in zip member xl/sharedStrings.xml", ...

    def __str__(self) -> str:
        return f"{self.path}: the {self.field} marker {self.marker} ({self.how})"


@dataclass
class Scan:
    files: list[Path] = field(default_factory=list)
    leaks: list[Finding] = field(default_factory=list)  # outside the allowed folders
    allowed: list[Finding] = field(default_factory=list)  # in exports the user asked for

    def report(self) -> str:
        return "\n".join(str(f) for f in self.leaks)


_ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_MAX_DEPTH = 4


def _views(data: bytes, depth: int = 0) -> Iterator[tuple[str, bytes]]:
    """The bytes of a file and everything packed inside it that could hold text."""
    yield "", data
    if depth >= _MAX_DEPTH:
        return
    if data[:4] == b"PK\x03\x04":
        with (
            contextlib.suppress(zipfile.BadZipFile, OSError, ValueError),
            zipfile.ZipFile(io.BytesIO(data)) as archive,
        ):
            for info in archive.infolist():
                inner = archive.read(info)
                for how, view in _views(inner, depth + 1):
                    yield f"zip member {info.filename}{' ' + how if how else ''}", view
    if data[:2] == b"\x1f\x8b":
        with contextlib.suppress(OSError, EOFError, zlib.error):
            for how, view in _views(gzip.decompress(data), depth + 1):
                yield f"gzip{' ' + how if how else ''}", view
    if data[:5] == b"%PDF-":
        for n, match in enumerate(_PDF_STREAM.finditer(data)):
            with contextlib.suppress(zlib.error):
                yield f"pdf stream {n} inflated", zlib.decompress(match.group(1))
        with contextlib.suppress(Exception):
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            text = "\n".join(page.extract_text() or "" for page in reader.pages)
            yield "pdf text", text.encode("utf-8")


def _needles(marker: str) -> list[tuple[str, bytes]]:
    folded = marker.lower()
    return [(encoding, folded.encode(encoding)) for encoding in _ENCODINGS]


def find_markers(path: Path, markers: dict[str, str], root: Path) -> list[Finding]:
    """Every marker in the file at `path`: its name (from `root` down) and its content."""
    found: list[Finding] = []
    relative = str(path.relative_to(root)).lower()
    for name, marker in markers.items():
        if marker.lower() in relative:
            found.append(Finding(path, name, marker, "in the file or folder name"))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AssertionError(f"{path} could not be read for the scan: {exc}") from exc
    for how, view in _views(data):
        folded = view.lower()  # ASCII case folding; the markers are ASCII
        for name, marker in markers.items():
            for encoding, needle in _needles(marker):
                if needle in folded:
                    where = f"{encoding} in {how}" if how else f"{encoding} in the bytes"
                    found.append(Finding(path, name, marker, where))
                    break  # one finding per view (ASCII in UTF-16-LE matches -BE as well)
    return found


def walk(root: Path) -> Iterator[Path]:
    """Every file under `root`, hidden ones too; symbolic links are not followed."""
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            yield Path(folder) / name


def scan(roots: list[Path], markers: dict[str, str], allowed: list[Path]) -> Scan:
    """Search every file under `roots`; findings under `allowed` are exports the user asked
    for, any other is a leak."""
    result = Scan()
    allowed = [a.resolve() for a in allowed]
    for root in roots:
        for path in walk(root):
            result.files.append(path)
            for finding in find_markers(path, markers, root):
                resolved = path.resolve()
                if any(resolved.is_relative_to(a) for a in allowed):
                    result.allowed.append(finding)
                else:
                    result.leaks.append(finding)
    return result


# -- files removed while the workflows ran -----------------------------------------------------


class RemovalWatch:
    """What a file held at the moment the program removed it.

    A temporary file written and removed during an export, or a scratch copy removed after a
    drill, is gone by the time the folders are scanned. Python raises an audit event before
    it removes a file (os.remove, os.unlink, Path.unlink, shutil.rmtree all do); while the
    watch is on, the hook reads the file then and keeps its findings. Files removed from C
    (SQLite's own temporary files, which it unlinks as soon as it opens them) are not seen.
    """

    _installed: RemovalWatch | None = None

    def __init__(self) -> None:
        self.markers: dict[str, str] = {}
        self.roots: list[Path] = []
        self.active = False
        self.removed: list[Path] = []
        self.findings: list[Finding] = []
        self.problems: list[str] = []
        self.step = ""  # what the test is doing, named in the findings

    @classmethod
    def installed(cls) -> RemovalWatch:
        """The one watch of this process (an audit hook cannot be taken away again)."""
        if cls._installed is None:
            cls._installed = cls()
            sys.addaudithook(cls._installed._hook)
        return cls._installed

    @contextlib.contextmanager
    def watching(self, roots: list[Path], markers: dict[str, str]) -> Iterator[RemovalWatch]:
        self.roots = [r.resolve() for r in roots]
        self.markers = dict(markers)
        self.removed, self.findings, self.problems, self.step = [], [], [], ""
        self.active = True
        try:
            yield self
        finally:
            self.active = False

    def _hook(self, event: str, args: tuple[object, ...]) -> None:
        if not self.active or event != "os.remove":
            return
        self.active = False  # reading the file raises events of its own
        try:
            self._removing(args)
        finally:
            self.active = True

    def _removing(self, args: tuple[object, ...]) -> None:
        target, dir_fd = args[0], args[1] if len(args) > 1 else None
        try:
            if dir_fd is not None and dir_fd != -1:
                folder = os.readlink(f"/proc/self/fd/{dir_fd}")
                path = Path(folder, os.fsdecode(target))  # type: ignore[arg-type]
            else:
                path = Path(os.fsdecode(target)).resolve()  # type: ignore[arg-type]
        except (OSError, TypeError, ValueError) as exc:
            self.problems.append(f"a removal could not be followed: {exc}")
            return
        root = next((r for r in self.roots if path.is_relative_to(r)), None)
        if root is None or not path.is_file() or path.is_symlink():
            return
        self.removed.append(path)
        during = f", removed during: {self.step}" if self.step else ""
        self.findings += [
            replace(f, how=f"{f.how}{during}") for f in find_markers(path, self.markers, root)
        ]
