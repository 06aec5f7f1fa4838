"""Webhook delivery: build the event body once, sign it, POST it to every target, retry, log.

One event goes to its transaction's ``callbackUrl`` and to every matching registered endpoint.
The body is serialised and signed once per event, so every target gets the same bytes. The
first attempt to every target is awaited (concurrently); a failed one (non-2xx, timeout,
connection error) is retried in the background with exponential backoff on the simulator's
clock, so one slow receiver never holds up another event. Every POST is recorded. A delivery
never raises into its caller: failures are recorded.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import aiohttp
import attrs

from .._clock import Clock
from ..webhooks._signature import compute_signature
from . import _ids
from ._responses import dumps
from ._state import RegisteredWebhook, SimTransaction

__all__ = [
    "REGISTERED_PAYMENT_HEADER_EVENT",
    "DeliveryPolicy",
    "DeliveryTarget",
    "WebhookDelivery",
    "WebhookFaults",
    "WebhookSender",
    "payment_event",
    "registered_targets",
    "signed_headers",
]

#: What ``X-Webhook-Event`` says to registered endpoints for ``payment.*`` events (EARLY).
REGISTERED_PAYMENT_HEADER_EVENT: Final = "transaction.updated"


def _positive(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


def _not_negative(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value >= 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value!r}")


def _at_least_one(_: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be a whole number >= 1, got {value!r}")


@attrs.frozen
class DeliveryPolicy:
    """How webhooks are sent: ``max_attempts`` POSTs at most, ``timeout`` seconds each.

    Before attempt ``n`` (``n >= 2``) the sender waits ``backoff * 2 ** (n - 2)`` seconds on
    the simulator's clock, at most ``max_backoff``: 1, 2, 4, 8 s by default. A 2xx answer ends
    the attempts; a non-2xx answer, a timeout or a connection error is a failure.
    ``DeliveryPolicy(max_attempts=1)`` turns retries off.

    Raises:
        ValueError: a non-positive ``timeout``, ``max_attempts`` below 1, a negative backoff.
    """

    timeout: float = attrs.field(default=5.0, validator=_positive)
    max_attempts: int = attrs.field(default=5, validator=_at_least_one)
    backoff: float = attrs.field(default=1.0, validator=_not_negative)
    max_backoff: float = attrs.field(default=60.0, validator=_not_negative)

    def delay_before(self, attempt: int) -> float:
        """Seconds to wait before ``attempt`` (1-based); 0 before the first."""
        if attempt <= 1:
            return 0.0
        return float(min(self.max_backoff, self.backoff * 2 ** (attempt - 2)))


@attrs.define
class WebhookFaults:
    """Switches for misbehaving deliveries; flip them at any time (read once per event).

    Attributes:
        duplicate: after each successful POST, send the same bytes and signature again (what a
            replayed callback looks like). Recorded with ``duplicate=True``.
        wrong_secret: sign with a secret that is not :attr:`PaylorSimulator.webhook_secret`;
            a correct receiver answers 401. Recorded with ``wrong_secret=True``.
    """

    duplicate: bool = False
    wrong_secret: bool = False

    def reset(self) -> None:
        """Turn every switch off."""
        self.duplicate = False
        self.wrong_secret = False


@attrs.frozen(kw_only=True)
class WebhookDelivery:
    """One POST of a webhook: where, what (exact bytes and headers), and how it ended.

    ``event`` is the body's event; ``header_event`` is what ``X-Webhook-Event`` said (for a
    registered endpoint, ``transaction.updated`` while the body says ``payment.success``).
    ``delivery_id`` is shared by every attempt (and the duplicate) of one event to one target;
    ``attempt`` counts from 1 (a duplicate repeats the number of the attempt it copies).
    ``status`` is the receiver's HTTP status, or ``None`` with ``error`` set when there was no
    answer (timeout, refused connection). ``sent_at`` is the simulator clock's ``now()``.
    """

    delivery_id: str
    url: str
    event: str
    header_event: str
    body: bytes
    headers: Mapping[str, str]
    status: int | None
    error: str | None
    attempt: int
    sent_at: float
    transaction_id: str | None = None
    endpoint_id: str | None = None  # the registered endpoint's id; None for a callbackUrl
    duplicate: bool = False
    wrong_secret: bool = False

    @property
    def ok(self) -> bool:
        """The receiver answered 2xx."""
        return self.status is not None and 200 <= self.status < 300


@attrs.frozen
class DeliveryTarget:
    """Where one event goes and what its ``X-Webhook-Event`` header says there."""

    url: str
    header_event: str
    endpoint_id: str | None = None


def registered_targets(endpoints: Iterable[RegisteredWebhook], event: str) -> list[DeliveryTarget]:
    """The active registered endpoints that want ``event``, in registration order.

    ``payment.*`` events are announced as ``transaction.updated``; other events (such as
    ``global.collection.confirmed``) under their own name. A filter matches either name.
    """
    header = REGISTERED_PAYMENT_HEADER_EVENT if event.startswith("payment.") else event
    return [
        DeliveryTarget(endpoint.url, header, endpoint.id)
        for endpoint in endpoints
        if endpoint.active
        and (endpoint.events is None or event in endpoint.events or header in endpoint.events)
    ]


def payment_event(tx: SimTransaction) -> tuple[str, dict[str, Any]]:
    """``payment.success`` / ``payment.failed`` with the nested body Paylor sends."""
    event = "payment.success" if tx.status == "COMPLETED" else "payment.failed"
    payload = {
        "event": event,
        "transaction": {
            "id": tx.id,
            "reference": tx.reference,
            "internalReference": tx.internal_reference,
            "amount": tx.amount,
            "status": tx.status,
            "providerRef": tx.provider_ref,
            "metadata": {
                "mpesaReceipt": tx.mpesa_receipt,
                "callbackResultCode": tx.result_code,
                "callbackResultDesc": tx.result_desc,
            },
        },
    }
    return event, payload


def signed_headers(body: bytes, event: str, secret: str) -> dict[str, str]:
    """The headers of a delivery: JSON, the signature of ``body`` and the event name."""
    return {
        "Content-Type": "application/json",
        "X-Webhook-Signature": compute_signature(body, secret),
        "X-Webhook-Event": event,
    }


@attrs.frozen
class _Job:
    """One event to one target, with the settings in force when the event was sent."""

    delivery_id: str
    target: DeliveryTarget
    event: str
    body: bytes
    headers: Mapping[str, str]
    transaction_id: str | None
    policy: DeliveryPolicy
    duplicate: bool
    wrong_secret: bool


class WebhookSender:
    """Sends events; owns one ``ClientSession`` (:meth:`start` / :meth:`close`) and its retries."""

    def __init__(
        self,
        *,
        secret: Callable[[], str],
        clock: Clock,
        record: Callable[[WebhookDelivery], None],
        policy: DeliveryPolicy | None = None,
    ) -> None:
        self._secret = secret
        self._wrong_secret: str | None = None
        self._clock = clock
        self._record = record
        self.policy = policy or DeliveryPolicy()
        self.faults = WebhookFaults()
        self._session: aiohttp.ClientSession | None = None
        self._retries: set[asyncio.Task[None]] = set()
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False
        self._numbers = itertools.count(1)

    async def start(self) -> None:
        if self._session is None and not self._closed:
            self._session = aiohttp.ClientSession()

    async def close(self) -> None:
        """Cancel pending retries (awaiting them), then close the session. Idempotent."""
        self._closed = True
        retries = list(self._retries)
        for task in retries:
            task.cancel()
        if retries:
            await asyncio.gather(*retries, return_exceptions=True)
        session, self._session = self._session, None
        if session is not None:
            await session.close()
        self._idle.set()

    @property
    def idle(self) -> bool:
        """No POST in flight and no retry waiting."""
        return self._in_flight == 0

    async def wait_idle(self) -> None:
        await self._idle.wait()

    async def deliver(
        self,
        event: str,
        payload: Mapping[str, Any],
        targets: Iterable[DeliveryTarget],
        *,
        transaction_id: str | None = None,
    ) -> list[WebhookDelivery]:
        """Send one event to ``targets``; return the first attempts (and any duplicates).

        Retries of failed first attempts go on in the background.
        """
        targets = list(targets)
        if not targets:
            return []
        body = dumps(payload)
        wrong = self.faults.wrong_secret
        secret = self._wrong() if wrong else self._secret()
        jobs = [
            _Job(
                delivery_id=f"dlv_{next(self._numbers):06d}",
                target=target,
                event=event,
                body=body,
                headers=signed_headers(body, target.header_event, secret),
                transaction_id=transaction_id,
                policy=self.policy,
                duplicate=self.faults.duplicate,
                wrong_secret=wrong,
            )
            for target in targets
        ]
        sent = await asyncio.gather(*(self._first_attempt(job) for job in jobs))
        return [delivery for attempts in sent for delivery in attempts]

    def _wrong(self) -> str:
        while self._wrong_secret is None or self._wrong_secret == self._secret():
            self._wrong_secret = _ids.webhook_secret()
        return self._wrong_secret

    def _begin(self) -> None:
        self._in_flight += 1
        self._idle.clear()

    def _end(self) -> None:
        self._in_flight -= 1
        if self._in_flight == 0:
            self._idle.set()

    async def _first_attempt(self, job: _Job) -> list[WebhookDelivery]:
        self._begin()
        handed_off = False
        try:
            first = await self._post(job, 1)
            if first.ok:
                return [first, *await self._maybe_duplicate(job, first)]
            if job.policy.max_attempts > 1 and not self._closed:
                task = asyncio.get_running_loop().create_task(self._retry(job))
                self._retries.add(task)
                task.add_done_callback(self._retry_done)
                handed_off = True
            return [first]
        finally:
            if not handed_off:
                self._end()

    def _retry_done(self, task: asyncio.Task[None]) -> None:
        self._retries.discard(task)
        self._end()
        if not task.cancelled():
            task.exception()  # never raises; retrieved so nothing is logged

    async def _retry(self, job: _Job) -> None:
        for attempt in range(2, job.policy.max_attempts + 1):
            await self._clock.sleep(job.policy.delay_before(attempt))
            delivery = await self._post(job, attempt)
            if delivery.ok:
                await self._maybe_duplicate(job, delivery)
                return

    async def _maybe_duplicate(self, job: _Job, sent: WebhookDelivery) -> list[WebhookDelivery]:
        if not job.duplicate:
            return []
        return [await self._post(job, sent.attempt, duplicate=True)]

    async def _post(self, job: _Job, attempt: int, *, duplicate: bool = False) -> WebhookDelivery:
        started = self._clock.now()
        status: int | None = None
        error: str | None = None
        session = self._session
        if session is None or session.closed:
            error = "simulator is not running"
        else:
            try:
                timeout = aiohttp.ClientTimeout(total=job.policy.timeout)
                async with session.post(
                    job.target.url, data=job.body, headers=dict(job.headers), timeout=timeout
                ) as resp:
                    status = resp.status
                    await resp.read()
            except TimeoutError:
                error = f"timed out after {job.policy.timeout:g} s"
            except (aiohttp.ClientError, OSError, ValueError) as exc:
                error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        delivery = WebhookDelivery(
            delivery_id=job.delivery_id,
            url=job.target.url,
            event=job.event,
            header_event=job.target.header_event,
            body=job.body,
            headers=dict(job.headers),
            status=status,
            error=error,
            attempt=attempt,
            sent_at=started,
            transaction_id=job.transaction_id,
            endpoint_id=job.target.endpoint_id,
            duplicate=duplicate,
            wrong_secret=job.wrong_secret,
        )
        self._record(delivery)
        return delivery
