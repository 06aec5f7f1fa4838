"""Talking to the simulator over plain aiohttp (no SDK code): shared by the simulator tests."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp

from paylor_async.testing import PaylorSimulator

STK = "/merchants/payments/stk-push"
TXS = "/merchants/payments/transactions"
PUSH: dict[str, Any] = {"phone": "254712345678", "amount": 100, "reference": "ORDER-1"}
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
HEX24 = re.compile(r"^[0-9a-f]{24}$")


class Reply:
    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def code(self) -> str:
        return str(self.json()["error"]["code"])


async def call(
    http: aiohttp.ClientSession,
    sim: PaylorSimulator,
    method: str,
    path: str,
    *,
    key: str | None = "default",
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
    **kwargs: Any,
) -> Reply:
    sent = dict(headers or {})
    if key is not None:
        sent.setdefault("Authorization", f"Bearer {sim.api_key if key == 'default' else key}")
    client_timeout = aiohttp.ClientTimeout(total=timeout) if timeout else None
    async with http.request(
        method, sim.base_url + path, headers=sent, timeout=client_timeout, **kwargs
    ) as resp:
        return Reply(resp.status, resp.headers, await resp.read())


def push(
    http: aiohttp.ClientSession, sim: PaylorSimulator, **kwargs: Any
) -> Coroutine[Any, Any, Reply]:
    kwargs.setdefault("json", PUSH)
    return call(http, sim, "POST", STK, **kwargs)


async def eventually(predicate: Callable[[], bool], timeout: float = 2.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.005)
