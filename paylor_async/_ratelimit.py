"""Client-side rate limiting: one token bucket per endpoint group, strict FIFO, one timer.

Paylor counts requests per API key and endpoint group (payments 60/min, channel management
120/min), and we do not know whether the server counts in fixed windows, sliding windows or a
bucket. The client therefore promises something that holds against all three: **in no window of
the configured length, closed or half-open, at any phase, does it send more than the limit**,
while the sustained rate stays close to it.

The bucket parameters (burst, rate) and why they keep under every kind of server window
are in :mod:`paylor_async._rates`.

The bucket is kept as a schedule (GCRA-style) rather than a float token count: ``spent``
tokens handed out since ``anchor``, the last time the bucket was full; with ``T = 1 / r`` the
next token is due at ``anchor + (spent - (b - 1)) * T`` and the bucket is full again at
``anchor + spent * T``. Token times are computed from whole numbers, never accumulated, so a
burst from a full bucket is exact in floating point and a timer fires at exactly the time the
check compares against. No refill bookkeeping; one clock read per grant.

Waiting is strict FIFO with one timer per bucket: waiters are futures in a deque; when the head
can be served the timer callback *hands* it the token (sets its future) so a woken waiter never
competes again, and a newcomer queues behind anyone already waiting even if a token happens to
be free at that instant.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any, Protocol, runtime_checkable

from ._clock import Clock, LoopClock, TimerHandle
from ._rates import GROUPS, Rate, RateLimits, bucket_parameters

__all__ = [
    "GROUPS",
    "LocalRateLimiter",
    "Rate",
    "RateLimiter",
    "RateLimits",
    "TokenBucket",
    "UnlimitedRateLimiter",
    "bucket_parameters",
]

#: The endpoint groups Paylor limits separately.
_DEFAULT_CLOCK = LoopClock()


@runtime_checkable
class RateLimiter(Protocol):
    """What the transport talks to: wait for a slot in a group; pause a group after a 429."""

    async def acquire(self, group: str) -> None:
        """Return when a request in ``group`` may be sent (FIFO among callers)."""
        ...

    def pause(self, group: str, seconds: float) -> None:
        """The server said 429: send nothing in ``group`` for ``seconds``."""
        ...


class TokenBucket:
    """A token bucket (burst and refill from :func:`bucket_parameters`) with FIFO waiters.

    ``acquire`` returns at once, without suspending, when nobody waits and a token is there.
    Otherwise the caller queues; a single clock timer, armed for the moment the head of the
    queue can be served, hands tokens out in arrival order. Cancelled waiters leave nothing
    behind: no token is spent on them, and a token handed to a waiter that is cancelled before
    it resumes goes back to the bucket (and so to the next waiter).
    """

    __slots__ = (
        "_anchor",
        "_burst",
        "_clock",
        "_extra",
        "_interval",
        "_live",
        "_now",
        "_paused_until",
        "_spent",
        "_timer",
        "_timer_when",
        "_waiters",
        "rate",
    )

    def __init__(self, rate: Rate, *, clock: Clock | None = None) -> None:
        burst, per_second = bucket_parameters(rate)
        self.rate = rate
        self._burst = burst
        # Only stored: a LoopClock touches the event loop when asked for the time, so a bucket
        # can be built outside a running loop.
        self._clock: Clock = clock if clock is not None else _DEFAULT_CLOCK
        # The clock read of the fast path; see _first_now.
        self._now: Callable[[], float] = (
            self._first_now if type(self._clock) is LoopClock else self._clock.now
        )
        self._interval = 1.0 / per_second  # T: seconds per token
        # The schedule: `spent` tokens handed out since `anchor` (when the bucket was last
        # full), so the next token is due at anchor + (spent - (burst - 1)) * T and the bucket
        # is full again at anchor + spent * T. Token times are computed, never accumulated.
        self._extra = float(burst - 1)
        self._anchor = -math.inf
        self._spent = 0.0
        self._paused_until = -math.inf
        self._waiters: deque[asyncio.Future[float]] = deque()
        self._live = 0  # waiters in the deque that are not cancelled
        self._timer: TimerHandle | None = None
        self._timer_when = 0.0

    @property
    def burst(self) -> int:
        """Tokens the bucket holds when full (requests that may go out at once)."""
        return self._burst

    @property
    def tokens_per_second(self) -> float:
        """Refill rate: the sustained rate under saturation."""
        return 1.0 / self._interval

    @property
    def waiting(self) -> int:
        """Callers queued and not cancelled (a cancelled one counts until its task has run)."""
        return self._live

    async def acquire(self) -> None:
        """Wait for a token; strictly first come, first served."""
        if not self._waiters:  # the fast path: no future, no timer, one clock read
            now = self._now()
            interval = self._interval
            if (
                now >= self._anchor + (self._spent - self._extra) * interval
                and now >= self._paused_until
            ):
                if now >= self._anchor + self._spent * interval:  # _take, inlined
                    self._anchor = now
                    self._spent = 1.0
                else:
                    self._spent += 1.0
                return
        await self._wait()

    def pause(self, seconds: float) -> None:
        """Hand out no token before ``now + seconds``; never shortens an earlier pause.

        Waiters stay queued in order; the bucket keeps refilling (up to its burst) meanwhile.
        """
        if math.isnan(seconds) or math.isinf(seconds):
            raise ValueError(f"pause needs a finite number of seconds, got {seconds!r}")
        until = self._clock.now() + seconds
        if until <= self._paused_until:
            return
        self._paused_until = until
        if self._waiters:
            self._arm(self._ready_at())

    def _first_now(self) -> float:
        """The first clock read of a LoopClock bucket: pick the fast path's clock read.

        On asyncio's own loops ``loop.time()`` *is* ``time.monotonic()``; reading it directly
        skips looking up the running loop, the larger part of an uncontended acquire. Any
        other loop (uvloop, a virtual-time loop) keeps asking the clock.
        """
        loop = asyncio.get_running_loop()
        self._now = time.monotonic if _plain_time(loop) else self._clock.now
        return self._now()

    async def _wait(self) -> None:
        loop = asyncio.get_running_loop()
        if self._now is time.monotonic and not _plain_time(loop):
            self._now = self._clock.now  # moved to another kind of loop
        fut: asyncio.Future[float] = loop.create_future()
        if not self._waiters:  # first in line: nothing is armed yet
            self._arm(self._ready_at())
        self._waiters.append(fut)
        self._live += 1
        try:
            await fut
        except BaseException:
            if not fut.done():
                fut.cancel()
            self._abandon(fut)
            raise

    def wake_all(self) -> None:
        """Wake every waiter without spending a token (the client is closing: each then fails
        with ``ClientClosedError`` instead of waiting for a token it cannot use)."""
        now = self._clock.now()
        while self._waiters:
            fut = self._waiters.popleft()
            if not fut.done():
                self._live -= 1
                fut.set_result(now)
        self._disarm()

    def _abandon(self, fut: asyncio.Future[float]) -> None:
        """A waiter left without using a token: forget it, or take back the token it had."""
        if fut.cancelled():
            self._live -= 1
            waiters = self._waiters
            # Cancelled futures in the middle are skipped later; keep a live one at the head.
            # (Other waiters may be cancelled too and not have run this yet.)
            while waiters and waiters[0].done():
                waiters.popleft()
            if not self._live:
                waiters.clear()
            if not waiters:
                self._disarm()
            return
        # It was handed a token (at time `granted`) but never resumed. Give the token back.
        # If time moved since the grant, the bucket may have been capped at its burst in
        # between; crediting T minus the time elapsed never leaves more tokens than if the
        # grant had not happened (and is exact when no time passed, the usual case).
        granted = fut.result()
        now = max(self._clock.now(), granted)
        credit = 1.0 - (now - granted) / self._interval
        if credit > 0:
            self._spent -= credit
            if self._waiters:
                self._dispatch(now)

    def _dispatch(self, now: float) -> None:
        """Hand tokens to waiters, head first, while tokens are ready; then re-arm."""
        waiters = self._waiters
        while waiters:
            fut = waiters[0]
            if fut.done():  # cancelled, already uncounted
                waiters.popleft()
                continue
            ready = self._ready_at()
            if now < ready:
                self._arm(ready)
                return
            waiters.popleft()
            self._live -= 1
            self._take(now)
            fut.set_result(now)
        self._disarm()

    def _take(self, now: float) -> None:
        if now >= self._anchor + self._spent * self._interval:  # full: restart the schedule
            self._anchor = now
            self._spent = 1.0
        else:
            self._spent += 1.0

    def _ready_at(self) -> float:
        """When the next token may go out (bucket and pause)."""
        return max(self._anchor + (self._spent - self._extra) * self._interval, self._paused_until)

    def _on_timer(self) -> None:
        self._timer = None
        # An event loop fires a timer up to one clock tick early; it counts as on time.
        self._dispatch(max(self._clock.now(), self._timer_when))

    def _arm(self, when: float) -> None:
        if self._timer is not None:
            if self._timer_when == when:
                return
            self._timer.cancel()
        self._timer_when = when
        self._timer = self._clock.call_at(when, self._on_timer)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def __repr__(self) -> str:
        return (
            f"TokenBucket(limit={self.rate.limit}, window={self.rate.window:g}, "
            f"burst={self.burst}, per_window={self.rate.window / self._interval:.4g}, "
            f"waiting={self._live})"
        )


def _plain_time(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether ``loop.time()`` is asyncio's own (``time.monotonic()``)."""
    return type(loop).time is asyncio.BaseEventLoop.time


class LocalRateLimiter:
    """The default limiter: one :class:`TokenBucket` per group, in this process.

    One instance belongs to a client and is shared by its ``with_options`` copies. Groups never
    wait on each other: a paused or saturated payments bucket does not delay channel calls.
    """

    __slots__ = ("_buckets", "rate_limits")

    def __init__(self, rate_limits: RateLimits, *, clock: Clock | None = None) -> None:
        self.rate_limits = rate_limits
        self._buckets = {g: TokenBucket(rate_limits.for_group(g), clock=clock) for g in GROUPS}

    def acquire(self, group: str) -> Coroutine[Any, Any, None]:
        """Wait for a token in ``group``'s bucket (``await limiter.acquire("payments")``).

        Returns the bucket's own coroutine rather than wrapping it: one frame less on the hot
        path. An unknown group raises ``ValueError`` at once.
        """
        try:
            bucket = self._buckets[group]
        except KeyError:
            raise ValueError(
                f"unknown rate-limit group {group!r}; expected one of {GROUPS}"
            ) from None
        return bucket.acquire()

    def pause(self, group: str, seconds: float) -> None:
        """Hold ``group`` for ``seconds`` (after a 429); other groups are unaffected."""
        self.bucket(group).pause(seconds)

    def wake_all(self) -> None:
        """Wake every caller waiting in any bucket (used when the owning client closes)."""
        for bucket in self._buckets.values():
            bucket.wake_all()

    def bucket(self, group: str) -> TokenBucket:
        """The bucket of ``group``; ``ValueError`` for an unknown group."""
        try:
            return self._buckets[group]
        except KeyError:
            raise ValueError(
                f"unknown rate-limit group {group!r}; expected one of {GROUPS}"
            ) from None

    def __repr__(self) -> str:
        inner = ", ".join(f"{g}={b!r}" for g, b in self._buckets.items())
        return f"LocalRateLimiter({inner})"


class UnlimitedRateLimiter:
    """A limiter that never waits (``rate_limits=None``): every call goes out at once."""

    __slots__ = ()

    async def acquire(self, group: str) -> None:
        return None

    def pause(self, group: str, seconds: float) -> None:
        return None

    def __repr__(self) -> str:
        return "UnlimitedRateLimiter()"
