"""What runs inside a worker process. Kept small: it is imported by every worker."""

from __future__ import annotations

import os
import pickle
import resource
import signal
import time
from typing import Any

import sandbox
from reward_server.composition import COMPOSE, verify_composite
from reward_server.truths import Kept
from verifiers import workspaces
from verifiers.base import InvalidInput, Outcome, Status, VerifierOptions
from verifiers.registry import default_registry

MAX_DETAIL_CHARS = 500
_kept = Kept()


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
        # Unpickled, a ground truth takes several times its pickled bytes.
        _kept.budget_bytes = min(_kept.budget_bytes, limit // 32)
    default_registry()


def run_verifier(
    name: str, response: str, ground_truth: Any, options: VerifierOptions
) -> tuple[Outcome, float, dict[str, int]]:
    """Score one item; returns the outcome, the time spent in the verifier (ms) and the
    sandbox runs it made (``backend:outcome`` -> count), for the server's metrics."""
    verify = verify_composite if name == COMPOSE else default_registry()[name]
    ground_truth = _kept.unpack(ground_truth)
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


class _Overrun(BaseException):
    """Raised in a chunk's item at its deadline; a BaseException, so that a verifier's
    ``except Exception`` cannot swallow it."""


def _overrun(signum: int, frame: Any) -> None:
    raise _Overrun


ChunkJob = tuple[str, str, Any, VerifierOptions, float]
"""An item of a chunk: verifier name, response, ground truth, options, deadline (s)."""


def run_chunk(
    jobs: list[ChunkJob], report_path: str
) -> list[tuple[Outcome, float, dict[str, int]]]:
    """Score cheap items one after another, each under its own deadline, counted from its
    start. An item that overruns its deadline ends the worker as a single item would: the
    results so far and the overrunning item's index go to ``report_path``, then the worker
    kills itself, and the engine re-dispatches the rest. An item stuck where no signal
    reaches it (in C code) is left to the pool's deadline for the whole chunk."""
    signal.signal(signal.SIGALRM, _overrun)
    results = []
    for index, (name, response, ground_truth, options, deadline_s) in enumerate(jobs):
        started = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, deadline_s)
        try:
            result = run_verifier(name, response, ground_truth, options)
        except _Overrun:
            result = None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if result is None or time.perf_counter() - started > deadline_s:
            _retire(report_path, results, index)
        results.append(result)
    return results


def _retire(report_path: str, results: list, overrun: int) -> None:
    """Leave what the engine needs to finish the chunk, then die like a killed worker."""
    partial = f"{report_path}.part"
    with open(partial, "wb") as file:
        pickle.dump((results, overrun), file)
    os.replace(partial, report_path)
    os.kill(os.getpid(), signal.SIGKILL)
