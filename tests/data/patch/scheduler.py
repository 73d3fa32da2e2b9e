"""A tiny cooperative job scheduler with priorities and retries."""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable
from enum import Enum


class State(Enum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job:
    _ids = itertools.count(1)

    def __init__(self, name: str, action: Callable[[], object], priority: int = 0) -> None:
        self.id = next(self._ids)
        self.name = name
        self.action = action
        self.priority = priority
        self.state = State.PENDING
        self.attempts = 0
        self.result: object = None
        self.error: str | None = None

    def __lt__(self, other: Job) -> bool:
        if self.priority != other.priority:
            return self.priority > other.priority
        return self.id < other.id

    def __repr__(self) -> str:
        return f"Job({self.name!r}, {self.state.value})"


class Scheduler:
    def __init__(self, max_attempts: int = 3, clock: Callable[[], float] = time.monotonic) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.max_attempts = max_attempts
        self.clock = clock
        self._queue: list[Job] = []
        self._finished: list[Job] = []
        self._started_at: float | None = None

    def submit(self, name: str, action: Callable[[], object], priority: int = 0) -> Job:
        job = Job(name, action, priority)
        heapq.heappush(self._queue, job)
        return job

    def pending(self) -> int:
        return len(self._queue)

    def finished(self) -> list[Job]:
        return list(self._finished)

    def run_one(self) -> Job | None:
        if not self._queue:
            return None
        job = heapq.heappop(self._queue)
        job.state = State.RUNNING
        job.attempts += 1
        try:
            job.result = job.action()
        except Exception as exc:
            job.error = f"{type(exc).__name__}: {exc}"
            if job.attempts < self.max_attempts:
                job.state = State.PENDING
                heapq.heappush(self._queue, job)
            else:
                job.state = State.FAILED
                self._finished.append(job)
            return job
        job.state = State.DONE
        job.error = None
        self._finished.append(job)
        return job

    def run_all(self, budget_s: float | None = None) -> int:
        self._started_at = self.clock()
        count = 0
        while self._queue:
            if budget_s is not None and self.clock() - self._started_at > budget_s:
                break
            self.run_one()
            count += 1
        return count

    def failed(self) -> list[Job]:
        return [job for job in self._finished if job.state is State.FAILED]

    def succeeded(self) -> list[Job]:
        return [job for job in self._finished if job.state is State.DONE]

    def cancel(self, name: str) -> bool:
        for index, job in enumerate(self._queue):
            if job.name == name:
                self._queue.pop(index)
                heapq.heapify(self._queue)
                return True
        return False

    def clear(self) -> None:
        self._queue.clear()
        self._finished.clear()
        self._started_at = None

    def __repr__(self) -> str:
        return f"Scheduler({self.pending()} pending, {len(self._finished)} finished)"


def run_jobs(actions: dict[str, Callable[[], object]], max_attempts: int = 3) -> dict[str, object]:
    scheduler = Scheduler(max_attempts=max_attempts)
    for name, action in actions.items():
        scheduler.submit(name, action)
    scheduler.run_all()
    results = {}
    for job in scheduler.finished():
        if job.state is State.DONE:
            results[job.name] = job.result
        else:
            results[job.name] = None
    return results


def retry(action: Callable[[], object], attempts: int = 3) -> object:
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    error: Exception | None = None
    for _ in range(attempts):
        try:
            return action()
        except Exception as exc:
            error = exc
    assert error is not None
    raise error
