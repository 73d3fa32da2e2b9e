"""``code_tests``: does the program in the response pass the problem's tests?

Split: ``problem`` reads the ground truth (stdio, call-based, assert-based), ``extraction``
finds the program, ``harness`` runs every test of the item in one sandbox run (with
``runner.py`` and ``solution_host.py`` inside it), ``compare`` judges outputs outside it.
Reward 1.0 when every test passes, else 0.0, or the fraction passed with ``partial_credit``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from verifiers.base import Outcome, Status, VerifierOptions, verifier
from verifiers.code_tests import harness
from verifiers.code_tests.compare import OutputCompare, output_matches, value_matches
from verifiers.code_tests.extraction import LANGUAGES, FormatProblem, Language, extract_program
from verifiers.code_tests.problem import Bounds, MiB, Problem, parse_problem
from verifiers.code_tests.wire import decode

__all__ = ["CodeTestsOptions", "verify"]

COMPONENTS = ("passed", "total", "compiled", "first_failure")
DEFAULT_TIME_LIMIT_S = 4.0
DEFAULT_MEMORY_MB = 512
SHOWN_CHARS = 80
KINDS = {
    "wrong_answer": "wrong answer",
    "runtime_error": "runtime error",
    "time_limit": "time limit exceeded",
    "memory_limit": "memory limit exceeded",
    "output_limit": "output limit exceeded",
}


class CodeTestsOptions(VerifierOptions):
    language: Literal["auto", "python", "cpp"] = "auto"
    """The program's language; auto: from its code block's tag (untagged: python)."""
    extract: Literal["fenced", "fenced_or_whole"] = "fenced"
    """fenced_or_whole: a response without any fence is the program itself."""
    time_limit_s: float | None = Field(None, gt=0, le=60)
    """Per test; default: the ground truth's time_limit, else 4 s."""
    memory_mb: int | None = Field(None, ge=16, le=8192)
    """Per test; default: the ground truth's memory limit, else 512 MB."""
    total_timeout_s: float = Field(60.0, gt=0, le=600)
    """Wall time of the item's whole sandbox run; keep it under the item's deadline (90 s)."""
    compile_timeout_s: float = Field(20.0, gt=0, le=120)
    output_cap_bytes: int = Field(8 * MiB, ge=1024, le=256 * MiB)
    """Most output kept per test (also capped at twice the expected output + 64 KiB)."""
    stop_on_first_failure: bool = True
    partial_credit: bool = False
    """Reward the fraction of tests passed (run them all: stop_on_first_failure false)."""
    compare: OutputCompare = "tokens"
    """stdio: tokens (white space ignored), lines (trailing white space ignored) or exact."""
    float_tolerance: float = Field(1e-6, ge=0, le=1)
    """Numbers within this absolute or relative difference are equal (0: compare as text)."""
    show_data: bool = False
    """Name the expected and actual output of the first failure in the detail."""
    max_response_chars: int = Field(200_000, ge=1, le=10_000_000)
    max_code_bytes: int = Field(200_000, ge=1, le=4 * MiB)
    max_tests: int = Field(1000, ge=1, le=100_000)
    max_test_bytes: int = Field(64 * MiB, ge=1, le=1024 * MiB)
    """Size of the ground truth (inputs, outputs, test code) as JSON."""


def _outcome(
    reward: float,
    detail: str,
    *,
    status: Status = Status.OK,
    passed: int = 0,
    total: int = 0,
    compiled: bool = False,
    first_failure: int = -1,
) -> Outcome:
    components = {
        "passed": float(passed),
        "total": float(total),
        "compiled": float(compiled),
        "first_failure": float(first_failure),
    }
    return Outcome(reward, status, detail=detail, components=components)


@verifier("code_tests", options=CodeTestsOptions, components=COMPONENTS, timeout_s=90.0)
def verify(response: str, ground_truth: Any, options: CodeTestsOptions) -> Outcome:
    """Execution reward for code: run the program on the problem's tests in the sandbox."""
    problem = parse_problem(ground_truth, Bounds(options.max_tests, options.max_test_bytes))
    total = len(problem.tests)
    allowed: tuple[Language, ...] = LANGUAGES if problem.mode == "stdio" else ("python",)
    if options.language != "auto":
        allowed = tuple(language for language in allowed if language == options.language)
    try:
        if not allowed:
            raise FormatProblem(f"{problem.mode} tests run Python only, not {options.language}")
        program = extract_program(
            response,
            allowed=allowed,
            default=allowed[0],
            whole=options.extract == "fenced_or_whole",
            max_chars=options.max_response_chars,
            max_code_bytes=options.max_code_bytes,
        )
    except FormatProblem as reason:
        return _outcome(0.0, f"no program: {reason}", status=Status.FORMAT_ERROR, total=total)

    settings = _settings(problem, options)
    report = harness.run(problem, program, settings)
    if report.compile is not None and not report.compile.get("compiled"):
        if report.compile.get("timed_out"):
            why = f"compilation took over {settings.compile_timeout_s:g} s"
        else:
            why = f"compile error: {_first_error(report.compile.get('stderr', ''))}"
        return _outcome(0.0, why, total=total, first_failure=0)

    passed, failure = 0, None
    for index in range(total):
        record = report.records.get(index)
        kind = _verdict(problem, index, record, options) if record else "not_run"
        if kind is None:
            passed += 1
        elif failure is None:
            failure = (index, kind, record)
    compiled = report.compile is None or bool(report.compile.get("compiled"))
    if failure is None:
        return _outcome(
            1.0, f"passed {total}/{total} tests", passed=passed, total=total, compiled=compiled
        )
    index, kind, record = failure
    detail = f"test {index + 1}/{total}: {_describe(kind, record, report, settings)}"
    if options.show_data and kind == "wrong_answer" and record is not None:
        detail += _shown_data(problem, index, record)
    detail += f"; passed {passed}/{total}"
    reward = passed / total if options.partial_credit else 0.0
    return _outcome(
        reward, detail, passed=passed, total=total, compiled=compiled, first_failure=index
    )


def _settings(problem: Problem, options: CodeTestsOptions) -> harness.RunSettings:
    memory_bytes = (
        options.memory_mb * MiB
        if options.memory_mb
        else min(problem.memory_bytes or DEFAULT_MEMORY_MB * MiB, 8192 * MiB)
    )
    return harness.RunSettings(
        time_limit_s=min(options.time_limit_s or problem.time_limit_s or DEFAULT_TIME_LIMIT_S, 60),
        memory_bytes=max(memory_bytes, 16 * MiB),
        total_timeout_s=options.total_timeout_s,
        compile_timeout_s=options.compile_timeout_s,
        output_cap_bytes=options.output_cap_bytes,
        stop_on_first_failure=options.stop_on_first_failure,
        count_tokens=options.stop_on_first_failure,
    )


def _verdict(
    problem: Problem, index: int, record: dict[str, Any], options: CodeTestsOptions
) -> str | None:
    """None when the test passed, else the kind of its failure."""
    if record.get("kind"):
        return str(record["kind"]) if record["kind"] in KINDS else "runtime_error"
    expected = problem.tests[index].expected
    if problem.mode == "stdio":
        got = harness.output_of(record)
        right = output_matches(got, expected, options.compare, options.float_tolerance)
    elif problem.mode == "call":
        try:
            right = value_matches(decode(record.get("value")), expected, options.float_tolerance)
        except (ValueError, TypeError, RecursionError):
            right = False
    else:
        right = record.get("passed") is True
    return None if right else "wrong_answer"


def _describe(
    kind: str, record: dict | None, report: harness.RunReport, settings: harness.RunSettings
) -> str:
    if kind == "not_run":
        if report.result.timed_out:
            return f"not run: the item's {settings.total_timeout_s:g} s were used up"
        if report.result.oom_killed:
            return "not run: the run ran out of memory"
        return "not run: the test run ended early"
    text = KINDS[kind]
    if kind == "time_limit":
        return f"{text} ({settings.time_limit_s:g} s)"
    if kind == "memory_limit":
        return f"{text} ({settings.memory_bytes // MiB} MB)"
    if kind == "runtime_error" and record is not None:
        last = _last_line(str(record.get("stderr", "")))
        exit_code = record.get("exit")
        return f"{text}: {last}" if last else f"{text} (exit {exit_code})"
    return text


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return _short(lines[-1]) if lines else ""


def _first_error(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if "error" in line]
    return _short(lines[0]) if lines else _last_line(text) or "(no message)"


def _short(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


def _shown_data(problem: Problem, index: int, record: dict[str, Any]) -> str:
    expected = problem.tests[index].expected
    if problem.mode == "assert":
        return ""
    if problem.mode == "stdio":
        got: Any = harness.output_of(record).decode(errors="replace")
        return f" (expected {_short(expected)!r}, got {_short(got)!r})"
    return f" (expected {_short(repr(expected))}, got {_short(repr(record.get('value')))})"
