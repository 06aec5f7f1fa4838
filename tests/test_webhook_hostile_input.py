"""Hostile numbers and bodies: nothing a sender controls gives a 500, a traceback or a CPU burn.

Numbers: a malformed or enormous ``callbackResultCode`` becomes ``None`` (an EARLY field; the
value stays in ``metadata``); an absurd amount is an InvalidPayloadError. Bodies: bad
``Content-Encoding`` and disconnects answer 400, bodies over ``max_body_bytes`` answer 413,
through each framework's real request path.
"""

from __future__ import annotations

import asyncio
import gzip
import io
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from paylor_async.webhooks import (
    InvalidPayloadError,
    PaymentEvent,
    WebhookEvent,
    WebhookVerifier,
    compute_signature,
    parse_event,
)
from paylor_async.webhooks._cli import describe
from tests.test_webhook_adapters import BODY, SECRET, SIG, UrlConf, configure_django
from tests.test_webhook_cli import SECRET as CLI_SECRET
from tests.test_webhook_cli import run


def with_code(code: str) -> bytes:
    return (
        b'{"event": "payment.failed", "transaction": {"id": "tx-9", "amount": 10, '
        b'"status": "FAILED", "metadata": {"callbackResultCode": ' + code.encode() + b"}}}"
    )


def with_amount(amount: str) -> bytes:
    return (
        b'{"event": "payment.success", "transaction": {"id": "tx-9", "amount": '
        + amount.encode()
        + b', "status": "COMPLETED"}}'
    )


@pytest.mark.parametrize(
    "code",
    [
        '"--1032"',
        '"-"',
        '"1-2"',
        '"1e3"',
        '"+5"',
        '"\u0661"',
        "1E+1000000",
        "1E+5000",
        "-1E+13",
        "1000000000000",
        "1.5",
        '"99999999999999"',
    ],
)
def test_a_malformed_or_huge_result_code_becomes_none(code: str) -> None:
    event = parse_event(with_code(code))
    assert isinstance(event, PaymentEvent)
    assert event.result_code is None
    assert event.transaction.metadata["callbackResultCode"] is not None  # kept, raw
    assert "result_code=None" in repr(event)
    json.dumps(describe(event), default=str)  # what the CLI prints


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("1032", 1032),
        ('"1032"', 1032),
        ('"-1"', -1),
        ("0", 0),
        ("1.0E+3", 1000),
        ('" 17 "', 17),
        ("999999999999", 999_999_999_999),
        ("-999999999999", -999_999_999_999),
    ],
)
def test_well_formed_result_codes_are_read(code: str, expected: int) -> None:
    event = parse_event(with_code(code))
    assert isinstance(event, PaymentEvent) and event.result_code == expected


@pytest.mark.parametrize(
    "amount",
    [
        "1E+1000000",
        "-1E+1000000",
        "1000000000000000",
        "1E+15",
        "0E-1000000",
        "1E-31",
        "100000000000000000000000000000000000000",
    ],
)
def test_absurd_amounts_are_refused(amount: str) -> None:
    with pytest.raises(InvalidPayloadError, match="amount"):
        parse_event(with_amount(amount))


@pytest.mark.parametrize("amount", ["999999999999999.99", "0.000001", "1E+3", "0", "12.50"])
def test_plausible_amounts_are_kept_exactly(amount: str) -> None:
    event = parse_event(with_amount(amount))
    assert isinstance(event, PaymentEvent) and event.amount == Decimal(amount)
    assert f"{event.amount:f}"  # formatting stays cheap


def test_a_huge_int_in_a_parsed_mapping_is_refused_not_a_value_error() -> None:
    body = {
        "event": "payment.success",
        "transaction": {"id": 10**5000, "amount": 1, "status": "COMPLETED"},
    }
    with pytest.raises(InvalidPayloadError, match=r"transaction\.id"):
        parse_event(body)
    body["transaction"] = {"id": "tx", "reference": 10**5000, "amount": 1, "status": "X"}
    with pytest.raises(InvalidPayloadError, match="reference"):
        parse_event(body)


def test_cli_verify_reports_a_malformed_result_code_without_a_traceback(tmp_path: Any) -> None:
    body = with_code('"--1032"')
    path = tmp_path / "body.json"
    path.write_bytes(body)
    proc = run("verify", "--signature", compute_signature(body, CLI_SECRET), str(path))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["transaction"]["result_code"] is None


# ---- through the adapters -------------------------------------------------------------


async def aiohttp_post(
    body: bytes, headers: dict[str, str], *, calls: list[WebhookEvent], **options: Any
) -> tuple[int, Any]:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from paylor_async.webhooks.aiohttp import webhook_handler

    app = web.Application()
    app.router.add_post("/hook", webhook_handler(WebhookVerifier(SECRET), calls.append, **options))
    async with (
        TestClient(TestServer(app)) as http,
        http.post("/hook", data=body, headers=headers) as resp,
    ):
        return resp.status, await resp.json(content_type=None)


async def test_aiohttp_answers_200_for_a_malformed_result_code() -> None:
    calls: list[WebhookEvent] = []
    body = with_code('"--1032"')
    status, answer = await aiohttp_post(
        body, {"X-Webhook-Signature": compute_signature(body, SECRET)}, calls=calls
    )
    assert (status, answer) == (200, {"received": True})
    assert isinstance(calls[0], PaymentEvent) and calls[0].result_code is None


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_aiohttp_bad_content_encoding_answers_400(encoding: str) -> None:
    calls: list[WebhookEvent] = []
    status, answer = await aiohttp_post(
        b"this is not compressed", {"Content-Encoding": encoding}, calls=calls
    )
    assert (status, answer) == (400, {"error": "unreadable_body"})
    assert calls == []


async def test_aiohttp_good_gzip_is_decoded_and_verified() -> None:
    calls: list[WebhookEvent] = []
    headers = {"Content-Encoding": "gzip", "X-Webhook-Signature": SIG}
    status, _ = await aiohttp_post(gzip.compress(BODY), headers, calls=calls)
    assert status == 200 and len(calls) == 1


async def test_aiohttp_body_over_max_body_bytes_answers_413() -> None:
    calls: list[WebhookEvent] = []
    status, answer = await aiohttp_post(
        BODY, {"X-Webhook-Signature": SIG}, calls=calls, max_body_bytes=len(BODY) - 1
    )
    assert (status, answer) == (413, {"error": "payload_too_large"})
    # gzip hides the size until decoded: the limit counts decoded bytes.
    bomb = gzip.compress(b" " * 3_000_000)
    status, answer = await aiohttp_post(bomb, {"Content-Encoding": "gzip"}, calls=calls)
    assert (status, answer) == (413, {"error": "payload_too_large"})
    assert calls == []


async def asgi_post(app: Any, content: Any, headers: dict[str, str]) -> tuple[int, Any]:
    import httpx

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        resp = await http.post("/hook", content=content, headers=headers)
    return resp.status_code, resp.json()


def starlette_app(calls: list[WebhookEvent], **options: Any) -> Any:
    from starlette.applications import Starlette
    from starlette.routing import Route

    from paylor_async.webhooks.starlette import webhook_endpoint

    endpoint = webhook_endpoint(WebhookVerifier(SECRET), calls.append, **options)
    return Starlette(routes=[Route("/hook", endpoint, methods=["POST"])])


def fastapi_app(calls: list[WebhookEvent], **options: Any) -> Any:
    from fastapi import Depends, FastAPI

    from paylor_async.webhooks.starlette import PaylorWebhook

    app = FastAPI()
    dependency = PaylorWebhook(WebhookVerifier(SECRET), **options)

    @app.post("/hook")
    async def hook(event: WebhookEvent = Depends(dependency)) -> dict[str, bool]:  # noqa: B008
        calls.append(event)
        return {"received": True}

    return app


async def chunks(total: int) -> AsyncIterator[bytes]:
    for _ in range(total // 1000):
        yield b"x" * 1000


@pytest.mark.parametrize("framework", ["starlette", "fastapi"])
async def test_asgi_bodies_over_max_body_bytes_answer_413(framework: str) -> None:
    calls: list[WebhookEvent] = []
    make = starlette_app if framework == "starlette" else fastapi_app
    error = "detail" if framework == "fastapi" else "error"
    big = b"x" * (1024 * 1024 + 1)  # the default limit, by Content-Length
    assert await asgi_post(make(calls), big, {"X-Webhook-Signature": SIG}) == (
        413,
        {error: "payload_too_large"},
    )
    # Chunked, no Content-Length: cut off while streaming.
    small = make(calls, max_body_bytes=5000)
    assert await asgi_post(small, chunks(20_000), {"X-Webhook-Signature": SIG}) == (
        413,
        {error: "payload_too_large"},
    )
    assert await asgi_post(small, BODY, {"X-Webhook-Signature": SIG}) == (200, {"received": True})
    assert len(calls) == 1


@pytest.mark.parametrize("framework", ["starlette", "fastapi"])
async def test_asgi_client_disconnect_answers_400_not_500(framework: str) -> None:
    calls: list[WebhookEvent] = []
    app = (starlette_app if framework == "starlette" else fastapi_app)(calls)
    messages = iter(
        [
            {"type": "http.request", "body": BODY[:20], "more_body": True},
            {"type": "http.disconnect"},
        ]
    )
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return next(messages)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/hook",
        "raw_path": b"/hook",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"x-webhook-signature", SIG.encode())],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 400
    assert calls == []


def django_view(calls: list[WebhookEvent]) -> Any:
    configure_django()
    from paylor_async.webhooks.django import webhook_view

    @webhook_view(WebhookVerifier(SECRET))
    def view(request: Any, event: WebhookEvent) -> None:
        calls.append(event)

    return view


async def test_django_body_over_data_upload_max_memory_size_answers_413() -> None:
    calls: list[WebhookEvent] = []
    view = django_view(calls)
    from django.test import Client, override_settings
    from django.urls import path

    def post() -> tuple[int, Any]:
        urls = UrlConf([path("hook", view)])
        with override_settings(ROOT_URLCONF=urls, DATA_UPLOAD_MAX_MEMORY_SIZE=100):
            resp = Client().post(
                "/hook",
                data=BODY,
                content_type="application/json",
                headers={"X-Webhook-Signature": SIG},
            )
        return resp.status_code, json.loads(resp.content)

    assert await asyncio.to_thread(post) == (413, {"error": "payload_too_large"})
    assert calls == []


def test_django_unreadable_body_answers_400() -> None:
    calls: list[WebhookEvent] = []
    view = django_view(calls)
    from django.test import RequestFactory

    class Broken(io.RawIOBase):
        def read(self, size: int = -1) -> bytes:
            raise OSError("connection reset by peer")

    request = RequestFactory().post(
        "/hook", data=BODY, content_type="application/json", HTTP_X_WEBHOOK_SIGNATURE=SIG
    )
    request._stream = Broken()  # the client goes away mid-body
    response = view(request)
    assert (response.status_code, json.loads(response.content)) == (
        400,
        {"error": "unreadable_body"},
    )
    assert calls == []


async def test_aiohttp_body_read_by_a_middleware_first_is_still_verified() -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from paylor_async.webhooks.aiohttp import webhook_handler

    @web.middleware
    async def reads_first(request: web.Request, handler: Any) -> web.StreamResponse:
        await request.read()  # e.g. a logging middleware
        return await handler(request)  # type: ignore[no-any-return]

    calls: list[WebhookEvent] = []
    app = web.Application(middlewares=[reads_first])
    app.router.add_post("/hook", webhook_handler(WebhookVerifier(SECRET), calls.append))
    async with (
        TestClient(TestServer(app)) as http,
        http.post("/hook", data=BODY, headers={"X-Webhook-Signature": SIG}) as resp,
    ):
        assert resp.status == 200
    assert len(calls) == 1
