"""``paylor.global_payments``: Global collections, payment links, webhooks, settings,
withdrawals, wallet, ledger and listings.

Paths live in the endpoint table (``_endpoints.py``, rows ``global_*``); most are GUESSED, so
every model keeps unknown fields in ``raw`` and unknown statuses as strings.
"""

from __future__ import annotations

from .._transport import RequestOptions, Transport
from ._base import Resource
from .global_ import (
    Collections,
    Ledger,
    Listings,
    PaymentLinks,
    ProviderCatalog,
    Providers,
    Settings,
    Wallet,
    Webhooks,
    Withdrawals,
)

__all__ = ["GlobalPayments"]


class GlobalPayments(Resource):
    """The Global product: collect through provider rails, hold balances, withdraw.

    Attributes:
        providers: the rails (``list()``).
        collections: ``create(...)``, checked against the rails (see its module docs), and
            ``retrieve(reference)``.
        payment_links: ``create(...)``, ``list()``.
        webhooks: ``register(url, events=None)``, ``list()``, ``delete(id)``.
        settings: ``retrieve()``, ``update(...)``.
        withdrawals: ``create(...)``, ``list()``.
        wallet: ``retrieve()`` (balances per currency).
        ledger: ``list(...)``, an async iterator over lazily fetched pages.
        listings: ``list()``.
        provider_catalog: the provider list cached for the checks of ``collections.create``
            (``ttl`` seconds, settable; ``clear()`` forgets it).
    """

    __slots__ = (
        "collections",
        "ledger",
        "listings",
        "payment_links",
        "provider_catalog",
        "providers",
        "settings",
        "wallet",
        "webhooks",
        "withdrawals",
    )

    def __init__(self, transport: Transport, options: RequestOptions) -> None:
        super().__init__(transport, options)
        self.provider_catalog = ProviderCatalog(transport.clock)
        self.providers = Providers(transport, options, self.provider_catalog)
        self.collections = Collections(transport, options, self.provider_catalog, self.providers)
        self.payment_links = PaymentLinks(transport, options)
        self.webhooks = Webhooks(transport, options)
        self.settings = Settings(transport, options)
        self.withdrawals = Withdrawals(transport, options)
        self.wallet = Wallet(transport, options)
        self.ledger = Ledger(transport, options)
        self.listings = Listings(transport, options)
