"""``global_payments.collections``: collect money through a rail (PUSH or REDIRECT).

Checks before sending, when the provider list is at hand
---------------------------------------------------------
``create`` checks the amount against the rail's min/max, the currency against the rail's
currencies, and the payer detail its flow needs (PUSH: ``msisdn``; REDIRECT:
``customer_email``). The rail comes from, in order:

1. a :class:`Provider` passed as ``rail`` (no request made for it);
2. the list cached by ``providers.fetch()`` or by an earlier ``create`` (trusted for
   ``DEFAULT_PROVIDER_TTL`` seconds, per client);
3. otherwise ``GET /global/providers``, once, lazily.

A cached list never makes a call fail on its own: when the cached rail is missing or would
refuse the request, the list is fetched fresh once and the checks run again on that. If Paylor
will not give the list (for instance a key with ``global:collect`` but not ``global:read``), the
collection goes out unchecked and Paylor's own validation answers. A rail listed with
``live: false`` is not refused here (what "live" means is not documented): Paylor decides.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from ..._endpoints import endpoint
from ..._transport import RequestOptions, Transport
from ..._validation import validate_optional_text, validate_text
from ...errors import InvalidParameterError
from ...models.global_providers import CollectionFlow, GlobalCollection, Provider
from .._path_ids import validate_path_id
from ._common import (
    GlobalResource,
    body_without_none,
    validate_currency,
    validate_email,
    validate_money,
    validate_msisdn,
    wire_amount,
)
from ._providers import ProviderCatalog, Providers
from .errors import (
    CustomerEmailRequiredError,
    MsisdnRequiredError,
    RailAmountOutOfRangeError,
    UnknownRailError,
    UnsupportedCurrencyError,
)

__all__ = ["Collections", "check_collection"]

_Check = Callable[[Provider], None]

_CREATE = endpoint("global_collection_create")
_RETRIEVE = endpoint("global_collection_retrieve")


def check_collection(
    provider: Provider,
    *,
    amount: Decimal,
    currency: str,
    msisdn: str | None,
    customer_email: str | None,
) -> None:
    """Refuse what ``provider`` cannot collect (pure; no I/O).

    Raises:
        UnsupportedCurrencyError, RailAmountOutOfRangeError, MsisdnRequiredError,
        CustomerEmailRequiredError.
    """
    rail = provider.rail
    if not provider.offers(currency):
        raise UnsupportedCurrencyError(rail, currency, provider.currencies)
    low, high = provider.min_amount, provider.max_amount
    if (low is not None and amount < low) or (high is not None and amount > high):
        raise RailAmountOutOfRangeError(
            rail=rail, amount=amount, currency=currency, minimum=low, maximum=high
        )
    if provider.collection_flow is CollectionFlow.PUSH and msisdn is None:
        raise MsisdnRequiredError(rail)
    if provider.collection_flow is CollectionFlow.REDIRECT and customer_email is None:
        raise CustomerEmailRequiredError(rail)


class Collections(GlobalResource):
    """Create and look up Global collections."""

    __slots__ = ("_catalog", "_providers")

    def __init__(
        self,
        transport: Transport,
        options: RequestOptions,
        catalog: ProviderCatalog,
        providers: Providers,
    ) -> None:
        super().__init__(transport, options)
        self._catalog = catalog
        self._providers = providers

    async def create(
        self,
        rail: str | Provider,
        amount: int | Decimal,
        currency: str,
        msisdn: str | None = None,
        customer_email: str | None = None,
        reference: str | None = None,
        idempotency_key: str | None = None,
    ) -> GlobalCollection:
        """``POST /global/collections`` (scope ``global:collect``): start collecting ``amount``.

        Args:
            rail: the rail's name (``"SASAPAY_KE"``) or a :class:`Provider` from
                ``providers.fetch()`` (then no list is fetched for the checks).
            amount: a positive ``int`` or ``Decimal`` with at most two decimal places.
            currency: one of the rail's currencies (``"KES"``); upper-cased.
            msisdn: the payer's phone, required on PUSH rails. Kenyan numbers in any common
                form are sent as ``0712345678`` (the docs' example); see ``validate_msisdn``.
            customer_email: the payer's e-mail, required on REDIRECT rails.
            reference: your own reference (1-255 characters), echoed back as
                ``merchant_reference`` and in the webhook's ``merchantReference``.
            idempotency_key: one key per collection attempt; generated if None and reused on
                every retry.

        Returns:
            The collection: Paylor's ``reference`` (``GC-...``), ``status``, and for REDIRECT
            rails ``redirect_url`` (where the payer goes). ``.response`` is set.

        Raises:
            UnknownRailError, UnsupportedCurrencyError, RailAmountOutOfRangeError,
            MsisdnRequiredError, CustomerEmailRequiredError, InvalidAmountError,
            InvalidPhoneNumberError, InvalidParameterError, InvalidIdempotencyKeyError:
            before anything is sent.
            ValidationError (Paylor's ``details``), PermissionDeniedError, other APIError
            subclasses, APIConnectionError.
        """
        if isinstance(rail, Provider):
            given: Provider | None = rail
            rail_name = rail.rail
        else:
            given = None
            rail_name = validate_text(rail, name="rail", max_length=64)
        value = validate_money(amount)
        code = validate_currency(currency)
        email = None if customer_email is None else validate_email(customer_email)
        merchant_reference = validate_optional_text(reference, name="reference")
        if msisdn is not None and not isinstance(msisdn, str):
            raise InvalidParameterError("msisdn must be a string", parameter="msisdn")
        if msisdn is not None:
            validate_msisdn(msisdn, country=None)  # not a phone for any rail: refuse before I/O
        key = self._idempotency_key(idempotency_key)

        def check(provider: Provider) -> None:
            check_collection(
                provider, amount=value, currency=code, msisdn=msisdn, customer_email=email
            )

        provider: Provider | None
        if given is not None:
            check(given)
            provider = given
        else:
            provider = await self._checked_provider(rail_name, check)
        body = body_without_none(
            {
                "rail": rail_name,
                "msisdn": None
                if msisdn is None
                else validate_msisdn(msisdn, country=provider.country if provider else None),
                "amount": wire_amount(value),
                "currency": code,
                "reference": merchant_reference,
                "customerEmail": email,
            }
        )
        response = await self._call(
            _CREATE, body=body, idempotency_key=key, reference=merchant_reference
        )
        return self._decode_in(
            response, GlobalCollection, _CREATE, "collection", reference=merchant_reference
        )

    async def _checked_provider(self, rail: str, check: _Check) -> Provider | None:
        """The rail's provider after ``check`` passed; ``None`` when no list can be had.

        A refusal based on a cached list is confirmed against a fresh list before it counts.
        """
        cached: Mapping[str, Provider] | None = None
        if not self._catalog.unavailable():
            cached = self._catalog.fresh()
        if cached is not None and rail in cached:
            try:
                check(cached[rail])
            except (InvalidParameterError, RailAmountOutOfRangeError):
                pass  # maybe Paylor changed the rail since: confirm on a fresh list below
            else:
                return cached[rail]
        elif self._catalog.unavailable():
            return None
        fresh = await self._providers._refresh_quietly()
        if fresh is None:
            return None
        if rail not in fresh:
            raise UnknownRailError(rail, sorted(fresh))
        check(fresh[rail])
        return fresh[rail]

    async def retrieve(self, reference: str) -> GlobalCollection:
        """``GET /global/collections/{reference}`` (path GUESSED; scope ``global:read``).

        Args:
            reference: Paylor's ``GC-...`` reference from ``create`` or the webhook.

        Raises:
            NotFoundError: no such collection. PermissionDeniedError, APIError subclasses.
        """
        ref = validate_path_id(reference, name="reference")
        path = _RETRIEVE.render(reference=ref)
        response = await self._call(_RETRIEVE, path=path)
        return self._decode_in(response, GlobalCollection, _RETRIEVE, "collection", path=path)
