"""``paylor.channels``: payment channel management (its own 120/min limiter group)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import attrs

from .._endpoints import endpoint
from .._validation import validate_text
from ..errors import InvalidParameterError
from ..models.channels import (
    Channel,
    ChannelDeletion,
    ChannelEnvelope,
    ChannelList,
    ChannelStatus,
    ChannelType,
)
from ._base import Resource, with_response
from ._path_ids import validate_path_id

__all__ = ["Channels"]

_LIST = endpoint("channel_list")
_CREATE = endpoint("channel_create")
_UPDATE = endpoint("channel_update")
_DELETE = endpoint("channel_delete")

_TYPES = tuple(t.value for t in ChannelType)
_STATUSES = tuple(s.value for s in ChannelStatus)
#: Till, paybill and bank paybill numbers are digits.
_NUMBER = re.compile(r"[0-9]{1,20}")


def _channel_type(value: str | ChannelType) -> str:
    if not isinstance(value, str) or value.upper() not in _TYPES:
        raise InvalidParameterError(
            f"type must be one of {', '.join(_TYPES)}, got {value!r}", parameter="type"
        )
    return value.upper()


def _channel_status(value: str | ChannelStatus) -> str:
    if not isinstance(value, str) or value.upper() not in _STATUSES:
        raise InvalidParameterError(
            f"status must be one of {', '.join(_STATUSES)}, got {value!r}", parameter="status"
        )
    return value.upper()


def _number(value: str) -> str:
    if not isinstance(value, str) or not _NUMBER.fullmatch(value):
        raise InvalidParameterError(
            "number must be the till or paybill number as a string of digits", parameter="number"
        )
    return value


class Channels(Resource):
    """List, create, update and delete payment channels (tills, paybills, bank accounts).

    These calls count against the ``channels`` limiter group (120/min), apart from payments.
    Shapes are EARLY; API-key access to them is GUESSED.
    """

    __slots__ = ()

    async def list(self) -> AsyncIterator[Channel]:
        """Every channel of the merchant, as an async iterator::

            async for channel in paylor.channels.list():
                print(channel.alias, channel.status)

        Paylor returns them all in one unpaged answer, fetched when iteration starts.

        Raises:
            PermissionDeniedError: the key lacks ``channels:read``.
        """
        response = await self._call(_LIST)
        page = self._decode(response, ChannelList, _LIST)
        for channel in page.channels:
            yield with_response(channel, response)

    async def create(
        self,
        name: str,
        type: str | ChannelType,
        number: str,
        bank_name: str | None = None,
        account_number: str | None = None,
        idempotency_key: str | None = None,
    ) -> Channel:
        """Create a channel; Paylor gives it an alias (``PAYL-XXXXXX``).

        Args:
            name: a label (1-255 characters).
            type: ``TILL``, ``PAYBILL`` or ``BANK``.
            number: the till or paybill number (digits).
            bank_name, account_number: required for ``BANK``; ``account_number`` may also be a
                paybill account.
            idempotency_key: generated if None and reused on retries: a retry never creates a
                second channel.

        Returns:
            The new :class:`Channel`, ``.response`` set.

        Raises:
            InvalidParameterError, InvalidIdempotencyKeyError: before sending anything.
            ValidationError: Paylor refused it (a channel with this type and number exists).
            PermissionDeniedError: the key lacks ``channels:create``.
        """
        body: dict[str, object] = {
            "name": validate_text(name, name="name"),
            "type": _channel_type(type),
            "number": _number(number),
        }
        if body["type"] == ChannelType.BANK and (bank_name is None or account_number is None):
            missing = "bank_name" if bank_name is None else "account_number"
            raise InvalidParameterError(
                "a BANK channel needs bank_name and account_number", parameter=missing
            )
        if bank_name is not None:
            body["bankName"] = validate_text(bank_name, name="bank_name")
        if account_number is not None:
            body["accountNumber"] = validate_text(account_number, name="account_number")
        key = self._idempotency_key(idempotency_key)
        response = await self._call(_CREATE, body=body, idempotency_key=key)
        envelope = self._decode(response, ChannelEnvelope, _CREATE)
        return with_response(envelope.channel, response)

    async def update(
        self,
        channel_id: str,
        *,
        name: str | None = None,
        status: str | ChannelStatus | None = None,
        type: str | ChannelType | None = None,
        number: str | None = None,
        bank_name: str | None = None,
        account_number: str | None = None,
    ) -> Channel:
        """Change some fields of a channel; only the fields given are sent.

        Args:
            channel_id: the channel's ``id`` (not its alias).
            status: ``ACTIVE`` or ``INACTIVE``; the others as in :meth:`create`.

        Returns:
            The updated :class:`Channel`.

        Raises:
            InvalidParameterError: no field given, or a bad value (nothing is sent).
            NotFoundError: no such channel. ValidationError: Paylor refused the change.
            PermissionDeniedError: the key lacks ``channels:update``.
        """
        cid = validate_path_id(channel_id, name="channel_id")
        fields = {
            "name": None if name is None else validate_text(name, name="name"),
            "status": None if status is None else _channel_status(status),
            "type": None if type is None else _channel_type(type),
            "number": None if number is None else _number(number),
            "bankName": None if bank_name is None else validate_text(bank_name, name="bank_name"),
            "accountNumber": None
            if account_number is None
            else validate_text(account_number, name="account_number"),
        }
        body = {k: v for k, v in fields.items() if v is not None}
        if not body:
            raise InvalidParameterError(
                "update needs at least one of name, status, type, number, bank_name, "
                "account_number",
                parameter=None,
            )
        path = _UPDATE.render(channel_id=cid)
        response = await self._call(_UPDATE, path=path, body=body)
        envelope = self._decode(response, ChannelEnvelope, _UPDATE, path=path)
        return with_response(envelope.channel, response)

    async def delete(self, channel_id: str) -> ChannelDeletion:
        """Delete a channel.

        Returns:
            A :class:`ChannelDeletion` (``channel_id``, Paylor's ``message``).

        Raises:
            InvalidParameterError: an empty or path-like id (nothing is sent).
            NotFoundError: no such channel. PermissionDeniedError: no ``channels:delete``.
        """
        cid = validate_path_id(channel_id, name="channel_id")
        path = _DELETE.render(channel_id=cid)
        response = await self._call(_DELETE, path=path)
        result = self._decode(response, ChannelDeletion, _DELETE, path=path)
        return with_response(attrs.evolve(result, channel_id=cid), response)
