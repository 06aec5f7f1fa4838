"""Resources: one module per product area, thin over the transport."""

from .payments import Payments
from .transactions import Transactions

__all__ = ["Payments", "Transactions"]
