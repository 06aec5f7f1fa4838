"""``paylor.channels``: payment channel management (its own 120/min limiter group)."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Channels"]


class Channels(Resource):
    """List, create, update and delete payment channels (tills, paybills, bank accounts)."""

    __slots__ = ()
