"""Test statuses as SWE-bench grades them, and the one rule every parser here keeps against
spoofing: when a test is reported more than once, the worst status wins."""

from __future__ import annotations

from collections.abc import Iterable

PASSED, FAILED, ERROR, SKIPPED, XFAIL = "PASSED", "FAILED", "ERROR", "SKIPPED", "XFAIL"
SUCCESS = frozenset({PASSED, XFAIL})
RANK = {PASSED: 0, XFAIL: 0, SKIPPED: 1, FAILED: 2, ERROR: 3}

Statuses = dict[str, str]


def merge(pairs: Iterable[tuple[str, str]]) -> Statuses:
    statuses: Statuses = {}
    for name, status in pairs:
        if name and RANK[status] >= RANK.get(statuses.get(name, PASSED), 0):
            statuses[name] = status
    return statuses
