"""Typed webhook events: a tagged union on the body's ``event`` field.

* :class:`PaymentEvent`: ``payment.success``, ``payment.failed``, ``transaction.updated`` and any
  other event whose body nests a ``transaction`` object.
* :class:`GlobalCollectionEvent`: ``global.collection.*`` (flat body).
* :class:`UnknownEvent`: anything else that verified; nothing is lost (``raw``).

Every event has a ``dedupe_key``: the same delivery (a retry, a replay) has the same key, a new
state of the transaction gets a new one. Build events with :func:`parse_event`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar, TypeAlias

from .._enums import TransactionStatus
from ._record import Record

_EMPTY: Mapping[str, Any] = MappingProxyType({})

__all__ = [
    "GLOBAL_COLLECTION_PREFIX",
    "PAYMENT_EVENTS",
    "GlobalCollectionEvent",
    "PaymentEvent",
    "PaymentTransaction",
    "UnknownEvent",
    "WebhookEvent",
    "WebhookStatus",
]

PAYMENT_EVENTS = frozenset({"payment.success", "payment.failed", "transaction.updated"})
"""Event names whose body nests the transaction (section 3 of the API reference)."""

GLOBAL_COLLECTION_PREFIX = "global.collection."
"""Event names starting with this carry a flat Global collection body."""


#: The status of a webhook body: the SDK's one status enum (unknown values kept, ``is_known``).
WebhookStatus = TransactionStatus


class PaymentTransaction(Record):
    """The ``transaction`` object of a payment event.

    Attributes:
        id: Paylor's transaction id (with ``status``, the dedupe key).
        reference: the merchant's own reference: reconcile orders on it.
        internal_reference: Paylor's routing reference (``internalReference``), if sent.
        amount: exact ``Decimal`` (JSON numbers are never read as floats).
        status: ``COMPLETED`` / ``FAILED`` / ... (unknown strings kept).
        provider_ref: the provider's reference (``providerRef``, e.g. ``ws_CO_...``).
        mpesa_receipt: ``metadata.mpesaReceipt`` (``None`` on failures).
        result_code: ``metadata.callbackResultCode`` as an int (0 success, 1032 cancelled).
        result_description: ``metadata.callbackResultDesc``.
        metadata: the whole ``metadata`` object (read-only), empty when absent.
        raw: the whole ``transaction`` object (read-only), unknown fields included.
    """

    id: str
    reference: str | None
    internal_reference: str | None
    amount: Decimal
    status: WebhookStatus
    provider_ref: str | None
    mpesa_receipt: str | None
    result_code: int | None
    result_description: str | None
    metadata: Mapping[str, Any]
    raw: Mapping[str, Any]

    __slots__ = (  # noqa: RUF023 - field order (repr, CLI)
        "id",
        "reference",
        "internal_reference",
        "amount",
        "status",
        "provider_ref",
        "mpesa_receipt",
        "result_code",
        "result_description",
        "metadata",
        "raw",
    )


class PaymentEvent(Record):
    """A payment webhook: ``payment.success``, ``payment.failed``, ``transaction.updated``...

    Attributes:
        event: the body's ``event`` (use this, not ``delivered_as``, to decide what happened).
        transaction: the nested transaction (``event.transaction.id`` ...).
        delivered_as: the ``X-Webhook-Event`` header when present (registered endpoints may get
            ``transaction.updated`` there while the body says ``payment.success``). Not signed.
        dedupe_key: ``"tx:<transaction id>:<status>"`` (``%`` and ``:`` inside the id or
            status escaped as ``%25`` and ``%3A``, so two events never share a key by accident).
        raw: the whole body (read-only), unknown fields included.

    The transaction's fields are also readable on the event itself (``event.amount``...).
    """

    event: str
    transaction: PaymentTransaction
    dedupe_key: str
    delivered_as: str | None
    raw: Mapping[str, Any]

    __slots__ = ("event", "transaction", "dedupe_key", "delivered_as", "raw")  # noqa: RUF023 - field order (repr, CLI)
    _defaults: ClassVar[Mapping[str, Any]] = {"delivered_as": None, "raw": _EMPTY}

    @property
    def transaction_id(self) -> str:
        """``transaction.id``."""
        return self.transaction.id

    @property
    def reference(self) -> str | None:
        """The merchant's reference (``transaction.reference``)."""
        return self.transaction.reference

    @property
    def internal_reference(self) -> str | None:
        """Paylor's routing reference (``transaction.internalReference``)."""
        return self.transaction.internal_reference

    @property
    def amount(self) -> Decimal:
        """``transaction.amount``, exact."""
        return self.transaction.amount

    @property
    def status(self) -> WebhookStatus:
        """``transaction.status``."""
        return self.transaction.status

    @property
    def provider_ref(self) -> str | None:
        """``transaction.providerRef``."""
        return self.transaction.provider_ref

    @property
    def mpesa_receipt(self) -> str | None:
        """``transaction.metadata.mpesaReceipt``."""
        return self.transaction.mpesa_receipt

    @property
    def result_code(self) -> int | None:
        """``transaction.metadata.callbackResultCode`` (1032: cancelled by the customer)."""
        return self.transaction.result_code

    @property
    def result_description(self) -> str | None:
        """``transaction.metadata.callbackResultDesc``."""
        return self.transaction.result_description

    @property
    def succeeded(self) -> bool:
        """True when the money moved (status ``COMPLETED`` or ``CONFIRMED``)."""
        return self.transaction.status.is_success


class GlobalCollectionEvent(Record):
    """A Global collection webhook (``global.collection.confirmed``): a flat body.

    Attributes:
        event: the body's ``event``.
        reference: Paylor's Global reference (``GC-...``); with ``status``, the dedupe key.
        merchant_reference: the merchant's own reference (``merchantReference``).
        amount: exact ``Decimal``.
        currency: e.g. ``"KES"``.
        status: e.g. ``CONFIRMED`` (unknown strings kept).
        provider: the rail, e.g. ``"SASAPAY_KE"``.
        created_at: aware datetime (UTC assumed when the body gives no offset), or ``None``
            when absent or unreadable.
        delivered_as: the ``X-Webhook-Event`` header when present.
        dedupe_key: ``"global:<reference>:<status>"`` (``%`` and ``:`` escaped as ``%25`` and
            ``%3A``).
        raw: the whole body (read-only).
    """

    event: str
    reference: str
    merchant_reference: str | None
    amount: Decimal
    currency: str | None
    status: WebhookStatus
    provider: str | None
    created_at: datetime | None
    dedupe_key: str
    delivered_as: str | None
    raw: Mapping[str, Any]

    __slots__ = (  # noqa: RUF023 - field order (repr, CLI)
        "event",
        "reference",
        "merchant_reference",
        "amount",
        "currency",
        "status",
        "provider",
        "created_at",
        "dedupe_key",
        "delivered_as",
        "raw",
    )
    _defaults: ClassVar[Mapping[str, Any]] = {"delivered_as": None, "raw": _EMPTY}

    @property
    def succeeded(self) -> bool:
        """True when the money moved (status ``CONFIRMED`` or ``COMPLETED``)."""
        return self.status.is_success


class UnknownEvent(Record):
    """A verified body this SDK does not recognise: kept whole, never dropped.

    Attributes:
        event: the body's ``event`` string, or ``None`` if it has none.
        delivered_as: the ``X-Webhook-Event`` header when present.
        dedupe_key: ``"sha256:<hex digest of the raw body>"`` (of a canonical JSON dump when
            :func:`parse_event` was given an already parsed mapping).
        raw: the whole body (read-only).
    """

    event: str | None
    dedupe_key: str
    delivered_as: str | None
    raw: Mapping[str, Any]

    __slots__ = ("event", "dedupe_key", "delivered_as", "raw")  # noqa: RUF023 - field order (repr, CLI)
    _defaults: ClassVar[Mapping[str, Any]] = {"delivered_as": None, "raw": _EMPTY}


WebhookEvent: TypeAlias = PaymentEvent | GlobalCollectionEvent | UnknownEvent
"""What :func:`parse_event` and ``WebhookVerifier.verify`` return."""
