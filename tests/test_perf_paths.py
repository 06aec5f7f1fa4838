"""Fast paths taken for speed keep the behaviour of the slow ones they replace."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

from paylor_async import APIError, PaylorClient
from paylor_async._responses import is_json, parse_json
from paylor_async._transport import Response
from paylor_async.models import DecodeError, Transaction, TransactionChannel, structure
from paylor_async.resources._base import with_response

BASE: dict[str, Any] = {"id": "t1", "status": "COMPLETED"}


def test_optional_fields_accept_null_and_absence() -> None:
    tx = structure({**BASE, "phone": None, "channel": None, "amount": None}, Transaction)
    assert tx.phone is None and tx.channel is None and tx.amount is None
    assert structure(BASE, Transaction).reference is None


@pytest.mark.parametrize(
    "field",
    [{"phone": 254712345678}, {"amount": "lots"}, {"channel": "till"}, {"channel": {"name": 5}}],
)
def test_optional_fields_still_check_the_type_of_a_value(field: dict[str, Any]) -> None:
    with pytest.raises(DecodeError):
        structure({**BASE, **field}, Transaction)


def test_optional_nested_model_and_decimal_decode() -> None:
    tx = structure({**BASE, "amount": Decimal("10.50"), "channel": {"name": "Till"}}, Transaction)
    assert tx.amount == Decimal("10.50")
    assert tx.channel is not None and tx.channel.name == "Till"
    assert tx.channel.raw == {"name": "Till"}


@pytest.mark.parametrize(
    "body",
    [
        b'{"amount": 10.50, "n": 3}',
        b'\xef\xbb\xbf{"amount": 10.50, "n": 3}',  # UTF-8 with a byte-order mark
        '{"amount": 10.50, "n": 3}'.encode("utf-16"),
        '{"amount": 10.50, "n": 3}'.encode("utf-32-le"),
    ],
)
def test_parse_json_reads_bytes_as_json_loads_does(body: bytes) -> None:
    parsed = parse_json(body)
    assert parsed == {"amount": Decimal("10.50"), "n": 3}
    assert isinstance(parsed["amount"], Decimal)
    assert parsed == json.loads(body, parse_float=Decimal)


@pytest.mark.parametrize(
    "body", [b"", b"NaN", b'{"a": Infinity}', b"\xff\xfe\xfd{", b"<html>", b"[" * 100_000]
)
def test_parse_json_refuses_what_is_not_json(body: bytes) -> None:
    assert not is_json(parse_json(body))


def test_with_response_attaches_only_where_a_response_field_exists() -> None:
    headers = CIMultiDictProxy(CIMultiDict({"X-Request-Id": "req_1"}))
    response = Response(201, headers, {}, b"{}", "key-1")
    tx = with_response(structure(BASE, Transaction), response)
    assert tx.response is not None
    assert (tx.response.status, tx.response.request_id) == (201, "req_1")
    assert tx.response.idempotency_key == "key-1"
    channel = with_response(TransactionChannel(name="Till"), response)
    assert not hasattr(channel, "response")
    assert with_response("plain", response) == "plain"


@pytest.fixture
async def body_server() -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """A server whose answer each test sets: ``state["body"]`` and ``state["chunked"]``."""
    state: dict[str, Any] = {"body": b"", "chunked": False}

    async def handle(request: web.Request) -> web.StreamResponse:
        headers = {"Content-Type": "application/json"}
        if not state["chunked"]:
            return web.Response(body=state["body"], headers=headers)
        out = web.StreamResponse(headers=headers)
        out.enable_chunked_encoding()
        await out.prepare(request)
        for start in range(0, len(state["body"]), 1000):
            await out.write(state["body"][start : start + 1000])
        await out.write_eof()
        return out

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/api/v1", state
    finally:
        await runner.cleanup()


def _padded_transaction(size: int) -> bytes:
    head = b'{"id": "t1", "status": "COMPLETED", "pad": "'
    return head + b"x" * (size - len(head) - 2) + b'"}'


@pytest.mark.parametrize("chunked", [False, True])
async def test_size_cap_holds_with_and_without_content_length(
    body_server: tuple[str, dict[str, Any]], chunked: bool
) -> None:
    url, state = body_server
    state["chunked"] = chunked
    async with PaylorClient(
        "sk_test_abcdefgh12345678", base_url=url, rate_limits=None, max_response_bytes=5_000
    ) as paylor:
        state["body"] = _padded_transaction(5_000)  # exactly the cap: accepted whole
        tx = await paylor.transactions.retrieve("t1")
        assert tx.id == "t1" and len(tx.raw["pad"]) == 4_954  # 5,000 bytes of JSON
        state["body"] = _padded_transaction(5_001)
        with pytest.raises(APIError, match="larger than 5,000 bytes"):
            await paylor.transactions.retrieve("t1")
