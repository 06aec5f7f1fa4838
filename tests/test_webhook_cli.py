"""``python -m paylor_async sign | verify`` as a user runs them (real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from paylor_async.webhooks import compute_signature

SECRET = "whsec_cli_current_61f0"
BODY = (
    b'{"event": "payment.failed", "transaction": {"id": "tx-cli", "reference": "ORDER-CLI", '
    b'"amount": 12.50, "status": "FAILED", "metadata": {"callbackResultCode": 1032}}}'
)


def run(
    *args: str, stdin: bytes = b"", secret_env: str | None = SECRET
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PAYLOR_WEBHOOK_SECRET"}
    if secret_env is not None:
        env["PAYLOR_WEBHOOK_SECRET"] = secret_env
    proc = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "paylor_async", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode()
    )


def test_sign_stdin_with_the_env_secret() -> None:
    proc = run("sign", stdin=BODY)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == compute_signature(BODY, SECRET)
    assert SECRET not in proc.stdout + proc.stderr


def test_sign_file_with_secret_option(tmp_path: Path) -> None:
    path = tmp_path / "body.json"
    path.write_bytes(BODY)
    proc = run("sign", "--secret", "other-secret", str(path), secret_env=None)
    assert proc.returncode == 0
    assert proc.stdout.strip() == compute_signature(BODY, "other-secret")


def test_verify_prints_the_event_and_exits_zero(tmp_path: Path) -> None:
    path = tmp_path / "body.json"
    path.write_bytes(BODY)
    sig = compute_signature(BODY, SECRET)
    proc = run("verify", "--signature", sig, "--event", "transaction.updated", str(path))
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(proc.stdout)
    assert shown["type"] == "PaymentEvent"
    assert shown["event"] == "payment.failed"
    assert shown["delivered_as"] == "transaction.updated"
    assert shown["dedupe_key"] == "tx:tx-cli:FAILED"
    assert shown["transaction"]["amount"] == "12.50"
    assert shown["transaction"]["result_code"] == 1032
    assert SECRET not in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("body", "signature", "error"),
    [
        (BODY, compute_signature(BODY, "wrong"), "SignatureMismatchError"),
        (BODY, "xyz", "MalformedSignatureError"),
        (BODY, "", "MissingSignatureError"),
        (b"not json", compute_signature(b"not json", SECRET), "InvalidPayloadError"),
    ],
)
def test_verify_names_the_failure_and_exits_one(body: bytes, signature: str, error: str) -> None:
    proc = run("verify", "--signature", signature, "-", stdin=body)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"not verified: {error}: ")
    assert SECRET not in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_secret_or_file_is_a_usage_error(tmp_path: Path) -> None:
    proc = run("sign", stdin=BODY, secret_env=None)
    assert proc.returncode == 2
    assert "PAYLOR_WEBHOOK_SECRET" in proc.stderr
    missing = run("verify", "--signature", "a" * 64, str(tmp_path / "absent.json"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    blank = run("sign", "--secret", "  ", stdin=BODY, secret_env=None)
    assert blank.returncode == 2 and "WebhookSecretError" in blank.stderr
