"""The dedupe store protocol: remember which events are being handled or were handled.

Paylor signs no timestamp, so a captured callback verifies forever; Paylor may also deliver
the same event twice. A store keeps each event key (see ``WebhookEvent.dedupe_key``) in one of
three states:

* absent: :meth:`DedupeStore.claim` records it as *processing* (for a short processing time
  to live) and answers :attr:`ClaimResult.NEW`: act on the event.
* processing: a claim answers :attr:`ClaimResult.IN_PROGRESS`: another attempt is running
  (answer 409 so the sender retries later). If that attempt dies, the claim expires after the
  processing TTL and the next delivery is acted on.
* done (:meth:`DedupeStore.complete`, for the long TTL): a claim answers
  :attr:`ClaimResult.DONE` (answer 200, do nothing).

:meth:`DedupeStore.release` forgets a processing claim (the handler failed). Implementations:
``InMemoryDedupe`` (one process) and ``paylor_async.redis.RedisDedupe`` (every worker).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol, runtime_checkable

__all__ = ["DEFAULT_PROCESSING_TTL", "ClaimResult", "DedupeStore"]

DEFAULT_PROCESSING_TTL = 300.0
"""Seconds a *processing* claim is held before it expires (a worker killed mid-handler)."""


class ClaimResult(StrEnum):
    """What :meth:`DedupeStore.claim` found."""

    NEW = "new"
    """Not seen: now recorded as processing. Act on the event, then complete or release."""
    IN_PROGRESS = "in_progress"
    """Another attempt holds a processing claim: do not act; have the sender retry later."""
    DONE = "done"
    """Already handled: do not act again."""


@runtime_checkable
class DedupeStore(Protocol):
    """Where event keys live: processing for a short TTL, done for a long one."""

    async def claim(self, key: str) -> ClaimResult:
        """Claim ``key``: record it as processing if absent.

        Atomic: of concurrent claims of one absent key, exactly one gets ``NEW``.

        Returns:
            ``NEW`` (recorded now), ``IN_PROGRESS`` (held as processing) or ``DONE``.
        """
        ...

    async def complete(self, key: str) -> None:
        """Mark ``key`` done (the handler returned): later claims get ``DONE`` for the long TTL."""
        ...

    async def release(self, key: str) -> None:
        """Forget a processing claim on ``key`` (the handler failed): the retry is acted on.

        A key already marked done is kept.
        """
        ...
