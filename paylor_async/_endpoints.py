"""Every Paylor path in one table: a correction to the API reference is a one-line change.

``label`` is the confidence of the API reference (CONFIRMED, DOCS, EARLY, GUESSED).
"""

from __future__ import annotations

from urllib.parse import quote

import attrs

__all__ = ["ENDPOINTS", "Endpoint", "endpoint"]

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

    def render(self, **params: str) -> str:
        """The path with each ``{param}`` filled in, percent-encoded as one path segment."""
        return self.path.format_map({k: quote(v, safe="") for k, v in params.items()})


ENDPOINTS: dict[str, Endpoint] = {
    e.name: e
    for e in (
        Endpoint("stk_push", "POST", "/merchants/payments/stk-push",
                 "payments:create", PAYMENTS, "CONFIRMED"),
        Endpoint("transaction_retrieve", "GET", "/merchants/payments/transactions/{transaction_id}",
                 "transactions:read", PAYMENTS, "CONFIRMED"),
        Endpoint("transaction_list", "GET", "/merchants/payments/transactions",
                 "transactions:read", PAYMENTS, "EARLY"),
    )
}  # fmt: skip


def endpoint(name: str) -> Endpoint:
    """The endpoint called ``name`` (a programming error if there is none)."""
    return ENDPOINTS[name]
