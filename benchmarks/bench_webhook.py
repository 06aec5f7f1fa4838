"""Webhook verification of a 2 KB body against bare ``hmac`` + ``compare_digest``.

    python -m benchmarks.bench_webhook [--quick]

Baseline: ``hmac.new(secret, body, sha256).hexdigest()`` and ``hmac.compare_digest`` against
the header read from a dict: the shortest correct hand-written check, with no hostile-input
handling. Ours, "verify": ``WebhookVerifier.check_signature(body, headers)``, the signature
step of ``verify_sync`` (header lookup in any mapping, strict header checks, every secret
compared). Beside it, "verify + parse": ``verify_sync`` (no dedupe store), which also parses
the JSON into a typed, read-only event. The contenders run interleaved in rounds so machine
noise hits them alike; rates are medians over rounds, ratios the median of per-round ratios.
Target: verify >= 0.85 of the baseline.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import statistics
import time
from collections.abc import Callable

from benchmarks._report import Row, format_table, machine
from paylor_async.webhooks import WebhookVerifier, compute_signature

SECRET = "whsec_benchmark_secret_value_0123456789"
TARGET = 0.85


def _body(size: int = 2048) -> bytes:
    payload = {
        "event": "payment.success",
        "transaction": {
            "id": "665f4c1b9a8d2e001f2a1234",
            "reference": "ORDER-12345",
            "internalReference": "PAYL-ROUTE-REF",
            "amount": 1000,
            "status": "COMPLETED",
            "providerRef": "ws_CO_191220191020363925",
            "metadata": {
                "mpesaReceipt": "RFL8S2K9P0",
                "callbackResultCode": 0,
                "callbackResultDesc": "The service request is processed successfully.",
                "note": "",
            },
        },
    }
    body = json.dumps(payload).encode()
    payload["transaction"]["metadata"]["note"] = "x" * (size - len(body))  # type: ignore[index]
    body = json.dumps(payload).encode()
    assert len(body) == size
    return body


def _rate(func: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        func()
    return n / (time.perf_counter() - start)


def measure(n: int, rounds: int) -> dict[str, float]:
    """Median calls per second of each contender over ``rounds`` interleaved rounds."""
    body = _body()
    headers = {
        "Content-Type": "application/json",
        "X-Webhook-Signature": compute_signature(body, SECRET),
        "X-Webhook-Event": "payment.success",
    }
    secret = SECRET.encode()

    def bare() -> None:
        digest = hmac.new(secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(digest, headers["X-Webhook-Signature"]):
            raise ValueError("mismatch")

    verifier = WebhookVerifier(SECRET)

    def ours_verify() -> None:
        verifier.check_signature(body, headers)

    def ours_verify_parse() -> None:
        verifier.verify_sync(body, headers)

    contenders = {"bare": bare, "verify": ours_verify, "verify+parse": ours_verify_parse}
    for func in contenders.values():
        _rate(func, max(n // 10, 10))  # warm up
    rates: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, func in contenders.items():
            rates[name].append(_rate(func, n))
    medians = {name: statistics.median(values) for name, values in rates.items()}
    # Ratios per round (same moment, same load), then their median: robust to load spikes.
    for name in ("verify", "verify+parse"):
        ratios = [ours / bare for ours, bare in zip(rates[name], rates["bare"], strict=True)]
        medians[f"{name} ratio"] = statistics.median(ratios)
    return medians


def collect(quick: bool) -> list[Row]:
    """The rows for ``python -m benchmarks`` (see ``benchmarks/_report.py``)."""
    n, rounds = (2_000, 5) if quick else (5_000, 21)
    rates = measure(n, rounds)
    baseline = f"{rates['bare']:,.0f}/s hmac+compare_digest"
    ratio = rates["verify ratio"]
    return [
        Row(
            benchmark="webhook verify 2 KB (check_signature)",
            ours=f"{rates['verify']:,.0f}/s",
            baseline=baseline,
            ratio=ratio,
            target=f">= {TARGET:.2f}x",
            met=ratio >= TARGET,
        ),
        Row(
            benchmark="webhook verify + parse 2 KB (verify_sync)",
            ours=f"{rates['verify+parse']:,.0f}/s",
            baseline=baseline,
            ratio=rates["verify+parse ratio"],
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls, for CI")
    args = parser.parse_args()
    print(machine())
    print(format_table(collect(args.quick)))


if __name__ == "__main__":
    main()
