"""The simulator's webhook deliveries: callbackUrl, registered endpoints, filters, switches, log.

Everything goes over real HTTP on loopback to small aiohttp.web receivers; signatures are
checked with the SDK's own verifier.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest

from paylor_async._clock import ManualClock
from paylor_async.testing import PaylorSimulator
from paylor_async.testing._state import RegisteredWebhook
from paylor_async.webhooks import SignatureMismatchError, compute_signature, verify_signature

from ._receivers import Receiver, push, receivers_fixture  # noqa: F401 - a fixture

MakeReceiver = Callable[[], Awaitable[Receiver]]


@pytest.fixture
async def sim() -> AsyncIterator[PaylorSimulator]:
    async with PaylorSimulator(clock=ManualClock(autojump=True)) as simulator:
        yield simulator


async def test_complete_delivers_signed_payment_success_to_the_callback_url(
    sim: PaylorSimulator, http: aiohttp.ClientSession, receivers: MakeReceiver
) -> None:
    hook = await receivers()
    tx_id = await push(http, sim, hook.url)
    now = sim.clock.now()
    returned = await sim.complete(tx_id, mpesa_receipt="RFL8S2K9P0")
    assert returned.status == "COMPLETED"
    [(headers, body)] = hook.received
    verify_signature(body, headers["X-Webhook-Signature"], sim.webhook_secret)
    assert headers["X-Webhook-Event"] == "payment.success"
    assert headers["Content-Type"] == "application/json"
    event = json.loads(body)
    assert event["event"] == "payment.success"
    assert (event["transaction"]["id"], event["transaction"]["reference"]) == (tx_id, "ORDER-7")
    assert event["transaction"]["metadata"]["mpesaReceipt"] == "RFL8S2K9P0"
    [delivery] = sim.webhook_deliveries
    assert delivery.delivery_id.startswith("dlv_")
    assert (delivery.url, delivery.event, delivery.header_event) == (
        hook.url,
        "payment.success",
        "payment.success",
    )
    assert (delivery.body, delivery.status, delivery.error, delivery.ok) == (body, 200, None, True)
    assert (delivery.attempt, delivery.sent_at, delivery.transaction_id) == (1, now, tx_id)
    assert (delivery.endpoint_id, delivery.duplicate, delivery.wrong_secret) == (None, False, False)
    assert delivery.headers["X-Webhook-Signature"] == headers["X-Webhook-Signature"]
    assert sim.deliveries_to(hook.url) == [delivery]
    assert sim.deliveries_to(hook.url + "/other") == []


async def test_fail_delivers_payment_failed_to_callback_url_and_registered_endpoint(
    sim: PaylorSimulator, http: aiohttp.ClientSession, receivers: MakeReceiver
) -> None:
    hook, registered = await receivers(), await receivers()
    sim.register_webhook(registered.url)
    tx_id = await push(http, sim, hook.url)
    await sim.fail(tx_id)
    [(headers, body)] = hook.received
    [(reg_headers, reg_body)] = registered.received
    assert reg_body == body  # serialised once: the very same bytes
    event = json.loads(body)
    assert (event["event"], event["transaction"]["status"]) == ("payment.failed", "FAILED")
    assert event["transaction"]["metadata"]["callbackResultCode"] == 1032
    assert headers["X-Webhook-Event"] == "payment.failed"
    assert reg_headers["X-Webhook-Event"] == "transaction.updated"
    for got in (headers, reg_headers):
        verify_signature(body, got["X-Webhook-Signature"], sim.webhook_secret)


async def test_registered_endpoint_gets_transaction_updated_header_with_payment_body(
    sim: PaylorSimulator, http: aiohttp.ClientSession, receivers: MakeReceiver
) -> None:
    registered = await receivers()
    webhook_id = sim.register_webhook(registered.url, events=["payment.success"])
    tx_id = await push(http, sim)  # no callbackUrl: only the registered endpoint hears of it
    await sim.complete(tx_id)
    [(headers, body)] = registered.received
    assert headers["X-Webhook-Event"] == "transaction.updated"
    assert json.loads(body)["event"] == "payment.success"
    verify_signature(body, headers["X-Webhook-Signature"], sim.webhook_secret)
    [delivery] = sim.webhook_deliveries
    assert (delivery.event, delivery.header_event) == ("payment.success", "transaction.updated")
    assert (delivery.endpoint_id, delivery.transaction_id, delivery.status) == (
        webhook_id,
        tx_id,
        200,
    )


async def test_event_filter_is_honoured_and_unregister_stops_deliveries(
    sim: PaylorSimulator, http: aiohttp.ClientSession, receivers: MakeReceiver
) -> None:
    failed_only, updated, everything = await receivers(), await receivers(), await receivers()
    sim.register_webhook(failed_only.url, events=["payment.failed"])
    sim.register_webhook(updated.url, events=["transaction.updated"])
    everything_id = sim.register_webhook(everything.url)
    await sim.complete(await push(http, sim))
    assert (len(failed_only.received), len(updated.received), len(everything.received)) == (0, 1, 1)
    await sim.fail(await push(http, sim))
    assert (len(failed_only.received), len(updated.received), len(everything.received)) == (1, 2, 2)
    assert json.loads(failed_only.bodies[0])["event"] == "payment.failed"
    sim.unregister_webhook(everything_id)
    assert everything_id not in sim.registered_webhooks
    await sim.complete(await push(http, sim))
    assert (len(failed_only.received), len(updated.received), len(everything.received)) == (1, 3, 2)
    with pytest.raises(KeyError):
        sim.unregister_webhook(everything_id)


async def test_inactive_registered_endpoint_gets_nothing(
    sim: PaylorSimulator, http: aiohttp.ClientSession, receivers: MakeReceiver
) -> None:
    hook = await receivers()
    webhook_id = sim.register_webhook(hook.url)
    sim.registered_webhooks[webhook_id].active = False  # as a disabled dashboard endpoint
    await sim.complete(await push(http, sim))
    assert hook.received == []
    assert sim.webhook_deliveries == []


async def test_non_payment_event_reaches_registered_endpoints_under_its_own_name(
    sim: PaylorSimulator, receivers: MakeReceiver
) -> None:
    everything, global_only, payments_only = await receivers(), await receivers(), await receivers()
    sim.register_webhook(everything.url)
    sim.register_webhook(global_only.url, events=["global.collection.confirmed"])
    sim.register_webhook(payments_only.url, events=["payment.success", "transaction.updated"])
    payload = {"event": "global.collection.confirmed", "reference": "GC-1", "amount": 1500}
    sent = await sim._deliver_event("global.collection.confirmed", payload, callback_url=None)
    assert sorted(d.url for d in sent) == sorted([everything.url, global_only.url])
    assert payments_only.received == []
    for hook in (everything, global_only):
        [(headers, body)] = hook.received
        assert headers["X-Webhook-Event"] == "global.collection.confirmed"
        assert json.loads(body) == payload
        verify_signature(body, headers["X-Webhook-Signature"], sim.webhook_secret)
    assert len({d.delivery_id for d in sent}) == 2  # one delivery per target


async def test_duplicate_switch_sends_the_same_signed_bytes_twice(
    sim: PaylorSimulator, http: aiohttp.ClientSession, receivers: MakeReceiver
) -> None:
    hook = await receivers()
    sim.webhook_faults.duplicate = True
    await sim.complete(await push(http, sim, hook.url))
    (headers_1, body_1), (headers_2, body_2) = hook.received
    assert body_1 == body_2
    assert headers_1["X-Webhook-Signature"] == headers_2["X-Webhook-Signature"]
    verify_signature(body_2, headers_2["X-Webhook-Signature"], sim.webhook_secret)
    original, duplicate = sim.webhook_deliveries
    assert (original.duplicate, duplicate.duplicate) == (False, True)
    assert duplicate.delivery_id == original.delivery_id
    assert (duplicate.attempt, duplicate.status, duplicate.body) == (1, 200, original.body)
    sim.webhook_faults.reset()
    await sim.complete(await push(http, sim, hook.url))
    assert len(hook.received) == 3


async def test_duplicate_follows_only_a_successful_attempt(
    sim: PaylorSimulator, http: aiohttp.ClientSession, receivers: MakeReceiver
) -> None:
    hook = await receivers()
    hook.script = [503]
    sim.webhook_faults.duplicate = True
    await sim.complete(await push(http, sim, hook.url))
    await sim.drain_deliveries()
    log = [(d.attempt, d.status, d.duplicate) for d in sim.webhook_deliveries]
    assert log == [(1, 503, False), (2, 200, False), (2, 200, True)]


async def test_wrong_secret_switch_signs_so_the_real_secret_rejects_it(
    sim: PaylorSimulator, http: aiohttp.ClientSession, receivers: MakeReceiver
) -> None:
    hook = await receivers()
    sim.webhook_faults.wrong_secret = True
    await sim.complete(await push(http, sim, hook.url))
    [(headers, body)] = hook.received
    signature = headers["X-Webhook-Signature"]
    assert len(signature) == 64
    assert signature == signature.lower()
    assert signature != compute_signature(body, sim.webhook_secret)
    with pytest.raises(SignatureMismatchError):
        verify_signature(body, signature, sim.webhook_secret)
    [delivery] = sim.webhook_deliveries
    assert delivery.wrong_secret is True
    sim.webhook_faults.wrong_secret = False
    await sim.complete(await push(http, sim, hook.url))
    verify_signature(hook.bodies[1], hook.received[1][0]["X-Webhook-Signature"], sim.webhook_secret)
    assert sim.webhook_deliveries[1].wrong_secret is False


async def test_auto_completion_delivers_to_registered_endpoints_in_the_background(
    http: aiohttp.ClientSession, receivers: MakeReceiver
) -> None:
    hook = await receivers()
    clock = ManualClock()
    async with PaylorSimulator(clock=clock, completion_delay=10) as sim:
        sim.register_webhook(hook.url)
        await push(http, sim)
        await clock.advance(10)
        [delivery] = await sim.wait_for_deliveries(1)
        assert (delivery.header_event, delivery.status) == ("transaction.updated", 200)
        assert len(hook.received) == 1


async def test_register_webhook_validates_its_input(sim: PaylorSimulator) -> None:
    for bad_url in ("/hook", "ftp://example.com/hook", "http://", "", 42):
        with pytest.raises(ValueError, match="absolute"):
            sim.register_webhook(bad_url)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="single string"):
        sim.register_webhook("http://127.0.0.1:9/hook", events="payment.success")
    with pytest.raises(ValueError, match="at least one"):
        sim.register_webhook("http://127.0.0.1:9/hook", events=[])
    with pytest.raises(TypeError, match="non-empty strings"):
        sim.register_webhook("http://127.0.0.1:9/hook", events=["payment.success", ""])
    assert sim.registered_webhooks == {}
    webhook_id = sim.register_webhook("https://example.com/hook", events=("payment.failed",))
    endpoint = sim.registered_webhooks[webhook_id]
    assert (endpoint.url, endpoint.events, endpoint.active) == (
        "https://example.com/hook",
        frozenset({"payment.failed"}),
        True,
    )
    with pytest.raises(TypeError):
        sim.registered_webhooks["x"] = endpoint  # type: ignore[index]


async def test_the_log_and_reprs_never_carry_the_secret(
    sim: PaylorSimulator, http: aiohttp.ClientSession, receivers: MakeReceiver
) -> None:
    hook = await receivers()
    sim.webhook_faults.wrong_secret = True
    await sim.complete(await push(http, sim, hook.url))
    sim.webhook_faults.wrong_secret = False
    await sim.complete(await push(http, sim, hook.url))
    shown = repr(sim.webhook_deliveries) + repr(sim.webhook_faults) + repr(sim.delivery_policy)
    assert sim.webhook_secret not in shown
    assert sim._sender._wrong_secret is not None
    assert sim._sender._wrong_secret not in shown


async def test_endpoints_registered_through_the_api_registry_get_deliveries_too(
    sim: PaylorSimulator, http: aiohttp.ClientSession, receivers: MakeReceiver
) -> None:
    hook = await receivers()
    # What the POST /global/webhooks handler does: add a record to the shared registry.
    sim._state.webhook_endpoints["api-1"] = RegisteredWebhook(
        id="api-1", url=hook.url, events=frozenset({"payment.success"}), created_at="now"
    )
    assert "api-1" in sim.registered_webhooks
    await sim.complete(await push(http, sim))
    [(headers, _)] = hook.received
    assert headers["X-Webhook-Event"] == "transaction.updated"
    assert sim.webhook_deliveries[0].endpoint_id == "api-1"
