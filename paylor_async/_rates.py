"""Rates as the server states them, and the bucket that keeps under them at any phase.

Paylor counts requests per API key and endpoint group (payments 60/min, channel management
120/min), and we do not know whether the server counts in fixed windows, sliding windows or a
bucket. The client therefore promises something that holds against all three: **in no window of
the configured length, closed or half-open, at any phase, does it send more than the limit**,
while the sustained rate stays close to it. Both the in-process bucket
(:mod:`paylor_async._ratelimit`) and the shared one (:mod:`paylor_async._sharedlimit`) take
their burst and rate from :func:`bucket_parameters`.

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
"""

from __future__ import annotations

import math

import attrs

__all__ = ["GROUPS", "Rate", "RateLimits", "bucket_parameters"]

GROUPS: tuple[str, ...] = ("payments", "channels")

#: Time margin for small limits: the ``limit + 1``-th request is at least this much of a window
#: later than the first.
_SMALL_LIMIT_SLACK = 0.05
#: Sustained share kept when choosing the burst.
_MIN_SHARE_TENTHS = 9


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
