"""A local Paylor for tests: :class:`PaylorSimulator` serves the Paylor API on loopback.

::

    from paylor_async.testing import Fault, PaylorSimulator

    async with PaylorSimulator(completion_delay=0.1) as sim:
        sim.faults.inject(Fault.SERVER_ERROR, path="/merchants/payments/stk-push")
        ...  # point a client at sim.base_url with sim.api_key

It is an independent oracle: it shares no code with the client beyond the webhook signer.
"""

from ._delivery import DeliveryPolicy, WebhookDelivery, WebhookFaults
from ._faults import Fault, FaultInjector, InjectedFault, RandomFaults
from ._fees import FEE_TABLE, fee_for
from ._simulator import DEFAULT_RATE_LIMITS, PaylorSimulator
from ._state import ALL_SCOPES, RecordedRequest, RegisteredWebhook, SimChannel, SimTransaction

__all__ = [
    "ALL_SCOPES",
    "DEFAULT_RATE_LIMITS",
    "FEE_TABLE",
    "DeliveryPolicy",
    "Fault",
    "FaultInjector",
    "InjectedFault",
    "PaylorSimulator",
    "RandomFaults",
    "RecordedRequest",
    "RegisteredWebhook",
    "SimChannel",
    "SimTransaction",
    "WebhookDelivery",
    "WebhookFaults",
    "fee_for",
]
