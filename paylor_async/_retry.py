"""Retry decisions and delays: pure functions, no I/O, table-tested.

The transport asks two questions after each attempt: *may I try again?* (:func:`should_retry`)
and *how long do I wait?* (:func:`retry_delay`). Both depend only on their arguments.

Delays are exponential with full jitter (the ``backoff`` library's ``expo`` and
``full_jitter``), capped; a server that says how long to wait (``Retry-After`` in seconds or as
an HTTP date, or Paylor's ``X-RateLimit-Reset`` ISO timestamp) is honoured up to a cap.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import attrs
import backoff

__all__ = [
    "RETRYABLE_STATUSES",
    "Failure",
    "RetryPolicy",
    "parse_rate_limit_reset",
    "parse_retry_after",
    "retry_delay",
    "server_delay",
    "should_retry",
]

#: Statuses worth another attempt: timeouts, rate limits and server or proxy failures.
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class Failure(enum.Enum):
    """How an attempt failed without an HTTP status."""

    #: The connection was never made (refused, DNS): the server surely saw nothing.
    CONNECT = "connect"
    #: The connection broke after the request may have been sent (reset, server disconnect).
    DISCONNECT = "disconnect"
    #: No complete answer within the timeout; the request may have been processed.
    TIMEOUT = "timeout"
    #: TLS handshake or certificate failure: nothing was sent, and retrying will not help.
    TLS = "tls"
    #: A success status whose body is not JSON (cut short, or a proxy's page): the request
    #: was processed, so only an idempotent one may be sent again to fetch its result.
    UNREADABLE = "unreadable success body"


def _validate_non_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
        raise ValueError(f"{attribute.name} must be a finite number >= 0, got {value!r}")


def _validate_retries(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{attribute.name} must be an integer >= 0, got {value!r}")


@attrs.frozen
class RetryPolicy:
    """How many times and how patiently a request is retried.

    Attributes:
        max_retries: retries after the first attempt (0 disables retrying).
        initial_delay: the backoff before the first retry, before jitter (seconds).
        max_delay: the cap of the exponential backoff (seconds).
        max_server_delay: the cap on a delay the server asks for (``Retry-After``,
            ``X-RateLimit-Reset``); a longer wait is shortened to it.
        jitter: turns a backoff value into the actual delay; full jitter by default.
    """

    max_retries: int = attrs.field(default=3, validator=_validate_retries)
    initial_delay: float = attrs.field(default=0.5, validator=_validate_non_negative)
    max_delay: float = attrs.field(default=8.0, validator=_validate_non_negative)
    max_server_delay: float = attrs.field(default=60.0, validator=_validate_non_negative)
    jitter: Callable[[float], float] = attrs.field(default=backoff.full_jitter, repr=False)

    def backoff_delay(self, retry: int) -> float:
        """The jittered exponential delay before retry number ``retry`` (1-based)."""
        return max(0.0, self.jitter(_expo_value(retry, self.initial_delay, self.max_delay)))


def _expo_value(retry: int, factor: float, cap: float) -> float:
    gen = backoff.expo(base=2, factor=factor, max_value=cap)
    next(gen)  # the generator's first value primes it for send()
    value: float = next(itertools.islice(gen, max(0, retry - 1), None))
    return min(value, cap)


def should_retry(
    *,
    retries_done: int,
    policy: RetryPolicy,
    status: int | None = None,
    failure: Failure | None = None,
    idempotent: bool,
) -> bool:
    """Whether another attempt may be made.

    ``idempotent`` is true for GETs and for POSTs that carry an idempotency key; a request that
    is not idempotent is retried only when it surely never reached the server.
    """
    if retries_done >= policy.max_retries:
        return False
    if failure is not None:
        if failure is Failure.TLS:
            return False
        return failure is Failure.CONNECT or idempotent
    if status is None or status not in RETRYABLE_STATUSES:
        return False
    # A POST that may have created something is repeated only under its idempotency key.
    return idempotent


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - now
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def parse_rate_limit_reset(value: str | None, now: float) -> float | None:
    """Seconds to wait until an ``X-RateLimit-Reset`` ISO-8601 timestamp (epoch also taken)."""
    if not value:
        return None
    value = value.strip()
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        try:
            epoch = float(value)
        except ValueError:
            return None
        if not math.isfinite(epoch):
            return None
        # Small numbers are seconds-from-now (some servers do that), large ones epoch seconds.
        return max(0.0, epoch - now if epoch > 1e9 else epoch)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def server_delay(headers: Mapping[str, str], now: float, *, status: int) -> float | None:
    """The wait the server asked for, if any: ``Retry-After`` first, then the reset time.

    ``X-RateLimit-Reset`` rides on every response of a limited group; it is a reason to wait
    only when the limit was hit (a 429, or ``X-RateLimit-Remaining: 0``), not on a 500 that
    happens to carry it.
    """
    retry_after = parse_retry_after(headers.get("Retry-After"), now)
    if retry_after is not None:
        return retry_after
    if status == 429 or headers.get("X-RateLimit-Remaining", "").strip() == "0":
        return parse_rate_limit_reset(headers.get("X-RateLimit-Reset"), now)
    return None


def retry_delay(
    *,
    retry: int,
    policy: RetryPolicy,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
    now: float,
) -> float:
    """Seconds to wait before retry number ``retry`` (1-based).

    A server-given delay wins (capped at ``max_server_delay``); otherwise, and for a
    server-given delay of zero on a 429, the jittered backoff.
    """
    if headers is not None and status in RETRYABLE_STATUSES:
        asked = server_delay(headers, now, status=status)
        if asked is not None and (asked > 0 or status != 429):
            return min(asked, policy.max_server_delay)
    return policy.backoff_delay(retry)
