"""Money: whole pence, never a float."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from branchdesk.money import Money, MoneyError
from branchdesk.store.types import MoneyType


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("£1,234.56", 123456),
        ("1234.5", 123450),
        ("12", 1200),
        ("12.", 1200),
        (".5", 50),
        ("-3.50", -350),
        ("  £ 0.01 ", 1),
        ("+7", 700),
    ],
)
def test_parse_what_people_type(typed: str, pence: int) -> None:
    assert Money.parse(typed).pence == pence


@pytest.mark.parametrize("typed", ["", "abc", "1.234", "£", "1e5", "12,34.5.6", "NaN", "--1"])
def test_parse_refuses_what_is_not_an_amount(typed: str) -> None:
    with pytest.raises(MoneyError):
        Money.parse(typed)


def test_floats_are_refused_everywhere() -> None:
    with pytest.raises(TypeError):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.from_decimal(0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        MoneyType().process_bind_param(0.105, None)  # type: ignore[arg-type]
    with pytest.raises(MoneyError, match="more than two decimal places"):
        Money.from_decimal(Decimal("0.105"))


def test_format_for_screen_and_export() -> None:
    assert Money(123456).format() == "£1,234.56"
    assert Money(-350).format() == "-£3.50"
    assert Money(5).format(symbol=False) == "0.05"
    assert str(Money(100_000_000_00)) == "£100,000,000.00"


def test_arithmetic_and_ordering() -> None:
    assert Money(150) + Money(50) == Money(200)
    assert Money(150) - Money(200) == Money(-50)
    assert -Money(5) == Money(-5)
    assert sorted([Money(3), Money(-1), Money(2)]) == [Money(-1), Money(2), Money(3)]
    assert not Money(0) and Money(1)
    with pytest.raises(TypeError):
        Money(1) + 1  # type: ignore[operator]


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_format_parse_round_trip(pence: int) -> None:
    money = Money(pence)
    assert Money.parse(money.format()) == money
    assert Money.from_decimal(money.to_decimal()) == money
