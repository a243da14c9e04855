"""Proposing which bank line is which ledger entry."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchdesk.hardship.matching import BankItem, BookEntry, ProposedMatch, propose_matches
from branchdesk.money import Money

DAY = date(2024, 3, 4)


def item(line_id: int, days: int, pence: int, reference: str = "", text: str = "") -> BankItem:
    return BankItem(line_id, DAY + timedelta(days=days), Money(pence), reference, text)


def entry(entry_id: int, days: int, pence: int, reference: str = "", text: str = "") -> BookEntry:
    return BookEntry(entry_id, DAY + timedelta(days=days), Money(pence), reference, text)


def pairs(matches: list[ProposedMatch]) -> list[tuple[int, int]]:
    return [(m.line_id, m.entry_id) for m in matches]


def test_same_amount_same_day() -> None:
    matches = propose_matches([item(1, 0, -3000)], [entry(10, 0, -3000)])
    assert matches == [
        ProposedMatch(
            line_id=1,
            entry_id=10,
            days_apart=0,
            reference_agrees=False,
            score=1.0,
            reason="same amount, same day",
        )
    ]


def test_the_amount_must_be_exactly_equal() -> None:
    entries = [entry(10, 0, -3001), entry(11, 0, 3000), entry(12, 0, -2999)]
    assert propose_matches([item(1, 0, -3000, "HF1")], entries) == []


def test_the_date_window_works_either_way() -> None:
    entries = [entry(10, -4, 500), entry(11, 4, 700)]
    items = [item(1, 0, 500), item(2, 0, 700)]
    assert propose_matches(items, entries) == []
    matches = propose_matches(items, entries, window_days=4)
    assert [(m.line_id, m.entry_id, m.days_apart) for m in matches] == [(1, 10, 4), (2, 11, 4)]
    assert matches[0].reason == "same amount, 4 days apart"
    assert matches[0].score == pytest.approx(0.2)
    assert propose_matches([item(1, 0, 500)], [entry(10, 0, 500)], window_days=0) != []
    with pytest.raises(ValueError, match="negative"):
        propose_matches(items, entries, window_days=-1)


def test_an_agreeing_reference_beats_a_closer_date() -> None:
    entries = [
        entry(10, 0, -5000, "", "Strike pay"),
        entry(11, 2, -5000, "bacs-123", "Strike pay"),
    ]
    matches = propose_matches([item(1, 0, -5000, "BACS123", "FASTER PAYMENT")], entries)
    assert matches == [
        ProposedMatch(
            line_id=1,
            entry_id=11,
            days_apart=2,
            reference_agrees=True,
            score=pytest.approx(1.5),
            reason="same amount, 2 days apart, reference BACS123 agrees",
        )
    ]


def test_a_reference_may_be_found_in_the_other_sides_description() -> None:
    bank_ref_in_description = propose_matches(
        [item(1, 1, 2500, "HC-0042")],
        [entry(10, 0, 2500), entry(11, 1, 2500, "", "Claim hc 0042, R Okafor")],
    )
    assert pairs(bank_ref_in_description) == [(1, 11)]
    assert bank_ref_in_description[0].reason == "same amount, same day, reference HC-0042 agrees"

    book_ref_in_description = propose_matches(
        [item(1, 1, 2500, "", "GIRO DON/7781 UNITE")],
        [entry(10, 1, 2500), entry(11, 3, 2500, "DON/7781")],
    )
    assert pairs(book_ref_in_description) == [(1, 11)]
    assert book_ref_in_description[0].reason == (
        "same amount, 2 days apart, reference DON/7781 agrees"
    )


def test_references_shorter_than_three_characters_are_ignored() -> None:
    matches = propose_matches([item(1, 0, 100, "12")], [entry(10, 0, 100), entry(11, 1, 100, "12")])
    assert [(m.entry_id, m.reference_agrees) for m in matches] == [(10, False)]


def test_one_to_one_when_two_entries_could_match_one_line() -> None:
    # Nearer wins; at the same distance, the lower entry id.
    entries = [entry(12, 1, -3000), entry(11, -1, -3000), entry(10, 2, -3000)]
    assert pairs(propose_matches([item(1, 0, -3000)], entries)) == [(1, 11)]


def test_one_to_one_when_two_lines_could_match_one_entry() -> None:
    items = [item(2, 0, -3000), item(1, 1, -3000), item(3, 0, -3000, "HF77")]
    matches = propose_matches(items, [entry(10, 0, -3000, "hf77")])
    assert pairs(matches) == [(3, 10)]  # the reference decides
    matches = propose_matches(items[:2], [entry(10, 0, -3000)])
    assert pairs(matches) == [(2, 10)]  # then the date


def test_greedy_takes_the_best_pair_first() -> None:
    items = [item(1, 0, 800), item(2, 1, 800), item(3, 5, 800)]
    entries = [entry(10, 0, 800), entry(11, 2, 800), entry(12, 9, 800)]
    matches = propose_matches(items, entries)
    assert [(m.line_id, m.entry_id, m.days_apart) for m in matches] == [(1, 10, 0), (2, 11, 1)]
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_ids_must_be_unique() -> None:
    with pytest.raises(ValueError, match="line_id"):
        propose_matches([item(1, 0, 1), item(1, 0, 2)], [])
    with pytest.raises(ValueError, match="entry_id"):
        propose_matches([], [entry(1, 0, 1), entry(1, 0, 2)])


# --- property: what any set of proposals must satisfy ---------------------------------------

_references = st.sampled_from(["", "12", "HF001", "hf-001", "HF002", "DON77", "BACS 9"])
_texts = st.sampled_from(["", "Strike pay", "ref HF001 member", "GIRO DON77", "bacs9"])


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.upper())


def _agrees(a: BankItem, b: BookEntry) -> bool:
    ra, rb = _norm(a.reference), _norm(b.reference)
    return (len(ra) >= 3 and (ra in rb or ra in _norm(b.description))) or (
        len(rb) >= 3 and (rb in ra or rb in _norm(a.description))
    )


def _slow_greedy(
    items: list[BankItem], entries: list[BookEntry], window: int
) -> list[tuple[int, int]]:
    """The rule as stated, over every pair: the implementation must give the same answer."""
    ranked = sorted(
        (not _agrees(a, b), abs((a.posted_on - b.posted_on).days), a.line_id, b.entry_id)
        for a in items
        for b in entries
        if a.amount == b.amount and abs((a.posted_on - b.posted_on).days) <= window
    )
    lines: set[int] = set()
    taken: set[int] = set()
    chosen = []
    for _, _, line_id, entry_id in ranked:
        if line_id not in lines and entry_id not in taken:
            lines.add(line_id)
            taken.add(entry_id)
            chosen.append((line_id, entry_id))
    return chosen


@st.composite
def _books(draw: st.DrawFn) -> tuple[list[BankItem], list[BookEntry], int]:
    amount = st.sampled_from([-3000, -2500, 500, 1000])
    offset = st.integers(min_value=-6, max_value=6)
    line_ids = draw(st.lists(st.integers(0, 60), unique=True, max_size=12))
    entry_ids = draw(st.lists(st.integers(0, 60), unique=True, max_size=16))
    items = [item(i, draw(offset), draw(amount), draw(_references), draw(_texts)) for i in line_ids]
    entries = [
        entry(i, draw(offset), draw(amount), draw(_references), draw(_texts)) for i in entry_ids
    ]
    return items, entries, draw(st.integers(min_value=0, max_value=4))


@settings(max_examples=300, deadline=None)
@given(_books())
def test_proposals_are_one_to_one_equal_and_within_the_window(
    books: tuple[list[BankItem], list[BookEntry], int],
) -> None:
    items, entries, window = books
    matches = propose_matches(items, entries, window_days=window)

    by_line = {i.line_id: i for i in items}
    by_entry = {e.entry_id: e for e in entries}
    assert len({m.line_id for m in matches}) == len(matches)
    assert len({m.entry_id for m in matches}) == len(matches)
    for match in matches:
        line, booked = by_line[match.line_id], by_entry[match.entry_id]
        assert line.amount == booked.amount
        assert match.days_apart == abs((line.posted_on - booked.posted_on).days) <= window
        assert match.reference_agrees == _agrees(line, booked)
        assert match.reason.startswith("same amount, ")
    # Best first, and exactly the greedy choice over every pair.
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert pairs(matches) == _slow_greedy(items, entries, window)
    # Nothing left over that could still have been paired.
    used_lines = {m.line_id for m in matches}
    used_entries = {m.entry_id for m in matches}
    for line in items:
        for booked in entries:
            if line.line_id in used_lines or booked.entry_id in used_entries:
                continue
            assert not (
                line.amount == booked.amount
                and abs((line.posted_on - booked.posted_on).days) <= window
            )
