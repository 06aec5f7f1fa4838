"""Models of payment channels (tills, paybills, bank accounts). Shapes are EARLY."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from .._enums import OpenStrEnum
from ._fields import ResponseInfo, raw_field, response_field

__all__ = [
    "Channel",
    "ChannelDeletion",
    "ChannelEnvelope",
    "ChannelList",
    "ChannelStatus",
    "ChannelType",
]


class ChannelType(OpenStrEnum):
    """How a channel receives money."""

    TILL = "TILL"
    PAYBILL = "PAYBILL"
    BANK = "BANK"


class ChannelStatus(OpenStrEnum):
    """Whether a channel can be used for payments."""

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


@attrs.frozen
class Channel:
    """A payment channel of the merchant.

    Attributes:
        id: Paylor's id (what ``channels.update`` and ``channels.delete`` take).
        alias: ``PAYL-`` + 6 characters; what ``payments.stk_push(channel_id=...)`` takes.
        name, type, number: the till, paybill or bank's paybill number.
        bank_name, account_number: for BANK channels (and paybill accounts).
        status: ``ACTIVE`` or ``INACTIVE``.
        merchant_id, created_at, updated_at: as Paylor reports them.
    """

    id: str
    name: str | None = None
    type: ChannelType | None = None
    number: str | None = None
    alias: str | None = None
    status: ChannelStatus | None = None
    merchant_id: str | None = None
    bank_name: str | None = None
    account_number: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()

    @property
    def is_active(self) -> bool:
        return self.status == ChannelStatus.ACTIVE


@attrs.frozen
class ChannelList:
    """``GET /merchants/channels``: ``{"channels": [...]}`` (not paged)."""

    channels: tuple[Channel, ...]
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()


@attrs.frozen
class ChannelEnvelope:
    """``{"message", "channel"}``: what creating or updating a channel returns."""

    channel: Channel
    message: str | None = None
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()


@attrs.frozen
class ChannelDeletion:
    """A channel was deleted.

    Attributes:
        channel_id: the id that was deleted (filled in by the SDK).
        message: Paylor's message.
    """

    message: str | None = None
    channel_id: str = attrs.field(default="", metadata={"wire": "__sdk_channel_id__"})
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()
