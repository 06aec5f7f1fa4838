"""Shared machinery: the canned server process, interleaved rounds, medians, a module's main().

Fairness rules every benchmark follows:

- ours and the baseline run in the same process, in the same run, against the same server;
- they alternate in rounds (the order rotates every round) so that noise from a shared machine
  hits both alike;
- the figure is the median over rounds; the ratio is the median of the per-round ratios (each
  round compares two measurements taken seconds apart), and its noise is half the
  interquartile range of those ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from ._report import Row, format_table, machine

__all__ = [
    "Rounds",
    "canned_server",
    "drive",
    "interleave",
    "median",
    "paired_ratio",
    "run_main",
]

Call = Callable[[], Awaitable[object]]
#: Measurements per side, one per round, in the unit the caller chose.
Rounds = dict[str, list[float]]


@contextmanager
def canned_server() -> Iterator[str]:
    """Start ``_canned_server.py`` in its own process; yield its base URL; stop it after."""
    script = Path(__file__).with_name("_canned_server.py")
    proc = subprocess.Popen(  # noqa: S603 - our own script, run with our own interpreter
        [sys.executable, str(script)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.strip().isdigit():
            raise RuntimeError("the canned server did not start")
        yield f"http://127.0.0.1:{int(line)}"
    finally:
        assert proc.stdin is not None
        proc.stdin.close()  # EOF on stdin: the server stops
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck server
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


async def drive(call: Call, *, concurrency: int, requests: int) -> float:
    """Run ``requests`` calls from ``concurrency`` tasks; return calls per second."""
    remaining = requests

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return requests / (time.perf_counter() - start)


async def interleave(sides: Mapping[str, Callable[[], Awaitable[float]]], rounds: int) -> Rounds:
    """Run every side once per round, rotating the order each round; collect the results."""
    names = list(sides)
    results: Rounds = {name: [] for name in names}
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].append(await sides[name]())
    return results


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def paired_ratio(ours: Sequence[float], baseline: Sequence[float]) -> tuple[float, float]:
    """Median of the per-round ratios ``ours / baseline`` and half their interquartile range."""
    ratios = sorted(o / b for o, b in zip(ours, baseline, strict=True))
    if len(ratios) < 4:
        spread = (ratios[-1] - ratios[0]) / 2
    else:
        q1, _, q3 = statistics.quantiles(ratios, n=4)
        spread = (q3 - q1) / 2
    return statistics.median(ratios), spread


def run_main(collect: Callable[[bool], list[Row]], description: str) -> None:
    """The ``main()`` of a benchmark module: ``--quick``, then one table and the machine line."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a few seconds, no thresholds")
    args = parser.parse_args()
    rows = collect(args.quick)
    print(format_table(rows))
    print(f"\n{machine()}")
