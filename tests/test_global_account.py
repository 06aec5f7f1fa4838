"""Global payment links, registered webhooks, settings and listings over real HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paylor_async import (
    InvalidParameterError,
    NotFoundError,
    PaylorClient,
    PermissionDeniedError,
    ValidationError,
)
from paylor_async.testing import PaylorSimulator

from .global_support import client_with, details, last_json, send_raw

LINK_CREATE = "global_payment_link_create"
LINK_LIST = "global_payment_link_list"
HOOK_CREATE = "global_webhook_create"


# payment links -------------------------------------------------------------------------------
async def test_create_payment_link_wire_body_and_response(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    link = await client.global_payments.payment_links.create(
        Decimal("2500.00"), "kes", description="Invoice 7", reference="INV-7",
        idempotency_key="link-7",
    )  # fmt: skip
    assert last_json(sim, LINK_CREATE) == {
        "amount": 2500,
        "currency": "KES",
        "description": "Invoice 7",
        "reference": "INV-7",
    }
    assert sim.requests_for(LINK_CREATE)[-1].headers["Idempotency-Key"] == "link-7"
    assert link.url == f"https://pay.paylorke.com/l/{link.id}"
    assert (link.amount, link.currency, link.status) == (Decimal(2500), "KES", "ACTIVE")
    assert link.idempotency_key == "link-7"
    assert link.response is not None
    assert link.response.status == 201


async def test_payment_link_idempotency(sim: PaylorSimulator, client: PaylorClient) -> None:
    links = client.global_payments.payment_links
    first = await links.create(100, "KES", idempotency_key="same")
    second = await links.create(100, "KES", idempotency_key="same")
    assert first.id == second.id
    assert len(sim._state.global_state.payment_links) == 1


async def test_payment_link_server_validation_details(client: PaylorClient) -> None:
    with pytest.raises(ValidationError) as info:
        await send_raw(client, LINK_CREATE, {"amount": -1, "currency": 5}, key="raw-1")
    assert details(info.value) == [
        ("amount", "amount must be positive with at most 2 decimals"),
        ("currency", "currency must be a string"),
    ]


async def test_payment_links_list_pages_lazily(sim: PaylorSimulator, client: PaylorClient) -> None:
    for n in range(3):
        await client.global_payments.payment_links.create(100 + n, "KES")
    walk = client.global_payments.payment_links.list(page_size=2)
    assert sim.requests_for(LINK_LIST) == []
    amounts = [link.amount async for link in walk]
    assert amounts == [Decimal(102), Decimal(101), Decimal(100)]  # newest first
    assert [r.query for r in sim.requests_for(LINK_LIST)] == [
        {"limit": "2", "offset": "0"},
        {"limit": "2", "offset": "2"},
    ]


async def test_payment_links_need_global_collect(sim: PaylorSimulator) -> None:
    async with client_with(sim, ["global:read"]) as paylor:
        with pytest.raises(PermissionDeniedError) as info:
            await paylor.global_payments.payment_links.create(100, "KES")
        assert info.value.required_scope == "global:collect"
        with pytest.raises(PermissionDeniedError) as listing:
            [x async for x in paylor.global_payments.payment_links.list()]
        assert listing.value.required_scope == "global:collect"


async def test_bad_page_size_is_refused_at_the_call(client: PaylorClient) -> None:
    with pytest.raises(InvalidParameterError):
        client.global_payments.payment_links.list(page_size=0)
    with pytest.raises(InvalidParameterError):
        client.global_payments.listings.list(offset=-1)


# webhooks ------------------------------------------------------------------------------------
async def test_register_adds_to_the_simulators_registry(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    hook = await client.global_payments.webhooks.register(
        "https://shop.example/paylor", events=["global.collection.confirmed"],
        idempotency_key="wh-1",
    )  # fmt: skip
    assert last_json(sim, HOOK_CREATE) == {
        "url": "https://shop.example/paylor",
        "events": ["global.collection.confirmed"],
    }
    registered = sim._state.webhook_endpoints[hook.id]
    assert registered.url == "https://shop.example/paylor"
    assert registered.events == frozenset({"global.collection.confirmed"})
    assert hook.events == ("global.collection.confirmed",)
    assert hook.idempotency_key == "wh-1"
    assert hook.response is not None
    assert hook.response.status == 201
    again = await client.global_payments.webhooks.register(
        "https://shop.example/paylor", events=["global.collection.confirmed"],
        idempotency_key="wh-1",
    )  # fmt: skip
    assert again.id == hook.id
    assert len(sim._state.webhook_endpoints) == 1


async def test_register_for_every_event_list_and_delete(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    webhooks = client.global_payments.webhooks
    everything = await webhooks.register("https://a.example/h")
    assert last_json(sim, HOOK_CREATE) == {"url": "https://a.example/h"}
    assert everything.events is None
    other = await webhooks.register("https://b.example/h", events=["payment.success"])
    listed = [h async for h in webhooks.list()]
    assert [h.id for h in listed] == [everything.id, other.id]
    assert listed[0].response is not None
    deleted = await webhooks.delete(everything.id)
    assert (deleted.id, deleted.deleted) == (everything.id, True)
    assert deleted.response is not None
    assert sim.requests_for("global_webhook_delete")[-1].method == "DELETE"
    assert set(sim._state.webhook_endpoints) == {other.id}
    with pytest.raises(NotFoundError):
        await webhooks.delete(everything.id)


async def test_webhook_arguments_checked_before_sending(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    webhooks = client.global_payments.webhooks
    for bad in ("not a url", "ftp://x.example/h"):
        with pytest.raises(InvalidParameterError) as info:
            await webhooks.register(bad)
        assert info.value.parameter == "url"
    with pytest.raises(InvalidParameterError):
        await webhooks.register("https://a.example/h", events="payment.success")
    with pytest.raises(InvalidParameterError):
        await webhooks.register("https://a.example/h", events=[])
    assert sim.requests_for(HOOK_CREATE) == []


async def test_webhook_server_validation_details(client: PaylorClient) -> None:
    with pytest.raises(ValidationError) as info:
        await send_raw(client, HOOK_CREATE, {"url": "mailto:x", "events": []}, key="raw-w")
    assert details(info.value) == [
        ("url", "url must be an http(s) URL"),
        ("events", "events must be a non-empty list of names"),
    ]


async def test_webhooks_need_global_collect(sim: PaylorSimulator) -> None:
    async with client_with(sim, ["global:read", "global:disburse"]) as paylor:
        with pytest.raises(PermissionDeniedError) as info:
            await paylor.global_payments.webhooks.register("https://a.example/h")
        assert info.value.required_scope == "global:collect"
        with pytest.raises(PermissionDeniedError):
            await paylor.global_payments.webhooks.delete("abc")
    assert sim._state.webhook_endpoints == {}


# settings ------------------------------------------------------------------------------------
async def test_settings_retrieve_and_update(sim: PaylorSimulator, client: PaylorClient) -> None:
    settings = client.global_payments.settings
    current = await settings.retrieve()
    assert current.default_currency == "KES"
    assert current.response is not None
    assert current.response.status == 200
    updated = await settings.update(
        business_name="Duka Ltd",
        support_email="help@duka.example",
        redirect_url="https://duka.example/thanks",
        extra={"statementDescriptor": "DUKA"},
    )
    request = sim.requests_for("global_settings_update")[-1]
    assert request.method == "PATCH"
    assert request.json == {
        "statementDescriptor": "DUKA",
        "businessName": "Duka Ltd",
        "supportEmail": "help@duka.example",
        "redirectUrl": "https://duka.example/thanks",
    }
    assert request.headers["Idempotency-Key"]
    assert (updated.business_name, updated.support_email) == ("Duka Ltd", "help@duka.example")
    assert updated.raw["statementDescriptor"] == "DUKA"  # a setting the model does not name
    assert (await settings.retrieve()).redirect_url == "https://duka.example/thanks"


async def test_settings_validation_client_and_server(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    settings = client.global_payments.settings
    with pytest.raises(InvalidParameterError):
        await settings.update()
    with pytest.raises(InvalidParameterError):
        await settings.update(support_email="nope")
    assert sim.requests_for("global_settings_update") == []
    with pytest.raises(ValidationError) as info:
        await settings.update(extra={"defaultCurrency": "k1", "redirectUrl": "x"})
    assert details(info.value) == [
        ("defaultCurrency", "defaultCurrency has an invalid value"),
        ("redirectUrl", "redirectUrl has an invalid value"),
    ]


async def test_settings_need_global_collect(sim: PaylorSimulator) -> None:
    async with client_with(sim, ["global:read"]) as paylor:
        with pytest.raises(PermissionDeniedError) as info:
            await paylor.global_payments.settings.retrieve()
    assert info.value.required_scope == "global:collect"


# listings ------------------------------------------------------------------------------------
async def test_listings_list(sim: PaylorSimulator, client: PaylorClient) -> None:
    first = sim.add_global_listing("Safari day trip", price="7500", description="Nairobi NP")
    second = sim.add_global_listing("Airport transfer", price=3000, currency="USD")
    listings = [x async for x in client.global_payments.listings.list()]
    assert [x.id for x in listings] == [second.id, first.id]
    assert (listings[1].title, listings[1].price, listings[1].currency) == (
        "Safari day trip",
        Decimal(7500),
        "KES",
    )
    assert listings[0].response is not None
    assert sim.requests_for("global_listing_list")[-1].query == {"limit": "50", "offset": "0"}


async def test_listings_need_global_read(sim: PaylorSimulator) -> None:
    async with client_with(sim, ["global:collect"]) as paylor:
        with pytest.raises(PermissionDeniedError) as info:
            [x async for x in paylor.global_payments.listings.list()]
    assert info.value.required_scope == "global:read"


@pytest.mark.parametrize(
    "extra",
    [
        {"x": float("nan")},
        {"x": float("inf")},
        {"x": [1, 2]},
        {"x": {1, 2}},
        {"x": {"nested": 1}},
        {"x": Decimal("NaN")},
        {1: "a"},
        [("x", 1)],
    ],
)
async def test_settings_extra_refuses_what_is_not_a_json_scalar(
    sim: PaylorSimulator, client: PaylorClient, extra: object
) -> None:
    with pytest.raises(InvalidParameterError):
        await client.global_payments.settings.update(extra=extra)  # type: ignore[arg-type]
    assert sim.requests == []


async def test_settings_extra_sends_decimals_as_numbers(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    await client.global_payments.settings.update(extra={"feeShare": Decimal("1.5")})
    assert sim.requests[-1].json == {"feeShare": Decimal("1.5")}


@pytest.mark.parametrize("events", [5, 1.5, object()])
async def test_webhook_register_refuses_events_that_are_not_a_list(
    sim: PaylorSimulator, client: PaylorClient, events: object
) -> None:
    with pytest.raises(InvalidParameterError):
        await client.global_payments.webhooks.register(
            "https://shop.example/hook",
            events=events,  # type: ignore[arg-type]
        )
    assert sim.requests == []
