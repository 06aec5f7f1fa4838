"""The benchmark suite works (not how fast anything is: no timed assertions here).

Checks the runner's discovery and options, the canned server's answers over real HTTP, that
the SDK decodes those answers (so the call benchmark measures successful calls), and the
ratio arithmetic the table reports.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from benchmarks import __main__ as runner
from benchmarks._canned_server import STK_BODY, TRANSACTION_BODY, TRANSACTION_ID
from benchmarks._harness import canned_server, drive, interleave, paired_ratio
from benchmarks._report import Row, format_table
from paylor_async import PaylorClient
from paylor_async.models import TransactionStatus


def test_discover_finds_every_bench_module() -> None:
    found = runner.discover()
    assert {"call", "decode", "import", "memory"} <= set(found)
    assert found == sorted(found)


def test_every_bench_module_exposes_collect_and_main() -> None:
    import importlib

    for extra in ("httpx", "stripe", "aiolimiter"):  # the "bench" extra
        pytest.importorskip(extra)

    for name in runner.discover():
        module = importlib.import_module(f"benchmarks.bench_{name}")
        assert callable(module.collect), name
        assert callable(module.main), name


def test_runner_quick_only_prints_one_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert runner.main(["--quick", "--only", "bench_decode"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| benchmark")
    assert "decode Transaction" in out
    assert "decode StkPushResult" in out
    assert "stk_push" not in out  # --only: the call benchmark did not run
    assert "cores" in out and "aiohttp" in out
    assert "targets not judged" in out


def test_runner_refuses_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        runner.main(["--only", "nosuch"])
    assert exc.value.code == 2
    assert "no benchmark named nosuch" in capsys.readouterr().err


async def test_canned_server_answers_each_route_and_sdk_decodes_them() -> None:
    with canned_server() as base:
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{base}/v1/customers", data=b"email=a%40b.c") as resp:
                assert resp.status == 200
                assert (await resp.json())["object"] == "customer"
            async with session.get(f"{base}/nowhere") as resp:
                assert resp.status == 404
        async with PaylorClient(
            "pk_test_bench", base_url=f"{base}/api/v1", rate_limits=None
        ) as paylor:
            push = await paylor.payments.stk_push(phone="0712345678", amount=5, reference="R-1")
            assert push.transaction_id == STK_BODY["transactionId"]
            assert push.response is not None and push.response.status == 201
            tx = await paylor.transactions.retrieve(TRANSACTION_ID)
            assert tx.status is TransactionStatus.COMPLETED
            assert tx.raw == json.loads(json.dumps(TRANSACTION_BODY))
            # Pipelined keep-alive requests on a pool of connections all get their answer.
            results = await asyncio.gather(
                *(paylor.transactions.retrieve(TRANSACTION_ID) for _ in range(30))
            )
            assert {r.id for r in results} == {TRANSACTION_ID}


async def test_drive_makes_exactly_the_requested_calls() -> None:
    calls = 0

    async def call() -> None:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0)

    rate = await drive(call, concurrency=7, requests=50)
    assert calls == 50
    assert rate > 0


async def test_interleave_rotates_the_order_every_round() -> None:
    order: list[str] = []

    def side(name: str):  # type: ignore[no-untyped-def]
        async def run() -> float:
            order.append(name)
            return float(len(order))

        return run

    results = await interleave({"a": side("a"), "b": side("b"), "c": side("c")}, 3)
    assert order == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
    assert results["a"] == [1.0, 6.0, 8.0]


def test_paired_ratio_is_median_of_round_ratios_with_half_iqr() -> None:
    ratio, spread = paired_ratio([9, 10, 11, 12, 90], [10, 10, 10, 10, 100])
    assert ratio == pytest.approx(1.0)
    assert spread == pytest.approx(0.125)  # quartiles 0.9 and 1.15 (exclusive method)
    assert paired_ratio([2.0], [1.0]) == (2.0, 0.0)


def test_table_prints_spread_and_missed_targets() -> None:
    table = format_table(
        [Row("x", "1", "2", 0.5, ">= 0.90x", False, spread=0.034), Row("y", "3", "4", None)]
    )
    assert "0.50x ±0.03" in table
    assert "| NO " in table
