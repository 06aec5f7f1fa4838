"""``paylor.transactions``: looking payments up."""

from __future__ import annotations

import asyncio
import builtins
import math
from collections.abc import AsyncIterator, Mapping

from .._endpoints import endpoint
from .._transport import Response
from .._validation import validate_text
from ..errors import APIConnectionError, InvalidParameterError, ServerError, WaitTimeoutError
from ..models import Transaction, TransactionList
from ._base import Resource, with_response
from ._paging import MAX_PAGE_SIZE, check_paging, offset_pages
from ._path_ids import validate_path_id

__all__ = ["Transactions"]

_RETRIEVE = endpoint("transaction_retrieve")
_LIST = endpoint("transaction_list")

#: ``wait_for_final`` defaults: first poll after 2 s, then x1.5 per poll up to 15 s apart.
DEFAULT_WAIT_TIMEOUT = 120.0
DEFAULT_POLL_INTERVAL = 2.0
DEFAULT_MAX_POLL_INTERVAL = 15.0
_POLL_GROWTH = 1.5
#: The time a poll made at the deadline itself still gets.
_LAST_POLL_SECONDS = 1.0


class Transactions(Resource):
    """Query single transactions and walk the transaction history."""

    __slots__ = ()

    async def retrieve(self, transaction_id: str) -> Transaction:
        """The transaction with this id (the ``transaction_id`` an STK Push returned).

        Raises:
            NotFoundError: no such transaction for this merchant.
        """
        tid = validate_path_id(transaction_id, name="transaction_id")
        path = _RETRIEVE.render(transaction_id=tid)
        response = await self._call(_RETRIEVE, path=path)
        return self._decode(response, Transaction, _RETRIEVE, path=path)

    async def list(self, *, page_size: int = 50, offset: int = 0) -> AsyncIterator[Transaction]:
        """Every transaction, newest first, fetched a page at a time as you iterate::

            async for tx in paylor.transactions.list():
                ...

        Offset paging over a list that grows at the front can show an item twice when a new
        transaction arrives mid-walk; such repeats are skipped (by ``id``).
        """
        async for page in self._pages(page_size=page_size, offset=offset):
            for tx in page:
                yield tx

    async def find_by_reference(
        self, reference: str, *, max_pages: int = 10, page_size: int = MAX_PAGE_SIZE
    ) -> builtins.list[Transaction]:
        """The transactions carrying your ``reference``, newest first.

        The reconciliation path when a webhook was missed or a call ended in an error: look
        the order up instead of assuming it failed. Walks the history newest first and stops
        after ``max_pages`` pages (so at most ``max_pages * page_size`` recent transactions
        are searched); an empty list means "not among those".

        Raises:
            InvalidParameterError: ``reference`` empty, ``max_pages`` < 1, bad ``page_size``.
        """
        wanted = validate_text(reference, name="reference")
        if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
            raise InvalidParameterError("max_pages must be an integer >= 1", parameter="max_pages")
        found: builtins.list[Transaction] = []
        pages = 0
        async for page in self._pages(page_size=page_size, offset=0):
            found.extend(tx for tx in page if tx.reference == wanted)
            pages += 1
            if pages >= max_pages:
                break
        return found

    async def wait_for_final(
        self,
        transaction_id: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,  # noqa: ASYNC109 - a deadline, not a cancel
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
    ) -> Transaction:
        """Poll the transaction until it is final (``COMPLETED``, ``FAILED``, ``REFUNDED``).

        Paylor's advice when a webhook is missed: reconcile with the transaction query
        instead of assuming failure. The first poll is immediate; then the interval grows
        from ``poll_interval`` by x1.5 up to ``max_poll_interval``. Every poll goes through
        the client's rate limiter and retry policy, so waiting never starves other calls.
        A poll that fails on a connection problem or a 5xx (after the client's retries) does
        not end the wait; the deadline does, even in the middle of a poll.

        Returns:
            the final ``Transaction`` (check ``status.is_success``: ``FAILED`` is returned,
            not raised).

        Raises:
            WaitTimeoutError: no final status before ``timeout`` seconds; carries
                ``last_status`` and the last ``transaction`` seen. The payment may still
                complete: keep the reference and reconcile later.
            NotFoundError: no such transaction.
            InvalidParameterError: a bad id or timing argument.
        """
        for name, value in (
            ("timeout", timeout),
            ("poll_interval", poll_interval),
            ("max_poll_interval", max_poll_interval),
        ):
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value <= 0
            ):
                raise InvalidParameterError(f"{name} must be a number > 0", parameter=name)
        clock = self._transport.clock
        deadline = clock.now() + timeout
        interval = float(poll_interval)
        last: Transaction | None = None
        last_error: BaseException | None = None
        while True:
            try:
                # A poll may not outlive the deadline (a hanging server, the client's retries).
                left = deadline - clock.now()
                async with asyncio.timeout(left if left > 0 else _LAST_POLL_SECONDS):
                    last = await self.retrieve(transaction_id)
                last_error = None
            except (APIConnectionError, ServerError) as exc:
                last_error = exc
            except TimeoutError as exc:  # the deadline passed while the poll was out
                last_error = exc
            if last is not None and last_error is None and last.status.is_final:
                return last
            remaining = deadline - clock.now()
            if remaining <= 0:
                status = None if last is None else str(last.status)
                raise WaitTimeoutError(
                    f"transaction {transaction_id} is not final after {timeout:g} s "
                    f"(last status: {status or 'unknown'}); it may still complete: "
                    "reconcile later by id or reference",
                    transaction_id=transaction_id,
                    last_status=status,
                    transaction=last,
                    last_error=last_error,
                )
            await clock.sleep(min(interval, remaining))
            interval = min(interval * _POLL_GROWTH, max_poll_interval)

    async def _pages(
        self, *, page_size: int, offset: int
    ) -> AsyncIterator[builtins.list[Transaction]]:
        """Pages of new transactions (repeats skipped), each item carrying its ``.response``."""
        check_paging(page_size, offset)

        async def fetch(query: Mapping[str, str | int]) -> tuple[TransactionList, Response]:
            response = await self._call(_LIST, params=query)
            return self._decode(response, TransactionList, _LIST), response

        async for fresh in offset_pages(
            fetch,
            items_of=lambda page: page.transactions,
            id_of=lambda tx: tx.id,
            total_of=lambda page: page.total,
            attach=with_response,
            page_size=page_size,
            offset=offset,
        ):
            yield fresh
