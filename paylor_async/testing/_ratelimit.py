"""Server-side rate limiting: per (identity, group) fixed or sliding windows on the sim's clock.

The window arithmetic is pure (:func:`fixed_window_start`, :func:`prune_sliding`); the
counters only keep state. Rejected requests are not counted.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from typing import Literal, Protocol

import attrs

from ._ids import iso_ms

__all__ = [
    "FixedWindow",
    "RateDecision",
    "ServerRateLimiter",
    "SlidingWindow",
    "WindowAlgorithm",
    "fixed_window_start",
    "prune_sliding",
    "rate_limit_headers",
]

WindowKind = Literal["fixed", "sliding"]


@attrs.frozen
class RateDecision:
    """The outcome of one check: whether it passes and the values for the headers."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: float  # on the clock's monotonic time


def fixed_window_start(now: float, window: float) -> float:
    """Start of the fixed window holding ``now``: windows are aligned to multiples of ``window``."""
    return math.floor(now / window) * window


def prune_sliding(stamps: deque[float], now: float, window: float) -> None:
    """Drop the stamps that left the window ``(now - window, now]``."""
    edge = now - window
    while stamps and stamps[0] <= edge:
        stamps.popleft()


class WindowAlgorithm(Protocol):
    def hit(
        self, key: tuple[str, str], limit: int, window: float, now: float, *, consume: bool
    ) -> RateDecision: ...

    def reset(self) -> None: ...


class FixedWindow:
    """Counts requests per aligned window ``[k*W, (k+1)*W)``."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str], tuple[float, int]] = {}

    def hit(
        self, key: tuple[str, str], limit: int, window: float, now: float, *, consume: bool
    ) -> RateDecision:
        start = fixed_window_start(now, window)
        seen_start, count = self._counts.get(key, (start, 0))
        if seen_start != start:
            count = 0
        allowed = count < limit
        if consume and allowed:
            count += 1
            self._counts[key] = (start, count)
        return RateDecision(allowed, limit, max(0, limit - count), start + window)

    def reset(self) -> None:
        self._counts.clear()


class SlidingWindow:
    """Counts the accepted requests in ``(now - W, now]``."""

    def __init__(self) -> None:
        self._stamps: dict[tuple[str, str], deque[float]] = {}

    def hit(
        self, key: tuple[str, str], limit: int, window: float, now: float, *, consume: bool
    ) -> RateDecision:
        stamps = self._stamps.setdefault(key, deque())
        prune_sliding(stamps, now, window)
        allowed = len(stamps) < limit
        if consume and allowed:
            stamps.append(now)
        # The next slot frees up when the oldest counted request leaves the window.
        reset_at = stamps[0] + window if stamps else now + window
        return RateDecision(allowed, limit, max(0, limit - len(stamps)), reset_at)

    def reset(self) -> None:
        self._stamps.clear()


def make_window(kind: WindowKind) -> WindowAlgorithm:
    if kind == "fixed":
        return FixedWindow()
    if kind == "sliding":
        return SlidingWindow()
    raise ValueError(f"window must be 'fixed' or 'sliding', not {kind!r}")


class ServerRateLimiter:
    """One counter per (identity, group); groups without a limit are not limited."""

    def __init__(
        self, limits: Mapping[str, tuple[int, float]] | None, window: WindowKind = "fixed"
    ) -> None:
        self.limits: dict[str, tuple[int, float]] = dict(limits or {})
        for group, (limit, seconds) in self.limits.items():
            if limit < 0 or seconds <= 0:
                raise ValueError(f"bad rate limit for {group!r}: {(limit, seconds)!r}")
        self.window_kind = window
        self._algorithm = make_window(window)

    def check(self, identity: str, group: str | None, now: float) -> RateDecision | None:
        """Count a request if it fits; ``None`` when the group is not limited."""
        return self._hit(identity, group, now, consume=True)

    def peek(self, identity: str, group: str | None, now: float) -> RateDecision | None:
        """The current state without counting anything (for headers on rejected requests)."""
        return self._hit(identity, group, now, consume=False)

    def limit_of(self, group: str | None) -> int | None:
        rule = self.limits.get(group) if group is not None else None
        return rule[0] if rule is not None else None

    def reset(self) -> None:
        self._algorithm.reset()

    def _hit(
        self, identity: str, group: str | None, now: float, *, consume: bool
    ) -> RateDecision | None:
        if group is None or group not in self.limits:
            return None
        limit, seconds = self.limits[group]
        return self._algorithm.hit((identity, group), limit, seconds, now, consume=consume)


def rate_limit_headers(decision: RateDecision, *, now: float, wall: float) -> dict[str, str]:
    """``X-RateLimit-*`` headers; the reset is turned from clock time into wall time."""
    return {
        "X-RateLimit-Limit": str(decision.limit),
        "X-RateLimit-Remaining": str(decision.remaining),
        "X-RateLimit-Reset": iso_ms(wall + (decision.reset_at - now), ceil=True),
    }
