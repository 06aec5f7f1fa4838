"""``paylor.transactions``: looking payments up."""

from __future__ import annotations

from collections.abc import AsyncIterator

from .._endpoints import endpoint
from .._validation import validate_text
from ..errors import InvalidParameterError
from ..models import Transaction, TransactionList
from ._base import Resource, with_response

__all__ = ["Transactions"]

_RETRIEVE = endpoint("transaction_retrieve")
_LIST = endpoint("transaction_list")
MAX_PAGE_SIZE = 100


class Transactions(Resource):
    """Query single transactions and walk the transaction history."""

    __slots__ = ()

    async def retrieve(self, transaction_id: str) -> Transaction:
        """The transaction with this id (the ``transaction_id`` an STK Push returned).

        Raises:
            NotFoundError: no such transaction for this merchant.
        """
        tid = validate_text(transaction_id, name="transaction_id")
        if tid.strip(".") == "":
            raise InvalidParameterError(
                "transaction_id must be an id, not a path segment", parameter="transaction_id"
            )
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
        if isinstance(page_size, bool) or not isinstance(page_size, int):
            raise InvalidParameterError("page_size must be an integer", parameter="page_size")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise InvalidParameterError(
                f"page_size must be between 1 and {MAX_PAGE_SIZE}", parameter="page_size"
            )
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise InvalidParameterError("offset must be an integer >= 0", parameter="offset")
        seen: set[str] = set()
        while True:
            response = await self._call(_LIST, params={"limit": page_size, "offset": offset})
            page = self._decode(response, TransactionList, _LIST)
            new = 0
            for tx in page.transactions:
                if tx.id not in seen:
                    seen.add(tx.id)
                    new += 1
                    yield with_response(tx, response)
            offset += len(page.transactions)
            # An empty page, or one that brings nothing new (a server ignoring offset), ends
            # the walk. With a total, a short page (a server capping limit) does not.
            if not page.transactions or new == 0:
                return
            if page.total is not None:
                if offset >= page.total:
                    return
            elif len(page.transactions) < page_size:
                return
