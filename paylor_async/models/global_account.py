"""Models of Global payment links, registered webhooks and settings (shapes GUESSED).

Paylor documents only the paths' existence; these shapes are plausible guesses. Every field is
optional apart from ids, and the full payload stays in ``raw``, so a differing real shape loses
nothing and fails nothing it does not have to.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from ._fields import ResponseInfo, raw_field, response_field

__all__ = [
    "GlobalSettings",
    "GlobalWebhook",
    "GlobalWebhookDeletion",
    "GlobalWebhookList",
    "PaymentLink",
    "PaymentLinkList",
]


@attrs.frozen
class PaymentLink:
    """A shareable checkout link (``/global/payment-links``; shape GUESSED).

    ``status`` is a plain string (``ACTIVE`` in the simulator); ``url`` is what the payer opens.
    """

    id: str
    url: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    description: str | None = None
    reference: str | None = None
    status: str | None = None
    created_at: datetime | None = None
    idempotency_key: str = attrs.field(default="", metadata={"wire": "__sdk_idempotency_key__"})
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()


@attrs.frozen
class PaymentLinkList:
    """One page of ``GET /global/payment-links`` (GUESSED)."""

    payment_links: tuple[PaymentLink, ...] = ()
    total: int | None = None
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()


@attrs.frozen
class GlobalWebhook:
    """An endpoint registered through ``/global/webhooks`` (path DOCS, shape GUESSED).

    ``events`` is ``None`` when the endpoint receives every event.
    """

    id: str
    url: str
    events: tuple[str, ...] | None = None
    active: bool | None = None
    created_at: datetime | None = None
    idempotency_key: str = attrs.field(default="", metadata={"wire": "__sdk_idempotency_key__"})
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()


@attrs.frozen
class GlobalWebhookList:
    """One page of ``GET /global/webhooks`` (GUESSED)."""

    webhooks: tuple[GlobalWebhook, ...] = ()
    total: int | None = None
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()


@attrs.frozen
class GlobalWebhookDeletion:
    """The answer to ``DELETE /global/webhooks/{id}`` (GUESSED): what was removed."""

    id: str | None = None
    deleted: bool | None = None
    message: str | None = None
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()


@attrs.frozen
class GlobalSettings:
    """The merchant's Global settings (``/global/settings``; shape GUESSED).

    Settings this model does not name are still in ``raw`` and can be changed through
    ``settings.update(extra={...})``.
    """

    business_name: str | None = None
    support_email: str | None = None
    default_currency: str | None = None
    redirect_url: str | None = None
    updated_at: datetime | None = None
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()
