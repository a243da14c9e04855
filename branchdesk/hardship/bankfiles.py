"""Reading the hardship fund's bank statements: OFX (1.x SGML and 2.x XML) and UK banks' CSV.

Pure: bytes or text in, a `Statement` out. A file that cannot be imported raises `BankFileError`
listing every fault found, each naming the line and field with the offending value, so the
treasurer can put the file right (or ask the bank for another) in one go rather than one error at
a time. Amounts are whole pence (`Money`) and are never rounded: a figure with fractions of a
penny is a fault, not something to guess about.

ofxtools does the SGML/XML tag work, but its `convert()` step is not used: its strict checks
against the OFX specification refuse files real banks send (a 10-digit BANKID, for one), so the
fields the reconciliation needs are read and checked here instead.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from branchdesk.money import Money, MoneyError

MAX_FILE_BYTES = 50 * 1024 * 1024
# A statement file this big is something else chosen by mistake; reading it would just hang.

_SHOWN_PROBLEMS = 20
_SHOWN_BALANCE_WARNINGS = 5


@dataclass(frozen=True)
class StatementLine:
    """One transaction on a statement, signed from the account holder's side."""

    line_no: int  # 1-based line of the CSV row or of the <STMTTRN>, for messages
    posted_on: date
    amount: Money  # positive = money in, negative = money out
    description: str  # NAME/MEMO or the CSV description, whitespace collapsed
    reference: str  # OFX CHECKNUM/REFNUM or a CSV reference column; '' if none
    fitid: str  # the bank's FITID; for CSV a derived key that is stable across re-imports
    balance: Money | None  # running balance after the line, when the file gives one


@dataclass(frozen=True)
class Statement:
    source: str  # "ofx" or "csv"
    currency: str | None  # ISO code from OFX CURDEF; None when a CSV does not say
    account: str  # account number as written in the file; '' if none
    sort_code: str  # six digits; '' if none
    starts_on: date | None
    ends_on: date | None
    closing_balance: Money | None  # OFX LEDGERBAL, or the CSV's latest running balance
    closing_balance_on: date | None
    lines: tuple[StatementLine, ...]  # oldest first; same-day lines in the order they happened
    warnings: tuple[str, ...]


class BankFileError(ValueError):
    """A statement that cannot be imported. `problems` holds every fault found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems) or ("the file could not be read",)
        super().__init__(self._message())

    def _message(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0]
        shown = "\n".join(f"- {p}" for p in self.problems[:_SHOWN_PROBLEMS])
        more = len(self.problems) - _SHOWN_PROBLEMS
        tail = f"\n- and {more} more" if more > 0 else ""
        return f"The file cannot be imported: {len(self.problems)} problems\n{shown}{tail}"

    def __str__(self) -> str:
        return self._message()

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle through args, which here hold the message, not the problem list.
        return (type(self), (list(self.problems),))


# --------------------------------------------------------------------------------------------
# CSV layouts


@dataclass(frozen=True)
class CsvProfile:
    """Which CSV column holds what. Column names are matched ignoring case and spacing."""

    name: str
    date_column: str
    description_column: str
    amount_column: str | None = None  # one signed column, or ...
    debit_column: str | None = None  # ... separate money-out and
    credit_column: str | None = None  # money-in columns
    balance_column: str | None = None
    reference_column: str | None = None
    type_column: str | None = None  # kept so a layout is recognised; not used for the sign
    sort_code_column: str | None = None
    account_column: str | None = None
    date_format: str = "%d/%m/%Y"  # day first; other day-first forms are tried after it

    def columns(self) -> tuple[str, ...]:
        """Every column this layout names, in field order."""
        return tuple(
            value
            for f in fields(self)
            if f.name.endswith("_column") and (value := getattr(self, f.name))
        )

    def problems(self) -> list[str]:
        """What makes this mapping unusable; empty when it can be used."""
        found: list[str] = []
        if not self.name.strip():
            found.append("the column mapping has no name")
        if not self.date_column.strip():
            found.append("no column is chosen for the date")
        if not self.description_column.strip():
            found.append("no column is chosen for the description")
        single = bool(self.amount_column)
        split = bool(self.debit_column) or bool(self.credit_column)
        if single and split:
            found.append(
                "choose either one amount column or separate debit and credit columns, not both"
            )
        elif not single and not split:
            found.append("no column is chosen for the amount (or for debits and credits)")
        elif split and not (self.debit_column and self.credit_column):
            found.append("both a debit (money out) and a credit (money in) column are needed")
        counts = Counter(_norm(c) for c in self.columns())
        for column, count in counts.items():
            if count > 1:
                found.append(f"the column '{column}' is chosen for more than one thing")
        try:
            sample = date(2024, 1, 15)
            parsed = datetime.strptime(sample.strftime(self.date_format), self.date_format)
            if parsed.date() != sample:
                raise ValueError
        except ValueError:
            found.append(
                f"the date format '{self.date_format}' does not give a day, month and year"
            )
        return found

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CsvProfile:
        try:
            raw = json.loads(text)
        except (json.JSONDecodeError, TypeError) as exc:
            raise ValueError(f"the saved column mapping is not valid JSON ({exc})") from exc
        if not isinstance(raw, dict):
            raise ValueError("the saved column mapping is not a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ValueError(f"the saved column mapping has unknown keys: {', '.join(unknown)}")
        required = ("name", "date_column", "description_column")
        missing = [key for key in required if key not in raw]
        if missing:
            raise ValueError(f"the saved column mapping lacks: {', '.join(missing)}")
        for key, value in raw.items():
            optional = key.endswith("_column") and key not in required
            if not (isinstance(value, str) or (optional and value is None)):
                raise ValueError(f"the saved column mapping's {key} must be text, not {value!r}")
        profile = cls(**raw)
        problems = profile.problems()
        if problems:
            raise ValueError("the saved column mapping cannot be used: " + "; ".join(problems))
        return profile


# The column headings these banks' online-banking CSV downloads use, as best known. A layout is
# recognised when every column it names is present, so each names only what the bank is known to
# send; anything else can still be read with a mapping chosen by hand.
KNOWN_PROFILES: tuple[CsvProfile, ...] = (
    CsvProfile(
        name="Lloyds / Halifax / Bank of Scotland",
        date_column="Transaction Date",
        type_column="Transaction Type",
        sort_code_column="Sort Code",
        account_column="Account Number",
        description_column="Transaction Description",
        debit_column="Debit Amount",
        credit_column="Credit Amount",
        balance_column="Balance",
    ),
    CsvProfile(
        name="Barclays",
        date_column="Date",
        account_column="Account",  # sort code and account number together
        amount_column="Amount",
        type_column="Subcategory",
        description_column="Memo",
    ),
    CsvProfile(
        name="NatWest / RBS",
        date_column="Date",
        type_column="Type",
        description_column="Description",
        amount_column="Value",
        balance_column="Balance",
        account_column="Account Number",  # sort code and account number together
    ),
    CsvProfile(
        # Some HSBC downloads have no heading row at all; those need a mapping chosen by hand.
        name="HSBC",
        date_column="Date",
        description_column="Description",
        amount_column="Amount",
    ),
    CsvProfile(
        name="Santander",
        date_column="Date",
        description_column="Description",
        amount_column="Amount",
        balance_column="Balance",
    ),
    CsvProfile(
        # Nationwide puts account lines above the headings and dates like "15 Jan 2024".
        name="Nationwide",
        date_column="Date",
        type_column="Transaction type",
        description_column="Description",
        debit_column="Paid out",
        credit_column="Paid in",
        balance_column="Balance",
        date_format="%d %b %Y",
    ),
    CsvProfile(
        name="Co-operative Bank",
        date_column="Date",
        description_column="Description",
        credit_column="Money In",
        debit_column="Money Out",
        balance_column="Balance",
    ),
    CsvProfile(
        name="Unity Trust Bank",
        date_column="Date",
        description_column="Description",
        debit_column="Debit",
        credit_column="Credit",
        balance_column="Balance",
    ),
    CsvProfile(
        name="Monzo",
        date_column="Date",
        type_column="Type",
        description_column="Name",
        amount_column="Amount",
        reference_column="Description",  # the payer's reference on transfers
    ),
    CsvProfile(
        name="Starling",
        date_column="Date",
        description_column="Counter Party",
        reference_column="Reference",
        type_column="Type",
        amount_column="Amount (GBP)",
        balance_column="Balance (GBP)",
    ),
)


def _norm(heading: str) -> str:
    return " ".join(heading.replace("\ufeff", "").split()).casefold()


def _matches(profile: CsvProfile, headings: set[str]) -> bool:
    return all(_norm(column) in headings for column in profile.columns())


def detect_profile(header: Sequence[str]) -> CsvProfile | None:
    """The known layout whose columns are all in `header`; the most specific one wins."""
    headings = {_norm(h) for h in header if _norm(h)}
    candidates = [p for p in KNOWN_PROFILES if _matches(p, headings)]
    if not candidates:
        return None
    # max() keeps the first of equals, so the order of KNOWN_PROFILES breaks ties.
    return max(candidates, key=lambda p: len(p.columns()))


# --------------------------------------------------------------------------------------------
# Shared helpers


def _collapse(text: str | None) -> str:
    return " ".join((text or "").split())


def _alnum(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _sort_code(text: str) -> str:
    """Six digits when the text is a sort code ('99-88-74', '998874'); otherwise ''."""
    digits = re.sub(r"[\s\-']", "", text)
    return digits if re.fullmatch(r"\d{6}", digits) else ""


def _derived_fitid(prefix: str, key: tuple[object, ...]) -> str:
    raw = "|".join(str(part) for part in key)
    return f"{prefix}:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def _with_derived_fitids(prefix: str, lines: list[StatementLine]) -> list[StatementLine]:
    """Give lines without a FITID a key from their content and their place among identical
    lines, so re-importing the same file never duplicates and two real identical payments both
    survive."""
    seen: Counter[tuple[object, ...]] = Counter()
    out = []
    for line in lines:
        if line.fitid:
            out.append(line)
            continue
        balance = "" if line.balance is None else line.balance.pence
        content = (line.posted_on.isoformat(), line.amount.pence, line.description, balance)
        seen[content] += 1
        fitid = _derived_fitid(prefix, (*content, seen[content]))
        out.append(_replace_fitid(line, fitid))
    return out


def _replace_fitid(line: StatementLine, fitid: str) -> StatementLine:
    return StatementLine(
        line.line_no,
        line.posted_on,
        line.amount,
        line.description,
        line.reference,
        fitid,
        line.balance,
    )


def _decode(data: bytes, first: str = "utf-8-sig") -> str:
    # UK banks' downloads are UTF-8 or Windows-1252 (a £ is byte A3); latin-1 never fails.
    for codec in (first, "utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


# --------------------------------------------------------------------------------------------
# OFX

_OFX_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})(?:\d{2}){0,3}(?:\.\d+)?(?:\s*\[[^\]]*\])?")
_OFX_AMOUNT = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos|nbsp|#\d+|#x[0-9a-fA-F]+);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'", "nbsp": " "}
_OPEN_OFX = re.compile(r"<OFX>")


def _ofx_date(text: str) -> date | None:
    """YYYYMMDD[HHMMSS[.XXX]][[tz]]: the date as written; a time zone does not move it."""
    match = _OFX_DATE.fullmatch(text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _ofx_amount(text: str) -> Money:
    """An OFX amount; the spec allows a comma as the decimal point."""
    if not _OFX_AMOUNT.fullmatch(text) or ("," in text and "." in text):
        raise ValueError(f"'{text}' is not an amount")
    try:
        return Money.from_decimal(Decimal(text.replace(",", ".")))
    except (InvalidOperation, MoneyError) as exc:
        raise ValueError(f"'{text}' has more than two decimal places") from exc


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if not name.startswith("#"):
            return _ENTITIES[name]
        try:
            return chr(int(name[2:], 16) if name.startswith("#x") else int(name[1:]))
        except (ValueError, OverflowError):  # no such character: leave the text as written
            return match.group(0)

    return _ENTITY.sub(one, text)


def _field(parent: ET.Element | None, path: str) -> str | None:
    """The stripped text of a child element; '' when present but empty, None when absent."""
    if parent is None:
        return None
    child = parent.find(path)
    if child is None:
        return None
    return _unescape(child.text or "").strip()


@cache
def _tree_builder() -> type:
    # ofxtools takes most of a second to import, so it is loaded only when an OFX file is read.
    from ofxtools.Parser import TreeBuilder

    class OfxTreeBuilder(TreeBuilder):  # type: ignore[misc]
        """ofxtools' tag parser, taught one more real-bank habit: an SGML element left empty
        and unclosed (`<MEMO>` straight before the next tag) is an empty element, not the start
        of an aggregate. Aggregates always have end tags in OFX, so a tag that is never closed
        anywhere in the file is a data element."""

        def __init__(self, closed_tags: set[str]) -> None:
            super().__init__()
            self._closed_tags = closed_tags

        def _start(self, tag: str, text: str | None, closetag: str | None) -> None:
            super()._start(tag, text, closetag)
            if not text and closetag is None and tag not in self._closed_tags:
                self.end(tag)

    return OfxTreeBuilder


def _ofx_text(data: bytes, warnings: list[str]) -> tuple[str, int]:
    """The decoded file and where its <OFX> element starts.

    The header is checked with ofxtools, but the body is always cut from the <OFX> tag rather
    than taken from ofxtools, so a file with a missing or non-standard header (some banks' and
    the broken samples') is still read and its real faults reported.
    """
    from ofxtools.header import OFXHeaderError, parse_header

    codec = "utf-8"
    try:
        header, _ = parse_header(io.BytesIO(data))
        codec = header.codec
    except (OFXHeaderError, ValueError) as exc:
        first = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:16].upper()
        if first.startswith(b"<OFX"):
            warnings.append("the file has no OFX header; it was read from the <OFX> tag")
        else:
            detail = (str(exc).splitlines() or [type(exc).__name__])[0].rstrip(": ")
            warnings.append(f"the OFX header is not standard ({detail}); the body was read anyway")
    text = _decode(data, codec)
    match = _OPEN_OFX.search(text)
    if match is None:
        raise BankFileError(["the file has no <OFX> element, so it is not an OFX statement"])
    return text, match.start()


def _parse_ofx_tree(text: str, start: int) -> ET.Element:
    body = text[start:]
    end = body.rfind("</OFX>")
    if end == -1:
        raise BankFileError(
            [
                "the OFX file is incomplete: it has no closing </OFX> tag "
                "(was the download cut short?)"
            ]
        )
    body = body[: end + len("</OFX>")]  # anything after the closing tag is not ours
    closed = set(re.findall(r"</([A-Z0-9./_ ]+?)>", body))
    builder = _tree_builder()(closed)
    try:
        builder.feed(body)
        root = builder.close()
    except SyntaxError as exc:  # ofxtools' ParseError and ElementTree's are both SyntaxErrors
        message = str(exc.args[0]) if exc.args else str(exc)
        where = re.search(r"position=\[(\d+):", message)
        line = text.count("\n", 0, start + int(where.group(1))) + 1 if where else None
        reason = message.split(" - position", 1)[0]
        if reason.startswith("Tail text"):  # ofxtools then quotes the whole file
            reason = "stray text between tags: " + reason.split(" in ", 1)[0][len("Tail text ") :]
        reason = reason[:200]
        if line is None:
            reason = f"its tags do not nest ({reason})"
        at = f" at line {line}" if line else ""
        raise BankFileError([f"the OFX file is not well formed{at}: {reason}"]) from exc
    except (AssertionError, IndexError) as exc:
        raise BankFileError(["the OFX file is not well formed: its tags do not nest"]) from exc
    if root is None or root.tag != "OFX":
        raise BankFileError(["the file has no <OFX> element, so it is not an OFX statement"])
    return root


def _bank_status(root: ET.Element) -> str | None:
    """The bank's own error message when it sent one instead of a statement."""
    for status in root.iter("STATUS"):
        code = _field(status, "CODE")
        if code and code != "0":
            message = _field(status, "MESSAGE") or "no message"
            return f"the bank sent an error instead of a statement: {message} (code {code})"
    return None


def read_ofx(data: bytes) -> Statement:
    """Read an OFX/QFX statement (1.x SGML or 2.x XML; bank or credit card)."""
    warnings: list[str] = []
    problems: list[str] = []
    text, start = _ofx_text(data, warnings)
    root = _parse_ofx_tree(text, start)

    statements = [*root.iter("STMTRS"), *root.iter("CCSTMTRS")]
    if not statements:
        if next(root.iter("INVSTMTRS"), None) is not None:
            raise BankFileError(["this is an investment statement; only bank accounts are read"])
        raise BankFileError([_bank_status(root) or "the file holds no bank statement (STMTRS)"])
    if len(statements) > 1:
        raise BankFileError(
            [
                f"the file holds statements for {len(statements)} accounts; "
                "download one account at a time"
            ]
        )
    stmt = statements[0]

    currency = _field(stmt, "CURDEF") or None
    if currency is None:
        warnings.append("the statement does not say its currency (CURDEF)")
    elif not re.fullmatch(r"[A-Z]{3}", currency):
        problems.append(f"'{currency}' is not a currency code (CURDEF)")

    acct_from = stmt.find("BANKACCTFROM")
    if acct_from is None:
        acct_from = stmt.find("CCACCTFROM")
    account = _collapse(_field(acct_from, "ACCTID"))
    # UK banks put the sort code in BANKID; a US routing number or the like is not one.
    sort_code = _sort_code(_field(acct_from, "BANKID") or "")

    tranlist = stmt.find("BANKTRANLIST")
    period: list[date | None] = []
    for tag in ("DTSTART", "DTEND"):
        value = _field(tranlist, tag)
        day = _ofx_date(value) if value else None
        if value and day is None:
            problems.append(f"BANKTRANLIST: '{value}' is not a date ({tag})")
        period.append(day)
    starts_on, ends_on = period

    # Line numbers: the n-th <STMTTRN> tag in the text is the n-th STMTTRN element.
    positions = [m.start() for m in re.finditer(r"<STMTTRN>", text)]
    line_of: dict[int, int] = {}
    elements = list(root.iter("STMTTRN"))
    if len(positions) == len(elements):
        line, last = 1, 0
        for element, pos in zip(elements, positions, strict=True):
            line += text.count("\n", last, pos)
            last = pos
            line_of[id(element)] = line

    transactions = tranlist.findall("STMTTRN") if tranlist is not None else []
    lines: list[StatementLine] = []
    fitid_lines: defaultdict[str, list[int]] = defaultdict(list)
    for index, trn in enumerate(transactions, start=1):
        line_no = line_of.get(id(trn), 0)
        fitid = _field(trn, "FITID") or ""
        where = f"line {line_no}" if line_no else f"number {index}"
        label = f"transaction {fitid} ({where})" if fitid else f"the transaction at {where}"
        if fitid:
            fitid_lines[fitid].append(line_no or index)

        posted = _field(trn, "DTPOSTED")
        posted_on = _ofx_date(posted) if posted else None
        if posted is None:
            problems.append(f"{label}: no date (DTPOSTED)")
        elif not posted:
            problems.append(f"{label}: no date (DTPOSTED is empty)")
        elif posted_on is None:
            problems.append(f"{label}: '{posted}' is not a date (DTPOSTED)")

        raw_amount = _field(trn, "TRNAMT")
        amount: Money | None = None
        if raw_amount is None:
            problems.append(f"{label}: no amount (TRNAMT)")
        elif not raw_amount:
            problems.append(f"{label}: no amount (TRNAMT is empty)")
        else:
            try:
                amount = _ofx_amount(raw_amount)
            except ValueError as exc:
                problems.append(f"{label}: {exc} (TRNAMT)")

        if posted_on is None or amount is None:
            continue
        if (starts_on and posted_on < starts_on) or (ends_on and posted_on > ends_on):
            warnings.append(f"{label}: dated {posted_on:%d/%m/%Y}, outside the statement's period")
        name = _field(trn, "NAME") or _field(trn, "PAYEE/NAME") or ""
        lines.append(
            StatementLine(
                line_no=line_no,
                posted_on=posted_on,
                amount=amount,
                description=_describe(name, _field(trn, "MEMO") or ""),
                reference=_collapse(_field(trn, "CHECKNUM") or _field(trn, "REFNUM")),
                fitid=fitid,
                balance=None,
            )
        )

    for fitid, at in fitid_lines.items():
        if len(at) > 1:
            places = " and ".join(str(n) for n in at)
            problems.append(
                f"FITID {fitid} is used by more than one transaction (lines {places}); "
                "each transaction's FITID must be unique"
            )

    closing_balance, closing_balance_on = _ledger_balance(stmt, problems, warnings)

    if problems:
        raise BankFileError(problems)
    if any(not line.fitid for line in lines):
        warnings.append("some transactions have no FITID; a key was made from their details")
        lines = _with_derived_fitids("ofx", lines)
    if not transactions:
        warnings.append("the statement has no transactions")
    lines.sort(key=lambda line: line.posted_on)
    return Statement(
        source="ofx",
        currency=currency,
        account=account,
        sort_code=sort_code,
        starts_on=starts_on,
        ends_on=ends_on,
        closing_balance=closing_balance,
        closing_balance_on=closing_balance_on,
        lines=tuple(lines),
        warnings=tuple(warnings),
    )


def _describe(name: str, memo: str) -> str:
    """NAME and MEMO as one description, without saying the same thing twice."""
    name, memo = _collapse(name), _collapse(memo)
    if not memo or memo.casefold() in name.casefold():
        return name
    if not name or name.casefold() in memo.casefold():
        return memo
    return f"{name} / {memo}"


def _ledger_balance(
    stmt: ET.Element, problems: list[str], warnings: list[str]
) -> tuple[Money | None, date | None]:
    ledger = stmt.find("LEDGERBAL")
    if ledger is None:
        warnings.append("the statement gives no closing balance (LEDGERBAL)")
        return None, None
    balance: Money | None = None
    raw = _field(ledger, "BALAMT")
    if raw is None:
        problems.append("LEDGERBAL: no balance (BALAMT)")
    elif not raw:
        problems.append("LEDGERBAL: the balance is empty (BALAMT)")
    else:
        try:
            balance = _ofx_amount(raw)
        except ValueError as exc:
            problems.append(f"LEDGERBAL: {exc} (BALAMT)")
    as_of_text = _field(ledger, "DTASOF")
    as_of = _ofx_date(as_of_text) if as_of_text else None
    if not as_of_text:
        warnings.append("the closing balance has no date (LEDGERBAL DTASOF)")
    elif as_of is None:
        problems.append(f"LEDGERBAL: '{as_of_text}' is not a date (DTASOF)")
    return balance, as_of


# --------------------------------------------------------------------------------------------
# CSV

_HEADER_SEARCH_ROWS = 20  # Nationwide and others put account lines above the headings
_CSV_NUMBER = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+")
_CSV_SIGNED = re.compile(r"(?P<s1>[+-]?)(?:£|GBP)?(?P<s2>[+-]?)(?P<num>.*)", re.IGNORECASE)
_TIME_AFTER = re.compile(
    r"(?P<day>.+?)[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?", re.IGNORECASE
)
_DAY_FIRST_FORMATS = (
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d-%m-%y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%d %b %Y",
    "%d %b %y",
    "%d %B %Y",
    "%d %B %y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d/%b/%Y",
    "%Y-%m-%d",  # ISO is unambiguous
    "%Y/%m/%d",
)


def _csv_amount(text: str) -> Money:
    """'£1,234.56', '-12.00', '(12.00)', '12.00 DR', '5.00 CR', '12.00-'. Raises ValueError."""
    bad = ValueError(f"'{text}' is not an amount")
    s = _collapse(text.replace("\u2212", "-"))
    negative = False
    markers = 0
    if s.startswith("(") and s.endswith(")"):
        negative, markers, s = True, markers + 1, s[1:-1].strip()
    if s[-2:].upper() in ("CR", "DR"):
        negative = negative or s[-2:].upper() == "DR"
        markers, s = markers + 1, s[:-2].strip()
    if s.endswith("-"):
        negative, markers, s = True, markers + 1, s[:-1].strip()
    match = _CSV_SIGNED.fullmatch(s.replace(" ", ""))
    if match is None:  # pragma: no cover - the pattern accepts any text
        raise bad
    sign = match.group("s1") + match.group("s2")
    markers += len(sign)
    if len(sign) > 1 or markers > 1 or not _CSV_NUMBER.fullmatch(match.group("num")):
        raise bad
    negative = negative or sign == "-"
    try:
        value = Decimal(match.group("num").replace(",", "").rstrip("."))
        money = Money.from_decimal(-value if negative else value)
    except (InvalidOperation, MoneyError) as exc:
        raise ValueError(f"'{text}' has more than two decimal places") from exc
    return money


def _csv_date(text: str, date_format: str) -> date | None:
    s = _collapse(text)
    candidates = [s]
    match = _TIME_AFTER.fullmatch(s)
    if match:  # a time of day after the date is not needed
        candidates.append(match.group("day"))
    for candidate in candidates:
        for fmt in (date_format, *_DAY_FIRST_FORMATS):
            try:
                return datetime.strptime(candidate, fmt).date()
            except ValueError:
                continue
    return None


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])  # ties go to the comma
    return best if counts[best] else ","


def _csv_rows(text: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows with the 1-based line each starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows = []
    start = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise BankFileError([f"line {reader.line_num}: the CSV cannot be read ({exc})"]) from exc
    return rows


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


def _find_header(
    rows: list[tuple[int, list[str]]], profile: CsvProfile | None
) -> tuple[int, CsvProfile]:
    """The index of the headings row among `rows` and the layout to read it with."""
    for index, (_, row) in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        if profile is None:
            detected = detect_profile(row)
            if detected is not None:
                return index, detected
        elif _matches(profile, {_norm(cell) for cell in row}):
            return index, profile
    found = [cell.strip() for cell in rows[0][1] if cell.strip()]
    if profile is None:
        raise BankFileError(
            [
                f"the columns are not a bank layout BranchDesk knows (columns found: "
                f"{_quoted(found)}); a column mapping is needed to say which column holds the "
                "date, the description and the amount"
            ]
        )
    have = {_norm(cell) for cell in found}
    missing = [c for c in profile.columns() if _norm(c) not in have]
    raise BankFileError(
        [
            f"the file has no {_quoted(missing)} column for the '{profile.name}' mapping "
            f"(columns found: {_quoted(found)})"
        ]
    )


def read_csv(text: str, profile: CsvProfile | None = None) -> Statement:
    """Read a bank's CSV download; `profile` None recognises the bank from the headings."""
    if profile is not None and profile.problems():
        raise BankFileError(["the column mapping cannot be used: " + "; ".join(profile.problems())])
    rows = _csv_rows(text.lstrip("\ufeff"))
    if not rows:
        raise BankFileError(["the file is empty: there is no row of column headings"])
    header_index, profile = _find_header(rows, profile)
    warnings: list[str] = []
    header = rows[header_index][1]
    if header_index:
        warnings.append(f"the {header_index} line(s) above the column headings were skipped")

    columns = _Columns(header)
    problems: list[str] = []
    lines: list[StatementLine] = []
    sort_codes: dict[str, int] = {}
    accounts: dict[str, int] = {}
    for line_no, row in rows[header_index + 1 :]:
        row_problems: list[str] = []

        raw_date = columns.get(row, profile.date_column)
        posted_on = _csv_date(raw_date, profile.date_format) if raw_date else None
        if not raw_date:
            row_problems.append(_at(line_no, profile.date_column, "no date"))
        elif posted_on is None:
            what = f"'{raw_date}' is not a date (day/month/year expected)"
            row_problems.append(_at(line_no, profile.date_column, what))

        amount = _row_amount(line_no, row, profile, columns, row_problems)

        balance: Money | None = None
        raw_balance = columns.get(row, profile.balance_column)
        if profile.balance_column and raw_balance:
            try:
                balance = _csv_amount(raw_balance)
            except ValueError as exc:
                row_problems.append(_at(line_no, profile.balance_column, str(exc)))

        if code := columns.get(row, profile.sort_code_column):
            sort_codes.setdefault(code.lstrip("'").strip(), line_no)
        if number := columns.get(row, profile.account_column):
            accounts.setdefault(number.lstrip("'").strip(), line_no)

        problems.extend(row_problems)
        if row_problems or posted_on is None or amount is None:
            continue
        lines.append(
            StatementLine(
                line_no=line_no,
                posted_on=posted_on,
                amount=amount,
                description=_collapse(columns.get(row, profile.description_column)),
                reference=_collapse(columns.get(row, profile.reference_column)),
                fitid="",
                balance=balance,
            )
        )

    for what, seen in (("sort codes", sort_codes), ("accounts", accounts)):
        if len(seen) > 1:
            shown = ", ".join(
                f"{mask_account(v) if what == 'accounts' else v} (from line {n})"
                for v, n in seen.items()
            )
            problems.append(f"the file mixes {len(seen)} {what}: {shown}; import one at a time")
    if problems:
        raise BankFileError(problems)

    lines = _in_date_order(lines)
    lines = _with_derived_fitids("csv", lines)
    warnings.extend(_balance_warnings(lines))
    if not lines:
        warnings.append("the statement has no transactions")

    with_balance = [line for line in lines if line.balance is not None]
    closing = with_balance[-1] if with_balance else None
    sort_code = next(iter(sort_codes), "")
    return Statement(
        source="csv",
        currency=None,
        account=next(iter(accounts), ""),
        sort_code=_sort_code(sort_code) or sort_code,
        starts_on=lines[0].posted_on if lines else None,
        ends_on=lines[-1].posted_on if lines else None,
        closing_balance=closing.balance if closing else None,
        closing_balance_on=closing.posted_on if closing else None,
        lines=tuple(lines),
        warnings=tuple(warnings),
    )


class _Columns:
    """Cells of a CSV row looked up by heading, ignoring case and spacing."""

    def __init__(self, header: list[str]) -> None:
        self._position: dict[str, int] = {}
        for i, heading in enumerate(header):
            self._position.setdefault(_norm(heading), i)

    def get(self, row: list[str], column: str | None) -> str:
        if not column:
            return ""
        i = self._position[_norm(column)]
        return row[i].strip() if i < len(row) else ""


def _at(line_no: int, column: str, what: str) -> str:
    return f"line {line_no}, column '{column}': {what}"


def _row_amount(
    line_no: int, row: list[str], profile: CsvProfile, columns: _Columns, problems: list[str]
) -> Money | None:
    """The signed amount of one CSV row, or None after saying why not in `problems`."""
    if profile.amount_column:
        raw = columns.get(row, profile.amount_column)
        if not raw:
            problems.append(_at(line_no, profile.amount_column, "no amount"))
            return None
        try:
            return _csv_amount(raw)
        except ValueError as exc:
            problems.append(_at(line_no, profile.amount_column, str(exc)))
            return None

    debit_column, credit_column = profile.debit_column or "", profile.credit_column or ""
    values: dict[str, Money | None] = {}
    for column in (debit_column, credit_column):
        raw = columns.get(row, column)
        values[column] = None
        if raw:
            try:
                # Banks differ about the sign they print in these columns; the column decides.
                values[column] = Money(abs(_csv_amount(raw).pence))
            except ValueError as exc:
                problems.append(_at(line_no, column, str(exc)))
                return None
    debit, credit = values[debit_column], values[credit_column]
    if debit and credit:  # a zero in the unused column is only filler
        problems.append(
            f"line {line_no}: both '{debit_column}' ({columns.get(row, debit_column)}) and "
            f"'{credit_column}' ({columns.get(row, credit_column)}) are filled in; "
            "a line is either money out or money in"
        )
        return None
    if debit is None and credit is None:
        problems.append(
            f"line {line_no}: neither '{debit_column}' nor '{credit_column}' has an amount"
        )
        return None
    if debit:
        return -debit
    return credit if credit is not None else Money(0)


def _in_date_order(lines: list[StatementLine]) -> list[StatementLine]:
    """Oldest first. Many banks list newest first; such a file is turned round before the
    stable sort so that lines on the same day also end up in the order they happened."""
    if len(lines) > 1 and _newest_first(lines):
        lines = lines[::-1]
    return sorted(lines, key=lambda line: line.posted_on)


def _newest_first(lines: list[StatementLine]) -> bool:
    if lines[0].posted_on != lines[-1].posted_on:
        return lines[0].posted_on > lines[-1].posted_on
    # All on one day: the running balance tells which way the file runs.
    forward = backward = 0
    for a, b in pairwise(lines):
        if a.balance is None or b.balance is None:
            continue
        forward += a.balance + b.amount == b.balance
        backward += b.balance + a.amount == a.balance
    return backward > forward


def _balance_warnings(lines: list[StatementLine]) -> list[str]:
    """Where the running balance does not follow from the line before: a line may be missing."""
    found = []
    for before, line in pairwise(lines):
        if before.balance is None or line.balance is None:
            continue
        expected = before.balance + line.amount
        if expected != line.balance:
            found.append(
                f"line {line.line_no}: the balance {line.balance} does not follow from the line "
                f"before ({before.balance} and {line.amount} make {expected}); "
                "a line may be missing or out of order"
            )
    if len(found) > _SHOWN_BALANCE_WARNINGS:
        more = len(found) - _SHOWN_BALANCE_WARNINGS
        found = [*found[:_SHOWN_BALANCE_WARNINGS], f"and {more} more balances that do not follow"]
    return found


# --------------------------------------------------------------------------------------------
# Files and accounts

_NOT_STATEMENTS = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or other zipped file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Excel workbook (.xls)"),
    (b"%PDF", "a PDF"),
)
_ASK_FOR = "download the statement from online banking as CSV or as OFX (Money/Quicken)"


def _looks_like_ofx(text_start: bytes) -> bool:
    head = text_start.lstrip(b"\xef\xbb\xbf \t\r\n")[:4096].upper()
    return head.startswith((b"OFXHEADER", b"<OFX")) or (
        head.startswith(b"<?XML") and (b"<?OFX" in head or b"<OFX>" in head)
    )


def read_statement(path: Path, profile: CsvProfile | None = None) -> Statement:
    """Read a statement file, OFX or CSV, told apart by its content rather than its name."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise BankFileError([f"there is no file at {path}"]) from None
    except OSError as exc:
        raise BankFileError([f"{path.name} cannot be read: {exc.strerror or exc}"]) from exc
    if path.is_dir():
        raise BankFileError([f"{path} is a folder, not a statement file"])
    if size > MAX_FILE_BYTES:
        raise BankFileError(
            [
                f"{path.name} is {size / 1024 / 1024:.0f} MB, too large to be a bank statement "
                f"(the limit is {MAX_FILE_BYTES // 1024 // 1024} MB); is it the right file?"
            ]
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BankFileError([f"{path.name} cannot be read: {exc.strerror or exc}"]) from exc

    if not data.strip():
        raise BankFileError([f"{path.name} is empty"])
    for magic, what in _NOT_STATEMENTS:
        if data.startswith(magic):
            raise BankFileError([f"{path.name} is {what}, not a statement: {_ASK_FOR}"])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" saves UTF-16; read it as text, then as usual.
        text = data.decode("utf-16")
        if _looks_like_ofx(text[:4096].encode("utf-8")):
            return read_ofx(text.encode("utf-8"))
        return read_csv(text, profile)
    if b"\x00" in data[:8192]:
        raise BankFileError([f"{path.name} is not a text file, so not a statement: {_ASK_FOR}"])
    if _looks_like_ofx(data[:8192]):
        return read_ofx(data)
    return read_csv(_decode(data), profile)


def same_account(fund_account: str, fund_sort_code: str, statement: Statement) -> bool:
    """Whether a statement is for the fund's bank account, as far as the file can tell.

    Only letters and digits are compared. UK OFX files often put the sort code (or a branch
    number) in front of the account number in ACCTID, so a statement account that ends with the
    fund's number agrees. Leading zeros are ignored: banks pad 7-digit numbers to 8.
    """
    theirs = _alnum(statement.account).lstrip("0")
    ours = _alnum(fund_account).lstrip("0")
    if not theirs or not ours:
        return True  # nothing to compare
    # A very short number would "end" many others by chance, so it must match in full.
    agrees = theirs == ours or (len(ours) >= 6 and theirs.endswith(ours))
    their_code, our_code = _alnum(statement.sort_code), _alnum(fund_sort_code)
    if their_code and our_code and their_code != our_code:
        return False
    return agrees


def mask_account(number: str) -> str:
    """'****5678': only the last four letters or digits shown, for screens and logs."""
    compact = _alnum(number)
    return f"****{compact[-4:]}" if compact else ""
