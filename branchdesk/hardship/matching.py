"""Proposing which bank statement line is which ledger entry, for the treasurer to confirm.

Pure and deliberately cautious: only exactly equal amounts are ever paired, within a few days
of each other, and each line and entry is used at most once. Nothing here decides; it proposes,
with a plain-English reason, and the treasurer accepts or rejects each pair.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from branchdesk.money import Money

MIN_REFERENCE_LENGTH = 3  # "1" or "AB" turn up inside too many descriptions to mean anything
_NOT_ALNUM = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class BookEntry:
    """A ledger entry not yet matched to a bank line."""

    entry_id: int
    posted_on: date
    amount: Money  # + money in, - money out
    reference: str
    description: str


@dataclass(frozen=True)
class BankItem:
    """A statement line not yet matched to a ledger entry."""

    line_id: int
    posted_on: date
    amount: Money  # + money in, - money out
    reference: str
    description: str


@dataclass(frozen=True)
class ProposedMatch:
    line_id: int
    entry_id: int
    days_apart: int
    reference_agrees: bool
    score: float  # higher is better
    reason: str  # plain English, for the treasurer


def _norm(text: str) -> str:
    if text.isalnum():  # most references already are; skip the regex
        return text.upper()
    return _NOT_ALNUM.sub("", text.upper())


def _score(agrees: bool, days: int, window_days: int) -> float:
    # Reference agreement outranks any date difference: agreeing pairs score above 1, others
    # at most 1; within each, fewer days apart scores higher.
    return (2.0 if agrees else 1.0) - days / (window_days + 1)


def _reason(days: int, reference: str) -> str:
    when = "same day" if days == 0 else f"{days} day{'s' if days != 1 else ''} apart"
    agrees = f", reference {reference} agrees" if reference else ""
    return f"same amount, {when}{agrees}"


def propose_matches(
    items: Sequence[BankItem], entries: Sequence[BookEntry], window_days: int = 3
) -> list[ProposedMatch]:
    """One-to-one proposals, best first: equal amounts dated within `window_days` either way.

    Pairs are ranked by reference agreement, then fewer days apart, then lower line id and
    entry id, and taken greedily, so each bank line and each entry appears at most once.
    """
    if window_days < 0:
        raise ValueError("window_days cannot be negative")
    if len({item.line_id for item in items}) != len(items):
        raise ValueError("two bank items have the same line_id")
    if len({entry.entry_id for entry in entries}) != len(entries):
        raise ValueError("two book entries have the same entry_id")

    # Bucket only the entries whose amount some bank item has, each bucket in date order, so a
    # bank item looks at a handful of candidates rather than the whole ledger.
    wanted = {item.amount.pence for item in items}
    size = max(len(entries), 1)
    keyed: defaultdict[int, list[int]] = defaultdict(list)
    for index, entry in enumerate(entries):
        pence = entry.amount.pence
        if pence in wanted:
            keyed[pence].append(entry.posted_on.toordinal() * size + index)  # sorts as ints
    buckets: dict[int, list[int]] = {}  # amount -> entry indexes in date order
    days_of: dict[int, list[int]] = {}  # amount -> their dates as ordinals, for bisecting
    for pence, keys in keyed.items():
        keys.sort()
        days_of[pence] = [key // size for key in keys]
        buckets[pence] = [key % size for key in keys]

    # Normalised lazily: most entries are never a candidate. Descriptions are needed only when
    # the bank line has a reference to look for in them, and repeat a lot, so are cached by text.
    entry_refs: dict[int, str] = {}
    entry_texts: dict[int, str] = {}
    descriptions: dict[str, str] = {}

    # First every pair whose reference agrees, best first, taken greedily.
    agreeing: list[tuple[int, int, int, int, int, str]] = []
    windows: list[tuple[int, BankItem, int, int]] = []  # for the second pass
    for item_index, item in enumerate(items):
        pence = item.amount.pence
        bucket = buckets.get(pence)
        if not bucket:
            continue
        day = item.posted_on.toordinal()
        lo = bisect_left(days_of[pence], day - window_days)
        hi = bisect_right(days_of[pence], day + window_days)
        if lo == hi:
            continue
        windows.append((item_index, item, lo, hi))
        item_ref = _norm(item.reference)
        look_for_item_ref = len(item_ref) >= MIN_REFERENCE_LENGTH
        # Normalised text has no spaces, so one joined with a space matches only within a part.
        item_text = f"{item_ref} {_norm(item.description)}"
        ordinals = days_of[pence]
        for position in range(lo, hi):
            entry_index = bucket[position]
            side = ""
            if look_for_item_ref:
                text = entry_texts.get(entry_index)
                if text is None:
                    entry = entries[entry_index]
                    described = descriptions.get(entry.description)
                    if described is None:
                        described = descriptions[entry.description] = _norm(entry.description)
                    text = entry_texts[entry_index] = f"{_norm(entry.reference)} {described}"
                if item_ref in text:
                    side = "bank"
            if not side:
                entry_ref = entry_refs.get(entry_index)
                if entry_ref is None:
                    entry_ref = entry_refs[entry_index] = _norm(entries[entry_index].reference)
                if len(entry_ref) >= MIN_REFERENCE_LENGTH and entry_ref in item_text:
                    side = "book"
            if side:
                days = abs(day - ordinals[position])
                entry_id = entries[entry_index].entry_id
                agreeing.append((days, item.line_id, entry_id, item_index, entry_index, side))

    used_lines: set[int] = set()
    used_entries: set[int] = set()
    proposals: list[ProposedMatch] = []

    def accept(days: int, item_index: int, entry_index: int, side: str) -> None:
        item, entry = items[item_index], entries[entry_index]
        used_lines.add(item.line_id)
        used_entries.add(entry.entry_id)
        reference = ""
        if side == "bank":
            reference = item.reference.strip()
        elif side == "book":
            reference = entry.reference.strip()
        proposals.append(
            ProposedMatch(
                line_id=item.line_id,
                entry_id=entry.entry_id,
                days_apart=days,
                reference_agrees=bool(side),
                score=_score(bool(side), days, window_days),
                reason=_reason(days, reference),
            )
        )

    agreeing.sort()
    for days, line_id, entry_id, item_index, entry_index, side in agreeing:
        if line_id not in used_lines and entry_id not in used_entries:
            accept(days, item_index, entry_index, side)

    # Then the rest by days apart, line id, entry id. Each bank line offers its candidates
    # nearest first, and a heap merges those streams lazily, which takes pairs in exactly the
    # order a full sort would without building every pair. (A pair whose reference agreed was
    # already seen; its line or entry is used, so it is skipped here as it would be anyway.)
    heap: list[tuple[int, int, int, int, int, Iterator[tuple[int, int, int]]]] = []
    for item_index, item, lo, hi in windows:
        if item.line_id in used_lines:
            continue
        pence = item.amount.pence
        day = item.posted_on.toordinal()
        stream = _nearest_first(entries, buckets[pence], days_of[pence], lo, hi, day, window_days)
        first = next(stream, None)
        if first is not None:
            heap.append((first[0], item.line_id, first[1], item_index, first[2], stream))
    heapq.heapify(heap)
    while heap:
        days, line_id, entry_id, item_index, entry_index, stream = heap[0]
        if entry_id in used_entries:
            following = next(stream, None)
            if following is None:
                heapq.heappop(heap)
            else:
                heapq.heapreplace(
                    heap,
                    (following[0], line_id, following[1], item_index, following[2], stream),
                )
            continue
        heapq.heappop(heap)
        accept(days, item_index, entry_index, "")
    return proposals


def _nearest_first(
    entries: Sequence[BookEntry],
    bucket: list[int],
    ordinals: list[int],
    lo: int,
    hi: int,
    day: int,
    window_days: int,
) -> Iterator[tuple[int, int, int]]:
    """(days apart, entry id, entry index) for bucket[lo:hi], fewest days apart first, then
    lowest entry id."""
    for apart in range(window_days + 1):
        group: list[tuple[int, int]] = []
        for target in {day - apart, day + apart}:
            start = bisect_left(ordinals, target, lo, hi)
            stop = bisect_right(ordinals, target, lo, hi)
            group.extend((entries[index].entry_id, index) for index in bucket[start:stop])
        group.sort()
        for entry_id, index in group:
            yield apart, entry_id, index
