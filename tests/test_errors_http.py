"""Error responses of every shape become the right typed error, with status and excerpt."""

from __future__ import annotations

import pytest

from paylor_async import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InvalidAmountError,
    InvalidPhoneNumberError,
    NotFoundError,
    PaylorClient,
    PaymentRequiredError,
    PermissionDeniedError,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
)
from paylor_async.testing import Fault, PaylorSimulator

STK = "/merchants/payments/stk-push"
PUSH = {"phone": "0712345678", "amount": 100, "reference": "ORDER-E"}


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "VALIDATION_ERROR", ValidationError),
        (400, "INVALID_PHONE_NUMBER", InvalidPhoneNumberError),
        (400, "INVALID_AMOUNT", InvalidAmountError),
        (400, "DARAJA_ERROR", BadRequestError),
        (400, "INVALID_PAYMENT_REQUEST", BadRequestError),
        (401, "UNAUTHORIZED", AuthenticationError),
        (401, "INVALID_API_KEY", AuthenticationError),
        (402, "PAYMENT_REQUIRED", PaymentRequiredError),
        (403, "UNAUTHORIZED", PermissionDeniedError),
        (403, "MERCHANT_INACTIVE", PermissionDeniedError),
        (404, "RESOURCE_NOT_FOUND", NotFoundError),
        (409, "CONFLICT", ConflictError),
        (418, "TEAPOT", APIError),
    ],
)
async def test_every_documented_code_maps_to_its_class(
    sim: PaylorSimulator, client: PaylorClient, status: int, code: str, cls: type[APIError]
) -> None:
    sim.faults.inject(Fault.API_ERROR, path=STK, status=status, code=code, message=f"m-{code}")
    with pytest.raises(cls) as info:
        await client.payments.stk_push(**PUSH, idempotency_key="e-1")  # type: ignore[arg-type]
    err = info.value
    assert type(err) is cls
    assert (err.status, err.code, err.message) == (status, code, f"m-{code}")
    assert err.idempotency_key == "e-1"
    assert err.reference == "ORDER-E"
    assert err.request_id  # the simulator's X-Request-Id
    assert len(sim.requests_for(STK)) == 1  # none of these is retried


@pytest.mark.parametrize(
    ("status", "cls"), [(502, ServerError), (404, NotFoundError), (401, AuthenticationError)]
)
async def test_empty_error_bodies_still_give_the_right_class(
    sim: PaylorSimulator, client: PaylorClient, status: int, cls: type[APIError]
) -> None:
    client = client.with_options(max_retries=0)
    sim.faults.inject(Fault.EMPTY_BODY, path=STK, status=status)
    with pytest.raises(cls) as info:
        await client.payments.stk_push(**PUSH)  # type: ignore[arg-type]
    assert info.value.status == status
    assert info.value.code is None
    assert "empty body" in info.value.message
    assert info.value.body_excerpt == ""


async def test_html_502_gives_server_error_with_an_excerpt(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    sim.faults.inject(Fault.BAD_GATEWAY_HTML, path=STK)
    with pytest.raises(ServerError) as info:
        await client.with_options(max_retries=0).payments.stk_push(**PUSH)  # type: ignore[arg-type]
    err = info.value
    assert err.status == 502
    assert "not Paylor's JSON error" in err.message
    assert 0 < len(err.body_excerpt) <= 201
    assert "\n" not in err.body_excerpt
    assert "502" in str(err)


async def test_truncated_success_body_is_replayed_under_its_key(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    sim.faults.inject(Fault.TRUNCATED_JSON, path=STK)
    push = await client.payments.stk_push(**PUSH, idempotency_key="t-1")  # type: ignore[arg-type]
    [tx] = sim.transactions_by_reference("ORDER-E")
    assert push.transaction_id == tx.id
    sent = sim.requests_for(STK)
    assert [r.status for r in sent] == [201, 201]
    assert {r.headers["Idempotency-Key"] for r in sent} == {"t-1"}


async def test_truncated_success_body_is_typed(sim: PaylorSimulator, client: PaylorClient) -> None:
    sim.faults.inject(Fault.TRUNCATED_JSON, path=STK)
    with pytest.raises(UnexpectedResponseError) as info:
        await client.with_options(max_retries=0).payments.stk_push(**PUSH, idempotency_key="t-1")  # type: ignore[arg-type]
    assert info.value.status == 201
    assert info.value.idempotency_key == "t-1"
    # The transaction exists; the same key recovers its result without a second charge.
    again = await client.payments.stk_push(**PUSH, idempotency_key="t-1")  # type: ignore[arg-type]
    [tx] = sim.transactions_by_reference("ORDER-E")
    assert again.transaction_id == tx.id


async def test_wrong_content_type_with_json_is_accepted(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    sim.faults.inject(Fault.WRONG_CONTENT_TYPE, path=STK)
    push = await client.payments.stk_push(**PUSH)  # type: ignore[arg-type]
    assert push.transaction_id


async def test_validation_details_are_typed(sim: PaylorSimulator, client: PaylorClient) -> None:
    details = [
        {"path": "phone", "message": "phone is required", "code": "custom"},
        {"path": "amount", "message": "amount must be a number", "code": "invalid_type"},
    ]
    sim.faults.inject(Fault.VALIDATION_ERROR, path=STK, details=details)
    with pytest.raises(ValidationError) as info:
        await client.payments.stk_push(**PUSH)  # type: ignore[arg-type]
    got = [(d.path, d.message, d.code) for d in info.value.details]
    assert got == [
        ("phone", "phone is required", "custom"),
        ("amount", "amount must be a number", "invalid_type"),
    ]
