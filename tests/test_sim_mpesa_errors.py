"""Every M-Pesa product endpoint turns a server VALIDATION_ERROR into a typed error with details."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paylor_async import PaylorClient, ValidationError
from paylor_async.testing import Fault, PaylorSimulator

from ._mpesa_support import collect

MISSING = "665f4c1b9a8d2e001f2a9999"
CALLS: list[tuple[str, bool, Callable[[PaylorClient], Any]]] = [
    ("b2c_payout", True, lambda c: c.payouts.b2c("0712345678", 100, "E")),
    ("b2b_express", True, lambda c: c.payments.b2b_express(
        payer_shortcode="600100", amount=10, reference="E")),
    ("crypto_create", True, lambda c: c.crypto.create_payment(1, "E")),
    ("crypto_retrieve", False, lambda c: c.crypto.retrieve(MISSING)),
    ("wallet_retrieve", False, lambda c: c.wallet.retrieve()),
    ("b2c_metrics", False, lambda c: c.wallet.b2c_metrics()),
    ("channel_list", False, lambda c: collect(c.channels.list())),
    ("channel_create", True, lambda c: c.channels.create("A", "TILL", "111222")),
    ("channel_update", False, lambda c: c.channels.update(MISSING, name="B")),
    ("channel_delete", False, lambda c: c.channels.delete(MISSING)),
]  # fmt: skip


@pytest.mark.parametrize(("route", "posts", "call"), CALLS, ids=[r for r, _, _ in CALLS])
async def test_validation_error_details_reach_the_caller(
    sim: PaylorSimulator,
    client: PaylorClient,
    route: str,
    posts: bool,
    call: Callable[[PaylorClient], Any],
) -> None:
    details = [
        {"path": "field", "message": "field is wrong", "code": "custom"},
        {"path": "other", "message": "other is missing", "code": "invalid_type"},
    ]
    sim.faults.inject(Fault.VALIDATION_ERROR, path=route, details=details)
    with pytest.raises(ValidationError) as info:
        await call(client)
    error = info.value
    assert (error.status, error.code) == (400, "VALIDATION_ERROR")
    assert [(d.path, d.message, d.code) for d in error.details] == [
        ("field", "field is wrong", "custom"),
        ("other", "other is missing", "invalid_type"),
    ]
    [request] = sim.requests_for(route)
    assert error.path == request.relative_path
    if posts:
        assert error.idempotency_key == request.headers["Idempotency-Key"]
    else:
        assert "Idempotency-Key" not in request.headers
