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


async def _every_call(paylor: PaylorClient) -> list[object]:
    """One call of every resource method that talks to Paylor."""
    g = paylor.global_payments
    calls = [
        lambda: paylor.payments.stk_push(phone="0712345678", amount=5, reference="S"),
        lambda: paylor.payments.b2b_express(payer_shortcode="600000", amount=5, reference="S"),
        lambda: paylor.transactions.retrieve("665f4c1b9a8d2e001f2a1234"),
        lambda: paylor.transactions.find_by_reference("S", max_pages=1),
        lambda: paylor.payouts.b2c(phone="0712345678", amount=10, reference="S"),
        lambda: paylor.crypto.create_payment(amount=5, reference="S"),
        lambda: paylor.crypto.retrieve("665f4c1b9a8d2e001f2a1234"),
        lambda: paylor.wallet.retrieve(),
        lambda: paylor.wallet.b2c_metrics(),
        lambda: paylor.channels.create(name="Till", type="TILL", number="5123456"),
        lambda: paylor.channels.update("PAYL-ABCDEF", name="New"),
        lambda: paylor.channels.delete("PAYL-ABCDEF"),
        lambda: g.providers.fetch(),
        lambda: g.collections.retrieve("GC-1780000000000-A9X2K"),
        lambda: g.wallet.retrieve(),
        lambda: g.settings.retrieve(),
        lambda: g.webhooks.register("https://shop.example/hook"),
        lambda: g.withdrawals.create(
            amount=5, currency="KES", channel="MPESA", account="254712345678"
        ),
    ]
    seen: list[object] = []
    for call in calls:
        try:
            seen.append(await call())
        except PaylorError as exc:
            seen.append(exc)
    return seen


async def test_canary_key_appears_nowhere_on_any_endpoint(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A hostile server echoing the key in every error, a dropped connection, a rotation."""
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    async with (
        PaylorSimulator(api_key=CANARY) as sim,
        PaylorClient(
            CANARY, base_url=sim.base_url, clock=ManualClock(autojump=True), timeout=0.5
        ) as paylor,
    ):
        echo = f"key {CANARY} refused"
        sim.faults.inject(Fault.API_ERROR, times=None, status=400, code="X", message=echo)
        outcomes = await _every_call(paylor)
        sim.faults.clear()
        sim.faults.inject(Fault.DROP_CONNECTION, times=None)
        outcomes += await _every_call(paylor)
        sim.faults.clear()
        paylor.set_api_key(sim.rotate_key())
        outcomes += await _every_call(paylor)
        texts.append(repr(paylor))
    assert sum(isinstance(o, PaylorError) for o in outcomes) >= 36  # the faults really hit
    for outcome in outcomes:
        texts += [str(outcome), repr(outcome)]
        if isinstance(outcome, BaseException):
            texts.append("".join(traceback.format_exception(outcome)))
            texts.append(repr(vars(outcome)))
    texts.append(caplog.text)
    texts += [repr(record.__dict__) for record in caplog.records]
    for text in texts:
        assert CANARY not in text
        assert "CANARY0123456789abcdef" not in text


WEBHOOK_CANARY = "whsec_CANARY_9f8e7d6c5b4a_CANARY"


async def test_canary_webhook_secret_appears_nowhere(caplog: pytest.LogCaptureFixture) -> None:
    """The secret through the verifier, its errors, an adapter's answers, the simulator, CLI."""
    import subprocess
    import sys

    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from paylor_async.webhooks import (
        InMemoryDedupe,
        WebhookVerifier,
        compute_signature,
    )
    from paylor_async.webhooks.aiohttp import webhook_handler

    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    verifier = WebhookVerifier(secrets=[WEBHOOK_CANARY], dedupe=InMemoryDedupe(ttl=60))
    texts.append(repr(verifier))
    body = (
        b'{"event": "payment.success", '
        b'"transaction": {"id": "t1", "amount": 5, "status": "COMPLETED"}}'
    )
    good = compute_signature(body, WEBHOOK_CANARY)
    attempts: list[dict[str, str]] = [
        {},
        {"X-Webhook-Signature": ""},
        {"X-Webhook-Signature": WEBHOOK_CANARY},  # a sender guessing: never echoed
        {"X-Webhook-Signature": "0" * 64},
        {"X-Webhook-Signature": good},
        {"X-Webhook-Signature": good},  # the duplicate
    ]
    for headers in attempts:
        try:
            event = await verifier.verify(body, headers)
            texts.append(repr(event))
            await verifier.complete(event)  # handled: the adapter answers it as a duplicate
        except PaylorError as exc:
            texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]

    app = web.Application()
    app.router.add_post("/hook", webhook_handler(verifier, lambda event: None))
    async with TestClient(TestServer(app)) as http:
        for headers in attempts:
            resp = await http.post("/hook", data=body, headers=headers)
            texts += [await resp.text(), repr(dict(resp.headers))]

    async with PaylorSimulator(webhook_secret=WEBHOOK_CANARY) as sim:
        texts += [repr(sim), repr(sim.delivery_policy), repr(sim.webhook_faults)]

    env = {"PAYLOR_WEBHOOK_SECRET": WEBHOOK_CANARY, "PATH": ""}
    for args, data in (
        (["sign", "-"], body),
        (["verify", "--signature", good, "-"], body),
        (["verify", "--signature", "0" * 64, "-"], body),
        (["verify", "--signature", WEBHOOK_CANARY, "-"], b"not json"),
    ):
        proc = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "paylor_async", *args],
            input=data,
            capture_output=True,
            env=env,
            timeout=60,
            check=False,
        )
        texts += [proc.stdout.decode(), proc.stderr.decode()]
    assert any("received" in t for t in texts)  # the adapter really answered
    texts.append(caplog.text)
    texts += [repr(record.__dict__) for record in caplog.records]
    for text in texts:
        assert WEBHOOK_CANARY not in text
        assert "CANARY_9f8e7d6c5b4a" not in text
