"""Command line: ``python -m paylor_async demo | simulator | sign | verify``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from .webhooks._cli import add_commands as add_webhook_commands

__all__ = ["main"]


async def _serve_simulator(host: str, port: int) -> None:
    from .testing import PaylorSimulator

    async with PaylorSimulator(host=host, port=port, completion_delay=5.0) as sim:
        print(f"base URL:        {sim.base_url}")
        print(f"API key:         {sim.api_key}")
        print(f"webhook secret:  {sim.webhook_secret}")
        print(f"default channel: {sim.default_channel_alias}")
        print("STK Pushes complete 5 s after they are sent. Ctrl-C stops.", flush=True)
        await asyncio.Event().wait()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m paylor_async", description="paylor-async tools"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run one STK Push end to end against the embedded simulator")
    sim = commands.add_parser("simulator", help="run the local Paylor simulator")
    sim.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sim.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 = any)")
    add_webhook_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "demo":
        from ._demo import run_demo

        return asyncio.run(run_demo())
    if args.command in ("sign", "verify"):
        from .webhooks._cli import run_sign, run_verify

        run = run_sign if args.command == "sign" else run_verify
        return run(args, sys.stdout, sys.stderr)
    try:
        asyncio.run(_serve_simulator(args.host, args.port))
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
