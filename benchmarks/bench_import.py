"""Import cost, each in a fresh interpreter, against ``import aiohttp`` and ``import stripe``.

    python -m benchmarks.bench_import [--quick]

Each statement runs in a new ``python -X importtime`` process; the figure is the summed
cumulative time of the modules the statement itself imported (what ``site`` loaded before is
shared by all and not counted), median over runs that alternate between the statements. Also
checks that ``paylor_async.webhooks`` (used inside web frameworks' request handlers, often
without the client) imports no aiohttp.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ._harness import median, run_main
from ._report import Row

MARK = "--paylor-bench-mark--"
WEBHOOKS_BUDGET_MS = 30.0

STATEMENTS = {
    "webhooks": "import paylor_async.webhooks",
    "package": "import paylor_async",
    "client": "from paylor_async import PaylorClient",
    "aiohttp": "import aiohttp",
    "stripe": "import stripe",
}


def _env() -> dict[str, str]:
    """The child sees this checkout first, like the parent does."""
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def _import_ms(statement: str, env: dict[str, str]) -> float:
    code = f"import sys; sys.stderr.write({MARK!r} + '\\n'); {statement}"
    proc = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-X", "importtime", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    after = proc.stderr.split(MARK, 1)[1]
    total_us = 0
    for line in after.splitlines():
        # "import time:  self [us] | cumulative | imported package"; top level = no indent.
        parts = line.split("|")
        if len(parts) == 3 and parts[2].startswith(" ") and not parts[2].startswith("  "):
            total_us += int(parts[1])
    return total_us / 1000


def _webhooks_imports_aiohttp(env: dict[str, str]) -> bool:
    code = "import sys, paylor_async.webhooks; print('aiohttp' in sys.modules)"
    proc = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return proc.stdout.strip() == "True"


def collect(quick: bool) -> list[Row]:
    """Rows for the webhooks module, the package and the client against aiohttp and stripe."""
    env = _env()
    runs = 2 if quick else 9
    times: dict[str, list[float]] = {name: [] for name in STATEMENTS}
    names = list(STATEMENTS)
    for r in range(runs):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(_import_ms(STATEMENTS[name], env))
    ms = {name: median(values) for name, values in times.items()}
    pulls_aiohttp = _webhooks_imports_aiohttp(env)
    webhooks_ok = ms["webhooks"] <= WEBHOOKS_BUDGET_MS and not pulls_aiohttp
    return [
        Row(
            benchmark="import paylor_async.webhooks"
            + (" (pulls in aiohttp!)" if pulls_aiohttp else " (no aiohttp)"),
            ours=f"{ms['webhooks']:.1f} ms",
            baseline=f"{ms['aiohttp']:.1f} ms (import aiohttp)",
            ratio=ms["aiohttp"] / ms["webhooks"],
            target=f"<= {WEBHOOKS_BUDGET_MS:.0f} ms, no aiohttp",
            met=None if quick else webhooks_ok,
        ),
        Row(
            benchmark="import paylor_async (names load lazily)",
            ours=f"{ms['package']:.1f} ms",
            baseline=f"{ms['stripe']:.1f} ms (import stripe)",
            ratio=ms["stripe"] / ms["package"],
        ),
        Row(
            benchmark="from paylor_async import PaylorClient (with aiohttp)",
            ours=f"{ms['client']:.1f} ms",
            baseline=f"{ms['stripe']:.1f} ms (import stripe)",
            ratio=ms["stripe"] / ms["client"],
        ),
    ]


def main() -> None:
    run_main(collect, "Import time in a fresh interpreter against aiohttp and stripe.")


if __name__ == "__main__":
    main()
