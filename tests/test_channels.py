"""Channel management (EARLY shapes) over real HTTP against the simulator."""

from __future__ import annotations

import re

import pytest

from paylor_async import (
    InvalidIdempotencyKeyError,
    InvalidParameterError,
    NotFoundError,
    PaylorClient,
    ValidationError,
)
from paylor_async.models.channels import Channel, ChannelDeletion, ChannelStatus, ChannelType
from paylor_async.testing import Fault, PaylorSimulator

from ._mpesa_support import (
    assert_missing_scope,
    collect,
    fake_paylor,
    last_request,
    wire_body,
)

CHANNELS = "/merchants/channels"
ALIAS = re.compile(r"PAYL-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6}")
MISSING_ID = "665f4c1b9a8d2e001f2a9999"


async def test_list_is_lazy_and_returns_every_channel(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    sim.add_channel(name="Old till", number="7654321", status="INACTIVE")
    iterator = client.channels.list()
    assert sim.requests == []  # nothing is fetched before iteration
    channels = await collect(iterator)
    [req] = sim.requests_for(CHANNELS)
    assert (req.method, req.body, req.query) == ("GET", b"", {})
    assert [c.alias for c in channels] == list(sim.channels)
    default = channels[0]
    assert isinstance(default, Channel)
    assert default.alias == sim.default_channel_alias
    assert default.type is ChannelType.TILL
    assert default.status is ChannelStatus.ACTIVE
    assert default.is_active
    assert default.merchant_id == sim.merchant_id
    assert default.created_at is not None
    assert default.created_at.tzinfo is not None
    assert channels[1].status is ChannelStatus.INACTIVE
    assert all(c.response is not None and c.response.status == 200 for c in channels)
    assert channels[0].response is not None
    assert channels[0].response.rate_limit_limit == 120


async def test_create_sends_the_exact_body_and_returns_the_channel(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    channel = await client.channels.create(
        "Shop till", "till", "5551234", idempotency_key="till-5551234"
    )
    req = last_request(sim, CHANNELS)
    assert req.method == "POST"
    assert wire_body(req) == {"name": "Shop till", "type": "TILL", "number": "5551234"}
    assert req.headers["Idempotency-Key"] == "till-5551234"
    assert ALIAS.fullmatch(channel.alias or "")
    assert channel.alias in sim.channels
    assert (channel.name, channel.type, channel.number) == ("Shop till", "TILL", "5551234")
    assert channel.status is ChannelStatus.ACTIVE
    assert channel.bank_name is None
    assert channel.response is not None
    assert channel.response.status == 201
    assert channel.response.idempotency_key == "till-5551234"


async def test_create_a_bank_channel(sim: PaylorSimulator, client: PaylorClient) -> None:
    channel = await client.channels.create(
        "Payroll", ChannelType.BANK, "522522", bank_name="KCB", account_number="1100223344"
    )
    req = last_request(sim, CHANNELS)
    assert wire_body(req) == {
        "name": "Payroll",
        "type": "BANK",
        "number": "522522",
        "bankName": "KCB",
        "accountNumber": "1100223344",
    }
    assert "Idempotency-Key" in req.headers
    assert (channel.bank_name, channel.account_number) == ("KCB", "1100223344")


async def test_duplicate_type_and_number_is_a_validation_error(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    await client.channels.create("A", "PAYBILL", "400200")
    with pytest.raises(ValidationError) as info:
        await client.channels.create("B", "PAYBILL", "400200")
    assert info.value.code == "VALIDATION_ERROR"
    assert [(d.path, d.message) for d in info.value.details] == [
        ("number", "A PAYBILL channel with number 400200 already exists")
    ]
    # Same number, another type, is a different channel.
    await client.channels.create("C", "TILL", "400200")
    assert len(sim.channels) == 3


async def test_same_key_replays_the_first_channel(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    first = await client.channels.create("A", "TILL", "111222", idempotency_key="ch-1")
    again = await client.channels.create("A", "TILL", "111222", idempotency_key="ch-1")
    assert again.id == first.id
    assert again.alias == first.alias
    assert again.response is not None
    assert again.response.status == 201
    assert len(sim.channels) == 2


async def test_update_sends_only_the_given_fields(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    created = await client.channels.create("A", "TILL", "111222")
    updated = await client.channels.update(created.id, status="inactive", name="Closed till")
    req = last_request(sim, "channel_update")
    assert (req.method, req.relative_path) == ("PATCH", f"{CHANNELS}/{created.id}")
    assert wire_body(req) == {"name": "Closed till", "status": "INACTIVE"}
    assert "Idempotency-Key" not in req.headers
    assert updated.status is ChannelStatus.INACTIVE
    assert updated.name == "Closed till"
    assert updated.number == "111222"
    assert updated.updated_at is not None
    assert updated.response is not None
    assert updated.response.status == 200
    assert not sim.channels[created.alias or ""].is_active


async def test_update_to_an_existing_number_is_a_validation_error(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    await client.channels.create("A", "TILL", "111222")
    other = await client.channels.create("B", "TILL", "333444")
    with pytest.raises(ValidationError) as info:
        await client.channels.update(other.id, number="111222")
    assert [d.path for d in info.value.details] == ["number"]


async def test_delete_removes_the_channel(sim: PaylorSimulator, client: PaylorClient) -> None:
    created = await client.channels.create("A", "TILL", "111222")
    deleted = await client.channels.delete(created.id)
    req = last_request(sim, "channel_delete")
    assert (req.method, req.relative_path, req.body) == (
        "DELETE",
        f"{CHANNELS}/{created.id}",
        b"",
    )
    assert isinstance(deleted, ChannelDeletion)
    assert deleted.channel_id == created.id
    assert deleted.message == "Channel deleted successfully"
    assert deleted.response is not None
    assert deleted.response.status == 200
    assert created.alias not in sim.channels
    with pytest.raises(NotFoundError):
        await client.channels.delete(created.id)


@pytest.mark.parametrize("action", ["update", "delete"])
async def test_unknown_id_is_not_found(
    sim: PaylorSimulator, client: PaylorClient, action: str
) -> None:
    call = (
        client.channels.update(MISSING_ID, name="x")
        if action == "update"
        else client.channels.delete(MISSING_ID)
    )
    with pytest.raises(NotFoundError) as info:
        await call
    assert info.value.code == "RESOURCE_NOT_FOUND"
    assert info.value.status == 404


async def test_server_validation_error_on_update_has_details(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    created = await client.channels.create("A", "TILL", "111222")
    details = [{"path": "status", "message": "the default channel cannot be deactivated"}]
    sim.faults.inject(Fault.VALIDATION_ERROR, path="channel_update", details=details)
    with pytest.raises(ValidationError) as info:
        await client.channels.update(created.id, status="INACTIVE")
    assert [(d.path, d.message) for d in info.value.details] == [
        ("status", "the default channel cannot be deactivated")
    ]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"name": ""}, InvalidParameterError),
        ({"type": "SHOP"}, InvalidParameterError),
        ({"type": None}, InvalidParameterError),
        ({"number": "12a4"}, InvalidParameterError),
        ({"number": 123456}, InvalidParameterError),
        ({"type": "BANK"}, InvalidParameterError),
        ({"type": "BANK", "bank_name": "KCB"}, InvalidParameterError),
        ({"bank_name": ""}, InvalidParameterError),
        ({"idempotency_key": "k" * 181}, InvalidIdempotencyKeyError),
    ],
)
async def test_bad_create_input_sends_nothing(
    sim: PaylorSimulator, client: PaylorClient, kwargs: dict[str, object], error: type[Exception]
) -> None:
    args: dict[str, object] = {"name": "A", "type": "TILL", "number": "111222"}
    args.update(kwargs)
    with pytest.raises(error):
        await client.channels.create(**args)  # type: ignore[arg-type]
    assert sim.requests == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"status": "PAUSED"},
        {"type": "WALLET"},
        {"number": "abc"},
        {"name": " "},
        {"channel_id": ".."},
        {"channel_id": ""},
    ],
)
async def test_bad_update_input_sends_nothing(
    sim: PaylorSimulator, client: PaylorClient, kwargs: dict[str, str]
) -> None:
    channel_id = kwargs.pop("channel_id", MISSING_ID)
    with pytest.raises(InvalidParameterError):
        await client.channels.update(channel_id, **kwargs)
    assert sim.requests == []


@pytest.mark.parametrize(
    ("call", "route", "scope"),
    [
        (lambda c: collect(c.channels.list()), "channel_list", "channels:read"),
        (lambda c: c.channels.create("A", "TILL", "999888"), "channel_create", "channels:create"),
        (lambda c: c.channels.update(MISSING_ID, name="x"), "channel_update", "channels:update"),
        (lambda c: c.channels.delete(MISSING_ID), "channel_delete", "channels:delete"),
    ],
)
async def test_missing_scope(sim: PaylorSimulator, call: object, route: str, scope: str) -> None:
    await assert_missing_scope(sim, call, route=route, required=scope)  # type: ignore[arg-type]
    assert len(sim.channels) == 1


async def test_unknown_channel_type_and_status_are_kept() -> None:
    answer = {"channels": [{"id": "c1", "type": "POCHI", "status": "SUSPENDED", "extra": 1}]}
    async with fake_paylor({"/api/v1" + CHANNELS: answer}) as paylor:
        [channel] = await collect(paylor.channels.list())
    assert channel.type == "POCHI"
    assert channel.type is not None
    assert not channel.type.is_known
    assert channel.status == "SUSPENDED"
    assert not channel.is_active
    assert channel.alias is None
    assert channel.raw["extra"] == 1


@pytest.mark.parametrize("status", [200, 204])
async def test_delete_answered_without_a_body_is_a_success(status: int) -> None:
    """A DELETE answered 204 No Content (or an empty 200) deleted the channel: no error."""
    from aiohttp import web

    from ._mpesa_support import fake_paylor

    path = "/api/v1/merchants/channels/PAYL-ABCDEF"
    async with fake_paylor({path: web.Response(status=status)}) as paylor:
        deleted = await paylor.channels.delete("PAYL-ABCDEF")
    assert deleted.channel_id == "PAYL-ABCDEF"
    assert deleted.response is not None
    assert deleted.response.status == status
