"""``paylor.payouts``: sending money (M-Pesa B2C)."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from .._endpoints import endpoint
from .._validation import (
    normalize_phone,
    validate_callback_url,
    validate_optional_text,
    validate_text,
    validate_whole_amount,
)
from ..errors import InvalidParameterError
from ..models.payouts import PayoutResult
from ._base import Resource

__all__ = ["B2C_COMMAND_IDS", "B2C_MAX_AMOUNT", "B2C_MIN_AMOUNT", "Payouts"]

_B2C = endpoint("b2c_payout")

#: The payout range (KES, inclusive) the API reference gives for B2C.
B2C_MIN_AMOUNT: Final = 10
B2C_MAX_AMOUNT: Final = 150_000
#: M-Pesa's B2C command ids.
B2C_COMMAND_IDS: Final = ("BusinessPayment", "SalaryPayment", "PromotionPayment")
#: M-Pesa accepts at most 100 characters of remarks.
MAX_REMARKS_LENGTH: Final = 100


class Payouts(Resource):
    """M-Pesa B2C payouts from the merchant's B2C wallet."""

    __slots__ = ()

    async def b2c(
        self,
        phone: str,
        amount: int | Decimal,
        reference: str,
        remarks: str | None = None,
        command_id: str = "BusinessPayment",
        callback_url: str | None = None,
        idempotency_key: str | None = None,
    ) -> PayoutResult:
        """Send ``amount`` KES from the B2C wallet to an M-Pesa phone.

        Args:
            phone: any common Kenyan form (``0712 345 678``, ``+254712345678``...).
            amount: whole shillings, 10 to 150,000.
            reference: your payout reference (1-255 characters); the webhook carries it back.
            remarks: shown on the M-Pesa statement (up to 100 characters).
            command_id: ``BusinessPayment`` (default), ``SalaryPayment`` or ``PromotionPayment``.
            callback_url: where Paylor POSTs the payout's ``payment.success``/``payment.failed``.
            idempotency_key: one key per payout; generated if None and reused on every retry,
                so a retry never pays twice.

        Returns:
            ``transaction_id``, ``status`` and the ``idempotency_key`` used. The answer's shape
            is GUESSED (like an STK Push answer); everything Paylor sent is in ``raw``.

        Raises:
            InvalidPhoneNumberError, InvalidAmountError, InvalidParameterError,
            InvalidIdempotencyKeyError: before sending anything.
            PaymentRequiredError: the B2C wallet cannot cover the payout.
            PermissionDeniedError: the key lacks ``b2c:payout``.
            APIError subclasses, APIConnectionError.
        """
        if command_id not in B2C_COMMAND_IDS:
            raise InvalidParameterError(
                f"command_id must be one of {', '.join(B2C_COMMAND_IDS)}, got {command_id!r}",
                parameter="command_id",
            )
        body: dict[str, object] = {
            "phone": normalize_phone(phone),
            "amount": validate_whole_amount(amount, minimum=B2C_MIN_AMOUNT, maximum=B2C_MAX_AMOUNT),
            "reference": validate_text(reference, name="reference"),
            "commandId": command_id,
        }
        optional = {
            "remarks": validate_optional_text(
                remarks, name="remarks", max_length=MAX_REMARKS_LENGTH
            ),
            "callbackUrl": validate_callback_url(callback_url),
        }
        body.update((k, v) for k, v in optional.items() if v is not None)
        key = self._idempotency_key(idempotency_key)
        response = await self._call(_B2C, body=body, idempotency_key=key, reference=reference)
        return self._decode(response, PayoutResult, _B2C, reference=reference)
