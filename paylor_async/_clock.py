"""Time as the SDK sees it: monotonic time, timers and sleeps behind one small protocol.

Everything that waits (the limiter, retry backoff, polling) asks a :class:`Clock`, so tests can
hand in a :class:`ManualClock` and move time by hand instead of sleeping real seconds.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "LoopClock", "ManualClock", "TimerHandle"]


@runtime_checkable
class TimerHandle(Protocol):
    """Something a scheduled callback can be cancelled through."""

    def cancel(self) -> None: ...


@runtime_checkable
class Clock(Protocol):
    """Monotonic time in seconds, timers on that time, sleeping and wall-clock time."""

    def now(self) -> float:
        """Monotonic seconds; only differences mean anything."""
        ...

    def wall(self) -> float:
        """Seconds since the Unix epoch (for ``X-RateLimit-Reset`` and HTTP dates)."""
        ...

    def call_at(self, when: float, callback: Callable[[], None]) -> TimerHandle:
        """Run ``callback`` once ``now()`` reaches ``when``."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time."""
        ...


class LoopClock:
    """The default clock: the running event loop's monotonic time and timers."""

    __slots__ = ()

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    def wall(self) -> float:
        return time.time()

    def call_at(self, when: float, callback: Callable[[], None]) -> TimerHandle:
        return asyncio.get_running_loop().call_at(when, callback)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return "LoopClock()"


class _ManualTimer:
    __slots__ = ("callback", "cancelled", "when")

    def __init__(self, when: float, callback: Callable[[], None]) -> None:
        self.when = when
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualClock:
    """A clock that moves only when told to: for tests of anything time-based.

    ``await clock.advance(5)`` moves time forward, firing due timers in order and letting the
    woken tasks run. ``sleep`` waits on this clock. With ``autojump=True`` nothing ever waits:
    as soon as a timer is set (a sleep, a rate-limiter refill), time jumps to it, which is
    convenient when only the recorded delays matter. Every ``sleep`` is recorded in
    :attr:`sleeps`.
    """

    def __init__(
        self, start: float = 1_000.0, *, wall_start: float = 1_800_000_000.0, autojump: bool = False
    ) -> None:
        self._now = start
        self._wall_offset = wall_start - start
        self._timers: list[tuple[float, int, _ManualTimer]] = []
        self._seq = itertools.count()
        self.autojump = autojump
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self._now

    def wall(self) -> float:
        return self._now + self._wall_offset

    def call_at(self, when: float, callback: Callable[[], None]) -> TimerHandle:
        timer = _ManualTimer(when, callback)
        heapq.heappush(self._timers, (when, next(self._seq), timer))
        if self.autojump:
            asyncio.get_running_loop().call_soon(self._jump_to, when)
        return timer

    def _jump_to(self, when: float) -> None:
        if when > self._now:
            self._now = when
        self._fire_due()

    @property
    def pending_timers(self) -> int:
        """How many timers are scheduled and not cancelled."""
        return sum(1 for _, _, t in self._timers if not t.cancelled)

    async def sleep(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        self.sleeps.append(seconds)
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def wake() -> None:
            if not fut.done():
                fut.set_result(None)

        handle = self.call_at(self._now + seconds, wake)
        try:
            await fut
        finally:
            handle.cancel()

    def _fire_due(self) -> bool:
        fired = False
        while self._timers and self._timers[0][0] <= self._now:
            _, _, timer = heapq.heappop(self._timers)
            if not timer.cancelled:
                timer.cancelled = True
                timer.callback()
                fired = True
        return fired

    async def _settle(self) -> None:
        for _ in range(5):
            await asyncio.sleep(0)

    async def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, firing timers at their own times on the way."""
        target = self._now + max(0.0, seconds)
        await self._settle()
        while True:
            live = [w for w, _, t in self._timers if not t.cancelled and w <= target]
            if not live:
                break
            self._now = max(self._now, min(live))
            self._fire_due()
            await self._settle()
        self._now = target
        self._fire_due()
        await self._settle()

    def __repr__(self) -> str:
        return f"ManualClock(now={self._now!r})"
