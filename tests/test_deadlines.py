"""The UK deadline engine: tribunal time limits, ACAS early conciliation, appeal windows.

Every expected date below was worked out by hand first; the working is in the comment next to
it, so a reader can check the test without trusting the code.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchdesk.casework.deadlines import (
    CLAIM_KINDS,
    AppealWindow,
    Computed,
    DeadlineRules,
    add_months,
    add_working_days,
    appeal_deadline,
    bank_holiday_name,
    days_remaining,
    describe_remaining,
    is_working_day,
    tribunal_deadline,
)

DEFAULTS = DeadlineRules.defaults()
# The same rules with the Employment Rights Act 2025 switched off, for the pure three-month
# arithmetic whatever the year.
NO_ERA = DEFAULTS.with_era2025(None, confirmed=False)
ERA_CONFIRMED = DEFAULTS.with_era2025(date(2026, 10, 1), confirmed=True)


def _shipped() -> dict[str, Any]:
    text = resources.files("branchdesk.casework").joinpath("deadline_rules.json").read_text("utf-8")
    return json.loads(text)


# --------------------------------------------------------------------------------------------
# Three months less one day


def test_plain_three_months_less_one_day() -> None:
    # Act on 10 March 2026: three months on is 10 June 2026; the day before is 9 June 2026.
    result = tribunal_deadline(DEFAULTS, "general", date(2026, 3, 10))
    assert result.due == date(2026, 6, 9)
    assert result.rule == "tribunal.general"
    assert "unfair dismissal" in result.label
    assert any("10 March 2026; three months less one day: 9 June 2026." in s for s in result.steps)
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("act", "due"),
    [
        # 31 August 2025 + 3 months = "31 November", which does not exist: clamp to
        # 30 November 2025, then one day off = 29 November 2025 (the earlier reading).
        (date(2025, 8, 31), date(2025, 11, 29)),
        # 30 November 2023 + 3 months = "30 February 2024": 2024 is a leap year, so clamp to
        # 29 February 2024, then one day off = 28 February 2024.
        (date(2023, 11, 30), date(2024, 2, 28)),
        # 30 November 2024 + 3 months = "30 February 2025": not a leap year, so clamp to
        # 28 February 2025, then one day off = 27 February 2025.
        (date(2024, 11, 30), date(2025, 2, 27)),
        # 29 November 2024: "29 February 2025" does not exist either, so the same 27 February.
        (date(2024, 11, 29), date(2025, 2, 27)),
        # 28 November 2024: 28 February 2025 exists, no clamping; the day before is 27 February.
        (date(2024, 11, 28), date(2025, 2, 27)),
        # 31 May 2025: 31 August 2025 exists, so simply 30 August 2025.
        (date(2025, 5, 31), date(2025, 8, 30)),
        # 31 December 2024: 31 March 2025 exists, so 30 March 2025 (crossing a year end).
        (date(2024, 12, 31), date(2025, 3, 30)),
    ],
)
def test_month_end_takes_the_earlier_date(act: date, due: date) -> None:
    assert tribunal_deadline(NO_ERA, "general", act).due == due


def test_month_end_working_says_why() -> None:
    result = tribunal_deadline(NO_ERA, "general", date(2025, 8, 31))
    working = " ".join(result.steps)
    assert "there is no 31 November 2025" in working
    assert "30 November 2025" in working
    assert "29 November 2025" in working
    assert "earlier date" in working


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year: clamp to the 29th
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 11, 15), 3, date(2026, 2, 15)),
        (date(2025, 11, 15), 0, date(2025, 11, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


# --------------------------------------------------------------------------------------------
# Six-month claims


def test_redundancy_pay_is_six_months() -> None:
    # Relevant date 15 January 2026: six months on is 15 July 2026; less a day, 14 July 2026.
    result = tribunal_deadline(DEFAULTS, "redundancy_pay", date(2026, 1, 15))
    assert result.due == date(2026, 7, 14)
    assert result.rule == "tribunal.redundancy_pay"
    assert any("six months less one day: 14 July 2026." in s for s in result.steps)
    # The written-claim-to-the-employer route is mentioned, so nobody thinks it is the only one.
    assert any("s.164(1)(b)" in s for s in result.steps)


def test_equal_pay_is_six_months_from_the_last_day() -> None:
    # Last day of employment 31 August 2025: six months on is "31 February 2026", clamp to
    # 28 February 2026, less a day: 27 February 2026.
    result = tribunal_deadline(DEFAULTS, "equal_pay", date(2025, 8, 31))
    assert result.due == date(2026, 2, 27)
    assert any(s.startswith("Last day of the employment: 31 August 2025") for s in result.steps)


def test_six_month_claims_are_untouched_by_era_2025() -> None:
    # Already six months before the Act; an act after the change date gets no ERA warning.
    # 1 November 2026 + 6 months = 1 May 2027, less a day: 30 April 2027.
    result = tribunal_deadline(DEFAULTS, "redundancy_pay", date(2026, 11, 1))
    assert result.due == date(2027, 4, 30)
    assert result.warnings == ()
    assert not any("Employment Rights Act 2025" in s for s in result.steps)


# --------------------------------------------------------------------------------------------
# Employment Rights Act 2025


def test_era_2025_date_shipped() -> None:
    assert DEFAULTS.era2025_six_month_from == date(2026, 10, 1)
    assert DEFAULTS.era2025_confirmed is False
    assert "CHECK" in DEFAULTS.era2025_source


def test_act_the_day_before_the_change_keeps_three_months() -> None:
    # 30 September 2026 + 3 months = 30 December 2026, less a day: 29 December 2026. The limit
    # is still running on 1 October 2026, so the transitional warning is shown.
    result = tribunal_deadline(ERA_CONFIRMED, "general", date(2026, 9, 30))
    assert result.due == date(2026, 12, 29)
    assert any("before 1 October 2026" in s for s in result.steps)
    assert len(result.warnings) == 1
    assert "transitional" in result.warnings[0]


def test_act_on_the_change_date_gets_six_months() -> None:
    # 1 October 2026 + 6 months = 1 April 2027, less a day: 31 March 2027.
    result = tribunal_deadline(ERA_CONFIRMED, "general", date(2026, 10, 1))
    assert result.due == date(2027, 3, 31)
    assert any("on or after 1 October 2026" in s for s in result.steps)
    assert result.warnings == ()


def test_unconfirmed_change_date_keeps_the_earlier_old_date() -> None:
    # Shipped rules: the date is the roadmap's, not yet confirmed, so the old limit is used:
    # 1 October 2026 + 3 months = 1 January 2027, less a day: 31 December 2026. The six-month
    # date (31 March 2027) is only given as a warning.
    result = tribunal_deadline(DEFAULTS, "general", date(2026, 10, 1))
    assert result.due == date(2026, 12, 31)
    assert len(result.warnings) == 1
    assert "31 March 2027" in result.warnings[0]
    assert "until the start date is confirmed" in result.warnings[0]
    assert "not confirmed" in result.steps[0]
    # The working shown is the three-month one, for the date shown.
    assert any("three months less one day: 31 December 2026" in s for s in result.steps)
    assert not any("31 March 2027" in s for s in result.steps)


def test_unconfirmed_warning_counts_acas_too() -> None:
    # Old limit 31 December 2026; ACAS Day A 1 December 2026, Day B 15 December 2026: 14 days
    # not counted gives 14 January 2027, which falls before one month after Day B
    # (15 January 2027), so under the old limit the date would be 15 January 2027.
    result = tribunal_deadline(
        DEFAULTS, "general", date(2026, 10, 1), date(2026, 12, 1), date(2026, 12, 15)
    )
    # New limit: 31 March 2027 + 14 days = 14 April 2027, only a warning until confirmed.
    assert result.due == date(2027, 1, 15)
    assert "14 April 2027" in result.warnings[-1]
    assert any("15 January 2027" in s for s in result.steps)
    assert not any("14 April 2027" in s for s in result.steps)


def test_unconfirmed_keeps_the_old_limits_acas_warning() -> None:
    # Old limit 31 December 2026; ACAS contacted on 5 January 2027, after it: no extension,
    # and that is what the warning says (under six months it would have been in time).
    result = tribunal_deadline(
        DEFAULTS, "general", date(2026, 10, 1), date(2027, 1, 5), date(2027, 1, 20)
    )
    assert result.due == date(2026, 12, 31)
    assert any("after" in w and "ACAS" in w for w in result.warnings[:-1])


def test_era_2025_null_means_not_in_force() -> None:
    # With no start date, an act in 2027 still gets three months:
    # 1 March 2027 + 3 months = 1 June 2027, less a day: 31 May 2027.
    result = tribunal_deadline(NO_ERA, "general", date(2027, 3, 1))
    assert result.due == date(2027, 5, 31)
    assert any("not treated as in force" in s for s in result.steps)
    assert result.warnings == ()


# --------------------------------------------------------------------------------------------
# ACAS early conciliation (Employment Rights Act 1996 s.207B)


def test_acas_clock_stop_wins_haque() -> None:
    # Luton Borough Council v Haque [2018] UKEAT 0180_17_1204 (the EAT's own figures):
    # EDT 20 June 2016, ordinary limit 19 September 2016. Day A 22 July, Day B 22 August 2016:
    # 23 July to 22 August inclusive is 31 days not counted, so 19 September + 31 days =
    # 20 October 2016. One month after Day B is 22 September 2016, earlier, so 20 October stands.
    result = tribunal_deadline(
        DEFAULTS, "general", date(2016, 6, 20), date(2016, 7, 22), date(2016, 8, 22)
    )
    assert result.due == date(2016, 10, 20)
    assert any("31 days not counted, so 20 October 2016." in s for s in result.steps)
    assert any("later than one month after Day B (22 September 2016)" in s for s in result.steps)


def test_acas_clock_stop_wins_example_from_the_brief() -> None:
    # Act 10 March 2026, ordinary limit 9 June 2026. Day A 1 May, Day B 15 May 2026: 14 days not
    # counted, 9 June + 14 = 23 June 2026, later than one month after Day B (15 June 2026).
    result = tribunal_deadline(
        DEFAULTS, "general", date(2026, 3, 10), date(2026, 5, 1), date(2026, 5, 15)
    )
    assert result.due == date(2026, 6, 23)
    assert (
        "ACAS early conciliation from 1 May 2026 (Day A) to 15 May 2026 (Day B): "
        "14 days not counted, so 23 June 2026."
    ) in result.steps


def test_acas_one_month_after_day_b_wins() -> None:
    # The worked skeleton in "Extending time because of early conciliation" (Practical Law
    # employment blog): EDT 16 January 2014, ordinary limit 15 April 2014, Day A 11 April,
    # Day B 11 May 2014. Clock stop: 12 April to 11 May is 30 days, so 15 May 2014, which falls
    # between Day A and one month after Day B (11 June 2014): the limit is 11 June 2014.
    result = tribunal_deadline(
        DEFAULTS, "general", date(2014, 1, 16), date(2014, 4, 11), date(2014, 5, 11)
    )
    assert result.due == date(2014, 6, 11)
    assert any("30 days not counted, so 15 May 2014." in s for s in result.steps)
    assert any("one month after Day B instead: 11 June 2014." in s for s in result.steps)


def test_acas_contacted_on_the_last_day() -> None:
    # Ordinary limit 9 June 2026 (act 10 March); Day A and Day B both 9 June: 0 days stopped,
    # 9 June falls within 9 June to 9 July, so one month after Day B: 9 July 2026.
    result = tribunal_deadline(
        DEFAULTS, "general", date(2026, 3, 10), date(2026, 6, 9), date(2026, 6, 9)
    )
    assert result.due == date(2026, 7, 9)
    assert any("0 days not counted" in s for s in result.steps)


def test_one_month_after_day_b_at_a_month_end() -> None:
    # "One month after" uses the corresponding date (Tanveer v East London Bus & Coach Co,
    # UKEAT/0022/16); 31 January has none in February, so 28 February 2025.
    # Act 1 November 2024: ordinary limit 31 January 2025. Day A 30 January, Day B 31 January:
    # 1 day not counted gives 1 February 2025, before 28 February 2025, so 28 February 2025.
    result = tribunal_deadline(
        DEFAULTS, "general", date(2024, 11, 1), date(2025, 1, 30), date(2025, 1, 31)
    )
    assert result.due == date(2025, 2, 28)


def test_acas_after_the_limit_does_not_extend() -> None:
    # Act 1 January 2026, ordinary limit 31 March 2026; ACAS contacted 1 May 2026: too late.
    result = tribunal_deadline(
        DEFAULTS, "general", date(2026, 1, 1), date(2026, 5, 1), date(2026, 5, 20)
    )
    assert result.due == date(2026, 3, 31)
    assert result.warnings == (
        "ACAS was contacted on 1 May 2026, after the ordinary time limit (31 March 2026) had "
        "passed, so early conciliation does not extend it.",
    )


def test_acas_day_a_before_the_act_is_not_counted() -> None:
    result = tribunal_deadline(
        DEFAULTS, "general", date(2026, 3, 10), date(2026, 3, 1), date(2026, 3, 20)
    )
    assert result.due == date(2026, 6, 9)
    assert "before the start date" in result.warnings[0]


def test_acas_still_running_shows_the_unextended_date() -> None:
    result = tribunal_deadline(DEFAULTS, "general", date(2026, 3, 10), date(2026, 5, 1))
    assert result.due == date(2026, 6, 9)
    assert "no certificate date (Day B)" in result.warnings[0]


def test_acas_switched_off_in_the_rules() -> None:
    rules = dataclasses.replace(DEFAULTS, acas_applies=False)
    result = tribunal_deadline(
        rules, "general", date(2026, 3, 10), date(2026, 5, 1), date(2026, 5, 15)
    )
    assert result.due == date(2026, 6, 9)
    assert "switched off" in result.warnings[0]


def test_acas_applies_to_six_month_claims() -> None:
    # Redundancy pay, relevant date 15 January 2026: limit 14 July 2026. Day A 1 July, Day B
    # 20 July 2026: 19 days gives 2 August 2026, before one month after Day B (20 August 2026),
    # so 20 August 2026.
    result = tribunal_deadline(
        DEFAULTS, "redundancy_pay", date(2026, 1, 15), date(2026, 7, 1), date(2026, 7, 20)
    )
    assert result.due == date(2026, 8, 20)


def test_bad_acas_dates_are_refused() -> None:
    with pytest.raises(ValueError, match=r"Day B \(1 May 2026\) is before Day A \(15 May 2026\)"):
        tribunal_deadline(
            DEFAULTS, "general", date(2026, 3, 10), date(2026, 5, 15), date(2026, 5, 1)
        )
    with pytest.raises(ValueError, match="Day B is given without Day A"):
        tribunal_deadline(DEFAULTS, "general", date(2026, 3, 10), None, date(2026, 5, 1))


def test_bad_tribunal_input_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown claim kind 'breach_of_contract'"):
        tribunal_deadline(DEFAULTS, "breach_of_contract", date(2026, 3, 10))
    with pytest.raises(ValueError, match="act date must be a date"):
        tribunal_deadline(DEFAULTS, "general", datetime(2026, 3, 10, 9, 0))


def test_an_act_far_in_the_future_is_not_an_error() -> None:
    # 10 March 2090 under the confirmed six-month rule: 10 September 2090, less a day.
    assert tribunal_deadline(ERA_CONFIRMED, "general", date(2090, 3, 10)).due == date(2090, 9, 9)


# --------------------------------------------------------------------------------------------
# Working days and appeal windows


def test_bank_holidays_england_and_wales() -> None:
    assert not is_working_day(date(2026, 12, 25))  # Christmas Day, a Friday
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day falls on Saturday: Monday off
    assert is_working_day(date(2026, 12, 29))
    assert not is_working_day(date(2026, 12, 26))  # Saturday
    assert not is_working_day(date(2026, 4, 6))  # Easter Monday (England and Wales only)
    assert not is_working_day(date(2026, 8, 31))  # Summer bank holiday, England and Wales
    assert is_working_day(date(2026, 8, 3))  # Scotland's summer holiday, not England's
    assert bank_holiday_name(date(2026, 12, 25)) == "Christmas Day"
    assert bank_holiday_name(date(2026, 12, 29)) is None


def test_add_working_days_edges() -> None:
    assert add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)
    # Saturday 7 March 2026: Monday 9 March is the first working day after it.
    assert add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)
    with pytest.raises(ValueError, match="must not be negative"):
        add_working_days(date(2026, 3, 7), -1)


def test_appeal_default_across_a_weekend() -> None:
    # Letter Thursday 5 March 2026; working days: Fri 6 (1), Mon 9 (2), Tue 10 (3),
    # Wed 11 (4), Thu 12 March (5).
    result = appeal_deadline(DEFAULTS, None, date(2026, 3, 5))
    assert result.due == date(2026, 3, 12)
    assert result.rule == "appeal.default"
    assert result.steps[-1] == (
        "Outcome letter dated Thursday 5 March 2026; 5 working days after it, not counting "
        "weekends: Thursday 12 March 2026."
    )


def test_appeal_default_across_christmas() -> None:
    # Letter Thursday 24 December 2026. Not counted: Fri 25 (Christmas Day), Sat 26 and Sun 27,
    # Mon 28 (Boxing Day, substitute day). Tue 29 (1), Wed 30 (2), Thu 31 (3); Fri 1 January
    # 2027 is New Year's Day; Sat 2 and Sun 3; Mon 4 (4), Tue 5 January 2027 (5).
    result = appeal_deadline(DEFAULTS, "Anytown Borough Council", date(2026, 12, 24))
    assert result.due == date(2027, 1, 5)
    working = result.steps[-1]
    assert "25 December 2026 (Christmas Day)" in working
    assert "28 December 2026 (Boxing Day, substitute day)" in working
    assert "1 January 2027 (New Year's Day)" in working
    assert working.endswith("Tuesday 5 January 2027.")
    assert "No appeal window is recorded for Anytown Borough Council" in result.steps[0]


def test_appeal_default_across_easter() -> None:
    # Letter Thursday 2 April 2026; Good Friday 3 April and Easter Monday 6 April are not
    # counted: Tue 7 (1), Wed 8 (2), Thu 9 (3), Fri 10 (4), Mon 13 April 2026 (5).
    assert appeal_deadline(DEFAULTS, "", date(2026, 4, 2)).due == date(2026, 4, 13)


def test_employer_override_in_calendar_days() -> None:
    rules = DEFAULTS.with_employer_window(
        "Anytown Borough Council", AppealWindow(days=7, working_days=False, source="Policy 4.2")
    )
    # Letter Thursday 5 March 2026 + 7 calendar days = Thursday 12 March 2026. Names match
    # whatever the case and spacing.
    result = appeal_deadline(rules, "  anytown   BOROUGH council ", date(2026, 3, 5))
    assert result.due == date(2026, 3, 12)
    assert result.rule == "appeal.employer"
    assert result.label == "Appeal against the outcome (Anytown Borough Council: 7 calendar days)"
    assert result.warnings == ()
    # Another employer still gets the default.
    assert appeal_deadline(rules, "Other Trust", date(2026, 3, 5)).rule == "appeal.default"


def test_calendar_day_deadline_on_a_weekend_warns() -> None:
    rules = DEFAULTS.with_employer_window("Anytown Borough Council", AppealWindow(10, False))
    # Letter Thursday 24 December 2026 + 10 days = Sunday 3 January 2027; the working day
    # before is Thursday 31 December 2026 (1 January is a bank holiday, 2 January a Saturday).
    result = appeal_deadline(rules, "Anytown Borough Council", date(2026, 12, 24))
    assert result.due == date(2027, 1, 3)
    assert result.warnings == (
        "3 January 2027 is a Sunday; if the employer's office is closed then, send the appeal "
        "by the working day before, Thursday 31 December 2026.",
    )


def test_employer_override_in_working_days_and_removal() -> None:
    rules = DEFAULTS.with_employer_window("Anytown Borough Council", AppealWindow(10, True))
    # Letter Thursday 5 March 2026 + 10 working days: Fri 6, Mon 9 to Fri 13 (6), Mon 16 to
    # Thu 19 March 2026 (10).
    assert appeal_deadline(rules, "Anytown Borough Council", date(2026, 3, 5)).due == date(
        2026, 3, 19
    )
    # Replacing keeps one entry; removing goes back to the default.
    rules = rules.with_employer_window("ANYTOWN borough council", AppealWindow(3, True))
    assert len(rules.appeals_by_employer) == 1
    rules = rules.without_employer_window("Anytown Borough Council")
    assert rules.appeals_by_employer == ()


@pytest.mark.parametrize(
    ("due", "today", "left", "words"),
    [
        (date(2026, 6, 9), date(2026, 6, 9), 0, "due today"),
        (date(2026, 6, 9), date(2026, 6, 8), 1, "1 day left"),
        (date(2026, 6, 9), date(2026, 6, 6), 3, "3 days left"),
        (date(2026, 6, 9), date(2026, 6, 10), -1, "overdue by 1 day"),
        (date(2026, 6, 9), date(2026, 6, 11), -2, "overdue by 2 days"),
    ],
)
def test_remaining(due: date, today: date, left: int, words: str) -> None:
    assert days_remaining(due, today) == left
    assert describe_remaining(due, today) == words


# --------------------------------------------------------------------------------------------
# Rules as JSON


def test_shipped_rules_have_a_source_for_every_rule() -> None:
    data = _shipped()
    assert data["schema"] == 1
    assert set(data["tribunal"]["claim_kinds"]) == set(CLAIM_KINDS)
    for kind in data["tribunal"]["claim_kinds"].values():
        assert kind["source"].strip() and kind["label"].strip()
    assert data["tribunal"]["era2025_source"].strip()
    assert "207B" in data["tribunal"]["acas_early_conciliation"]["source"]
    assert data["appeals"]["default"]["source"].strip()
    assert data["appeals"]["by_employer"] == {}


def test_json_round_trip() -> None:
    assert json.loads(DEFAULTS.to_json()) == _shipped()
    assert DeadlineRules.from_json(DEFAULTS.to_json()) == DEFAULTS
    edited = (
        DEFAULTS.with_era2025(None, confirmed=False)
        .with_employer_window("Anytown Borough Council", AppealWindow(10, False, "Policy 4.2"))
        .with_employer_window("Städtische Werke Ltd", AppealWindow(5, True))
    )
    again = DeadlineRules.from_json(edited.to_json())
    assert again == edited
    assert again.era2025_six_month_from is None
    assert again.appeal_window("städtische werke ltd")[0] == AppealWindow(5, True)


def _bad(change: Any) -> dict[str, Any]:
    data = DEFAULTS.to_dict()
    change(data)
    return data


def _set(path: str, value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        for key in parents:
            data = data[key]
        data[last] = value

    return change


def _del(path: str) -> Any:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        for key in parents:
            data = data[key]
        del data[last]

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set("appeals/default/days", -5), r"appeals\.default\.days must not be negative"),
        (_set("appeals/default/days", 0), r"appeals\.default\.days must be from 1"),
        (_set("appeals/default/days", 2.5), r"appeals\.default\.days must be a whole number"),
        (_set("appeals/default/working_days", "yes"), r"working_days must be true or false"),
        (
            _set("appeals/by_employer", {"Anytown": {"days": -1, "working_days": True}}),
            r"appeals\.by_employer\['Anytown'\]\.days must not be negative",
        ),
        (
            _set(
                "appeals/by_employer",
                {
                    "Anytown Council": {"days": 5, "working_days": True},
                    "ANYTOWN  council": {"days": 7, "working_days": True},
                },
            ),
            "are the same employer",
        ),
        (_set("tribunal/era2025_six_month_from", "2026-13-01"), r"'2026-13-01' is not a date"),
        (_set("tribunal/era2025_six_month_from", 2026), r"era2025_six_month_from must be a date"),
        (_set("tribunal/era2025_confirmed", "no"), r"era2025_confirmed must be true or false"),
        (
            _set("tribunal/claim_kinds/breach_of_contract", {}),
            r"unknown claim kind 'breach_of_contract'",
        ),
        (_del("tribunal/claim_kinds/equal_pay"), r"missing claim kind equal_pay"),
        (_set("tribunal/claim_kinds/general/months", 0), r"general\.months must be from 1"),
        (_set("tribunal/claim_kinds/general/months", -3), r"general\.months must not be negative"),
        (_set("tribunal/claim_kinds/general/months", "3"), r"general\.months must be a whole"),
        (_set("tribunal/claim_kinds/general/monthz", 3), r"general: unknown field monthz"),
        (_set("tribunal/claim_kinds/general/label", " "), r"general\.label must not be empty"),
        (_del("tribunal/claim_kinds/general/source"), r"general: missing source"),
        (_set("tribunal/acas_early_conciliation/applies", 1), r"applies must be true or false"),
        (_set("schema", 2), r"schema 2 is newer"),
        (_set("schema", "1"), r"schema must be a whole number"),
        (_set("appeals", []), r"appeals must be a JSON object"),
    ],
)
def test_validation_names_the_bad_field(change: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DeadlineRules.from_json(json.dumps(_bad(change)))


def test_validation_of_text() -> None:
    with pytest.raises(ValueError, match="not valid JSON"):
        DeadlineRules.from_json("{not json")
    with pytest.raises(ValueError, match="'schema' appears twice"):
        DeadlineRules.from_json('{"schema": 1, "schema": 1}')


def test_edited_copies_are_validated_too() -> None:
    with pytest.raises(ValueError, match=r"appeals\.default\.days must not be negative"):
        dataclasses.replace(DEFAULTS, appeal_default=AppealWindow(-1, True, "policy"))
    with pytest.raises(ValueError, match=r"by_employer\['Anytown'\]\.days must be from 1"):
        DEFAULTS.with_employer_window("Anytown", AppealWindow(0, True))


def test_results_are_immutable() -> None:
    result = tribunal_deadline(DEFAULTS, "general", date(2026, 3, 10))
    assert isinstance(result, Computed)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.due = date(2030, 1, 1)  # type: ignore[misc]
    hash(DEFAULTS)  # usable as a cache key


# --------------------------------------------------------------------------------------------
# Properties

acts = st.dates(min_value=date(1995, 1, 1), max_value=date(2060, 12, 31))
rule_sets = st.sampled_from([DEFAULTS, NO_ERA, ERA_CONFIRMED])
kinds = st.sampled_from(CLAIM_KINDS)


@given(rules=rule_sets, kind=kinds, act=acts)
def test_deadline_is_never_before_the_act(rules: DeadlineRules, kind: str, act: date) -> None:
    due = tribunal_deadline(rules, kind, act).due
    assert due > act
    # ...and never beyond the claim's longest limit.
    assert due < add_months(act, 6)


@given(
    rules=rule_sets,
    kind=kinds,
    act=acts,
    a_offset=st.integers(min_value=0, max_value=400),
    length=st.integers(min_value=0, max_value=120),
)
def test_acas_never_makes_it_earlier(
    rules: DeadlineRules, kind: str, act: date, a_offset: int, length: int
) -> None:
    without = tribunal_deadline(rules, kind, act).due
    day_a = act + timedelta(days=a_offset)
    day_b = day_a + timedelta(days=length)
    result = tribunal_deadline(rules, kind, act, day_a, day_b)
    assert result.due >= without
    if day_a <= without:
        # Day A was within the limit: at least one month after Day B, always.
        assert result.due >= add_months(day_b, 1)
        assert result.due >= without + timedelta(days=length)
    else:
        assert result.due == without
        assert result.warnings


@settings(deadline=None)  # the first call for a year builds that year's holiday table
@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)),
    n=st.integers(min_value=1, max_value=40),
)
def test_add_working_days_lands_on_a_working_day(start: date, n: int) -> None:
    due = add_working_days(start, n)
    assert due.weekday() < 5
    assert bank_holiday_name(due) is None
    between = [start + timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert sum(is_working_day(d) for d in between) == n


@given(
    start=st.dates(date(100, 1, 1), date(9000, 1, 1)),
    months=st.integers(min_value=-24, max_value=24),
)
def test_add_months_keeps_the_day_or_clamps(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day == start.day or (result.day < start.day and (result + timedelta(1)).day == 1)


employer_names = st.text(
    alphabet=st.characters(categories=("L", "N", "Zs")), min_size=1, max_size=30
).filter(lambda s: s.strip() != "")
windows = st.builds(
    AppealWindow,
    days=st.integers(min_value=1, max_value=365),
    working_days=st.booleans(),
    source=st.text(max_size=40),
)


@given(
    employers=st.dictionaries(employer_names, windows, max_size=5),
    era=st.none() | st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
    confirmed=st.booleans(),
)
def test_any_edited_rules_round_trip(
    employers: dict[str, AppealWindow], era: date | None, confirmed: bool
) -> None:
    rules = DEFAULTS.with_era2025(era, confirmed=confirmed)
    for name, window in employers.items():
        rules = rules.with_employer_window(name, window)
    assert DeadlineRules.from_json(rules.to_json()) == rules
