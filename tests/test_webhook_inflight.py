"""Dedupe in three states through every adapter: in progress (409), done (200), released.

A redelivery arriving while the first attempt still runs must not be answered 200 (if the
first attempt then fails, nothing would redeliver): it gets 409 and the sender retries. Each
adapter is driven through its framework's real request path, two requests at once.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest

from paylor_async.webhooks import InMemoryDedupe, WebhookEvent, WebhookVerifier
from tests.test_webhook_adapters import (
    BODY,
    SECRET,
    SIG,
    Headers,
    Post,
    UrlConf,
    asgi_client,
    configure_django,
)

HEADERS: Headers = {"X-Webhook-Signature": SIG}
RECEIVED = {"received": True}


class Gate:
    """The user's code: the first call waits to be let go, then fails (or not)."""

    def __init__(self, *, first_fails: bool) -> None:
        self.entered = threading.Event()
        self.proceed = threading.Event()
        self.first_fails = first_fails
        self.calls: list[WebhookEvent] = []
        self._first = True

    def _after_wait(self, event: WebhookEvent) -> None:
        first, self._first = self._first, False
        if first and self.first_fails:
            raise RuntimeError("the order database went away")
        self.calls.append(event)

    def handle_blocking(self, event: WebhookEvent) -> None:  # a sync Django view (a thread)
        if self._first:
            self.entered.set()
            assert self.proceed.wait(30)
        self._after_wait(event)

    async def handle_async(self, event: WebhookEvent) -> None:
        if self._first:
            self.entered.set()
            while not self.proceed.is_set():
                await asyncio.sleep(0.005)
        self._after_wait(event)


def as_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text  # a framework's own 500 page


def verifier() -> WebhookVerifier:
    return WebhookVerifier(secrets=[SECRET], dedupe=InMemoryDedupe())


@asynccontextmanager
async def aiohttp_app(gate: Gate) -> AsyncIterator[Post]:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from paylor_async.webhooks.aiohttp import webhook_handler

    app = web.Application()
    app.router.add_post("/hook", webhook_handler(verifier(), gate.handle_async))
    async with TestClient(TestServer(app)) as http:

        async def post(body: bytes, headers: Headers) -> tuple[int, Any]:
            async with http.post("/hook", data=body, headers=headers) as resp:
                return resp.status, as_json(await resp.text())

        yield post


def starlette_app(gate: Gate) -> AbstractAsyncContextManager[Post]:
    from starlette.applications import Starlette
    from starlette.routing import Route

    from paylor_async.webhooks.starlette import webhook_endpoint

    endpoint = webhook_endpoint(verifier(), gate.handle_async)
    return asgi_client(Starlette(routes=[Route("/hook", endpoint, methods=["POST"])]))


def fastapi_app(gate: Gate) -> AbstractAsyncContextManager[Post]:
    from fastapi import Depends, FastAPI

    from paylor_async.webhooks.starlette import PaylorWebhook

    app = FastAPI()
    dependency = PaylorWebhook(verifier())

    @app.post("/hook")
    async def hook(event: WebhookEvent = Depends(dependency)) -> dict[str, bool]:  # noqa: B008
        await gate.handle_async(event)
        return {"received": True}

    return asgi_client(app)


@asynccontextmanager
async def django_app(gate: Gate, *, use_async: bool) -> AsyncIterator[Post]:
    configure_django()
    from django.test import Client, override_settings
    from django.urls import path

    from paylor_async.webhooks.django import webhook_view

    if use_async:

        @webhook_view(verifier())
        async def view(request: Any, event: WebhookEvent) -> None:
            await gate.handle_async(event)
    else:

        @webhook_view(verifier())
        def view(request: Any, event: WebhookEvent) -> None:
            gate.handle_blocking(event)

    def post_blocking(body: bytes, headers: Headers) -> tuple[int, Any]:
        client = Client(raise_request_exception=False)  # one per thread
        resp = client.post("/hook", data=body, content_type="application/json", headers=headers)
        return resp.status_code, as_json(resp.content.decode())

    async def post(body: bytes, headers: Headers) -> tuple[int, Any]:
        return await asyncio.to_thread(post_blocking, body, headers)

    # Enabled once, from this thread: requests in two threads see the same URLconf.
    with override_settings(ROOT_URLCONF=UrlConf([path("hook", view)])):
        yield post


APPS: dict[str, Callable[[Gate], AbstractAsyncContextManager[Post]]] = {
    "aiohttp": aiohttp_app,
    "starlette": starlette_app,
    "fastapi": fastapi_app,
    "django-sync": lambda gate: django_app(gate, use_async=False),
    "django-async": lambda gate: django_app(gate, use_async=True),
}


async def wait_for(flag: threading.Event) -> None:
    for _ in range(3000):
        if flag.is_set():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the first attempt never reached the user's code")


@pytest.mark.parametrize("adapter", list(APPS))
async def test_a_redelivery_during_a_failing_attempt_gets_409_and_the_retry_is_processed(
    adapter: str,
) -> None:
    gate = Gate(first_fails=True)
    async with APPS[adapter](gate) as post:
        first = asyncio.create_task(post(BODY, HEADERS))
        await wait_for(gate.entered)
        during = await post(BODY, HEADERS)  # the first attempt is still running
        gate.proceed.set()
        failed = await first
        retried = await post(BODY, HEADERS)
        again = await post(BODY, HEADERS)
    assert during[0] == 409
    assert during[1] == (
        {"detail": "in_progress"} if adapter == "fastapi" else {"error": "in_progress"}
    )
    assert failed[0] == 500
    assert retried == (200, RECEIVED)  # not lost: processed once the first attempt failed
    assert again[0] == 200 and again[1] != RECEIVED  # now done: a duplicate
    assert len(gate.calls) == 1


@pytest.mark.parametrize("adapter", list(APPS))
async def test_a_redelivery_during_a_successful_attempt_gets_409_then_duplicate(
    adapter: str,
) -> None:
    gate = Gate(first_fails=False)
    async with APPS[adapter](gate) as post:
        first = asyncio.create_task(post(BODY, HEADERS))
        await wait_for(gate.entered)
        during = await post(BODY, HEADERS)
        gate.proceed.set()
        done = await first
        later = await post(BODY, HEADERS)
    assert during[0] == 409
    assert done == (200, RECEIVED)
    duplicate = (
        {"detail": "duplicate event"} if adapter == "fastapi" else {**RECEIVED, "duplicate": True}
    )
    assert later == (200, duplicate)
    assert len(gate.calls) == 1  # user code ran once, for the first attempt only
