"""Global endpoint handlers and their rows of the route table (``GLOBAL_ROUTES``).

Creating POSTs honour ``Idempotency-Key``: the first successful response to a key is stored
(per merchant and route) and replayed byte for byte. Lists page with ``limit``/``offset`` and
carry ``total``. A withdrawal larger than the currency's balance is a 402 ``PAYMENT_REQUIRED``
(the code Paylor uses when a wallet cannot cover a payment).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from ._global_state import GlobalState, InsufficientBalance
from ._global_validation import (
    validate_collection,
    validate_currency_query,
    validate_link,
    validate_settings_patch,
    validate_webhook,
    validate_withdrawal,
)
from ._ids import iso_ms, object_id
from ._responses import ApiError, ApiResponse
from ._routing import Handler, RequestContext, Route
from ._state import RegisteredWebhook
from ._validation import idempotency_key, validate_page

__all__ = ["GLOBAL_ROUTES"]


def _global(ctx: RequestContext) -> GlobalState:
    return ctx.state.global_state


def idempotent(route_name: str, handler: Handler) -> Handler:
    """``handler`` with Paylor's idempotency: same key again -> the stored first response."""

    def wrapped(ctx: RequestContext) -> ApiResponse:
        key = idempotency_key(ctx.headers)
        store = _global(ctx).idempotency
        if key is not None:
            stored = store.get((ctx.key.merchant_id, route_name, key))
            if stored is not None:
                return ApiResponse(stored[0], stored[1])
        response = handler(ctx)
        if key is not None and 200 <= response.status < 300:
            store[(ctx.key.merchant_id, route_name, key)] = (response.status, response.body)
        return response

    return wrapped


def _page(ctx: RequestContext, key: str, items: Sequence[dict[str, Any]]) -> ApiResponse:
    page = validate_page(ctx.query)
    window = items[page.offset : page.offset + page.limit]
    return ApiResponse.json(200, {"success": True, key: list(window), "total": len(items)})


# providers and collections ------------------------------------------------------------------
def list_providers(ctx: RequestContext) -> ApiResponse:
    rails = [r.to_api() for r in _global(ctx).rails.values()]
    return ApiResponse.json(200, {"success": True, "providers": rails})


def create_collection(ctx: RequestContext) -> ApiResponse:
    state = _global(ctx)
    data = validate_collection(ctx.json, state)
    collection = state.create_collection(
        rail=data.rail,
        amount=data.amount,
        currency=data.currency,
        msisdn=data.msisdn,
        customer_email=data.customer_email,
        merchant_reference=data.reference,
    )
    return ApiResponse.json(201, {"success": True, "collection": collection.to_api()})


def get_collection(ctx: RequestContext) -> ApiResponse:
    collection = _global(ctx).collections.get(ctx.params["reference"])
    if collection is None:
        raise ApiError.not_found("Collection not found")
    return ApiResponse.json(200, {"success": True, "collection": collection.to_api()})


# payment links --------------------------------------------------------------------------------
def create_payment_link(ctx: RequestContext) -> ApiResponse:
    amount, currency, description, reference = validate_link(ctx.json)
    link = _global(ctx).create_payment_link(
        amount=amount, currency=currency, description=description, reference=reference
    )
    return ApiResponse.json(201, {"success": True, "paymentLink": link.to_api()})


def list_payment_links(ctx: RequestContext) -> ApiResponse:
    links = [x.to_api() for x in reversed(_global(ctx).payment_links.values())]
    return _page(ctx, "paymentLinks", links)


# webhooks and settings ------------------------------------------------------------------------
def _webhook_api(hook: RegisteredWebhook) -> dict[str, Any]:
    return {
        "id": hook.id,
        "url": hook.url,
        "events": None if hook.events is None else sorted(hook.events),
        "active": hook.active,
        "createdAt": hook.created_at,
    }


def create_webhook(ctx: RequestContext) -> ApiResponse:
    url, events = validate_webhook(ctx.json)
    wall = ctx.state.clock.wall()
    hook_id = object_id(wall)
    hook = RegisteredWebhook(id=hook_id, url=url, events=events, created_at=iso_ms(wall))
    ctx.state.webhook_endpoints[hook.id] = hook
    return ApiResponse.json(201, {"success": True, "webhook": _webhook_api(hook)})


def list_webhooks(ctx: RequestContext) -> ApiResponse:
    hooks = [_webhook_api(h) for h in ctx.state.webhook_endpoints.values()]
    return _page(ctx, "webhooks", hooks)


def delete_webhook(ctx: RequestContext) -> ApiResponse:
    hook_id = ctx.params["webhookId"]
    if ctx.state.webhook_endpoints.pop(hook_id, None) is None:
        raise ApiError.not_found("Webhook not found")
    return ApiResponse.json(
        200, {"success": True, "id": hook_id, "deleted": True, "message": "Webhook deleted"}
    )


def _settings_api(state: GlobalState) -> dict[str, Any]:
    return {**state.settings, "updatedAt": iso_ms(state.settings_updated_at)}


def get_settings(ctx: RequestContext) -> ApiResponse:
    return ApiResponse.json(200, {"success": True, "settings": _settings_api(_global(ctx))})


def update_settings(ctx: RequestContext) -> ApiResponse:
    state = _global(ctx)
    changes = validate_settings_patch(ctx.json)
    state.settings.update(changes)
    state.settings_updated_at = state.clock.wall()
    return ApiResponse.json(200, {"success": True, "settings": _settings_api(state)})


# wallet, withdrawals, ledger, listings ----------------------------------------------------------
def get_wallet(ctx: RequestContext) -> ApiResponse:
    state = _global(ctx)
    currencies = sorted(set(state.balances) | {c.currency for c in state.collections.values()})
    balances = [
        {
            "currency": code,
            "available": state.balance(code),
            "pending": sum(
                (
                    c.amount
                    for c in state.collections.values()
                    if c.currency == code and c.status == "PENDING"
                ),
                start=Decimal(0),
            ),
        }
        for code in currencies
    ]
    return ApiResponse.json(200, {"success": True, "wallet": {"balances": balances}})


def _disbursement_channels(state: GlobalState) -> frozenset[str]:
    return frozenset(
        channel
        for rail in state.rails.values()
        if rail.live and rail.disburse
        for channel in rail.disbursement_channels
    )


def create_withdrawal(ctx: RequestContext) -> ApiResponse:
    state = _global(ctx)
    data = validate_withdrawal(ctx.json, _disbursement_channels(state))
    try:
        withdrawal = state.withdraw(
            amount=data.amount,
            currency=data.currency,
            channel=data.channel,
            account=data.account,
            account_name=data.account_name,
            reference=data.reference,
        )
    except InsufficientBalance:
        raise ApiError(
            402,
            "PAYMENT_REQUIRED",
            f"Insufficient {data.currency} balance: {state.balance(data.currency)} available",
        ) from None
    return ApiResponse.json(201, {"success": True, "withdrawal": withdrawal.to_api()})


def list_withdrawals(ctx: RequestContext) -> ApiResponse:
    items = [w.to_api() for w in reversed(_global(ctx).withdrawals.values())]
    return _page(ctx, "withdrawals", items)


def list_ledger(ctx: RequestContext) -> ApiResponse:
    currency = validate_currency_query(ctx.query)
    entries = [
        e.to_api()
        for e in reversed(_global(ctx).ledger)
        if currency is None or e.currency == currency
    ]
    return _page(ctx, "entries", entries)


def list_listings(ctx: RequestContext) -> ApiResponse:
    items = [x.to_api() for x in reversed(_global(ctx).listings.values())]
    return _page(ctx, "listings", items)


READ, COLLECT, DISBURSE = ("global:read",), ("global:collect",), ("global:disburse",)


def _row(
    name: str, method: str, path: str, scopes: tuple[str, ...], handler: Callable[..., ApiResponse]
) -> Route:
    if method == "POST":
        handler = idempotent(name, handler)
    return Route(name, method, path, scopes, "payments", handler)


#: name, method, path (relative to /api/v1), scopes (any one grants), rate-limit group, handler
GLOBAL_ROUTES: tuple[Route, ...] = (
    _row("global_providers_list", "GET", "/global/providers", READ, list_providers),
    _row("global_collection_create", "POST", "/global/collections", COLLECT, create_collection),
    _row("global_collection_retrieve", "GET", "/global/collections/{reference}", READ,
         get_collection),
    _row("global_payment_link_create", "POST", "/global/payment-links", COLLECT,
         create_payment_link),
    _row("global_payment_link_list", "GET", "/global/payment-links", COLLECT, list_payment_links),
    _row("global_webhook_create", "POST", "/global/webhooks", COLLECT, create_webhook),
    _row("global_webhook_list", "GET", "/global/webhooks", COLLECT, list_webhooks),
    _row("global_webhook_delete", "DELETE", "/global/webhooks/{webhookId}", COLLECT,
         delete_webhook),
    _row("global_settings_retrieve", "GET", "/global/settings", COLLECT, get_settings),
    _row("global_settings_update", "PATCH", "/global/settings", COLLECT, update_settings),
    _row("global_withdrawal_create", "POST", "/global/withdrawals", DISBURSE, create_withdrawal),
    _row("global_withdrawal_list", "GET", "/global/withdrawals", READ, list_withdrawals),
    _row("global_wallet_retrieve", "GET", "/global/wallet", READ, get_wallet),
    _row("global_ledger_list", "GET", "/global/ledger", READ, list_ledger),
    _row("global_listing_list", "GET", "/global/listings", READ, list_listings),
)  # fmt: skip
