"""``swe_tests``: the execution reward of SWE-bench-style RL (SWE-Gym, R2E-Gym, SWE-smith).

Apply the model's patch to the repository at its base commit, add the hidden tests, run
them in the sandbox, and grade like SWE-bench: resolved (every FAIL_TO_PASS and every
PASS_TO_PASS test succeeds) is 1.0, anything else 0.0.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from verifiers.base import InvalidInput, Outcome, Status, VerifierOptions, verifier
from verifiers.patch_similarity.errors import PatchFormatError
from verifiers.swe_tests import harness
from verifiers.swe_tests.grading import Grade, grade
from verifiers.swe_tests.instance import parse_instance
from verifiers.swe_tests.log_parsers import LOG_PARSERS, Statuses, parse_junit
from verifiers.swe_tests.patches import model_change, protected_paths

__all__ = ["SweTestsOptions", "verify"]

HARNESS_FAILURES = ("no-repository", "git-failed", "not-started", "start")
COMPONENTS = ("applied", "f2p_passed", "f2p_total", "p2p_passed", "p2p_total", "resolved")


class SweTestsOptions(VerifierOptions):
    partial_credit: bool = False
    """Reward the fraction of FAIL_TO_PASS tests that pass, when every PASS_TO_PASS passes."""
    run_timeout_s: float = Field(90.0, gt=0, le=3600)
    """Wall time of the sandbox run (apply, set-up, tests); ground_truth.timeout_s wins.
    Keep it under the item's deadline (the verifier's 120 s, capped by max_timeout_s)."""
    memory_mb: int = Field(2048, ge=64, le=65536)
    max_patch_chars: int = Field(1_000_000, ge=1)


def _components(applied: bool, graded: Grade | None, total: tuple[int, int]) -> dict[str, float]:
    f2p_total, p2p_total = total
    return {
        "applied": float(applied),
        "f2p_passed": float(graded.f2p_passed if graded else 0),
        "f2p_total": float(f2p_total),
        "p2p_passed": float(graded.p2p_passed if graded else 0),
        "p2p_total": float(p2p_total),
        "resolved": float(bool(graded and graded.resolved)),
    }


@verifier(
    "swe_tests",
    options=SweTestsOptions,
    components=COMPONENTS,
    timeout_s=120.0,
    description="SWE-bench-style execution reward: apply the patch, run the hidden tests.",
)
def verify(response: str, ground_truth: Any, options: SweTestsOptions) -> Outcome:
    """SWE-bench-style execution reward: apply the patch, run the hidden tests."""
    instance = parse_instance(ground_truth)
    totals = (len(instance.fail_to_pass), len(instance.pass_to_pass))

    def judged(
        reward: float,
        detail: str,
        *,
        status: Status = Status.OK,
        applied: bool = False,
        graded: Grade | None = None,
    ) -> Outcome:
        components = _components(applied, graded, totals)
        return Outcome(reward, status, detail=detail, components=components)

    try:
        if len(response) > options.max_patch_chars:
            raise PatchFormatError(f"response longer than {options.max_patch_chars} characters")
        change = model_change(response)
    except PatchFormatError as problem:
        return judged(0.0, f"no usable patch: {problem}", status=Status.FORMAT_ERROR)
    protected = protected_paths(change, instance.test_files)
    if protected:
        return judged(0.0, f"rejected: the patch edits test files: {', '.join(protected[:5])}")

    wall_s = instance.timeout_s or options.run_timeout_s
    report = harness.run(instance, change, wall_s=wall_s, memory_mb=options.memory_mb)
    if report.stage == "apply-failed":
        return judged(
            0.0,
            f"patch does not apply: {report.log('apply.log')}",
            status=Status.FORMAT_ERROR,
        )
    if report.stage == "test-patch-failed":
        raise InvalidInput(f"test_patch does not apply: {report.log('test_apply.log')}")
    if report.stage in HARNESS_FAILURES and not report.tests_started:
        problem = report.log("git.log") or report.result.stderr.decode(errors="replace")[-300:]
        raise RuntimeError(f"harness failed before applying the patch ({report.stage}): {problem}")

    statuses = _statuses(instance.log_parser, instance.test_command, report)
    graded = grade(statuses, instance.fail_to_pass, instance.pass_to_pass)
    detail = graded.summary()
    if report.stage == "setup-failed":
        detail = f"set-up failed: {report.log('setup.log')}; {detail}"
    elif report.result.timed_out:
        detail = f"test run timed out after {wall_s:g} s; {detail}"
    elif report.result.oom_killed:
        detail = f"test run ran out of memory ({options.memory_mb} MB); {detail}"
    return judged(
        graded.reward(partial_credit=options.partial_credit), detail, applied=True, graded=graded
    )


def _statuses(log_parser: str, test_command: str | None, report: harness.RunReport) -> Statuses:
    if log_parser == "pytest" and test_command is None:
        # Our own command writes a junit report; without one, no test is known to pass,
        # whatever the log says.
        if report.junit is None:
            return {}
        try:
            return parse_junit(report.junit)
        except Exception:
            return {}
    return LOG_PARSERS[log_parser](report.test_log)
