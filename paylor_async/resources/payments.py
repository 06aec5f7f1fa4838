"""``paylor.payments``: collecting money (M-Pesa STK Push)."""

from __future__ import annotations

from decimal import Decimal

import attrs

from .._endpoints import endpoint
from .._validation import (
    normalize_phone,
    validate_callback_url,
    validate_optional_text,
    validate_text,
    validate_whole_amount,
)
from ..models import StkPushResult
from ._base import Resource, with_response

__all__ = ["Payments"]

_STK_PUSH = endpoint("stk_push")


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
        result = self._decode(response, StkPushResult, _STK_PUSH, reference=reference)
        return with_response(attrs.evolve(result, idempotency_key=key), response)
