"""The three dedupe states (processing, done, absent) in the verifier and InMemoryDedupe;
unambiguous dedupe keys; what is logged for requests anyone can send."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from paylor_async.errors import ConfigurationError
from paylor_async.webhooks import (
    ClaimResult,
    DuplicateEventError,
    EventInProgressError,
    InMemoryDedupe,
    PaymentEvent,
    WebhookVerificationError,
    WebhookVerifier,
    compute_signature,
    parse_event,
)
from tests.test_webhook_adapters import BODY, SECRET, SIG

HEADERS = {"X-Webhook-Signature": SIG}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_in_progress_then_done_then_expired() -> None:
    clock = FakeClock()
    store = InMemoryDedupe(ttl=3600, processing_ttl=300, clock=clock)
    verifier = WebhookVerifier(SECRET, dedupe=store)
    event = await verifier.verify(BODY, HEADERS)
    with pytest.raises(EventInProgressError) as caught:
        await verifier.verify(BODY, HEADERS)
    assert caught.value.key == event.dedupe_key and caught.value.event == event
    assert not isinstance(caught.value, WebhookVerificationError)
    await verifier.complete(event)
    with pytest.raises(DuplicateEventError):
        await verifier.verify(BODY, HEADERS)
    clock.now += 3600.1
    assert (await verifier.verify(BODY, HEADERS)) == event  # the done key expired


async def test_a_crashed_handlers_claim_expires_after_the_processing_ttl() -> None:
    clock = FakeClock()
    store = InMemoryDedupe(ttl=86_400, processing_ttl=300, clock=clock)
    verifier = WebhookVerifier(SECRET, dedupe=store)
    await verifier.verify(BODY, HEADERS)  # the worker dies: no complete, no release
    clock.now += 299.9
    with pytest.raises(EventInProgressError):
        await verifier.verify(BODY, HEADERS)
    clock.now += 0.2
    retried = await verifier.verify(BODY, HEADERS)  # not dropped for a whole day
    assert isinstance(retried, PaymentEvent)


async def test_release_forgets_a_processing_claim_but_never_a_done_one() -> None:
    store = InMemoryDedupe(clock=FakeClock())
    assert await store.claim("k") is ClaimResult.NEW
    await store.release("k")
    assert await store.claim("k") is ClaimResult.NEW
    await store.complete("k")
    await store.release("k")
    assert await store.claim("k") is ClaimResult.DONE
    assert store.state("k") is ClaimResult.DONE and store.state("other") is None


class BoolStore:
    """A store written for the former protocol: claim returned True (new) or False."""

    def __init__(self) -> None:
        self.keys: set[str] = set()

    async def claim(self, key: str) -> Any:
        new = key not in self.keys
        self.keys.add(key)
        return new

    async def complete(self, key: str) -> None:
        return None

    async def release(self, key: str) -> None:
        self.keys.discard(key)


async def test_a_store_answering_booleans_still_works() -> None:
    verifier = WebhookVerifier(SECRET, dedupe=BoolStore())
    assert isinstance(await verifier.verify(BODY, HEADERS), PaymentEvent)
    with pytest.raises(DuplicateEventError):
        await verifier.verify(BODY, HEADERS)


def test_a_store_without_complete_is_refused_with_a_clear_error() -> None:
    class OldStore:
        async def claim(self, key: str) -> bool:
            return True

        async def release(self, key: str) -> None:
            return None

    with pytest.raises(ConfigurationError, match="complete"):
        WebhookVerifier(SECRET, dedupe=OldStore())  # type: ignore[arg-type]


def payment(tx_id: str, status: str) -> bytes:
    return (
        b'{"event": "transaction.updated", "transaction": {"id": "'
        + tx_id.encode()
        + b'", "amount": 10, "status": "'
        + status.encode()
        + b'"}}'
    )


def test_dedupe_keys_do_not_collide_when_parts_contain_colons() -> None:
    one = parse_event(payment("a:b", "C"))
    two = parse_event(payment("a", "b:C"))
    assert one.dedupe_key != two.dedupe_key
    assert one.dedupe_key == "tx:a%3Ab:C" and two.dedupe_key == "tx:a:b%3AC"
    percent = parse_event(payment("a%3Ab", "C"))
    assert percent.dedupe_key not in (one.dedupe_key, two.dedupe_key)
    # A transaction id cannot take an unknown event's key, nor a Global reference's.
    unknown = parse_event(b'{"event": "something.new"}')
    digest = unknown.dedupe_key.split(":", 1)[1]
    assert parse_event(payment("sha256", digest)).dedupe_key != unknown.dedupe_key
    glob = parse_event(
        b'{"event": "global.collection.confirmed", "reference": "GC-1", "amount": 5, '
        b'"status": "CONFIRMED"}'
    )
    assert parse_event(payment("GC-1", "CONFIRMED")).dedupe_key != glob.dedupe_key


async def test_forged_requests_are_logged_below_warning(caplog: pytest.LogCaptureFixture) -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from paylor_async.webhooks.aiohttp import webhook_handler

    app = web.Application()
    app.router.add_post("/hook", webhook_handler(WebhookVerifier(SECRET), lambda event: None))
    signed_junk = b"not json"
    caplog.set_level(logging.DEBUG, logger="paylor_async.webhooks")
    async with TestClient(TestServer(app)) as http:
        for headers, body in [
            ({"X-Webhook-Signature": "0" * 64}, BODY),
            ({}, BODY),
            ({"X-Webhook-Signature": compute_signature(signed_junk, SECRET)}, signed_junk),
        ]:
            async with http.post("/hook", data=body, headers=headers) as resp:
                assert resp.status in (400, 401)
    ours = [r for r in caplog.records if r.name == "paylor_async.webhooks"]
    assert len(ours) == 3
    assert all(r.levelno == logging.INFO for r in ours)


async def test_marking_done_failing_still_answers_200_and_logs_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from paylor_async.webhooks.aiohttp import webhook_handler

    class FlakyStore(InMemoryDedupe):
        async def complete(self, key: str) -> None:
            raise ConnectionError("store went away")

    calls: list[object] = []
    verifier = WebhookVerifier(SECRET, dedupe=FlakyStore())
    app = web.Application()
    app.router.add_post("/hook", webhook_handler(verifier, calls.append))
    async with (
        TestClient(TestServer(app)) as http,
        http.post("/hook", data=BODY, headers=HEADERS) as resp,
    ):
        status = resp.status
    assert status == 200  # the event was acted on: a 500 would get it redelivered
    assert len(calls) == 1
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and "marking it done failed" in errors[0].getMessage()


async def test_a_cancellation_while_marking_done_still_marks_it_done() -> None:
    """The handler's task is cancelled (client gone, shutdown) after the user's code returned,
    while the store is being told: the event must still end up done, not processing."""
    import asyncio

    from paylor_async.webhooks import ClaimResult, WebhookVerifier
    from paylor_async.webhooks._dispatch import complete_quietly

    class SlowStore:
        def __init__(self) -> None:
            self.state: dict[str, str] = {}
            self.marking = asyncio.Event()

        async def claim(self, key: str) -> ClaimResult:
            if key in self.state:
                return ClaimResult(self.state[key])
            self.state[key] = "in_progress"
            return ClaimResult.NEW

        async def complete(self, key: str) -> None:
            self.marking.set()
            await asyncio.sleep(0.05)  # a round trip to a shared store
            self.state[key] = "done"

        async def release(self, key: str) -> None:
            if self.state.get(key) == "in_progress":
                del self.state[key]

    store = SlowStore()
    verifier = WebhookVerifier(secrets=[SECRET], dedupe=store)
    event = await verifier.verify(BODY, {"X-Webhook-Signature": SIG})
    task = asyncio.create_task(complete_quietly(verifier, event))
    await store.marking.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert store.state == {event.dedupe_key: "done"}
    assert await store.claim(event.dedupe_key) is ClaimResult.DONE


async def test_a_full_memory_store_forgets_handled_keys_before_claims_in_progress() -> None:
    from paylor_async.webhooks import ClaimResult, InMemoryDedupe

    now = [0.0]
    store = InMemoryDedupe(ttl=100, processing_ttl=50, clock=lambda: now[0], max_keys=3)
    assert await store.claim("slow") is ClaimResult.NEW  # a slow handler, still running
    for key in ("a", "b"):
        assert await store.claim(key) is ClaimResult.NEW
        await store.complete(key)
    assert await store.claim("c") is ClaimResult.NEW  # full: the oldest handled key goes
    assert await store.claim("slow") is ClaimResult.IN_PROGRESS  # not the running claim
    assert await store.claim("b") is ClaimResult.DONE
    assert len(store) == 3


@pytest.mark.parametrize("answer", [None, "done-ish", 0, "maybe"])
async def test_a_store_answering_nonsense_fails_loudly_not_as_a_duplicate(answer: object) -> None:
    from paylor_async.webhooks import DuplicateEventError, WebhookVerifier

    class BrokenStore:
        async def claim(self, key: str) -> object:
            return answer

        async def complete(self, key: str) -> None: ...

        async def release(self, key: str) -> None: ...

    verifier = WebhookVerifier(secrets=[SECRET], dedupe=BrokenStore())  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError) as caught:
        await verifier.verify(BODY, {"X-Webhook-Signature": SIG})
    assert not isinstance(caught.value, DuplicateEventError)
