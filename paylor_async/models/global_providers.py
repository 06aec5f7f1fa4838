"""Models of Global providers ("rails") and collections.

The provider shape is from Paylor's docs (DOCS); the collection response is GUESSED. Every
model keeps the whole payload in ``raw``, so a field Paylor adds or renames is never lost, and
enum-like values Paylor adds later decode to pseudo-members that keep their string.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from .._enums import OpenStrEnum
from ._fields import ResponseInfo, raw_field, response_field
from ._status import TransactionStatus

__all__ = [
    "CollectionFlow",
    "GlobalCollection",
    "Provider",
    "ProviderCapabilities",
    "ProviderList",
]


class CollectionFlow(OpenStrEnum):
    """How a rail collects: ``PUSH`` prompts the payer's phone (needs ``msisdn``), ``REDIRECT``
    sends the payer to a checkout page (needs ``customer_email``).

    A flow Paylor adds later decodes to a pseudo-member keeping its string (``is_known`` false).
    """

    PUSH = "PUSH"
    REDIRECT = "REDIRECT"


@attrs.frozen
class ProviderCapabilities:
    """What a rail can do (DOCS): collect, disburse, its categories and payout channels."""

    collect: bool | None = None
    disburse: bool | None = None
    categories: tuple[str, ...] = ()
    disbursement_channels: tuple[str, ...] = ()
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen
class Provider:
    """One Global rail as ``GET /global/providers`` lists it (DOCS).

    ``min_amount``/``max_amount`` bound a collection on this rail, in any of its ``currencies``.
    ``collection_flow`` says which payer detail a collection needs (see :class:`CollectionFlow`).
    """

    rail: str
    display_name: str | None = None
    country: str | None = None
    currencies: tuple[str, ...] = ()
    collection_flow: CollectionFlow | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    live: bool | None = None
    capabilities: ProviderCapabilities | None = None
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()

    def offers(self, currency: str) -> bool:
        """True if the rail lists ``currency`` (case-insensitive), or lists no currency at all."""
        return not self.currencies or currency.upper() in {c.upper() for c in self.currencies}


@attrs.frozen
class ProviderList:
    """The body of ``GET /global/providers``: ``{"success": true, "providers": [...]}``."""

    providers: tuple[Provider, ...]
    success: bool | None = None
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()


@attrs.frozen
class GlobalCollection:
    """A Global collection (``POST /global/collections``; response shape GUESSED).

    ``reference`` is Paylor's (``GC-<epoch ms>-<5 characters>``); ``merchant_reference`` is the
    one you sent. ``checkout_url`` is where a REDIRECT rail's payer goes to pay (GUESSED key
    ``checkoutUrl``; :attr:`redirect_url` also looks at other plausible keys). The collection
    becomes ``CONFIRMED`` when paid (the ``global.collection.confirmed`` webhook says so).
    ``idempotency_key`` is the key the creating request carried (empty on ``retrieve``).
    """

    reference: str
    status: TransactionStatus
    amount: Decimal | None = None
    currency: str | None = None
    rail: str | None = None
    merchant_reference: str | None = None
    msisdn: str | None = None
    customer_email: str | None = None
    checkout_url: str | None = None
    created_at: datetime | None = None
    idempotency_key: str = attrs.field(default="", metadata={"wire": "__sdk_idempotency_key__"})
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()

    @property
    def redirect_url(self) -> str | None:
        """Where to send the payer of a REDIRECT rail, whichever key Paylor used for it."""
        if self.checkout_url:
            return self.checkout_url
        for key in ("redirectUrl", "paymentUrl", "authorizationUrl", "url"):
            value = self.raw.get(key)
            if isinstance(value, str) and value:
                return value
        return None
