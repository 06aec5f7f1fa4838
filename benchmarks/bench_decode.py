"""Decode: a response body to a typed model, in µs per call, against ``json.loads`` alone.

    python -m benchmarks.bench_decode [--quick]

Ours is the SDK's whole success path after the body is read: ``parse_json`` (numbers with a
fraction as ``Decimal``, NaN/Infinity refused), the cattrs converter building the frozen
model (``raw`` kept, enum status, aware datetimes), and attaching ``.response``. The baseline
is what a hand-written client does at least: ``json.loads(body)`` into dicts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from multidict import CIMultiDict, CIMultiDictProxy

from paylor_async._responses import parse_json
from paylor_async._transport import Response
from paylor_async.models import StkPushResult, Transaction, structure
from paylor_async.resources._base import with_response

from ._canned_server import STK_BODY, TRANSACTION_BODY
from ._harness import median, paired_ratio, run_main
from ._report import Row

HEADERS = CIMultiDictProxy(CIMultiDict({"Content-Type": "application/json"}))


def _sdk_decode(body: bytes, cls: type[Any]) -> Callable[[], object]:
    def decode() -> object:
        data = parse_json(body)
        model = structure(data, cls)
        return with_response(model, Response(200, HEADERS, data, body, None))

    return decode


def _per_call_us(fn: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


def _row(name: str, body: bytes, cls: type[Any], quick: bool) -> Row:
    ours_fn = _sdk_decode(body, cls)

    def base_fn() -> object:
        return json.loads(body)

    ours_fn()  # builds the converter's hook for cls once, outside the timing
    n, rounds = (2_000, 1) if quick else (20_000, 7)
    ours: list[float] = []
    base: list[float] = []
    for r in range(rounds):
        pair = [(ours, ours_fn), (base, base_fn)]
        for sink, fn in pair if r % 2 == 0 else reversed(pair):
            sink.append(_per_call_us(fn, n))
    # A cost: the ratio is baseline / ours (the share of our time json.loads alone would take).
    ratio, spread = paired_ratio(base, ours)
    return Row(
        benchmark=f"decode {name} ({len(body)} B): parse + model + .response",
        ours=f"{median(ours):.1f} µs",
        baseline=f"{median(base):.1f} µs (json.loads)",
        ratio=ratio,
        spread=spread,
    )


def collect(quick: bool) -> list[Row]:
    """Per-call decode cost of a Transaction and an STK Push result."""
    return [
        _row("Transaction", json.dumps(TRANSACTION_BODY).encode(), Transaction, quick),
        _row("StkPushResult", json.dumps(STK_BODY).encode(), StkPushResult, quick),
    ]


def main() -> None:
    run_main(collect, "Decode cost per response against json.loads alone.")


if __name__ == "__main__":
    main()
