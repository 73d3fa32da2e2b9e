"""Cheap items go to workers in chunks, and concurrent requests share them.

A worker round trip costs far more than an exact_match or a small math item, so items of
verifiers observed to be cheap are queued here and sent to the pool in chunks: while every
worker is busy, new items wait and leave together when one frees, so 64 one-item requests
in flight cost about what one 64-item request costs. An idle pool gets an item at once.

Deadlines stay per item (see :func:`reward_server.worker.run_chunk`): an item that overruns
gets ``timeout``, its worker dies, and the rest of its chunk is sent again. A chunk whose
worker dies without saying which item killed it (a crash, code stuck where no signal
reaches) is sent again one item per task, so only the guilty item pays.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import itertools
import math
import os
import pickle
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pebble import ProcessExpired, ProcessPool

from reward_server.worker import ChunkJob, run_chunk

CHEAP_MS = 5.0
"""Mean time of a verifier's items at or below which they are chunked."""
OBSERVED = 8
"""Items of a verifier seen before it can count as cheap; until then, one item per task."""
CHUNK_MS = 20.0
"""Estimated work a chunk carries, when there are more items than idle workers."""
MAX_CHUNK = 256
CHUNK_SLACK_S = 1.0
"""The pool's deadline for a chunk: its longest item deadline, its estimated work and this."""


class Costs:
    """Per verifier: the running mean of its items' time, and whether it used the sandbox
    (sandboxed items are never chunked: each holds a worker for a whole run)."""

    def __init__(self) -> None:
        self._mean: dict[str, float] = {}
        self._seen: collections.Counter[str] = collections.Counter()
        self._sandboxed: set[str] = set()
        self._lock = threading.Lock()

    def observe(self, verifier: str, elapsed_ms: float, sandbox_runs: dict[str, int]) -> None:
        with self._lock:
            if sandbox_runs:
                self._sandboxed.add(verifier)
            mean = self._mean.get(verifier)
            self._mean[verifier] = elapsed_ms if mean is None else 0.9 * mean + 0.1 * elapsed_ms
            self._seen[verifier] += 1

    def cheap(self, verifier: str) -> float | None:
        """The estimated milliseconds of one item, when the verifier's items are chunked."""
        with self._lock:
            mean = self._mean.get(verifier)
            if (
                mean is None
                or self._seen[verifier] < OBSERVED
                or verifier in self._sandboxed
                or mean > CHEAP_MS
            ):
                return None
            return mean


class Answer:
    """One chunked item's answer: the part of a Future the engine uses, without a lock and
    a condition for each of thousands of items. Settled once, from any thread."""

    __slots__ = ("_callbacks", "_done", "_exception", "_result")

    def __init__(self) -> None:
        self._done = False
        self._result: Any = None
        self._exception: BaseException | None = None
        self._callbacks: list[Callable[[Answer], None]] = []

    def set_result(self, result: Any) -> None:
        self._settle(result, None)

    def set_exception(self, exception: BaseException) -> None:
        self._settle(None, exception)

    def _settle(self, result: Any, exception: BaseException | None) -> None:
        with _SETTLE:
            if self._done:
                return
            self._result, self._exception, self._done = result, exception, True
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback(self)

    def add_done_callback(self, callback: Callable[[Answer], None]) -> None:
        with _SETTLE:
            if not self._done:
                self._callbacks.append(callback)
                return
        callback(self)

    def done(self) -> bool:
        return self._done

    def cancelled(self) -> bool:
        return False

    def cancel(self) -> bool:
        return False  # its chunk carries other requests' items: it runs to the end

    def exception(self) -> BaseException | None:
        return self._exception

    def result(self) -> Any:
        if self._exception is not None:
            raise self._exception
        return self._result


# One lock for every answer: settling is a few assignments, and items outnumber threads.
_SETTLE = threading.Lock()


@dataclass(slots=True)
class Queued:
    """A cheap item waiting for a chunk: what ``run_chunk`` needs, and whom to answer."""

    job: ChunkJob
    estimate_ms: float
    future: Answer


Schedule = Callable[[ProcessPool, ChunkJob], concurrent.futures.Future]
Track = Callable[[concurrent.futures.Future, ProcessPool, int], None]


class ChunkDispatcher:
    def __init__(
        self,
        workers: int,
        current_pool: Callable[[], ProcessPool | None],
        schedule_single: Schedule,
        track: Track,
    ) -> None:
        self._workers = workers
        self._current_pool = current_pool
        self._schedule_single = schedule_single
        self._track = track
        self._queue: collections.deque[Queued] = collections.deque()
        self._in_flight = 0
        self._condition = threading.Condition()
        self._closed = False
        self._reports = tempfile.mkdtemp(prefix="reward-server-chunks-")
        self._ids = itertools.count()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="chunk-dispatch")
        self._thread.start()

    @property
    def queued(self) -> int:
        return len(self._queue)

    def submit(self, jobs: list[tuple[ChunkJob, float]]) -> list[Answer]:
        """Queue ``(job, estimated ms)`` pairs, all at once; one answer for each."""
        queued = [Queued(job, estimate, Answer()) for job, estimate in jobs]
        if queued:
            with self._condition:
                self._queue.extend(queued)
                self._condition.notify()
        return [entry.future for entry in queued]

    def close(self) -> None:
        with self._condition:
            self._closed = True
            waiting = list(self._queue)
            self._queue.clear()
            self._condition.notify_all()
        for queued in waiting:
            _answer(queued.future, exception=concurrent.futures.CancelledError())
        self._thread.join(timeout=5)
        shutil.rmtree(self._reports, ignore_errors=True)

    # -- sending -------------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            with self._condition:
                while not self._closed and (not self._queue or self._in_flight >= self._workers):
                    self._condition.wait()
                if self._closed:
                    return
                batch = list(self._queue)
                self._queue.clear()
                idle = self._workers - self._in_flight
            pool = self._current_pool()
            if pool is None:
                for queued in batch:
                    _answer(queued.future, exception=concurrent.futures.CancelledError())
                continue
            for chunk in _split(batch, idle):
                self._send(pool, chunk)

    def _send(self, pool: ProcessPool, chunk: list[Queued]) -> None:
        if len(chunk) == 1:
            self._send_alone(pool, chunk[0])
            return
        report = os.path.join(self._reports, str(next(self._ids)))
        timeout = (
            max(queued.job[4] for queued in chunk)
            + sum(queued.estimate_ms for queued in chunk) / 1000.0 * 4
            + CHUNK_SLACK_S
        )
        try:
            future = pool.schedule(
                run_chunk, args=([queued.job for queued in chunk], report), timeout=timeout
            )
        except RuntimeError:  # the pool broke meanwhile: one task each, on the new pool
            for queued in chunk:
                self._send_alone(self._current_pool() or pool, queued)
            return
        with self._condition:
            self._in_flight += 1
        self._track(future, pool, len(chunk))
        future.add_done_callback(lambda done: self._chunk_done(done, chunk, report))

    def _send_alone(self, pool: ProcessPool, queued: Queued) -> None:
        single = self._schedule_single(pool, queued.job)
        with self._condition:
            self._in_flight += 1
        self._track(single, pool, 1)
        single.add_done_callback(lambda done: self._single_done(done, queued.future))

    def _single_done(self, source: concurrent.futures.Future, target: Answer) -> None:
        with self._condition:
            self._in_flight -= 1
            self._condition.notify()
        _forward(source, target)

    # -- answers -------------------------------------------------------------------------

    def _chunk_done(
        self, future: concurrent.futures.Future, chunk: list[Queued], report: str
    ) -> None:
        with self._condition:
            self._in_flight -= 1
            self._condition.notify()
        if future.cancelled():
            for queued in chunk:
                _answer(queued.future, exception=concurrent.futures.CancelledError())
            return
        exception = future.exception()
        if exception is None:
            for queued, result in zip(chunk, future.result(), strict=True):
                _answer(queued.future, result=result)
            return
        if not isinstance(exception, ProcessExpired | TimeoutError):
            for queued in chunk:  # the pool broke: the engine has replaced it
                _answer(queued.future, exception=exception)
            return
        retired = _read_report(report)
        if retired is None:
            # No word on which item ended the worker: one task each finds it.
            pool = self._current_pool()
            for queued in chunk:
                if pool is None:
                    _answer(queued.future, exception=concurrent.futures.CancelledError())
                else:
                    self._send_alone(pool, queued)
            return
        results, overrun = retired
        for queued, result in zip(chunk, results, strict=False):
            _answer(queued.future, result=result)
        _answer(chunk[overrun].future, exception=TimeoutError())
        with self._condition:
            self._queue.extendleft(reversed(chunk[overrun + 1 :]))
            self._condition.notify()


def _split(batch: list[Queued], idle: int) -> list[list[Queued]]:
    """Chunks of about CHUNK_MS of work, at least one per idle worker."""
    estimated = sum(queued.estimate_ms for queued in batch)
    count = max(min(idle, len(batch)), math.ceil(estimated / CHUNK_MS), 1)
    size = min(math.ceil(len(batch) / count), MAX_CHUNK)
    return [batch[start : start + size] for start in range(0, len(batch), size)]


def _read_report(path: str) -> tuple[list, int] | None:
    try:
        with open(path, "rb") as file:
            results, overrun = pickle.load(file)  # written by our own worker
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
        return None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
    return list(results), int(overrun)


def _forward(source: concurrent.futures.Future, target: Answer) -> None:
    if source.cancelled():
        _answer(target, exception=concurrent.futures.CancelledError())
    elif (exception := source.exception()) is not None:
        _answer(target, exception=exception)
    else:
        _answer(target, result=source.result())


def _answer(answer: Answer, *, result: Any = None, exception: BaseException | None = None) -> None:
    if exception is not None:
        answer.set_exception(exception)
    else:
        answer.set_result(result)
