"""The hardship fund's payment rules and what a claim is entitled to under them.

Pure arithmetic in whole pence: no Qt, no database. Every entitlement comes with its working,
one plain-English line per step, so a treasurer or the panel can check it with a calculator and
a member can be told exactly why they got what they got.

Order of the calculation, as the branch rules usually state it:

1. Each claimed day, in date order, is paid under the rules in force on that day (`rules_on`).
   Rules changed mid-dispute therefore apply to the later days only.
2. The member's first `unpaid_days` strike days of the dispute pay nothing. They are counted
   over every strike day the member took part in (`member_days`), not just this claim's, so a
   second claim does not get a fresh set of unpaid days.
3. A paid day is `per_day` (× FTE for part-time members, rounded half up to the penny), less the
   national strike pay for the day (not below nothing), then no more than `cap_per_day`.
4. The claim-wide limits, the loss of pay and the cap per member, follow the rules in force on
   the latest day claimed: they are the fund's current decision, and `pay_deducted` is one
   figure for the whole claim, so it cannot be split between older and newer rules.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext

from branchdesk.exports.text import short_date
from branchdesk.money import ZERO, Money

MAX_APPROVALS = 3


@dataclass(frozen=True)
class PaymentRules:
    """How much the fund pays per strike day, from `effective_from` until the next rules."""

    effective_from: date
    per_day: Money  # amount per strike day for a full-time member
    unpaid_days: int = 0  # the member's first N strike days in the dispute are unpaid
    cap_per_day: Money | None = None  # no day pays more than this
    cap_per_member: Money | None = None  # no member gets more than this from the fund in total
    national_per_day: Money = ZERO  # national strike pay per day, deducted from each paid day
    limit_to_loss: bool = True  # never more than the member's actual loss of pay
    pro_rata_part_time: bool = True  # part-time members get per_day × their FTE fraction
    approvals_needed: int = 1  # panel approvals a claim needs (1..3)

    def problems(self) -> list[str]:
        """Everything wrong with these rules, in plain words naming the field; [] if none."""
        found: list[str] = []
        # datetime is a date too, but comparing one with a date raises: refuse it here.
        if not isinstance(self.effective_from, date) or isinstance(self.effective_from, datetime):
            found.append("The date the rules take effect (effective_from) must be a date.")

        if not isinstance(self.per_day, Money):
            found.append("The amount per strike day (per_day) must be an amount of money.")
        elif self.per_day.pence <= 0:
            found.append(
                f"The amount per strike day (per_day) must be more than £0.00, not {self.per_day}."
            )

        if not _is_int(self.unpaid_days):
            found.append("The number of unpaid days (unpaid_days) must be a whole number.")
        elif self.unpaid_days < 0:
            found.append(
                f"The number of unpaid days (unpaid_days) cannot be negative ({self.unpaid_days})."
            )

        for name, label in (
            ("cap_per_day", "The cap per day"),
            ("cap_per_member", "The cap per member"),
        ):
            value = getattr(self, name)
            if value is None:
                continue
            if not isinstance(value, Money):
                found.append(f"{label} ({name}) must be an amount of money, or empty for no cap.")
            elif value.pence <= 0:
                # A cap of nothing would quietly turn every claim down: leave it empty instead.
                found.append(
                    f"{label} ({name}) must be more than £0.00, not {value}; "
                    "leave it empty for no cap."
                )

        if not isinstance(self.national_per_day, Money):
            found.append(
                "The national strike pay per day (national_per_day) must be an amount of money."
            )
        elif self.national_per_day.pence < 0:
            found.append(
                "The national strike pay per day (national_per_day) cannot be negative "
                f"({self.national_per_day})."
            )
        elif (
            isinstance(self.per_day, Money)
            and self.per_day.pence > 0
            and self.national_per_day >= self.per_day
        ):
            found.append(
                f"The national strike pay per day (national_per_day, {self.national_per_day}) "
                f"is at least the amount per strike day (per_day, {self.per_day}), "
                "so no day would pay anything."
            )

        for name, label in (
            ("limit_to_loss", "Limiting payments to the loss of pay (limit_to_loss)"),
            ("pro_rata_part_time", "Paying part-time members pro rata (pro_rata_part_time)"),
        ):
            if not isinstance(getattr(self, name), bool):
                found.append(f"{label} must be yes or no (True or False).")

        if not _is_int(self.approvals_needed):
            found.append("The approvals a claim needs (approvals_needed) must be a whole number.")
        elif not 1 <= self.approvals_needed <= MAX_APPROVALS:
            found.append(
                f"The approvals a claim needs (approvals_needed) must be 1 to {MAX_APPROVALS}, "
                f"not {self.approvals_needed}."
            )
        return found

    def describe(self) -> list[str]:
        """The rules in plain English, one line each, for the screen and the PDFs."""
        lines = [
            f"These rules apply to strike days from {short_date(self.effective_from)}.",
            f"{self.per_day} for each strike day for a full-time member.",
        ]
        if self.pro_rata_part_time:
            lines.append(
                f"Part-time members get {self.per_day} x their FTE fraction "
                f"(for example {_times_fte(self.per_day, Decimal('0.5'))} at 0.5 FTE)."
            )
        else:
            lines.append(f"Part-time members get the full {self.per_day} a day.")
        if self.unpaid_days == 1:
            lines.append("The member's first strike day in the dispute is unpaid.")
        elif self.unpaid_days:
            lines.append(
                f"The member's first {self.unpaid_days} strike days in the dispute are unpaid."
            )
        else:
            lines.append("Every strike day is paid, from the first.")
        if self.national_per_day:
            lines.append(
                f"{self.national_per_day} national strike pay a day is deducted from each paid day."
            )
        else:
            lines.append("No national strike pay is deducted.")
        if self.cap_per_day is not None:
            lines.append(f"No day pays more than {self.cap_per_day}.")
        if self.cap_per_member is not None:
            lines.append(f"No member gets more than {self.cap_per_member} from the fund in total.")
        if self.limit_to_loss:
            lines.append(
                "No member gets more than the pay they lost, less the national strike pay "
                "they receive for the paid days."
            )
        else:
            lines.append("Payments are not limited to the pay the member lost.")
        lines.append(f"A claim needs {_count(self.approvals_needed, 'panel approval')}.")
        return lines


def rules_on(rules: Sequence[PaymentRules], day: date) -> PaymentRules | None:
    """The rules in force on `day`: the latest `effective_from` on or before it; None if none.

    Two different sets of rules taking effect on the same day is refused (ValueError): there is
    no honest way to choose between them, and the database allows only one per fund and date.
    """
    in_force = [r for r in rules if r.effective_from <= day]
    if not in_force:
        return None
    latest = max(r.effective_from for r in in_force)
    chosen = [r for r in in_force if r.effective_from == latest]
    if any(r != chosen[0] for r in chosen[1:]):
        raise ValueError(
            f"{len(chosen)} different sets of payment rules take effect on {short_date(latest)}"
        )
    return chosen[0]


@dataclass(frozen=True)
class Entitlement:
    """What a claim is entitled to, with the working and anything the panel should know."""

    amount: Money
    working: tuple[str, ...]  # the calculation step by step in plain English
    warnings: tuple[str, ...]  # things that could make the amount wrong, for the panel to check


def entitlement(
    rules: Sequence[PaymentRules],
    days: Sequence[date],
    member_days: Sequence[date] = (),
    fte: Decimal = Decimal(1),
    pay_deducted: Money | None = None,
    already_awarded: Money = ZERO,
) -> Entitlement:
    """What a claim for strike `days` is entitled to under `rules` (see the module docstring).

    - member_days: every strike day of the dispute the member took part in; the union with
      `days` is used to count the first unpaid days.
    - fte: the member's full-time equivalent, more than 0 and at most 1 (ValueError otherwise).
    - pay_deducted: the pay the employer deducted for these days; None when not known.
    - already_awarded: what other claims have already been awarded the member from this fund.

    Raises ValueError for rules with problems, negative amounts or an FTE out of range.
    """
    fte = _check_fte(fte)
    _check_days(days, "days")
    _check_days(member_days, "member_days")
    if pay_deducted is not None and pay_deducted.pence < 0:
        raise ValueError(f"pay_deducted cannot be negative ({pay_deducted})")
    if already_awarded.pence < 0:
        raise ValueError(f"already_awarded cannot be negative ({already_awarded})")
    for r in rules:
        if problems := r.problems():
            raise ValueError(
                f"the payment rules from {short_date(r.effective_from)} have problems: "
                + " ".join(problems)
            )

    working: list[str] = []
    warnings: list[str] = []
    times = Counter(days)
    claimed = sorted(times)
    for day in claimed:
        if times[day] > 1:
            warnings.append(f"{short_date(day)} is claimed {times[day]} times: counted once")
    if not claimed:
        warnings.append("No strike days are claimed, so nothing is due.")
        return Entitlement(ZERO, ("Entitlement: £0.00",), tuple(warnings))

    # 1-based position of each day among all the member's strike days of the dispute.
    ordinal = {day: n for n, day in enumerate(sorted(set(member_days) | set(claimed)), start=1)}
    total = ZERO
    national_received = ZERO  # national strike pay for the paid days, for the loss-of-pay limit
    paid_days = 0
    latest: PaymentRules | None = None  # rules in force on the latest day claimed that has any
    for day in claimed:
        when = short_date(day)
        r = rules_on(rules, day)
        if r is None:
            working.append(f"{when}: no payment rules in force yet, nothing due")
            warnings.append(f"{when} is before any payment rules take effect: nothing due for it")
            continue
        latest = r
        if ordinal[day] <= r.unpaid_days:
            working.append(
                f"{when}: day {ordinal[day]} of the member's strike days, unpaid under the rules"
            )
            continue
        amount, text = _day_pay(r, fte)
        working.append(f"{when}: {text}")
        total += amount
        national_received += r.national_per_day
        paid_days += 1

    if latest is None:  # no claimed day had rules: the warnings already say so
        working.append("Entitlement: £0.00")
        return Entitlement(ZERO, tuple(working), tuple(warnings))

    working.append(f"Total for {_count(paid_days, 'paid day')}: {total}")

    if latest.limit_to_loss and total:
        if pay_deducted is None:
            warnings.append(
                "No pay deduction given, so the loss-of-pay limit could not be applied."
            )
        else:
            loss = _at_least_zero(pay_deducted - national_received)
            if total > loss:
                if national_received:
                    working.append(
                        f"Limited to the loss of pay: {pay_deducted} deducted, less "
                        f"{national_received} national strike pay for "
                        f"{_count(paid_days, 'paid day')} = {loss}"
                    )
                else:
                    working.append(f"Limited to the loss of pay: {pay_deducted} deducted")
                total = loss

    if latest.cap_per_member is not None:
        room = _at_least_zero(latest.cap_per_member - already_awarded)
        if total > room:
            if already_awarded:
                working.append(
                    f"Limited by the cap per member: {latest.cap_per_member}, less "
                    f"{already_awarded} already awarded from the fund = {room}"
                )
            else:
                working.append(f"Limited by the cap per member: {latest.cap_per_member}")
            total = room

    working.append(f"Entitlement: {total}")
    return Entitlement(total, tuple(working), tuple(warnings))


# --- working -----------------------------------------------------------------------------------


def _day_pay(r: PaymentRules, fte: Decimal) -> tuple[Money, str]:
    """One paid day's amount and the sentence that works it out."""
    if r.pro_rata_part_time and fte != 1:
        amount = _times_fte(r.per_day, fte)
        text = f"{r.per_day} x {_num(fte)} FTE = {amount}"
    elif fte != 1:
        amount = r.per_day
        text = f"{r.per_day} (the full rate: these rules do not pro-rate part-time members)"
    else:
        amount = r.per_day
        text = f"{r.per_day}"
    if r.national_per_day:
        amount = _at_least_zero(amount - r.national_per_day)
        text += f", less {r.national_per_day} national strike pay = {amount}"
    if r.cap_per_day is not None and amount > r.cap_per_day:
        amount = r.cap_per_day
        text += f", capped at {r.cap_per_day} a day"
    return amount, text


def _times_fte(amount: Money, fte: Decimal) -> Money:
    """amount × fte, rounded half up to the penny."""
    with localcontext() as ctx:
        # Enough digits that the product is exact before the one rounding.
        ctx.prec = len(str(abs(amount.pence))) + len(fte.as_tuple().digits) + 2
        pence = (Decimal(amount.pence) * fte).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Money(int(pence))


def _check_fte(fte: Decimal) -> Decimal:
    # Floats are refused like everywhere else money is worked out: 0.1 is not 0.1.
    if isinstance(fte, bool) or not isinstance(fte, (Decimal, int)):
        raise TypeError(f"fte must be a Decimal, not {type(fte).__name__} ({fte!r})")
    fte = Decimal(fte)
    if not fte.is_finite() or not 0 < fte <= 1:
        raise ValueError(f"fte must be more than 0 and at most 1, not {fte}")
    return fte


def _check_days(days: Sequence[date], name: str) -> None:
    for day in days:
        if not isinstance(day, date) or isinstance(day, datetime):
            raise TypeError(f"{name} must hold dates, not {type(day).__name__} ({day!r})")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _at_least_zero(amount: Money) -> Money:
    return max(amount, ZERO)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _num(value: Decimal) -> str:
    """0.6, 0.75, 1: as a person writes it, no trailing zeros and no exponent."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
