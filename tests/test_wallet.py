"""Wallet balance and B2C metrics (paths and shapes EARLY/GUESSED) over real HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paylor_async import PaylorClient, ValidationError
from paylor_async.models.wallet import B2CMetrics, WalletSummary
from paylor_async.testing import Fault, PaylorSimulator

from ._mpesa_support import assert_missing_scope, fake_paylor, last_request

WALLET = "/merchants/wallet"
METRICS = "/merchants/b2c/metrics"
WALLET_PATH = "/api/v1" + WALLET
METRICS_PATH = "/api/v1" + METRICS


async def test_wallet_balance_and_fee_movements(sim: PaylorSimulator, client: PaylorClient) -> None:
    push = await client.payments.stk_push(phone="0712345678", amount=1000, reference="W-1")
    await sim.complete(push.transaction_id)
    summary = await client.wallet.retrieve()
    req = last_request(sim, WALLET)
    assert (req.method, req.body) == ("GET", b"")
    assert "Idempotency-Key" not in req.headers
    assert isinstance(summary, WalletSummary)
    assert summary.success is True
    assert summary.balance == Decimal("9985.1")
    assert summary.currency == "KES"
    [movement] = summary.transactions
    assert movement.type == "FEE"
    assert movement.amount == Decimal("-14.9")
    assert movement.reference == "W-1"
    assert movement.transaction_id == push.transaction_id
    assert movement.created_at is not None
    assert summary.response is not None
    assert summary.response.status == 200
    assert summary.response.rate_limit_limit == 60


async def test_b2c_metrics_count_payouts(sim: PaylorSimulator, client: PaylorClient) -> None:
    ok = await client.payouts.b2c("0712345678", 1000, "M-1")
    bad = await client.payouts.b2c("0712345678", 500, "M-2")
    await client.payouts.b2c("0712345678", 200, "M-3")
    await sim.complete_payout(ok.transaction_id or "")
    await sim.fail_payout(bad.transaction_id or "")
    metrics = await client.wallet.b2c_metrics()
    assert isinstance(metrics, B2CMetrics)
    assert metrics.balance == Decimal("100000") - 1000 - 200
    assert metrics.currency == "KES"
    assert (metrics.total_payouts, metrics.successful, metrics.failed, metrics.pending) == (
        3,
        1,
        1,
        1,
    )
    assert metrics.total_amount == Decimal("1000")
    assert metrics.response is not None
    assert metrics.response.status == 200
    assert last_request(sim, METRICS).method == "GET"


@pytest.mark.parametrize("wrapper", [None, "metrics", "data"])
async def test_metrics_decode_flat_or_wrapped(wrapper: str | None) -> None:
    inner = {"balance": 12.5, "totalPayouts": 4, "newFigure": "kept"}
    answers = {METRICS_PATH: inner if wrapper is None else {wrapper: inner}}
    async with fake_paylor(answers) as paylor:
        metrics = await paylor.wallet.b2c_metrics()
    assert metrics.balance == Decimal("12.5")
    assert metrics.total_payouts == 4
    assert metrics.successful is None
    assert metrics.raw["newFigure"] == "kept"


async def test_wallet_tolerates_missing_and_unknown_fields() -> None:
    answers = {WALLET_PATH: {"wallet": {"balance": "7.25"}, "tier": "gold"}}
    async with fake_paylor(answers) as paylor:
        summary = await paylor.wallet.retrieve()
    assert summary.balance == Decimal("7.25")
    assert summary.currency is None
    assert summary.transactions == ()
    assert summary.raw["tier"] == "gold"


async def test_server_validation_error_has_details(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    details = [{"path": "merchant", "message": "wallet not provisioned"}]
    sim.faults.inject(Fault.VALIDATION_ERROR, path=WALLET, details=details)
    with pytest.raises(ValidationError) as info:
        await client.wallet.retrieve()
    assert [(d.path, d.message) for d in info.value.details] == [
        ("merchant", "wallet not provisioned")
    ]


async def test_wallet_needs_wallet_read(sim: PaylorSimulator) -> None:
    await assert_missing_scope(
        sim, lambda c: c.wallet.retrieve(), route="wallet_retrieve", required="wallet:read"
    )


async def test_metrics_need_b2c_read(sim: PaylorSimulator) -> None:
    await assert_missing_scope(
        sim, lambda c: c.wallet.b2c_metrics(), route="b2c_metrics", required="b2c:read"
    )
