"""The simulator's Global product: providers (rails), collections, payment links, settings,
per-currency wallet, ledger, withdrawals and listings. Synchronous, like ``_state``."""

from __future__ import annotations

from .._clock import Clock

__all__ = ["GlobalState"]


class GlobalState:
    """The merchant's Global account (one per simulator)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
