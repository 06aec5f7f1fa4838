"""What every resource shares: the transport, the options, and decoding into models."""

from __future__ import annotations

import functools
import secrets
from typing import Any, TypeVar

import attrs

from .._endpoints import Endpoint
from .._responses import unexpected
from .._transport import RequestOptions, Response, Transport
from .._validation import validate_idempotency_key
from ..errors import UnexpectedResponseError
from ..models import DecodeError, ResponseInfo, structure

__all__ = ["Resource", "new_idempotency_key", "with_response"]

T = TypeVar("T")


def new_idempotency_key() -> str:
    """A fresh key for one payment attempt: 128 random bits, 45 characters (Paylor takes 180)."""
    return f"paylor-async-{secrets.token_hex(16)}"


class Resource:
    """A product area of the API (payments, transactions...)."""

    __slots__ = ("_options", "_transport")

    def __init__(self, transport: Transport, options: RequestOptions) -> None:
        self._transport = transport
        self._options = options

    @staticmethod
    def _idempotency_key(given: str | None) -> str:
        return new_idempotency_key() if given is None else validate_idempotency_key(given)

    async def _call(self, endpoint: Endpoint, **kwargs: Any) -> Response:
        return await self._transport.request(endpoint, self._options, **kwargs)

    def _decode(
        self,
        response: Response,
        cls: type[T],
        endpoint: Endpoint,
        *,
        path: str | None = None,
        reference: str | None = None,
    ) -> T:
        """``response.data`` as ``cls``, with ``.response`` set; a wrong shape is a typed error."""
        try:
            result = structure(response.data, cls)
        except DecodeError as exc:
            error: UnexpectedResponseError = unexpected(
                status=response.status,
                problem=(
                    f"HTTP {response.status} from Paylor, but the answer is not a valid "
                    f"{cls.__name__} ({exc}); if this created something, retry with the same "
                    "idempotency key to get its result"
                ),
                headers=response.headers,
                body=response.body,
                redact=self._transport.redact,
                method=endpoint.method,
                path=path or endpoint.path,
                idempotency_key=response.idempotency_key,
                reference=reference,
            )
            raise error from None
        return with_response(result, response)


def with_response(model: T, response: Response) -> T:
    """Attach the HTTP facts of ``response`` to ``model`` (frozen: set once, here, right after
    decoding): ``.response``, and ``.idempotency_key`` on results of creating calls."""
    cls: Any = type(model)
    has_response, has_key = _sdk_fields(cls)
    if has_response:
        info = ResponseInfo(response.status, response.headers, response.idempotency_key)
        object.__setattr__(model, "response", info)
    if has_key and response.idempotency_key is not None:
        object.__setattr__(model, "idempotency_key", response.idempotency_key)
    return model


@functools.cache
def _sdk_fields(cls: Any) -> tuple[bool, bool]:
    # Asked on every call; attrs.fields_dict builds a new dict each time it is asked.
    if not attrs.has(cls):
        return False, False
    fields = attrs.fields_dict(cls)
    return "response" in fields, "idempotency_key" in fields
