"""The retry maths as tables: pure functions, no I/O, no clock."""

from __future__ import annotations

import pytest

from paylor_async._retry import (
    Failure,
    RetryPolicy,
    parse_rate_limit_reset,
    parse_retry_after,
    retry_delay,
    should_retry,
)

NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z


def exact(value: float) -> float:
    return value


POLICY = RetryPolicy(max_retries=3, initial_delay=0.5, max_delay=8.0, jitter=exact)


@pytest.mark.parametrize(
    ("status", "idempotent", "expected"),
    [
        (400, True, False),
        (401, True, False),
        (402, True, False),
        (403, True, False),
        (404, True, False),
        (409, True, False),
        (422, True, False),
        (408, True, True),
        (429, True, True),
        (500, True, True),
        (502, True, True),
        (503, True, True),
        (504, True, True),
        (501, True, False),
        (500, False, False),
        (429, False, False),
    ],
)
def test_should_retry_by_status(status: int, idempotent: bool, expected: bool) -> None:
    assert (
        should_retry(retries_done=0, policy=POLICY, status=status, idempotent=idempotent)
        is expected
    )


@pytest.mark.parametrize(
    ("failure", "idempotent", "expected"),
    [
        (Failure.CONNECT, False, True),  # never reached the server: always safe
        (Failure.CONNECT, True, True),
        (Failure.DISCONNECT, True, True),
        (Failure.DISCONNECT, False, False),  # may have been processed: only with a key
        (Failure.TIMEOUT, True, True),
        (Failure.TIMEOUT, False, False),
    ],
)
def test_should_retry_by_failure(failure: Failure, idempotent: bool, expected: bool) -> None:
    assert (
        should_retry(retries_done=0, policy=POLICY, failure=failure, idempotent=idempotent)
        is expected
    )


@pytest.mark.parametrize(("done", "expected"), [(0, True), (2, True), (3, False), (7, False)])
def test_should_retry_stops_at_max_retries(done: int, expected: bool) -> None:
    assert should_retry(retries_done=done, policy=POLICY, status=503, idempotent=True) is expected


def test_zero_retries_never_retries() -> None:
    policy = RetryPolicy(max_retries=0)
    assert not should_retry(retries_done=0, policy=policy, failure=Failure.CONNECT, idempotent=True)


@pytest.mark.parametrize(
    ("retry", "expected"), [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (6, 8.0), (30, 8.0)]
)
def test_backoff_is_exponential_and_capped(retry: int, expected: float) -> None:
    assert POLICY.backoff_delay(retry) == pytest.approx(expected)


def test_full_jitter_stays_within_zero_and_the_cap() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=8.0)  # default: full jitter
    delays = [policy.backoff_delay(4) for _ in range(500)]
    assert all(0.0 <= d <= 4.0 for d in delays)
    assert len({round(d, 6) for d in delays}) > 100  # really random, not a constant


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("2", 2.0),
        (" 1.5 ", 1.5),
        ("0", 0.0),
        ("-3", 0.0),
        ("soon", None),
        ("nan", None),
        ("inf", None),
        ("Fri, 15 Jan 2027 08:00:30 GMT", 30.0),
        ("Fri, 15 Jan 2027 07:59:00 GMT", 0.0),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("2027-01-15T08:00:05.000Z", 5.0),
        ("2027-01-15T08:00:05Z", 5.0),
        ("2027-01-15T11:00:07+03:00", 7.0),
        ("2027-01-15T08:00:05", 5.0),  # naive: read as UTC
        ("2027-01-15T07:00:00Z", 0.0),  # in the past: no wait
        ("1800000009", 9.0),  # epoch seconds
        ("12", 12.0),  # seconds from now
        ("garbage", None),
    ],
)
def test_parse_rate_limit_reset(value: str | None, expected: float | None) -> None:
    assert parse_rate_limit_reset(value, NOW) == (
        None if expected is None else pytest.approx(expected)
    )


@pytest.mark.parametrize(
    ("status", "headers", "retry", "expected"),
    [
        (503, {"Retry-After": "3"}, 1, 3.0),
        (429, {"X-RateLimit-Reset": "2027-01-15T08:00:04Z"}, 1, 4.0),
        (429, {"Retry-After": "2", "X-RateLimit-Reset": "2027-01-15T08:00:09Z"}, 1, 2.0),
        (429, {"Retry-After": "600"}, 1, 60.0),  # capped at max_server_delay
        (429, {"Retry-After": "0"}, 2, 1.0),  # a zero wait on a 429 still backs off
        (503, {"Retry-After": "0"}, 2, 0.0),
        (500, {}, 1, 0.5),
        (500, {}, 3, 2.0),
        (502, {"Retry-After": "garbage"}, 2, 1.0),
        (400, {"Retry-After": "5"}, 1, 0.5),  # not a retryable status: header ignored
        # A reset header on a 500 is no reason to wait for it, unless the limit is spent.
        (500, {"X-RateLimit-Reset": "2027-01-15T08:00:40Z", "X-RateLimit-Remaining": "58"}, 1, 0.5),
        (503, {"X-RateLimit-Reset": "2027-01-15T08:00:40Z", "X-RateLimit-Remaining": "0"}, 1, 40.0),
    ],
)
def test_retry_delay(status: int, headers: dict[str, str], retry: int, expected: float) -> None:
    got = retry_delay(retry=retry, policy=POLICY, status=status, headers=headers, now=NOW)
    assert got == pytest.approx(expected)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_retries": -1},
        {"max_retries": True},
        {"initial_delay": -1.0},
        {"max_delay": float("nan")},
    ],
)
def test_policy_refuses_nonsense(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
