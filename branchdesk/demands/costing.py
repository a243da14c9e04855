"""What a negotiating demand would cost the employer in a year, worked in pence.

Pure arithmetic: Decimal throughout, never float, and every figure a rep shows the employer
comes with the working (`CostBreakdown.steps`) so it can be checked by hand with a calculator.

Rounding: the change in pay (`direct`) is worked out exactly and rounded half-up to the penny
once. The on-costs are percentages *of that rounded figure*, each rounded half-up to the penny
once, so "19% of £144,000.00 = £27,360.00" checks exactly on a calculator. The total is the sum
of the three rounded lines, so the table in the negotiation pack always adds up.

Employer National Insurance is simplified to a flat percentage of the change in pay. The real
charge depends on each person's earnings against the secondary threshold (and allowances), but
a rise in pay for people already above the threshold costs the full rate on every extra pound,
which is the usual case in a claim; reps who need more should cost the exceptions separately.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Literal, get_args

from branchdesk.money import ZERO, Money

Basis = Literal["pay_bill", "unit_cost"]
ChangeKind = Literal["percent", "flat", "hours", "days"]
BASES: tuple[str, ...] = get_args(Basis)
CHANGE_KINDS: tuple[str, ...] = get_args(ChangeKind)

_HUNDRED = Decimal(100)
_ONE = Decimal(1)


class CostingError(ValueError):
    """A costing that cannot be worked out; `field` names the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Costing:
    """The inputs to a demand's costing.

    - headcount: the people affected.
    - basis: "pay_bill" when `current` is the current annual pay bill of all those affected,
      "unit_cost" when it is the current annual cost of one person. Used by percent changes.
    - change_kind and change:
        percent  Decimal("5") is a 5% rise on the current pay (-100 at the lowest);
        flat     pounds a year for each person, e.g. Decimal("1200") or Decimal("850.50");
        hours    extra paid hours a week for each person, at `hourly_rate`;
        days     extra paid days a year for each person, at `hours_per_day` × `hourly_rate`.
    - pension_percent, ni_percent: the employer's on-costs, e.g. Decimal("19"), Decimal("15").
    """

    headcount: int
    basis: Basis
    current: Money
    change_kind: ChangeKind
    change: Decimal
    hourly_rate: Money | None
    pension_percent: Decimal
    ni_percent: Decimal
    hours_per_day: Decimal = Decimal("7.4")
    weeks_per_year: Decimal = Decimal("52.143")

    def validate(self) -> None:
        """Raise CostingError (a ValueError) naming the first field that is wrong."""
        for f in fields(self):
            if isinstance(getattr(self, f.name), float):
                raise CostingError(
                    f.name, "a float cannot be used: give Decimal('…') for rates, Money for amounts"
                )
        if isinstance(self.headcount, bool) or not isinstance(self.headcount, int):
            raise CostingError("headcount", "must be a whole number of people")
        if self.headcount < 0:
            raise CostingError("headcount", f"cannot be negative ({self.headcount})")
        if self.basis not in BASES:
            raise CostingError("basis", f"must be one of {', '.join(BASES)}, not {self.basis!r}")
        if self.change_kind not in CHANGE_KINDS:
            raise CostingError(
                "change_kind",
                f"must be one of {', '.join(CHANGE_KINDS)}, not {self.change_kind!r}",
            )
        if not isinstance(self.current, Money):
            raise CostingError("current", "must be an amount of money (Money)")
        if self.current.pence < 0:
            raise CostingError("current", f"cannot be negative ({self.current})")
        for name in ("change", "pension_percent", "ni_percent", "hours_per_day", "weeks_per_year"):
            value = getattr(self, name)
            if not isinstance(value, Decimal):
                raise CostingError(name, f"must be a Decimal, not {type(value).__name__}")
            if not value.is_finite():
                raise CostingError(name, f"must be a number, not {value}")
        self._validate_change()
        for name in ("pension_percent", "ni_percent"):
            value = getattr(self, name)
            if not 0 <= value <= 100:
                raise CostingError(name, f"must be between 0 and 100 ({value})")
        if not 0 < self.hours_per_day <= 24:
            raise CostingError(
                "hours_per_day", f"must be more than 0 and at most 24 ({_num(self.hours_per_day)})"
            )
        if not 0 < self.weeks_per_year <= 53:
            raise CostingError(
                "weeks_per_year",
                f"must be more than 0 and at most 53 ({_num(self.weeks_per_year)})",
            )

    def _validate_change(self) -> None:
        kind, change = self.change_kind, self.change
        if kind == "percent" and change < -100:
            raise CostingError("change", f"a pay cut cannot be more than 100% ({_num(change)}%)")
        if kind == "flat" and (change * 100) % 1:  # 850.500 is whole pence; 850.505 is not
            raise CostingError(
                "change", f"a flat amount has at most two decimal places (£{_num(change)})"
            )
        if kind == "hours" and not -168 <= change <= 168:
            raise CostingError("change", f"a week has 168 hours ({_num(change)} hours a week)")
        if kind == "days" and not -366 <= change <= 366:
            raise CostingError("change", f"a year has at most 366 days ({_num(change)} days)")
        if kind in ("hours", "days"):
            if self.hourly_rate is None:
                raise CostingError("hourly_rate", f"is needed to cost extra {kind}")
            if not isinstance(self.hourly_rate, Money):
                raise CostingError("hourly_rate", "must be an amount of money (Money)")
            if self.hourly_rate.pence < 0:
                raise CostingError("hourly_rate", f"cannot be negative ({self.hourly_rate})")
        elif self.hourly_rate is not None and not isinstance(self.hourly_rate, Money):
            raise CostingError("hourly_rate", "must be an amount of money (Money) or None")


@dataclass(frozen=True)
class CostBreakdown:
    """A year's cost of one demand, each line in whole pence; total = direct + pension + ni."""

    direct: Money
    pension: Money
    ni: Money
    total: Money
    steps: tuple[str, ...]


def annual_cost(costing: Costing) -> CostBreakdown:
    """The cost of a demand for a year, with the working; raises CostingError if invalid."""
    costing.validate()
    with localcontext() as ctx:
        ctx.prec = 60  # far more digits than any pay bill needs: nothing is lost before rounding
        exact, first_step = _direct(costing)
        direct = _round(exact)
        pension = _round(direct.to_decimal() * costing.pension_percent / _HUNDRED)
        ni = _round(direct.to_decimal() * costing.ni_percent / _HUNDRED)
    total = direct + pension + ni
    steps = (
        first_step + _rounded_note(exact, direct),
        f"Employer pension: {_num(costing.pension_percent)}% of {direct} = {pension}",
        f"Employer National Insurance: {_num(costing.ni_percent)}% of {direct} = {ni}"
        " (a flat rate on the change in pay)",
        f"Total a year: {direct} + {pension} + {ni} = {total}",
    )
    return CostBreakdown(direct, pension, ni, total, steps)


def claim_total(breakdowns: Iterable[CostBreakdown]) -> Money:
    """The cost of a whole claim: the sum of its demands' totals."""
    total = ZERO
    for breakdown in breakdowns:
        total = total + breakdown.total
    return total


# --- working -----------------------------------------------------------------------------------


def _direct(c: Costing) -> tuple[Decimal, str]:
    """The exact change in the pay bill (pounds) and the sentence that works it out."""
    people = _people(c.headcount)
    if c.change_kind == "percent":
        rate = c.change / _HUNDRED
        if c.basis == "pay_bill":
            value = c.current.to_decimal() * rate
            text = (
                f"{_num(c.change)}% of the current pay bill of {c.current} "
                f"for {people} = {_pounds(value)}"
            )
        else:
            value = c.headcount * c.current.to_decimal() * rate
            text = f"{people} × {c.current} a year each × {_num(c.change)}% = {_pounds(value)}"
    elif c.change_kind == "flat":
        value = c.headcount * c.change
        text = f"{people} × {_pounds(c.change)} a year = {_pounds(value)}"
    elif c.change_kind == "hours":
        assert c.hourly_rate is not None  # validate() checked it
        value = c.headcount * c.change * c.hourly_rate.to_decimal() * c.weeks_per_year
        hours = "hour" if c.change == _ONE else "hours"
        text = (
            f"{people} × {_num(c.change)} extra {hours} a week × {c.hourly_rate} an hour × "
            f"{_num(c.weeks_per_year)} weeks a year = {_pounds(value)}"
        )
    else:
        assert c.hourly_rate is not None
        value = c.headcount * c.change * c.hours_per_day * c.hourly_rate.to_decimal()
        days = "day" if c.change == _ONE else "days"
        text = (
            f"{people} × {_num(c.change)} extra {days} a year × {_num(c.hours_per_day)} hours "
            f"a day × {c.hourly_rate} an hour = {_pounds(value)}"
        )
    return value, text


def _round(pounds: Decimal) -> Money:
    return Money.from_decimal(pounds.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _rounded_note(exact: Decimal, rounded: Money) -> str:
    return "" if exact == rounded.to_decimal() else f", {rounded} to the penny"


def _people(headcount: int) -> str:
    return "1 person" if headcount == 1 else f"{headcount:,} people"


def _num(value: Decimal) -> str:
    """A Decimal as a person writes it: 5, 2.5, 52.143 (no trailing zeros, no exponent)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _pounds(value: Decimal) -> str:
    """Pounds with thousands separators, exact: £144,000.00 or £1,234.5675 (never rounded)."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole = int(value)
    fraction = _num(value - whole)[2:]  # the digits after "0."
    fraction = fraction.ljust(2, "0")
    return f"{sign}£{whole:,}.{fraction}"
