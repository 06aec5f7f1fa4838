"""``InMemoryDedupe``: a :class:`DedupeStore` for one process (tests, a single worker)."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["InMemoryDedupe"]


class InMemoryDedupe:
    """Remembers claimed event keys for ``ttl`` seconds, in this process only.

    With several workers or hosts, use a shared store (Redis) instead: each process would
    otherwise accept the same event once.

    Memory stays bounded: keys are forgotten when they expire (purged on every claim, oldest
    first), and ``max_keys`` caps how many are held (the oldest are forgotten first).

    Safe from several event loops or threads at once (Django sync views run the claim through
    ``asgiref``): a lock makes check-then-record atomic, so of concurrent claims of one key
    exactly one wins.
    """

    def __init__(
        self,
        ttl: float = 86_400.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 1_000_000,
    ) -> None:
        """Args:
            ttl: seconds a claimed key is remembered (default one day). Keep it longer than
                the sender's retry window.
            clock: monotonic seconds (inject a fake in tests to move time without sleeping).
            max_keys: the most keys held at once; beyond it the oldest are forgotten.

        Raises:
            ValueError: ``ttl`` is not a positive finite number or ``max_keys`` is below 1.
        """
        if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not math.isfinite(ttl):
            raise ValueError("ttl must be a positive finite number of seconds")
        if ttl <= 0:
            raise ValueError("ttl must be a positive finite number of seconds")
        if isinstance(max_keys, bool) or not isinstance(max_keys, int) or max_keys < 1:
            raise ValueError("max_keys must be an int >= 1")
        self.ttl = float(ttl)
        self.max_keys = max_keys
        self._clock = clock
        self._expiry: OrderedDict[str, float] = OrderedDict()  # oldest claim first
        self._lock = threading.Lock()

    async def claim(self, key: str) -> bool:
        """Record ``key``; ``True`` the first time (act on the event), ``False`` while held."""
        return self.claim_now(key)

    async def release(self, key: str) -> None:
        """Forget ``key`` so the next delivery of the event is acted on (the handler failed)."""
        with self._lock:
            self._expiry.pop(key, None)

    def claim_now(self, key: str) -> bool:
        """The synchronous body of :meth:`claim` (no I/O, so no need to await)."""
        now = self._clock()
        with self._lock:
            self._purge(now)
            held = self._expiry.get(key)
            if held is not None and held > now:
                return False
            self._expiry.pop(key, None)  # re-insert at the end: the order stays by expiry
            self._expiry[key] = now + self.ttl
            while len(self._expiry) > self.max_keys:
                self._expiry.popitem(last=False)
            return True

    def __len__(self) -> int:
        """How many keys are held (expired ones included until the next claim purges them)."""
        return len(self._expiry)

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is held and not expired."""
        expiry = self._expiry.get(key) if isinstance(key, str) else None
        return expiry is not None and expiry > self._clock()

    def _purge(self, now: float) -> None:
        # Claims are appended in time order with one ttl, so expiries are in order too.
        expiry = self._expiry
        while expiry:
            key, expires = next(iter(expiry.items()))
            if expires > now:
                break
            del expiry[key]

    def __repr__(self) -> str:
        return f"<InMemoryDedupe ttl={self.ttl:g}s keys={len(self._expiry)}>"
