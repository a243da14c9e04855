"""Read Open Contracting Data Standard (OCDS 1.1) files into contract records.

`read_ocds(path)` accepts what UK publishers put out: a release package, a record package, a
JSON list of either (Contracts Finder and Find a Tender publish those), or a single release or
record. Releases that share an ocid are compiled into one picture of the contracting process,
the newest values winning (by release ``date``, then by order in the file): objects are merged
key by key, arrays of objects that carry an ``id`` are merged by id, other arrays are
replaced, and a ``null`` removes a field, as in the OCDS merge routine. A record's
``compiledRelease`` is used as it is when the record has one.

Each compiled process gives one `ContractRecord` per contract, per award that has no contract,
or, when nothing has been awarded yet, one for the tender. Real data is messy, so nothing in
the content stops an import: what is missing or odd is written into the record's `warnings`
(or the file's, for what cannot be tied to one record). Only a file that cannot be read as
OCDS at all (bad JSON, a document of the wrong shape, a file over 200 MB) is refused, with
`OcdsRefused`.

Choices worth knowing:

* Money is never a float: JSON numbers are parsed as `Decimal`, amounts become whole pence,
  and an amount with a fraction of a penny (1234.565) is rounded half-up (123457 pence) with a
  warning.
* Dates keep the calendar date as written: "2011-06-30T23:59:00Z" and
  "2011-06-30T23:59:00+01:00" are both 30 June 2011; a plain "2011-06-30" is accepted.
* Text has HTML entities decoded (also double-encoded ones such as ``&amp;amp;``), control
  characters removed and runs of white space (line breaks included) collapsed to one space.
"""

from __future__ import annotations

import copy
import html
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from branchdesk.money import Money

__all__ = [
    "MAX_BYTES",
    "ContractRecord",
    "OcdsFile",
    "OcdsRefused",
    "clean_text",
    "compile_releases",
    "read_ocds",
]

MAX_BYTES = 200 * 1024 * 1024
"""Files larger than this (200 MB) are refused before they are read."""

# ISO 4217 codes in use (and a few that real data still carries).
_CURRENCIES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR
    FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD
    JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK
    MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN
    PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL
    THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XOF
    XPF YER ZAR ZMW ZWL
    """.split()  # noqa: SIM905 - a table is easier to check than 160 quoted strings
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_PLACEHOLDER = re.compile(r"^see description of (the )?related tender\.?$", re.IGNORECASE)
_PLAIN_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_OLDEST = datetime.min.replace(tzinfo=UTC)
_IMPLAUSIBLE = Decimal("1e15")  # a thousand million million pounds: a typo, not a contract


class OcdsRefused(ValueError):
    """A file that cannot be read as OCDS at all; the message names the file and the problem."""


@dataclass(frozen=True)
class ContractRecord:
    """One contract (or award, or tender) of one contracting process, as imported."""

    ocid: str
    release_id: str
    award_id: str
    contract_id: str
    source: str
    title: str
    description: str
    buyer: str
    suppliers: tuple[str, ...]
    value_pence: int | None
    currency: str
    start: date | None
    end: date | None
    max_extent: date | None
    status: str
    warnings: tuple[str, ...] = ()


@dataclass
class OcdsFile:
    """What one file held: its contract records and the warnings that belong to no record."""

    file: Path
    records: list[ContractRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Text, dates and money


def clean_text(value: Any) -> str:
    """Text for display: entities decoded (twice-encoded too), controls gone, spaces collapsed."""
    if value is None or isinstance(value, dict | list | bool):
        return ""
    text = value if isinstance(value, str) else str(value)
    for _ in range(4):  # "&amp;amp;" needs two passes; a few more cost nothing
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    text = _CONTROL.sub("", text)
    return " ".join(text.split())


def _parse_datetime(value: Any) -> datetime | None:
    """A release date as an aware datetime (UTC when no offset is given), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parse_date(value: Any, what: str, warnings: list[str]) -> date | None:
    if value is None or value == "":
        return None
    text = value.strip() if isinstance(value, str) else None
    if text:
        if _PLAIN_DATE.match(text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        else:
            try:
                return datetime.fromisoformat(text).date()  # the date as written
            except ValueError:
                pass
    warnings.append(f"{what} '{clean_text(value)}' is not a date; left blank")
    return None


def _value(value: Any, what: str, warnings: list[str]) -> tuple[int | None, str, Decimal | None]:
    """(pence, currency, amount) from an OCDS Value object, warning about anything odd."""
    if not isinstance(value, Mapping):
        return None, "", None
    currency = clean_text(value.get("currency")).upper()
    raw = value.get("amount")
    if raw is None or raw == "":
        return None, currency, None
    amount: Decimal | None
    if isinstance(raw, bool):
        amount = None
    elif isinstance(raw, int | Decimal):
        amount = Decimal(raw)
    elif isinstance(raw, str):
        try:
            amount = Decimal(raw.strip().replace(",", "").lstrip("£"))
        except InvalidOperation:
            amount = None
        else:
            warnings.append(f"{what} amount was given as text ('{clean_text(raw)}')")
    else:
        amount = None
    if amount is None or not amount.is_finite():
        warnings.append(f"{what} amount '{clean_text(raw)}' is not a number; left blank")
        return None, currency, None
    if abs(amount) >= _IMPLAUSIBLE:
        warnings.append(f"{what} amount {amount} is implausibly large; left blank")
        return None, currency, None
    exact = amount * 100
    pence = int(exact.to_integral_value(rounding=ROUND_HALF_UP))
    if exact != pence:
        warnings.append(
            f"{what} {amount} has a fraction of a penny; rounded to {Money(pence).format()}"
        )
    if pence < 0:
        warnings.append(f"{what} is negative ({Money(pence).format()})")
    if not currency:
        warnings.append(f"{what} has no currency")
    elif currency not in _CURRENCIES:
        warnings.append(f"unknown currency '{currency}'")
    elif currency != "GBP":
        warnings.append(f"{what} is in {currency}, not pounds")
    return pence, currency, amount


def _show(pence: int, currency: str) -> str:
    return Money(pence).format(symbol=currency in ("", "GBP")) + (
        f" {currency}" if currency not in ("", "GBP") else ""
    )


# --------------------------------------------------------------------------------------------
# Compiling releases


def _merge(target: dict[str, Any], source: Mapping[str, Any]) -> None:
    for key, value in source.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, Mapping):
            existing = target.get(key)
            if not isinstance(existing, dict):
                existing = target[key] = {}
            _merge(existing, value)
        elif (
            isinstance(value, list)
            and value
            and all(isinstance(item, Mapping) and "id" in item for item in value)
        ):
            by_id: dict[str, dict[str, Any]] = {}
            existing = target.get(key)
            if isinstance(existing, list):
                for item in existing:
                    if isinstance(item, dict) and "id" in item:
                        by_id[str(item["id"])] = item
            for item in value:
                dest = by_id.setdefault(str(item["id"]), {})
                _merge(dest, item)
            target[key] = list(by_id.values())
        elif isinstance(value, list):
            target[key] = copy.deepcopy(value)
        else:
            target[key] = value


def compile_releases(releases: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Merge releases of one ocid, oldest first: later values win (see the module notes).

    The releases are taken in the order given; `read_ocds` sorts them by date first.
    """
    compiled: dict[str, Any] = {}
    for release in releases:
        _merge(compiled, release)
    compiled["tag"] = ["compiled"]
    return compiled


# --------------------------------------------------------------------------------------------
# Reading the document


@dataclass
class _Process:
    """Everything gathered for one ocid before it is turned into records."""

    ocid: str
    releases: list[tuple[datetime, int, str, dict[str, Any]]] = field(default_factory=list)
    compiled: dict[str, Any] | None = None
    release_id: str = ""
    source: str = ""


def _source(package: Mapping[str, Any], fallback: str) -> str:
    uri = package.get("uri")
    if isinstance(uri, str) and uri.strip():
        return uri.strip()
    publisher = package.get("publisher")
    if isinstance(publisher, Mapping):
        uri = publisher.get("uri")
        if isinstance(uri, str) and uri.strip():
            return uri.strip()
    return fallback


def _kind(obj: Mapping[str, Any]) -> str:
    if "ocid" in obj and ("compiledRelease" in obj or "releases" in obj):
        return "record"
    if "releases" in obj:
        return "release package"
    if "records" in obj:
        return "record package"
    if "ocid" in obj:
        return "release"
    return ""


def _type_name(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a text string",
        bool: "true/false",
        type(None): "null",
    }.get(type(value), "a number")


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self.warnings: list[str] = []
        self.processes: dict[str, _Process] = {}
        self.order = 0

    def refuse(self, problem: str) -> OcdsRefused:
        return OcdsRefused(f"{self.name}: {problem}")

    def process(self, ocid: str) -> _Process:
        found = self.processes.get(ocid)
        if found is None:
            found = self.processes[ocid] = _Process(ocid)
        return found

    # The top of the document --------------------------------------------------------------

    def document(self, data: Any) -> None:
        if isinstance(data, list):
            if not data:
                self.warnings.append("the file holds an empty list: nothing to import")
                return
            usable = [i for i, item in enumerate(data) if isinstance(item, dict) and _kind(item)]
            if not usable:
                first = data[0]
                raise self.refuse(
                    "a JSON list of "
                    + (
                        "objects"
                        if isinstance(first, dict)
                        else _type_name(first).split()[-1] + "s"
                    )
                    + " that are not OCDS packages, releases or records"
                )
            for i, item in enumerate(data):
                if i in usable:
                    self.item(item, f"item {i + 1} of the list")
                else:
                    self.warnings.append(
                        f"item {i + 1} of the list is {_type_name(item)}, not an OCDS package,"
                        " release or record; skipped"
                    )
        elif isinstance(data, dict):
            if not _kind(data):
                raise self.refuse(
                    "a JSON object with no 'releases', 'records' or 'ocid': not an OCDS release"
                    " package, record package, release or record"
                )
            self.item(data, "the file")
        else:
            raise self.refuse(
                f"the file holds {_type_name(data)}, not an OCDS package, release or record"
            )

    def item(self, obj: dict[str, Any], where: str) -> None:
        kind = _kind(obj)
        if kind in ("release package", "record package"):
            key = "releases" if kind == "release package" else "records"
            items = obj.get(key)
            if not isinstance(items, list):
                raise self.refuse(
                    f"{where} is a {kind} whose '{key}' is {_type_name(items)}, not a list"
                )
            version = obj.get("version")
            if isinstance(version, str) and not version.startswith("1."):
                self.warnings.append(f"{where} says OCDS version {version}; read as 1.1")
            if not items:
                self.warnings.append(f"{where} is a {kind} with no {key}")
            source = _source(obj, self.name)
            for n, entry in enumerate(items, 1):
                label = f"{key[:-1]} {n} of {where}" if where != "the file" else f"{key[:-1]} {n}"
                if not isinstance(entry, dict):
                    self.warnings.append(f"{label} is {_type_name(entry)}, not an object; skipped")
                elif kind == "release package":
                    self.release(entry, source, label)
                else:
                    self.record(entry, source, label)
        elif kind == "record":
            self.record(obj, self.name, where)
        else:
            self.release(obj, self.name, where)

    def release(self, release: dict[str, Any], source: str, label: str) -> None:
        ocid = clean_text(release.get("ocid"))
        if not ocid:
            self.warnings.append(f"{label} has no ocid; skipped")
            return
        release_id = clean_text(release.get("id"))
        moment = _parse_datetime(release.get("date"))
        if moment is None:
            self.warnings.append(
                f"{ocid}: release '{release_id or label}' has no readable date; taken as the oldest"
            )
            moment = _OLDEST
        self.order += 1
        self.process(ocid).releases.append((moment, self.order, source, release))

    def record(self, record: dict[str, Any], source: str, label: str) -> None:
        ocid = clean_text(record.get("ocid"))
        if not ocid:
            self.warnings.append(f"{label} has no ocid; skipped")
            return
        if ocid in self.processes:
            self.warnings.append(f"{ocid}: appears in more than one record; the last one is used")
            del self.processes[ocid]
        proc = self.process(ocid)
        releases = record.get("releases")
        releases = releases if isinstance(releases, list) else []
        newest: tuple[datetime, int, str] | None = None
        embedded = []
        for n, rel in enumerate(releases):
            if not isinstance(rel, dict):
                continue
            moment = _parse_datetime(rel.get("date")) or _OLDEST
            rel_id = clean_text(rel.get("id"))
            if not rel_id:  # a linked release: its id is the part of the url after '#'
                rel_id = clean_text(rel.get("url")).rpartition("#")[2]
            if newest is None or (moment, n) >= newest[:2]:
                newest = (moment, n, rel_id)
            if set(rel) - {"url", "date", "tag"}:  # a whole release, not a link to one
                embedded.append(rel)
        compiled = record.get("compiledRelease")
        if isinstance(compiled, dict) and compiled:
            proc.compiled = compiled
            proc.release_id = (newest[2] if newest else "") or clean_text(compiled.get("id"))
            proc.source = source
            return
        if compiled is not None:
            self.warnings.append(f"{ocid}: the record's compiledRelease is not an object; ignored")
        if not embedded:
            self.warnings.append(
                f"{ocid}: the record has no compiledRelease and only links to its releases;"
                " nothing to import"
            )
            del self.processes[ocid]
            return
        for rel in embedded:
            rel.setdefault("ocid", ocid)
            self.release(rel, source, f"{label}, release")

    # Turning processes into records -----------------------------------------------------

    def records(self) -> list[ContractRecord]:
        out: list[ContractRecord] = []
        for proc in self.processes.values():
            if proc.compiled is None:
                proc.releases.sort(key=lambda entry: (entry[0], entry[1]))
                newest = proc.releases[-1]
                proc.source = newest[2]
                proc.release_id = clean_text(newest[3].get("id"))
                proc.compiled = compile_releases(entry[3] for entry in proc.releases)
            out.extend(_contract_records(proc))
        return out


# --------------------------------------------------------------------------------------------
# One compiled release to contract records


def _objects(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _first_text(*values: Any) -> str:
    for value in values:
        text = clean_text(value)
        if text and not _PLACEHOLDER.match(text):
            return text
    return ""


def _contract_records(proc: _Process) -> list[ContractRecord]:
    rel = proc.compiled or {}
    parties = _objects(rel.get("parties"))
    by_id = {clean_text(p.get("id")): p for p in parties if clean_text(p.get("id"))}
    tender = _obj(rel.get("tender"))
    awards = _objects(rel.get("awards"))
    contracts = _objects(rel.get("contracts"))
    awards_by_id = {clean_text(a.get("id")): a for a in awards}

    def with_role(role: str) -> list[dict[str, Any]]:
        return [p for p in parties if isinstance(p.get("roles"), list) and role in p["roles"]]

    buyer_ref = _obj(rel.get("buyer"))
    buyer = clean_text(buyer_ref.get("name")) or clean_text(
        _obj(by_id.get(clean_text(buyer_ref.get("id")))).get("name")
    )
    if not buyer:
        for role in ("buyer", "procuringEntity"):
            named = [
                clean_text(p.get("name")) for p in with_role(role) if clean_text(p.get("name"))
            ]
            if named:
                buyer = named[0]
                break

    # (award, contract) pairs: every contract, then every award no contract points at.
    pairs: list[tuple[dict[str, Any] | None, dict[str, Any] | None, list[str]]] = []
    used: set[str] = set()
    for contract in contracts:
        warnings: list[str] = []
        award_ref = clean_text(contract.get("awardID"))
        award = awards_by_id.get(award_ref) if award_ref else None
        if award is None and not award_ref and len(awards) == 1:
            award = awards[0]
        elif award is None and award_ref:
            warnings.append(f"the contract's awardID '{award_ref}' matches no award")
        elif award is None:
            warnings.append("the contract has no awardID")
        if award is not None:
            used.add(clean_text(award.get("id")))
        pairs.append((award, contract, warnings))
    for award in awards:
        if clean_text(award.get("id")) not in used:
            pairs.append((award, None, []))
    if not pairs:
        pairs.append((None, None, ["no award or contract yet: tender details only"]))

    records = []
    for award, contract, warnings in pairs:
        award_d = award or {}
        contract_d = contract or {}
        title = _first_text(
            contract_d.get("title"), award_d.get("title"), tender.get("title"), rel.get("title")
        )
        description = _first_text(
            contract_d.get("description"), award_d.get("description"), tender.get("description")
        )
        if not title:
            warnings.append("no title")
        if not buyer:
            warnings.append("no buyer")

        # Suppliers: the award's, else the parties that are suppliers.
        refs = _objects(award_d.get("suppliers")) if award is not None else []
        if not refs:
            refs = with_role("supplier")
        suppliers: list[str] = []
        no_identifier: list[str] = []
        for ref in refs:
            party = _obj(by_id.get(clean_text(ref.get("id"))))
            name = clean_text(ref.get("name")) or clean_text(party.get("name"))
            if not name:
                warnings.append(
                    f"a supplier with no name (id '{clean_text(ref.get('id'))}'); skipped"
                )
                continue
            if name in suppliers:
                warnings.append(f"supplier '{name}' is listed twice; kept once")
                continue
            suppliers.append(name)
            identifier = _obj(party.get("identifier") or ref.get("identifier"))
            if not clean_text(identifier.get("id")):
                no_identifier.append(name)
        if no_identifier:
            shown = ", ".join(no_identifier[:3]) + (", …" if len(no_identifier) > 3 else "")
            warnings.append(
                f"{len(no_identifier)} of {len(suppliers)} suppliers have a blank identifier"
                f" (no company number): {shown}"
            )
        if (award is not None or contract is not None) and not suppliers:
            warnings.append("no supplier named")

        # Value: the contract's, else the award's, else (tender only) the tender's estimate.
        if contract is not None and _obj(contract_d.get("value")).get("amount") is not None:
            pence, currency, _ = _value(contract_d.get("value"), "the contract value", warnings)
        elif award is not None:
            pence, currency, _ = _value(award_d.get("value"), "the award value", warnings)
        elif contract is not None:
            pence, currency, _ = _value(contract_d.get("value"), "the contract value", warnings)
        else:
            pence, currency, _ = _value(tender.get("value"), "the tender value", warnings)
        if pence is None:
            warnings.append("no value")
        elif pence == 0:
            estimate, est_currency, _ = _value(tender.get("value"), "the tender value", [])
            warnings.append(
                "the value is £0 (probably not stated)"
                + (f"; the tender estimated {_show(estimate, est_currency)}" if estimate else "")
            )
        framework = bool(_obj(tender.get("techniques")).get("hasFrameworkAgreement"))
        if len(suppliers) > 1 and pence is not None:
            warnings.append(
                f"{'framework' if framework else 'framework or shared award'} with"
                f" {len(suppliers)} suppliers against one value of {_show(pence, currency)}:"
                " the value is not each supplier's"
            )

        # Dates: the contract's period, else the award's contract period, else the tender's.
        period = _obj(contract_d.get("period"))
        if not period and award is not None:
            period = _obj(award_d.get("contractPeriod"))
        if not period and award is None and contract is None:
            period = _obj(tender.get("contractPeriod"))
        start = _parse_date(period.get("startDate"), "start date", warnings)
        end = _parse_date(period.get("endDate"), "end date", warnings)
        max_extent = _parse_date(period.get("maxExtentDate"), "maxExtentDate", warnings)
        if end is None:
            warnings.append("no end date")
        if start and end and end < start:
            warnings.append(f"the end date {end} is before the start date {start}")
        if end and max_extent and max_extent < end:
            warnings.append(f"maxExtentDate {max_extent} is before the end date {end}")

        status = clean_text(
            contract_d.get("status") if contract is not None else None
        ) or clean_text(award_d.get("status") if award is not None else None)
        status = status or clean_text(tender.get("status"))

        records.append(
            ContractRecord(
                ocid=proc.ocid,
                release_id=proc.release_id,
                award_id=clean_text(award_d.get("id")) if award is not None else "",
                contract_id=clean_text(contract_d.get("id")) if contract is not None else "",
                source=proc.source,
                title=title,
                description=description,
                buyer=buyer,
                suppliers=tuple(suppliers),
                value_pence=pence,
                currency=currency,
                start=start,
                end=end,
                max_extent=max_extent,
                status=status,
                warnings=tuple(warnings),
            )
        )
    return records


# --------------------------------------------------------------------------------------------
# The entry point


def _decimal_constant(text: str) -> Decimal:
    return Decimal(text)  # NaN, Infinity, -Infinity: kept out of float, warned about later


def read_ocds(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> OcdsFile:
    """Read an OCDS file whole; raise `OcdsRefused` if it is not OCDS at all."""
    file = Path(path)
    reader = _Reader(file)
    try:
        size = file.stat().st_size
    except OSError as exc:
        raise reader.refuse(f"cannot be opened ({exc.strerror or exc})") from exc
    if size > max_bytes:
        raise reader.refuse(
            f"the file is {size / 1024 / 1024:,.0f} MB; files over"
            f" {max_bytes / 1024 / 1024:,.0f} MB are refused"
        )
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise reader.refuse(f"cannot be read ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise reader.refuse(
            f"is not UTF-8 text (a bad byte at position {exc.start}); OCDS files are UTF-8"
        ) from exc
    if not text.strip():
        raise reader.refuse("the file is empty")
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_decimal_constant)
    except json.JSONDecodeError as exc:
        raise reader.refuse(
            f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc
    except RecursionError as exc:
        raise reader.refuse("is not usable JSON: nested too deeply") from exc
    except ValueError as exc:  # e.g. an integer too long to convert
        raise reader.refuse(f"is not usable JSON: {exc}") from exc
    try:
        reader.document(data)
        records = reader.records()
    except RecursionError as exc:
        raise reader.refuse("is not usable OCDS: nested too deeply") from exc
    if not records and not reader.warnings:
        reader.warnings.append("no contracting processes found")
    return OcdsFile(file=file, records=records, warnings=reader.warnings)
