"""Webhook delivery: build the event body once, sign it, POST it, record every attempt.

Shaped for what comes later: :class:`DeliveryPolicy` carries the switches (more attempts with
backoff, a duplicate send, a wrong signing secret) and :meth:`WebhookSender.send` loops over
attempts, so registered endpoints or retries only add a target list or a policy value.
A delivery never raises into its caller: failures are recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
import attrs

from .._clock import Clock
from ..webhooks._signature import compute_signature
from ._responses import dumps
from ._state import SimTransaction

__all__ = [
    "DeliveryPolicy",
    "WebhookDelivery",
    "WebhookSender",
    "payment_event",
    "signed_headers",
]


@attrs.frozen
class WebhookDelivery:
    """One POST attempt: where, what (exact bytes and headers), and how it ended."""

    url: str
    event: str
    body: bytes
    headers: Mapping[str, str]
    status: int | None
    error: str | None
    transaction_id: str | None = None
    attempt: int = 1
    sent_at: float = 0.0  # clock.now() when the attempt started

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@attrs.frozen
class DeliveryPolicy:
    """How deliveries are made. ``backoff`` seconds double per attempt, on the sim's clock."""

    timeout: float = 5.0
    max_attempts: int = 1
    backoff: float = 1.0


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
    return {
        "Content-Type": "application/json",
        "X-Webhook-Signature": compute_signature(body, secret),
        "X-Webhook-Event": event,
    }


class WebhookSender:
    """Owns one ``ClientSession`` (made in :meth:`start`, closed in :meth:`close`)."""

    def __init__(
        self,
        *,
        secret: Callable[[], str],
        clock: Clock,
        record: Callable[[WebhookDelivery], None],
        policy: DeliveryPolicy | None = None,
    ) -> None:
        self._secret = secret
        self._clock = clock
        self._record = record
        self.policy = policy or DeliveryPolicy()
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession()

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def send_transaction_event(self, tx: SimTransaction) -> list[WebhookDelivery]:
        """Deliver the payment event of ``tx`` to its ``callbackUrl`` (nothing if it has none)."""
        if tx.callback_url is None:
            return []
        event, payload = payment_event(tx)
        return await self.send(tx.callback_url, event, payload, transaction_id=tx.id)

    async def send(
        self,
        url: str,
        event: str,
        payload: Mapping[str, Any],
        *,
        transaction_id: str | None = None,
    ) -> list[WebhookDelivery]:
        """Serialise once, sign, POST; retry per the policy. Returns every attempt."""
        body = dumps(payload)
        headers = signed_headers(body, event, self._secret())
        attempts: list[WebhookDelivery] = []
        for attempt in range(1, self.policy.max_attempts + 1):
            if attempt > 1:
                await self._clock.sleep(self.policy.backoff * 2 ** (attempt - 2))
            delivery = await self._attempt(url, event, body, headers, transaction_id, attempt)
            attempts.append(delivery)
            self._record(delivery)
            if delivery.ok:
                break
        return attempts

    async def _attempt(
        self,
        url: str,
        event: str,
        body: bytes,
        headers: Mapping[str, str],
        transaction_id: str | None,
        attempt: int,
    ) -> WebhookDelivery:
        started = self._clock.now()
        status: int | None = None
        error: str | None = None
        if self._session is None or self._session.closed:
            error = "simulator is not running"
        else:
            try:
                timeout = aiohttp.ClientTimeout(total=self.policy.timeout)
                async with self._session.post(
                    url, data=body, headers=dict(headers), timeout=timeout
                ) as resp:
                    status = resp.status
                    await resp.read()
            except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as exc:
                error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return WebhookDelivery(
            url=url,
            event=event,
            body=body,
            headers=dict(headers),
            status=status,
            error=error,
            transaction_id=transaction_id,
            attempt=attempt,
            sent_at=started,
        )
