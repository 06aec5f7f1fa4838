"""Run every benchmark and print one table: ``python -m benchmarks [--quick] [--only NAME]``.

Finds each ``benchmarks/bench_*.py`` module, calls its ``collect(quick)`` and prints all rows
together with the machine they ran on. ``--quick`` runs each with a few requests so the whole
suite takes seconds (for CI: no target is judged then). ``--only call`` (or ``bench_call``,
repeatable) picks modules. A benchmark that fails is reported and makes the exit status 1,
after the others have run.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path

from ._report import Row, format_table, machine

PREFIX = "bench_"


def discover() -> list[str]:
    """Names (without the prefix) of every benchmark module, in alphabetical order."""
    here = str(Path(__file__).resolve().parent)
    return sorted(
        info.name.removeprefix(PREFIX)
        for info in pkgutil.iter_modules([here])
        if info.name.startswith(PREFIX)
    )


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks; return the exit status."""
    available = discover()
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="seconds, for CI; no targets")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(available)}",
    )
    args = parser.parse_args(argv)
    chosen = available
    if args.only:
        wanted = [name.removeprefix(PREFIX).removesuffix(".py") for name in args.only]
        unknown = sorted(set(wanted) - set(available))
        if unknown:
            parser.error(f"no benchmark named {', '.join(unknown)}; have {', '.join(available)}")
        chosen = [name for name in available if name in wanted]

    rows: list[Row] = []
    failed: list[str] = []
    for name in chosen:
        start = time.perf_counter()
        print(f"running {name}...", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(f"{__package__}.{PREFIX}{name}")
            rows.extend(module.collect(args.quick))
        except Exception as exc:  # one broken benchmark must not hide the others' results
            traceback.print_exc()
            if isinstance(exc, ModuleNotFoundError):
                print(
                    "  the benchmarks need the bench extra: pip install -e '.[bench]'",
                    file=sys.stderr,
                )
            failed.append(name)
            continue
        print(f"  {name}: {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)

    if args.quick:  # too few samples to judge a target: show the figures only
        rows = [dataclasses.replace(row, met=None) for row in rows]
    print(format_table(rows))
    print(f"\n{machine()}" + ("  (quick run: targets not judged)" if args.quick else ""))
    missed = [row.benchmark for row in rows if row.met is False]
    if missed:
        print(f"targets missed: {len(missed)}")
    if failed:
        print(f"benchmarks that failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
