"""``paylor.crypto``: USDT (TRC20) payments."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Crypto"]


class Crypto(Resource):
    """USDT (TRC20) payment intents."""

    __slots__ = ()
