"""Costing a negotiating demand: worked examples checked by hand, rounding, validation, and
properties that must hold for any costing."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchdesk.demands.costing import (
    CostBreakdown,
    Costing,
    CostingError,
    annual_cost,
    claim_total,
)
from branchdesk.money import Money

D = Decimal


def pounds(text: str) -> Money:
    return Money.parse(text)


def costing(**changes: object) -> Costing:
    base = Costing(
        headcount=120,
        basis="pay_bill",
        current=pounds("2,400,000"),
        change_kind="flat",
        change=D("1200"),
        hourly_rate=None,
        pension_percent=D("19"),
        ni_percent=D("15"),
    )
    return replace(base, **changes)


def lines(b: CostBreakdown) -> tuple[str, str, str, str]:
    return (str(b.direct), str(b.pension), str(b.ni), str(b.total))


# --- worked examples ---------------------------------------------------------------------------


def test_flat_amount_per_person() -> None:
    # 120 × £1,200 = £144,000; 19% of that = £27,360; 15% = £21,600;
    # 144,000 + 27,360 + 21,600 = £192,960.
    b = annual_cost(costing())
    assert lines(b) == ("£144,000.00", "£27,360.00", "£21,600.00", "£192,960.00")
    assert b.steps == (
        "120 people × £1,200.00 a year = £144,000.00",
        "Employer pension: 19% of £144,000.00 = £27,360.00",
        "Employer National Insurance: 15% of £144,000.00 = £21,600.00"
        " (a flat rate on the change in pay)",
        "Total a year: £144,000.00 + £27,360.00 + £21,600.00 = £192,960.00",
    )


def test_percent_of_a_pay_bill() -> None:
    # 5% of £2,400,000 = £120,000; 19% = £22,800; 15% = £18,000; total £160,800.
    b = annual_cost(costing(change_kind="percent", change=D("5")))
    assert lines(b) == ("£120,000.00", "£22,800.00", "£18,000.00", "£160,800.00")
    assert b.steps[0] == (
        "5% of the current pay bill of £2,400,000.00 for 120 people = £120,000.00"
    )


def test_percent_of_a_unit_cost() -> None:
    # 120 × £24,000 × 2.5% = 120 × £600 = £72,000; 19% = £13,680; 15% = £10,800;
    # total £96,480.
    b = annual_cost(
        costing(basis="unit_cost", current=pounds("24000"), change_kind="percent", change=D("2.5"))
    )
    assert lines(b) == ("£72,000.00", "£13,680.00", "£10,800.00", "£96,480.00")
    assert b.steps[0] == "120 people × £24,000.00 a year each × 2.5% = £72,000.00"


def test_extra_hours_a_week() -> None:
    # 120 × 2 hours = 240 hours a week; × £12.50 = £3,000 a week; × 52.143 weeks = £156,429.
    # 19% of £156,429 = £29,721.51; 15% = £23,464.35; total = £209,614.86.
    b = annual_cost(costing(change_kind="hours", change=D("2"), hourly_rate=pounds("12.50")))
    assert lines(b) == ("£156,429.00", "£29,721.51", "£23,464.35", "£209,614.86")
    assert b.steps[0] == (
        "120 people × 2 extra hours a week × £12.50 an hour × 52.143 weeks a year = £156,429.00"
    )


def test_extra_days_a_year_at_the_default_day() -> None:
    # 3 × 1 day × 7.4 hours = 22.2 hours; × £12.37 = £274.614, £274.61 to the penny.
    # 19% of £274.61 = £52.1759 -> £52.18; 13.8% = £37.89618 -> £37.90; total £364.69.
    b = annual_cost(
        costing(
            headcount=3,
            change_kind="days",
            change=D("1"),
            hourly_rate=pounds("12.37"),
            ni_percent=D("13.8"),
        )
    )
    assert lines(b) == ("£274.61", "£52.18", "£37.90", "£364.69")
    assert b.steps[0] == (
        "3 people × 1 extra day a year × 7.4 hours a day × £12.37 an hour = £274.614,"
        " £274.61 to the penny"
    )


def test_days_with_a_shorter_working_day() -> None:
    # 10 × 2 days × 7 hours = 140 hours; × £15 = £2,100; no on-costs.
    b = annual_cost(
        costing(
            headcount=10,
            change_kind="days",
            change=D("2"),
            hourly_rate=pounds("15"),
            hours_per_day=D("7"),
            pension_percent=D("0"),
            ni_percent=D("0"),
        )
    )
    assert lines(b) == ("£2,100.00", "£0.00", "£0.00", "£2,100.00")


def test_one_person_and_a_pay_cut() -> None:
    # 1 × £30,000 × -100% = -£30,000 (the whole of a post cut): on-costs fall with it.
    b = annual_cost(
        costing(
            headcount=1,
            basis="unit_cost",
            current=pounds("30000"),
            change_kind="percent",
            change=D("-100"),
        )
    )
    assert lines(b) == ("-£30,000.00", "-£5,700.00", "-£4,500.00", "-£40,200.00")
    assert b.steps[0].startswith("1 person × £30,000.00")


def test_claim_total_adds_the_demands() -> None:
    a = annual_cost(costing())  # £192,960.00
    b = annual_cost(costing(change_kind="percent", change=D("5")))  # £160,800.00
    assert claim_total([a, b]) == pounds("353,760")
    assert claim_total([]) == Money(0)


# --- rounding ----------------------------------------------------------------------------------


def test_direct_rounds_half_up_to_the_penny() -> None:
    # 1 × £0.10 × 5% = £0.005 -> £0.01 (half up; banker's rounding would give £0.00).
    b = annual_cost(
        costing(
            headcount=1,
            basis="unit_cost",
            current=pounds("0.10"),
            change_kind="percent",
            change=D("5"),
            pension_percent=D("0"),
            ni_percent=D("0"),
        )
    )
    assert b.direct == Money(1)
    assert b.steps[0].endswith("= £0.005, £0.01 to the penny")


def test_each_line_rounds_once_and_the_total_is_their_sum() -> None:
    # £0.50 direct; 1% = £0.005 -> £0.01; 5% = £0.025 -> £0.03 (half up, not to even).
    # Total £0.50 + £0.01 + £0.03 = £0.54, though 106% of £0.50 is £0.53: the table adds up.
    b = annual_cost(
        costing(headcount=1, change=D("0.50"), pension_percent=D("1"), ni_percent=D("5"))
    )
    assert lines(b) == ("£0.50", "£0.01", "£0.03", "£0.54")


def test_on_costs_are_worked_on_the_direct_figure_shown() -> None:
    # 7 × £1,000 × 0.333% = £23.31 exactly; 19% of £23.31 = £4.4289 -> £4.43, which a rep
    # can check on a calculator from the figure on the line above.
    b = annual_cost(
        costing(
            headcount=7,
            basis="unit_cost",
            current=pounds("1000"),
            change_kind="percent",
            change=D("0.333"),
        )
    )
    assert (b.direct, b.pension) == (pounds("23.31"), pounds("4.43"))


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"headcount": -1}, "headcount", "cannot be negative"),
        ({"headcount": 2.0}, "headcount", "float"),
        ({"headcount": True}, "headcount", "whole number"),
        ({"current": Money(-1)}, "current", "cannot be negative"),
        ({"current": 100}, "current", "Money"),
        ({"basis": "per_head"}, "basis", "pay_bill, unit_cost"),
        ({"change_kind": "bonus"}, "change_kind", "percent, flat, hours, days"),
        ({"change_kind": "percent", "change": D("-100.5")}, "change", "more than 100%"),
        ({"change": 5.0}, "change", "float"),
        ({"change": 5}, "change", "must be a Decimal"),
        ({"change": D("NaN")}, "change", "must be a number"),
        ({"change": D("1200.505")}, "change", "two decimal places"),
        ({"change_kind": "hours", "change": D("2")}, "hourly_rate", "needed to cost extra hours"),
        ({"change_kind": "days", "change": D("1")}, "hourly_rate", "needed to cost extra days"),
        (
            {"change_kind": "hours", "change": D("2"), "hourly_rate": Money(-5)},
            "hourly_rate",
            "cannot be negative",
        ),
        (
            {"change_kind": "hours", "change": D("200"), "hourly_rate": Money(1000)},
            "change",
            "168 hours",
        ),
        ({"pension_percent": D("-1")}, "pension_percent", "between 0 and 100"),
        ({"ni_percent": D("101")}, "ni_percent", "between 0 and 100"),
        ({"ni_percent": 13.8}, "ni_percent", "float"),
        ({"hours_per_day": D("0")}, "hours_per_day", "more than 0"),
        ({"weeks_per_year": D("60")}, "weeks_per_year", "at most 53"),
    ],
)
def test_validation_names_the_field(changes: dict[str, object], field: str, words: str) -> None:
    bad = costing(**changes)
    with pytest.raises(CostingError) as raised:
        bad.validate()
    assert raised.value.field == field
    assert str(raised.value).startswith(f"{field}: ")
    assert words in str(raised.value)
    with pytest.raises(ValueError, match=field):
        annual_cost(bad)


def test_a_valid_costing_passes_and_flat_amounts_may_have_pence() -> None:
    costing(change=D("850.50")).validate()
    costing(change=D("850.500")).validate()  # trailing zeros: still whole pence
    costing(change_kind="percent", change=D("-100")).validate()


# --- properties --------------------------------------------------------------------------------

percents = st.decimals(min_value=0, max_value=30, places=2)
kinds = st.sampled_from(["percent", "flat", "hours", "days"])


@st.composite
def costings(draw: st.DrawFn, headcount: st.SearchStrategy[int] | None = None) -> Costing:
    kind = draw(kinds)
    if kind == "percent":
        change = draw(st.decimals(min_value=-100, max_value=100, places=3))
    elif kind == "flat":
        change = draw(st.decimals(min_value=-5000, max_value=5000, places=2))
    elif kind == "hours":
        change = draw(st.decimals(min_value=-10, max_value=10, places=2))
    else:
        change = draw(st.decimals(min_value=-10, max_value=10, places=1))
    return Costing(
        headcount=draw(st.integers(0, 5000) if headcount is None else headcount),
        basis=draw(st.sampled_from(["pay_bill", "unit_cost"])),
        current=Money(draw(st.integers(0, 10**10))),
        change_kind=kind,
        change=change,
        hourly_rate=Money(draw(st.integers(0, 10_000))),
        pension_percent=draw(percents),
        ni_percent=draw(percents),
        hours_per_day=draw(st.decimals(min_value=D("0.5"), max_value=12, places=1)),
    )


@given(costings())
def test_total_is_the_sum_of_the_lines(c: Costing) -> None:
    b = annual_cost(c)
    assert b.total == b.direct + b.pension + b.ni
    assert b.steps[-1].endswith(f"= {b.total}")


@settings(max_examples=200)
@given(costings(headcount=st.integers(1, 5000)))
def test_cost_scales_with_headcount_within_a_penny_a_person(c: Costing) -> None:
    # Per person, so a pay_bill basis is costed as unit costs here.
    c = replace(c, basis="unit_cost")
    one = annual_cost(replace(c, headcount=1))
    many = annual_cost(c)
    n = c.headcount
    for line in ("direct", "pension", "ni"):
        assert abs(getattr(many, line).pence - n * getattr(one, line).pence) <= n, line


@given(costings())
def test_no_change_costs_nothing(c: Costing) -> None:
    b = annual_cost(replace(c, change=D("0")))
    assert (b.direct, b.pension, b.ni, b.total) == (Money(0),) * 4


@given(
    headcount=st.integers(0, 2000),
    pay_pounds=st.integers(0, 100_000),
    percent=st.integers(-100, 100),
    pension=percents,
    ni=percents,
)
def test_percent_of_a_pay_bill_equals_the_same_flat_amount_each(
    headcount: int, pay_pounds: int, percent: int, pension: Decimal, ni: Decimal
) -> None:
    # Whole-pound pay and a whole percent: the flat amount each is exact in pence.
    by_percent = costing(
        headcount=headcount,
        basis="pay_bill",
        current=Money(headcount * pay_pounds * 100),
        change_kind="percent",
        change=D(percent),
        pension_percent=pension,
        ni_percent=ni,
    )
    flat = replace(by_percent, change_kind="flat", change=D(pay_pounds) * percent / 100)
    a, b = annual_cost(by_percent), annual_cost(flat)
    assert (a.direct, a.pension, a.ni, a.total) == (b.direct, b.pension, b.ni, b.total)
