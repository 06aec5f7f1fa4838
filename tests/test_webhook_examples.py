"""The FastAPI and Django examples run as documented (the aiohttp one: test_webhook_e2e.py)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from paylor_async.webhooks import compute_signature

SECRET = "whsec_examples_7b2d"
BODY = (
    b'{"event": "payment.success", "transaction": {"id": "tx-ex", "reference": "ORDER-EX", '
    b'"amount": 5, "status": "COMPLETED"}}'
)
ROOT = Path(__file__).resolve().parent.parent


async def test_fastapi_example_verifies_dedupes_and_refuses(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PAYLOR_WEBHOOK_SECRET", SECRET)
    module = importlib.reload(importlib.import_module("examples.fastapi_webhooks"))
    transport = httpx.ASGITransport(app=module.app)
    headers = {"X-Webhook-Signature": compute_signature(BODY, SECRET)}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        first = await http.post("/paylor/webhook", content=BODY, headers=headers)
        second = await http.post("/paylor/webhook", content=BODY, headers=headers)
        forged = await http.post(
            "/paylor/webhook", content=BODY, headers={"X-Webhook-Signature": "0" * 64}
        )
    assert (first.status_code, first.json()) == (200, {"received": True})
    assert second.status_code == 200 and second.json() == {"detail": "duplicate event"}
    assert forged.status_code == 401
    assert capsys.readouterr().out.count("order ORDER-EX: paid") == 1


def test_django_example_passes_django_checks() -> None:
    env = {**os.environ, "PAYLOR_WEBHOOK_SECRET": SECRET, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(  # noqa: S603 - our own interpreter and example
        [sys.executable, str(ROOT / "examples" / "django_webhooks.py"), "check"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "no issues" in proc.stdout


async def test_fastapi_example_handles_unknown_and_global_events_and_never_unpays(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PAYLOR_WEBHOOK_SECRET", SECRET)
    module = importlib.reload(importlib.import_module("examples.fastapi_webhooks"))
    transport = httpx.ASGITransport(app=module.app)
    unknown = b'{"event": "something.new", "id": 7}'
    global_body = (
        b'{"event": "global.collection.confirmed", "reference": "GC-1", "merchantReference": '
        b'"ORDER-GL", "amount": 5, "currency": "KES", "status": "CONFIRMED"}'
    )
    late_failure = BODY.replace(b"COMPLETED", b"FAILED")
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        answers = [
            await http.post(
                "/paylor/webhook",
                content=body,
                headers={"X-Webhook-Signature": compute_signature(body, SECRET)},
            )
            for body in (unknown, global_body, BODY, late_failure)
        ]
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    out = capsys.readouterr().out
    assert "kept for review: something.new" in out  # no AttributeError, no 500
    assert "order ORDER-GL: paid" in out and "GC-1" not in out  # the merchant's reference
    assert "order ORDER-EX: failed unless already paid" in out
