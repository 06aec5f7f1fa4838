"""``global_payments.payment_links`` and ``global_payments.listings`` (paths and shapes GUESSED)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

from ..._endpoints import endpoint
from ..._validation import validate_optional_text
from ...models.global_account import PaymentLink, PaymentLinkList
from ...models.global_money import Listing, ListingList
from ._common import (
    GlobalResource,
    body_without_none,
    validate_currency,
    validate_money,
    wire_amount,
)

__all__ = ["Listings", "PaymentLinks"]

_LINK_CREATE = endpoint("global_payment_link_create")
_LINK_LIST = endpoint("global_payment_link_list")
_LISTING_LIST = endpoint("global_listing_list")


class PaymentLinks(GlobalResource):
    """Shareable checkout links: the payer picks a rail on Paylor's page."""

    __slots__ = ()

    async def create(
        self,
        amount: int | Decimal,
        currency: str,
        *,
        description: str | None = None,
        reference: str | None = None,
        idempotency_key: str | None = None,
    ) -> PaymentLink:
        """``POST /global/payment-links`` (scope ``global:collect``; GUESSED).

        Args:
            amount: positive, at most two decimal places.
            currency: ``"KES"``, ``"USD"``...
            description: shown to the payer (up to 255 characters).
            reference: your own reference (up to 255 characters).
            idempotency_key: generated if None; reused on retries, so one link per attempt.

        Returns:
            The link (``id``, ``url``...), with ``.response`` and ``idempotency_key``.

        Raises:
            InvalidAmountError, InvalidParameterError, InvalidIdempotencyKeyError: before
            sending. ValidationError, PermissionDeniedError, other APIError subclasses.
        """
        body = body_without_none(
            {
                "amount": wire_amount(validate_money(amount)),
                "currency": validate_currency(currency),
                "description": validate_optional_text(description, name="description"),
                "reference": validate_optional_text(reference, name="reference"),
            }
        )
        key = self._idempotency_key(idempotency_key)
        response = await self._call(
            _LINK_CREATE, body=body, idempotency_key=key, reference=reference
        )
        return self._decode_in(response, PaymentLink, _LINK_CREATE, "paymentLink")

    def list(self, *, page_size: int = 50, offset: int = 0) -> AsyncIterator[PaymentLink]:
        """``GET /global/payment-links``: every link, a page fetched at a time as you iterate.

        Raises:
            InvalidParameterError (bad ``page_size``/``offset``), PermissionDeniedError,
            other APIError subclasses.
        """
        return self._paginate(
            _LINK_LIST,
            PaymentLinkList,
            lambda page: page.payment_links,
            lambda link: link.id,
            page_size=page_size,
            offset=offset,
        )


class Listings(GlobalResource):
    """The merchant's listings (GUESSED: products or services offered through Global)."""

    __slots__ = ()

    def list(self, *, page_size: int = 50, offset: int = 0) -> AsyncIterator[Listing]:
        """``GET /global/listings`` (scope ``global:read``): every listing, page by page.

        Raises:
            InvalidParameterError, PermissionDeniedError, other APIError subclasses.
        """
        return self._paginate(
            _LISTING_LIST,
            ListingList,
            lambda page: page.listings,
            lambda listing: listing.id,
            page_size=page_size,
            offset=offset,
        )
