"""Money as whole pence.

Every amount BranchDesk keeps is an integer number of pence. `Money` wraps that integer so it
cannot be mixed with floats by accident: building one from a float raises, and the only way in
from text is `Money.parse`, which accepts what people type ("£1,234.56", "12", "-3.5").
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import total_ordering
from typing import Any

_PENCE = Decimal("0.01")
_TYPED = re.compile(r"^\s*(?P<sign>[-+]?)\s*£?\s*(?P<num>[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)\s*$")


class MoneyError(ValueError):
    """An amount that is not a valid sum of money."""


@total_ordering
class Money:
    """An amount in whole pence. Immutable, hashable, never a float."""

    __slots__ = ("_pence",)

    def __init__(self, pence: int) -> None:
        if isinstance(pence, bool) or not isinstance(pence, int):
            raise TypeError(f"Money takes whole pence as an int, not {type(pence).__name__}")
        self._pence = pence

    @classmethod
    def from_decimal(cls, value: Decimal) -> Money:
        """Pounds as a Decimal; more than two decimal places is refused, not rounded."""
        if not isinstance(value, Decimal):
            raise TypeError(f"Money.from_decimal takes a Decimal, not {type(value).__name__}")
        if not value.is_finite():
            raise MoneyError(f"{value} is not an amount of money")
        pence = value * 100
        if pence != pence.to_integral_value():
            raise MoneyError(f"{value} has more than two decimal places")
        return cls(int(pence))

    @classmethod
    def parse(cls, text: str) -> Money:
        """Parse an amount as typed: '£1,234.56', '1234.5', '-12', '12.'."""
        match = _TYPED.match(text or "")
        if not match:
            raise MoneyError(f"'{text}' is not an amount of money (for example 1,234.56)")
        num = match.group("num").replace(",", "")
        if num.endswith("."):
            num = num[:-1]
        try:
            value = Decimal(num)
        except InvalidOperation as exc:  # pragma: no cover - the pattern already checked it
            raise MoneyError(f"'{text}' is not an amount of money") from exc
        if match.group("sign") == "-":
            value = -value
        if value.as_tuple().exponent < -2:  # type: ignore[operator]
            raise MoneyError(f"'{text}' has more than two decimal places")
        return cls.from_decimal(value)

    @property
    def pence(self) -> int:
        return self._pence

    def to_decimal(self) -> Decimal:
        return (Decimal(self._pence) / 100).quantize(_PENCE, rounding=ROUND_HALF_UP)

    def format(self, symbol: bool = True) -> str:
        """£1,234.56 and -£3.50: the one way amounts are shown on screen and in exports."""
        sign = "-" if self._pence < 0 else ""
        pounds, pence = divmod(abs(self._pence), 100)
        return f"{sign}{'£' if symbol else ''}{pounds:,}.{pence:02d}"

    def __str__(self) -> str:
        return self.format()

    def __repr__(self) -> str:
        return f"Money({self._pence})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Money) and other._pence == self._pence

    def __lt__(self, other: Any) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self._pence < other._pence

    def __hash__(self) -> int:
        return hash(("Money", self._pence))

    def __add__(self, other: Any) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self._pence + other._pence)

    def __sub__(self, other: Any) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self._pence - other._pence)

    def __neg__(self) -> Money:
        return Money(-self._pence)

    def __bool__(self) -> bool:
        return self._pence != 0


ZERO = Money(0)
