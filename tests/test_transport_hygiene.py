"""Transport hygiene: TLS on by default, no redirects, size caps, trickling servers,
cancellation returning connections, nothing left running after ``aclose()``."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
import trustme
from aiohttp import web

from paylor_async import APIConnectionError, APIError, APITimeoutError, PaylorClient
from paylor_async.testing import Fault, PaylorSimulator

TX_ID = "665f4c1b9a8d2e001f2a1234"
TX = {"id": TX_ID, "status": "COMPLETED", "amount": 10}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Server:
    """A real aiohttp server on loopback whose answer each test chooses."""

    def __init__(self, handler: Handler, ssl_context: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.ssl_context = ssl_context
        self.hits: list[str] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.hits.append(f"{request.method} {request.path}")
        return await self.handler(request)

    async def __aenter__(self) -> Server:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.ssl_context)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://127.0.0.1:{self.port}/api/v1"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


async def _ok(_: web.Request) -> web.StreamResponse:
    return web.json_response(TX)


@pytest.fixture
async def tls_server(ca: trustme.CA) -> AsyncIterator[Server]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    async with Server(_ok, context) as server:
        yield server


async def test_tls_certificates_are_verified_by_default(tls_server: Server) -> None:
    async with PaylorClient("pk_test_key_0001", base_url=tls_server.base_url) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.transactions.retrieve(TX_ID)
    assert "TLS" in str(caught.value) or "certificate" in str(caught.value).lower()
    assert tls_server.hits == []  # the handshake failed: nothing was sent
    # ... and a TLS failure is not retried (it cannot get better).


async def test_a_users_ssl_context_is_honoured(tls_server: Server, ca: trustme.CA) -> None:
    trusted = ssl.create_default_context()
    ca.configure_trust(trusted)
    connector = aiohttp.TCPConnector(ssl=trusted)
    try:
        async with PaylorClient(
            "pk_test_key_0001", base_url=tls_server.base_url, connector=connector
        ) as client:
            tx = await client.transactions.retrieve(TX_ID)
        assert tx.id == TX_ID
        assert tls_server.hits == [f"GET /api/v1/merchants/payments/transactions/{TX_ID}"]
    finally:
        await connector.close()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_redirects_are_not_followed(status: int) -> None:
    async def redirect(request: web.Request) -> web.StreamResponse:
        if request.path.endswith("/elsewhere"):
            return web.json_response({"transactionId": TX_ID, "status": "SENT"}, status=201)
        return web.Response(status=status, headers={"Location": "/api/v1/elsewhere"})

    async with (
        Server(redirect) as server,
        PaylorClient("pk_test_key_0001", base_url=server.base_url) as client,
    ):
        with pytest.raises(APIError) as caught:
            await client.payments.stk_push(phone="0712345678", amount=5, reference="R")
    assert caught.value.status == status
    assert caught.value.idempotency_key is not None
    assert server.hits == ["POST /api/v1/merchants/payments/stk-push"]  # never the target


async def test_a_response_over_the_size_cap_is_refused() -> None:
    big = b'{"id": "' + b"x" * (5 * 1024 * 1024) + b'"}'

    async def huge(_: web.Request) -> web.StreamResponse:
        return web.Response(body=big, content_type="application/json")

    async with (
        Server(huge) as server,
        PaylorClient("pk_test_key_0001", base_url=server.base_url) as client,
    ):
        with pytest.raises(APIError) as caught:
            await client.transactions.retrieve(TX_ID)
    assert "larger than" in str(caught.value)
    assert len(str(caught.value)) < 500


async def test_a_trickling_server_hits_the_timeout() -> None:
    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.content_length = 10_000
        await response.prepare(request)
        for _ in range(10_000):
            await response.write(b" ")
            await asyncio.sleep(0.02)
        return response

    async with (
        Server(trickle) as server,
        PaylorClient(
            "pk_test_key_0001", base_url=server.base_url, timeout=0.3, max_retries=0
        ) as client,
    ):
        with pytest.raises(APITimeoutError):
            await client.transactions.retrieve(TX_ID)


async def test_cancelling_a_call_returns_its_connection(sim: PaylorSimulator) -> None:
    connector = aiohttp.TCPConnector(limit=1)  # one connection: a leak would block the next
    try:
        async with PaylorClient(
            sim.api_key, base_url=sim.base_url, connector=connector, rate_limits=None
        ) as client:
            sim.faults.inject(Fault.DELAY, path="/merchants/payments/stk-push", delay=30)
            call = asyncio.create_task(
                client.payments.stk_push(phone="0712345678", amount=5, reference="R")
            )
            async with asyncio.timeout(5):
                while not sim.requests:
                    await asyncio.sleep(0.005)
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
            async with asyncio.timeout(5):  # would hang on a leaked connection
                push = await client.payments.stk_push(phone="0712345678", amount=5, reference="S")
            assert push.transaction_id
    finally:
        await connector.close()


async def test_no_task_is_left_after_aclose(sim: PaylorSimulator) -> None:
    before = asyncio.all_tasks()
    client = PaylorClient(sim.api_key, base_url=sim.base_url)
    push = await client.payments.stk_push(phone="0712345678", amount=5, reference="R")
    await client.transactions.retrieve(push.transaction_id)
    await client.aclose()
    await asyncio.sleep(0)
    assert asyncio.all_tasks() - before == set()
    assert client.closed
