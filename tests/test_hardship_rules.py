"""Hardship fund payment rules and pro-rata sharing: worked examples checked by hand,
validation, and properties that must hold for any claim or any shortfall."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from branchdesk.hardship.rules import Entitlement, PaymentRules, entitlement, rules_on
from branchdesk.hardship.sharing import share_pro_rata
from branchdesk.money import ZERO, Money

D = Decimal
NO_DEDUCTION = "No pay deduction given, so the loss-of-pay limit could not be applied."


def pounds(text: str) -> Money:
    return Money.parse(text)


def mar(day: int) -> date:
    return date(2026, 3, day)


def rules(**changes: object) -> PaymentRules:
    base = PaymentRules(effective_from=mar(1), per_day=pounds("50"))
    return replace(base, **changes)


# --- worked examples: entitlement ---------------------------------------------------------------


def test_full_time_three_days_with_one_unpaid_day() -> None:
    # Day 1 unpaid; days 2 and 3 at £50 each: 2 × £50 = £100.
    e = entitlement([rules(unpaid_days=1)], [mar(12), mar(13), mar(14)])
    assert e == Entitlement(
        amount=Money(100_00),
        working=(
            "12 Mar 2026: day 1 of the member's strike days, unpaid under the rules",
            "13 Mar 2026: £50.00",
            "14 Mar 2026: £50.00",
            "Total for 2 paid days: £100.00",
            "Entitlement: £100.00",
        ),
        warnings=(NO_DEDUCTION,),
    )


def test_part_time_member_is_paid_pro_rata() -> None:
    # £50 × 0.6 = £30 a day; 2 days = £60.
    e = entitlement([rules()], [mar(12), mar(13)], fte=D("0.6"), pay_deducted=pounds("200"))
    assert e.amount == Money(60_00)
    assert e.working == (
        "12 Mar 2026: £50.00 x 0.6 FTE = £30.00",
        "13 Mar 2026: £50.00 x 0.6 FTE = £30.00",
        "Total for 2 paid days: £60.00",
        "Entitlement: £60.00",
    )
    assert e.warnings == ()


def test_pro_rata_rounds_half_up_to_the_penny() -> None:
    # £45.53 × 0.5 = £22.765 → £22.77 half up (banker's rounding would give £22.76).
    e = entitlement([rules(per_day=pounds("45.53"))], [mar(12)], fte=D("0.5"))
    assert e.amount == Money(22_77)
    assert e.working[0] == "12 Mar 2026: £45.53 x 0.5 FTE = £22.77"


def test_part_time_member_gets_the_full_rate_when_the_rules_say_so() -> None:
    # pro_rata_part_time off: £50 a day whatever the FTE; 1 day = £50.
    e = entitlement([rules(pro_rata_part_time=False)], [mar(12)], fte=D("0.6"))
    assert e.amount == Money(50_00)
    assert e.working[0] == (
        "12 Mar 2026: £50.00 (the full rate: these rules do not pro-rate part-time members)"
    )


def test_national_strike_pay_is_deducted_from_each_paid_day() -> None:
    # Part-time: £50 × 0.6 = £30, less £25 national = £5 a day; 2 days = £10.
    e = entitlement([rules(national_per_day=pounds("25"))], [mar(12), mar(13)], fte=D("0.6"))
    assert e.amount == Money(10_00)
    assert e.working[:2] == (
        "12 Mar 2026: £50.00 x 0.6 FTE = £30.00, less £25.00 national strike pay = £5.00",
        "13 Mar 2026: £50.00 x 0.6 FTE = £30.00, less £25.00 national strike pay = £5.00",
    )
    # Full-time: £50 − £25 = £25 a day; 2 days = £50.
    assert entitlement([rules(national_per_day=pounds("25"))], [mar(12), mar(13)]).amount == (
        Money(50_00)
    )


def test_national_strike_pay_never_makes_a_day_negative() -> None:
    # 0.4 FTE: £50 × 0.4 = £20, less £25 national = −£5, so £0.
    e = entitlement(
        [rules(national_per_day=pounds("25"), limit_to_loss=False)], [mar(12)], fte=D("0.4")
    )
    assert e.amount == ZERO
    assert e.working[0] == (
        "12 Mar 2026: £50.00 x 0.4 FTE = £20.00, less £25.00 national strike pay = £0.00"
    )


def test_cap_per_day() -> None:
    # £50 a day capped at £40: 2 × £40 = £80.
    e = entitlement([rules(cap_per_day=pounds("40"))], [mar(12), mar(13)], pay_deducted=None)
    assert e.amount == Money(80_00)
    assert e.working[:3] == (
        "12 Mar 2026: £50.00, capped at £40.00 a day",
        "13 Mar 2026: £50.00, capped at £40.00 a day",
        "Total for 2 paid days: £80.00",
    )


def test_cap_per_day_applies_after_national_strike_pay() -> None:
    # £50 − £5 national = £45, then capped at £40.
    e = entitlement([rules(national_per_day=pounds("5"), cap_per_day=pounds("40"))], [mar(12)])
    assert e.amount == Money(40_00)
    assert e.working[0] == (
        "12 Mar 2026: £50.00, less £5.00 national strike pay = £45.00, capped at £40.00 a day"
    )


def test_cap_per_member_counts_what_was_already_awarded() -> None:
    # 3 days × £50 = £150; cap £150 less £120 already awarded leaves £30.
    e = entitlement(
        [rules(cap_per_member=pounds("150"))],
        [mar(12), mar(13), mar(14)],
        pay_deducted=pounds("300"),
        already_awarded=pounds("120"),
    )
    assert e.amount == Money(30_00)
    assert e.working[-3:] == (
        "Total for 3 paid days: £150.00",
        "Limited by the cap per member: £150.00, less £120.00 already awarded from the fund"
        " = £30.00",
        "Entitlement: £30.00",
    )


def test_cap_per_member_already_reached_pays_nothing() -> None:
    # Cap £150, already awarded £200: £150 − £200 is below zero, so £0.
    e = entitlement([rules(cap_per_member=pounds("150"))], [mar(12)], already_awarded=pounds("200"))
    assert e.amount == ZERO


def test_cap_per_member_that_does_not_bite_adds_no_line() -> None:
    # 1 day × £50 = £50, cap £150 less £20 already awarded = £130: not reached.
    e = entitlement(
        [rules(cap_per_member=pounds("150"))],
        [mar(12)],
        pay_deducted=pounds("80"),
        already_awarded=pounds("20"),
    )
    assert e.amount == Money(50_00)
    assert e.working == (
        "12 Mar 2026: £50.00",
        "Total for 1 paid day: £50.00",
        "Entitlement: £50.00",
    )


def test_loss_of_pay_limit() -> None:
    # 2 days × £50 = £100, but only £60 was deducted: £60.
    e = entitlement([rules()], [mar(12), mar(13)], pay_deducted=pounds("60"))
    assert e.amount == Money(60_00)
    assert e.working[-2:] == ("Limited to the loss of pay: £60.00 deducted", "Entitlement: £60.00")
    assert e.warnings == ()


def test_loss_of_pay_limit_takes_off_the_national_strike_pay() -> None:
    # 2 days × (£50 − £10 national) = £80; loss £60 − 2 × £10 national received = £40.
    e = entitlement(
        [rules(national_per_day=pounds("10"))], [mar(12), mar(13)], pay_deducted=pounds("60")
    )
    assert e.amount == Money(40_00)
    assert e.working[-2:] == (
        "Limited to the loss of pay: £60.00 deducted, less £20.00 national strike pay for"
        " 2 paid days = £40.00",
        "Entitlement: £40.00",
    )


def test_loss_of_pay_only_counts_national_pay_for_paid_days() -> None:
    # Day 1 unpaid, day 2 £50 − £10 = £40; loss £45 − £10 (one paid day) = £35.
    e = entitlement(
        [rules(unpaid_days=1, national_per_day=pounds("10"))],
        [mar(12), mar(13)],
        pay_deducted=pounds("45"),
    )
    assert e.amount == Money(35_00)


def test_no_loss_of_pay_limit_when_the_rules_turn_it_off() -> None:
    # limit_to_loss off: 2 × £50 = £100 even though only £60 was deducted, and no warning.
    e = entitlement([rules(limit_to_loss=False)], [mar(12), mar(13)], pay_deducted=pounds("60"))
    assert e.amount == Money(100_00)
    assert entitlement([rules(limit_to_loss=False)], [mar(12)]).warnings == ()


def test_all_limits_together() -> None:
    # 0.5 FTE, 1 unpaid day, £10 national, cap £20/day, cap per member £100 with £70 awarded.
    # 12 Mar unpaid; 13 and 14 Mar: £50 × 0.5 = £25 − £10 = £15 (under the £20 cap).
    # Total £30; loss £50 − 2 × £10 = £30 (not below the total); member cap £100 − £70 = £30.
    e = entitlement(
        [
            rules(
                unpaid_days=1,
                national_per_day=pounds("10"),
                cap_per_day=pounds("20"),
                cap_per_member=pounds("100"),
            )
        ],
        [mar(12), mar(13), mar(14)],
        fte=D("0.5"),
        pay_deducted=pounds("50"),
        already_awarded=pounds("70"),
    )
    assert e.amount == Money(30_00)
    assert e.working[-1] == "Entitlement: £30.00"


def test_rules_changed_mid_dispute_apply_to_later_days_only() -> None:
    # From 1 Mar: £50 a day, first day unpaid. From 14 Mar: £60 a day.
    # 12 Mar unpaid (day 1), 13 Mar £50, 14 Mar £60, 15 Mar £60: £170.
    old = rules(unpaid_days=1)
    new = rules(effective_from=mar(14), per_day=pounds("60"), unpaid_days=1)
    e = entitlement([new, old], [mar(15), mar(12), mar(14), mar(13)], pay_deducted=pounds("400"))
    assert e.amount == Money(170_00)
    assert e.working == (
        "12 Mar 2026: day 1 of the member's strike days, unpaid under the rules",
        "13 Mar 2026: £50.00",
        "14 Mar 2026: £60.00",
        "15 Mar 2026: £60.00",
        "Total for 3 paid days: £170.00",
        "Entitlement: £170.00",
    )


def test_claim_wide_limits_follow_the_rules_on_the_latest_day_claimed() -> None:
    # Old rules: cap per member £40. New rules from 13 Mar: no cap.
    old = rules(cap_per_member=pounds("40"))
    new = rules(effective_from=mar(13))
    # 12 and 13 Mar: 2 × £50 = £100; the latest day's rules have no cap, so £100.
    assert entitlement([old, new], [mar(12), mar(13)], pay_deducted=pounds("100")).amount == (
        Money(100_00)
    )
    # 12 Mar alone: £50, capped at the old rules' £40.
    assert entitlement([old, new], [mar(12)], pay_deducted=pounds("100")).amount == Money(40_00)


def test_a_day_before_any_rules_gets_nothing_with_a_warning() -> None:
    # Rules from 13 Mar: 12 Mar gets nothing, 13 Mar £50.
    e = entitlement([rules(effective_from=mar(13))], [mar(12), mar(13)], pay_deducted=pounds("100"))
    assert e.amount == Money(50_00)
    assert e.working[0] == "12 Mar 2026: no payment rules in force yet, nothing due"
    assert e.warnings == (
        "12 Mar 2026 is before any payment rules take effect: nothing due for it",
    )


def test_every_day_before_any_rules() -> None:
    e = entitlement([rules(effective_from=mar(20))], [mar(12)])
    assert e.amount == ZERO
    assert e.working[-1] == "Entitlement: £0.00"
    assert e.warnings == (
        "12 Mar 2026 is before any payment rules take effect: nothing due for it",
    )
    assert entitlement([], [mar(12)]).amount == ZERO


def test_duplicate_days_count_once_with_a_warning() -> None:
    # 13 Mar claimed twice, 14 Mar once: 2 days × £50 = £100.
    e = entitlement([rules()], [mar(13), mar(14), mar(13)], pay_deducted=pounds("100"))
    assert e.amount == Money(100_00)
    assert e.warnings == ("13 Mar 2026 is claimed 2 times: counted once",)
    assert sum(line.startswith("13 Mar 2026") for line in e.working) == 1


def test_unpaid_days_are_counted_over_the_members_earlier_strike_days() -> None:
    # First 2 days unpaid. The member struck on 2 and 3 Mar (an earlier claim), so 12 and 13 Mar
    # are days 3 and 4: both paid, 2 × £50 = £100.
    r = [rules(unpaid_days=2)]
    e = entitlement(r, [mar(12), mar(13)], member_days=[mar(2), mar(3)], pay_deducted=pounds("100"))
    assert e.amount == Money(100_00)
    # Only 2 Mar before: 12 Mar is day 2 (unpaid), 13 Mar day 3 (paid): £50.
    e = entitlement(r, [mar(12), mar(13)], member_days=[mar(2), mar(12)])
    assert e.amount == Money(50_00)
    assert e.working[0] == "12 Mar 2026: day 2 of the member's strike days, unpaid under the rules"
    # Without member_days, the claim's own days are days 1 and 2: both unpaid.
    assert entitlement(r, [mar(12), mar(13)]).amount == ZERO


def test_a_claim_with_no_days() -> None:
    e = entitlement([rules()], [])
    assert e.amount == ZERO
    assert e.warnings == ("No strike days are claimed, so nothing is due.",)


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fte", [D(0), D("-0.5"), D("1.01"), D(2), D("NaN")])
def test_fte_out_of_range_is_refused(fte: Decimal) -> None:
    with pytest.raises(ValueError, match=f"fte must be more than 0 and at most 1, not {fte}"):
        entitlement([rules()], [mar(12)], fte=fte)


def test_fte_as_a_float_is_refused() -> None:
    with pytest.raises(TypeError, match="fte must be a Decimal"):
        entitlement([rules()], [mar(12)], fte=0.6)  # type: ignore[arg-type]


def test_fte_of_one_as_an_int_is_accepted() -> None:
    assert entitlement([rules(limit_to_loss=False)], [mar(12)], fte=1).amount == Money(50_00)  # type: ignore[arg-type]


def test_negative_amounts_given_to_entitlement_are_refused() -> None:
    with pytest.raises(ValueError, match="pay_deducted"):
        entitlement([rules()], [mar(12)], pay_deducted=Money(-1))
    with pytest.raises(ValueError, match="already_awarded"):
        entitlement([rules()], [mar(12)], already_awarded=Money(-1))


def test_datetimes_are_not_strike_days() -> None:
    with pytest.raises(TypeError, match="days must hold dates"):
        entitlement([rules()], [datetime(2026, 3, 12, 9, 0)])


def test_rules_with_problems_are_refused() -> None:
    with pytest.raises(ValueError, match=r"rules from 1 Mar 2026 have problems.*per_day"):
        entitlement([rules(per_day=ZERO)], [mar(12)])


# --- rules_on -----------------------------------------------------------------------------------


def test_rules_on_picks_the_latest_rules_in_force() -> None:
    a = rules(effective_from=mar(1))
    b = rules(effective_from=mar(14), per_day=pounds("60"))
    c = rules(effective_from=mar(20), per_day=pounds("70"))
    given_order = [c, a, b]  # any order
    assert rules_on(given_order, date(2026, 2, 28)) is None
    assert rules_on(given_order, mar(1)) is a
    assert rules_on(given_order, mar(13)) is a
    assert rules_on(given_order, mar(14)) is b
    assert rules_on(given_order, mar(19)) is b
    assert rules_on(given_order, mar(31)) is c
    assert rules_on([], mar(1)) is None


def test_rules_on_refuses_two_different_rules_on_one_day() -> None:
    a = rules()
    with pytest.raises(ValueError, match="2 different sets of payment rules take effect on 1 Mar"):
        rules_on([a, rules(per_day=pounds("60"))], mar(5))
    assert rules_on([a, rules()], mar(5)) == a  # the same rules twice is harmless


# --- problems and describe ----------------------------------------------------------------------


def test_good_rules_have_no_problems() -> None:
    assert rules().problems() == []
    full = rules(
        unpaid_days=2,
        cap_per_day=pounds("40"),
        cap_per_member=pounds("500"),
        national_per_day=pounds("10"),
        approvals_needed=3,
    )
    assert full.problems() == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"per_day": ZERO}, "per_day"),
        ({"per_day": Money(-500)}, "per_day"),
        ({"unpaid_days": -1}, "unpaid_days"),
        ({"cap_per_day": Money(-1)}, "cap_per_day"),
        ({"cap_per_day": ZERO}, "cap_per_day"),
        ({"cap_per_member": Money(-1)}, "cap_per_member"),
        ({"national_per_day": Money(-1)}, "national_per_day"),
        ({"national_per_day": pounds("50")}, "national_per_day"),
        ({"approvals_needed": 0}, "approvals_needed"),
        ({"approvals_needed": 4}, "approvals_needed"),
        ({"effective_from": datetime(2026, 3, 1, 12, 0)}, "effective_from"),
        ({"per_day": 50}, "per_day"),
        ({"limit_to_loss": 1}, "limit_to_loss"),
    ],
)
def test_problems_name_the_field(changes: dict[str, object], field: str) -> None:
    problems = rules(**changes).problems()
    assert len(problems) == 1
    assert f"({field}" in problems[0]


def test_problems_lists_everything_wrong() -> None:
    bad = rules(per_day=Money(-1), unpaid_days=-2, approvals_needed=5)
    assert bad.problems() == [
        "The amount per strike day (per_day) must be more than £0.00, not -£0.01.",
        "The number of unpaid days (unpaid_days) cannot be negative (-2).",
        "The approvals a claim needs (approvals_needed) must be 1 to 3, not 5.",
    ]


def test_describe_plain_rules() -> None:
    assert rules().describe() == [
        "These rules apply to strike days from 1 Mar 2026.",
        "£50.00 for each strike day for a full-time member.",
        "Part-time members get £50.00 x their FTE fraction (for example £25.00 at 0.5 FTE).",
        "Every strike day is paid, from the first.",
        "No national strike pay is deducted.",
        "No member gets more than the pay they lost, less the national strike pay they receive"
        " for the paid days.",
        "A claim needs 1 panel approval.",
    ]


def test_describe_mentions_each_rule_that_is_set() -> None:
    text = rules(
        unpaid_days=2,
        cap_per_day=pounds("40"),
        cap_per_member=pounds("500"),
        national_per_day=pounds("10"),
        limit_to_loss=False,
        pro_rata_part_time=False,
        approvals_needed=2,
    ).describe()
    assert text == [
        "These rules apply to strike days from 1 Mar 2026.",
        "£50.00 for each strike day for a full-time member.",
        "Part-time members get the full £50.00 a day.",
        "The member's first 2 strike days in the dispute are unpaid.",
        "£10.00 national strike pay a day is deducted from each paid day.",
        "No day pays more than £40.00.",
        "No member gets more than £500.00 from the fund in total.",
        "Payments are not limited to the pay the member lost.",
        "A claim needs 2 panel approvals.",
    ]
    assert "The member's first strike day in the dispute is unpaid." in (
        rules(unpaid_days=1).describe()
    )


# --- properties: entitlement --------------------------------------------------------------------

pence = st.integers(min_value=1, max_value=100_000)


@given(
    per_day=pence,
    national=st.integers(min_value=0, max_value=100_000),
    unpaid=st.integers(min_value=0, max_value=5),
    cap_day=st.none() | pence,
    cap_member=st.none() | pence,
    offsets=st.lists(st.integers(min_value=0, max_value=30), max_size=10),
    fte=st.decimals(min_value=D("0.001"), max_value=D(1), places=3),
    deducted=st.none() | st.integers(min_value=0, max_value=1_000_000),
    awarded=st.integers(min_value=0, max_value=1_000_000),
)
def test_entitlement_is_never_negative_and_respects_every_limit(
    per_day: int,
    national: int,
    unpaid: int,
    cap_day: int | None,
    cap_member: int | None,
    offsets: list[int],
    fte: Decimal,
    deducted: int | None,
    awarded: int,
) -> None:
    r = rules(
        per_day=Money(per_day),
        national_per_day=Money(min(national, per_day - 1)),
        unpaid_days=unpaid,
        cap_per_day=None if cap_day is None else Money(cap_day),
        cap_per_member=None if cap_member is None else Money(cap_member),
    )
    days = [mar(1) + timedelta(days=n) for n in offsets]
    e = entitlement(
        [r],
        days,
        fte=fte,
        pay_deducted=None if deducted is None else Money(deducted),
        already_awarded=Money(awarded),
    )
    paid_days = max(0, len(set(days)) - unpaid)
    assert ZERO <= e.amount <= Money(per_day * paid_days)
    if cap_day is not None:
        assert e.amount <= Money(cap_day * paid_days)
    if deducted is not None:
        assert e.amount <= Money(deducted)
    if cap_member is not None:
        assert e.amount <= max(ZERO, Money(cap_member - awarded))
    assert e.working[-1] == f"Entitlement: {e.amount}"


# --- worked examples: sharing -------------------------------------------------------------------


def test_share_one_hundred_pounds_across_three_claims_of_sixty() -> None:
    # £100 / £180 of each £60 = £33.333…: £33.33 each, and the 1p left goes to claim 1.
    shares = share_pro_rata(pounds("100"), {1: pounds("60"), 2: pounds("60"), 3: pounds("60")})
    assert shares == {1: Money(3334), 2: Money(3333), 3: Money(3333)}


def test_share_ties_go_to_the_lower_claim_id_whatever_the_order() -> None:
    shares = share_pro_rata(pounds("100"), {7: pounds("60"), 3: pounds("60"), 5: pounds("60")})
    assert shares == {3: Money(3334), 5: Money(3333), 7: Money(3333)}


def test_share_left_over_pence_go_by_largest_remainder() -> None:
    # 500p across 100p, 200p, 400p (total 700p):
    #   claim 1: 100 × 500 / 700 = 71 r 300
    #   claim 2: 200 × 500 / 700 = 142 r 600
    #   claim 3: 400 × 500 / 700 = 285 r 500
    # 71 + 142 + 285 = 498, 2p left: to claims 2 and 3 (largest remainders), not claim 1.
    shares = share_pro_rata(Money(500), {1: Money(100), 2: Money(200), 3: Money(400)})
    assert shares == {1: Money(71), 2: Money(143), 3: Money(286)}


def test_share_everyone_paid_in_full_when_it_fits() -> None:
    amounts = {1: pounds("60"), 2: pounds("40.50")}
    assert share_pro_rata(pounds("1000"), amounts) == amounts
    assert share_pro_rata(pounds("100.50"), amounts) == amounts  # exactly enough


def test_share_nothing_available() -> None:
    amounts = {1: pounds("60"), 2: pounds("40")}
    assert share_pro_rata(ZERO, amounts) == {1: ZERO, 2: ZERO}
    assert share_pro_rata(Money(-100), amounts) == {1: ZERO, 2: ZERO}


def test_share_no_claims_and_zero_claims() -> None:
    assert share_pro_rata(pounds("10"), {}) == {}
    assert share_pro_rata(pounds("10"), {1: ZERO, 2: pounds("20")}) == {1: ZERO, 2: pounds("10")}


def test_share_negative_amount_is_refused_naming_the_claim() -> None:
    with pytest.raises(ValueError, match="claim 4 has a negative amount"):
        share_pro_rata(pounds("10"), {1: pounds("5"), 4: Money(-1)})


# --- properties: sharing ------------------------------------------------------------------------


@given(
    available=st.integers(min_value=-1_000, max_value=10_000_000),
    amounts=st.dictionaries(
        st.integers(min_value=1, max_value=10_000),
        st.integers(min_value=0, max_value=5_000_000),
        max_size=30,
    ),
)
def test_share_properties(available: int, amounts: dict[int, int]) -> None:
    shares = share_pro_rata(Money(available), {k: Money(v) for k, v in amounts.items()})
    total = sum(amounts.values())
    paid = max(0, min(available, total))
    assert shares.keys() == amounts.keys()
    assert sum(share.pence for share in shares.values()) == paid
    for claim_id, share in shares.items():
        assert 0 <= share.pence <= amounts[claim_id]
        if total:
            # Within 1p of the exact share amount × paid / total, in integers:
            # |share × total − amount × paid| < total.
            assert abs(share.pence * total - amounts[claim_id] * paid) < total
