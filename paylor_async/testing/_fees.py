"""Paylor's collection fee table (API reference, section 6) as data plus one lookup."""

from __future__ import annotations

from bisect import bisect_right
from decimal import Decimal

__all__ = ["FEE_TABLE", "MAX_FEE_AMOUNT", "fee_for"]

#: ``(lowest amount of the band, fee)`` in KES, bands inclusive, sorted by amount.
FEE_TABLE: tuple[tuple[int, Decimal], ...] = (
    (0, Decimal("0")),
    (50, Decimal("5.9")),
    (500, Decimal("9.9")),
    (1_000, Decimal("14.9")),
    (1_500, Decimal("19.9")),
    (2_500, Decimal("24.9")),
    (3_500, Decimal("29.9")),
    (5_000, Decimal("39.9")),
    (7_500, Decimal("44.9")),
    (10_000, Decimal("49.9")),
    (15_000, Decimal("54.9")),
    (20_000, Decimal("79.9")),
    (35_000, Decimal("104.9")),
    (50_000, Decimal("129.9")),
    (150_000, Decimal("159.9")),
    (250_000, Decimal("194.9")),
    (350_000, Decimal("229.9")),
    (550_000, Decimal("274.9")),
    (750_000, Decimal("319.9")),
)

#: The highest amount the table covers; the simulator rejects larger STK amounts.
MAX_FEE_AMOUNT = 999_999

_LOWER_BOUNDS = tuple(low for low, _ in FEE_TABLE)


def fee_for(amount: int | Decimal) -> Decimal:
    """The fee for collecting ``amount`` KES. Fractions fall into the band of their whole part.

    Raises ``ValueError`` outside ``0..MAX_FEE_AMOUNT``.
    """
    if amount < 0 or amount > MAX_FEE_AMOUNT:
        raise ValueError(f"amount {amount} is outside the fee table (0..{MAX_FEE_AMOUNT})")
    index = bisect_right(_LOWER_BOUNDS, int(amount)) - 1
    return FEE_TABLE[index][1]
