"""One API call: auth, idempotency key, limiter, send, retry, decode, typed errors."""

from __future__ import annotations

import json
import logging
import platform
from collections.abc import Mapping
from typing import Any, TypedDict

import aiohttp
import attrs

from ._clock import Clock
from ._endpoints import Endpoint
from ._ratelimit import RateLimiter
from ._responses import (
    ResponseTooLargeError,
    build_api_error,
    is_json,
    parse_json,
    read_body,
    unexpected,
)
from ._retry import Failure, RetryPolicy, retry_delay, should_retry
from ._secrets import ApiKey
from ._session import SessionHolder
from ._sharedlimit import KeyedRateLimiter
from ._version import __version__
from .errors import APIConnectionError, APIError, APITimeoutError, PermissionDeniedError

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "RequestOptions", "Response", "Transport"]

logger = logging.getLogger("paylor_async")

#: Paylor's answers are a few kilobytes; anything past this is refused, not buffered.
DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024

#: Compact JSON for request bodies (one encoder, not one per call).
_encode_json = json.JSONEncoder(separators=(",", ":")).encode

#: How many replaced keys stay redacted after ``set_api_key``.
_RETIRED_KEYS_KEPT = 4

USER_AGENT = (
    f"paylor-async/{__version__} Python/{platform.python_version()} aiohttp/{aiohttp.__version__}"
)


@attrs.frozen
class RequestOptions:
    """Per-client settings a ``with_options`` copy may change."""

    timeout: aiohttp.ClientTimeout
    retry: RetryPolicy


@attrs.frozen
class Response:
    """A decoded success response."""

    status: int
    headers: Mapping[str, str]
    data: Any
    body: bytes = attrs.field(repr=False)
    idempotency_key: str | None = None


class Transport:
    """What a client and its ``with_options`` copies share: session, key, limiter, clock."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: ApiKey,
        sessions: SessionHolder,
        limiter: RateLimiter,
        clock: Clock,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self.base_url = base_url
        self.api_key = api_key
        #: A shared limiter as given, to bind again to a rotated key (``None`` if not keyed).
        self.keyed_limiter: KeyedRateLimiter | None = None
        #: The limiter the client built itself (``None`` for one passed in): woken on close.
        self.owned_limiter: RateLimiter | None = None
        #: Keys replaced by ``set_api_key``: still redacted (in-flight calls may carry them).
        self._retired_keys: tuple[ApiKey, ...] = ()
        self.sessions = sessions
        self.limiter = limiter
        self.clock = clock
        self.max_response_bytes = max_response_bytes

    def set_api_key(self, key: ApiKey) -> None:
        """Use ``key`` from the next attempt on; calls already sent finish with the old key."""
        if key.reveal() != self.api_key.reveal():
            self._retired_keys = (*self._retired_keys[-(_RETIRED_KEYS_KEPT - 1) :], self.api_key)
            self.api_key = key

    def redact(self, text: str) -> str:
        """``text`` without the current key or any key it replaced."""
        text = self.api_key.redact(text)
        for key in self._retired_keys:
            text = key.redact(text)
        return text

    def _headers(self, key: ApiKey, idempotency_key: str | None, has_body: bool) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {key.reveal()}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        if has_body:
            headers["Content-Type"] = "application/json"
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    async def request(
        self,
        endpoint: Endpoint,
        options: RequestOptions,
        *,
        path: str | None = None,
        params: Mapping[str, str | int] | None = None,
        body: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        reference: str | None = None,
    ) -> Response:
        """Send one API call, retrying as ``options.retry`` allows; return its decoded body.

        The body is serialised once and the same bytes (with the same idempotency key) go out
        on every attempt.
        """
        self.sessions.get()  # a closed client or a foreign loop fails before any work
        method = endpoint.method
        path = path or endpoint.path
        url = self.base_url + path
        data = None if body is None else _encode_json(body).encode()
        key = self.api_key
        headers = self._headers(key, idempotency_key, data is not None)
        # Safe to repeat once it may have reached Paylor: a GET, or a POST whose key Paylor
        # is known to honour (see Endpoint.replays_idempotency_key).
        idempotent = method == "GET" or (
            idempotency_key is not None and endpoint.replays_idempotency_key
        )
        context: _Context = {
            "method": method,
            "path": path,
            "idempotency_key": idempotency_key,
            "reference": reference,
        }
        policy = options.retry
        retries = 0
        while True:
            await self.limiter.acquire(endpoint.group)
            session = self.sessions.get()  # closed while we waited: ClientClosedError
            try:
                async with session.request(
                    method,
                    url,
                    data=data,
                    params=params,
                    headers=headers,
                    timeout=options.timeout,
                    allow_redirects=False,
                    raise_for_status=False,  # a user's session may say otherwise
                ) as resp:
                    status = resp.status
                    reason = resp.reason
                    resp_headers: Mapping[str, str] = resp.headers
                    raw = await read_body(resp, self.max_response_bytes)
            except ResponseTooLargeError as exc:
                raise APIError(
                    f"response larger than {self.max_response_bytes:,} bytes refused "
                    f"({exc.args[0]:,} bytes or more)",
                    status=status,
                    **context,
                ) from None
            except (TimeoutError, aiohttp.ClientError) as exc:
                failure = _failure_kind(exc)
                if should_retry(
                    retries_done=retries, policy=policy, failure=failure, idempotent=idempotent
                ):
                    retries += 1
                    delay = policy.backoff_delay(retries)
                    self._log_retry(retries, policy, delay, failure.value, method, path)
                    await self.clock.sleep(delay)
                    continue
                # Not chained: aiohttp's exceptions carry the request headers (the API key).
                raise _connection_error(exc, failure, context) from None

            if 200 <= status < 300:
                if status == 204 or (not raw and method == "DELETE"):
                    # No Content: a successful DELETE (or PATCH) needs no body.
                    return Response(status, resp_headers, {}, raw, idempotency_key)
                parsed = parse_json(raw)
                if not is_json(parsed):
                    unreadable = Failure.UNREADABLE
                    if should_retry(
                        retries_done=retries,
                        policy=policy,
                        failure=unreadable,
                        idempotent=idempotent,
                    ):
                        # Replaying under the same idempotency key returns the stored result.
                        retries += 1
                        delay = policy.backoff_delay(retries)
                        self._log_retry(retries, policy, delay, unreadable.value, method, path)
                        await self.clock.sleep(delay)
                        continue
                    raise unexpected(
                        status=status,
                        problem=f"HTTP {status} with a body that is not JSON",
                        headers=resp_headers,
                        body=raw,
                        redact=self.redact,
                        **context,
                    )
                return Response(status, resp_headers, parsed, raw, idempotency_key)

            if status == 401 and key is not self.api_key:
                # The key was rotated while this call was out and the old one is already
                # revoked. A 401 was not processed, so resend once with the current key
                # (not counted as a retry: it fixes our side, not Paylor's).
                key = self.api_key
                headers = self._headers(key, idempotency_key, data is not None)
                continue

            delay = retry_delay(
                retry=retries + 1,
                policy=policy,
                status=status,
                headers=resp_headers,
                now=self.clock.wall(),
            )
            if status == 429:
                self.limiter.pause(endpoint.group, delay)
            if should_retry(
                retries_done=retries, policy=policy, status=status, idempotent=idempotent
            ):
                retries += 1
                self._log_retry(retries, policy, delay, str(status), method, path)
                await self.clock.sleep(delay)
                continue
            error = build_api_error(
                status=status,
                reason=reason,
                headers=resp_headers,
                body=raw,
                redact=self.redact,
                **context,
            )
            if isinstance(error, PermissionDeniedError) and error.code != "MERCHANT_INACTIVE":
                # A 403 is a missing scope (or project), unless the merchant is inactive.
                error.required_scope = endpoint.scope
            raise error

    @staticmethod
    def _log_retry(
        retry: int, policy: RetryPolicy, delay: float, why: str, method: str, path: str
    ) -> None:
        logger.info(
            "retry %d of %d after %.2f s: %s on %s %s",
            retry,
            policy.max_retries,
            delay,
            why,
            method,
            path,
        )


class _Context(TypedDict):
    method: str
    path: str
    idempotency_key: str | None
    reference: str | None


def _failure_kind(exc: BaseException) -> Failure:
    if isinstance(exc, TimeoutError):
        return Failure.TIMEOUT
    if isinstance(exc, aiohttp.ClientSSLError):
        return Failure.TLS
    if isinstance(exc, aiohttp.ClientConnectorError):
        return Failure.CONNECT
    return Failure.DISCONNECT


def _connection_error(
    exc: BaseException, failure: Failure, context: _Context
) -> APIConnectionError:
    if failure is Failure.TIMEOUT:
        return APITimeoutError(
            "Paylor did not answer in time; the request may have been processed: retry with "
            "the same idempotency key or look the transaction up before charging again",
            **context,
        )
    if failure is Failure.TLS:
        return APIConnectionError(
            f"TLS verification of Paylor's certificate failed ({type(exc).__name__}); "
            "nothing was sent. Check the system CA bundle or the ssl context you passed",
            **context,
        )
    if failure is Failure.CONNECT:
        return APIConnectionError(f"could not connect to Paylor ({type(exc).__name__})", **context)
    return APIConnectionError(
        f"the connection to Paylor broke ({type(exc).__name__}); the request may have been "
        "processed: retry with the same idempotency key or look the transaction up",
        **context,
    )
