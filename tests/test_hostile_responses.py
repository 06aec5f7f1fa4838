"""Whatever a server answers, the SDK returns a result or raises one of its own errors.

A raw TCP server writes exactly the status line, headers and bytes hypothesis chose, so
nothing between the test and the client tidies the answer up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paylor_async import ManualClock, PaylorClient, PaylorError, models
from paylor_async.models import DecodeError, structure

TX_ID = "665f4c1b9a8d2e001f2a1234"

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=6)
    ),
    max_leaves=20,
)
KNOWN_KEYS = ["id", "status", "amount", "transactionId", "transactions", "total", "channel"]
# Objects that look like Paylor's, with hostile values under the keys the models read.
paylor_like = st.dictionaries(st.sampled_from(KNOWN_KEYS), json_values, max_size=7)


class RawServer:
    """Answers every request with the same raw bytes."""

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        head = f"HTTP/1.1 {status} Whatever\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers)
        head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        self.answer = head.encode("latin-1") + body
        self.server: asyncio.Server | None = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    await reader.readexactly(int(line.split(b":")[1]))
            writer.write(self.answer)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/api/v1"

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


async def _calls(client: PaylorClient) -> None:
    """Every decoding path: a creating POST, a single GET, a paged list."""
    for call in (
        lambda: client.payments.stk_push(phone="0712345678", amount=5, reference="R"),
        lambda: client.transactions.retrieve(TX_ID),
        lambda: client.transactions.find_by_reference("R", max_pages=2),
    ):
        try:
            await call()
        except PaylorError as exc:
            str(exc), repr(exc)  # rendering an error must not fail either


bodies = st.one_of(
    st.binary(max_size=400),
    json_values.map(lambda v: json.dumps(v).encode()),
    paylor_like.map(lambda v: json.dumps(v).encode()),
)
content_types = st.sampled_from(
    ["application/json", "application/json; charset=latin-1", "text/html", "", "x/y; q=\x7f"]
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(status=st.integers(min_value=200, max_value=599), body=bodies, ctype=content_types)
async def test_any_answer_is_a_result_or_our_own_error(
    status: int, body: bytes, ctype: str
) -> None:
    headers = [("Content-Type", ctype)] if ctype else []
    async with (
        RawServer(status, headers, body) as url,
        PaylorClient(
            "pk_test_hostile_0001",
            base_url=url,
            max_retries=0,
            timeout=5,
            clock=ManualClock(autojump=True),
        ) as client,
    ):
        await _calls(client)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["Retry-After", "X-RateLimit-Reset", "X-RateLimit-Remaining"]),
    value=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
    status=st.sampled_from([200, 201, 429, 503]),
)
async def test_hostile_rate_limit_headers_are_survived(name: str, value: str, status: int) -> None:
    body = json.dumps({"transactionId": TX_ID, "status": "SENT", "id": TX_ID}).encode()
    async with (
        RawServer(status, [("Content-Type", "application/json"), (name, value)], body) as url,
        PaylorClient(
            "pk_test_hostile_0001",
            base_url=url,
            max_retries=1,
            timeout=5,
            clock=ManualClock(autojump=True),
        ) as client,
    ):
        # A retry may be scheduled from the header: it must be capped (virtual time here).
        async with asyncio.timeout(120):
            await _calls(client)


def _models() -> list[type[Any]]:
    return [
        obj
        for name in dir(models)
        if isinstance(obj := getattr(models, name), type)
        and attrs.has(obj)
        and "raw" in attrs.fields_dict(obj)
    ]


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
@settings(max_examples=200, deadline=None)
@given(data=st.one_of(json_values, paylor_like))
def test_every_model_decodes_or_raises_decode_error(model: type[Any], data: Any) -> None:
    # Numbers arrive as Decimal from the SDK's parser; feed both kinds.
    for value in (data, json.loads(json.dumps(data), parse_float=Decimal)):
        with contextlib.suppress(DecodeError):
            structure(value, model)
