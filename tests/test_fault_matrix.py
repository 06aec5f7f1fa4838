"""The fault matrix as a test: 1,000 payments under random faults, none duplicated or lost."""

from __future__ import annotations

import pytest

from . import fault_matrix


@pytest.mark.parametrize("operation", sorted(fault_matrix.OPERATIONS))
async def test_no_duplicate_and_nothing_lost_under_random_faults(operation: str) -> None:
    report = await fault_matrix.run(operation, calls=1000, seed=11)
    print("\n".join(report.lines()))  # the figures, with `pytest -s`
    assert report.foreign_errors == []
    assert report.errors_missing_context == 0
    assert report.ok + sum(report.typed_errors.values()) == 1000
    # Every kind of fault was really exercised, and some calls ended in errors to recover.
    assert set(report.drawn) == {"none"} | {f.name for f in fault_matrix.FAULTS if f}
    assert sum(report.typed_errors.values()) > 0
    assert report.recovered_by_lookup + report.recovered_by_resend == sum(
        report.typed_errors.values()
    )
    # Exactly one transaction per reference: nothing duplicated, nothing lost.
    assert report.per_reference == {1: 1000}
    assert report.duplicates == 0
