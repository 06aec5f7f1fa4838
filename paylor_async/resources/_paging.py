"""Offset paging shared by every list endpoint: lazy pages, repeats skipped, safe stop rules."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from .._transport import Response
from ..errors import InvalidParameterError

__all__ = ["MAX_PAGE_SIZE", "MAX_STALE_PAGES", "check_paging", "offset_pages"]

MAX_PAGE_SIZE = 100

#: Pages in a row with nothing new after which a walk gives up (a server ignoring ``offset``).
MAX_STALE_PAGES = 3

P = TypeVar("P")
T = TypeVar("T")


def check_paging(page_size: int, offset: int) -> None:
    """Refuse a page size outside 1..100 or a negative offset (nothing is sent)."""
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise InvalidParameterError("page_size must be an integer", parameter="page_size")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidParameterError(
            f"page_size must be between 1 and {MAX_PAGE_SIZE}", parameter="page_size"
        )
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise InvalidParameterError("offset must be an integer >= 0", parameter="offset")


async def offset_pages(
    fetch: Callable[[Mapping[str, str | int]], Awaitable[tuple[P, Response]]],
    *,
    items_of: Callable[[P], Sequence[T]],
    id_of: Callable[[T], str],
    total_of: Callable[[P], int | None],
    attach: Callable[[T, Response], T],
    page_size: int,
    offset: int,
    params: Mapping[str, str | int] | None = None,
) -> AsyncIterator[list[T]]:
    """Fetch ``limit``/``offset`` pages as the caller iterates; yield each page's new items.

    Offset paging over a list that grows at the front can show an item twice when one arrives
    mid-walk: repeats (by id) are skipped, and a page of nothing but repeats (a burst of new
    items) does not end the walk. Reconciliation depends on not stopping early, so a short
    page does not end it either (a server may cap ``limit``). The walk ends on an empty page,
    on the ``total`` reached, or after :data:`MAX_STALE_PAGES` pages in a row brought nothing
    new (a server ignoring ``offset`` would otherwise loop forever).
    """
    seen: set[str] = set()
    stale = 0
    while True:
        page, response = await fetch({**(params or {}), "limit": page_size, "offset": offset})
        items = items_of(page)
        fresh = []
        for item in items:
            item_id = id_of(item)
            if item_id not in seen:
                seen.add(item_id)
                fresh.append(attach(item, response))
        if fresh:
            yield fresh
        offset += len(items)
        if not items:
            return
        stale = 0 if fresh else stale + 1
        if stale >= MAX_STALE_PAGES:
            return
        total = total_of(page)
        if total is not None and offset >= total:
            return
