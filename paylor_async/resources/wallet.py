"""``paylor.wallet``: balances and B2C metrics."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Wallet"]


class Wallet(Resource):
    """The merchant's wallet balance and B2C metrics."""

    __slots__ = ()
