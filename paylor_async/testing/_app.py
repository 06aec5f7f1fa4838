"""The request pipeline on aiohttp.web: record, fault, route, auth, rate limit, handle, answer.

Order for each request:

1. read the body and record the request (always, whatever happens next);
2. take the matching fault, if any; faults that stand in for the infrastructure in front of
   Paylor (500/502/503/429/empty/drop/preset errors) answer here without processing, without
   counting against the rate limit and without ``X-RateLimit-*``; ``DELAY`` waits;
3. route (unknown path or method: 404), then auth (401/403), then the per-key rate limit (429);
4. the route's handler (synchronous), errors becoming the documented envelope;
5. faults that act after processing (500 after create, drop, delay, truncated/mislabelled body);
6. write the response with ``X-Request-Id``; every answer the API produced for a route of a
   limited group (success or error, 429 included) carries ``X-RateLimit-*``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Final
from urllib.parse import unquote

from aiohttp import web

from . import _faults
from ._faults import Fault, FaultInjector, InjectedFault
from ._ids import iso_ms, request_id
from ._ratelimit import RateDecision, ServerRateLimiter, rate_limit_headers
from ._responses import INVALID_JSON, ApiError, ApiResponse, loads
from ._routing import RequestContext, Route, match_route
from ._state import RecordedRequest, SimState, scope_allows

__all__ = ["API_PREFIX", "SimulatorApp", "parse_bearer"]

API_PREFIX: Final = "/api/v1"
MAX_BODY: Final = 1024 * 1024
_log = logging.getLogger("paylor_async.testing")


def parse_bearer(header: str | None) -> str | None:
    """The token of ``Authorization: Bearer <token>``; ``None`` if missing or garbled."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or any(c.isspace() for c in token):
        return None
    return token


def _client_request_id(value: str | None) -> str:
    if value and len(value) <= 128 and value.isprintable():
        return value
    return request_id()


class SimulatorApp:
    """Builds the aiohttp application and runs the pipeline for each request."""

    def __init__(
        self,
        *,
        state: SimState,
        routes: Sequence[Route],
        faults: FaultInjector,
        limiter: ServerRateLimiter,
        requests: list[RecordedRequest],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.state = state
        self.routes = routes
        self.faults = faults
        self.limiter = limiter
        self.requests = requests
        self._sleep = sleep

    def build(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.StreamResponse:
        too_large = False
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            body, too_large = b"", True
        except ConnectionError:  # the client went away while sending the body
            return _drop(request)
        path = request.rel_url.raw_path  # still percent-encoded: "%2F" is not a separator
        relative: str | None = None
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            relative = path[len(API_PREFIX) :] or "/"
        matched = match_route(self.routes, request.method, relative) if relative else None
        token = parse_bearer(request.headers.get("Authorization"))
        parsed = loads(body)
        record = self._record(request, path, relative, matched, token, body, parsed)
        if too_large:
            response = ApiResponse.error(413, "PAYLOAD_TOO_LARGE", "Request body too large")
            return self._send(request, record, response)
        identity = token if token is not None else f"ip:{request.remote}"

        fault = self.faults.take(request.method, (relative, path, record.route))
        if fault is not None:
            record.fault = fault.kind.name
            if fault.kind is Fault.DELAY:
                await self._sleep(float(fault.params["delay"]))
            elif not fault.kind.processes_request:
                group = matched[0].group if matched is not None else None
                return self._send(request, record, self._refuse(fault, group))

        if matched is None:
            response = ApiError.not_found(f"Route {request.method} {path} not found").to_response()
        else:
            route, raw_params = matched
            params = {name: unquote(value) for name, value in raw_params.items()}
            response = self._process(route, params, request, token, identity, body, parsed)
        if fault is not None:
            return self._send(request, record, await self._after(fault, response))
        return self._send(request, record, response)

    def _record(
        self,
        request: web.Request,
        path: str,
        relative: str | None,
        matched: tuple[Route, dict[str, str]] | None,
        token: str | None,
        body: bytes,
        parsed: object,
    ) -> RecordedRequest:
        record = RecordedRequest(
            method=request.method,
            path=path,
            relative_path=relative,
            route=matched[0].name if matched is not None else None,
            query=dict(request.query),
            headers=request.headers,
            body=body,
            json=None if parsed is INVALID_JSON else parsed,
            received_at=self.state.clock.now(),
            api_key=token,
            request_id=_client_request_id(request.headers.get("X-Request-Id")),
        )
        self.requests.append(record)
        return record

    async def _after(self, fault: InjectedFault, response: ApiResponse) -> ApiResponse | None:
        """Apply a fault that acts once the request was processed; ``None`` drops it."""
        kind = fault.kind
        if kind is Fault.SERVER_ERROR_AFTER_CREATE:
            return self._internal_error(response.headers)
        if kind is Fault.DROP_AFTER_CREATE:
            return None
        if kind is Fault.DELAY_AFTER_CREATE:
            await self._sleep(float(fault.params["delay"]))
        elif kind is Fault.TRUNCATED_JSON:
            return _faults.truncate(response)
        elif kind is Fault.WRONG_CONTENT_TYPE:
            return _faults.as_plain_text(response)
        return response

    # processing ---------------------------------------------------------------------------
    def _process(
        self,
        route: Route,
        params: dict[str, str],
        request: web.Request,
        token: str | None,
        identity: str,
        body: bytes,
        parsed: object,
    ) -> ApiResponse:
        """Auth, rate limit and the handler; synchronous, so state changes are atomic."""
        now = self.state.clock.now()
        decision: RateDecision | None = None
        try:
            if token is None:
                raise ApiError(401, "UNAUTHORIZED", "Missing or malformed Authorization header")
            key = self.state.authenticate(token)
            if key is None:
                raise ApiError(401, "INVALID_API_KEY", "Invalid or revoked API key")
            if route.scopes and not any(scope_allows(key.scopes, s) for s in route.scopes):
                raise ApiError(403, "UNAUTHORIZED", f"Missing API key scope: {route.scopes[0]}")
            decision = self.limiter.check(identity, route.group, now)
            if decision is not None and not decision.allowed:
                raise ApiError(
                    429, "RATE_LIMIT_EXCEEDED", "Too many requests, please try again later."
                )
            context = RequestContext(
                state=self.state,
                key=key,
                params=params,
                query=dict(request.query),
                headers=request.headers,
                body=body,
                json=parsed,
            )
            response = route.handler(context)
        except ApiError as exc:
            response = exc.to_response()
        except Exception:
            _log.exception("simulator handler %s failed", route.name)
            response = self._internal_error()
        if decision is None:
            decision = self.limiter.peek(identity, route.group, now)
        if decision is not None:
            response.headers.update(self._rate_headers(decision))
        return response

    def _rate_headers(self, decision: RateDecision) -> dict[str, str]:
        clock = self.state.clock
        return rate_limit_headers(decision, now=clock.now(), wall=clock.wall())

    @staticmethod
    def _internal_error(headers: dict[str, str] | None = None) -> ApiResponse:
        response = ApiResponse.error(500, "INTERNAL_ERROR", "Internal server error")
        response.headers.update(headers or {})
        return response

    def _refuse(self, fault: InjectedFault, group: str | None) -> ApiResponse | None:
        """The answer of a fault that stops the request before Paylor handles it.

        These stand for failures in front of the API, so they carry no ``X-RateLimit-*``
        (except the ``RATE_LIMITED`` fault's own) and count against no limit.
        """
        kind, params = fault.kind, fault.params
        if kind is Fault.SERVER_ERROR:
            return self._internal_error()
        if kind is Fault.BAD_GATEWAY_HTML:
            return _faults.bad_gateway()
        if kind is Fault.SERVICE_UNAVAILABLE:
            return _faults.service_unavailable(params["retry_after"])
        if kind is Fault.EMPTY_BODY:
            return _faults.empty_body(params["status"])
        if kind is Fault.RATE_LIMITED:
            return self._fault_rate_limited(params, group)
        if kind is Fault.DROP_CONNECTION:
            return None
        if kind is Fault.VALIDATION_ERROR:
            return _faults.validation_error(params["message"], params["details"])
        if kind is Fault.API_ERROR:
            return _faults.api_error(
                params["status"], params["code"], params["message"], params["details"]
            )
        raise AssertionError(f"unhandled fault {kind}")  # pragma: no cover

    def _fault_rate_limited(self, params: dict[str, object], group: str | None) -> ApiResponse:
        limit = params["limit"] or self.limiter.limit_of(group) or 60
        reset_at = params["reset_at"]
        if isinstance(reset_at, str):
            reset = reset_at  # sent verbatim
        elif isinstance(reset_at, datetime):
            reset = iso_ms(reset_at.timestamp(), ceil=True)
        elif isinstance(reset_at, int | float):
            reset = iso_ms(float(reset_at), ceil=True)  # epoch seconds
        else:
            reset_after = float(str(params["reset_after"]))
            reset = iso_ms(self.state.clock.wall() + reset_after, ceil=True)
        response = ApiResponse.error(
            429, "RATE_LIMIT_EXCEEDED", "Too many requests, please try again later."
        )
        response.headers.update(
            {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": reset,
            }
        )
        if params["retry_after"] is not None:
            response.headers["Retry-After"] = str(params["retry_after"])
        return response

    # writing ------------------------------------------------------------------------------
    def _send(
        self, request: web.Request, record: RecordedRequest, response: ApiResponse | None
    ) -> web.StreamResponse:
        if response is None:
            return _drop(request)
        record.status = response.status
        out = web.Response(status=response.status, body=response.body)
        if response.content_type is not None:
            out.headers["Content-Type"] = response.content_type
        out.headers.update(response.headers)
        out.headers["X-Request-Id"] = record.request_id
        return out


def _drop(request: web.Request) -> web.StreamResponse:
    """Close the TCP connection without writing anything.

    ``abort()`` discards the write buffer and closes the socket at once; the client sees the
    connection end before any response (``ServerDisconnectedError``). The returned response is
    never written: aiohttp finds the transport closing, treats it as a client disconnect and
    logs it at DEBUG only.
    """
    transport = request.transport
    if transport is not None:
        transport.abort()
    return web.Response(status=499)
