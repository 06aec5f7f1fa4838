"""The dedupe store protocol: remember which events were handled, so a replay is not acted on.

Paylor signs no timestamp, so a captured callback verifies forever; Paylor may also deliver
the same event twice. A store records a key (event id + status) the first time it is claimed.
Implementations: ``InMemoryDedupe`` (one process) and ``paylor_async.redis.RedisDedupe``
(shared by every worker).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["DedupeStore"]


@runtime_checkable
class DedupeStore(Protocol):
    """Where handled event keys live, each for the store's own time to live."""

    async def claim(self, key: str) -> bool:
        """Record ``key``; ``True`` if it was not recorded yet (act on the event), else ``False``.

        Atomic: of two concurrent claims of one key, exactly one gets ``True``.
        """
        ...

    async def release(self, key: str) -> None:
        """Forget ``key`` (the handler failed): Paylor's next delivery is acted on again."""
        ...
