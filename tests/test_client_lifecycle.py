"""Session lifecycle, configuration, with_options, and keeping the key to ourselves."""

from __future__ import annotations

import asyncio
import gc
import warnings

import aiohttp
import pytest

from paylor_async import (
    ClientClosedError,
    ConfigurationError,
    EventLoopMismatchError,
    ManualClock,
    PaylorClient,
    Rate,
    RateLimits,
)
from paylor_async._client import DEFAULT_BASE_URL
from paylor_async.testing import PaylorSimulator


def test_client_can_be_built_outside_a_loop() -> None:
    client = PaylorClient("sk_test_abcdefgh12345678")
    assert client.base_url == DEFAULT_BASE_URL
    assert client._transport.sessions._session is None  # nothing created yet
    assert not client.closed


def test_environment_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYLOR_API_KEY", "sk_env_key_0000001234")
    monkeypatch.setenv("PAYLOR_BASE_URL", "http://127.0.0.1:8080/api/v1/")
    client = PaylorClient()
    assert client._transport.api_key.reveal() == "sk_env_key_0000001234"
    assert client.base_url == "http://127.0.0.1:8080/api/v1"


def test_missing_key_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAYLOR_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="PAYLOR_API_KEY"):
        PaylorClient()


@pytest.mark.parametrize(
    "url",
    [
        "http://api.paylorke.com/api/v1",
        "http://10.0.0.5/api/v1",
        "http://localhost.evil.example/api/v1",
        "ftp://api.paylorke.com/api/v1",
        "api.paylorke.com/api/v1",
        "https://user:pw@api.paylorke.com/api/v1",
    ],
)
def test_insecure_or_odd_base_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError):
        PaylorClient("sk_test_abcdefgh12345678", base_url=url)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080/api/v1", "http://localhost:1/api/v1", "http://[::1]:80/api/v1",
     "https://api.paylorke.com/api/v1"],
)  # fmt: skip
def test_https_and_loopback_http_are_accepted(url: str) -> None:
    assert PaylorClient("sk_test_abcdefgh12345678", base_url=url).base_url == url


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), "30", True])
def test_bad_timeouts_are_refused(timeout: object) -> None:
    with pytest.raises(ConfigurationError):
        PaylorClient("sk_test_abcdefgh12345678", timeout=timeout)  # type: ignore[arg-type]


def test_timeout_forms() -> None:
    key = "sk_test_abcdefgh12345678"
    assert PaylorClient(key).timeout.total == 30.0
    assert PaylorClient(key, timeout=5).timeout.total == 5.0
    assert PaylorClient(key, timeout=None).timeout.total is None
    custom = aiohttp.ClientTimeout(total=9, connect=2)
    assert PaylorClient(key, timeout=custom).timeout is custom


def test_repr_masks_the_key() -> None:
    client = PaylorClient("sk_live_0123456789abcdefWXYZ")
    text = repr(client)
    assert "0123456789abcdef" not in text
    assert "WXYZ" in text  # the last four, to tell keys apart
    assert "sk_live_0123456789abcdefWXYZ" not in repr(client._transport.api_key)


async def test_session_is_created_lazily_and_closed(sim: PaylorSimulator) -> None:
    client = PaylorClient(sim.api_key, base_url=sim.base_url)
    assert client._transport.sessions._session is None
    await client.transactions.retrieve(
        (await client.payments.stk_push(phone="0712345678", amount=5, reference="L")).transaction_id
    )
    session = client._transport.sessions._session
    assert session is not None and not session.closed
    await client.aclose()
    assert session.closed
    assert client.closed
    await client.aclose()  # idempotent


async def test_one_session_for_all_calls_and_copies(sim: PaylorSimulator) -> None:
    async with PaylorClient(sim.api_key, base_url=sim.base_url) as client:
        await client.payments.stk_push(phone="0712345678", amount=5, reference="A")
        session = client._transport.sessions._session
        copy = client.with_options(max_retries=0, timeout=5)
        await copy.payments.stk_push(phone="0712345678", amount=5, reference="B")
        assert copy._transport.sessions._session is session
        assert copy.rate_limiter is client.rate_limiter
        assert copy.max_retries == 0 and client.max_retries == 3
        assert copy.timeout.total == 5.0 and client.timeout.total == 30.0


async def test_with_options_none_timeout_means_no_timeout() -> None:
    client = PaylorClient("sk_test_abcdefgh12345678", timeout=3)
    assert client.with_options().timeout.total == 3.0  # not given: kept
    assert client.with_options(timeout=None).timeout.total is None  # written: none


async def test_closed_client_raises_a_clear_error(sim: PaylorSimulator) -> None:
    client = PaylorClient(sim.api_key, base_url=sim.base_url)
    await client.aclose()
    with pytest.raises(ClientClosedError, match="create a new client"):
        await client.transactions.retrieve("665f4c1b9a8d2e001f2a1234")
    assert sim.requests == []


async def test_user_session_is_used_and_left_open(sim: PaylorSimulator) -> None:
    async with aiohttp.ClientSession() as session:
        async with PaylorClient(sim.api_key, base_url=sim.base_url, session=session) as client:
            await client.payments.stk_push(phone="0712345678", amount=5, reference="U")
            assert client._transport.sessions._session is session
        assert not session.closed  # theirs, not ours
        async with session.get(sim.base_url + "/merchants/payments/transactions") as resp:
            assert resp.status == 401  # still usable


async def test_user_connector_is_used_and_left_open(sim: PaylorSimulator) -> None:
    connector = aiohttp.TCPConnector(limit=3)
    try:
        async with PaylorClient(sim.api_key, base_url=sim.base_url, connector=connector) as c:
            await c.payments.stk_push(phone="0712345678", amount=5, reference="C")
            assert c._transport.sessions._session is not None
            assert c._transport.sessions._session.connector is connector
        assert not connector.closed
    finally:
        await connector.close()


def test_session_and_connector_together_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        PaylorClient(
            "sk_test_abcdefgh12345678",
            session=object(),  # type: ignore[arg-type]
            connector=object(),  # type: ignore[arg-type]
        )


def test_client_used_from_another_loop_raises_clearly() -> None:
    async def start() -> tuple[PaylorClient, PaylorSimulator]:
        sim = PaylorSimulator()
        await sim.start()
        client = PaylorClient(sim.api_key, base_url=sim.base_url)
        await client.payments.stk_push(phone="0712345678", amount=5, reference="X")
        return client, sim

    loop1 = asyncio.new_event_loop()
    loop2 = asyncio.new_event_loop()
    try:
        client, sim = loop1.run_until_complete(start())
        with pytest.raises(EventLoopMismatchError, match="one client per event loop"):
            loop2.run_until_complete(client.transactions.retrieve("665f4c1b9a8d2e001f2a1234"))
        loop1.run_until_complete(client.aclose())
        loop1.run_until_complete(sim.close())
    finally:
        loop1.close()
        loop2.close()


async def test_forgotten_client_warns_nothing_when_closed_properly(sim: PaylorSimulator) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with PaylorClient(sim.api_key, base_url=sim.base_url) as client:
            await client.payments.stk_push(phone="0712345678", amount=5, reference="W")
        del client
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


def test_rate_limits_none_turns_limiting_off() -> None:
    from paylor_async import LocalRateLimiter
    from paylor_async._ratelimit import UnlimitedRateLimiter

    assert isinstance(
        PaylorClient("sk_test_abcdefgh12345678", rate_limits=None).rate_limiter,
        UnlimitedRateLimiter,
    )
    limited = PaylorClient(
        "sk_test_abcdefgh12345678", rate_limits=RateLimits(payments=Rate(limit=10, window=1.0))
    )
    assert isinstance(limited.rate_limiter, LocalRateLimiter)


async def test_aclose_wakes_callers_queued_in_the_limiter(sim: PaylorSimulator) -> None:
    clock = ManualClock()  # never advanced: a queued caller would wait forever
    client = PaylorClient(
        sim.api_key,
        base_url=sim.base_url,
        rate_limits=RateLimits(payments=Rate(limit=2, window=60.0)),
        clock=clock,
    )
    await client.payments.stk_push(phone="0712345678", amount=5, reference="R-0")
    queued = [
        asyncio.create_task(
            client.payments.stk_push(phone="0712345678", amount=5, reference=f"R-{n}")
        )
        for n in range(1, 4)
    ]
    await asyncio.sleep(0.01)
    assert not any(task.done() for task in queued)  # waiting for tokens
    await client.aclose()
    async with asyncio.timeout(2):
        results = await asyncio.gather(*queued, return_exceptions=True)
    assert all(isinstance(r, ClientClosedError) for r in results)
    assert len(sim.requests_for("stk_push")) == 1  # none of them went out
    bucket = client.rate_limiter.bucket("payments")  # type: ignore[attr-defined]
    assert bucket.waiting == 0
    assert clock.pending_timers == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_response_bytes": None},
        {"max_response_bytes": -5},
        {"max_response_bytes": True},
        {"rate_limits": "x"},
        {"retry_policy": "x"},
        {"rate_limiter": object()},
        {"base_url": 123},
        {"session": "not a session"},
        {"connector": 5},
    ],
)
def test_bad_constructor_arguments_are_configuration_errors(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError) as caught:
        PaylorClient("pk_test_secret_key_1234", **kwargs)  # type: ignore[arg-type]
    assert "pk_test_secret_key_1234" not in str(caught.value)
