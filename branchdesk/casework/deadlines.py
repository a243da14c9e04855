"""UK (England and Wales) deadline engine for casework: tribunal time limits and appeal windows.

Pure Python: no database and no Qt. The rules are data (`deadline_rules.json`, shipped with the
package; the app keeps an edited copy in the database) and the arithmetic lives here. Every
answer carries its working as plain sentences, so a branch secretary can check it by hand.

Where the law leaves room for two readings, the engine takes the EARLIER date: a deadline met a
day early costs nothing, a deadline missed by a day can end a member's claim.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import holidays

SCHEMA_VERSION = 1
CLAIM_KINDS: tuple[str, ...] = ("general", "redundancy_pay", "equal_pay")

_MAX_MONTHS = 24  # no tribunal limit is longer; a bigger number is a typing slip
_MAX_APPEAL_DAYS = 365

# Spelt out here rather than taken from the locale, so steps read the same on every PC.
# fmt: off
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_NUMBER_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six",
    "seven", "eight", "nine", "ten", "eleven", "twelve",
)
# fmt: on


# --------------------------------------------------------------------------------------------
# Dates in words


def format_date(d: date) -> str:
    """'9 June 2026'."""
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _format_day(d: date) -> str:
    return f"{_WEEKDAYS[d.weekday()]} {format_date(d)}"


def _number(n: int) -> str:
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _check_date(name: str, value: object) -> date:
    # datetime is a subclass of date, and mixing the two gives wrong day counts.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{name} must be a date, not {type(value).__name__}")
    return value


# --------------------------------------------------------------------------------------------
# Calendar arithmetic


def add_months(d: date, n: int) -> date:
    """The same day n calendar months later (or earlier, for negative n).

    Month-end rule: when that day does not exist in the target month (31 August + 3 months,
    30 November + 3 months), the result is the last day of the target month.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"months must be a whole number, not {n!r}")
    index = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise ValueError(f"{format_date(d)} plus {n} months is outside the calendar")
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last))


@cache
def _bank_holidays(year: int) -> Mapping[date, str]:
    # England and Wales share one set of bank holidays; the `holidays` package models them as
    # UK subdivision "ENG" (and identically as "WLS"). Built once per year, then reused.
    calendar_ = holidays.UK(subdiv="ENG", years=year)
    return MappingProxyType(dict(calendar_.items()))


def bank_holiday_name(d: date) -> str | None:
    """The name of the England and Wales bank holiday on d, or None."""
    return _bank_holidays(d.year).get(d)


def is_working_day(d: date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    return d.weekday() < 5 and d not in _bank_holidays(d.year)


def add_working_days(d: date, n: int) -> date:
    """The n-th working day after d (d itself never counts); n = 0 gives d back."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"working days must be a whole number, not {n!r}")
    if n < 0:
        raise ValueError(f"working days must not be negative (got {n})")
    current = d
    while n:
        current += timedelta(days=1)
        if is_working_day(current):
            n -= 1
    return current


def _previous_working_day(d: date) -> date:
    current = d - timedelta(days=1)
    while not is_working_day(current):
        current -= timedelta(days=1)
    return current


def days_remaining(due: date, today: date) -> int:
    """Days from today to the due date; 0 on the day, negative once overdue."""
    return (due - today).days


def describe_remaining(due: date, today: date) -> str:
    """'due today', '1 day left', '3 days left', 'overdue by 2 days'."""
    left = days_remaining(due, today)
    if left == 0:
        return "due today"
    if left > 0:
        return f"{_plural(left, 'day')} left"
    return f"overdue by {_plural(-left, 'day')}"


# --------------------------------------------------------------------------------------------
# The rules, as data


@dataclass(frozen=True)
class ClaimKindRule:
    """The time limit for one kind of tribunal claim."""

    kind: str
    label: str
    starts_from: str  # what the start date is, in words: "Last day of the employment"
    months: int
    months_after_era2025: int | None  # the limit once ERA 2025 applies; None = unchanged
    source: str
    note: str = ""

    def __post_init__(self) -> None:
        where = f"tribunal.claim_kinds.{self.kind}"
        if self.kind not in CLAIM_KINDS:
            raise ValueError(
                f"tribunal.claim_kinds: unknown claim kind {self.kind!r} "
                f"(expected one of {', '.join(CLAIM_KINDS)})"
            )
        _require_text(f"{where}.label", self.label)
        _require_text(f"{where}.starts_from", self.starts_from)
        _require_text(f"{where}.source", self.source)
        _require_str(f"{where}.note", self.note)
        _require_int(f"{where}.months", self.months, 1, _MAX_MONTHS, "months")
        if self.months_after_era2025 is not None:
            _require_int(
                f"{where}.months_after_era2025",
                self.months_after_era2025,
                1,
                _MAX_MONTHS,
                "months",
            )


@dataclass(frozen=True)
class AppealWindow:
    """How long a member has to appeal after the date of the outcome letter."""

    days: int
    working_days: bool
    source: str = ""

    def validate(self, where: str) -> None:
        _require_int(f"{where}.days", self.days, 1, _MAX_APPEAL_DAYS, "days")
        if not isinstance(self.working_days, bool):
            raise ValueError(f"{where}.working_days must be true or false")
        _require_str(f"{where}.source", self.source)

    def describe(self) -> str:
        kind = "working" if self.working_days else "calendar"
        return f"{self.days} {kind} {'day' if self.days == 1 else 'days'}"


def employer_key(name: str) -> str:
    """How employer names are matched: case and spacing do not matter."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class DeadlineRules:
    """Every rule the deadline engine uses. Immutable; change with the `with_*` helpers."""

    claim_kinds: tuple[ClaimKindRule, ...]
    era2025_six_month_from: date | None  # None = the ERA 2025 six-month limit is not in force
    era2025_confirmed: bool
    era2025_source: str
    acas_applies: bool
    acas_source: str
    appeal_default: AppealWindow
    appeals_by_employer: tuple[tuple[str, AppealWindow], ...] = ()
    schema: int = SCHEMA_VERSION
    _by_kind: Mapping[str, ClaimKindRule] = field(init=False, repr=False, compare=False, hash=False)
    _by_employer: Mapping[str, tuple[str, AppealWindow]] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        if self.schema != SCHEMA_VERSION:
            raise ValueError(f"schema must be {SCHEMA_VERSION}, not {self.schema!r}")
        by_kind: dict[str, ClaimKindRule] = {}
        for rule in self.claim_kinds:
            if not isinstance(rule, ClaimKindRule):
                raise ValueError("tribunal.claim_kinds must hold ClaimKindRule values")
            if rule.kind in by_kind:
                raise ValueError(f"tribunal.claim_kinds: claim kind {rule.kind!r} appears twice")
            by_kind[rule.kind] = rule
        missing = [kind for kind in CLAIM_KINDS if kind not in by_kind]
        if missing:
            raise ValueError(f"tribunal.claim_kinds: missing claim kind {', '.join(missing)}")
        if self.era2025_six_month_from is not None:
            _check_date("tribunal.era2025_six_month_from", self.era2025_six_month_from)
        if not isinstance(self.era2025_confirmed, bool):
            raise ValueError("tribunal.era2025_confirmed must be true or false")
        _require_text("tribunal.era2025_source", self.era2025_source)
        if not isinstance(self.acas_applies, bool):
            raise ValueError("tribunal.acas_early_conciliation.applies must be true or false")
        _require_text("tribunal.acas_early_conciliation.source", self.acas_source)
        if not isinstance(self.appeal_default, AppealWindow):
            raise ValueError("appeals.default must be an AppealWindow")
        self.appeal_default.validate("appeals.default")
        _require_text("appeals.default.source", self.appeal_default.source)
        by_employer: dict[str, tuple[str, AppealWindow]] = {}
        for name, window in self.appeals_by_employer:
            where = f"appeals.by_employer[{name!r}]"
            if not isinstance(name, str) or not name.strip():
                raise ValueError("appeals.by_employer: an employer name is empty")
            if not isinstance(window, AppealWindow):
                raise ValueError(f"{where} must be an AppealWindow")
            window.validate(where)
            key = employer_key(name)
            if key in by_employer:
                raise ValueError(
                    f"appeals.by_employer: {name!r} and {by_employer[key][0]!r} "
                    "are the same employer"
                )
            by_employer[key] = (name, window)
        # Lookup tables; the tuples stay the single source of truth for equality and JSON.
        object.__setattr__(self, "_by_kind", MappingProxyType(by_kind))
        object.__setattr__(self, "_by_employer", MappingProxyType(by_employer))

    # -- lookups --------------------------------------------------------------------------

    def claim_kind(self, kind: str) -> ClaimKindRule:
        try:
            return self._by_kind[kind]
        except (KeyError, TypeError):
            raise ValueError(
                f"unknown claim kind {kind!r} (expected one of {', '.join(CLAIM_KINDS)})"
            ) from None

    def appeal_window(self, employer_name: str | None) -> tuple[AppealWindow, str | None]:
        """The employer's window and its name as recorded, or the default and None."""
        if employer_name:
            found = self._by_employer.get(employer_key(employer_name))
            if found is not None:
                return found[1], found[0]
        return self.appeal_default, None

    # -- edited copies, for the deadline rules dialog -----------------------------------------

    def with_era2025(self, start: date | None, *, confirmed: bool) -> DeadlineRules:
        return replace(self, era2025_six_month_from=start, era2025_confirmed=confirmed)

    def with_employer_window(self, employer_name: str, window: AppealWindow) -> DeadlineRules:
        """Add or replace one employer's appeal window."""
        key = employer_key(employer_name)
        kept = tuple(p for p in self.appeals_by_employer if employer_key(p[0]) != key)
        return replace(self, appeals_by_employer=(*kept, (employer_name.strip(), window)))

    def without_employer_window(self, employer_name: str) -> DeadlineRules:
        key = employer_key(employer_name)
        kept = tuple(p for p in self.appeals_by_employer if employer_key(p[0]) != key)
        return replace(self, appeals_by_employer=kept)

    # -- JSON -------------------------------------------------------------------------------

    @classmethod
    def defaults(cls) -> DeadlineRules:
        """The rules shipped with BranchDesk."""
        text = (
            resources.files("branchdesk.casework")
            .joinpath("deadline_rules.json")
            .read_text(encoding="utf-8")
        )
        return cls.from_json(text)

    @classmethod
    def from_json(cls, text: str) -> DeadlineRules:
        """Parse and check rules; a ValueError names the first bad field."""
        try:
            data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
        except json.JSONDecodeError as exc:
            raise ValueError(f"deadline rules are not valid JSON: {exc}") from None
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Any) -> DeadlineRules:
        root = _obj("(top level)", data, required=("schema", "tribunal", "appeals"))
        schema = root["schema"]
        if isinstance(schema, bool) or not isinstance(schema, int) or schema < 1:
            raise ValueError(f"schema must be a whole number from 1, not {schema!r}")
        if schema > SCHEMA_VERSION:
            raise ValueError(
                f"schema {schema} is newer than this version of BranchDesk understands "
                f"(up to {SCHEMA_VERSION})"
            )
        while schema < SCHEMA_VERSION:  # upgrade older saved copies one step at a time
            root = _MIGRATIONS[schema](root)
            schema += 1

        tribunal = _obj(
            "tribunal",
            root["tribunal"],
            required=(
                "claim_kinds",
                "era2025_six_month_from",
                "era2025_confirmed",
                "era2025_source",
                "acas_early_conciliation",
            ),
        )
        kinds = _obj("tribunal.claim_kinds", tribunal["claim_kinds"])
        claim_kinds = []
        for kind, raw in kinds.items():
            if kind not in CLAIM_KINDS:
                raise ValueError(
                    f"tribunal.claim_kinds: unknown claim kind {kind!r} "
                    f"(expected one of {', '.join(CLAIM_KINDS)})"
                )
            where = f"tribunal.claim_kinds.{kind}"
            item = _obj(
                where,
                raw,
                required=("label", "starts_from", "months", "source"),
                optional=("months_after_era2025", "note"),
            )
            claim_kinds.append(
                ClaimKindRule(
                    kind=kind,
                    label=item["label"],
                    starts_from=item["starts_from"],
                    months=item["months"],
                    months_after_era2025=item.get("months_after_era2025"),
                    source=item["source"],
                    note=item.get("note", ""),
                )
            )
        acas = _obj(
            "tribunal.acas_early_conciliation",
            tribunal["acas_early_conciliation"],
            required=("applies", "source"),
        )
        appeals = _obj("appeals", root["appeals"], required=("default", "by_employer"))
        employers = _obj("appeals.by_employer", appeals["by_employer"])
        return cls(
            schema=SCHEMA_VERSION,
            claim_kinds=tuple(claim_kinds),
            era2025_six_month_from=_parse_date(
                "tribunal.era2025_six_month_from", tribunal["era2025_six_month_from"]
            ),
            era2025_confirmed=tribunal["era2025_confirmed"],
            era2025_source=tribunal["era2025_source"],
            acas_applies=acas["applies"],
            acas_source=acas["source"],
            appeal_default=_appeal_window("appeals.default", appeals["default"]),
            appeals_by_employer=tuple(
                (name, _appeal_window(f"appeals.by_employer[{name!r}]", raw))
                for name, raw in employers.items()
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        def window(w: AppealWindow) -> dict[str, Any]:
            return {"days": w.days, "working_days": w.working_days, "source": w.source}

        start = self.era2025_six_month_from
        return {
            "schema": self.schema,
            "tribunal": {
                "claim_kinds": {
                    rule.kind: {
                        "label": rule.label,
                        "starts_from": rule.starts_from,
                        "months": rule.months,
                        "months_after_era2025": rule.months_after_era2025,
                        "source": rule.source,
                        "note": rule.note,
                    }
                    for rule in self.claim_kinds
                },
                "era2025_six_month_from": start.isoformat() if start else None,
                "era2025_confirmed": self.era2025_confirmed,
                "era2025_source": self.era2025_source,
                "acas_early_conciliation": {
                    "applies": self.acas_applies,
                    "source": self.acas_source,
                },
            },
            "appeals": {
                "default": window(self.appeal_default),
                "by_employer": {name: window(w) for name, w in self.appeals_by_employer},
            },
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"


# Schema upgrades: _MIGRATIONS[n] turns a schema-n dict into a schema-(n + 1) dict.
_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads would silently keep the last of two equal keys; in rules that hides a mistake.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"deadline rules: the key {key!r} appears twice in one object")
        result[key] = value
    return result


def _obj(
    where: str,
    value: Any,
    *,
    required: Iterable[str] | None = None,
    optional: Iterable[str] = (),
) -> dict[str, Any]:
    """Check that value is a JSON object with exactly the expected keys (None = any keys)."""
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be a JSON object")
    if required is not None:
        required = tuple(required)
        missing = [k for k in required if k not in value]
        if missing:
            raise ValueError(f"{where}: missing {', '.join(missing)}")
        allowed = set(required) | set(optional)
        unknown = sorted(k for k in value if k not in allowed)
        if unknown:
            raise ValueError(f"{where}: unknown field {', '.join(unknown)}")
    return value


def _appeal_window(where: str, raw: Any) -> AppealWindow:
    item = _obj(where, raw, required=("days", "working_days"), optional=("source",))
    window = AppealWindow(
        days=item["days"], working_days=item["working_days"], source=item.get("source", "")
    )
    window.validate(where)
    return window


def _parse_date(where: str, value: Any) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{where} must be a date (YYYY-MM-DD) or null, not {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _require_str(where: str, value: Any) -> None:
    if not isinstance(value, str):
        raise ValueError(f"{where} must be text, not {value!r}")


def _require_text(where: str, value: Any) -> None:
    _require_str(where, value)
    if not value.strip():
        raise ValueError(f"{where} must not be empty")


def _require_int(where: str, value: Any, low: int, high: int, unit: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where} must be a whole number of {unit}, not {value!r}")
    if value < 0:
        raise ValueError(f"{where} must not be negative (got {value})")
    if not low <= value <= high:
        raise ValueError(f"{where} must be from {low} to {high} {unit} (got {value})")


# --------------------------------------------------------------------------------------------
# Computed deadlines


@dataclass(frozen=True)
class Computed:
    """A deadline with its working, ready to show or to check by hand."""

    due: date
    rule: str  # stable id: "tribunal.general", "appeal.default", "appeal.employer"
    label: str
    steps: tuple[str, ...]
    warnings: tuple[str, ...] = ()


def _months_less_one_day(start: date, months: int) -> tuple[date, str]:
    """The last day of 'the period of N months beginning with' start, and the sentence why.

    Statutes say "the period of three months beginning with" the act, so the last day is the
    day before the date three calendar months on: an act on 10 March runs out on 9 June.

    Month ends are uncertain. For an act on 31 August there is no 31 November; one reading
    gives 30 November (the last day of the month), ours gives 29 November: clamp to the last
    day of the month first, then take one day off. We use the EARLIER date on purpose, so a
    deadline computed here can never be later than the one a tribunal applies.
    """
    target = add_months(start, months)
    due = target - timedelta(days=1)
    span = f"{_number(months)} months less one day"
    if target.day == start.day:
        return due, f"{span}: {format_date(due)}."
    month_name = _MONTHS[target.month - 1]
    return due, (
        f"{span}: there is no {start.day} {month_name} {target.year}, so we take the last "
        f"day of {month_name} ({format_date(target)}) and one day less, {format_date(due)} "
        "(at a month end the law can be read two ways, and we use the earlier date)."
    )


def tribunal_deadline(
    rules: DeadlineRules,
    claim_kind: str,
    act_date: date,
    acas_day_a: date | None = None,
    acas_day_b: date | None = None,
) -> Computed:
    """The last day to present an employment tribunal claim.

    act_date is what the time limit runs from: the act complained of, the effective date of
    termination, or (equal pay) the last day of the employment. acas_day_a / acas_day_b are
    the ACAS early conciliation dates from the certificate, if any.

    The answer is never moved off a weekend or bank holiday: claims can be presented online
    on any day, and the statutes do not carry the limit over to the next working day.
    """
    rule = rules.claim_kind(claim_kind)
    act_date = _check_date("act date", act_date)
    if acas_day_a is not None:
        _check_date("ACAS Day A", acas_day_a)
    if acas_day_b is not None:
        _check_date("ACAS Day B", acas_day_b)
    if acas_day_b is not None and acas_day_a is None:
        raise ValueError("ACAS Day B is given without Day A (the day ACAS was contacted)")
    if acas_day_a is not None and acas_day_b is not None and acas_day_b < acas_day_a:
        raise ValueError(
            f"ACAS Day B ({format_date(acas_day_b)}) is before Day A ({format_date(acas_day_a)})"
        )

    steps: list[str] = []
    warnings: list[str] = []

    # Which limit applies: the Employment Rights Act 2025 doubles the general one.
    months = rule.months
    era_start = rules.era2025_six_month_from
    if rule.months_after_era2025 is not None:
        if era_start is None:
            steps.append(
                "The six-month limit of the Employment Rights Act 2025 is not treated as in "
                "force (no start date is set in the deadline rules)."
            )
        elif act_date >= era_start:
            months = rule.months_after_era2025
            steps.append(
                f"The act was on or after {format_date(era_start)}, when the Employment Rights "
                f"Act 2025 limit of {_number(months)} months applies."
            )
        else:
            steps.append(
                f"The act was before {format_date(era_start)}, when the Employment Rights Act "
                f"2025 limit of {_number(rule.months_after_era2025)} months starts, so the "
                f"{_number(months)}-month limit applies."
            )

    ordinary, working = _months_less_one_day(act_date, months)
    steps.append(f"{rule.starts_from}: {format_date(act_date)}; {working}")

    unconfirmed_era: date | None = None  # the ERA 2025 start date, when not yet confirmed
    if rule.months_after_era2025 is not None and era_start is not None:
        if act_date >= era_start and not rules.era2025_confirmed:
            unconfirmed_era = era_start  # warned below, once the old-limit date is known
        elif act_date < era_start <= ordinary:
            # Transitional rules may give acts just before the change the longer limit; until
            # they are known we keep the shorter one, the earlier date.
            warnings.append(
                f"The longer Employment Rights Act 2025 limit starts on {format_date(era_start)}, "
                "while this time limit is still running; transitional rules may give more "
                "time, but this date uses the shorter limit to be safe."
            )

    due = ordinary
    if acas_day_a is not None:
        due = _apply_early_conciliation(
            rules, act_date, ordinary, acas_day_a, acas_day_b, steps, warnings
        )

    if unconfirmed_era is not None:
        # The start date is only the roadmap's: six months may not be law yet, so the date
        # shown is the old limit's (the earlier one), with the same ACAS dates, and the later
        # date is given as a warning until the start date is confirmed.
        old = tribunal_deadline(
            replace(rules, era2025_six_month_from=None),
            claim_kind,
            act_date,
            acas_day_a,
            acas_day_b,
        )
        # The working shown is the old limit's, since that is the date shown.
        not_set = "The six-month limit of the Employment Rights Act 2025 is not treated"
        steps = [
            f"The Employment Rights Act 2025 start date ({format_date(unconfirmed_era)}) is not "
            f"confirmed, so the {_number(rule.months)}-month limit is used to be safe.",
            *(s for s in old.steps if not s.startswith(not_set) and s != rule.note),
        ]
        warnings = [
            *old.warnings,
            f"If the Employment Rights Act 2025 limit is in force from "
            f"{format_date(unconfirmed_era)}, the deadline is {format_date(due)}; the earlier "
            f"date, {format_date(old.due)}, is shown until the start date is confirmed in "
            "Edit › Deadline rules.",
        ]
        due = old.due
    if rule.note:
        steps.append(rule.note)
    return Computed(
        due=due,
        rule=f"tribunal.{rule.kind}",
        label=rule.label,
        steps=tuple(steps),
        warnings=tuple(warnings),
    )


def _apply_early_conciliation(
    rules: DeadlineRules,
    act_date: date,
    ordinary: date,
    day_a: date,
    day_b: date | None,
    steps: list[str],
    warnings: list[str],
) -> date:
    """Employment Rights Act 1996 s.207B(3) then (4), applied in that order (Haque, EAT 2018)."""
    if not rules.acas_applies:
        warnings.append(
            "The ACAS early conciliation extension is switched off in the deadline rules, so "
            "the ACAS dates were not used."
        )
        return ordinary
    if day_a > ordinary:
        # Conciliation cannot revive a limit that has already run out.
        warnings.append(
            f"ACAS was contacted on {format_date(day_a)}, after the ordinary time limit "
            f"({format_date(ordinary)}) had passed, so early conciliation does not extend it."
        )
        return ordinary
    if day_a < act_date:
        # Counting days stopped before the clock even started would push the date later than
        # a tribunal may accept; keep the earlier date and ask for a check.
        warnings.append(
            f"ACAS Day A ({format_date(day_a)}) is before the start date "
            f"({format_date(act_date)}), so early conciliation is not counted here; check that "
            "this certificate covers this claim."
        )
        return ordinary
    if day_b is None:
        warnings.append(
            f"Early conciliation began on {format_date(day_a)} and no certificate date (Day B) "
            "is recorded: the clock is stopped, and the deadline will move once Day B is known. "
            "Until then the date shown is the one without any extension."
        )
        return ordinary

    stopped = (day_b - day_a).days
    extended = ordinary + timedelta(days=stopped)
    steps.append(
        f"ACAS early conciliation from {format_date(day_a)} (Day A) to {format_date(day_b)} "
        f"(Day B): {_plural(stopped, 'day')} not counted, so {format_date(extended)}."
    )
    month_after_b = add_months(day_b, 1)
    # s.207B(4): a limit ending between Day A and one month after Day B ends a month after B.
    if day_a <= extended <= month_after_b:
        if extended == month_after_b:
            steps.append(
                f"That is exactly one month after Day B, so it stands: {format_date(extended)}."
            )
            return extended
        steps.append(
            f"That falls before one month after Day B, so the limit ends one month after "
            f"Day B instead: {format_date(month_after_b)}."
        )
        return month_after_b
    steps.append(
        f"That is later than one month after Day B ({format_date(month_after_b)}), so it stands."
    )
    return extended


def appeal_deadline(
    rules: DeadlineRules, employer_name: str | None, outcome_letter_date: date
) -> Computed:
    """The last day to appeal an internal outcome, counted from the date of the letter."""
    letter = _check_date("outcome letter date", outcome_letter_date)
    window, recorded_name = rules.appeal_window(employer_name)
    steps: list[str] = []
    warnings: list[str] = []

    if recorded_name is not None:
        rule_id = "appeal.employer"
        label = f"Appeal against the outcome ({recorded_name}: {window.describe()})"
        steps.append(f"{recorded_name}'s appeal window is {window.describe()}.")
    else:
        rule_id = "appeal.default"
        label = f"Appeal against the outcome ({window.describe()}, the default window)"
        if employer_name and employer_name.strip():
            steps.append(
                f"No appeal window is recorded for {employer_name.strip()}, so the default of "
                f"{window.describe()} is used; check the employer's procedure."
            )
        else:
            steps.append(f"The default appeal window of {window.describe()} is used.")

    if window.working_days:
        due = add_working_days(letter, window.days)
        skipped = [
            f"{format_date(d)} ({_holiday_words(name)})"
            for d, name in _bank_holidays_between(letter, due)
            if d.weekday() < 5  # a bank holiday on a weekend is already left out
        ]
        not_counted = "weekends"
        if skipped:
            not_counted += f" or the bank {'holiday' if len(skipped) == 1 else 'holidays'} on "
            not_counted += _join(skipped)
        steps.append(
            f"Outcome letter dated {_format_day(letter)}; {_plural(window.days, 'working day')} "
            f"after it, not counting {not_counted}: {_format_day(due)}."
        )
    else:
        due = letter + timedelta(days=window.days)
        steps.append(
            f"Outcome letter dated {_format_day(letter)}; "
            f"{_plural(window.days, 'calendar day')} after it: {_format_day(due)}."
        )
        if not is_working_day(due):
            # The policy counts calendar days, so the date stands; the office may be shut.
            holiday = bank_holiday_name(due)
            why = (
                f"a bank holiday ({_holiday_words(holiday)})"
                if holiday
                else f"a {_WEEKDAYS[due.weekday()]}"
            )
            warnings.append(
                f"{format_date(due)} is {why}; if the employer's office is closed then, send "
                f"the appeal by the working day before, {_format_day(_previous_working_day(due))}."
            )
    return Computed(
        due=due, rule=rule_id, label=label, steps=tuple(steps), warnings=tuple(warnings)
    )


def _holiday_words(name: str) -> str:
    # "Boxing Day (observed)" would nest brackets inside our own.
    return name.replace(" (observed)", ", substitute day")


def _bank_holidays_between(start: date, end: date) -> list[tuple[date, str]]:
    """Bank holidays after start, up to and including end, in date order."""
    found: list[tuple[date, str]] = []
    for year in range(start.year, end.year + 1):
        found.extend((d, n) for d, n in _bank_holidays(year).items() if start < d <= end)
    return sorted(found)
