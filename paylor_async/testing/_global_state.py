"""The simulator's Global product: providers (rails), collections, payment links, settings,
per-currency wallet, ledger, withdrawals and listings. Synchronous, like ``_state``.

Shapes are the API reference's where it has them (providers, the ``GC-`` reference, the flat
webhook) and plausible guesses elsewhere, mirrored by the SDK's models.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .._clock import Clock
from ._global_records import (
    CHECKOUT_BASE,
    SimCollection,
    SimLedgerEntry,
    SimListing,
    SimPaymentLink,
    SimRail,
    SimWithdrawal,
    collection_confirmed_payload,
    default_rails,
    gc_reference,
)
from ._ids import object_id

__all__ = [
    "GlobalState",
    "InsufficientBalance",
    "SimCollection",
    "SimLedgerEntry",
    "SimListing",
    "SimPaymentLink",
    "SimRail",
    "SimWithdrawal",
    "collection_confirmed_payload",
    "default_rails",
    "gc_reference",
]


class InsufficientBalance(Exception):
    """A debit larger than the currency's balance."""


class GlobalState:
    """The merchant's Global account (one per simulator)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.rails: dict[str, SimRail] = {r.rail: r for r in default_rails()}
        self.collections: dict[str, SimCollection] = {}
        self.payment_links: dict[str, SimPaymentLink] = {}
        self.withdrawals: dict[str, SimWithdrawal] = {}
        self.listings: dict[str, SimListing] = {}
        self.ledger: list[SimLedgerEntry] = []  # oldest first
        self.balances: dict[str, Decimal] = {}
        self.settings: dict[str, Any] = {
            "businessName": "Simulated merchant",
            "supportEmail": None,
            "defaultCurrency": "KES",
            "redirectUrl": None,
        }
        self.settings_updated_at = clock.wall()
        #: (merchant id, route name, key) -> (status, body) of the first response.
        self.idempotency: dict[tuple[str, str, str], tuple[int, bytes]] = {}
        #: Every Global event the simulator emitted, as (event name, payload), in order.
        self.events: list[tuple[str, dict[str, Any]]] = []

    def _new_id(self, taken: dict[str, Any]) -> str:
        wall = self.clock.wall()
        new = object_id(wall)
        while new in taken:
            new = object_id(wall)
        return new

    # collections --------------------------------------------------------------------------
    def create_collection(
        self,
        *,
        rail: SimRail,
        amount: Decimal,
        currency: str,
        msisdn: str | None,
        customer_email: str | None,
        merchant_reference: str | None,
    ) -> SimCollection:
        wall = self.clock.wall()
        reference = gc_reference(wall)
        while reference in self.collections:
            reference = gc_reference(wall)
        redirect = rail.collection_flow == "REDIRECT"
        collection = SimCollection(
            reference=reference,
            merchant_reference=merchant_reference,
            rail=rail.rail,
            amount=amount,
            currency=currency,
            msisdn=msisdn,
            customer_email=customer_email,
            checkout_url=CHECKOUT_BASE + reference if redirect else None,
            created_at=wall,
            updated_at=wall,
        )
        self.collections[reference] = collection
        return collection

    def confirm_collection(self, reference: str) -> SimCollection:
        """CONFIRMED, and the wallet credited in the collection's currency (with a ledger entry)."""
        collection = self.collections.get(reference)
        if collection is None:
            raise KeyError(f"no Global collection {reference!r}")
        if collection.status != "PENDING":
            raise ValueError(f"collection {reference} is already {collection.status}")
        collection.status = "CONFIRMED"
        collection.updated_at = self.clock.wall()
        self.credit(
            collection.currency,
            collection.amount,
            source="COLLECTION",
            reference=collection.reference,
            description=f"Collection via {collection.rail}",
        )
        return collection

    # wallet and ledger --------------------------------------------------------------------
    def balance(self, currency: str) -> Decimal:
        return self.balances.get(currency.upper(), Decimal(0))

    def credit(
        self,
        currency: str,
        amount: Decimal,
        *,
        source: str,
        reference: str | None,
        description: str,
    ) -> SimLedgerEntry:
        return self._move("CREDIT", currency, amount, source, reference, description)

    def debit(
        self,
        currency: str,
        amount: Decimal,
        *,
        source: str,
        reference: str | None,
        description: str,
    ) -> SimLedgerEntry:
        """Take ``amount`` out; :class:`InsufficientBalance` (and no change) if it is not there."""
        if self.balance(currency) < amount:
            raise InsufficientBalance(currency)
        return self._move("DEBIT", currency, amount, source, reference, description)

    def _move(
        self,
        kind: str,
        currency: str,
        amount: Decimal,
        source: str,
        reference: str | None,
        description: str,
    ) -> SimLedgerEntry:
        code = currency.upper()
        after = self.balance(code) + (amount if kind == "CREDIT" else -amount)
        self.balances[code] = after
        entry = SimLedgerEntry(
            id=object_id(self.clock.wall()),
            type=kind,
            amount=amount,
            currency=code,
            balance_after=after,
            source=source,
            reference=reference,
            description=description,
            created_at=self.clock.wall(),
        )
        self.ledger.append(entry)
        return entry

    # withdrawals --------------------------------------------------------------------------
    def withdraw(
        self,
        *,
        amount: Decimal,
        currency: str,
        channel: str,
        account: str,
        account_name: str | None,
        reference: str | None,
    ) -> SimWithdrawal:
        """A PENDING withdrawal, debited at once; :class:`InsufficientBalance` if short."""
        withdrawal = SimWithdrawal(
            id=self._new_id(self.withdrawals),
            amount=amount,
            currency=currency,
            channel=channel,
            account=account,
            account_name=account_name,
            reference=reference,
            created_at=self.clock.wall(),
        )
        self.debit(
            currency,
            amount,
            source="WITHDRAWAL",
            reference=withdrawal.id,
            description=f"Withdrawal to {channel}",
        )
        self.withdrawals[withdrawal.id] = withdrawal
        return withdrawal

    def finish_withdrawal(self, withdrawal_id: str, status: str) -> SimWithdrawal:
        """COMPLETED, or FAILED with the money credited back."""
        withdrawal = self.withdrawals.get(withdrawal_id)
        if withdrawal is None:
            raise KeyError(f"no Global withdrawal {withdrawal_id!r}")
        if withdrawal.status != "PENDING":
            raise ValueError(f"withdrawal {withdrawal_id} is already {withdrawal.status}")
        withdrawal.status = status
        if status == "FAILED":
            self.credit(
                withdrawal.currency,
                withdrawal.amount,
                source="WITHDRAWAL_REVERSAL",
                reference=withdrawal.id,
                description="Failed withdrawal returned",
            )
        return withdrawal

    # payment links and listings -----------------------------------------------------------
    def create_payment_link(
        self, *, amount: Decimal, currency: str, description: str | None, reference: str | None
    ) -> SimPaymentLink:
        link = SimPaymentLink(
            id=self._new_id(self.payment_links),
            amount=amount,
            currency=currency,
            description=description,
            reference=reference,
            created_at=self.clock.wall(),
        )
        self.payment_links[link.id] = link
        return link

    def add_listing(
        self, *, title: str, price: Decimal, currency: str, description: str | None
    ) -> SimListing:
        listing = SimListing(
            id=self._new_id(self.listings),
            title=title,
            price=price,
            currency=currency,
            description=description,
            created_at=self.clock.wall(),
        )
        self.listings[listing.id] = listing
        return listing
