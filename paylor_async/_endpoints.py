"""Every Paylor path in one table: a correction to the API reference is a one-line change.

``label`` is the confidence of the API reference (CONFIRMED, DOCS, EARLY, GUESSED).
"""

from __future__ import annotations

import re
from urllib.parse import quote

import attrs

__all__ = ["ENDPOINTS", "Endpoint", "endpoint"]

#: Characters a path segment carries as they are (RFC 3986 unreserved); others are quoted.
_UNRESERVED = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*")

#: Limiter groups: Paylor counts payments (60/min) and channel management (120/min) apart.
PAYMENTS = "payments"
CHANNELS = "channels"


@attrs.frozen
class Endpoint:
    """One API operation: how it is called, which scope it needs, what it counts against."""

    name: str
    method: str
    path: str
    scope: str
    group: str
    label: str
    #: Whether Paylor is known to replay the first result for a repeated ``Idempotency-Key``
    #: here (payment creation: CONFIRMED). Where it is not, the key is still sent, but a
    #: request that may have reached Paylor is not retried automatically: a second withdrawal
    #: or a second webhook registration would cost more than a typed error.
    replays_idempotency_key: bool = True

    def render(self, **params: str) -> str:
        """The path with each ``{param}`` filled in, percent-encoded as one path segment."""
        return self.path.format_map(
            {k: v if _UNRESERVED.fullmatch(v) else quote(v, safe="") for k, v in params.items()}
        )


ENDPOINTS: dict[str, Endpoint] = {
    e.name: e
    for e in (
        # M-Pesa collections and transactions
        Endpoint("stk_push", "POST", "/merchants/payments/stk-push",
                 "payments:create", PAYMENTS, "CONFIRMED"),
        Endpoint("b2b_express", "POST", "/merchants/payments/b2b",
                 "payments:create", PAYMENTS, "GUESSED"),
        Endpoint("transaction_retrieve", "GET", "/merchants/payments/transactions/{transaction_id}",
                 "transactions:read", PAYMENTS, "CONFIRMED"),
        Endpoint("transaction_list", "GET", "/merchants/payments/transactions",
                 "transactions:read", PAYMENTS, "EARLY"),
        # M-Pesa payouts and wallet
        Endpoint("b2c_payout", "POST", "/merchants/payments/b2c",
                 "b2c:payout", PAYMENTS, "DOCS"),
        Endpoint("wallet_retrieve", "GET", "/merchants/wallet",
                 "wallet:read", PAYMENTS, "GUESSED"),
        Endpoint("b2c_metrics", "GET", "/merchants/b2c/metrics",
                 "b2c:read", PAYMENTS, "GUESSED"),
        # USDT (TRC20)
        Endpoint("crypto_create", "POST", "/merchants/payments/crypto",
                 "crypto:create", PAYMENTS, "DOCS"),
        Endpoint("crypto_retrieve", "GET", "/merchants/payments/crypto/{payment_id}",
                 "crypto:read", PAYMENTS, "GUESSED"),
        # Channel management (its own 120/min group)
        Endpoint("channel_list", "GET", "/merchants/channels",
                 "channels:read", CHANNELS, "EARLY"),
        Endpoint("channel_create", "POST", "/merchants/channels",
                 "channels:create", CHANNELS, "EARLY", replays_idempotency_key=False),
        Endpoint("channel_update", "PATCH", "/merchants/channels/{channel_id}",
                 "channels:update", CHANNELS, "EARLY"),
        Endpoint("channel_delete", "DELETE", "/merchants/channels/{channel_id}",
                 "channels:delete", CHANNELS, "EARLY"),
        # Global
        Endpoint("global_providers_list", "GET", "/global/providers",
                 "global:read", PAYMENTS, "DOCS"),
        Endpoint("global_collection_create", "POST", "/global/collections",
                 "global:collect", PAYMENTS, "DOCS"),
        Endpoint("global_collection_retrieve", "GET", "/global/collections/{reference}",
                 "global:read", PAYMENTS, "GUESSED"),
        Endpoint("global_payment_link_create", "POST", "/global/payment-links",
                 "global:collect", PAYMENTS, "GUESSED", replays_idempotency_key=False),
        Endpoint("global_payment_link_list", "GET", "/global/payment-links",
                 "global:collect", PAYMENTS, "GUESSED"),
        Endpoint("global_webhook_create", "POST", "/global/webhooks",
                 "global:collect", PAYMENTS, "DOCS", replays_idempotency_key=False),
        Endpoint("global_webhook_list", "GET", "/global/webhooks",
                 "global:collect", PAYMENTS, "DOCS"),
        Endpoint("global_webhook_delete", "DELETE", "/global/webhooks/{webhook_id}",
                 "global:collect", PAYMENTS, "GUESSED"),
        Endpoint("global_settings_retrieve", "GET", "/global/settings",
                 "global:collect", PAYMENTS, "GUESSED"),
        Endpoint("global_settings_update", "PATCH", "/global/settings",
                 "global:collect", PAYMENTS, "GUESSED", replays_idempotency_key=False),
        Endpoint("global_withdrawal_create", "POST", "/global/withdrawals",
                 "global:disburse", PAYMENTS, "GUESSED", replays_idempotency_key=False),
        Endpoint("global_withdrawal_list", "GET", "/global/withdrawals",
                 "global:read", PAYMENTS, "GUESSED"),
        Endpoint("global_wallet_retrieve", "GET", "/global/wallet",
                 "global:read", PAYMENTS, "GUESSED"),
        Endpoint("global_ledger_list", "GET", "/global/ledger",
                 "global:read", PAYMENTS, "GUESSED"),
        Endpoint("global_listing_list", "GET", "/global/listings",
                 "global:read", PAYMENTS, "GUESSED"),
    )
}  # fmt: skip


def endpoint(name: str) -> Endpoint:
    """The endpoint called ``name`` (a programming error if there is none)."""
    return ENDPOINTS[name]
