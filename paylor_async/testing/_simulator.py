"""``PaylorSimulator``: a local Paylor on aiohttp.web, its lifecycle and its public controls."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Coroutine, Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType, TracebackType
from typing import Any, Final, Literal, Self

from aiohttp import web

from .._clock import Clock, LoopClock, TimerHandle
from . import _ids
from ._app import API_PREFIX, SimulatorApp
from ._delivery import DeliveryTarget, WebhookDelivery, payment_event, registered_targets
from ._faults import FaultInjector
from ._global_controls import GlobalControls
from ._global_handlers import GLOBAL_ROUTES
from ._handlers import ROUTES
from ._mpesa_controls import MpesaControls
from ._ratelimit import ServerRateLimiter, WindowKind
from ._state import ALL_SCOPES, RecordedRequest, SimChannel, SimState, SimTransaction
from ._webhook_controls import WebhookControls

__all__ = ["DEFAULT_RATE_LIMITS", "PaylorSimulator"]

#: Paylor's documented limits: group -> (requests, window seconds).
DEFAULT_RATE_LIMITS: Final[Mapping[str, tuple[int, float]]] = MappingProxyType(
    {"payments": (60, 60.0), "channels": (120, 60.0)}
)
_SHUTDOWN_TIMEOUT: Final = 2.0


class PaylorSimulator(MpesaControls, GlobalControls, WebhookControls):
    """A faithful local Paylor API on loopback, for tests, demos and users' own test suites.

    ::

        async with PaylorSimulator() as sim:
            client = PaylorClient(api_key=sim.api_key, base_url=sim.base_url)
            ...
            await sim.complete(transaction_id)
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        webhook_secret: str | None = None,
        completion_delay: float | None = None,
        auto_outcome: Literal["COMPLETED", "FAILED"] = "COMPLETED",
        rate_limits: Mapping[str, tuple[int, float]] | None = DEFAULT_RATE_LIMITS,
        window: WindowKind = "fixed",
        fee_wallet_balance: Decimal | int | str = Decimal("10000"),
        clock: Clock | None = None,
        webhook_timeout: float = 5.0,
    ) -> None:
        if auto_outcome not in ("COMPLETED", "FAILED"):
            raise ValueError("auto_outcome must be 'COMPLETED' or 'FAILED'")
        if completion_delay is not None and completion_delay < 0:
            raise ValueError("completion_delay must be >= 0 or None")
        self.host = host
        self._requested_port = port
        self.clock: Clock = clock if clock is not None else LoopClock()
        self.completion_delay = completion_delay
        self.auto_outcome = auto_outcome
        self._state = SimState(self.clock, Decimal(str(fee_wallet_balance)))
        self._state.on_stk_sent = self._schedule_completion
        self._api_key = self._state.add_key(ALL_SCOPES, api_key).key
        self._webhook_secret = webhook_secret or _ids.webhook_secret()
        number = str(random.randint(100_000, 9_999_999))  # nosec B311 # a fake till number
        self._default_channel = self._state.add_channel(
            name="Default till", type="TILL", number=number, default=True
        )
        self.faults = FaultInjector()
        self.limiter = ServerRateLimiter(rate_limits, window)
        self._requests: list[RecordedRequest] = []
        self._init_webhooks(lambda: self._webhook_secret, webhook_timeout)
        self._timers: dict[str, TimerHandle] = {}
        self._tasks: set[asyncio.Task[object]] = set()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._closing = asyncio.Event()
        self._state_name: Literal["new", "running", "closed"] = "new"

    # lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        """Bind (port 0: a free port) and serve. A simulator starts once."""
        if self._state_name != "new":
            raise RuntimeError(f"the simulator is {self._state_name}; it can start only once")
        self._state_name = "running"
        app = SimulatorApp(
            state=self._state,
            routes=ROUTES + GLOBAL_ROUTES,
            faults=self.faults,
            limiter=self.limiter,
            requests=self._requests,
            sleep=self._sleep,
        ).build()
        runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=_SHUTDOWN_TIMEOUT
        )
        self._runner = runner
        try:
            await runner.setup()
            site = web.TCPSite(runner, self.host, self._requested_port)
            await site.start()
            self._port = int(runner.addresses[0][1])
            await self._sender.start()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Stop serving; cancel completion timers and deliveries. Safe to call twice."""
        if self._state_name == "closed":
            return
        self._state_name = "closed"
        self._closing.set()
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await self._sender.close()  # cancels pending retries
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def running(self) -> bool:
        return self._state_name == "running"

    # addresses and credentials --------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the simulator is not started: use `async with sim` or start()")
        return self._port

    @property
    def url(self) -> str:
        """``http://host:port`` (no API prefix)."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://host:port/api/v1``: what a client takes as its base URL."""
        return self.url + API_PREFIX

    @property
    def api_key(self) -> str:
        """A key with every scope."""
        return self._api_key

    @property
    def webhook_secret(self) -> str:
        return self._webhook_secret

    @property
    def merchant_id(self) -> str:
        return self._state.merchant_id

    def create_key(self, *, scopes: Iterable[str] | None = None) -> str:
        """A new key with exactly ``scopes`` (every scope if ``None``)."""
        return self._state.add_key(ALL_SCOPES if scopes is None else scopes).key

    def revoke_key(self, key: str) -> None:
        """From now on ``key`` gets 401 ``INVALID_API_KEY``."""
        self._state.keys[key].revoked = True

    def rotate_key(self, key: str | None = None) -> str:
        """What the dashboard does: a new key with the same scopes; the old one is revoked.

        ``key`` defaults to :attr:`api_key`, which then names the new key.
        """
        old = self._state.keys[key or self._api_key]
        new = self._state.add_key(old.scopes).key
        old.revoked = True
        if old.key == self._api_key:
            self._api_key = new
        return new

    # channels and the fee wallet ----------------------------------------------------------
    @property
    def default_channel_alias(self) -> str:
        return self._default_channel.alias

    @property
    def channels(self) -> Mapping[str, SimChannel]:
        """Channels by alias."""
        return self._state.channels_by_alias()

    def add_channel(
        self,
        *,
        name: str,
        type: str = "TILL",
        number: str,
        status: str = "ACTIVE",
        bank_name: str | None = None,
        account_number: str | None = None,
    ) -> str:
        """Add a channel; returns its alias (``PAYL-XXXXXX``)."""
        channel = self._state.add_channel(
            name=name,
            type=type,
            number=number,
            status=status,
            bank_name=bank_name,
            account_number=account_number,
        )
        return channel.alias

    def set_channel_status(self, alias_or_id: str, status: str) -> None:
        channel = self._state.find_channel(alias_or_id)
        if channel is None:
            raise KeyError(alias_or_id)
        channel.status = status
        channel.updated_at = self.clock.wall()

    @property
    def fee_wallet_balance(self) -> Decimal:
        return self._state.fee_wallet_balance

    @fee_wallet_balance.setter
    def fee_wallet_balance(self, value: Decimal | int | str) -> None:
        self._state.fee_wallet_balance = Decimal(str(value))

    # transactions -------------------------------------------------------------------------
    @property
    def transactions(self) -> Mapping[str, SimTransaction]:
        """Every transaction by id, in creation order."""
        return MappingProxyType(self._state.transactions)

    def transactions_by_reference(self, reference: str) -> list[SimTransaction]:
        return self._state.by_reference(reference)

    async def complete(
        self, transaction_id: str, mpesa_receipt: str | None = None
    ) -> SimTransaction:
        """The customer paid: COMPLETED, fee deducted, webhook delivered.

        The first attempt to every target is awaited; retries go on in the background
        (``await sim.drain_deliveries()`` waits for them).
        """
        tx = self._pending(transaction_id)
        self._state.complete(tx, mpesa_receipt)
        await self._deliver_transaction(tx)
        return tx

    async def fail(
        self,
        transaction_id: str,
        result_code: int = 1032,
        result_desc: str = "Request cancelled by user",
    ) -> SimTransaction:
        """The push failed (1032: cancelled by the user): FAILED, webhook delivered."""
        tx = self._pending(transaction_id)
        self._state.fail(tx, result_code, result_desc)
        await self._deliver_transaction(tx)
        return tx

    async def _deliver_event(
        self,
        event: str,
        payload: Mapping[str, Any],
        *,
        callback_url: str | None,
        transaction_id: str | None = None,
    ) -> list[WebhookDelivery]:
        """Deliver one event to ``callback_url`` (if any) and every matching registered endpoint.

        The body is serialised and signed once. ``X-Webhook-Event`` is ``event`` for the
        callback URL; registered endpoints get ``transaction.updated`` for ``payment.*`` events
        and ``event`` otherwise. Returns the first attempts (and duplicates); failed ones are
        retried in the background per :attr:`delivery_policy`. Never raises for a failed
        delivery: every POST is in :attr:`webhook_deliveries`.
        """
        targets = [] if callback_url is None else [DeliveryTarget(callback_url, event)]
        targets += registered_targets(self._state.webhook_endpoints.values(), event)
        return await self._sender.deliver(event, payload, targets, transaction_id=transaction_id)

    async def _deliver_transaction(self, tx: SimTransaction) -> list[WebhookDelivery]:
        event, payload = payment_event(tx)
        return await self._deliver_event(
            event, payload, callback_url=tx.callback_url, transaction_id=tx.id
        )

    def _pending(self, transaction_id: str) -> SimTransaction:
        tx = self._state.transactions.get(transaction_id)
        if tx is None:
            raise KeyError(f"no transaction {transaction_id!r}")
        if tx.is_final:
            raise ValueError(f"transaction {transaction_id} is already {tx.status}")
        handle = self._timers.pop(transaction_id, None)
        if handle is not None:
            handle.cancel()
        return tx

    def _schedule_completion(self, tx: SimTransaction) -> None:
        if self.completion_delay is None or self._state_name == "closed":
            return
        when = self.clock.now() + self.completion_delay
        self._timers[tx.id] = self.clock.call_at(when, lambda: self._auto_finish(tx.id))

    def _auto_finish(self, transaction_id: str) -> None:
        self._timers.pop(transaction_id, None)
        tx = self._state.transactions.get(transaction_id)
        if tx is None or tx.is_final or self._state_name == "closed":
            return
        if self.auto_outcome == "COMPLETED":
            self._state.complete(tx, None)
        else:
            self._state.fail(tx, 1032, "Request cancelled by user")
        self._spawn(self._deliver_transaction(tx))

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[object]) -> None:
        self._tasks.discard(task)
        if not task.cancelled():
            task.exception()  # delivery never raises; retrieve anyway so nothing is logged

    # requests ------------------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in arrival order (the live list: ``clear()`` works)."""
        return self._requests

    def requests_for(self, path_or_route: str) -> list[RecordedRequest]:
        """Requests to a route name, a path relative to ``/api/v1`` or a full path."""
        return [r for r in self._requests if path_or_route in (r.route, r.relative_path, r.path)]

    # helpers ------------------------------------------------------------------------------
    async def _sleep(self, seconds: float) -> None:
        """Sleep on the simulator's clock, cut short when the simulator closes."""
        if self._closing.is_set():
            return
        sleeper = asyncio.ensure_future(self.clock.sleep(seconds))
        closer = asyncio.ensure_future(self._closing.wait())
        try:
            await asyncio.wait({sleeper, closer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, closer):
                task.cancel()
            await asyncio.gather(sleeper, closer, return_exceptions=True)

    def __repr__(self) -> str:
        where = self.base_url if self._port is not None else "not started"
        return f"<PaylorSimulator {self._state_name} {where}>"
