"""SWE-bench grading: which FAIL_TO_PASS and PASS_TO_PASS tests succeeded."""

from __future__ import annotations

from dataclasses import dataclass

from verifiers.swe_tests.log_parsers import SUCCESS, Statuses

SHOWN = 3


@dataclass(frozen=True)
class Grade:
    f2p_passed: int
    f2p_total: int
    p2p_passed: int
    p2p_total: int
    failures: tuple[str, ...]  # "name (STATUS)" of the tests that did not succeed

    @property
    def resolved(self) -> bool:
        return self.f2p_passed == self.f2p_total and self.p2p_passed == self.p2p_total

    def reward(self, *, partial_credit: bool) -> float:
        if self.resolved:
            return 1.0
        if partial_credit and self.p2p_passed == self.p2p_total and self.f2p_total:
            return self.f2p_passed / self.f2p_total
        return 0.0

    def summary(self) -> str:
        counts = (
            f"FAIL_TO_PASS {self.f2p_passed}/{self.f2p_total}, "
            f"PASS_TO_PASS {self.p2p_passed}/{self.p2p_total}"
        )
        if not self.failures:
            return f"resolved: {counts}"
        shown = ", ".join(self.failures[:SHOWN])
        more = f" (+{len(self.failures) - SHOWN} more)" if len(self.failures) > SHOWN else ""
        return f"not resolved: {counts}; failing: {shown}{more}"


def grade(
    statuses: Statuses, fail_to_pass: tuple[str, ...], pass_to_pass: tuple[str, ...]
) -> Grade:
    def succeeded(names: tuple[str, ...]) -> int:
        return sum(statuses.get(name) in SUCCESS for name in names)

    failures = tuple(
        f"{name} ({statuses.get(name, 'missing')})"
        for name in fail_to_pass + pass_to_pass
        if statuses.get(name) not in SUCCESS
    )
    return Grade(
        f2p_passed=succeeded(fail_to_pass),
        f2p_total=len(fail_to_pass),
        p2p_passed=succeeded(pass_to_pass),
        p2p_total=len(pass_to_pass),
        failures=failures,
    )
