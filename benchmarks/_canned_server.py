"""A minimal HTTP/1.1 server with canned answers, run in its own process by the benchmarks.

    python benchmarks/_canned_server.py      # prints the port, serves until stdin closes

Deliberately cheap (raw asyncio protocol, no framework, no validation): every client is
measured against the same fixed server cost, so the difference between clients shows. It
speaks just enough HTTP for keep-alive clients: a request line, headers, a ``Content-Length``
body. It imports nothing from the SDK.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

STK_PUSH_PATH = b"/api/v1/merchants/payments/stk-push"
TRANSACTION_PREFIX = b"/api/v1/merchants/payments/transactions/"
CUSTOMERS_PATH = b"/v1/customers"
PAYMENT_INTENTS_PATH = b"/v1/payment_intents"

TRANSACTION_ID = "txn_9f8e7d6c5b4a"

STK_BODY = {"transactionId": TRANSACTION_ID, "status": "SENT", "message": "STK push sent"}
TRANSACTION_BODY = {
    "id": TRANSACTION_ID,
    "transactionId": "ws_CO_27112026211530123456789",
    "status": "COMPLETED",
    "phone": "254712345678",
    "amount": 1500.0,
    "currency": "KES",
    "reference": "ORDER-1042",
    "description": "Order 1042",
    "provider": "MPESA",
    "providerRef": "ws_CO_27112026211530123456789",
    "mpesaReceipt": "SKR4ABC123",
    "channel": {"name": "Main till", "number": "123456", "accountNumber": None, "type": "TILL"},
    "createdAt": "2026-11-27T21:15:30.123Z",
    "updatedAt": "2026-11-27T21:15:41.456Z",
}
CUSTOMER_BODY = {
    "id": "cus_QwErTy123456",
    "object": "customer",
    "address": None,
    "balance": 0,
    "created": 1795900000,
    "currency": None,
    "default_source": None,
    "delinquent": False,
    "description": "Order 1042",
    "email": "jane@example.com",
    "invoice_prefix": "A1B2C3D4",
    "invoice_settings": {
        "custom_fields": None,
        "default_payment_method": None,
        "footer": None,
        "rendering_options": None,
    },
    "livemode": False,
    "metadata": {"order": "1042"},
    "name": "Jane Wanjiru",
    "phone": "+254712345678",
    "preferred_locales": [],
    "shipping": None,
    "tax_exempt": "none",
    "test_clock": None,
}
#: The shape of a freshly created PaymentIntent as Stripe's API reference shows it.
PAYMENT_INTENT_BODY = {
    "id": "pi_3QwErTy123456",
    "object": "payment_intent",
    "amount": 1500,
    "amount_capturable": 0,
    "amount_details": {"tip": {}},
    "amount_received": 0,
    "application": None,
    "application_fee_amount": None,
    "automatic_payment_methods": {"allow_redirects": "always", "enabled": True},
    "canceled_at": None,
    "cancellation_reason": None,
    "capture_method": "automatic_async",
    "client_secret": "pi_3QwErTy123456_secret_abcdefghijklmnop",
    "confirmation_method": "automatic",
    "created": 1795900000,
    "currency": "kes",
    "customer": None,
    "description": "Order 1042",
    "last_payment_error": None,
    "latest_charge": None,
    "livemode": False,
    "metadata": {"order": "ORDER-1042"},
    "next_action": None,
    "on_behalf_of": None,
    "payment_method": None,
    "payment_method_configuration_details": {"id": "pmc_1QwErTy", "parent": None},
    "payment_method_options": {
        "card": {
            "installments": None,
            "mandate_options": None,
            "network": None,
            "request_three_d_secure": "automatic",
        },
        "link": {"persistent_token": None},
    },
    "payment_method_types": ["card", "link"],
    "processing": None,
    "receipt_email": None,
    "review": None,
    "setup_future_usage": None,
    "shipping": None,
    "source": None,
    "statement_descriptor": None,
    "statement_descriptor_suffix": None,
    "status": "requires_payment_method",
    "transfer_data": None,
    "transfer_group": None,
}
NOT_FOUND_BODY = {"success": False, "error": {"code": "NOT_FOUND", "message": "no such route"}}


def _response(status: str, body: object, extra: str = "") -> bytes:
    payload = json.dumps(body).encode()
    head = (
        f"HTTP/1.1 {status}\r\n"
        "Content-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(payload)}\r\n"
        "X-Request-Id: req_canned_0001\r\n"
        "X-RateLimit-Limit: 60\r\nX-RateLimit-Remaining: 59\r\n"
        f"{extra}\r\n"
    )
    return head.encode() + payload


STK_RESPONSE = _response("201 Created", STK_BODY)
TRANSACTION_RESPONSE = _response("200 OK", TRANSACTION_BODY)
CUSTOMER_RESPONSE = _response("200 OK", CUSTOMER_BODY, "Request-Id: req_canned_0001\r\n")
PAYMENT_INTENT_RESPONSE = _response(
    "200 OK", PAYMENT_INTENT_BODY, "Request-Id: req_canned_0001\r\n"
)
NOT_FOUND_RESPONSE = _response("404 Not Found", NOT_FOUND_BODY)


def answer(method: bytes, target: bytes) -> bytes:
    """The canned response bytes for a request line."""
    path = target.split(b"?", 1)[0]
    if method == b"POST" and path == STK_PUSH_PATH:
        return STK_RESPONSE
    if method == b"GET" and path.startswith(TRANSACTION_PREFIX):
        return TRANSACTION_RESPONSE
    if method == b"POST" and path == CUSTOMERS_PATH:
        return CUSTOMER_RESPONSE
    if method == b"POST" and path == PAYMENT_INTENTS_PATH:
        return PAYMENT_INTENT_RESPONSE
    return NOT_FOUND_RESPONSE


class _Http(asyncio.Protocol):
    """Parses pipelined keep-alive requests out of a byte stream; answers each in order."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        out = []
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = bytes(buffer[:end])
            length = 0
            lines = head.split(b"\r\n")
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(buffer) < end + 4 + length:
                break  # the body is still on its way
            del buffer[: end + 4 + length]
            method, target, _ = lines[0].split(b" ", 2)
            out.append(answer(method, target))
        if out and self._transport is not None:
            self._transport.write(b"".join(out))


async def serve() -> None:
    """Listen on a free loopback port, print it, and serve until stdin closes."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Http, "127.0.0.1", 0, backlog=512)
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    stop = loop.create_future()
    # stdin reaching EOF (the parent closed it, or died) is the signal to stop.
    loop.add_reader(sys.stdin.fileno(), lambda: stop.done() or _stdin_ready(stop))
    async with server:
        await stop


def _stdin_ready(stop: asyncio.Future[None]) -> None:
    if not os.read(sys.stdin.fileno(), 4096):
        asyncio.get_running_loop().remove_reader(sys.stdin.fileno())
        stop.set_result(None)


if __name__ == "__main__":
    asyncio.run(serve())
