"""The three framework adapters, each through its framework's real request path.

One table of requests, run against aiohttp (a test server on loopback), Starlette and FastAPI
(httpx through the ASGI app) and Django (its test Client; sync and async views). Each must
answer 200 / 401 / 400 / duplicate-200 the same way and call the user's code exactly when it
should.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from paylor_async.webhooks import (
    InMemoryDedupe,
    PaymentEvent,
    WebhookEvent,
    WebhookVerifier,
    compute_signature,
)

SECRET = "whsec_adapter_current_5d1e"
WRONG_SECRET = "whsec_not_the_right_one_9f"
BODY = (
    b'{"event": "payment.success", "transaction": {"id": "665f4c1b9a8d2e001f2a1234", '
    b'"reference": "ORDER-12345", "internalReference": "PAYL-ROUTE-REF", "amount": 1000, '
    b'"status": "COMPLETED", "providerRef": "ws_CO_1", "metadata": {"mpesaReceipt": '
    b'"RFL8S2K9P0", "callbackResultCode": 0, "callbackResultDesc": "ok"}}}'
)
SIG = compute_signature(BODY, SECRET)
RESERIALISED = json.dumps(json.loads(BODY), separators=(",", ":")).encode()
NOT_UTF8 = b'{"event": "payment.success", "x": "\xff\xfe"}'
NOT_JSON = b"event=payment.success&id=1"

Headers = dict[str, str | bytes]
Post = Callable[[bytes, Headers], Awaitable[tuple[int, Any]]]


@dataclass
class Receiver:
    """The user's code: records events; fails ``fail_times`` times first when asked."""

    calls: list[WebhookEvent] = field(default_factory=list)
    fail_times: int = 0

    def handle(self, event: WebhookEvent) -> None:
        if self.fail_times:
            self.fail_times -= 1
            raise RuntimeError("the order database is down")
        self.calls.append(event)

    async def handle_async(self, event: WebhookEvent) -> None:
        await asyncio.sleep(0)
        self.handle(event)


def make_verifier() -> WebhookVerifier:
    return WebhookVerifier(secrets=[SECRET, "whsec_previous_0a"], dedupe=InMemoryDedupe())


@asynccontextmanager
async def aiohttp_adapter(receiver: Receiver) -> AsyncIterator[Post]:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from paylor_async.webhooks.aiohttp import webhook_handler

    # The default header limit (8 KB) refuses the 200 KB header before any handler runs;
    # raise it so the hostile header reaches the verifier (see the test below for defaults).
    app = web.Application(handler_args={"max_field_size": 300_000})
    app.router.add_post("/hook", webhook_handler(make_verifier(), receiver.handle_async))
    async with TestClient(TestServer(app)) as http:

        async def post(body: bytes, headers: Headers) -> tuple[int, Any]:
            sent = {
                k: v.decode("latin-1") if isinstance(v, bytes) else v for k, v in headers.items()
            }
            async with http.post("/hook", data=body, headers=sent) as resp:
                text = await resp.text()
            try:
                return resp.status, json.loads(text)
            except ValueError:
                return resp.status, text

        yield post


@asynccontextmanager
async def asgi_client(app: Any) -> AsyncIterator[Post]:
    import httpx

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:

        async def post(body: bytes, headers: Headers) -> tuple[int, Any]:
            sent = {k: v.encode() if isinstance(v, str) else v for k, v in headers.items()}
            resp = await http.post("/hook", content=body, headers=sent)
            try:
                return resp.status_code, resp.json()
            except ValueError:
                return resp.status_code, resp.text

        yield post


def starlette_adapter(receiver: Receiver) -> AbstractAsyncContextManager[Post]:
    from starlette.applications import Starlette
    from starlette.routing import Route

    from paylor_async.webhooks.starlette import webhook_endpoint

    endpoint = webhook_endpoint(make_verifier(), receiver.handle)  # a sync on_event
    return asgi_client(Starlette(routes=[Route("/hook", endpoint, methods=["POST"])]))


def fastapi_adapter(receiver: Receiver) -> AbstractAsyncContextManager[Post]:
    from fastapi import Depends, FastAPI

    from paylor_async.webhooks.starlette import PaylorWebhook

    app = FastAPI()
    dependency = PaylorWebhook(make_verifier())

    @app.post("/hook")
    async def hook(event: WebhookEvent = Depends(dependency)) -> dict[str, bool]:  # noqa: B008
        await receiver.handle_async(event)
        return {"received": True}

    return asgi_client(app)


def configure_django() -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="tests-only",
            ALLOWED_HOSTS=["testserver"],
            INSTALLED_APPS=[],
            DATABASES={},
            MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"],
            ROOT_URLCONF="tests.test_webhook_adapters",
            LOGGING_CONFIG=None,
        )
        django.setup()


urlpatterns: list[Any] = []  # ROOT_URLCONF placeholder; each test overrides it


class UrlConf:
    """A hashable URLconf object for ``override_settings(ROOT_URLCONF=...)``."""

    def __init__(self, patterns: list[Any]) -> None:
        self.urlpatterns = patterns


@asynccontextmanager
async def django_adapter(receiver: Receiver, *, use_async: bool) -> AsyncIterator[Post]:
    configure_django()
    from django.test import Client, override_settings
    from django.urls import path

    from paylor_async.webhooks.django import webhook_view

    verifier = make_verifier()
    if use_async:

        @webhook_view(verifier)
        async def view(request: Any, event: WebhookEvent) -> None:
            await receiver.handle_async(event)
    else:

        @webhook_view(verifier)
        def view(request: Any, event: WebhookEvent) -> None:
            receiver.handle(event)

    urls = UrlConf([path("hook", view)])
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)

    def post_blocking(body: bytes, headers: Headers) -> tuple[int, Any]:
        sent = {k: v.decode("latin-1") if isinstance(v, bytes) else v for k, v in headers.items()}
        with override_settings(ROOT_URLCONF=urls):
            resp = client.post("/hook", data=body, content_type="application/json", headers=sent)
        try:
            return resp.status_code, json.loads(resp.content)
        except ValueError:
            return resp.status_code, resp.content

    async def post(body: bytes, headers: Headers) -> tuple[int, Any]:
        # Django's sync client drives async_to_sync: run it off the event loop's thread.
        return await asyncio.to_thread(post_blocking, body, headers)

    yield post


ADAPTERS: dict[str, Callable[[Receiver], AbstractAsyncContextManager[Post]]] = {
    "aiohttp": aiohttp_adapter,
    "starlette": starlette_adapter,
    "fastapi": fastapi_adapter,
    "django-sync": lambda r: django_adapter(r, use_async=False),
    "django-async": lambda r: django_adapter(r, use_async=True),
}

RECEIVED = {"received": True}
# (case, body, headers, expected status, the user's code runs)
CASES: list[tuple[str, bytes, Headers, int, bool]] = [
    ("valid", BODY, {"X-Webhook-Signature": SIG}, 200, True),
    ("valid-lowercase-name", BODY, {"x-webhook-signature": SIG.upper()}, 200, True),
    ("forged", BODY, {"X-Webhook-Signature": compute_signature(BODY, WRONG_SECRET)}, 401, False),
    ("missing-header", BODY, {}, 401, False),
    ("empty-header", BODY, {"X-Webhook-Signature": ""}, 401, False),
    ("non-ascii-header", BODY, {"X-Webhook-Signature": "é".encode() * 32}, 401, False),
    ("200kb-header", BODY, {"X-Webhook-Signature": "a" * 200_000}, 401, False),
    ("reserialised-body", RESERIALISED, {"X-Webhook-Signature": SIG}, 401, False),
    ("non-utf8-unsigned", NOT_UTF8, {"X-Webhook-Signature": SIG}, 401, False),
    (
        "non-utf8-signed",
        NOT_UTF8,
        {"X-Webhook-Signature": compute_signature(NOT_UTF8, SECRET)},
        400,
        False,
    ),
    (
        "not-json-signed",
        NOT_JSON,
        {"X-Webhook-Signature": compute_signature(NOT_JSON, SECRET)},
        400,
        False,
    ),
]


@pytest.mark.parametrize("adapter", list(ADAPTERS))
@pytest.mark.parametrize(
    ("body", "headers", "status", "handled"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
async def test_answers(
    adapter: str, body: bytes, headers: Headers, status: int, handled: bool
) -> None:
    receiver = Receiver()
    async with ADAPTERS[adapter](receiver) as post:
        got_status, answer = await post(body, headers)
    assert got_status == status
    if status == 200:
        assert answer == RECEIVED
    elif adapter == "fastapi":
        assert answer == {"detail": "invalid_signature" if status == 401 else "invalid_payload"}
    else:
        assert answer == {"error": "invalid_signature" if status == 401 else "invalid_payload"}
    assert len(receiver.calls) == (1 if handled else 0)
    if handled:
        event = receiver.calls[0]
        assert isinstance(event, PaymentEvent)
        assert event.transaction_id == "665f4c1b9a8d2e001f2a1234"
    # Nothing the sender controls or the secret is echoed back.
    text = json.dumps(answer) if not isinstance(answer, str | bytes) else str(answer)
    assert SECRET not in text
    assert SIG not in text and SIG.upper() not in text
    assert "ORDER-12345" not in text


@pytest.mark.parametrize("adapter", list(ADAPTERS))
async def test_duplicate_is_answered_200_without_running_user_code(adapter: str) -> None:
    receiver = Receiver()
    async with ADAPTERS[adapter](receiver) as post:
        first = await post(BODY, {"X-Webhook-Signature": SIG})
        second = await post(BODY, {"X-Webhook-Signature": SIG})
    assert first == (200, RECEIVED)
    assert second[0] == 200
    expected = (
        {"detail": "duplicate event"}
        if adapter == "fastapi"
        else {
            "received": True,
            "duplicate": True,
        }
    )
    assert second[1] == expected
    assert len(receiver.calls) == 1


@pytest.mark.parametrize("adapter", list(ADAPTERS))
async def test_user_code_failing_answers_500_and_the_retry_is_processed(adapter: str) -> None:
    receiver = Receiver(fail_times=1)
    async with ADAPTERS[adapter](receiver) as post:
        failed = await post(BODY, {"X-Webhook-Signature": SIG})
        retried = await post(BODY, {"X-Webhook-Signature": SIG})
        again = await post(BODY, {"X-Webhook-Signature": SIG})
    assert failed[0] == 500
    assert SECRET not in str(failed[1])
    assert retried == (200, RECEIVED)
    assert again[0] == 200 and again[1] != RECEIVED  # the duplicate answer
    assert len(receiver.calls) == 1


async def test_aiohttp_default_header_limit_refuses_a_200kb_header_without_a_500() -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from paylor_async.webhooks.aiohttp import webhook_handler

    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hook", webhook_handler(make_verifier(), receiver.handle))
    async with (
        TestClient(TestServer(app)) as http,
        http.post("/hook", data=BODY, headers={"X-Webhook-Signature": "a" * 200_000}) as resp,
    ):
        status = resp.status
    assert 400 <= status < 500
    assert receiver.calls == []


async def test_django_refuses_get_with_405() -> None:
    receiver = Receiver()
    configure_django()
    from django.test import Client, override_settings
    from django.urls import path

    from paylor_async.webhooks.django import webhook_view

    view = webhook_view(make_verifier())(lambda request, event: receiver.handle(event))
    urls = UrlConf([path("hook", view)])

    def get() -> int:
        with override_settings(ROOT_URLCONF=urls):
            return Client().get("/hook").status_code

    assert await asyncio.to_thread(get) == 405
    assert receiver.calls == []
