"""The route type and the matcher. The table itself lives next to the handlers (``_handlers``).

A route is one row: name, method, path template (relative to ``/api/v1``), the scopes that
grant it (any one suffices), the rate-limit group and a synchronous handler.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import attrs
from multidict import CIMultiDictProxy

from ._responses import ApiResponse
from ._state import ApiKey, SimState

__all__ = ["Handler", "RequestContext", "Route", "compile_path", "match_route"]


@attrs.frozen
class RequestContext:
    """What a handler gets: the state, the caller's key and the parsed request."""

    state: SimState
    key: ApiKey
    params: Mapping[str, str]
    query: Mapping[str, str]
    headers: CIMultiDictProxy[str]
    body: bytes
    json: object  # parsed body, or _responses.INVALID_JSON


#: Handlers are synchronous so that check-then-change on the state is atomic.
Handler = Callable[[RequestContext], ApiResponse]

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def compile_path(template: str) -> re.Pattern[str]:
    """``/a/{id}`` -> a regex with a named group per ``{param}`` (one path segment each)."""
    pattern, last = [], 0
    for match in _PARAM.finditer(template):
        pattern.append(re.escape(template[last : match.start()]))
        pattern.append(f"(?P<{match.group(1)}>[^/]+)")
        last = match.end()
    pattern.append(re.escape(template[last:]))
    return re.compile("".join(pattern))


@attrs.frozen
class Route:
    name: str
    method: str
    path: str
    scopes: tuple[str, ...]
    group: str | None
    handler: Handler
    pattern: re.Pattern[str] = attrs.field(
        init=False,
        eq=False,
        repr=False,
        default=attrs.Factory(lambda self: compile_path(self.path), takes_self=True),
    )


def match_route(
    routes: Sequence[Route], method: str, path: str
) -> tuple[Route, dict[str, str]] | None:
    """The first route whose method and path match; a trailing slash is ignored."""
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    method = method.upper()
    for route in routes:
        if route.method != method:
            continue
        found = route.pattern.fullmatch(path)
        if found is not None:
            return route, found.groupdict()
    return None
