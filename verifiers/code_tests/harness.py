"""One sandbox run per item: the runner, the program and the tests in; one line per test out.

The job (tests' inputs, assert-based test code, the nonce) is a file the runner reads and
deletes before any program starts; stdio expected outputs and call return values never
enter the sandbox. What comes back is believed only on lines that start with the nonce.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sandbox
from sandbox import ExecResult, Limits, MiB
from verifiers.code_tests.extraction import Program
from verifiers.code_tests.problem import Problem

HERE = Path(__file__).parent
FILES = {
    name: (HERE / name).read_text()
    for name in ("runner.py", "solution_host.py", "wire.py", "zygote.py")
}
SOURCE_NAMES = {"python": "main.py", "cpp": "main.cpp"}
RUNNER_MEMORY_BYTES = 256 * MiB
"""Above the per-test limit: the runner, and the solution host's interpreter."""
COMPILE_MEMORY_BYTES = 1024 * MiB
FRAME_BYTES = 4096
"""A test's line besides its output: the record's fields and the stderr tail."""
PROCESSES = 64


@dataclass(frozen=True, slots=True)
class RunSettings:
    time_limit_s: float
    memory_bytes: int
    total_timeout_s: float
    compile_timeout_s: float
    output_cap_bytes: int
    stop_on_first_failure: bool
    count_tokens: bool


@dataclass(frozen=True, slots=True)
class RunReport:
    records: dict[int, dict[str, Any]]
    compile: dict[str, Any] | None
    done: bool
    result: ExecResult = field(repr=False)


def output_cap(problem: Problem, index: int, settings: RunSettings) -> int:
    """A test's output beyond twice the expected one (and 64 KiB) is wrong whatever it says."""
    expected = problem.tests[index].expected
    size = len(expected.encode()) if problem.mode == "stdio" else len(json.dumps(expected))
    return min(settings.output_cap_bytes, 2 * size + 64 * 1024)


def _job(problem: Problem, program: Program, settings: RunSettings, nonce: str) -> dict:
    tests: list[dict[str, Any]] = []
    for index, test in enumerate(problem.tests):
        if problem.mode == "stdio":
            entry = {"input": test.input, "cap": output_cap(problem, index, settings)}
            if settings.count_tokens:
                entry["tokens"] = len(test.expected.split())
            tests.append(entry)
        elif problem.mode == "call":
            tests.append({"args": test.input})
        else:
            tests.append({"code": test.expected})
    return {
        "nonce": nonce,
        "mode": problem.mode,
        "language": program.language,
        "tests": tests,
        "fn_name": problem.fn_name,
        "entry_point": problem.entry_point,
        "test_code": problem.test_code,
        "setup": problem.setup_code,
        "time_limit_s": settings.time_limit_s,
        "memory_bytes": settings.memory_bytes,
        "compile_timeout_s": settings.compile_timeout_s,
        "stop_on_first_failure": settings.stop_on_first_failure,
    }


def run(problem: Problem, program: Program, settings: RunSettings) -> RunReport:
    nonce = secrets.token_hex(16)
    job = json.dumps(_job(problem, program, settings, nonce))
    workspace = {**FILES, "job.json": job, SOURCE_NAMES[program.language]: program.code}
    outputs = sum(
        output_cap(problem, index, settings) * 4 // 3 + FRAME_BYTES
        for index in range(len(problem.tests))
    )
    memory = settings.memory_bytes + RUNNER_MEMORY_BYTES
    if program.language == "cpp":
        memory = max(memory, COMPILE_MEMORY_BYTES)
    limits = Limits(
        wall_s=settings.total_timeout_s,
        cpu_s=settings.total_timeout_s,
        memory_bytes=memory,
        processes=PROCESSES,
        output_bytes=outputs + 2 * FRAME_BYTES,
        file_size_bytes=64 * MiB,
    )
    result = sandbox.run(["python3", "-I", "runner.py"], workspace, limits)
    records, compiled, done = _frames(result.stdout, nonce)
    return RunReport(records, compiled, done, result)


def _frames(stdout: bytes, nonce: str) -> tuple[dict[int, dict], dict | None, bool]:
    """The runner's lines: the first record per test index counts (a program run's one
    record, which has no index, is number 0)."""
    records: dict[int, dict[str, Any]] = {}
    compiled, done = None, False
    prefix = f"{nonce} ".encode()
    for line in stdout.split(b"\n"):
        if not line.startswith(prefix):
            continue
        try:
            record = json.loads(line[len(prefix) :])
        except (ValueError, RecursionError):
            continue
        if not isinstance(record, dict):
            continue
        if record.get("done"):
            done = True
        elif "compiled" in record:
            compiled = compiled or record
        elif isinstance(record.get("test", 0), int) and "kind" in record:
            records.setdefault(record.get("test", 0), record)
    return records, compiled, done


def output_of(record: dict[str, Any]) -> bytes:
    try:
        return base64.b64decode(record.get("out", ""), validate=True)
    except (binascii.Error, ValueError):
        return b""


RESERVED_NAMES = frozenset({*FILES, "job.json", "main", *SOURCE_NAMES.values()})
"""Work-dir names of the harness: a caller's extra files may not take them."""
SETUP_MARGIN_S = 10.0


@dataclass(frozen=True, slots=True)
class ProgramRun:
    """One program run (SandboxFusion's /run_code): the compile and run records, if any."""

    compile: dict[str, Any] | None
    run: dict[str, Any] | None
    files: dict[str, bytes]
    result: ExecResult = field(repr=False)


@dataclass(frozen=True, slots=True)
class ProgramSpec:
    program: Program
    stdin: str
    compile_timeout_s: float
    run_timeout_s: float
    memory_bytes: int
    output_cap_bytes: int
    files: dict[str, bytes] = field(default_factory=dict)
    fetch: tuple[str, ...] = ()


def run_program(spec: ProgramSpec) -> ProgramRun:
    """Compile (C++) and run the program once on ``stdin``, in one sandbox run."""
    clash = sorted(RESERVED_NAMES & set(spec.files))
    if clash:
        raise ValueError(f"file names reserved by the harness: {', '.join(clash)}")
    nonce = secrets.token_hex(16)
    job = {
        "nonce": nonce,
        "mode": "program",
        "language": spec.program.language,
        "stdin": spec.stdin,
        "cap": spec.output_cap_bytes,
        "time_limit_s": spec.run_timeout_s,
        "memory_bytes": spec.memory_bytes,
        "compile_timeout_s": spec.compile_timeout_s,
    }
    workspace = {
        **spec.files,
        **FILES,
        "job.json": json.dumps(job),
        SOURCE_NAMES[spec.program.language]: spec.program.code,
    }
    wall_s = spec.compile_timeout_s + spec.run_timeout_s + SETUP_MARGIN_S
    limits = Limits(
        wall_s=wall_s,
        cpu_s=wall_s,
        memory_bytes=max(spec.memory_bytes + RUNNER_MEMORY_BYTES, COMPILE_MEMORY_BYTES),
        processes=PROCESSES,
        output_bytes=2 * spec.output_cap_bytes * 4 // 3 + 4 * FRAME_BYTES,
        file_size_bytes=64 * MiB,
    )
    result = sandbox.run(
        ["python3", "-I", "runner.py"], workspace, limits, collect=list(spec.fetch)
    )
    records, compiled, _ = _frames(result.stdout, nonce)
    return ProgramRun(compiled, records.get(0), result.files, result)
