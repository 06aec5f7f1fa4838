"""The command line: the demo and the standalone simulator, as a user runs them."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import aiohttp


def test_demo_runs_end_to_end_and_exits_zero() -> None:
    env = {**os.environ, "PYTHONDEVMODE": "1", "PYTHONWARNINGS": "error::ResourceWarning"}
    proc = subprocess.run(
        [sys.executable, "-m", "paylor_async", "demo"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for step in (
        "1. POST",
        "2. transaction",
        "4. webhook received",
        "signature verified",
        "5. DEMO-ORDER-1: COMPLETED",
    ):
        assert step in out
    assert "6. final status: COMPLETED" in out
    assert "Unclosed" not in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "was never awaited" not in proc.stderr


async def test_simulator_command_serves_the_api() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "paylor_async",
        "simulator",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        info: dict[str, str] = {}
        while len(info) < 3:
            line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
            assert line, "simulator exited early"
            name, _, value = line.partition(":")
            if name in ("base URL", "API key", "webhook secret"):
                info[name] = value.strip()
        assert info["base URL"].startswith("http://127.0.0.1:")
        headers = {"Authorization": f"Bearer {info['API key']}"}
        async with (
            aiohttp.ClientSession() as session,
            session.get(
                info["base URL"] + "/merchants/payments/transactions", headers=headers
            ) as resp,
        ):
            assert resp.status == 200
            assert await resp.json() == {"transactions": [], "total": 0}
    finally:
        proc.terminate()
        await proc.wait()
