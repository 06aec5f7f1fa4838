"""Resources: one module per product area, thin over the transport."""

from .channels import Channels
from .crypto import Crypto
from .global_payments import GlobalPayments
from .payments import Payments
from .payouts import Payouts
from .transactions import Transactions
from .wallet import Wallet

__all__ = [
    "Channels",
    "Crypto",
    "GlobalPayments",
    "Payments",
    "Payouts",
    "Transactions",
    "Wallet",
]
