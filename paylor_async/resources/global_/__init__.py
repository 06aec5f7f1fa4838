"""The Global product's sub-resources (one module per area) and their input errors."""

from ._account import Settings, Webhooks
from ._collections import Collections, check_collection
from ._funds import Ledger, Wallet, Withdrawals
from ._links import Listings, PaymentLinks
from ._providers import DEFAULT_PROVIDER_TTL, ProviderCatalog, Providers
from .errors import (
    CustomerEmailRequiredError,
    MsisdnRequiredError,
    RailAmountOutOfRangeError,
    UnknownRailError,
    UnsupportedCurrencyError,
)

__all__ = [
    "DEFAULT_PROVIDER_TTL",
    "Collections",
    "CustomerEmailRequiredError",
    "Ledger",
    "Listings",
    "MsisdnRequiredError",
    "PaymentLinks",
    "ProviderCatalog",
    "Providers",
    "RailAmountOutOfRangeError",
    "Settings",
    "UnknownRailError",
    "UnsupportedCurrencyError",
    "Wallet",
    "Webhooks",
    "Withdrawals",
    "check_collection",
]
