"""What the Global resources share: unwrapping Paylor's envelopes, lazy paging, input checks."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from urllib.parse import urlsplit

import attrs

from ..._endpoints import Endpoint
from ..._transport import Response
from ..._validation import AMOUNT_SANITY_CAP, normalize_phone
from ...errors import InvalidAmountError, InvalidParameterError, InvalidPhoneNumberError
from .._base import Resource, with_response
from .._paging import MAX_PAGE_SIZE, check_paging, offset_pages

__all__ = [
    "MAX_PAGE_SIZE",
    "GlobalResource",
    "body_without_none",
    "validate_currency",
    "validate_email",
    "validate_money",
    "validate_msisdn",
    "validate_url",
    "wire_amount",
]

T = TypeVar("T")
P = TypeVar("P")

_CURRENCY = re.compile(r"[A-Z]{3,5}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_SEPARATORS = re.compile(r"[\s\-.()]")
_GENERIC_MSISDN = re.compile(r"\+?[0-9]{6,15}")


class GlobalResource(Resource):
    """A Global sub-resource: single objects may come wrapped (``{"success", "<key>": {...}}``)."""

    __slots__ = ()

    def _decode_in(
        self,
        response: Response,
        cls: type[T],
        endpoint: Endpoint,
        key: str,
        *,
        path: str | None = None,
        reference: str | None = None,
    ) -> T:
        """Decode ``response.data[key]`` when Paylor wraps the object, else the body itself."""
        data = response.data
        if isinstance(data, Mapping) and isinstance(data.get(key), Mapping):
            response = attrs.evolve(response, data=data[key])
        return self._decode(response, cls, endpoint, path=path, reference=reference)

    def _paginate(
        self,
        endpoint: Endpoint,
        page_cls: type[P],
        items_of: Callable[[P], Sequence[T]],
        id_of: Callable[[T], str],
        *,
        page_size: int,
        offset: int,
        params: Mapping[str, str | int] | None = None,
    ) -> AsyncIterator[T]:
        """Every item, a page (``limit``/``offset``) fetched only when the last one is used up.

        ``page_size`` and ``offset`` are checked now (an :class:`InvalidParameterError` at the
        call, not at the first iteration); nothing is requested before iteration starts.
        """
        check_paging(page_size, offset)
        return self._pages(
            endpoint, page_cls, items_of, id_of, page_size=page_size, offset=offset, params=params
        )

    async def _pages(
        self,
        endpoint: Endpoint,
        page_cls: type[P],
        items_of: Callable[[P], Sequence[T]],
        id_of: Callable[[T], str],
        *,
        page_size: int,
        offset: int,
        params: Mapping[str, str | int] | None = None,
    ) -> AsyncIterator[T]:
        """The walk behind :meth:`_paginate`.

        Repeats (by ``id``) are skipped. The walk ends on an empty page, a page bringing
        nothing new, the ``total`` reached, or (without a total) a short page.
        """

        async def fetch(query: Mapping[str, str | int]) -> tuple[P, Response]:
            response = await self._call(endpoint, params=query)
            return self._decode(response, page_cls, endpoint), response

        async for fresh in offset_pages(
            fetch,
            items_of=items_of,
            id_of=id_of,
            total_of=lambda page: getattr(page, "total", None),
            attach=with_response,
            page_size=page_size,
            offset=offset,
            params=params,
        ):
            for item in fresh:
                yield item


def validate_money(amount: int | Decimal | float, *, what: str = "amount") -> Decimal:
    """A positive amount with at most two decimal places, as an exact :class:`Decimal`.

    Raises:
        InvalidAmountError: not a number (``bool`` and ``str`` are refused), not finite, not
            positive, finer than cents, or absurdly large.
    """
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal | float):
        raise InvalidAmountError(
            f"{what} must be a number (int or Decimal), got {type(amount).__name__}"
        )
    try:
        value = Decimal(repr(amount)) if isinstance(amount, float) else Decimal(amount)
    except (InvalidOperation, ValueError):
        raise InvalidAmountError(f"{what} must be a finite number") from None
    if not value.is_finite():
        raise InvalidAmountError(f"{what} must be a finite number, got {amount!r}")
    if value <= 0:
        raise InvalidAmountError(f"{what} must be more than 0, got {value}")
    if value > AMOUNT_SANITY_CAP:
        raise InvalidAmountError(f"{what} is beyond any payment (over {AMOUNT_SANITY_CAP:,})")
    if value != value.quantize(Decimal("0.01")):
        raise InvalidAmountError(f"{what} has more than two decimal places: {value}")
    return value


def wire_amount(value: Decimal) -> int | float:
    """A JSON number for ``value``: an integer when whole (``1500``), else cents (``10.5``).

    Exact: a value with at most 2 decimals and 15 digits round-trips through a float's repr.
    """
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def validate_currency(currency: str) -> str:
    """An ISO-style code of 3 to 5 letters (``KES``, ``USD``, ``USDT``), upper-cased."""
    if not isinstance(currency, str):
        raise InvalidParameterError(
            f"currency must be a string such as 'KES', got {type(currency).__name__}",
            parameter="currency",
        )
    code = currency.strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise InvalidParameterError(
            "currency must be a code of 3 to 5 letters such as 'KES' or 'USD'",
            parameter="currency",
        )
    return code


def validate_email(email: str, *, name: str = "customer_email") -> str:
    """A plausible e-mail address (``name@domain.tld``), at most 254 characters."""
    if not isinstance(email, str):
        raise InvalidParameterError(
            f"{name} must be a string, got {type(email).__name__}", parameter=name
        )
    value = email.strip()
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        raise InvalidParameterError(
            f"{name} must be an e-mail address such as payer@example.com", parameter=name
        )
    return value


def validate_msisdn(msisdn: str, *, country: str | None) -> str:
    """The payer's phone in the form Paylor's Global docs show.

    Kenyan numbers (rail country ``KE``, or any number :func:`normalize_phone` accepts when the
    rail's country is unknown) are sent in the local form of the docs' example: ``0712345678``
    (``+254712345678``, ``254712345678`` and ``712345678`` are converted). Numbers for rails in
    other countries are sent as typed, without spaces or dashes (``+`` and 6 to 15 digits).

    Raises:
        InvalidPhoneNumberError: not a phone number (nothing is sent).
    """
    if not isinstance(msisdn, str):
        raise InvalidPhoneNumberError(
            f"msisdn must be a string such as '0712345678', got {type(msisdn).__name__}"
        )
    kenyan = country is None or country.upper() == "KE"
    if kenyan:
        try:
            return "0" + normalize_phone(msisdn)[3:]
        except InvalidPhoneNumberError:
            if country is not None:
                raise
    compact = _SEPARATORS.sub("", msisdn)
    if not _GENERIC_MSISDN.fullmatch(compact):
        raise InvalidPhoneNumberError(
            f"msisdn must be a phone number of 6 to 15 digits (got {len(msisdn)} characters)"
        )
    return compact


def body_without_none(body: Mapping[str, Any]) -> dict[str, Any]:
    """``body`` minus the keys whose value is ``None`` (optional fields left out)."""
    return {k: v for k, v in body.items() if v is not None}


def validate_url(url: str, *, name: str) -> str:
    """An absolute ``http(s)`` URL with a host and no spaces."""
    if not isinstance(url, str):
        raise InvalidParameterError(
            f"{name} must be a string, got {type(url).__name__}", parameter=name
        )
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(ch.isspace() for ch in url)
    ):
        raise InvalidParameterError(
            f"{name} must be an absolute http(s) URL such as https://shop.example/paylor",
            parameter=name,
        )
    return url
