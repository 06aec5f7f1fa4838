"""The exception tree. Every failure the SDK reports is a :class:`PaylorError`.

Pure Python on purpose: the webhook module builds on it without pulling in aiohttp.

::

    PaylorError
    ├── ConfigurationError            bad client settings (no key, plain http to a remote host)
    ├── ClientClosedError             the client was closed
    ├── EventLoopMismatchError        the client is used from another event loop than its session
    ├── InputError                    rejected before anything was sent
    │   ├── InvalidPhoneNumberError   (also an APIError subclass when Paylor says so)
    │   ├── InvalidAmountError
    │   ├── InvalidIdempotencyKeyError
    │   └── InvalidParameterError     any other argument (reference, callback_url...)
    ├── APIError                      Paylor (or a proxy in front of it) answered with an error
    │   ├── BadRequestError (400)
    │   │   ├── ValidationError
    │   │   ├── InvalidPhoneNumberError
    │   │   └── InvalidAmountError
    │   ├── AuthenticationError (401)
    │   ├── PaymentRequiredError (402)
    │   ├── PermissionDeniedError (403)
    │   ├── NotFoundError (404)
    │   ├── ConflictError (409)
    │   ├── RateLimitError (429)
    │   ├── ServerError (5xx)
    │   └── UnexpectedResponseError   2xx whose body is not what the endpoint returns
    ├── APIConnectionError            the request did not complete
    │   └── APITimeoutError
    ├── WaitTimeoutError              ``wait_for_final`` reached its deadline (a TimeoutError)
    ├── StoreUnavailableError         a shared store (Redis) did not answer
    │   └── RateLimiterUnavailableError
    ├── WebhookVerificationError      a callback not to be trusted (see ``paylor_async.webhooks``)
    ├── DuplicateEventError           a verified event already handled: answer 200, do nothing
    └── EventInProgressError          a verified event another attempt is handling: answer 409
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "ErrorDetail",
    "EventLoopMismatchError",
    "InputError",
    "InvalidAmountError",
    "InvalidIdempotencyKeyError",
    "InvalidParameterError",
    "InvalidPhoneNumberError",
    "NotFoundError",
    "PaylorError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "UnexpectedResponseError",
    "ValidationError",
    "WaitTimeoutError",
    "error_class_for",
]


class PaylorError(Exception):
    """Base class of every error raised by paylor-async."""


class ConfigurationError(PaylorError):
    """The client was set up in a way that cannot work (missing key, insecure base URL...)."""


class ClientClosedError(PaylorError):
    """The client was closed; create a new one or keep it open with ``async with``."""


class EventLoopMismatchError(PaylorError):
    """The client's session belongs to another event loop than the one calling it."""


class WaitTimeoutError(PaylorError, TimeoutError):
    """``transactions.wait_for_final`` reached its deadline before a final status.

    Not a failure of the payment: the customer may still pay. Attributes:
        transaction_id: the transaction waited for.
        last_status: the last status seen (``None`` if no poll succeeded).
        transaction: the last ``Transaction`` retrieved (``None`` if no poll succeeded).
        last_error: the last error a poll ended with, if the last poll failed.
    """

    def __init__(
        self,
        message: str,
        *,
        transaction_id: str,
        last_status: str | None,
        transaction: object | None = None,
        last_error: BaseException | None = None,
    ) -> None:
        super().__init__(message)
        self.transaction_id = transaction_id
        self.last_status = last_status
        self.transaction = transaction
        self.last_error = last_error


class ErrorDetail:
    """One entry of a validation error's ``details``: which field and what is wrong."""

    __slots__ = ("code", "message", "path")

    def __init__(self, path: str | None, message: str | None, code: str | None = None) -> None:
        self.path = path
        self.message = message
        self.code = code

    def __repr__(self) -> str:
        return f"ErrorDetail(path={self.path!r}, message={self.message!r}, code={self.code!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ErrorDetail):
            return NotImplemented
        return (self.path, self.message, self.code) == (other.path, other.message, other.code)

    def __hash__(self) -> int:
        return hash((self.path, self.message, self.code))


class APIError(PaylorError):
    """Paylor, or a proxy in front of it, answered with an error status.

    Attributes:
        status: the HTTP status code.
        code: Paylor's machine-readable code (``VALIDATION_ERROR``...), ``None`` if the body
            had none (an HTML page from a proxy, an empty body).
        message: a human-readable message.
        details: per-field problems for validation errors.
        idempotency_key: the key the request carried (POSTs); retry with it to stay safe.
        reference: the merchant reference of the request, when it had one.
        body_excerpt: the first few hundred characters of the body, for diagnosis.
        request_id: the server's request id header, when present.
        headers: the response headers.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        details: Sequence[ErrorDetail] = (),
        idempotency_key: str | None = None,
        reference: str | None = None,
        body_excerpt: str = "",
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.details = tuple(details)
        self.idempotency_key = idempotency_key
        self.reference = reference
        self.body_excerpt = body_excerpt
        self.request_id = request_id
        self.headers: Mapping[str, str] = dict(headers or {})
        self.method = method
        self.path = path

    def __str__(self) -> str:
        where = f" on {self.method} {self.path}" if self.method and self.path else ""
        code = f" {self.code}" if self.code else ""
        text = f"{self.status}{code}{where}: {self.message}"
        if self.details:
            text += " (" + "; ".join(f"{d.path}: {d.message}" for d in self.details) + ")"
        if self.idempotency_key:
            text += f" [idempotency key {self.idempotency_key}]"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r}, idempotency_key={self.idempotency_key!r})"
        )


class BadRequestError(APIError):
    """400: the request was refused as malformed."""


class ValidationError(BadRequestError):
    """400 ``VALIDATION_ERROR``: ``details`` lists each invalid field."""


class InputError(PaylorError, ValueError):
    """An argument was refused before anything was sent (also a ``ValueError``)."""


class InvalidParameterError(InputError):
    """An argument of the wrong type or shape; ``parameter`` names it."""

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


class InvalidPhoneNumberError(BadRequestError, InputError):
    """Not a Kenyan M-Pesa number (raised locally before sending, or by Paylor as 400)."""

    def __init__(self, message: str, *, status: int = 0, **kwargs: Any) -> None:
        super().__init__(message, status=status, **kwargs)

    def __str__(self) -> str:
        return super().__str__() if self.status else self.message


class InvalidAmountError(BadRequestError, InputError):
    """An amount outside what the endpoint accepts (locally before sending, or Paylor's 400)."""

    def __init__(self, message: str, *, status: int = 0, **kwargs: Any) -> None:
        super().__init__(message, status=status, **kwargs)

    def __str__(self) -> str:
        return super().__str__() if self.status else self.message


class InvalidIdempotencyKeyError(InputError):
    """An idempotency key that is empty or longer than Paylor's 180 characters."""


class AuthenticationError(APIError):
    """401: the API key is missing, invalid or revoked."""


class PaymentRequiredError(APIError):
    """402: the fee wallet (or payout wallet) cannot cover the transaction."""


class PermissionDeniedError(APIError):
    """403: the key is valid but lacks the scope or project (``MERCHANT_INACTIVE`` too).

    Attributes:
        required_scope: the scope the endpoint needs (``payments:create``...), from the
            SDK's endpoint table; grant it to the key in the Paylor dashboard.
    """

    required_scope: str | None = None

    def __str__(self) -> str:
        text = super().__str__()
        if self.required_scope:
            text += f" (this call needs the {self.required_scope!r} scope)"
        return text


class NotFoundError(APIError):
    """404: the transaction, channel or resource does not exist."""


class ConflictError(APIError):
    """409: the request conflicts with the state on Paylor's side."""


class RateLimitError(APIError):
    """429 ``RATE_LIMIT_EXCEEDED``: over the per-minute limit (after the retries, if any)."""


class ServerError(APIError):
    """5xx: Paylor or a proxy failed; retrying with the same idempotency key is safe."""


class UnexpectedResponseError(APIError):
    """A success status whose body is not what the endpoint returns (not JSON, wrong shape)."""


class APIConnectionError(PaylorError):
    """The request did not complete: connection refused or reset, DNS, TLS, a cut response.

    ``idempotency_key`` and ``reference`` say how to recover: retry with the same key, or
    reconcile with ``transactions`` before assuming the payment failed.
    """

    def __init__(
        self,
        message: str,
        *,
        idempotency_key: str | None = None,
        reference: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.idempotency_key = idempotency_key
        self.reference = reference
        self.method = method
        self.path = path

    def __str__(self) -> str:
        where = f" on {self.method} {self.path}" if self.method and self.path else ""
        text = f"{self.message}{where}"
        if self.idempotency_key:
            text += f" [idempotency key {self.idempotency_key}]"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, "
            f"idempotency_key={self.idempotency_key!r})"
        )


class APITimeoutError(APIConnectionError):
    """The request timed out. It may still have reached Paylor: reconcile before re-charging."""


_BY_CODE: dict[str, type[APIError]] = {
    "VALIDATION_ERROR": ValidationError,
    "INVALID_PHONE_NUMBER": InvalidPhoneNumberError,
    "INVALID_AMOUNT": InvalidAmountError,
    "UNAUTHORIZED": AuthenticationError,
    "INVALID_API_KEY": AuthenticationError,
    "PAYMENT_REQUIRED": PaymentRequiredError,
    "MERCHANT_INACTIVE": PermissionDeniedError,
    "RESOURCE_NOT_FOUND": NotFoundError,
    "RATE_LIMIT_EXCEEDED": RateLimitError,
    "INTERNAL_ERROR": ServerError,
}

_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def error_class_for(status: int, code: str | None) -> type[APIError]:
    """Pick the exception class for an error response.

    The status decides the family; the code refines it within the family (``UNAUTHORIZED`` is
    both Paylor's 401 and 403 code, so a 403 stays a :class:`PermissionDeniedError`).
    """
    by_status = ServerError if status >= 500 else _BY_STATUS.get(status, APIError)
    by_code = _BY_CODE.get(code or "")
    if by_code is not None and issubclass(by_code, by_status):
        return by_code
    return by_status
