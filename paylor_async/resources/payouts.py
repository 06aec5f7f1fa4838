"""``paylor.payouts``: sending money (M-Pesa B2C)."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Payouts"]


class Payouts(Resource):
    """M-Pesa B2C payouts from the merchant's B2C wallet."""

    __slots__ = ()
