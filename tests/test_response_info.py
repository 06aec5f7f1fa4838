"""``.response`` on results, and the scope named by a 403."""

from __future__ import annotations

import pytest

from paylor_async import PaylorClient, PermissionDeniedError
from paylor_async.models import ResponseInfo
from paylor_async.testing import PaylorSimulator


async def test_stk_push_result_carries_its_response(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    push = await client.payments.stk_push(phone="0712345678", amount=10, reference="R-1")
    info = push.response
    assert isinstance(info, ResponseInfo)
    assert info.status == 201
    assert info.idempotency_key == push.idempotency_key
    sent = sim.requests_for("stk_push")[-1]
    assert info.request_id == sent.request_id
    assert info.headers["content-type"].startswith("application/json")  # case-insensitive
    assert info.rate_limit_limit == 60
    assert info.rate_limit_remaining == 59
    assert info.rate_limit_reset is not None
    assert "response" not in repr(push)  # HTTP details stay out of the model's repr


async def test_retrieve_and_list_items_carry_their_response(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    push = await client.payments.stk_push(phone="0712345678", amount=10, reference="R-1")
    tx = await client.transactions.retrieve(push.transaction_id)
    assert tx.response is not None
    assert tx.response.status == 200
    assert tx.response.idempotency_key is None
    assert tx.channel is not None
    assert not hasattr(tx.channel, "response")  # nested models have no response of their own
    listed = [t async for t in client.transactions.list()]
    assert listed[0].response is not None
    assert listed[0].response.request_id == sim.requests_for("list_transactions")[-1].request_id
    assert tx == listed[0]  # equality ignores the HTTP details


async def _stk(c: PaylorClient) -> object:
    return await c.payments.stk_push(phone="0712345678", amount=10, reference="R")


async def _retrieve(c: PaylorClient) -> object:
    return await c.transactions.retrieve("665f4c1b9a8d2e001f2a1234")


async def _list(c: PaylorClient) -> object:
    return [t async for t in c.transactions.list()]


CALLS = {"stk": _stk, "retrieve": _retrieve, "list": _list}


@pytest.mark.parametrize(
    ("call", "scope"),
    [
        ("stk", "payments:create"),
        ("retrieve", "transactions:read"),
        ("list", "transactions:read"),
    ],
)
async def test_missing_scope_names_the_scope(sim: PaylorSimulator, call: str, scope: str) -> None:
    key = sim.create_key(scopes=["wallet:read"])
    async with PaylorClient(key, base_url=sim.base_url, rate_limits=None, max_retries=0) as c:
        with pytest.raises(PermissionDeniedError) as caught:
            await CALLS[call](c)
    err = caught.value
    assert err.status == 403
    assert err.required_scope == scope
    assert repr(scope) in str(err)
    assert key not in str(err)


async def test_an_inactive_merchant_is_not_blamed_on_a_scope(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    from paylor_async.testing import Fault

    sim.faults.inject(Fault.API_ERROR, status=403, code="MERCHANT_INACTIVE", message="inactive")
    with pytest.raises(PermissionDeniedError) as caught:
        await _stk(client)
    assert caught.value.code == "MERCHANT_INACTIVE"
    assert caught.value.required_scope is None
    assert "scope" not in str(caught.value)
