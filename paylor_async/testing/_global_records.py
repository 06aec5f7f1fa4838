"""The records of the simulator's Global product and their API views (``to_api``)."""

from __future__ import annotations

import secrets
import string
from decimal import Decimal
from typing import Any

import attrs

from ._ids import iso_ms

__all__ = [
    "CHECKOUT_BASE",
    "LINK_BASE",
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

_UPPER_ALNUM = string.ascii_uppercase + string.digits
CHECKOUT_BASE = "https://pay.paylorke.com/global/checkout/"
LINK_BASE = "https://pay.paylorke.com/l/"


def gc_reference(wall: float) -> str:
    """Paylor's collection reference: ``GC-<epoch ms>-<5 upper-case alphanumerics>``."""
    return f"GC-{int(wall * 1000)}-" + "".join(secrets.choice(_UPPER_ALNUM) for _ in range(5))


@attrs.define
class SimRail:
    """One provider rail as ``GET /global/providers`` lists it."""

    rail: str
    display_name: str
    country: str | None
    currencies: tuple[str, ...]
    collection_flow: str  # PUSH | REDIRECT (anything else is served as is)
    min_amount: Decimal
    max_amount: Decimal
    live: bool = True
    collect: bool = True
    disburse: bool = False
    categories: tuple[str, ...] = ()
    disbursement_channels: tuple[str, ...] = ()

    def to_api(self) -> dict[str, Any]:
        return {
            "rail": self.rail,
            "displayName": self.display_name,
            "country": self.country,
            "currencies": list(self.currencies),
            "collectionFlow": self.collection_flow,
            "minAmount": self.min_amount,
            "maxAmount": self.max_amount,
            "live": self.live,
            "capabilities": {
                "collect": self.collect,
                "disburse": self.disburse,
                "categories": list(self.categories),
                "disbursementChannels": list(self.disbursement_channels),
            },
        }


def default_rails() -> list[SimRail]:
    """A Kenyan PUSH rail, a REDIRECT card rail (USD/EUR) and a PUSH rail that is not live."""
    return [
        SimRail(
            "SASAPAY_KE", "SasaPay Kenya", "KE", ("KES",), "PUSH",
            Decimal(10), Decimal(150_000), live=True, disburse=True,
            categories=("mobile_money",), disbursement_channels=("MPESA", "BANK"),
        ),
        SimRail(
            "CARD_GLOBAL", "Cards (Visa, Mastercard)", None, ("USD", "EUR"), "REDIRECT",
            Decimal(1), Decimal(10_000), live=True, categories=("card",),
        ),
        SimRail(
            "MTN_UG", "MTN Mobile Money Uganda", "UG", ("UGX",), "PUSH",
            Decimal(500), Decimal(5_000_000), live=False, disburse=True,
            categories=("mobile_money",), disbursement_channels=("MTN_MOMO",),
        ),
    ]  # fmt: skip


@attrs.define
class SimCollection:
    reference: str
    merchant_reference: str | None
    rail: str
    amount: Decimal
    currency: str
    msisdn: str | None
    customer_email: str | None
    checkout_url: str | None
    created_at: float
    updated_at: float
    status: str = "PENDING"

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "reference": self.reference,
            "merchantReference": self.merchant_reference,
            "rail": self.rail,
            "amount": self.amount,
            "currency": self.currency,
            "status": self.status,
            "msisdn": self.msisdn,
            "customerEmail": self.customer_email,
            "createdAt": iso_ms(self.created_at),
            "updatedAt": iso_ms(self.updated_at),
        }
        if self.checkout_url is not None:
            data["checkoutUrl"] = self.checkout_url
        return data


def collection_confirmed_payload(collection: SimCollection) -> dict[str, Any]:
    """The flat ``global.collection.confirmed`` webhook body of the API reference."""
    return {
        "event": "global.collection.confirmed",
        "reference": collection.reference,
        "merchantReference": collection.merchant_reference,
        "amount": collection.amount,
        "currency": collection.currency,
        "status": "CONFIRMED",
        "provider": collection.rail,
        "createdAt": iso_ms(collection.created_at),
    }


@attrs.define
class SimPaymentLink:
    id: str
    amount: Decimal
    currency: str
    description: str | None
    reference: str | None
    created_at: float
    status: str = "ACTIVE"

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": LINK_BASE + self.id,
            "amount": self.amount,
            "currency": self.currency,
            "description": self.description,
            "reference": self.reference,
            "status": self.status,
            "createdAt": iso_ms(self.created_at),
        }


@attrs.define
class SimWithdrawal:
    id: str
    amount: Decimal
    currency: str
    channel: str
    account: str
    account_name: str | None
    reference: str | None
    created_at: float
    status: str = "PENDING"

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "amount": self.amount,
            "currency": self.currency,
            "reference": self.reference,
            "destination": {
                "channel": self.channel,
                "account": self.account,
                "accountName": self.account_name,
            },
            "createdAt": iso_ms(self.created_at),
        }


@attrs.define
class SimLedgerEntry:
    id: str
    type: str  # CREDIT | DEBIT
    amount: Decimal
    currency: str
    balance_after: Decimal
    source: str  # COLLECTION | WITHDRAWAL | WITHDRAWAL_REVERSAL | ADJUSTMENT
    reference: str | None
    description: str
    created_at: float

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "amount": self.amount,
            "currency": self.currency,
            "balanceAfter": self.balance_after,
            "source": self.source,
            "reference": self.reference,
            "description": self.description,
            "createdAt": iso_ms(self.created_at),
        }


@attrs.define
class SimListing:
    id: str
    title: str
    price: Decimal
    currency: str
    description: str | None
    created_at: float
    status: str = "ACTIVE"

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "price": self.price,
            "currency": self.currency,
            "status": self.status,
            "url": LINK_BASE + self.id,
            "createdAt": iso_ms(self.created_at),
        }
