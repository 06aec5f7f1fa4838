"""Global providers and collections over real HTTP: wire bodies, checks against the rails,
the provider cache, server-side validation, scopes, idempotency, 404 and ``.response``."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from paylor_async import (
    InvalidAmountError,
    InvalidIdempotencyKeyError,
    InvalidParameterError,
    InvalidPhoneNumberError,
    ManualClock,
    NotFoundError,
    PaylorClient,
    PermissionDeniedError,
    ValidationError,
)
from paylor_async.models import TransactionStatus
from paylor_async.models.global_providers import CollectionFlow, GlobalCollection, Provider
from paylor_async.resources.global_ import (
    CustomerEmailRequiredError,
    MsisdnRequiredError,
    RailAmountOutOfRangeError,
    UnknownRailError,
    UnsupportedCurrencyError,
)
from paylor_async.testing import PaylorSimulator

from .global_support import client_with, details, last_json

CREATE = "global_collection_create"
PROVIDERS = "global_providers_list"
GC_REFERENCE = r"GC-\d{13}-[A-Z0-9]{5}"


async def test_providers_list_is_a_lazy_async_iterator(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    listing = client.global_payments.providers.list()
    assert sim.requests_for(PROVIDERS) == []  # nothing before iteration
    rails = [provider.rail async for provider in listing]
    assert sorted(rails) == ["CARD_GLOBAL", "MTN_UG", "SASAPAY_KE"]
    assert len(sim.requests_for(PROVIDERS)) == 1


async def test_providers_list_decodes_every_rail(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    providers = await client.global_payments.providers.fetch()
    by_rail = {p.rail: p for p in providers}
    assert set(by_rail) == {"SASAPAY_KE", "CARD_GLOBAL", "MTN_UG"}
    sasa = by_rail["SASAPAY_KE"]
    assert sasa.collection_flow is CollectionFlow.PUSH
    assert (sasa.min_amount, sasa.max_amount) == (Decimal(10), Decimal(150_000))
    assert sasa.currencies == ("KES",)
    assert sasa.country == "KE"
    assert sasa.live is True
    assert sasa.capabilities is not None
    assert sasa.capabilities.disbursement_channels == ("MPESA", "BANK")
    assert sasa.capabilities.collect is True
    assert by_rail["CARD_GLOBAL"].collection_flow is CollectionFlow.REDIRECT
    assert by_rail["MTN_UG"].live is False
    assert sasa.response is not None
    assert sasa.response.status == 200
    assert sasa.response.request_id
    request = sim.requests_for(PROVIDERS)[-1]
    assert (request.method, request.body) == ("GET", b"")


async def test_rails_come_from_paylor_not_from_the_sdk(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    sim.add_global_rail("AIRTEL_TZ", currencies=["TZS"], collection_flow="QR", country="TZ")
    providers = await client.global_payments.providers.fetch()
    airtel = next(p for p in providers if p.rail == "AIRTEL_TZ")
    assert airtel.collection_flow == "QR"  # an unknown flow is kept, not fatal
    assert airtel.collection_flow is not None
    assert not airtel.collection_flow.is_known
    assert airtel.raw["collectionFlow"] == "QR"


async def test_push_collection_sends_the_documented_body(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    result = await client.global_payments.collections.create(
        "SASAPAY_KE",
        1500,
        "kes",
        msisdn="+254 712 345 678",
        reference="INV-1042",
        idempotency_key="gc-1",
    )
    assert last_json(sim, CREATE) == {
        "rail": "SASAPAY_KE",
        "msisdn": "0712345678",  # the docs' local form
        "amount": 1500,
        "currency": "KES",
        "reference": "INV-1042",
    }
    request = sim.requests_for(CREATE)[-1]
    assert request.headers["Idempotency-Key"] == "gc-1"
    assert isinstance(result, GlobalCollection)
    assert result.status is TransactionStatus.PENDING
    assert (result.amount, result.currency, result.rail) == (Decimal(1500), "KES", "SASAPAY_KE")
    assert result.merchant_reference == "INV-1042"
    assert result.idempotency_key == "gc-1"
    assert result.redirect_url is None
    assert re.fullmatch(GC_REFERENCE, result.reference)
    assert result.response is not None
    assert result.response.status == 201
    assert result.response.idempotency_key == "gc-1"
    assert sim.global_collections[result.reference].msisdn == "0712345678"


async def test_redirect_collection_returns_a_checkout_url(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    result = await client.global_payments.collections.create(
        "CARD_GLOBAL", Decimal("10.50"), "USD", customer_email="payer@example.com"
    )
    body = last_json(sim, CREATE)
    assert body == {
        "rail": "CARD_GLOBAL",
        "amount": Decimal("10.5"),
        "currency": "USD",
        "customerEmail": "payer@example.com",
    }
    assert result.redirect_url == f"https://pay.paylorke.com/global/checkout/{result.reference}"
    assert result.amount == Decimal("10.5")


@pytest.mark.parametrize(
    ("rail", "amount", "currency", "kwargs", "error"),
    [
        ("SASAPAY_KE", 9, "KES", {"msisdn": "0712345678"}, RailAmountOutOfRangeError),
        ("SASAPAY_KE", 150_001, "KES", {"msisdn": "0712345678"}, RailAmountOutOfRangeError),
        ("SASAPAY_KE", 100, "KES", {}, MsisdnRequiredError),
        ("CARD_GLOBAL", 100, "USD", {"msisdn": "0712345678"}, CustomerEmailRequiredError),
        ("CARD_GLOBAL", 100, "KES", {"customer_email": "a@b.co"}, UnsupportedCurrencyError),
        ("NOPE_RAIL", 100, "KES", {"msisdn": "0712345678"}, UnknownRailError),
    ],
)
async def test_refusals_against_the_rail_send_no_collection(
    sim: PaylorSimulator,
    client: PaylorClient,
    rail: str,
    amount: int,
    currency: str,
    kwargs: dict[str, str],
    error: type[Exception],
) -> None:
    await client.global_payments.providers.fetch()  # the list is at hand
    with pytest.raises(error) as info:
        await client.global_payments.collections.create(rail, amount, currency, **kwargs)
    assert sim.requests_for(CREATE) == []
    assert sim.global_collections == {}
    assert isinstance(info.value, InvalidParameterError | InvalidAmountError)
    # A refusal read from the cached list is confirmed on one fresh list before it counts.
    assert len(sim.requests_for(PROVIDERS)) == 2


async def test_amount_refusal_names_the_rail_limits(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    await client.global_payments.providers.fetch()
    with pytest.raises(RailAmountOutOfRangeError) as info:
        await client.global_payments.collections.create("SASAPAY_KE", 5, "KES", msisdn="0712345678")
    err = info.value
    assert (err.rail, err.minimum, err.maximum, err.amount) == (
        "SASAPAY_KE",
        Decimal(10),
        Decimal(150_000),
        Decimal(5),
    )
    assert "between 10 and 150,000 KES" in str(err)


async def test_provider_list_is_fetched_lazily_once_for_checks(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    collections = client.global_payments.collections
    with pytest.raises(MsisdnRequiredError):
        await collections.create("SASAPAY_KE", 100, "KES")
    assert len(sim.requests_for(PROVIDERS)) == 1
    assert sim.requests_for(CREATE) == []
    await collections.create("SASAPAY_KE", 100, "KES", msisdn="0712345678")
    await collections.create("SASAPAY_KE", 200, "KES", msisdn="0712345678")
    assert len(sim.requests_for(PROVIDERS)) == 1  # cached within the TTL
    assert len(sim.requests_for(CREATE)) == 2


async def test_cached_list_expires_after_the_ttl(
    sim: PaylorSimulator, client: PaylorClient, clock: ManualClock
) -> None:
    gp = client.global_payments
    await gp.providers.fetch()
    await clock.advance(gp.provider_catalog.ttl + 1)
    await gp.collections.create("SASAPAY_KE", 100, "KES", msisdn="0712345678")
    assert len(sim.requests_for(PROVIDERS)) == 2


async def test_a_rail_added_after_caching_is_fetched_fresh_not_refused(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    await client.global_payments.providers.fetch()
    sim.add_global_rail("AIRTEL_KE", currencies=["KES"], country="KE", min_amount=1)
    result = await client.global_payments.collections.create(
        "AIRTEL_KE", 50, "KES", msisdn="0712345678"
    )
    assert result.rail == "AIRTEL_KE"
    assert len(sim.requests_for(PROVIDERS)) == 2


async def test_changed_rail_limits_are_confirmed_on_a_fresh_list(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    await client.global_payments.providers.fetch()
    sim.global_rails["SASAPAY_KE"].max_amount = Decimal(500_000)  # Paylor raised the cap
    result = await client.global_payments.collections.create(
        "SASAPAY_KE", 200_000, "KES", msisdn="0712345678"
    )
    assert result.amount == Decimal(200_000)
    assert len(sim.requests_for(PROVIDERS)) == 2


async def test_a_provider_object_is_checked_without_fetching(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    card = Provider(
        rail="CARD_GLOBAL",
        currencies=("USD",),
        collection_flow=CollectionFlow.REDIRECT,
        min_amount=Decimal(1),
        max_amount=Decimal(100),
    )
    with pytest.raises(CustomerEmailRequiredError):
        await client.global_payments.collections.create(card, 10, "USD")
    result = await client.global_payments.collections.create(
        card, 10, "USD", customer_email="p@example.com"
    )
    assert result.rail == "CARD_GLOBAL"
    assert sim.requests_for(PROVIDERS) == []


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"amount": Decimal("1.005")}, InvalidAmountError),
        ({"amount": 0}, InvalidAmountError),
        ({"amount": True}, InvalidAmountError),
        ({"currency": "K"}, InvalidParameterError),
        ({"msisdn": "12"}, InvalidPhoneNumberError),
        ({"msisdn": "+1 555 0100 200"}, InvalidPhoneNumberError),  # KE rail, not Kenyan
        ({"customer_email": "not-an-email"}, InvalidParameterError),
        ({"idempotency_key": ""}, InvalidIdempotencyKeyError),
    ],
)
async def test_bad_arguments_are_refused_before_sending(
    sim: PaylorSimulator, client: PaylorClient, kwargs: dict[str, object], error: type[Exception]
) -> None:
    args: dict[str, object] = {
        "rail": "SASAPAY_KE",
        "amount": 100,
        "currency": "KES",
        "msisdn": "0712345678",
    }
    args.update(kwargs)
    with pytest.raises(error):
        await client.global_payments.collections.create(**args)  # type: ignore[arg-type]
    assert sim.requests_for(CREATE) == []
    if kwargs.get("msisdn") == "12":  # no phone for any rail: refused before the list is read
        assert sim.requests_for(PROVIDERS) == []


async def test_server_validation_details_when_the_list_is_not_readable(
    sim: PaylorSimulator,
) -> None:
    async with client_with(sim, ["global:collect"]) as paylor:
        with pytest.raises(ValidationError) as info:
            await paylor.global_payments.collections.create("SASAPAY_KE", 5, "USD")
        # The list was refused (403, no global:read): the request went out unchecked.
        assert len(sim.requests_for(PROVIDERS)) == 1
        err = info.value
        assert (err.status, err.code) == (400, "VALIDATION_ERROR")
        assert details(err) == [
            ("currency", "SASAPAY_KE supports KES only"),
            ("amount", "amount must be between 10 and 150000"),
            ("msisdn", "msisdn is required for PUSH rails"),
        ]
        with pytest.raises(ValidationError) as redirect:
            await paylor.global_payments.collections.create("CARD_GLOBAL", 5, "USD")
        assert details(redirect.value) == [
            ("customerEmail", "customerEmail is required for REDIRECT rails")
        ]
        with pytest.raises(ValidationError) as unknown:
            await paylor.global_payments.collections.create("NOPE", 5, "USD")
        assert details(unknown.value) == [("rail", "Unknown provider rail: NOPE")]
        # The refusal is remembered for a TTL: no second providers request.
        assert len(sim.requests_for(PROVIDERS)) == 1


async def test_server_refuses_a_rail_that_is_not_live(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    with pytest.raises(ValidationError) as info:
        await client.global_payments.collections.create(
            "MTN_UG", 1000, "UGX", msisdn="+256 772 123456"
        )
    assert details(info.value) == [("rail", "Provider MTN_UG is not live")]
    # A non-Kenyan rail's number goes out as typed, without spaces.
    assert last_json(sim, CREATE)["msisdn"] == "+256772123456"


async def test_collect_needs_the_global_collect_scope(sim: PaylorSimulator) -> None:
    async with client_with(sim, ["global:read"]) as paylor:
        with pytest.raises(PermissionDeniedError) as info:
            await paylor.global_payments.collections.create(
                "SASAPAY_KE", 100, "KES", msisdn="0712345678"
            )
    assert info.value.required_scope == "global:collect"
    assert sim.global_collections == {}


async def test_providers_need_global_read_and_the_wildcard_grants_it(
    sim: PaylorSimulator,
) -> None:
    async with client_with(sim, ["global:collect"]) as paylor:
        with pytest.raises(PermissionDeniedError) as info:
            await paylor.global_payments.providers.fetch()
    assert info.value.required_scope == "global:read"
    async with client_with(sim, ["global:*"]) as paylor:
        assert len(await paylor.global_payments.providers.fetch()) == 3


async def test_same_idempotency_key_creates_one_collection(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    collections = client.global_payments.collections
    first = await collections.create("SASAPAY_KE", 100, "KES", msisdn="0712345678",
                                     idempotency_key="order-7")  # fmt: skip
    again = await collections.create("SASAPAY_KE", 100, "KES", msisdn="0712345678",
                                     idempotency_key="order-7")  # fmt: skip
    assert again.reference == first.reference
    assert len(sim.global_collections) == 1
    assert len(sim.requests_for(CREATE)) == 2
    other = await collections.create("SASAPAY_KE", 100, "KES", msisdn="0712345678")
    assert other.reference != first.reference
    assert first.idempotency_key == "order-7"
    assert other.idempotency_key.startswith("paylor-async-")


async def test_retrieve_a_collection_and_404(sim: PaylorSimulator, client: PaylorClient) -> None:
    created = await client.global_payments.collections.create(
        "SASAPAY_KE", 100, "KES", msisdn="0712345678", reference="INV-9"
    )
    await sim.confirm_collection(created.reference)
    found = await client.global_payments.collections.retrieve(created.reference)
    assert found.status is TransactionStatus.CONFIRMED
    assert found.status.is_final
    assert found.merchant_reference == "INV-9"
    assert found.response is not None
    assert found.response.status == 200
    assert sim.requests_for("global_collection_retrieve")[-1].relative_path == (
        f"/global/collections/{created.reference}"
    )
    with pytest.raises(NotFoundError):
        await client.global_payments.collections.retrieve("GC-0-NOPE0")
    with pytest.raises(InvalidParameterError):
        await client.global_payments.collections.retrieve("..")


async def test_a_with_options_copy_has_the_global_resources(client: PaylorClient) -> None:
    copy = client.with_options(timeout=5)
    assert len(await copy.global_payments.providers.fetch()) == 3
    assert copy.global_payments.provider_catalog is not client.global_payments.provider_catalog


def test_guessed_shapes_are_decoded_tolerantly() -> None:
    from paylor_async.models import structure
    from paylor_async.models.global_money import GlobalWallet, LedgerPage

    collection = structure(
        {"reference": "GC-1-ABCDE", "status": "AWAITING_PAYMENT", "redirectUrl": "https://x/y",
         "fxRate": 129.5},
        GlobalCollection,
    )  # fmt: skip
    assert collection.status == "AWAITING_PAYMENT"
    assert not collection.status.is_known
    assert collection.redirect_url == "https://x/y"  # another key for the checkout URL
    assert collection.raw["fxRate"] == 129.5
    wallet = structure({"balances": [{"currency": "KES", "available": "10.5"}]}, GlobalWallet)
    assert wallet.available("KES") == Decimal("10.5")
    page = structure({"entries": [{"id": "e1", "kind": "FEE"}]}, LedgerPage)
    assert page.entries[0].raw["kind"] == "FEE"
    assert page.total is None
