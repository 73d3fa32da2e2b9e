"""What runs inside a worker process. Kept small: it is imported by every worker."""

from __future__ import annotations

import resource
import time
from typing import Any

import sandbox
from verifiers import workspaces
from verifiers.base import InvalidInput, Outcome, Status, VerifierOptions
from verifiers.registry import default_registry

MAX_DETAIL_CHARS = 500


def init_worker(
    memory_limit_mb: int,
    sandbox_config: dict[str, Any] | None = None,
    named_workspaces: dict[str, str] | None = None,
) -> None:
    """Cap the worker's address space, choose its sandbox backend, register the named
    workspaces and load the verifiers, before any deadline starts."""
    if sandbox_config:
        sandbox.configure(**sandbox_config)
    workspaces.register(named_workspaces or {})
    if memory_limit_mb > 0:
        limit = memory_limit_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    default_registry()


def run_verifier(
    name: str, response: str, ground_truth: Any, options: VerifierOptions
) -> tuple[Outcome, float, dict[str, int]]:
    """Score one item; returns the outcome, the time spent in the verifier (ms) and the
    sandbox runs it made (``backend:outcome`` -> count), for the server's metrics."""
    verify = default_registry()[name]
    runs_before = sandbox.run_counts()
    start = time.perf_counter()
    try:
        outcome = verify(response, ground_truth, options)
    except InvalidInput as exc:
        outcome = Outcome(0.0, Status.INVALID_INPUT, str(exc)[:MAX_DETAIL_CHARS])
    except Exception as exc:  # any bug in a verifier costs one item, never the worker
        outcome = Outcome(0.0, Status.ERROR, f"{type(exc).__name__}: {exc}"[:MAX_DETAIL_CHARS])
    elapsed_ms = round((time.perf_counter() - start) * 1000.0, 3)
    runs = {
        key: count - runs_before.get(key, 0)
        for key, count in sandbox.run_counts().items()
        if count != runs_before.get(key, 0)
    }
    return outcome, elapsed_ms, runs
