"""Global endpoint handlers and their rows of the route table (``GLOBAL_ROUTES``)."""

from __future__ import annotations

from ._routing import Route

__all__ = ["GLOBAL_ROUTES"]

#: name, method, path (relative to /api/v1), scopes (any one grants), rate-limit group, handler
GLOBAL_ROUTES: tuple[Route, ...] = ()
