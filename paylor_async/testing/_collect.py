"""The checks every collection (STK Push, B2B Express) makes before creating a transaction."""

from __future__ import annotations

from decimal import Decimal

from ._fees import fee_for
from ._responses import ApiError
from ._state import SimChannel, SimState

__all__ = ["collecting_channel", "fee_covered"]


def collecting_channel(state: SimState, channel_id: str | None) -> SimChannel:
    """The channel named by ``channelId`` (alias or id), else the default; 404 if unusable."""
    if channel_id is not None:
        channel = state.find_channel(channel_id)
        if channel is None or not channel.is_active:
            raise ApiError.not_found("Channel not found or inactive")
        return channel
    default = state.default_channel()
    if default is None:
        raise ApiError.not_found("No active payment channel")
    return default


def fee_covered(state: SimState, amount: int | Decimal) -> Decimal:
    """The fee for ``amount``; 402 ``PAYMENT_REQUIRED`` if the fee wallet cannot cover it."""
    fee = fee_for(amount)
    if state.fee_wallet_balance < fee:
        raise ApiError(
            402,
            "PAYMENT_REQUIRED",
            f"Insufficient fee wallet balance: a fee of KES {fee} is required",
        )
    return fee
