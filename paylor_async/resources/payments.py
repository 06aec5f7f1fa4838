"""``paylor.payments``: collecting money (M-Pesa STK Push, B2B Express Checkout)."""

from __future__ import annotations

import re
from decimal import Decimal

from .._endpoints import endpoint
from .._validation import (
    normalize_phone,
    validate_callback_url,
    validate_optional_text,
    validate_text,
    validate_whole_amount,
)
from ..errors import InvalidParameterError
from ..models import StkPushResult
from ..models.payouts import B2BExpressResult
from ._base import Resource

__all__ = ["Payments"]

_STK_PUSH = endpoint("stk_push")
_B2B_EXPRESS = endpoint("b2b_express")
#: An M-Pesa till or paybill number (shortcode).
_SHORTCODE = re.compile(r"[0-9]{5,10}")


class Payments(Resource):
    """Collections: prompt a customer's phone to pay."""

    __slots__ = ()

    async def stk_push(
        self,
        *,
        phone: str,
        amount: int | Decimal,
        reference: str,
        channel_id: str | None = None,
        description: str | None = None,
        callback_url: str | None = None,
        idempotency_key: str | None = None,
    ) -> StkPushResult:
        """Send an M-Pesa STK Push: the customer gets a PIN prompt for ``amount`` KES.

        Args:
            phone: any common Kenyan form (``0712 345 678``, ``+254712345678``...).
            amount: whole shillings, at least 1.
            reference: your order or invoice reference (1-255 characters); webhooks and
                transactions carry it back, reconcile on it.
            channel_id: the channel alias (``PAYL-XXXXXX``); Paylor's default channel if None.
            description: up to 255 characters.
            callback_url: where Paylor POSTs this transaction's signed webhook.
            idempotency_key: one key per payment attempt; generated if None. It is reused on
                every retry, so a retry never creates a second transaction.

        Returns:
            ``transaction_id``, ``status`` (``SENT``) and the ``idempotency_key`` used.

        Raises:
            InvalidPhoneNumberError, InvalidAmountError, InvalidParameterError,
            InvalidIdempotencyKeyError: before sending anything.
            APIError subclasses (``PaymentRequiredError`` when the fee wallet is short,
            ``NotFoundError`` for an unknown channel...), ``APIConnectionError``.
        """
        body: dict[str, object] = {
            "phone": normalize_phone(phone),
            "amount": validate_whole_amount(amount, minimum=1),
            "reference": validate_text(reference, name="reference"),
        }
        optional = {
            "channelId": validate_optional_text(channel_id, name="channel_id"),
            "description": validate_optional_text(description, name="description"),
            "callbackUrl": validate_callback_url(callback_url),
        }
        body.update((k, v) for k, v in optional.items() if v is not None)
        key = self._idempotency_key(idempotency_key)
        response = await self._call(_STK_PUSH, body=body, idempotency_key=key, reference=reference)
        return self._decode(response, StkPushResult, _STK_PUSH, reference=reference)

    async def b2b_express(
        self,
        *,
        payer_shortcode: str,
        amount: int | Decimal,
        reference: str,
        partner_name: str | None = None,
        channel_id: str | None = None,
        description: str | None = None,
        callback_url: str | None = None,
        idempotency_key: str | None = None,
    ) -> B2BExpressResult:
        """Collect from a business: M-Pesa B2B Express Checkout prompts the paying business.

        The owner of the till ``payer_shortcode`` gets a USSD prompt to pay ``amount`` KES into
        your channel; the outcome arrives as a ``payment.success``/``payment.failed`` webhook.

        GUESSED: Paylor documents B2B Express under the ``payments:create`` scope but not its
        path or body. The SDK sends ``POST /merchants/payments/b2b`` with
        ``{"payerShortcode", "amount", "reference", "partnerName"?, "channelId"?,
        "description"?, "callbackUrl"?}`` (modelled on M-Pesa's B2B Express Checkout:
        primaryShortCode, amount, paymentRef, partnerName) and reads a tolerant answer.

        Args:
            payer_shortcode: the paying business's till number (5-10 digits).
            amount: whole shillings, at least 1.
            reference: your invoice reference (1-255 characters); reconcile on it.
            partner_name: your name as the payer's prompt shows it (up to 255 characters).
            channel_id: the receiving channel alias (``PAYL-XXXXXX``); the default if None.
            description: up to 255 characters.
            callback_url: where Paylor POSTs this transaction's signed webhook.
            idempotency_key: one key per collection attempt; generated if None, reused on
                every retry.

        Returns:
            ``transaction_id``, ``status`` (``SENT``) and the ``idempotency_key`` used.

        Raises:
            InvalidAmountError, InvalidParameterError, InvalidIdempotencyKeyError: before
            sending anything.
            PaymentRequiredError (fee wallet short), NotFoundError (unknown channel),
            PermissionDeniedError (no ``payments:create``), other APIError subclasses,
            APIConnectionError.
        """
        if not isinstance(payer_shortcode, str) or not _SHORTCODE.fullmatch(payer_shortcode):
            raise InvalidParameterError(
                "payer_shortcode must be an M-Pesa till or paybill number: 5 to 10 digits, "
                "as a string",
                parameter="payer_shortcode",
            )
        body: dict[str, object] = {
            "payerShortcode": payer_shortcode,
            "amount": validate_whole_amount(amount, minimum=1),
            "reference": validate_text(reference, name="reference"),
        }
        optional = {
            "partnerName": validate_optional_text(partner_name, name="partner_name"),
            "channelId": validate_optional_text(channel_id, name="channel_id"),
            "description": validate_optional_text(description, name="description"),
            "callbackUrl": validate_callback_url(callback_url),
        }
        body.update((k, v) for k, v in optional.items() if v is not None)
        key = self._idempotency_key(idempotency_key)
        response = await self._call(
            _B2B_EXPRESS, body=body, idempotency_key=key, reference=reference
        )
        return self._decode(response, B2BExpressResult, _B2B_EXPRESS, reference=reference)
