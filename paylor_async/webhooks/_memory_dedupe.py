"""``InMemoryDedupe``: a :class:`DedupeStore` for one process (tests, a single worker)."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from ._dedupe import DEFAULT_PROCESSING_TTL, ClaimResult

__all__ = ["InMemoryDedupe"]


class InMemoryDedupe:
    """Remembers event keys in this process only: processing ones for ``processing_ttl``
    seconds, done ones for ``ttl`` seconds.

    With several workers or hosts, use a shared store (Redis) instead: each process would
    otherwise accept the same event once.

    Memory stays bounded: expired keys are purged on every claim (oldest first), and
    ``max_keys`` caps how many are held: when full, expired keys go first, then the oldest
    handled ones, then the oldest processing claims. A redelivery of a forgotten key is acted
    on again, so size ``max_keys`` above the events you receive per ``ttl``.

    Safe from several event loops or threads at once (Django sync views run the claim through
    ``asgiref``): a lock makes check-then-record atomic, so of concurrent claims of one key
    exactly one gets ``NEW``.
    """

    def __init__(
        self,
        ttl: float = 86_400.0,
        *,
        processing_ttl: float = DEFAULT_PROCESSING_TTL,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 1_000_000,
    ) -> None:
        """Args:
            ttl: seconds a handled (done) key is remembered (default one day). Keep it longer
                than the sender's retry window.
            processing_ttl: seconds a claim is held while its handler runs (default 300). If
                the worker dies mid-handler, the next delivery after this is acted on. Keep it
                longer than your slowest handler.
            clock: monotonic seconds (inject a fake in tests to move time without sleeping).
            max_keys: the most keys held at once; beyond it the oldest handled keys are
                forgotten first (see the class docstring).

        Raises:
            ValueError: a ttl is not a positive finite number or ``max_keys`` is below 1.
        """
        self.ttl = _seconds(ttl, "ttl")
        self.processing_ttl = _seconds(processing_ttl, "processing_ttl")
        if isinstance(max_keys, bool) or not isinstance(max_keys, int) or max_keys < 1:
            raise ValueError("max_keys must be an int >= 1")
        self.max_keys = max_keys
        self._clock = clock
        # key -> (done?, expiry), in order of the last change (mostly by expiry).
        self._entries: OrderedDict[str, tuple[bool, float]] = OrderedDict()
        self._lock = threading.Lock()

    async def claim(self, key: str) -> ClaimResult:
        """Record ``key`` as processing if absent; see :meth:`DedupeStore.claim`."""
        return self.claim_now(key)

    async def complete(self, key: str) -> None:
        """Mark ``key`` done for ``ttl`` seconds (its handler returned)."""
        self._record(key, done=True, ttl=self.ttl)

    async def release(self, key: str) -> None:
        """Forget a processing claim on ``key`` (the handler failed); a done key is kept."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and not entry[0]:
                del self._entries[key]

    def claim_now(self, key: str) -> ClaimResult:
        """The synchronous body of :meth:`claim` (no I/O, so no need to await)."""
        now = self._clock()
        with self._lock:
            self._purge(now)
            entry = self._entries.get(key)
            if entry is not None and entry[1] > now:
                return ClaimResult.DONE if entry[0] else ClaimResult.IN_PROGRESS
            self._store(key, False, now + self.processing_ttl)
            return ClaimResult.NEW

    def state(self, key: str) -> ClaimResult | None:
        """``IN_PROGRESS`` or ``DONE`` while ``key`` is held, else ``None`` (does not claim)."""
        entry = self._entries.get(key)
        if entry is None or entry[1] <= self._clock():
            return None
        return ClaimResult.DONE if entry[0] else ClaimResult.IN_PROGRESS

    def _record(self, key: str, *, done: bool, ttl: float) -> None:
        now = self._clock()
        with self._lock:
            self._store(key, done, now + ttl)

    def _store(self, key: str, done: bool, expiry: float) -> None:
        self._entries.pop(key, None)  # re-insert at the end: the order stays by last change
        self._entries[key] = (done, expiry)
        if len(self._entries) > self.max_keys:
            self._make_room()

    def _make_room(self) -> None:
        """Full: drop expired keys, then the oldest handled (done) keys, and only then the
        oldest processing claims (a redelivery of a dropped key would be acted on again)."""
        entries = self._entries
        now = self._clock()
        for key in [k for k, (_, expires) in entries.items() if expires <= now]:
            del entries[key]
        excess = len(entries) - self.max_keys
        if excess <= 0:
            return
        for key in [k for k, (done, _) in entries.items() if done][:excess]:
            del entries[key]
            excess -= 1
        while excess > 0:
            entries.popitem(last=False)
            excess -= 1

    def __len__(self) -> int:
        """How many keys are held (expired ones included until the next claim purges them)."""
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is held (processing or done) and not expired."""
        return isinstance(key, str) and self.state(key) is not None

    def _purge(self, now: float) -> None:
        # Entries are appended as they change; a short processing entry behind a long done
        # one waits for it (``max_keys`` still bounds memory, and lookups check the expiry).
        entries = self._entries
        while entries:
            key, (_, expires) = next(iter(entries.items()))
            if expires > now:
                break
            del entries[key]

    def __repr__(self) -> str:
        return (
            f"<InMemoryDedupe ttl={self.ttl:g}s processing_ttl={self.processing_ttl:g}s "
            f"keys={len(self._entries)}>"
        )


def _seconds(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a positive finite number of seconds")
    if value <= 0:
        raise ValueError(f"{name} must be a positive finite number of seconds")
    return float(value)
