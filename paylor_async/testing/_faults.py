"""Injected faults: what can go wrong between a client and Paylor, one switch per kind.

A fault matches by optional path (relative to ``/api/v1``, the full path, or a route name) and
method, hits ``times`` matching requests (``None``: every one) and is then used up. At most one
fault applies to a request: the oldest matching one.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Mapping
from typing import Any

import attrs

from ._responses import ApiResponse, FieldProblem

__all__ = ["BAD_GATEWAY_HTML", "Fault", "FaultInjector", "InjectedFault", "RandomFaults"]


class Fault(enum.Enum):
    """The kinds of fault, with their parameters.

    Not processed (the request never reaches the API; nothing is created or counted):

    - ``SERVER_ERROR``: 500 ``INTERNAL_ERROR`` envelope.
    - ``BAD_GATEWAY_HTML``: 502 with nginx's HTML page.
    - ``SERVICE_UNAVAILABLE``: 503 with ``Retry-After: retry_after`` (default ``"1"``).
    - ``RATE_LIMITED``: 429 ``RATE_LIMIT_EXCEEDED`` with ``X-RateLimit-*``; the reset is
      ``reset_at`` (str sent verbatim, datetime or epoch seconds) or now + ``reset_after``
      (default 1.0 s); ``retry_after`` adds ``Retry-After``; ``limit`` overrides the limit.
    - ``DROP_CONNECTION``: the connection is closed without a response.
    - ``EMPTY_BODY``: ``status`` (default 502) with an empty body.
    - ``VALIDATION_ERROR``: 400 envelope (``message``, ``details``: list of dicts).
    - ``API_ERROR``: any envelope: ``code`` (required), ``status`` (400), ``message``, ``details``.

    Processed normally first (a transaction may be created, an idempotency key stored):

    - ``DELAY``: wait ``delay`` seconds on the sim's clock, then process and answer.
    - ``SERVER_ERROR_AFTER_CREATE``: then answer 500 ``INTERNAL_ERROR``.
    - ``DROP_AFTER_CREATE``: then close the connection without a response.
    - ``DELAY_AFTER_CREATE``: then wait ``delay`` seconds before answering.
    - ``TRUNCATED_JSON``: then answer with the JSON body cut in half.
    - ``WRONG_CONTENT_TYPE``: then answer with ``Content-Type: text/plain``.
    """

    SERVER_ERROR = "server_error"
    SERVER_ERROR_AFTER_CREATE = "server_error_after_create"
    BAD_GATEWAY_HTML = "bad_gateway_html"
    SERVICE_UNAVAILABLE = "service_unavailable"
    RATE_LIMITED = "rate_limited"
    DROP_CONNECTION = "drop_connection"
    DROP_AFTER_CREATE = "drop_after_create"
    DELAY = "delay"
    DELAY_AFTER_CREATE = "delay_after_create"
    TRUNCATED_JSON = "truncated_json"
    WRONG_CONTENT_TYPE = "wrong_content_type"
    EMPTY_BODY = "empty_body"
    VALIDATION_ERROR = "validation_error"
    API_ERROR = "api_error"

    @property
    def processes_request(self) -> bool:
        """Whether the request reaches the API (and may create a transaction)."""
        return self in _PROCESSED


_PROCESSED = frozenset(
    {
        Fault.SERVER_ERROR_AFTER_CREATE,
        Fault.DROP_AFTER_CREATE,
        Fault.DELAY,
        Fault.DELAY_AFTER_CREATE,
        Fault.TRUNCATED_JSON,
        Fault.WRONG_CONTENT_TYPE,
    }
)

# kind -> (parameter -> default); a default of ``...`` marks a required parameter.
_PARAMS: dict[Fault, dict[str, Any]] = {
    Fault.SERVICE_UNAVAILABLE: {"retry_after": "1"},
    Fault.RATE_LIMITED: {"reset_after": 1.0, "reset_at": None, "retry_after": None, "limit": None},
    Fault.DELAY: {"delay": ...},
    Fault.DELAY_AFTER_CREATE: {"delay": ...},
    Fault.EMPTY_BODY: {"status": 502},
    Fault.VALIDATION_ERROR: {"message": "Invalid request payload", "details": None},
    Fault.API_ERROR: {"status": 400, "code": ..., "message": None, "details": None},
}


def _resolve_params(kind: Fault, given: Mapping[str, Any]) -> dict[str, Any]:
    allowed = _PARAMS.get(kind, {})
    unknown = set(given) - set(allowed)
    if unknown:
        names = ", ".join(sorted(unknown))
        raise TypeError(f"{kind.name} takes no parameter(s) {names}; it takes {sorted(allowed)}")
    params = {**allowed, **given}
    missing = [name for name, value in params.items() if value is ...]
    if missing:
        raise TypeError(f"{kind.name} needs the parameter(s) {', '.join(missing)}")
    return params


@attrs.define
class InjectedFault:
    """One armed fault. ``remaining`` counts down; ``hits`` counts the requests it hit."""

    kind: Fault
    path: str | None
    method: str | None
    remaining: int | None
    params: dict[str, Any]
    hits: int = 0

    @property
    def exhausted(self) -> bool:
        return self.remaining is not None and self.remaining <= 0

    def matches(self, method: str, paths: tuple[str | None, ...]) -> bool:
        if self.method is not None and self.method != method.upper():
            return False
        return self.path is None or self.path in paths


@attrs.define
class RandomFaults:
    """Faults drawn at random per request (see :meth:`FaultInjector.randomly`)."""

    kinds: tuple[Fault | None, ...]
    weights: tuple[float, ...]
    path: str | None
    method: str | None
    params: dict[Fault, dict[str, Any]]
    rng: random.Random
    drawn: dict[Fault | None, int] = attrs.Factory(dict)

    def draw(self) -> InjectedFault | None:
        (kind,) = self.rng.choices(self.kinds, self.weights)
        self.drawn[kind] = self.drawn.get(kind, 0) + 1
        if kind is None:
            return None
        return InjectedFault(kind, self.path, self.method, None, self.params[kind], hits=1)


class FaultInjector:
    """``sim.faults``: arm faults with :meth:`inject`, disarm with :meth:`clear`."""

    def __init__(self) -> None:
        self._armed: list[InjectedFault] = []
        self._random: list[RandomFaults] = []

    def randomly(
        self,
        weights: Mapping[Fault | None, float],
        *,
        path: str | None = None,
        method: str | None = None,
        seed: int | None = None,
        params: Mapping[Fault, Mapping[str, Any]] | None = None,
    ) -> RandomFaults:
        """Draw a fault (or ``None``: no fault) for every matching request, by ``weights``.

        Armed faults (:meth:`inject`) go first; a draw happens only when none matches.
        ``params`` gives each kind its parameters (``{Fault.DELAY: {"delay": 2}}``);
        ``seed`` makes the sequence repeatable. ``.drawn`` counts what was drawn.
        """
        kinds = tuple(weights)
        for kind in kinds:
            if kind is not None and not isinstance(kind, Fault):
                raise TypeError(f"weights keys must be Fault or None, not {kind!r}")
        given = params or {}
        resolved = {k: _resolve_params(k, given.get(k, {})) for k in kinds if k is not None}
        rule = RandomFaults(
            kinds=kinds,
            weights=tuple(float(weights[k]) for k in kinds),
            path=path,
            method=method.upper() if method else None,
            params=resolved,
            rng=random.Random(seed),  # nosec B311 # test data, not security
        )
        self._random.append(rule)
        return rule

    def inject(
        self,
        kind: Fault,
        *,
        path: str | None = None,
        method: str | None = None,
        times: int | None = 1,
        **params: Any,
    ) -> InjectedFault:
        """Arm ``kind`` for the next ``times`` matching requests (``None``: until cleared)."""
        if not isinstance(kind, Fault):
            raise TypeError(f"kind must be a Fault, not {kind!r}")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for unlimited)")
        fault = InjectedFault(
            kind=kind,
            path=path,
            method=method.upper() if method else None,
            remaining=times,
            params=_resolve_params(kind, params),
        )
        self._armed.append(fault)
        return fault

    def clear(self) -> None:
        """Disarm every fault, random rules included."""
        self._armed.clear()
        self._random.clear()

    def remove(self, fault: InjectedFault) -> None:
        if fault in self._armed:
            self._armed.remove(fault)

    @property
    def armed(self) -> list[InjectedFault]:
        """The faults not used up yet, oldest first."""
        return list(self._armed)

    def take(self, method: str, paths: tuple[str | None, ...]) -> InjectedFault | None:
        """Use up one hit of the oldest fault matching this request, if any."""
        for fault in self._armed:
            if fault.matches(method, paths):
                fault.hits += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                if fault.exhausted:
                    self._armed.remove(fault)
                return fault
        for rule in self._random:
            if (rule.method is None or rule.method == method.upper()) and (
                rule.path is None or rule.path in paths
            ):
                return rule.draw()
        return None


BAD_GATEWAY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


def bad_gateway() -> ApiResponse:
    return ApiResponse(502, BAD_GATEWAY_HTML, "text/html", {"Server": "nginx"})


def service_unavailable(retry_after: object) -> ApiResponse:
    return ApiResponse(
        503,
        b"Service Temporarily Unavailable",
        "text/plain",
        {"Retry-After": str(retry_after), "Server": "nginx"},
    )


def empty_body(status: int) -> ApiResponse:
    return ApiResponse(int(status), b"", None)


def _problems(details: object) -> list[FieldProblem] | None:
    if details is None:
        return None
    if not isinstance(details, list | tuple):
        raise TypeError("details must be a list of FieldProblem or {path, message, code} dicts")
    problems = []
    for item in details:
        if isinstance(item, FieldProblem):
            problems.append(item)
        else:
            problems.append(
                FieldProblem(
                    str(item["path"]), str(item["message"]), str(item.get("code", "custom"))
                )
            )
    return problems


def validation_error(message: str, details: object) -> ApiResponse:
    problems = _problems(details) or [FieldProblem("body", message)]
    return ApiResponse.error(400, "VALIDATION_ERROR", message, problems)


def api_error(status: int, code: str, message: str | None, details: object) -> ApiResponse:
    return ApiResponse.error(int(status), code, message or code, _problems(details))


def truncate(response: ApiResponse) -> ApiResponse:
    """The same response with its body cut in half."""
    return ApiResponse(
        response.status,
        response.body[: len(response.body) // 2],
        response.content_type,
        dict(response.headers),
    )


def as_plain_text(response: ApiResponse) -> ApiResponse:
    return ApiResponse(response.status, response.body, "text/plain", dict(response.headers))
