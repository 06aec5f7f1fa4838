"""What every benchmark returns and how the runner prints it.

Each ``benchmarks/bench_*.py`` module runs alone (``python -m benchmarks.bench_x``) and also
exposes ``collect(quick: bool) -> list[Row]`` for ``python -m benchmarks``, which prints one
table for all of them. A row compares one measurement with a baseline taken in the same run.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Row", "format_table", "machine"]


@dataclass(frozen=True)
class Row:
    """One line of the table.

    ``ratio`` is ours relative to the baseline, oriented so that higher is better (for
    throughput: ours / baseline; for a cost such as time or bytes: baseline / ours), unless
    ``target`` says otherwise. ``met`` is ``None`` when there is no target. ``spread`` is the
    noise of a ratio measured in rounds (half the interquartile range of the per-round ratios),
    printed as ``0.93x ±0.02``.
    """

    benchmark: str
    ours: str
    baseline: str
    ratio: float | None
    target: str = ""
    met: bool | None = None
    spread: float | None = None


def machine() -> str:
    """Cores, Python and aiohttp versions, current load: the context every figure needs."""
    try:
        import aiohttp

        aiohttp_version = aiohttp.__version__
    except ImportError:  # pragma: no cover - aiohttp is a dependency
        aiohttp_version = "absent"
    try:
        load = f", load average {os.getloadavg()[0]:.2f}"  # others' work on a shared machine
    except OSError:  # pragma: no cover - not available on this platform
        load = ""
    return (
        f"{os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, aiohttp {aiohttp_version}, {platform.machine()}{load}"
    )


def format_table(rows: Sequence[Row]) -> str:
    """A markdown table (pastes into the README as is)."""
    header = ("benchmark", "ours", "baseline", "ratio", "target", "met")
    lines = [header]
    for row in rows:
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}x"
        if row.ratio is not None and row.spread is not None:
            ratio += f" ±{row.spread:.2f}"
        met = "" if row.met is None else ("yes" if row.met else "NO")
        lines.append((row.benchmark, row.ours, row.baseline, ratio, row.target, met))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        out.append("| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)
