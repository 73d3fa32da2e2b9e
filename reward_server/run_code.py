"""SandboxFusion's ``POST /run_code``, so that verl's sandbox_fusion reward and its code tool
can point at this server (``reward_model.sandbox_fusion.url=http://host:8000/run_code``).

Request and response are SandboxFusion's (sandbox/server/sandbox_api.py,
sandbox/runners/types.py), field for field and status for status: ``status`` Success when
every step finished with exit 0, Failed on a non-zero exit or a time limit, SandboxError
when our side broke (``message`` says why); each step's ``status`` Finished,
TimeLimitExceeded or Error. The code runs in the sandbox, never here: one run compiles
(C++) and runs it, through code_tests' runner.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from collections.abc import Callable
from enum import StrEnum
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

import sandbox
from reward_server.settings import Settings
from sandbox import MiB, SandboxError
from sandbox.workspace import relative_path
from verifiers.code_tests.extraction import Program
from verifiers.code_tests.harness import ProgramRun, ProgramSpec, output_of, run_program

log = logging.getLogger(__name__)

# SandboxFusion's own list (sandbox/runners/types.py): any of them is a valid request;
# the ones not installed here answer SandboxError, as SandboxFusion does for a broken runtime.
SandboxLanguage = Literal[
    "python", "cpp", "nodejs", "go", "go_test", "java", "php", "csharp", "bash",
    "typescript", "sql", "rust", "cuda", "lua", "R", "perl", "D_ut", "ruby", "scala", "julia",
    "pytest", "junit", "kotlin_script", "jest", "verilog", "python_gpu", "lean", "swift",
    "racket",
]  # fmt: skip
INSTALLED = {"python": "python", "cpp": "cpp"}
MAX_TIMEOUT_S = 300.0
MAX_MEMORY_MB = 8192
DEFAULT_MEMORY_MB = 1024
"""``memory_limit_MB`` -1 (SandboxFusion's "no limit"): every run has a limit here."""
OUTPUT_CAP_BYTES = 16 * MiB
MAX_FILES = 100


class RunCodeRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")  # SandboxFusion ignores unknown fields too

    compile_timeout: float = Field(10, gt=0, le=MAX_TIMEOUT_S)
    run_timeout: float = Field(10, gt=0, le=MAX_TIMEOUT_S)
    memory_limit_MB: int = Field(-1, ge=-1, le=MAX_MEMORY_MB)
    code: str
    stdin: str | None = None
    language: SandboxLanguage
    files: dict[str, str | None] = Field({}, max_length=MAX_FILES)
    """Path -> base64 content; None entries are skipped."""
    fetch_files: list[str] = Field([], max_length=MAX_FILES)


class CommandRunStatus(StrEnum):
    Finished = "Finished"
    Error = "Error"
    TimeLimitExceeded = "TimeLimitExceeded"


class RunStatus(StrEnum):
    Success = "Success"
    Failed = "Failed"
    SandboxError = "SandboxError"


class CommandRunResult(BaseModel):
    status: CommandRunStatus
    execution_time: float | None = None
    return_code: int | None = None
    stdout: str | None = None
    stderr: str | None = None


class RunCodeResponse(BaseModel):
    status: RunStatus
    message: str
    compile_result: CommandRunResult | None = None
    run_result: CommandRunResult | None = None
    executor_pod_name: str | None = None
    files: dict[str, str] = {}


def sandbox_error(message: str) -> RunCodeResponse:
    return RunCodeResponse(status=RunStatus.SandboxError, message=message)


def _spec(request: RunCodeRequest) -> ProgramSpec:
    files: dict[str, bytes] = {}
    for name, content in request.files.items():
        if content is None or "IGNORE_THIS_FILE" in name:
            continue
        try:
            files[name] = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"files[{name!r}] is not base64") from None
    memory_mb = DEFAULT_MEMORY_MB if request.memory_limit_MB <= 0 else request.memory_limit_MB
    return ProgramSpec(
        program=Program(INSTALLED[request.language], request.code),  # type: ignore[arg-type]
        stdin=request.stdin or "",
        compile_timeout_s=request.compile_timeout,
        run_timeout_s=request.run_timeout,
        memory_bytes=memory_mb * MiB,
        output_cap_bytes=OUTPUT_CAP_BYTES,
        files=files,
        fetch=tuple(name for name in request.fetch_files if _inside(name)),
    )


def _inside(name: str) -> bool:
    """Files to fetch are read from the work dir only; others are absent from the answer."""
    try:
        relative_path(name)
    except SandboxError:
        return False
    return True


def _step(record: dict, *, output: bool) -> CommandRunResult:
    timed_out = record.get("kind") == "time_limit" or record.get("timed_out")
    stdout = output_of(record).decode(errors="replace") if output else ""
    stderr = (
        base64.b64decode(record.get("err", "")).decode(errors="replace")
        if "err" in record
        else str(record.get("stderr", ""))
    )
    return CommandRunResult(
        status=CommandRunStatus.TimeLimitExceeded if timed_out else CommandRunStatus.Finished,
        execution_time=record.get("time_s"),
        return_code=None if timed_out else record.get("exit"),
        stdout=stdout,
        stderr=stderr,
    )


def response_of(run: ProgramRun, fetch: list[str]) -> RunCodeResponse:
    compile_result = _step(run.compile, output=False) if run.compile else None
    if run.compile and not run.compile.get("compiled"):
        run_result = None
    elif run.run is not None:
        run_result = _step(run.run, output=True)
    elif run.result.timed_out:
        run_result = CommandRunResult(
            status=CommandRunStatus.TimeLimitExceeded, execution_time=run.result.duration_s
        )
    else:
        return sandbox_error("the sandbox run ended without a result")
    steps = [step for step in (compile_result, run_result) if step is not None]
    failed = any(
        step.status == CommandRunStatus.TimeLimitExceeded or step.return_code not in (0, None)
        for step in steps
    )
    files = {
        name: base64.b64encode(run.files[name]).decode() for name in fetch if name in run.files
    }
    return RunCodeResponse(
        status=RunStatus.Failed if failed else RunStatus.Success,
        message="",
        compile_result=compile_result,
        run_result=run_result,
        files=files,
    )


def router(settings: Settings, admit: Callable[[int], None]) -> APIRouter:
    """``/run_code``: at most ``sandbox.slots`` runs at once; ``admit`` (the server's
    back-pressure) counts the waiting ones with the pending items."""
    routes = APIRouter()
    running = asyncio.Semaphore(settings.sandbox.slots)
    waiting = 0

    @routes.post("/run_code", response_model=RunCodeResponse, tags=["compat"])
    async def run_code(request: RunCodeRequest, http: Request) -> RunCodeResponse:
        """SandboxFusion's run_code: compile and run one program in the sandbox."""
        nonlocal waiting
        if request.language not in INSTALLED:
            return sandbox_error(
                f"language {request.language!r} is not installed here "
                f"(installed: {', '.join(INSTALLED)})"
            )
        try:
            spec = _spec(request)
        except ValueError as exc:
            return sandbox_error(str(exc))
        admit(waiting + 1)
        waiting += 1
        try:
            async with running:
                run = await asyncio.to_thread(run_program, spec)
        except (SandboxError, ValueError) as exc:
            log.warning("run_code: sandbox run failed: %s", exc)
            return sandbox_error(f"sandbox run failed: {exc}")
        finally:
            waiting -= 1
        metrics = http.app.state.engine.metrics
        metrics.sandbox({f"{sandbox.default_backend().name}:{run.result.outcome}": 1})
        return response_of(run, request.fetch_files)

    return routes
