"""parse_event: every body shape of the API reference (section 3), unknown events, bad shapes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from paylor_async.models import TransactionStatus
from paylor_async.webhooks import (
    GlobalCollectionEvent,
    InvalidPayloadError,
    PaymentEvent,
    UnknownEvent,
    WebhookStatus,
    parse_event,
)

SUCCESS = (
    b'{"event": "payment.success",\n "transaction": {"id": "665f4c1b9a8d2e001f2a1234", '
    b'"reference": "ORDER-12345",\n   "internalReference": "PAYL-ROUTE-REF", "amount": 1000, '
    b'"status": "COMPLETED",\n   "providerRef": "ws_CO_191220191020363925", "metadata": '
    b'{"mpesaReceipt": "RFL8S2K9P0",\n   "callbackResultCode": 0, "callbackResultDesc": '
    b'"The service request is processed successfully."}}}'
)
SUCCESS_MINIMAL = (
    b'{"event":"payment.success","transaction":{"id":"tx-2","reference":"ORDER-2",'
    b'"amount":250.75,"status":"COMPLETED"}}'
)
FAILED_1032 = (
    b'{"event": "payment.failed", "transaction": {"id": "tx-3", "reference": "ORDER-3", '
    b'"internalReference": "PAYL-3", "amount": 10, "status": "FAILED", "providerRef": null, '
    b'"metadata": {"mpesaReceipt": null, "callbackResultCode": 1032, '
    b'"callbackResultDesc": "Request cancelled by user"}}}'
)
UPDATED = (
    b'{"event": "transaction.updated", "transaction": {"id": "tx-4", "reference": "ORDER-4", '
    b'"amount": 99, "status": "REFUNDED", "newField": {"x": [1, 2]}}, "extra": true}'
)
GLOBAL = (
    b'{"event": "global.collection.confirmed", "reference": "GC-1780000000000-A9X2K",\n'
    b' "merchantReference": "INV-1042", "amount": 1500, "currency": "KES", "status": '
    b'"CONFIRMED",\n "provider": "SASAPAY_KE", "createdAt": "2026-06-29T18:20:00.000Z"}'
)


def test_payment_success_with_internal_reference_and_metadata() -> None:
    event = parse_event(SUCCESS, delivered_as="transaction.updated")
    assert isinstance(event, PaymentEvent)
    assert event.event == "payment.success"
    assert event.delivered_as == "transaction.updated"
    tx = event.transaction
    assert tx.id == event.transaction_id == "665f4c1b9a8d2e001f2a1234"
    assert event.reference == "ORDER-12345"
    assert event.internal_reference == "PAYL-ROUTE-REF"
    assert event.amount == Decimal("1000") and type(event.amount) is Decimal
    assert event.status is WebhookStatus.COMPLETED
    assert event.status == TransactionStatus.COMPLETED == "COMPLETED"
    assert event.provider_ref == "ws_CO_191220191020363925"
    assert event.mpesa_receipt == "RFL8S2K9P0"
    assert event.result_code == 0
    assert event.result_description == "The service request is processed successfully."
    assert event.succeeded is True
    assert event.dedupe_key == "tx:665f4c1b9a8d2e001f2a1234:COMPLETED"
    assert event.raw["transaction"]["metadata"]["mpesaReceipt"] == "RFL8S2K9P0"


def test_payment_without_internal_reference_and_metadata() -> None:
    event = parse_event(SUCCESS_MINIMAL)
    assert isinstance(event, PaymentEvent)
    assert event.internal_reference is None
    assert event.amount == Decimal("250.75")
    assert str(event.amount) == "250.75"  # never through float
    assert event.mpesa_receipt is None and event.result_code is None
    assert event.transaction.metadata == {}
    assert event.delivered_as is None


def test_failed_payment_carries_result_code_1032() -> None:
    event = parse_event(FAILED_1032)
    assert isinstance(event, PaymentEvent)
    assert event.event == "payment.failed"
    assert event.status == "FAILED"
    assert event.succeeded is False
    assert event.result_code == 1032
    assert event.result_description == "Request cancelled by user"
    assert event.mpesa_receipt is None and event.provider_ref is None
    assert event.dedupe_key == "tx:tx-3:FAILED"


def test_transaction_updated_keeps_unknown_fields() -> None:
    event = parse_event(UPDATED)
    assert isinstance(event, PaymentEvent)
    assert event.event == "transaction.updated"
    assert event.status is WebhookStatus.REFUNDED
    assert event.transaction.raw["newField"]["x"] == (1, 2)
    assert event.raw["extra"] is True


def test_global_collection_confirmed_is_flat() -> None:
    event = parse_event(GLOBAL)
    assert isinstance(event, GlobalCollectionEvent)
    assert event.event == "global.collection.confirmed"
    assert event.reference == "GC-1780000000000-A9X2K"
    assert event.merchant_reference == "INV-1042"
    assert event.amount == Decimal(1500)
    assert event.currency == "KES"
    assert event.status is WebhookStatus.CONFIRMED and event.succeeded
    assert event.provider == "SASAPAY_KE"
    assert event.created_at == datetime(2026, 6, 29, 18, 20, tzinfo=UTC)
    assert event.dedupe_key == "global:GC-1780000000000-A9X2K:CONFIRMED"


@pytest.mark.parametrize(
    ("created_at", "expected"),
    [
        ("2026-06-29T18:20:00+03:00", datetime(2026, 6, 29, 15, 20, tzinfo=UTC)),
        ("2026-06-29T18:20:00", datetime(2026, 6, 29, 18, 20, tzinfo=UTC)),  # UTC assumed
        ("yesterday", None),
        (12345, None),
        (None, None),
    ],
)
def test_global_created_at_is_aware_or_none(created_at: object, expected: object) -> None:
    body: dict[str, Any] = json.loads(GLOBAL)
    body["createdAt"] = created_at
    event = parse_event(json.dumps(body))
    assert isinstance(event, GlobalCollectionEvent)
    assert event.created_at == expected
    if event.created_at is not None:
        assert event.created_at.tzinfo is not None


def test_unknown_status_keeps_its_string() -> None:
    body = SUCCESS_MINIMAL.replace(b'"COMPLETED"', b'"PARTIALLY_REVERSED"')
    event = parse_event(body)
    assert isinstance(event, PaymentEvent)
    assert event.status == "PARTIALLY_REVERSED"
    assert event.status.value == "PARTIALLY_REVERSED"
    assert not event.status.is_known and not event.succeeded
    assert event.dedupe_key == "tx:tx-2:PARTIALLY_REVERSED"


def test_unknown_event_is_kept_whole_with_a_body_hash_key() -> None:
    body = b'{"event": "payout.settled", "payout": {"id": "p1"}}'
    event = parse_event(body, delivered_as="payout.settled")
    assert isinstance(event, UnknownEvent)
    assert event.event == "payout.settled"
    assert event.delivered_as == "payout.settled"
    assert event.raw["payout"]["id"] == "p1"
    import hashlib

    assert event.dedupe_key == "sha256:" + hashlib.sha256(body).hexdigest()
    assert parse_event(body).dedupe_key == event.dedupe_key  # stable
    no_name = parse_event(b'{"hello": 1}')
    assert isinstance(no_name, UnknownEvent) and no_name.event is None


def test_other_event_with_a_transaction_is_a_payment_event() -> None:
    body = SUCCESS_MINIMAL.replace(b"payment.success", b"payment.reversed")
    event = parse_event(body)
    assert isinstance(event, PaymentEvent) and event.event == "payment.reversed"


def test_parsed_mapping_and_str_are_accepted() -> None:
    from_bytes = parse_event(SUCCESS)
    from_str = parse_event(SUCCESS.decode())
    from_mapping = parse_event(json.loads(SUCCESS, parse_float=Decimal))
    assert from_bytes == from_str == from_mapping
    from_floats = parse_event(json.loads(SUCCESS_MINIMAL))
    assert from_floats.raw["transaction"]["amount"] == Decimal("250.75")


def test_raw_is_read_only() -> None:
    event = parse_event(SUCCESS)
    with pytest.raises(TypeError):
        event.raw["event"] = "payment.failed"  # type: ignore[index]
    with pytest.raises(TypeError):
        event.raw["transaction"]["amount"] = 1  # type: ignore[index]
    with pytest.raises(AttributeError):
        event.event = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"", "JSON"),
        (b"not json", "JSON"),
        (b'{"event": "payment.success"', "JSON"),
        (b"\xff\xfe{}", "UTF-8"),
        (b'["payment.success"]', "object"),
        (b'"payment.success"', "object"),
        (b"null", "object"),
        (b'{"event": 42}', "event"),
        (b'{"event": "payment.success"}', "transaction"),
        (b'{"event": "payment.success", "transaction": [1]}', "transaction"),
        (b'{"event": "payment.success", "transaction": "tx-1"}', "transaction"),
        (b'{"event": "x", "transaction": 5}', "transaction"),
        (
            b'{"event": "payment.success", "transaction": {"status": "COMPLETED", "amount": 1}}',
            "id",
        ),
        (
            b'{"event": "payment.success", "transaction": {"id": "t", "status": "COMPLETED"}}',
            "amount",
        ),
        (
            b'{"event": "payment.success", "transaction": {"id": "t", "status": "COMPLETED", '
            b'"amount": "1000"}}',
            "amount",
        ),
        (
            b'{"event": "payment.success", "transaction": {"id": "t", "status": "COMPLETED", '
            b'"amount": true}}',
            "amount",
        ),
        (
            b'{"event": "payment.success", "transaction": {"id": "t", "status": "COMPLETED", '
            b'"amount": NaN}}',
            "NaN",
        ),
        (
            b'{"event": "payment.success", "transaction": {"id": "t", "status": "COMPLETED", '
            b'"amount": -Infinity}}',
            "Infinity",
        ),
        (b'{"event": "payment.success", "transaction": {"id": "t", "amount": 1}}', "status"),
        (
            b'{"event": "payment.success", "transaction": {"id": "t", "status": "COMPLETED", '
            b'"amount": 1, "reference": ["x"]}}',
            "reference",
        ),
        (
            b'{"event": "global.collection.confirmed", "amount": 1, "status": "CONFIRMED"}',
            "reference",
        ),
        (b"[" * 100_000, ""),
        (b'{"a": ' * 50_000 + b"1" + b"}" * 50_000, ""),
        (b'{"event": "x", "n": ' + b"9" * 10_000 + b"}", "JSON"),
    ],
)
def test_wrong_shapes_raise_invalid_payload_only(body: bytes, why: str) -> None:
    with pytest.raises(InvalidPayloadError) as caught:
        parse_event(body)
    assert why in str(caught.value)


def test_numeric_ids_and_string_result_codes_are_tolerated() -> None:
    body = (
        b'{"event": "payment.failed", "transaction": {"id": "t", "reference": 12345, '
        b'"amount": 5, "status": "FAILED", "metadata": {"callbackResultCode": "1037", '
        b'"mpesaReceipt": 7}}}'
    )
    event = parse_event(body)
    assert isinstance(event, PaymentEvent)
    assert event.reference == "12345"
    assert event.result_code == 1037
    assert event.mpesa_receipt == "7"
    odd = parse_event(body.replace(b'"1037"', b'"n/a"'))
    assert isinstance(odd, PaymentEvent) and odd.result_code is None
    odd_metadata = parse_event(
        body.replace(b'"metadata": {', b'"metadata": [{').replace(b"7}}}", b"7}]}}")
    )
    assert isinstance(odd_metadata, PaymentEvent) and odd_metadata.transaction.metadata == {}


def test_messages_do_not_echo_the_body() -> None:
    body = b'{"event": "payment.success", "transaction": {"id": "SECRET-ORDER-DATA"}}'
    with pytest.raises(InvalidPayloadError) as caught:
        parse_event(body)
    assert "SECRET-ORDER-DATA" not in str(caught.value)


def test_events_are_immutable_hashable_values_with_a_short_repr() -> None:
    import copy

    event = parse_event(SUCCESS)
    assert isinstance(event, PaymentEvent)
    assert hash(event) == hash(parse_event(SUCCESS))
    assert {event, parse_event(SUCCESS)} == {event}
    assert event != parse_event(FAILED_1032)
    assert copy.copy(event) is event and copy.deepcopy(event) is event
    text = repr(event)
    assert text.startswith("PaymentEvent(event='payment.success', transaction=PaymentTransaction(")
    assert "raw=" not in text and "metadata=" not in text
    with pytest.raises(AttributeError):
        del event.event
    with pytest.raises(TypeError):
        UnknownEvent(event="x")  # dedupe_key is required
    with pytest.raises(TypeError):
        UnknownEvent(event="x", dedupe_key="k", surprise=1)
    assert UnknownEvent(event="x", dedupe_key="k").raw == {}
