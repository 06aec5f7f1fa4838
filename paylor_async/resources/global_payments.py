"""``paylor.global_payments``: Global collections, payment links, webhooks, settings,
withdrawals, wallet, ledger and listings."""

from __future__ import annotations

from ._base import Resource

__all__ = ["GlobalPayments"]


class GlobalPayments(Resource):
    """The Global product: collect through provider rails, hold balances, withdraw."""

    __slots__ = ()
