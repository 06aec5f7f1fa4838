"""The fault matrix: many payments through the client while the simulator misbehaves at random.

    python -m tests.fault_matrix [--calls 1000] [--seed 7]

Every attempt draws a fault (or none): a reset before or after the transaction was created, a
500 after create, a proxy's 502 HTML page, a 503 with ``Retry-After``, a timeout after
create, a 201 with truncated JSON, a wrong content type. Then, with the faults off, every call
that ended in an error is recovered the way the README tells users to: look the reference up
(``find_by_reference`` / ``wait_for_final``) and, only if nothing was created, send it again
with the same idempotency key. The promise checked: exactly one transaction per reference,
every call ended in a result or a typed error carrying its reference and idempotency key.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from paylor_async import APIConnectionError, APIError, ManualClock, PaylorClient, PaylorError
from paylor_async import RetryPolicy as Policy
from paylor_async.testing import Fault, PaylorSimulator

#: Client timeout per attempt (real seconds) and the simulator's hold after create, above it.
ATTEMPT_TIMEOUT = 0.25
HOLD_AFTER_CREATE = 0.6

FAULTS: dict[Fault | None, float] = {
    None: 8,
    Fault.DROP_CONNECTION: 1,
    Fault.DROP_AFTER_CREATE: 1,
    Fault.SERVER_ERROR_AFTER_CREATE: 1,
    Fault.BAD_GATEWAY_HTML: 1,
    Fault.SERVICE_UNAVAILABLE: 1,
    Fault.DELAY_AFTER_CREATE: 1,
    Fault.TRUNCATED_JSON: 1,
    Fault.WRONG_CONTENT_TYPE: 1,
}
FAULT_PARAMS = {
    Fault.SERVICE_UNAVAILABLE: {"retry_after": "2"},
    Fault.DELAY_AFTER_CREATE: {"delay": HOLD_AFTER_CREATE},
}

#: An operation: (client, reference, idempotency key) -> the created transaction id.
Operation = Callable[[PaylorClient, str, str], Awaitable[str]]


async def stk_push(client: PaylorClient, reference: str, key: str) -> str:
    result = await client.payments.stk_push(
        phone="0712345678", amount=100, reference=reference, idempotency_key=key
    )
    return result.transaction_id


async def b2c_payout(client: PaylorClient, reference: str, key: str) -> str:
    result = await client.payouts.b2c(
        phone="0712345678", amount=10, reference=reference, idempotency_key=key
    )
    return result.transaction_id


OPERATIONS: dict[str, tuple[str, Operation]] = {
    "stk_push": ("/merchants/payments/stk-push", stk_push),
    "b2c_payout": ("/merchants/payments/b2c", b2c_payout),
}


@dataclass
class Report:
    operation: str
    calls: int
    ok: int = 0
    typed_errors: collections.Counter[str] = field(default_factory=collections.Counter)
    foreign_errors: list[str] = field(default_factory=list)
    errors_missing_context: int = 0
    attempts: int = 0
    drawn: dict[str, int] = field(default_factory=dict)
    recovered_by_lookup: int = 0
    recovered_by_resend: int = 0
    final_statuses: collections.Counter[str] = field(default_factory=collections.Counter)
    per_reference: collections.Counter[int] = field(default_factory=collections.Counter)

    @property
    def duplicates(self) -> int:
        return sum(n for count, n in self.per_reference.items() if count > 1)

    def lines(self) -> list[str]:
        errors = ", ".join(f"{k} {v}" for k, v in sorted(self.typed_errors.items())) or "none"
        drawn = ", ".join(f"{k} {v}" for k, v in sorted(self.drawn.items()))
        per_ref = ", ".join(f"{k}: {v}" for k, v in sorted(self.per_reference.items()))
        return [
            f"{self.operation}: {self.calls} calls, {self.attempts} attempts at the simulator",
            f"  faults drawn per attempt: {drawn}",
            f"  results {self.ok}; typed errors {sum(self.typed_errors.values())} ({errors})",
            f"  foreign errors {len(self.foreign_errors)}; typed errors missing reference or "
            f"idempotency key {self.errors_missing_context}",
            f"  recovered: {self.recovered_by_lookup} by reference lookup + wait_for_final, "
            f"{self.recovered_by_resend} by resending with the same key (nothing was created)",
            f"  transactions per reference -> references: {per_ref}; duplicates {self.duplicates}",
            f"  final statuses: {dict(sorted(self.final_statuses.items()))}",
        ]


async def run(operation: str = "stk_push", calls: int = 1000, seed: int = 7) -> Report:
    path, call = OPERATIONS[operation]
    report = Report(operation, calls)
    async with PaylorSimulator(rate_limits=None, completion_delay=0.01) as sim:
        rule = sim.faults.randomly(FAULTS, path=path, seed=seed, params=FAULT_PARAMS)
        client = PaylorClient(
            sim.api_key,
            base_url=sim.base_url,
            rate_limits=None,
            timeout=ATTEMPT_TIMEOUT,
            retry_policy=Policy(max_retries=3),
            clock=ManualClock(autojump=True),  # backoff and Retry-After cost no real time
        )
        async with client:
            keys = {f"FM-{operation}-{n}": f"fm-{operation}-{n}" for n in range(calls)}
            failed: dict[str, str] = {}
            gate = asyncio.Semaphore(50)

            async def one(reference: str, key: str) -> None:
                async with gate:
                    try:
                        await call(client, reference, key)
                        report.ok += 1
                    except (APIError, APIConnectionError) as exc:
                        report.typed_errors[type(exc).__name__] += 1
                        if exc.reference != reference or exc.idempotency_key != key:
                            report.errors_missing_context += 1
                        failed[reference] = key
                    except PaylorError as exc:
                        report.typed_errors[type(exc).__name__] += 1
                        report.errors_missing_context += 1
                        failed[reference] = key
                    except Exception as exc:  # the matrix counts these; there must be none
                        report.foreign_errors.append(f"{type(exc).__name__}: {exc}")
                        failed[reference] = key

            await asyncio.gather(*(one(ref, key) for ref, key in keys.items()))
            report.attempts = len(sim.requests_for(path))
            report.drawn = {("none" if k is None else k.name): v for k, v in rule.drawn.items()}

            sim.faults.clear()
            await asyncio.sleep(HOLD_AFTER_CREATE)  # let held answers finish
            for reference, key in failed.items():
                found = await client.transactions.find_by_reference(reference, max_pages=1000)
                if found:
                    report.recovered_by_lookup += 1
                    final = await client.transactions.wait_for_final(found[0].id, timeout=30)
                    report.final_statuses[str(final.status)] += 1
                else:
                    await call(client, reference, key)
                    report.recovered_by_resend += 1
            for reference in keys:
                report.per_reference[len(sim.transactions_by_reference(reference))] += 1
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--operation", choices=sorted(OPERATIONS), action="append")
    args = parser.parse_args()
    for operation in args.operation or sorted(OPERATIONS):
        report = asyncio.run(run(operation, args.calls, args.seed))
        print("\n".join(report.lines()))


if __name__ == "__main__":
    main()
