"""Decoding: camelCase to snake_case, exact Decimals, aware datetimes, tolerance of the new."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from paylor_async import errors
from paylor_async.models import (
    DecodeError,
    StkPushResult,
    Transaction,
    TransactionList,
    TransactionStatus,
    structure,
)

TX = (
    '{"id": "665f4c1b9a8d2e001f2a1234", "transactionId": "ws_CO_270620261200001",'
    ' "phone": "254712345678", "amount": 1000.10, "currency": "KES",'
    ' "reference": "ORDER-12345", "description": null, "status": "COMPLETED",'
    ' "provider": "MPESA", "providerRef": "ws_CO_270620261200001", "mpesaReceipt": "RFL8S2K9P0",'
    ' "channel": {"name": "Main till", "number": "123456", "accountNumber": null, "type": "TILL"},'
    ' "createdAt": "2026-06-29T18:20:00.000Z", "updatedAt": "2026-06-29T18:21:00+03:00"}'
)


def load(text: str) -> object:
    return json.loads(text, parse_float=Decimal)


def test_transaction_fields_map_from_camel_case() -> None:
    tx = structure(load(TX), Transaction)
    assert tx.id == "665f4c1b9a8d2e001f2a1234"
    assert tx.transaction_id == "ws_CO_270620261200001"
    assert tx.provider_ref == "ws_CO_270620261200001"
    assert tx.mpesa_receipt == "RFL8S2K9P0"
    assert tx.status is TransactionStatus.COMPLETED
    assert tx.status.is_final and tx.status.is_success
    assert tx.channel is not None and tx.channel.name == "Main till"
    assert tx.channel.account_number is None


def test_money_is_an_exact_decimal() -> None:
    tx = structure(load(TX), Transaction)
    assert tx.amount == Decimal("1000.10")
    assert str(tx.amount) == "1000.10"  # no float ever touched it
    assert structure({"id": "a", "status": "SENT", "amount": 5}, Transaction).amount == Decimal(5)


def test_timestamps_are_aware() -> None:
    tx = structure(load(TX), Transaction)
    assert tx.created_at == datetime(2026, 6, 29, 18, 20, tzinfo=UTC)
    assert tx.updated_at == datetime(2026, 6, 29, 15, 21, tzinfo=UTC)
    assert tx.updated_at is not None and tx.updated_at.tzinfo is not None


def test_unknown_status_survives_and_keeps_its_value() -> None:
    data = load(TX)
    assert isinstance(data, dict)
    data["status"] = "REVERSAL_PENDING"
    tx = structure(data, Transaction)
    assert tx.status == "REVERSAL_PENDING"
    assert tx.status.value == "REVERSAL_PENDING"
    assert not tx.status.is_known
    assert not tx.status.is_final


def test_unknown_fields_are_kept_in_raw() -> None:
    data = load(TX)
    assert isinstance(data, dict)
    data["settlementBatch"] = {"id": "B-1"}
    tx = structure(data, Transaction)
    assert tx.raw["settlementBatch"] == {"id": "B-1"}
    assert tx.raw["mpesaReceipt"] == "RFL8S2K9P0"
    with pytest.raises(TypeError):
        tx.raw["x"] = 1  # type: ignore[index]


def test_unreadable_timestamp_becomes_none_and_stays_in_raw() -> None:
    tx = structure({"id": "a", "status": "SENT", "createdAt": "yesterday"}, Transaction)
    assert tx.created_at is None
    assert tx.raw["createdAt"] == "yesterday"


def test_stk_push_result_accepts_pending_and_a_message() -> None:
    result = structure(
        {"transactionId": "abc", "status": "PENDING", "message": "ok"}, StkPushResult
    )
    assert result.status is TransactionStatus.PENDING
    assert result.message == "ok"


def test_list_page() -> None:
    page = structure({"transactions": [load(TX)], "total": 7}, TransactionList)
    assert page.total == 7
    assert page.transactions[0].reference == "ORDER-12345"


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        "x",
        {"status": "SENT"},  # no id
        {"id": 5, "status": "SENT"},  # an id must be a string
        {"id": "a", "status": 1},
        {"id": "a", "status": "SENT", "amount": True},
        {"id": "a", "status": "SENT", "amount": "lots"},
        {"id": "a", "status": "SENT", "amount": {"v": 1}},
        {"id": "a", "status": "SENT", "channel": "till"},
        {"id": "a", "status": "SENT", "phone": ["2547"]},
    ],
)
def test_wrong_shapes_raise_decode_error_only(data: object) -> None:
    with pytest.raises(DecodeError):
        structure(data, Transaction)


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "VALIDATION_ERROR", errors.ValidationError),
        (400, "INVALID_PHONE_NUMBER", errors.InvalidPhoneNumberError),
        (400, "INVALID_AMOUNT", errors.InvalidAmountError),
        (400, "DARAJA_ERROR", errors.BadRequestError),
        (400, None, errors.BadRequestError),
        (401, "UNAUTHORIZED", errors.AuthenticationError),
        (401, "INVALID_API_KEY", errors.AuthenticationError),
        (402, "PAYMENT_REQUIRED", errors.PaymentRequiredError),
        (403, "UNAUTHORIZED", errors.PermissionDeniedError),
        (403, "MERCHANT_INACTIVE", errors.PermissionDeniedError),
        (404, "RESOURCE_NOT_FOUND", errors.NotFoundError),
        (409, None, errors.ConflictError),
        (429, "RATE_LIMIT_EXCEEDED", errors.RateLimitError),
        (500, "INTERNAL_ERROR", errors.ServerError),
        (502, None, errors.ServerError),
        (503, "QUOTA_EXCEEDED", errors.ServerError),
        (418, None, errors.APIError),
        (400, "INTERNAL_ERROR", errors.BadRequestError),  # the status family wins
    ],
)
def test_error_class_for(status: int, code: str | None, cls: type[errors.APIError]) -> None:
    assert errors.error_class_for(status, code) is cls


def test_every_api_error_is_a_paylor_error() -> None:
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, errors.PaylorError), name
