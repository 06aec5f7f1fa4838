"""Rotating the API key on a live client: nothing fails, the old key stops being used."""

from __future__ import annotations

import asyncio
import logging

import pytest

from paylor_async import AuthenticationError, ConfigurationError, PaylorClient
from paylor_async.testing import Fault, PaylorSimulator

STK = "/merchants/payments/stk-push"


async def stk(client: PaylorClient, n: int) -> str:
    result = await client.payments.stk_push(phone="0712345678", amount=10, reference=f"R-{n}")
    return result.transaction_id


async def test_rotation_mid_traffic_fails_nothing(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    old = sim.api_key
    # Wave one is held at the simulator before authentication, so it is still in flight
    # when the key is rotated and the old one revoked.
    sim.faults.inject(Fault.DELAY, path=STK, times=10, delay=0.3)
    wave_one = [asyncio.create_task(stk(client, n)) for n in range(10)]
    async with asyncio.timeout(5):
        while len(sim.requests_for(STK)) < 10:
            await asyncio.sleep(0.005)
    new = sim.rotate_key()
    client.set_api_key(new)
    rotated_at = len(sim.requests)
    wave_two = [asyncio.create_task(stk(client, n)) for n in range(10, 30)]
    results = await asyncio.gather(*wave_one, *wave_two)

    assert len(set(results)) == 30  # every call succeeded, one transaction each
    assert len(sim.transactions) == 30
    after = sim.requests[rotated_at:]
    # After the rotation only wave one's first attempts (sent earlier) used the old key and
    # got 401; each was resent once with the new key. Nothing else ever used the old key.
    assert [r.api_key for r in sim.requests[:rotated_at]] == [old] * 10
    assert all(r.api_key == new for r in after)
    assert sum(r.status == 401 for r in sim.requests) == 10
    assert sum(r.status == 201 for r in after) == 30


async def test_rotation_keeps_idempotency_key_on_resend(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    sim.faults.inject(Fault.DELAY, path=STK, times=1, delay=0.2)
    task = asyncio.create_task(
        client.payments.stk_push(
            phone="0712345678", amount=10, reference="R-1", idempotency_key="order-1-attempt-1"
        )
    )
    async with asyncio.timeout(5):
        while not sim.requests_for(STK):
            await asyncio.sleep(0.005)
    client.set_api_key(sim.rotate_key())
    result = await task
    sent = sim.requests_for(STK)
    assert [r.status for r in sent] == [401, 201]
    assert {r.headers["Idempotency-Key"] for r in sent} == {"order-1-attempt-1"}
    assert result.idempotency_key == "order-1-attempt-1"


async def test_copies_follow_the_rotation(sim: PaylorSimulator, client: PaylorClient) -> None:
    copy = client.with_options(timeout=5)
    new = sim.rotate_key()
    client.set_api_key(new)
    await stk(copy, 1)
    assert sim.requests[-1].api_key == new


async def test_a_revoked_key_without_rotation_is_an_authentication_error(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    sim.revoke_key(sim.api_key)
    with pytest.raises(AuthenticationError):
        await stk(client, 1)
    assert len(sim.requests) == 1  # not resent: the key did not change


@pytest.mark.parametrize("bad", ["", "  ", "pk_with space", "pk_\n"])
def test_set_api_key_refuses_unusable_keys(bad: str) -> None:
    client = PaylorClient("pk_test_original_key_123")
    with pytest.raises(ConfigurationError) as caught:
        client.set_api_key(bad)
    assert "pk_test_original_key_123" not in str(caught.value)


async def test_old_and_new_keys_stay_out_of_logs_and_errors(
    sim: PaylorSimulator, client: PaylorClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    old = sim.api_key
    new = sim.rotate_key()
    client.set_api_key(new)
    sim.faults.inject(Fault.API_ERROR, path=STK, status=400, code="X", message=f"bad {old} {new}")
    with pytest.raises(Exception) as caught:
        await stk(client, 1)
    text = str(caught.value) + repr(caught.value) + caplog.text + repr(client)
    assert old not in text
    assert new not in text
