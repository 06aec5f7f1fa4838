"""Client-side rate limiting: one token bucket per endpoint group, strict FIFO, one timer.

Paylor counts requests per API key and endpoint group (payments 60/min, channel management
120/min), and we do not know whether the server counts in fixed windows, sliding windows or a
bucket. The client therefore promises something that holds against all three: **in no window of
the configured length, closed or half-open, at any phase, does it send more than the limit**,
while the sustained rate stays close to it.

The maths
---------
A bucket holding at most ``b`` tokens, refilled at ``r`` tokens per second, started full, lets at
most ``b + floor(r*W)`` requests through in any *closed* window ``[s, s + W]``: at most ``b``
tokens are in the bucket just before ``s`` and ``r*W`` more accrue during the window; when
``r*W`` is a whole number the last of them lands exactly on ``s + W``, which a closed window
still counts (a half-open window holds one fewer). Fixed and sliding windows on the server are
windows of this kind, so that one number bounds them all.

:func:`bucket_parameters` picks ``b`` and ``n = r*W`` (tokens per window) so that

* ``b + floor(n) <= limit - margin``, with ``margin = max(1, limit // 50)`` requests kept free
  for network jitter (a request granted just before a window boundary may arrive just after
  it, and vice versa);
* the sustained rate ``n / limit`` is at least 90 % for limits of 20 and more;
* the burst grows slowly with the limit: ``b = round(log2(limit)) - 3``, at least 1, and
  smaller when needed to keep the 90 %.

==============  =====  ===================  =========  ================
limit / window  burst  tokens per window    worst W    sustained share
==============  =====  ===================  =========  ================
60 / 60 s       3      56                   59         93.3 %
120 / 60 s      4      114                  118        95.0 %
20 / 2 s        1      18.1 (= 19 / 1.05)   19         90.5 %
1000 / 60 s     7      973                  980        97.3 %
3 / window      1      1.90 (= 2 / 1.05)    2          63 %
2 / window      1      0.95 (= 1 / 1.05)    1          48 %
1 / window      1      0.95 (= 1 / 1.05)    1          95 %
==============  =====  ===================  =========  ================

The margin also buys time: ``limit + 1`` requests need ``(limit + 1 - b) / n`` windows, at
least ``1.02 * W`` for every limit (2.1 s of jitter for 60/min, 1.6 s for 120/min). Small
limits cannot afford a whole request of margin *and* a high share: for them ``n`` is raised to
``(limit - b - margin + 1) / 1.05`` when that is larger, which keeps the count above
(``floor(n)`` does not change) and makes the time margin ``0.05 * W``. A limit of 1 has no
room for a count margin at all; it gets one request per ``1.05 * W``. Below 20 the sustained
share drops (10/min: 86 %, 3/min: 63 %, 2/min: 48 %): the price of never exceeding.

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
from collections import deque
from collections.abc import Coroutine
from typing import Any, Protocol, runtime_checkable

import attrs

from ._clock import Clock, LoopClock, TimerHandle

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
GROUPS: tuple[str, ...] = ("payments", "channels")

#: Time margin for small limits: the ``limit + 1``-th request is at least this much of a window
#: later than the first.
_SMALL_LIMIT_SLACK = 0.05
#: Sustained share kept when choosing the burst.
_MIN_SHARE_TENTHS = 9

_DEFAULT_CLOCK = LoopClock()


def _check_limit(_: object, __: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"Rate limit must be an int (requests per window), got {value!r}")
    if value < 1:
        raise ValueError(f"Rate limit must be at least 1 request per window, got {value}")


def _to_window(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"Rate window must be a number of seconds, got {value!r}")
    window = float(value)
    if not (math.isfinite(window) and window > 0):
        raise ValueError(f"Rate window must be a finite number of seconds > 0, got {value!r}")
    return window


@attrs.frozen
class Rate:
    """``limit`` requests per ``window`` seconds, as the server states it (``Rate(60, 60.0)``)."""

    limit: int = attrs.field(validator=_check_limit)
    window: float = attrs.field(default=60.0, converter=_to_window)

    def __str__(self) -> str:
        return f"{self.limit}/{self.window:g}s"


@attrs.frozen
class RateLimits:
    """The server's limits per endpoint group; the client keeps under them."""

    payments: Rate = attrs.field(
        default=Rate(60, 60.0), validator=attrs.validators.instance_of(Rate)
    )
    channels: Rate = attrs.field(
        default=Rate(120, 60.0), validator=attrs.validators.instance_of(Rate)
    )

    def for_group(self, group: str) -> Rate:
        """The rate of ``group`` (one of :data:`GROUPS`)."""
        if group == "payments":
            return self.payments
        if group == "channels":
            return self.channels
        raise ValueError(f"unknown rate-limit group {group!r}; expected one of {GROUPS}")


def bucket_parameters(rate: Rate) -> tuple[int, float]:
    """``(burst, tokens per second)`` of the bucket that keeps under ``rate`` (see module doc).

    Guarantees, for the bucket started full and kept saturated:

    * at most ``limit - margin`` requests in any closed window of ``rate.window``, with
      ``margin = max(1, limit // 50)`` (0 only for a limit of 1, which has no room for it);
    * the ``limit + 1``-th request of any run comes at least ``1.02 * window`` after the first
      (``1.05 * window`` for limits under about 20): the margin expressed as time;
    * a sustained rate of at least 90 % of the limit for limits of 20 and more.
    """
    limit, window = rate.limit, rate.window
    margin = max(1, limit // 50) if limit >= 2 else 0
    min_sustained = -(-limit * _MIN_SHARE_TENTHS // 10)  # ceil(0.9 * limit) in integers
    burst = max(1, min(round(math.log2(limit)) - 3, limit - margin - min_sustained))
    whole = limit - burst - margin  # tokens per window that keep `margin` free
    per_window = max(float(whole), (whole + 1) / (1 + _SMALL_LIMIT_SLACK))
    return burst, per_window / window


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
        if not self._waiters:
            now = self._clock.now()
            if (
                now >= self._anchor + (self._spent - self._extra) * self._interval
                and now >= self._paused_until
            ):
                self._take(now)
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

    async def _wait(self) -> None:
        fut: asyncio.Future[float] = asyncio.get_running_loop().create_future()
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
        return self.bucket(group).acquire()

    def pause(self, group: str, seconds: float) -> None:
        """Hold ``group`` for ``seconds`` (after a 429); other groups are unaffected."""
        self.bucket(group).pause(seconds)

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
