"""``swe_tests``: the execution reward of SWE-bench-style RL (SWE-Gym, R2E-Gym, SWE-smith).

Apply the model's patch to the repository at its base commit, add the hidden tests, run
them in the sandbox, and grade like SWE-bench: resolved (every FAIL_TO_PASS and every
PASS_TO_PASS test succeeds) is 1.0, anything else 0.0.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

import sandbox
from verifiers.base import InvalidInput, Outcome, Status, VerifierOptions, verifier
from verifiers.code_changes import PatchFormatError
from verifiers.swe_tests import harness
from verifiers.swe_tests.grading import Grade, grade
from verifiers.swe_tests.instance import Instance, parse_instance
from verifiers.swe_tests.log_parsers import LOG_PARSERS, RANK, Statuses
from verifiers.swe_tests.patches import model_change
from verifiers.swe_tests.protection import test_paths, violations
from verifiers.swe_tests.specs import ImageNaming, official_names

__all__ = ["SweTestsOptions", "report_statuses", "verify"]

HARNESS_FAILURES = ("no-repository", "git-failed", "not-started")
SHOWN_PATHS = 5
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
)
def verify(response: str, ground_truth: Any, options: SweTestsOptions) -> Outcome:
    """SWE-bench-style execution reward: apply the patch, run the hidden tests."""
    naming = ImageNaming(namespace=sandbox.configured_image_namespace())
    instance = parse_instance(ground_truth, naming)
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
    tests = test_paths(instance.test_files, instance.fail_to_pass + instance.pass_to_pass)
    named = violations(change.paths, tests)
    if named:
        return judged(0.0, f"rejected: the patch changes {_shown(named)}")

    wall_s = instance.timeout_s or options.run_timeout_s
    report = harness.run(instance, change, wall_s=wall_s, memory_mb=options.memory_mb)
    # Decided by the apply phase, before any code of the repository ran.
    if report.stage == "apply-failed":
        return judged(
            0.0,
            f"patch does not apply: {report.log('apply.log')}",
            status=Status.FORMAT_ERROR,
        )
    if report.stage == "test-patch-failed":
        which = "the SWE-smith bug patch" if instance.base_patch else "test_patch"
        raise InvalidInput(f"{which} does not apply: {report.log('test_apply.log')}")
    if report.stage in HARNESS_FAILURES:
        if report.result.timed_out:
            return judged(0.0, f"the patch was not applied within {wall_s:g} s")
        problem = report.log("git.log") or report.result.stderr.decode(errors="replace")[-300:]
        raise RuntimeError(f"harness failed before applying the patch ({report.stage}): {problem}")
    if report.stage == "tests-conflict":
        return judged(0.0, "rejected: the patch conflicts with the hidden tests", applied=True)
    paths, configs = report.changed(), report.config_changed()
    if paths is None:
        return judged(0.0, "rejected: the patch changes more paths than are checked", applied=True)
    if configs is None:
        return judged(0.0, "rejected: pytest's configuration could not be checked", applied=True)
    changed = violations(paths, tests) + [f"{path} (pytest configuration)" for path in configs]
    if changed:
        return judged(0.0, f"rejected: the patch changes {_shown(changed)}", applied=True)

    statuses, problem = report_statuses(instance, report)
    graded = grade(statuses, instance.fail_to_pass, instance.pass_to_pass)
    detail = graded.summary()
    if problem:
        graded = grade({}, instance.fail_to_pass, instance.pass_to_pass)
        detail = f"{problem}; {graded.summary()}"
    elif "setup-failed" in report.facts.get("stage", []):
        detail = f"set-up failed; {detail}"  # its log is the repository's output: not shown
    if report.result.timed_out:
        detail = f"test run timed out after {wall_s:g} s; {detail}"
    elif report.result.oom_killed:
        detail = f"test run ran out of memory ({options.memory_mb} MB); {detail}"
    return judged(
        graded.reward(partial_credit=options.partial_credit), detail, applied=True, graded=graded
    )


def _shown(items: list[str]) -> str:
    more = f" (+{len(items) - SHOWN_PATHS} more)" if len(items) > SHOWN_PATHS else ""
    return ", ".join(items[:SHOWN_PATHS]) + more


RECORDER_MISSING = {
    "pytest": "the test command did not load the harness's pytest plugin (a test_command "
    "with log_parser pytest must run pytest with PYTEST_ADDOPTS and PYTHONPATH)",
    "django": "the test command did not load the harness's unittest recorder (a "
    "test_command with log_parser django must start the test runner as its first Python "
    "process, with PYTHONPATH and without -I, -S or -E)",
}


def report_statuses(instance: Instance, report: harness.RunReport) -> tuple[Statuses, str | None]:
    """The tests' statuses, or none and the reason the run cannot be trusted."""
    if instance.test_command is not None and instance.log_parser not in RECORDER_MISSING:
        exits = report.facts.get("exit", [])
        if len(exits) != 1:
            return {}, "the test command's end was not reported exactly once"
        return LOG_PARSERS[instance.log_parser](report.test_log), None
    if not report.plugin_loaded:
        # Judged, not invalid_input: what the command reads (tox.ini, a wrapper script)
        # could be the patch's doing. The detail says what the caller must fix.
        return {}, RECORDER_MISSING[instance.log_parser if instance.test_command else "pytest"]
    record = report.record
    if record is None:
        return {}, "the test run did not complete (no single signed result)"
    touched = set(record.get("hook_files", [])) & set(report.changed() or ())
    touched |= set(record.get("unknown_hook_files", []))
    if touched:
        return {}, f"tampering: pytest hooks registered from {_shown(sorted(touched))}"
    if replaced := record.get("tampered"):
        return {}, f"tampering: the test run replaced {_shown(sorted(map(str, replaced)))}"
    expected = report.test_hashes()
    rewritten = sorted(
        path
        for path, digest in record.get("collected", {}).items()
        if path in expected and expected[path] != digest
    )
    if rewritten:
        return {}, f"tampering: test files rewritten before pytest read them: {_shown(rewritten)}"
    statuses = record.get("statuses", {})
    if not record.get("finished") or not isinstance(statuses, dict):
        return {}, "the test run did not complete"
    known = {name: status for name, status in statuses.items() if status in RANK}
    return official_names(known, instance.name_style), None
