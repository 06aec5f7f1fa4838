"""Test controls of the simulator for the Global product (a mixin)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from .._clock import Clock
from ._delivery import WebhookDelivery
from ._global_state import (
    GlobalState,
    SimCollection,
    SimListing,
    SimRail,
    SimWithdrawal,
    collection_confirmed_payload,
)
from ._state import SimState

__all__ = ["GlobalControls"]


class GlobalControls:
    """Mixed into :class:`~paylor_async.testing.PaylorSimulator`, which provides these."""

    clock: Clock
    _state: SimState
    #: Run a coroutine in the background; the simulator awaits it on close.
    _spawn: Callable[[Coroutine[Any, Any, object]], None]
    #: Deliver a signed event to ``callback_url`` and the registered endpoints.
    _deliver_event: Callable[..., Coroutine[Any, Any, list[WebhookDelivery]]]

    @property
    def _global(self) -> GlobalState:
        return self._state.global_state

    # rails --------------------------------------------------------------------------------
    @property
    def global_rails(self) -> Mapping[str, SimRail]:
        """The rails ``GET /global/providers`` serves, by name (edit them to change the list)."""
        return MappingProxyType(self._global.rails)

    def add_global_rail(
        self,
        rail: str,
        *,
        currencies: Iterable[str],
        collection_flow: str = "PUSH",
        min_amount: Decimal | int | str = 1,
        max_amount: Decimal | int | str = 100_000,
        country: str | None = None,
        display_name: str | None = None,
        live: bool = True,
        disburse: bool = False,
        disbursement_channels: Iterable[str] = (),
    ) -> SimRail:
        """Add (or replace) a rail: Paylor's provider list changed."""
        record = SimRail(
            rail=rail,
            display_name=display_name or rail,
            country=country,
            currencies=tuple(currencies),
            collection_flow=collection_flow,
            min_amount=Decimal(str(min_amount)),
            max_amount=Decimal(str(max_amount)),
            live=live,
            disburse=disburse,
            disbursement_channels=tuple(disbursement_channels),
        )
        self._global.rails[rail] = record
        return record

    def remove_global_rail(self, rail: str) -> None:
        """Take a rail off the provider list (``KeyError`` if there is none)."""
        del self._global.rails[rail]

    # collections --------------------------------------------------------------------------
    @property
    def global_collections(self) -> Mapping[str, SimCollection]:
        """Every Global collection by its ``GC-`` reference, in creation order."""
        return MappingProxyType(self._global.collections)

    async def confirm_collection(self, reference: str) -> SimCollection:
        """The payer paid: CONFIRMED, the wallet credited in the collection's currency (a
        ledger CREDIT), and the flat ``global.collection.confirmed`` webhook delivered to the
        registered endpoints (awaited). The event is also recorded in ``global_events``.

        Raises:
            KeyError: no such collection. ValueError: it is no longer PENDING.
        """
        collection = self._global.confirm_collection(reference)
        payload = collection_confirmed_payload(collection)
        self._global.events.append(("global.collection.confirmed", payload))
        await self._deliver_event("global.collection.confirmed", payload, callback_url=None)
        return collection

    @property
    def global_events(self) -> list[tuple[str, dict[str, Any]]]:
        """Every Global event emitted, as ``(event name, payload)``, oldest first."""
        return self._global.events

    # wallet -------------------------------------------------------------------------------
    def global_balance(self, currency: str) -> Decimal:
        """The available Global balance in ``currency`` (0 when none is held)."""
        return self._global.balance(currency)

    def credit_global_balance(self, currency: str, amount: Decimal | int | str) -> None:
        """Add money to the Global wallet (a ledger CREDIT with source ``ADJUSTMENT``)."""
        self._global.credit(
            currency,
            Decimal(str(amount)),
            source="ADJUSTMENT",
            reference=None,
            description="Simulator adjustment",
        )

    # withdrawals --------------------------------------------------------------------------
    @property
    def global_withdrawals(self) -> Mapping[str, SimWithdrawal]:
        """Every withdrawal by id, in creation order."""
        return MappingProxyType(self._global.withdrawals)

    def complete_global_withdrawal(self, withdrawal_id: str) -> SimWithdrawal:
        """The payout arrived: COMPLETED."""
        return self._global.finish_withdrawal(withdrawal_id, "COMPLETED")

    def fail_global_withdrawal(self, withdrawal_id: str) -> SimWithdrawal:
        """The payout failed: FAILED, the amount credited back (``WITHDRAWAL_REVERSAL``)."""
        return self._global.finish_withdrawal(withdrawal_id, "FAILED")

    # listings -----------------------------------------------------------------------------
    def add_global_listing(
        self,
        title: str,
        *,
        price: Decimal | int | str,
        currency: str = "KES",
        description: str | None = None,
    ) -> SimListing:
        """Add a listing that ``GET /global/listings`` serves."""
        return self._global.add_listing(
            title=title, price=Decimal(str(price)), currency=currency, description=description
        )
