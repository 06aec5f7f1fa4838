"""The aiohttp session behind a client: created lazily in the running loop, closed once."""

from __future__ import annotations

import asyncio

import aiohttp

from .errors import ClientClosedError, EventLoopMismatchError

__all__ = ["SessionHolder"]


class SessionHolder:
    """Owns (or borrows) the one ``aiohttp.ClientSession`` of a client and its copies.

    - No session exists until the first request, so a client can be built outside a loop.
    - A session or connector handed in by the user is theirs: it is used, never closed.
    - The first loop that uses the holder owns it; another loop gets a clear error instead of
      aiohttp's "attached to a different loop" failures deep inside a request.
    - Closing happens in :meth:`aclose` only, never from ``__del__``.
    """

    __slots__ = ("_closed", "_connector", "_loop", "_owned", "_session")

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession | None = None,
        connector: aiohttp.BaseConnector | None = None,
    ) -> None:
        self._session = session
        self._connector = connector
        self._owned = session is None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def get(self) -> aiohttp.ClientSession:
        """The session for a request made from the running loop."""
        if self._closed:
            raise ClientClosedError(
                "this PaylorClient was closed; create a new client (or keep one open for the "
                "life of the application with 'async with PaylorClient() as paylor:')"
            )
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            raise EventLoopMismatchError(
                "this PaylorClient is bound to the event loop that first used it; create one "
                "client per event loop (for example inside the loop's startup hook)"
            )
        session = self._session
        if session is None:
            session = aiohttp.ClientSession(
                connector=self._connector,
                connector_owner=self._connector is None,
            )
            self._session = session
        elif session.closed:
            raise ClientClosedError("the aiohttp session given to PaylorClient has been closed")
        return session

    async def aclose(self) -> None:
        """Close the session if this holder created it; idempotent."""
        if self._closed:
            return
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owned and not session.closed:
            await session.close()
