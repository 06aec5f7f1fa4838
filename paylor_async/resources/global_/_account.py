"""``global_payments.webhooks`` and ``global_payments.settings``.

``/global/webhooks`` is in Paylor's docs; its methods, the delete path and every shape here
are GUESSED, as are the settings.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Iterable, Mapping
from decimal import Decimal
from typing import Any

from ..._endpoints import endpoint
from ..._validation import AMOUNT_SANITY_CAP, validate_optional_text, validate_text
from ...errors import InvalidParameterError
from ...models.global_account import (
    GlobalSettings,
    GlobalWebhook,
    GlobalWebhookDeletion,
    GlobalWebhookList,
)
from ._common import (
    GlobalResource,
    body_without_none,
    validate_currency,
    validate_email,
    validate_url,
    wire_amount,
)

__all__ = ["Settings", "Webhooks"]

_WEBHOOK_CREATE = endpoint("global_webhook_create")
_WEBHOOK_LIST = endpoint("global_webhook_list")
_WEBHOOK_DELETE = endpoint("global_webhook_delete")
_SETTINGS_GET = endpoint("global_settings_retrieve")
_SETTINGS_UPDATE = endpoint("global_settings_update")


def _path_id(value: str, name: str) -> str:
    text = validate_text(value, name=name)
    if text.strip(".") == "":
        raise InvalidParameterError(f"{name} must be an id, not a path segment", parameter=name)
    return text


class Webhooks(GlobalResource):
    """Endpoints that receive Global events (``global.collection.confirmed``...)."""

    __slots__ = ()

    async def register(
        self,
        url: str,
        events: Iterable[str] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> GlobalWebhook:
        """``POST /global/webhooks`` (scope ``global:collect``): deliver events to ``url``.

        Args:
            url: an absolute http(s) URL.
            events: event names to receive; ``None`` for every event.
            idempotency_key: generated if None; a retry cannot register the URL twice.

        Raises:
            InvalidParameterError: bad ``url`` or ``events`` (nothing sent). ValidationError,
            PermissionDeniedError, other APIError subclasses.
        """
        target = validate_url(url, name="url")
        names: list[str] | None = None
        if events is not None:
            if isinstance(events, str):
                raise InvalidParameterError(
                    "events must be a list of event names, not one string", parameter="events"
                )
            if not isinstance(events, Iterable):
                raise InvalidParameterError(
                    f"events must be a list of event names, got {type(events).__name__}",
                    parameter="events",
                )
            names = [validate_text(e, name="events") for e in events]
            if not names:
                raise InvalidParameterError(
                    "events must name at least one event (None means every event)",
                    parameter="events",
                )
        body = body_without_none({"url": target, "events": names})
        key = self._idempotency_key(idempotency_key)
        response = await self._call(_WEBHOOK_CREATE, body=body, idempotency_key=key)
        return self._decode_in(response, GlobalWebhook, _WEBHOOK_CREATE, "webhook")

    def list(self, *, page_size: int = 50, offset: int = 0) -> AsyncIterator[GlobalWebhook]:
        """``GET /global/webhooks``: every registered endpoint, page by page as you iterate."""
        return self._paginate(
            _WEBHOOK_LIST,
            GlobalWebhookList,
            lambda page: page.webhooks,
            lambda hook: hook.id,
            page_size=page_size,
            offset=offset,
        )

    async def delete(self, webhook_id: str) -> GlobalWebhookDeletion:
        """``DELETE /global/webhooks/{id}`` (path GUESSED): stop delivering to that endpoint.

        Not retried automatically unless the request surely never reached Paylor (a DELETE
        carries no idempotency key); a repeat after success answers 404.

        Raises:
            NotFoundError: no such endpoint. PermissionDeniedError, other APIError subclasses.
        """
        path = _WEBHOOK_DELETE.render(webhook_id=_path_id(webhook_id, "webhook_id"))
        response = await self._call(_WEBHOOK_DELETE, path=path)
        return self._decode(response, GlobalWebhookDeletion, _WEBHOOK_DELETE, path=path)


class Settings(GlobalResource):
    """The merchant's Global settings (GUESSED shape)."""

    __slots__ = ()

    async def retrieve(self) -> GlobalSettings:
        """``GET /global/settings`` (scope ``global:collect``)."""
        response = await self._call(_SETTINGS_GET)
        return self._decode_in(response, GlobalSettings, _SETTINGS_GET, "settings")

    async def update(
        self,
        *,
        business_name: str | None = None,
        support_email: str | None = None,
        default_currency: str | None = None,
        redirect_url: str | None = None,
        extra: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> GlobalSettings:
        """``PATCH /global/settings``: change only the settings given (``None`` = unchanged).

        Args:
            business_name, support_email, default_currency, redirect_url: the named settings.
            extra: other settings by their wire (camelCase) name, sent as given.
            idempotency_key: sent so a retried update is recognised; generated if None.

        Returns:
            The settings after the change.

        Raises:
            InvalidParameterError: nothing to change, or a bad value (nothing sent).
            ValidationError, PermissionDeniedError, other APIError subclasses.
        """
        body: dict[str, Any] = _checked_extra(extra)
        body.update(
            body_without_none(
                {
                    "businessName": validate_optional_text(business_name, name="business_name"),
                    "supportEmail": None
                    if support_email is None
                    else validate_email(support_email, name="support_email"),
                    "defaultCurrency": None
                    if default_currency is None
                    else validate_currency(default_currency),
                    "redirectUrl": None
                    if redirect_url is None
                    else validate_url(redirect_url, name="redirect_url"),
                }
            )
        )
        if not body:
            raise InvalidParameterError("settings.update needs at least one setting to change")
        key = self._idempotency_key(idempotency_key)
        response = await self._call(_SETTINGS_UPDATE, body=body, idempotency_key=key)
        return self._decode_in(response, GlobalSettings, _SETTINGS_UPDATE, "settings")


def _checked_extra(extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """Other settings, by wire name: JSON scalars only (a finite number, a str, a bool, null)."""
    if extra is None:
        return {}
    if not isinstance(extra, Mapping):
        raise InvalidParameterError(
            f"extra must be a mapping of setting name to value, got {type(extra).__name__}",
            parameter="extra",
        )
    checked: dict[str, Any] = {}
    for name, value in extra.items():
        if not isinstance(name, str) or not name:
            raise InvalidParameterError("extra setting names must be strings", parameter="extra")
        if isinstance(value, Decimal):
            value = wire_amount(validate_setting_number(value, name))
        elif isinstance(value, float) and not math.isfinite(value):
            raise InvalidParameterError(f"extra[{name!r}] must be finite", parameter="extra")
        elif value is not None and not isinstance(value, str | bool | int | float):
            raise InvalidParameterError(
                f"extra[{name!r}] must be a str, number, bool or None, got {type(value).__name__}",
                parameter="extra",
            )
        checked[name] = value
    return checked


def validate_setting_number(value: Decimal, name: str) -> Decimal:
    if not value.is_finite() or abs(value) > AMOUNT_SANITY_CAP:
        raise InvalidParameterError(f"extra[{name!r}] must be a finite number", parameter="extra")
    return value
