"""A rate limiter shared by many processes through a store (Redis, or anything alike).

Paylor counts requests per API key, not per process: ten workers each running the in-process
bucket send ten times the limit. :class:`SharedRateLimiter` keeps one bucket per (API key,
endpoint group) in a :class:`SharedBucketStore` that every worker talks to, and stays the
polite front end in each process:

* **Local FIFO first.** In each process only one caller per group asks the store at a time;
  the others wait in an ``asyncio.Lock`` queue (first come, first served; a newcomer cannot
  overtake queued callers; a cancelled waiter leaves nothing behind and costs nobody a turn).
* **No busy polling.** The store answers "granted" or "ask again in N seconds"; the asker
  sleeps that long (plus a little jitter, so processes do not ask in lock step) and asks again.
* **A 429 pauses everyone.** :meth:`SharedRateLimiter.pause` holds the group locally at once
  and writes a pause to the store in the background, which refuses every process until it
  ends.
* **Store down.** By default callers get :class:`RateLimiterUnavailableError` and nothing is
  sent. With ``fallback_share`` the limiter falls back to an in-process bucket at that share
  of the limit (one WARNING per outage) and returns to the store, without a restart, as soon
  as it answers again. It is never silently unlimited.

The store sees an opaque bucket id, ``"<key id>:<group>"``, where the key id is
:func:`key_fingerprint` of the API key: a keyed hash, never the key itself.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import logging
import math
import random
import threading
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from ._clock import Clock, LoopClock
from ._ratelimit import (
    GROUPS,
    LocalRateLimiter,
    Rate,
    RateLimiter,
    RateLimits,
    bucket_parameters,
)
from .errors import ConfigurationError, PaylorError

__all__ = [
    "KeyedRateLimiter",
    "RateLimiterUnavailableError",
    "SharedBucketStore",
    "SharedRateLimiter",
    "StoreUnavailableError",
    "default_jitter",
    "key_fingerprint",
]

logger = logging.getLogger("paylor_async.ratelimit")

_FINGERPRINT_LABEL = b"paylor-async rate-limit key id v1"


class StoreUnavailableError(PaylorError):
    """A shared store (Redis) did not answer: connection refused, timed out, or an error reply.

    The message names the kind of failure only (never a URL, a password or a key).
    """


class RateLimiterUnavailableError(StoreUnavailableError):
    """The shared rate limiter's store is unavailable and no fallback is configured.

    Nothing was sent. Retry later, or configure ``fallback_share`` to keep going on an
    in-process bucket at a share of the limit while the store is down.
    """


def key_fingerprint(api_key: str) -> str:
    """A stable, non-reversible id for ``api_key``: HMAC-SHA256 under a fixed label, 16 hex.

    Every process computing it for the same key gets the same id, so they share one bucket;
    the id tells nothing about the key (64 bits of a keyed hash).
    """
    if not isinstance(api_key, str) or not api_key:
        raise ConfigurationError("api_key must be a non-empty string")
    return hmac.new(_FINGERPRINT_LABEL, api_key.encode(), hashlib.sha256).hexdigest()[:16]


@runtime_checkable
class SharedBucketStore(Protocol):
    """Where shared buckets live. Implement these two to plug in another store.

    ``bucket_id`` is opaque (``"<key id>:<group>"``). Buckets follow the schedule of
    :class:`~paylor_async.TokenBucket`: at most ``burst`` tokens, one more every ``interval``
    seconds, time taken from the store's own clock (never a caller's).
    """

    async def acquire(self, bucket_id: str, burst: int, interval: float) -> float:
        """Take one token if one is free and the bucket is not paused.

        Returns:
            ``0.0`` when the token was taken, else the seconds until one may be free (nothing
            is taken; ask again then).

        Raises:
            StoreUnavailableError: the store did not answer.
        """
        ...

    async def pause(self, bucket_id: str, seconds: float) -> None:
        """Refuse every token of the bucket for ``seconds``; never shortens a longer pause.

        Raises:
            StoreUnavailableError: the store did not answer.
        """
        ...


@runtime_checkable
class KeyedRateLimiter(Protocol):
    """A limiter that needs to know which API key it limits (the client tells it)."""

    def for_key(self, key_id: str) -> RateLimiter:
        """A limiter for the key whose :func:`key_fingerprint` is ``key_id``."""
        ...


def default_jitter(wait: float) -> float:
    """Extra sleep after a "wait": up to 5 % of it and at most 2 ms, so processes spread out."""
    return random.uniform(0.0, min(0.05 * wait, 0.002))  # nosec B311 # jitter, not security


class _LoopState:
    """What belongs to one event loop: the FIFO locks and the pause writes in flight."""

    def __init__(self) -> None:
        self.locks: dict[str, asyncio.Lock] = {}
        self.tasks: set[asyncio.Task[None]] = set()


class _Core:
    """What a limiter and its :meth:`~SharedRateLimiter.for_key` views share."""

    def __init__(self) -> None:
        self.loops: dict[asyncio.AbstractEventLoop, _LoopState] = {}
        self.guard = threading.Lock()  # loops of several threads may arrive at once
        self.paused_until: dict[str, float] = {}
        self.fallbacks: dict[str, LocalRateLimiter] = {}
        self.outage = False
        self.recheck_at = -math.inf

    def here(self) -> _LoopState:
        """The state of the running loop (a worker may run one loop after another: an
        ``asyncio.Lock`` or task of a closed loop is never reused; closed loops are forgotten).
        """
        loop = asyncio.get_running_loop()
        state = self.loops.get(loop)
        if state is None:
            with self.guard:
                for closed in [other for other in self.loops if other.is_closed()]:
                    del self.loops[closed]
                state = self.loops.setdefault(loop, _LoopState())
        return state


class SharedRateLimiter:
    """A :class:`~paylor_async.RateLimiter` over a :class:`SharedBucketStore`.

    Args:
        store: where the buckets live (:class:`~paylor_async.redis.RedisRateLimiter` builds
            one on Redis).
        rate_limits: the server's limits; every process must use the same.
        key_id: :func:`key_fingerprint` of the API key. Leave it out when a
            :class:`~paylor_async.PaylorClient` binds the limiter to its key (``for_key``).
        fallback_share: ``None`` (default): raise :class:`RateLimiterUnavailableError` while
            the store is down. A share in ``(0, 1]``: use an in-process bucket at that share of
            each limit instead (set it to about 1 / number of processes).
        recheck_interval: in fallback, seconds between attempts to return to the store.
        clock: time for local sleeps and pauses (the buckets use the store's clock).
        jitter: extra sleep after a "wait" answer, given the wait in seconds.
    """

    def __init__(
        self,
        store: SharedBucketStore,
        *,
        rate_limits: RateLimits | None = None,
        key_id: str | None = None,
        fallback_share: float | None = None,
        recheck_interval: float = 1.0,
        clock: Clock | None = None,
        jitter: Callable[[float], float] = default_jitter,
    ) -> None:
        if fallback_share is not None and (
            isinstance(fallback_share, bool)
            or not isinstance(fallback_share, int | float)
            or not 0 < fallback_share <= 1
        ):
            raise ConfigurationError(f"fallback_share must be in (0, 1], got {fallback_share!r}")
        if not (math.isfinite(recheck_interval) and recheck_interval > 0):
            raise ConfigurationError("recheck_interval must be a number of seconds > 0")
        if key_id is not None and (not isinstance(key_id, str) or not key_id.isprintable()):
            raise ConfigurationError("key_id must be a printable string")
        self.store = store
        self.rate_limits = rate_limits if rate_limits is not None else RateLimits()
        self.fallback_share = fallback_share
        self.recheck_interval = float(recheck_interval)
        self._key_id = key_id or None
        self._clock: Clock = clock if clock is not None else LoopClock()
        self._jitter = jitter
        self._params = {g: bucket_parameters(self.rate_limits.for_group(g)) for g in GROUPS}
        self._core = _Core()

    @property
    def key_id(self) -> str | None:
        """The API key's fingerprint this limiter counts under (``None`` until bound)."""
        return self._key_id

    def for_key(self, key_id: str) -> SharedRateLimiter:
        """This limiter bound to ``key_id`` (sharing its store, queues and fallback).

        A limiter given ``key_id`` (or ``api_key``) explicitly stays bound to it: returns self
        for the same key; another key is refused rather than silently counted under the wrong
        key's budget.

        Raises:
            ConfigurationError: the limiter is bound to another key than ``key_id``.
        """
        if self._key_id is not None:
            if not hmac.compare_digest(self._key_id, key_id):
                raise ConfigurationError(
                    f"this {type(self).__name__} is bound to another API key than the "
                    "client's: create it without api_key/key_id (the client then binds it "
                    "to its key, and rebinds it when the key is rotated), or with the "
                    "client's key"
                )
            return self
        view = copy.copy(self)
        view._key_id = key_id
        return view

    async def acquire(self, group: str) -> None:
        """Wait for a shared token in ``group`` (FIFO among this process's callers).

        Raises:
            ValueError: unknown group.
            ConfigurationError: the limiter is not bound to an API key.
            RateLimiterUnavailableError: the store is down and no fallback is configured.
        """
        burst, per_second = self._params_of(group)
        interval = 1.0 / per_second
        bucket_id = self._bucket_id(group)
        core = self._core
        locks = core.here().locks
        lock = locks.get(bucket_id)
        if lock is None:
            lock = locks[bucket_id] = asyncio.Lock()
        async with lock:
            while True:
                now = self._clock.now()
                held = core.paused_until.get(bucket_id, -math.inf) - now
                if held > 0:  # a 429 seen here: do not even ask until it ends
                    await self._clock.sleep(held)
                    continue
                if core.outage and self.fallback_share is not None and now < core.recheck_at:
                    await self._fallback().acquire(group)
                    return
                try:
                    wait = await self.store.acquire(bucket_id, burst, interval)
                except StoreUnavailableError as exc:
                    self._enter_outage(exc)
                    if self.fallback_share is None:
                        raise RateLimiterUnavailableError(
                            f"the shared rate limiter's store is unavailable ({exc}); "
                            "nothing was sent"
                        ) from exc
                    await self._fallback().acquire(group)
                    return
                self._leave_outage()
                if wait <= 0:
                    return
                await self._clock.sleep(wait + self._jitter(wait))

    def pause(self, group: str, seconds: float) -> None:
        """Hold ``group`` for ``seconds`` here at once, and in every process via the store.

        The store write runs as a background task (this method is called from sync code);
        a failure is logged at WARNING, never raised.
        """
        self._params_of(group)
        if math.isnan(seconds) or math.isinf(seconds):
            raise ValueError(f"pause needs a finite number of seconds, got {seconds!r}")
        bucket_id = self._bucket_id(group)
        core = self._core
        until = self._clock.now() + seconds
        core.paused_until[bucket_id] = max(until, core.paused_until.get(bucket_id, -math.inf))
        if self.fallback_share is not None:
            self._fallback().pause(group, seconds)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            logger.warning("rate-limit pause not shared: no running event loop")
            return
        tasks = core.here().tasks
        task = loop.create_task(self._pause_in_store(bucket_id, seconds))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def wait_pending(self, max_wait: float | None = None) -> bool:
        """Wait until pause writes started by :meth:`pause` have reached the store (or failed).

        Only writes started on the running event loop are waited for (those of a closed loop
        are gone with it).

        Args:
            max_wait: at most this many seconds (``None``: as long as it takes). Writes still
                in flight then keep running.

        Returns:
            ``True`` when no write is pending any more, ``False`` when ``max_wait`` cut the wait.

        Raises:
            ValueError: ``max_wait`` is not a number of seconds >= 0.
        """
        if max_wait is not None and not (math.isfinite(max_wait) and max_wait >= 0):
            raise ValueError(f"max_wait must be a number of seconds >= 0, got {max_wait!r}")
        tasks = self._core.here().tasks
        loop = asyncio.get_running_loop()  # real time: a store answers on the wall clock
        deadline = None if max_wait is None else loop.time() + max_wait
        while tasks:
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                return False
            await asyncio.wait(set(tasks), timeout=left)
        return True

    async def aclose(self, max_wait: float = 2.0) -> None:
        """Flush: wait (up to ``max_wait`` seconds) for pause writes still on their way to the
        store, so a pause seen just before shutdown reaches the other processes.

        Call it at shutdown, on the loop that saw the 429. The store's client stays yours and
        open, and the limiter stays usable (other clients may share it). Writes still pending
        after ``max_wait`` are cancelled with a WARNING (never raised).

        Raises:
            ValueError: ``max_wait`` is not a number of seconds >= 0.
        """
        if await self.wait_pending(max_wait):
            return
        tasks = self._core.here().tasks
        logger.warning(
            "%d rate-limit pause write(s) did not reach the store within %.1f s: cancelled",
            len(tasks),
            max_wait,
        )
        for task in list(tasks):
            task.cancel()
        await asyncio.wait(set(tasks))

    async def _pause_in_store(self, bucket_id: str, seconds: float) -> None:
        try:
            await self.store.pause(bucket_id, seconds)
        except StoreUnavailableError as exc:
            logger.warning("could not share a rate-limit pause of %.2f s: %s", seconds, exc)
        except Exception:  # never raised from a background task; logged with its traceback
            logger.exception("could not share a rate-limit pause of %.2f s", seconds)

    def _params_of(self, group: str) -> tuple[int, float]:
        try:
            return self._params[group]
        except KeyError:
            raise ValueError(
                f"unknown rate-limit group {group!r}; expected one of {GROUPS}"
            ) from None

    def _bucket_id(self, group: str) -> str:
        if self._key_id is None:
            raise ConfigurationError(
                f"{type(self).__name__} does not know which API key it limits: pass "
                "api_key=... (or key_id=key_fingerprint(api_key)) when creating it"
            )
        return f"{self._key_id}:{group}"

    def _fallback(self) -> LocalRateLimiter:
        key = self._key_id or ""
        limiter = self._core.fallbacks.get(key)
        if limiter is None:
            limiter = LocalRateLimiter(self.fallback_limits(), clock=self._clock)
            self._core.fallbacks[key] = limiter
        return limiter

    def fallback_limits(self) -> RateLimits:
        """The limits of the in-process fallback: ``fallback_share`` of each (at least 1)."""
        share = self.fallback_share if self.fallback_share is not None else 1.0

        def scaled(rate: Rate) -> Rate:
            return Rate(max(1, math.floor(rate.limit * share + 1e-9)), rate.window)

        return RateLimits(
            payments=scaled(self.rate_limits.payments),
            channels=scaled(self.rate_limits.channels),
        )

    def _enter_outage(self, exc: StoreUnavailableError) -> None:
        core = self._core
        core.recheck_at = self._clock.now() + self.recheck_interval
        if core.outage:
            return
        core.outage = True
        if self.fallback_share is None:
            logger.warning("shared rate limiter unavailable (%s): calls fail until it is back", exc)
        else:
            logger.warning(
                "shared rate limiter unavailable (%s): falling back to an in-process bucket "
                "at %g of the limit until it is back",
                exc,
                self.fallback_share,
            )

    def _leave_outage(self) -> None:
        if self._core.outage:
            self._core.outage = False
            logger.info("shared rate limiter reachable again: back to shared limits")

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(key_id={self._key_id!r}, "
            f"payments={self.rate_limits.payments}, channels={self.rate_limits.channels}, "
            f"fallback_share={self.fallback_share!r})"
        )
