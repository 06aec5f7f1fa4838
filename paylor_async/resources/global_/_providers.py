"""``global_payments.providers``: the rails, and the short-lived cache collections check against."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

from ..._clock import Clock
from ..._endpoints import endpoint
from ..._transport import RequestOptions, Transport
from ...errors import APIError
from ...models.global_providers import Provider, ProviderList
from .._base import with_response
from ._common import GlobalResource

__all__ = ["DEFAULT_PROVIDER_TTL", "ProviderCatalog", "Providers"]

_LIST = endpoint("global_providers_list")

#: Seconds a fetched provider list is trusted for the checks of ``collections.create``.
DEFAULT_PROVIDER_TTL = 300.0


class ProviderCatalog:
    """The last provider list fetched, by rail, and when (on the client's monotonic clock).

    One per ``global_payments`` (so per client; a ``with_options`` copy starts empty).
    """

    __slots__ = ("_by_rail", "_clock", "_fetched_at", "_unavailable_at", "ttl")

    def __init__(self, clock: Clock, ttl: float = DEFAULT_PROVIDER_TTL) -> None:
        self._clock = clock
        self.ttl = ttl
        self._by_rail: dict[str, Provider] | None = None
        self._fetched_at = 0.0
        self._unavailable_at: float | None = None

    def store(self, providers: tuple[Provider, ...]) -> dict[str, Provider]:
        self._by_rail = {p.rail: p for p in providers}
        self._fetched_at = self._clock.now()
        self._unavailable_at = None
        return self._by_rail

    def mark_unavailable(self) -> None:
        """Paylor refused the list (a key without ``global:read``): do not ask again for a TTL."""
        self._unavailable_at = self._clock.now()

    def unavailable(self) -> bool:
        """True for a TTL after Paylor refused the list."""
        at = self._unavailable_at
        return at is not None and self._clock.now() - at < self.ttl

    def fresh(self) -> Mapping[str, Provider] | None:
        """The cached rails, or ``None`` when nothing was fetched or the TTL has passed."""
        if self._by_rail is None or self._clock.now() - self._fetched_at >= self.ttl:
            return None
        return self._by_rail

    def clear(self) -> None:
        """Forget the list (and any refusal): the next check fetches it again."""
        self._by_rail = None
        self._unavailable_at = None


class Providers(GlobalResource):
    """The rails Paylor collects through. Never hard-coded: always Paylor's current list."""

    __slots__ = ("_catalog",)

    def __init__(
        self, transport: Transport, options: RequestOptions, catalog: ProviderCatalog
    ) -> None:
        super().__init__(transport, options)
        self._catalog = catalog

    async def list(self) -> AsyncIterator[Provider]:
        """Every rail, as Paylor lists it now, like every other list: ``async for``::

            async for rail in paylor.global_payments.providers.list():
                ...

        The endpoint is not paged: one request when iteration starts. Use :meth:`fetch` for
        the whole list at once.
        """
        for provider in await self.fetch():
            yield provider

    async def fetch(self) -> tuple[Provider, ...]:
        """``GET /global/providers`` (scope ``global:read``): every rail, as Paylor lists it now.

        The answer also refreshes the list ``collections.create`` checks against.

        Returns:
            The rails; each carries ``.response``.

        Raises:
            PermissionDeniedError (``required_scope == "global:read"``), APIError subclasses,
            APIConnectionError.
        """
        response = await self._call(_LIST)
        page = self._decode(response, ProviderList, _LIST)
        self._catalog.store(page.providers)
        return tuple(with_response(p, response) for p in page.providers)

    async def _refresh_quietly(self) -> dict[str, Provider] | None:
        """A fresh list for the checks, or ``None`` if Paylor would not give one.

        A key with ``global:collect`` but not ``global:read`` cannot list rails; the collection
        then goes out unchecked and Paylor validates it (and the list is not asked for again
        for a TTL). Connection failures still raise: the collection could not go out either.
        """
        try:
            response = await self._call(_LIST)
            page = self._decode(response, ProviderList, _LIST)
        except APIError:
            self._catalog.mark_unavailable()
            return None
        return self._catalog.store(page.providers)
