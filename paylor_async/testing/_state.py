"""The simulator's data: API keys, channels, transactions, idempotency records, the fee wallet.

Everything here is synchronous on purpose: a handler that checks and then changes state does so
without an ``await`` in between, so concurrent requests cannot interleave.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs
from multidict import CIMultiDictProxy

from .._clock import Clock
from . import _ids
from ._crypto_state import SimCryptoPayment
from ._global_state import GlobalState
from ._ids import iso_ms

__all__ = [
    "ALL_SCOPES",
    "FINAL_STATUSES",
    "ApiKey",
    "RecordedRequest",
    "RegisteredWebhook",
    "SimChannel",
    "SimState",
    "SimTransaction",
    "StoredResponse",
    "scope_allows",
]

#: Every scope Paylor documents; the simulator's main key holds them all.
ALL_SCOPES: frozenset[str] = frozenset(
    {
        "payments:create",
        "b2c:payout",
        "transactions:read",
        "wallet:read",
        "b2c:read",
        "channels:read",
        "channels:create",
        "channels:update",
        "channels:delete",
        "crypto:create",
        "crypto:read",
        "global:collect",
        "global:disburse",
        "global:read",
    }
)

FINAL_STATUSES = frozenset({"COMPLETED", "FAILED", "REFUNDED", "CONFIRMED"})


def scope_allows(granted: Iterable[str], required: str) -> bool:
    """``required`` is granted directly, by ``<product>:*`` or by ``*``."""
    granted = frozenset(granted)
    product = required.partition(":")[0]
    return required in granted or f"{product}:*" in granted or "*" in granted


@attrs.define
class ApiKey:
    key: str
    merchant_id: str
    scopes: frozenset[str]
    revoked: bool = False


@attrs.define
class RegisteredWebhook:
    """An endpoint that gets events besides a transaction's own ``callbackUrl``."""

    id: str
    url: str
    events: frozenset[str] | None  # None: every event
    created_at: str
    active: bool = True


@attrs.define
class SimChannel:
    """A payment channel (till, paybill or bank) of the simulated merchant."""

    id: str
    merchant_id: str
    name: str
    type: str
    number: str
    alias: str
    status: str
    created_at: float
    updated_at: float
    bank_name: str | None = None
    account_number: str | None = None

    @property
    def is_active(self) -> bool:
        return self.status == "ACTIVE"

    def summary(self) -> dict[str, Any]:
        """The ``channel`` object embedded in a transaction."""
        return {
            "name": self.name,
            "number": self.number,
            "accountNumber": self.account_number,
            "type": self.type,
        }

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "merchantId": self.merchant_id,
            "name": self.name,
            "type": self.type,
            "number": self.number,
            "bankName": self.bank_name,
            "accountNumber": self.account_number,
            "alias": self.alias,
            "status": self.status,
            "createdAt": iso_ms(self.created_at),
            "updatedAt": iso_ms(self.updated_at),
        }


@attrs.define
class SimTransaction:
    """A transaction as the simulator stores it. ``created_at``/``updated_at`` are wall seconds."""

    id: str
    checkout_request_id: str
    merchant_id: str
    phone: str
    amount: int
    reference: str
    description: str | None
    channel: SimChannel | None
    callback_url: str | None
    fee: Decimal
    internal_reference: str
    created_at: float
    updated_at: float
    idempotency_key: str | None = None
    api_key: str | None = attrs.field(default=None, repr=False)
    status: str = "INITIATED"
    #: ``STK_PUSH``, ``B2C`` or ``B2B_EXPRESS``; a failed B2C payout goes back to the B2C wallet.
    kind: str = "STK_PUSH"
    currency: str = "KES"
    provider: str = "MPESA"
    mpesa_receipt: str | None = None
    result_code: int | None = None
    result_desc: str | None = None
    #: Keys added to the API view, to play a Paylor that grew a field since the SDK was built.
    extra_fields: dict[str, Any] = attrs.field(factory=dict)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def provider_ref(self) -> str:
        return self.checkout_request_id

    def to_api(self) -> dict[str, Any]:
        """The flat object ``GET /merchants/payments/transactions/{id}`` returns."""
        return {
            "id": self.id,
            "transactionId": self.checkout_request_id,
            "phone": self.phone,
            "amount": self.amount,
            "currency": self.currency,
            "reference": self.reference,
            "description": self.description,
            "status": self.status,
            "provider": self.provider,
            "providerRef": self.checkout_request_id,
            "mpesaReceipt": self.mpesa_receipt,
            "channel": self.channel.summary() if self.channel is not None else None,
            "createdAt": iso_ms(self.created_at),
            "updatedAt": iso_ms(self.updated_at),
            **self.extra_fields,
        }


@attrs.frozen
class StoredResponse:
    """The first response to an idempotency key, replayed byte for byte."""

    status: int
    body: bytes
    transaction_id: str | None = None


@attrs.define
class RecordedRequest:
    """One request the simulator received, whatever became of it.

    ``path`` is the full path (``/api/v1/...``); ``relative_path`` drops the ``/api/v1``
    prefix; ``route`` is the route name (``"stk_push"``) or ``None`` for unknown paths.
    ``json`` is the parsed body (fractions as ``Decimal``) or ``None``. ``status`` is the status
    sent, or ``None`` while in flight or when the connection was dropped.
    """

    method: str
    path: str
    relative_path: str | None
    route: str | None
    query: dict[str, str]
    headers: CIMultiDictProxy[str]
    body: bytes
    json: Any
    received_at: float
    api_key: str | None
    request_id: str
    status: int | None = None
    fault: str | None = None


class SimState:
    """The merchant's world. One simulator is one merchant."""

    def __init__(
        self,
        clock: Clock,
        fee_wallet_balance: Decimal,
        b2c_wallet_balance: Decimal = Decimal("100000"),
    ) -> None:
        self.clock = clock
        self.merchant_id = _ids.merchant_id()
        self.keys: dict[str, ApiKey] = {}
        self.channels: dict[str, SimChannel] = {}  # by id, insertion ordered
        self.default_channel_id: str | None = None
        self.transactions: dict[str, SimTransaction] = {}
        self.idempotency: dict[tuple[str, str], StoredResponse] = {}
        self.fee_wallet_balance = fee_wallet_balance
        #: The separate wallet B2C payouts are paid from (debited when a payout is accepted).
        self.b2c_wallet_balance = b2c_wallet_balance
        self.crypto_payments: dict[str, SimCryptoPayment] = {}
        #: Seconds a crypto payment's address stays valid.
        self.crypto_payment_ttl = 1800.0
        #: Called (synchronously) when a push, payout or B2B prompt went out (completion timer).
        self.on_stk_sent: Callable[[SimTransaction], None] | None = None
        #: Webhook endpoints registered by ``sim.register_webhook`` or ``POST /global/webhooks``.
        self.webhook_endpoints: dict[str, RegisteredWebhook] = {}
        self.global_state = GlobalState(clock)

    # keys ---------------------------------------------------------------------------------
    def add_key(self, scopes: Iterable[str], key: str | None = None) -> ApiKey:
        record = ApiKey(key or _ids.api_key(), self.merchant_id, frozenset(scopes))
        self.keys[record.key] = record
        return record

    def authenticate(self, token: str) -> ApiKey | None:
        record = self.keys.get(token)
        return None if record is None or record.revoked else record

    # channels -----------------------------------------------------------------------------
    def add_channel(
        self,
        *,
        name: str,
        type: str,
        number: str,
        status: str = "ACTIVE",
        bank_name: str | None = None,
        account_number: str | None = None,
        default: bool = False,
    ) -> SimChannel:
        wall = self.clock.wall()
        aliases = {c.alias for c in self.channels.values()}
        alias = _ids.channel_alias()
        while alias in aliases:
            alias = _ids.channel_alias()
        channel = SimChannel(
            id=_ids.object_id(wall),
            merchant_id=self.merchant_id,
            name=name,
            type=type,
            number=number,
            alias=alias,
            status=status,
            created_at=wall,
            updated_at=wall,
            bank_name=bank_name,
            account_number=account_number,
        )
        self.channels[channel.id] = channel
        if default or self.default_channel_id is None:
            self.default_channel_id = channel.id
        return channel

    def find_channel(self, ref: str) -> SimChannel | None:
        """A channel by id or alias."""
        if ref in self.channels:
            return self.channels[ref]
        return next((c for c in self.channels.values() if c.alias == ref), None)

    def channel_with(
        self, type: str, number: str, *, other_than: str | None = None
    ) -> SimChannel | None:
        """The merchant's channel of this type and number (Paylor allows only one)."""
        return next(
            (
                c
                for c in self.channels.values()
                if c.type == type and c.number == number and c.id != other_than
            ),
            None,
        )

    def update_channel(self, channel: SimChannel, changes: Mapping[str, Any]) -> None:
        """Apply ``changes`` (attribute name -> value) and touch ``updated_at``."""
        for name, value in changes.items():
            setattr(channel, name, value)
        channel.updated_at = self.clock.wall()

    def delete_channel(self, channel: SimChannel) -> None:
        del self.channels[channel.id]
        if self.default_channel_id == channel.id:
            self.default_channel_id = next(iter(self.channels), None)

    def default_channel(self) -> SimChannel | None:
        """The default channel if active, else the first active one."""
        if self.default_channel_id is not None:
            channel = self.channels.get(self.default_channel_id)
            if channel is not None and channel.is_active:
                return channel
        return next((c for c in self.channels.values() if c.is_active), None)

    # transactions -------------------------------------------------------------------------
    def create_transaction(
        self,
        *,
        phone: str,
        amount: int,
        reference: str,
        description: str | None,
        channel: SimChannel | None,
        callback_url: str | None,
        fee: Decimal,
        idempotency_key: str | None,
        api_key: str | None,
    ) -> SimTransaction:
        wall = self.clock.wall()
        tx_id = _ids.object_id(wall)
        while tx_id in self.transactions:
            tx_id = _ids.object_id(wall)
        tx = SimTransaction(
            id=tx_id,
            checkout_request_id=_ids.checkout_request_id(wall),
            merchant_id=self.merchant_id,
            phone=phone,
            amount=amount,
            reference=reference,
            description=description,
            channel=channel,
            callback_url=callback_url,
            fee=fee,
            internal_reference=_ids.internal_reference(channel.alias if channel else "PAYL"),
            created_at=wall,
            updated_at=wall,
            idempotency_key=idempotency_key,
            api_key=api_key,
        )
        self.transactions[tx.id] = tx
        return tx

    def mark_stk_sent(self, tx: SimTransaction) -> None:
        self.mark_submitted(tx, "STK_SENT")

    def mark_submitted(self, tx: SimTransaction, status: str) -> None:
        """The request went to M-Pesa: ``status``, and the completion timer (if any) starts."""
        self.set_status(tx, status)
        if self.on_stk_sent is not None:
            self.on_stk_sent(tx)

    def set_status(self, tx: SimTransaction, status: str) -> None:
        tx.status = status
        tx.updated_at = self.clock.wall()

    def complete(self, tx: SimTransaction, receipt: str | None) -> None:
        """COMPLETED with a receipt; the fee leaves the fee wallet."""
        self._ensure_pending(tx)
        tx.mpesa_receipt = receipt or _ids.mpesa_receipt()
        tx.result_code = 0
        tx.result_desc = "The service request is processed successfully."
        self.fee_wallet_balance -= tx.fee
        self.set_status(tx, "COMPLETED")

    def fail(self, tx: SimTransaction, result_code: int, result_desc: str) -> None:
        self._ensure_pending(tx)
        tx.result_code = result_code
        tx.result_desc = result_desc
        if tx.kind == "B2C":
            self.b2c_wallet_balance += tx.amount  # the payout never left: refunded
        self.set_status(tx, "FAILED")

    @staticmethod
    def _ensure_pending(tx: SimTransaction) -> None:
        if tx.is_final:
            raise ValueError(f"transaction {tx.id} is already {tx.status}")

    def transactions_of(self, merchant_id: str) -> list[SimTransaction]:
        """The merchant's transactions, newest first."""
        return [t for t in reversed(self.transactions.values()) if t.merchant_id == merchant_id]

    def by_reference(self, reference: str) -> list[SimTransaction]:
        return [t for t in self.transactions.values() if t.reference == reference]

    def lookup(self, merchant_id: str, tx_id: str) -> SimTransaction | None:
        tx = self.transactions.get(tx_id)
        return tx if tx is not None and tx.merchant_id == merchant_id else None

    def channels_by_alias(self) -> Mapping[str, SimChannel]:
        return {c.alias: c for c in self.channels.values()}
