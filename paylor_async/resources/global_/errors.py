"""Refusals of Global calls made before anything is sent (all :class:`InputError`).

Raised when the provider list is at hand (see ``global_payments.collections.create``) and the
request could not succeed on the chosen rail.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from ...errors import InvalidAmountError, InvalidParameterError

__all__ = [
    "CustomerEmailRequiredError",
    "MsisdnRequiredError",
    "RailAmountOutOfRangeError",
    "UnknownRailError",
    "UnsupportedCurrencyError",
]


class UnknownRailError(InvalidParameterError):
    """The fresh provider list has no such rail; ``known_rails`` lists the rails it has."""

    def __init__(self, rail: str, known_rails: Sequence[str]) -> None:
        known = ", ".join(known_rails) or "none"
        super().__init__(f"unknown rail {rail!r}; Paylor offers: {known}", parameter="rail")
        self.rail = rail
        self.known_rails = tuple(known_rails)


class UnsupportedCurrencyError(InvalidParameterError):
    """The rail does not offer this currency; ``currencies`` lists those it does."""

    def __init__(self, rail: str, currency: str, currencies: Sequence[str]) -> None:
        super().__init__(
            f"rail {rail} does not collect {currency}; it offers {', '.join(currencies)}",
            parameter="currency",
        )
        self.rail = rail
        self.currency = currency
        self.currencies = tuple(currencies)


class RailAmountOutOfRangeError(InvalidAmountError):
    """The amount is outside the rail's ``minimum``..``maximum`` (either may be ``None``)."""

    def __init__(
        self,
        *,
        rail: str,
        amount: Decimal,
        currency: str,
        minimum: Decimal | None,
        maximum: Decimal | None,
    ) -> None:
        low = f"{minimum:,}" if minimum is not None else "any"
        high = f"{maximum:,}" if maximum is not None else "any"
        super().__init__(
            f"rail {rail} collects between {low} and {high} {currency}; got {amount:,}"
        )
        self.rail = rail
        self.amount = amount
        self.currency = currency
        self.minimum = minimum
        self.maximum = maximum


class MsisdnRequiredError(InvalidParameterError):
    """A PUSH rail prompts the payer's phone: ``msisdn`` is required."""

    def __init__(self, rail: str) -> None:
        super().__init__(
            f"rail {rail} is a PUSH rail: pass msisdn, the phone to prompt", parameter="msisdn"
        )
        self.rail = rail


class CustomerEmailRequiredError(InvalidParameterError):
    """A REDIRECT rail sends the payer to a checkout page: ``customer_email`` is required."""

    def __init__(self, rail: str) -> None:
        super().__init__(
            f"rail {rail} is a REDIRECT rail: pass customer_email", parameter="customer_email"
        )
        self.rail = rail
