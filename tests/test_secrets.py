"""The API key never shows up in logs, reprs, messages or tracebacks."""

from __future__ import annotations

import logging
import traceback

import pytest

from paylor_async import APIError, ManualClock, PaylorClient, PaylorError
from paylor_async.testing import Fault, PaylorSimulator

STK = "/merchants/payments/stk-push"
CANARY = "sk_live_CANARY0123456789abcdefCANARY"


async def test_canary_key_appears_nowhere(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []
    caplog.set_level(logging.DEBUG)  # every logger, aiohttp's included
    async with (
        PaylorSimulator(api_key=CANARY) as sim,
        PaylorClient(
            CANARY, base_url=sim.base_url, clock=ManualClock(autojump=True), timeout=0.5
        ) as paylor,
    ):
        seen.append(repr(paylor))
        seen.append(repr(paylor.with_options(max_retries=1)))
        sim.faults.inject(Fault.SERVER_ERROR, path=STK, times=2)
        push = await paylor.payments.stk_push(phone="0712345678", amount=5, reference="S")
        seen += [repr(push), str(push)]
        seen.append(repr(await paylor.transactions.retrieve(push.transaction_id)))
        for fault, params in [
            (Fault.BAD_GATEWAY_HTML, {}),
            (Fault.DROP_CONNECTION, {}),
            (Fault.DELAY, {"delay": 2.0}),
            (Fault.API_ERROR, {"status": 401, "code": "INVALID_API_KEY"}),
        ]:
            sim.faults.inject(fault, path=STK, times=10, **params)
            with pytest.raises(PaylorError) as info:
                await paylor.payments.stk_push(phone="0712345678", amount=5, reference="S")
            sim.faults.clear()
            err = info.value
            seen += [str(err), repr(err), "".join(traceback.format_exception(err))]
            if isinstance(err, APIError):
                seen += [err.body_excerpt, repr(err.headers)]
    seen.append(caplog.text)
    for record in caplog.records:
        seen.append(repr(record.__dict__))
    assert any("retry 1 of 3" in text for text in seen)  # logging really was captured
    for text in seen:
        assert CANARY not in text
        assert "CANARY0123456789abcdef" not in text
