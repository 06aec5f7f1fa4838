"""Test controls of the simulator for webhooks: registered endpoints, policy, faults, the log."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from yarl import URL

from .._clock import Clock
from . import _ids
from ._delivery import DeliveryPolicy, WebhookDelivery, WebhookFaults, WebhookSender
from ._state import RegisteredWebhook, SimState

__all__ = ["WebhookControls"]


class WebhookControls:
    """Mixed into :class:`~paylor_async.testing.PaylorSimulator`, which provides ``clock``
    and ``_state`` and calls :meth:`_init_webhooks` from its constructor."""

    clock: Clock
    _state: SimState
    _sender: WebhookSender
    _deliveries: list[WebhookDelivery]
    _delivery_waiters: list[asyncio.Future[None]]

    def _init_webhooks(self, secret: Callable[[], str], timeout: float) -> None:
        self._deliveries = []
        self._delivery_waiters = []  # woken whenever a delivery is recorded
        self._sender = WebhookSender(
            secret=secret,
            clock=self.clock,
            record=self._record_delivery,
            policy=DeliveryPolicy(timeout=timeout),
        )

    # registered endpoints -----------------------------------------------------------------
    def register_webhook(self, url: str, events: Iterable[str] | None = None) -> str:
        """Register an endpoint that gets events besides each transaction's ``callbackUrl``.

        Registered endpoints get the same body as a ``callbackUrl`` with ``X-Webhook-Event:
        transaction.updated`` for ``payment.*`` events (other events keep their own name).

        Args:
            url: an absolute ``http://`` or ``https://`` URL.
            events: the event names wanted (``payment.success``, ``transaction.updated``,
                ``global.collection.confirmed``...); ``None`` for every event.

        Returns:
            The endpoint's id (for :meth:`unregister_webhook`).

        Raises:
            ValueError: ``url`` is not an absolute http(s) URL, or ``events`` is empty.
            TypeError: ``events`` is a single string or holds something else than strings.
        """
        parsed = URL(url) if isinstance(url, str) else None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
            raise ValueError("url must be an absolute http:// or https:// URL")
        wanted: frozenset[str] | None = None
        if events is not None:
            if isinstance(events, str | bytes):
                raise TypeError("events must be a list of event names, not a single string")
            wanted = frozenset(events)
            if not wanted:
                raise ValueError("events must name at least one event (None means every event)")
            if not all(isinstance(name, str) and name for name in wanted):
                raise TypeError("events must be non-empty strings")
        wall = self.clock.wall()
        endpoint = RegisteredWebhook(
            id=_ids.object_id(wall), url=url, events=wanted, created_at=_ids.iso_ms(wall)
        )
        self._state.webhook_endpoints[endpoint.id] = endpoint
        return endpoint.id

    def unregister_webhook(self, webhook_id: str) -> None:
        """Stop delivering to a registered endpoint (retries already scheduled still run).

        Raises:
            KeyError: no endpoint has that id.
        """
        if webhook_id not in self._state.webhook_endpoints:
            raise KeyError(f"no registered webhook {webhook_id!r}")
        del self._state.webhook_endpoints[webhook_id]

    @property
    def registered_webhooks(self) -> Mapping[str, RegisteredWebhook]:
        """Registered endpoints by id, however registered (here or ``POST /global/webhooks``)."""
        return MappingProxyType(self._state.webhook_endpoints)

    # how deliveries are made --------------------------------------------------------------
    @property
    def delivery_policy(self) -> DeliveryPolicy:
        """Timeout, attempts and backoff (on the sim's clock) of new deliveries; settable."""
        return self._sender.policy

    @delivery_policy.setter
    def delivery_policy(self, policy: DeliveryPolicy) -> None:
        if not isinstance(policy, DeliveryPolicy):
            raise TypeError("delivery_policy must be a DeliveryPolicy")
        self._sender.policy = policy

    @property
    def webhook_faults(self) -> WebhookFaults:
        """Switches: ``webhook_faults.duplicate = True``, ``webhook_faults.wrong_secret = True``."""
        return self._sender.faults

    # the log ------------------------------------------------------------------------------
    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """Every POST made (attempts, retries, duplicates), in order (the live list)."""
        return self._deliveries

    def deliveries_to(self, url: str) -> list[WebhookDelivery]:
        """The POSTs made to ``url``, in order."""
        return [delivery for delivery in self._deliveries if delivery.url == url]

    def _record_delivery(self, delivery: WebhookDelivery) -> None:
        self._deliveries.append(delivery)
        for waiter in self._delivery_waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait_for_deliveries(
        self,
        n: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - the documented signature
    ) -> list[WebhookDelivery]:
        """Wait (real time) until at least ``n`` POSTs were recorded; returns them all.

        Raises:
            TimeoutError: fewer than ``n`` after ``timeout`` seconds.
        """
        async with asyncio.timeout(timeout):
            while len(self._deliveries) < n:
                waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                self._delivery_waiters.append(waiter)
                try:
                    await waiter
                finally:
                    self._delivery_waiters.remove(waiter)
        return list(self._deliveries)

    async def drain_deliveries(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors wait_for_deliveries
    ) -> list[WebhookDelivery]:
        """Wait (real time) until no POST is in flight and no retry is waiting; returns the log.

        Retries wait on the simulator's clock: with a :class:`ManualClock` without
        ``autojump``, advance it (from another task) or this times out.

        Raises:
            TimeoutError: still busy after ``timeout`` seconds.
        """
        async with asyncio.timeout(timeout):
            await self._sender.wait_idle()
        return list(self._deliveries)
