"""WebhookVerifier and InMemoryDedupe: headers from any mapping, dedupe, release, hostile input."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from paylor_async.errors import ConfigurationError, PaylorError
from paylor_async.webhooks import (
    ClaimResult,
    DedupeStore,
    DuplicateEventError,
    EventInProgressError,
    InMemoryDedupe,
    InvalidPayloadError,
    MalformedSignatureError,
    MissingSignatureError,
    PaymentEvent,
    RawBodyRequiredError,
    SignatureMismatchError,
    UnknownEvent,
    WebhookSecretError,
    WebhookVerificationError,
    WebhookVerifier,
    compute_signature,
)

SECRET = "whsec_verifier_current_3c9e"
OLD_SECRET = "whsec_verifier_previous_8a1b"
BODY = (
    b'{"event": "payment.success", "transaction": {"id": "tx-1", "reference": "ORDER-1", '
    b'"amount": 1000, "status": "COMPLETED"}}'
)
SIG = compute_signature(BODY, SECRET)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class WeirdHeaders(Mapping[str, Any]):
    """A case-sensitive custom Mapping, as some frameworks' test doubles are."""

    def __init__(self, items: dict[str, Any]) -> None:
        self._items = items

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


class BrokenHeaders(Mapping[str, Any]):
    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("boom")

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("boom")

    def __len__(self) -> int:
        return 1


def header_shapes() -> list[object]:
    from multidict import CIMultiDict, CIMultiDictProxy
    from starlette.datastructures import Headers

    return [
        {"X-Webhook-Signature": SIG},
        {"x-webhook-signature": SIG},
        {"X-WEBHOOK-SIGNATURE": SIG},
        {"HTTP_X_WEBHOOK_SIGNATURE": SIG, "CONTENT_TYPE": "application/json"},  # WSGI / META
        CIMultiDictProxy(CIMultiDict({"x-Webhook-signature": SIG})),
        Headers(raw=[(b"x-webhook-signature", SIG.encode())]),
        WeirdHeaders({"X-Webhook-signature": SIG}),
        [(b"x-webhook-signature", SIG.encode())],  # ASGI scope["headers"]
        [("X-Webhook-Signature", SIG)],
    ]


@pytest.mark.parametrize("headers", header_shapes(), ids=lambda h: type(h).__name__)
def test_headers_from_any_mapping_any_case(headers: object) -> None:
    event = WebhookVerifier(SECRET).verify_sync(BODY, headers)
    assert isinstance(event, PaymentEvent) and event.transaction_id == "tx-1"


def test_django_request_headers() -> None:
    from django.http.request import HttpHeaders

    headers = HttpHeaders({"HTTP_X_WEBHOOK_SIGNATURE": SIG, "HTTP_X_WEBHOOK_EVENT": "t.u"})
    event = WebhookVerifier(SECRET).verify_sync(BODY, headers)
    assert event.delivered_as == "t.u"


@pytest.mark.parametrize(
    ("headers", "error"),
    [
        (None, MissingSignatureError),
        ({}, MissingSignatureError),
        (BrokenHeaders(), MissingSignatureError),
        ("X-Webhook-Signature: abc", MissingSignatureError),
        (42, MissingSignatureError),
        ({"X-Webhook-Signature": 12345}, MalformedSignatureError),
        ({"X-Webhook-Signature": ["a" * 64]}, MalformedSignatureError),
        ({"X-Webhook-Signature": "é" * 64}, MalformedSignatureError),
        ({"X-Webhook-Signature": "a" * 200_000}, MalformedSignatureError),
        ({"X-Webhook-Signature": b"\xff" * 64}, MalformedSignatureError),
        ({"X-Webhook-Signature": "0" * 64}, SignatureMismatchError),
        ({b"\xff" * 10: "x", 3: "y", "X-Webhook-Signature": None}, MissingSignatureError),
    ],
)
def test_hostile_headers_raise_only_verification_errors(
    headers: object, error: type[Exception]
) -> None:
    with pytest.raises(error):
        WebhookVerifier(SECRET).verify_sync(BODY, headers)


@pytest.mark.parametrize(
    ("signature", "error"),
    [
        (SIG.upper(), None),
        ("sha256=" + SIG, None),
        (" " + SIG + "\t", None),
        (SIG[:30] + "  " + SIG[32:], MalformedSignatureError),  # 64 characters, not clean hex
        (SIG[:62] + " a", MalformedSignatureError),
        (SIG[:63] + "g", MalformedSignatureError),
        (SIG[:63] + "\u0660", MalformedSignatureError),
        (SIG[:63], MalformedSignatureError),
        (SIG[:63] + ("0" if SIG[63] != "0" else "1"), SignatureMismatchError),
    ],
)
def test_signature_forms(signature: str, error: type[Exception] | None) -> None:
    verifier = WebhookVerifier(SECRET)
    if error is None:
        assert verifier.verify_sync(BODY, {"X-Webhook-Signature": signature}).dedupe_key
    else:
        with pytest.raises(error):
            verifier.verify_sync(BODY, {"X-Webhook-Signature": signature})


def test_rotation_and_delivered_as() -> None:
    verifier = WebhookVerifier([SECRET, OLD_SECRET])
    old = compute_signature(BODY, OLD_SECRET)
    event = verifier.verify_sync(
        BODY, {"X-Webhook-Signature": old, "X-Webhook-Event": "transaction.updated"}
    )
    assert event.delivered_as == "transaction.updated"
    long_name = verifier.verify_sync(
        BODY, {"X-Webhook-Signature": SIG, "X-Webhook-Event": "e" * 5000}
    )
    assert long_name.delivered_as is None


@pytest.mark.parametrize("secrets", ["", "   ", [], [SECRET, ""], [SECRET, 3], b"bytes", None])
def test_unusable_secrets_fail_at_construction(secrets: Any) -> None:
    with pytest.raises(WebhookSecretError):
        WebhookVerifier(secrets)


def test_secret_never_in_repr_or_errors() -> None:
    verifier = WebhookVerifier([SECRET, OLD_SECRET], dedupe=InMemoryDedupe())
    assert SECRET not in repr(verifier) and OLD_SECRET not in repr(verifier)
    assert repr(verifier) == "<WebhookVerifier secrets=2 dedupe=InMemoryDedupe>"
    with pytest.raises(SignatureMismatchError) as caught:
        WebhookVerifier(SECRET).verify_sync(BODY, {"X-Webhook-Signature": "f" * 64})
    assert SECRET not in str(caught.value) and "f" * 64 not in str(caught.value)


def test_body_must_be_raw_bytes() -> None:
    verifier = WebhookVerifier(SECRET)
    for body in (BODY.decode(), {"event": "x"}, None):
        with pytest.raises(RawBodyRequiredError):
            verifier.verify_sync(body, {"X-Webhook-Signature": SIG})  # type: ignore[arg-type]
    assert verifier.verify_sync(bytearray(BODY), {"X-Webhook-Signature": SIG}).dedupe_key
    assert verifier.verify_sync(memoryview(BODY), {"X-Webhook-Signature": SIG}).dedupe_key


def test_verify_sync_refuses_when_a_dedupe_store_is_configured() -> None:
    verifier = WebhookVerifier(SECRET, dedupe=InMemoryDedupe())
    with pytest.raises(ConfigurationError, match=r"await verifier\.verify"):
        verifier.verify_sync(BODY, {"X-Webhook-Signature": SIG})


def test_dedupe_must_follow_the_protocol() -> None:
    with pytest.raises(ConfigurationError):
        WebhookVerifier(SECRET, dedupe=object())  # type: ignore[arg-type]
    assert isinstance(InMemoryDedupe(), DedupeStore)


async def test_verify_claims_and_duplicates_raise_with_event_and_key() -> None:
    verifier = WebhookVerifier(SECRET, dedupe=InMemoryDedupe())
    headers = {"X-Webhook-Signature": SIG}
    event = await verifier.verify(BODY, headers)
    assert event.dedupe_key == "tx:tx-1:COMPLETED"
    await verifier.complete(event)
    with pytest.raises(DuplicateEventError) as caught:
        await verifier.verify(BODY, headers)
    assert caught.value.key == "tx:tx-1:COMPLETED"
    assert caught.value.event == event
    assert isinstance(caught.value, PaylorError)
    assert not isinstance(caught.value, WebhookVerificationError)
    # A new status of the same transaction is a new event.
    failed = BODY.replace(b"COMPLETED", b"FAILED")
    later = await verifier.verify(
        failed, {"X-Webhook-Signature": compute_signature(failed, SECRET)}
    )
    assert later.dedupe_key == "tx:tx-1:FAILED"
    # Release of a claim in progress: the next delivery is processed again.
    await verifier.release(later)
    failed_headers = {"X-Webhook-Signature": compute_signature(failed, SECRET)}
    assert (await verifier.verify(failed, failed_headers)).dedupe_key == "tx:tx-1:FAILED"


async def test_forged_and_invalid_bodies_claim_nothing() -> None:
    store = InMemoryDedupe()
    verifier = WebhookVerifier(SECRET, dedupe=store)
    with pytest.raises(SignatureMismatchError):
        await verifier.verify(BODY, {"X-Webhook-Signature": "0" * 64})
    bad = b"not json"
    with pytest.raises(InvalidPayloadError):
        await verifier.verify(bad, {"X-Webhook-Signature": compute_signature(bad, SECRET)})
    assert len(store) == 0


async def test_unknown_events_dedupe_on_the_body_hash() -> None:
    verifier = WebhookVerifier(SECRET, dedupe=InMemoryDedupe())
    body = b'{"event": "something.new", "id": 1}'
    headers = {"X-Webhook-Signature": compute_signature(body, SECRET)}
    event = await verifier.verify(body, headers)
    assert isinstance(event, UnknownEvent) and event.dedupe_key.startswith("sha256:")
    await verifier.complete(event)
    with pytest.raises(DuplicateEventError):
        await verifier.verify(body, headers)


async def test_in_memory_dedupe_expires_on_its_clock_and_purges() -> None:
    clock = FakeClock()
    store = InMemoryDedupe(ttl=60, clock=clock)
    assert await store.claim("a") is ClaimResult.NEW
    await store.complete("a")
    assert await store.claim("a") is ClaimResult.DONE
    clock.now += 59.9
    assert await store.claim("a") is ClaimResult.DONE and "a" in store
    clock.now += 0.2
    assert "a" not in store
    assert await store.claim("b") is ClaimResult.NEW
    assert len(store) == 1  # "a" was purged by the claim of "b"
    assert await store.claim("a") is ClaimResult.NEW
    await store.release("a")
    await store.release("never-claimed")
    assert await store.claim("a") is ClaimResult.NEW


async def test_in_memory_dedupe_is_bounded() -> None:
    store = InMemoryDedupe(ttl=3600, clock=FakeClock(), max_keys=3)
    for key in "abcd":
        assert await store.claim(key) is ClaimResult.NEW
    assert len(store) == 3 and "a" not in store and "d" in store


@pytest.mark.parametrize(
    "kwargs",
    [{"ttl": 0}, {"ttl": -1}, {"ttl": float("inf")}, {"max_keys": 0}, {"processing_ttl": 0}],
)
def test_in_memory_dedupe_rejects_bad_settings(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        InMemoryDedupe(**kwargs)


async def test_concurrent_claims_exactly_one_wins() -> None:
    verifier = WebhookVerifier(SECRET, dedupe=InMemoryDedupe())
    headers = {"X-Webhook-Signature": SIG}
    results = await asyncio.gather(
        *(verifier.verify(BODY, headers) for _ in range(50)), return_exceptions=True
    )
    assert sum(isinstance(r, PaymentEvent) for r in results) == 1
    assert sum(isinstance(r, EventInProgressError) for r in results) == 49


def test_claims_from_many_threads_exactly_one_wins() -> None:
    store = InMemoryDedupe()
    barrier = threading.Barrier(8)
    wins: list[ClaimResult] = []

    def claim() -> None:
        barrier.wait()
        wins.append(store.claim_now("k"))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wins.count(ClaimResult.NEW) == 1
    assert wins.count(ClaimResult.IN_PROGRESS) == 7


def test_import_is_light() -> None:
    code = (
        "import sys, paylor_async.webhooks\n"
        "bad = [m for m in ('aiohttp', 'cattrs', 'attrs', 'starlette', 'django', "
        "'paylor_async._client') if m in sys.modules]\n"
        "sys.exit(str(bad) if bad else 0)"
    )
    proc = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
