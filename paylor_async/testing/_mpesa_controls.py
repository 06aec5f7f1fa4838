"""Test controls of the simulator for M-Pesa payouts, B2B, crypto and channels (a mixin)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from .._clock import Clock
from ._delivery import WebhookDelivery
from ._state import SimState

__all__ = ["MpesaControls"]


class MpesaControls:
    """Mixed into :class:`~paylor_async.testing.PaylorSimulator`, which provides these."""

    clock: Clock
    _state: SimState
    #: Run a coroutine in the background; the simulator awaits it on close.
    _spawn: Callable[[Coroutine[Any, Any, object]], None]
    #: Deliver a signed event to ``callback_url`` and the registered endpoints.
    _deliver_event: Callable[..., Coroutine[Any, Any, list[WebhookDelivery]]]
