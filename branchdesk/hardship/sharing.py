"""Sharing the money a hardship fund has when it cannot pay every approved claim in full.

Each claim gets the same fraction of what it is owed, worked in whole pence with integers only
(no Decimal, no float), so the shares always add up to exactly the money available.
"""

from __future__ import annotations

from collections.abc import Mapping

from branchdesk.money import ZERO, Money


def share_pro_rata(available: Money, amounts: Mapping[int, Money]) -> dict[int, Money]:
    """Each claim's share of `available`, keyed like `amounts` (claim id -> amount still unpaid).

    If everything fits, every claim gets its full amount. Otherwise each gets
    floor(amount × available / total), and the pence left over go one each to the claims with
    the largest remainders (ties: lower claim id first). The shares then add up to `available`
    exactly and none is more than its amount. Nothing available (or less) gives every claim £0.
    A negative amount raises ValueError naming the claim.
    """
    for claim_id, amount in amounts.items():
        if amount.pence < 0:
            raise ValueError(f"claim {claim_id} has a negative amount ({amount})")
    if available.pence <= 0:
        return dict.fromkeys(amounts, ZERO)
    total = sum(amount.pence for amount in amounts.values())
    if total <= available.pence:
        return dict(amounts)

    shares: dict[int, int] = {}
    remainders: dict[int, int] = {}
    for claim_id, amount in amounts.items():
        shares[claim_id], remainders[claim_id] = divmod(amount.pence * available.pence, total)
    # The remainders add up to exactly `left` × total and each is below total, so at least
    # `left` + 1 of them are above zero: every extra penny goes to a share that was rounded down,
    # which keeps it within its amount.
    left = available.pence - sum(shares.values())
    by_remainder = sorted(remainders, key=lambda claim_id: (-remainders[claim_id], claim_id))
    for claim_id in by_remainder[:left]:
        shares[claim_id] += 1
    return {claim_id: Money(pence) for claim_id, pence in shares.items()}
