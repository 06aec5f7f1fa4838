"""``paylor.wallet``: balances and B2C metrics."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from .._endpoints import endpoint
from ..models.wallet import B2CMetrics, WalletSummary
from ._base import Resource

__all__ = ["Wallet"]

_RETRIEVE = endpoint("wallet_retrieve")
_METRICS = endpoint("b2c_metrics")
#: Keys a GUESSED metrics answer may wrap its object in.
_METRICS_WRAPPERS = ("metrics", "data")


class Wallet(Resource):
    """The merchant's wallet balance and B2C metrics (paths GUESSED)."""

    __slots__ = ()

    async def retrieve(self) -> WalletSummary:
        """The wallet balance and recent wallet movements (``GET /merchants/wallet``).

        Returns:
            A :class:`WalletSummary` (``wallet.balance``, ``wallet.currency``,
            ``transactions``); unknown fields are kept in ``raw``.

        Raises:
            PermissionDeniedError: the key lacks ``wallet:read``. Other APIError subclasses,
            APIConnectionError.
        """
        response = await self._call(_RETRIEVE)
        return self._decode(response, WalletSummary, _RETRIEVE)

    async def b2c_metrics(self) -> B2CMetrics:
        """Figures of the B2C payout business (``GET /merchants/b2c/metrics``, GUESSED).

        The answer's shape is unknown: a flat object, or one wrapped in ``metrics`` or
        ``data``, is read into :class:`B2CMetrics`; fields it lacks are ``None``.

        Raises:
            PermissionDeniedError: the key lacks ``b2c:read``. Other APIError subclasses,
            APIConnectionError.
        """
        response = await self._call(_METRICS)
        data = response.data
        if isinstance(data, Mapping):
            inner = next(
                (data[k] for k in _METRICS_WRAPPERS if isinstance(data.get(k), Mapping)), None
            )
            if inner is not None:
                return self._decode(attrs.evolve(response, data=inner), B2CMetrics, _METRICS)
        return self._decode(response, B2CMetrics, _METRICS)
