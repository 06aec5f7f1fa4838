"""Transaction retrieve and list over real HTTP against the simulator."""

from __future__ import annotations

import pytest

from paylor_async import (
    InvalidParameterError,
    NotFoundError,
    PaylorClient,
    Transaction,
    TransactionStatus,
)
from paylor_async.testing import PaylorSimulator


async def test_retrieve_follows_the_lifecycle(sim: PaylorSimulator, client: PaylorClient) -> None:
    push = await client.payments.stk_push(phone="0712345678", amount=1500, reference="ORD-7")
    tx = await client.transactions.retrieve(push.transaction_id)
    assert isinstance(tx, Transaction)
    assert tx.id == push.transaction_id
    assert tx.status is TransactionStatus.STK_SENT
    assert tx.reference == "ORD-7"
    assert tx.phone == "254712345678"
    assert tx.amount == 1500
    assert tx.created_at is not None and tx.created_at.tzinfo is not None

    await sim.complete(push.transaction_id)
    done = await client.transactions.retrieve(push.transaction_id)
    assert done.status is TransactionStatus.COMPLETED
    assert done.status.is_final
    assert done.mpesa_receipt


async def test_failed_transaction(sim: PaylorSimulator, client: PaylorClient) -> None:
    push = await client.payments.stk_push(phone="0712345678", amount=100, reference="ORD-8")
    await sim.fail(push.transaction_id, result_code=1032)
    tx = await client.transactions.retrieve(push.transaction_id)
    assert tx.status is TransactionStatus.FAILED


async def test_unknown_id_is_not_found(client: PaylorClient) -> None:
    with pytest.raises(NotFoundError) as info:
        await client.transactions.retrieve("665f4c1b9a8d2e001f2a0000")
    assert info.value.status == 404


async def test_ids_cannot_walk_the_path(sim: PaylorSimulator, client: PaylorClient) -> None:
    with pytest.raises(NotFoundError):
        await client.transactions.retrieve("../stk-push")
    [req] = sim.requests
    assert req.path.endswith("/transactions/..%2Fstk-push")


async def test_empty_id_sends_nothing(sim: PaylorSimulator, client: PaylorClient) -> None:
    with pytest.raises(InvalidParameterError):
        await client.transactions.retrieve("")
    assert sim.requests == []


async def test_list_walks_pages_lazily(sim: PaylorSimulator, client: PaylorClient) -> None:
    for i in range(7):
        await client.payments.stk_push(phone="0712345678", amount=10, reference=f"L-{i}")
    before = len(sim.requests_for("/merchants/payments/transactions"))
    walk = client.transactions.list(page_size=3)
    assert len(sim.requests_for("/merchants/payments/transactions")) == before  # nothing yet
    first = await anext(walk)
    assert first.reference == "L-6"  # newest first
    assert len(sim.requests_for("/merchants/payments/transactions")) == before + 1
    rest = [tx.reference async for tx in walk]
    assert rest == [f"L-{i}" for i in range(5, -1, -1)]
    pages = sim.requests_for("/merchants/payments/transactions")[before:]
    assert [(r.query["limit"], r.query["offset"]) for r in pages] == [
        ("3", "0"),
        ("3", "3"),
        ("3", "6"),
    ]


async def test_list_skips_repeats_when_new_transactions_shift_pages(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    for i in range(4):
        await client.payments.stk_push(phone="0712345678", amount=10, reference=f"S-{i}")
    seen = []
    async for tx in client.transactions.list(page_size=2):
        seen.append(tx.reference)
        if len(seen) == 2:  # a new payment arrives between pages: everything shifts by one
            await client.payments.stk_push(phone="0712345678", amount=10, reference="S-new")
    assert seen == ["S-3", "S-2", "S-1", "S-0"]


@pytest.mark.parametrize(("page_size", "offset"), [(0, 0), (101, 0), (10, -1), (True, 0)])
async def test_list_refuses_bad_paging(
    sim: PaylorSimulator, client: PaylorClient, page_size: int, offset: int
) -> None:
    with pytest.raises(InvalidParameterError):
        async for _ in client.transactions.list(page_size=page_size, offset=offset):
            pass
    assert sim.requests == []


async def test_a_new_status_and_a_new_field_from_paylor_do_not_break_retrieve(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    push = await client.payments.stk_push(phone="0712345678", amount=100, reference="NEW-1")
    stored = sim.transactions[push.transaction_id]
    stored.status = "REVERSAL_PENDING"
    stored.extra_fields["settlementBatch"] = {"id": "B-7", "fee": 14.9}
    tx = await client.transactions.retrieve(push.transaction_id)
    assert tx.status == "REVERSAL_PENDING"
    assert not tx.status.is_known
    assert not tx.status.is_final
    assert tx.raw["settlementBatch"]["id"] == "B-7"
    listed = [t async for t in client.transactions.list()]
    assert listed[0].status.value == "REVERSAL_PENDING"
