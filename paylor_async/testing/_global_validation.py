"""Request validation of the Global endpoints: body in, clean input out, or an ``ApiError``.

Problems of shape and of meaning are gathered into one ``VALIDATION_ERROR`` whose ``details``
name each field, as Paylor's zod-style validation does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import attrs

from ._global_state import GlobalState, SimRail
from ._responses import INVALID_JSON, ApiError, FieldProblem
from ._validation import MAX_TEXT

__all__ = [
    "CollectionInput",
    "WithdrawalInput",
    "validate_collection",
    "validate_currency_query",
    "validate_link",
    "validate_settings_patch",
    "validate_webhook",
    "validate_withdrawal",
]

_KE_MSISDN = re.compile(r"(0[17]\d{8}|\+?254[17]\d{8})")
_ANY_MSISDN = re.compile(r"\+?\d{6,15}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_CURRENCY = re.compile(r"[A-Z]{3,5}")


def _object(body: object) -> dict[str, Any]:
    if body is INVALID_JSON or not isinstance(body, dict):
        raise ApiError.validation([FieldProblem("body", "body must be a JSON object")])
    return body


def _text(
    body: Mapping[str, Any], name: str, problems: list[FieldProblem], *, required: bool
) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            problems.append(FieldProblem(name, f"{name} is required"))
        return None
    if not isinstance(value, str):
        problems.append(FieldProblem(name, f"{name} must be a string", "invalid_type"))
        return None
    if not value.strip() or len(value) > MAX_TEXT:
        problems.append(FieldProblem(name, f"{name} must be 1 to {MAX_TEXT} characters", "too_big"))
        return None
    return value


def _amount(body: Mapping[str, Any], problems: list[FieldProblem]) -> Decimal | None:
    value = body.get("amount")
    if value is None:
        problems.append(FieldProblem("amount", "amount is required"))
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        problems.append(FieldProblem("amount", "amount must be a number", "invalid_type"))
        return None
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not exact.is_finite() or exact <= 0 or exact != exact.quantize(Decimal("0.01")):
        problems.append(
            FieldProblem("amount", "amount must be positive with at most 2 decimals", "custom")
        )
        return None
    return exact


def _currency(body: Mapping[str, Any], problems: list[FieldProblem]) -> str | None:
    value = _text(body, "currency", problems, required=True)
    if value is not None and not _CURRENCY.fullmatch(value):
        problems.append(FieldProblem("currency", "currency must be a currency code", "custom"))
        return None
    return value


def _is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@attrs.frozen
class CollectionInput:
    rail: SimRail
    amount: Decimal
    currency: str
    msisdn: str | None
    customer_email: str | None
    reference: str | None


def validate_collection(body: object, state: GlobalState) -> CollectionInput:
    """``POST /global/collections``: shape first, then the rail's rules (all in one error)."""
    data = _object(body)
    problems: list[FieldProblem] = []
    rail_name = _text(data, "rail", problems, required=True)
    amount = _amount(data, problems)
    currency = _currency(data, problems)
    msisdn = _text(data, "msisdn", problems, required=False)
    email = _text(data, "customerEmail", problems, required=False)
    reference = _text(data, "reference", problems, required=False)
    if email is not None and not _EMAIL.fullmatch(email):
        problems.append(FieldProblem("customerEmail", "customerEmail must be an email", "custom"))
    rail = state.rails.get(rail_name) if rail_name is not None else None
    if rail_name is not None and rail is None:
        problems.append(FieldProblem("rail", f"Unknown provider rail: {rail_name}", "custom"))
    if rail is not None:
        _rail_rules(rail, amount, currency, msisdn, email, data, problems)
    if problems:
        raise ApiError.validation(problems)
    assert rail is not None
    assert amount is not None
    assert currency is not None
    return CollectionInput(rail, amount, currency, msisdn, email, reference)


def _rail_rules(
    rail: SimRail,
    amount: Decimal | None,
    currency: str | None,
    msisdn: str | None,
    email: str | None,
    data: Mapping[str, Any],
    problems: list[FieldProblem],
) -> None:
    if not rail.live or not rail.collect:
        problems.append(FieldProblem("rail", f"Provider {rail.rail} is not live", "custom"))
    if currency is not None and currency not in rail.currencies:
        offered = ", ".join(rail.currencies)
        problems.append(FieldProblem("currency", f"{rail.rail} supports {offered} only", "custom"))
    if amount is not None and not rail.min_amount <= amount <= rail.max_amount:
        problems.append(
            FieldProblem(
                "amount",
                f"amount must be between {rail.min_amount} and {rail.max_amount}",
                "custom",
            )
        )
    if rail.collection_flow == "PUSH":
        if data.get("msisdn") is None:
            problems.append(FieldProblem("msisdn", "msisdn is required for PUSH rails"))
        elif msisdn is not None:
            pattern = _KE_MSISDN if rail.country == "KE" else _ANY_MSISDN
            if not pattern.fullmatch(msisdn):
                problems.append(FieldProblem("msisdn", "msisdn is not a valid number", "custom"))
    if rail.collection_flow == "REDIRECT" and data.get("customerEmail") is None:
        problems.append(
            FieldProblem("customerEmail", "customerEmail is required for REDIRECT rails")
        )


def validate_link(body: object) -> tuple[Decimal, str, str | None, str | None]:
    """``POST /global/payment-links``: amount, currency, description?, reference?."""
    data = _object(body)
    problems: list[FieldProblem] = []
    amount = _amount(data, problems)
    currency = _currency(data, problems)
    description = _text(data, "description", problems, required=False)
    reference = _text(data, "reference", problems, required=False)
    if problems:
        raise ApiError.validation(problems)
    assert amount is not None
    assert currency is not None
    return amount, currency, description, reference


def validate_webhook(body: object) -> tuple[str, frozenset[str] | None]:
    """``POST /global/webhooks``: ``url`` (http(s)) and optional non-empty ``events``."""
    data = _object(body)
    problems: list[FieldProblem] = []
    url = _text(data, "url", problems, required=True)
    if url is not None and not _is_http_url(url):
        problems.append(FieldProblem("url", "url must be an http(s) URL", "invalid_string"))
    events = data.get("events")
    names: frozenset[str] | None = None
    if events is not None:
        if (
            not isinstance(events, list)
            or not events
            or not all(isinstance(e, str) and e for e in events)
        ):
            problems.append(
                FieldProblem("events", "events must be a non-empty list of names", "invalid_type")
            )
        else:
            names = frozenset(events)
    if problems:
        raise ApiError.validation(problems)
    assert url is not None
    return url, names


_SETTING_RULES: dict[str, Callable[[object], bool]] = {
    "businessName": lambda v: isinstance(v, str) and 0 < len(v) <= MAX_TEXT,
    "supportEmail": lambda v: v is None or (isinstance(v, str) and bool(_EMAIL.fullmatch(v))),
    "defaultCurrency": lambda v: isinstance(v, str) and bool(_CURRENCY.fullmatch(v)),
    "redirectUrl": lambda v: v is None or (isinstance(v, str) and _is_http_url(v)),
}


def validate_settings_patch(body: object) -> dict[str, Any]:
    """``PATCH /global/settings``: known settings checked, unknown ones kept as given."""
    data = _object(body)
    if not data:
        raise ApiError.validation([FieldProblem("body", "at least one setting is required")])
    problems = [
        FieldProblem(name, f"{name} has an invalid value", "custom")
        for name, rule in _SETTING_RULES.items()
        if name in data and not rule(data[name])
    ]
    if problems:
        raise ApiError.validation(problems)
    return dict(data)


@attrs.frozen
class WithdrawalInput:
    amount: Decimal
    currency: str
    channel: str
    account: str
    account_name: str | None
    reference: str | None


def validate_withdrawal(body: object, channels: frozenset[str]) -> WithdrawalInput:
    """``POST /global/withdrawals``: amount, currency, destination {channel, account}."""
    data = _object(body)
    problems: list[FieldProblem] = []
    amount = _amount(data, problems)
    currency = _currency(data, problems)
    reference = _text(data, "reference", problems, required=False)
    destination = data.get("destination")
    channel = account = account_name = None
    if not isinstance(destination, dict):
        problems.append(FieldProblem("destination", "destination is required"))
    else:
        inner: list[FieldProblem] = []
        channel = _text(destination, "channel", inner, required=True)
        account = _text(destination, "account", inner, required=True)
        account_name = _text(destination, "accountName", inner, required=False)
        if channel is not None and channel not in channels:
            inner.append(
                FieldProblem("channel", f"channel must be one of {sorted(channels)}", "custom")
            )
        problems.extend(attrs.evolve(p, path=f"destination.{p.path}") for p in inner)
    if problems:
        raise ApiError.validation(problems)
    assert amount is not None
    assert currency is not None
    assert channel is not None
    assert account is not None
    return WithdrawalInput(amount, currency, channel, account, account_name, reference)


def validate_currency_query(query: Mapping[str, str]) -> str | None:
    """An optional ``?currency=`` filter."""
    value = query.get("currency")
    if value is None:
        return None
    if not _CURRENCY.fullmatch(value):
        raise ApiError.validation(
            [FieldProblem("currency", "currency must be a currency code", "custom")]
        )
    return value
