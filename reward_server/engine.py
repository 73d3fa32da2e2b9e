"""The scoring engine: one supervised pool of worker processes behind every entry point.

Every item runs in a worker process with a hard deadline counted from the moment a worker
picks it up. A worker that overruns it is killed and replaced (pebble does both), and the
item gets ``timeout``; a worker that dies (segfault, ``os._exit``, OOM kill) costs its item
an ``error``. Other items, and the server, carry on.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import logging
import math
import multiprocessing
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pebble import ProcessExpired, ProcessPool
from pydantic import ValidationError

from reward_server.chunks import Answer, ChunkDispatcher, Costs
from reward_server.composition import (
    COMPOSE,
    ComposeOptions,
    Composition,
    composite_verifier,
    cost_key,
    parse_composition,
)
from reward_server.launcher import worker_context
from reward_server.metrics import Metrics
from reward_server.misconfiguration import (
    FAILED_BATCH_LOG_INTERVAL_S,
    MAX_NAME_CHARS,
    UNRESOLVED_FIX,
    Throttle,
    UnresolvedVerifier,
    describe_unresolved,
    failed_batch,
)
from reward_server.models import Item, Result
from reward_server.routing import Origin, verifier_choice
from reward_server.settings import Settings
from reward_server.shaping import SHAPING_KEY, Shaping, item_shaping, request_shaping
from reward_server.stats import Stats, data_source_of
from reward_server.sweeper import Sweeper
from reward_server.truths import pack
from reward_server.worker import MAX_DETAIL_CHARS, ChunkJob, init_worker, run_verifier
from verifiers.base import InvalidInput, Outcome, Status, Verifier, describe_validation_error
from verifiers.registry import Registry, default_registry

log = logging.getLogger(__name__)

# A pool with items waiting and none running for this long is stuck, not busy: a running
# item, however slow, counts as progress.
POOL_STALL_S = 5.0
POOL_START_S = 60.0
"""A new pool gets this long to start its workers and run a first item."""
COMPOSE_OPTIONS = ComposeOptions()
PREPARE_SLICE = 128
"""A batch's items are prepared and sent this many at a time."""


@dataclass(frozen=True, slots=True)
class _Job:
    """An item that passed every check the server can make before running it."""

    item_id: str | None
    verifier: Verifier
    response: str
    ground_truth: Any
    options: Any
    deadline_s: float
    shaping: Shaping | None = None
    length: int | None = None
    """The response's length for the overlong penalty (characters or the trainer's tokens)."""

    @property
    def task(self) -> ChunkJob:
        return (self.verifier.name, self.response, self.ground_truth, self.options, self.deadline_s)


@dataclass(slots=True)
class _Request:
    """What a request gives all its items: a deadline, shared ground truths, a shaping."""

    timeout_s: float | None
    shared: Mapping[str, Any]
    shaping: Shaping | None
    compositions: dict[str, tuple[Composition, Verifier]] = field(default_factory=dict)
    """Shared compose ground truths, read once per request."""
    packed: dict[int, tuple[Any, Any]] = field(default_factory=dict)
    """Large ground truths, pickled once per request (see :mod:`reward_server.truths`)."""


class Engine:
    """Scores items in worker processes; usable from sync code and from an event loop."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.registry: Registry = default_registry()
        self._pool: ProcessPool | None = None
        self._lock = threading.Lock()
        self.metrics = Metrics()
        dashboard = self.settings.dashboard
        self.stats = Stats(
            bucket_s=dashboard.bucket_s,
            buckets=dashboard.buckets,
            show_samples=dashboard.show_samples,
        )
        # Unfinished tasks, the pool that runs each and its items (a chunk has several):
        # the pending count, and what fails when that pool breaks.
        self._outstanding: dict[concurrent.futures.Future, tuple[ProcessPool, int]] = {}
        self._items_in_pool = 0  # the items of _outstanding, kept as it changes
        self._outstanding_lock = threading.Lock()
        self._closed = threading.Event()
        self._working_pool: ProcessPool | None = None  # the pool that has run an item
        self._failed_batch_log = Throttle(FAILED_BATCH_LOG_INTERVAL_S)
        self._sweeper = Sweeper(self.settings.sandbox.backend_config())
        self._costs = Costs()
        self._chunks: ChunkDispatcher | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> Engine:
        with self._lock:
            if self._pool is None:
                self._pool = self._new_pool()
                self._closed.clear()
                self._chunks = ChunkDispatcher(
                    self.settings.workers, lambda: self._pool, self._schedule, self._track
                )
                threading.Thread(target=self._watch_pool, daemon=True, name="pool-watch").start()
        return self

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            pool, self._pool = self._pool, None
            chunks, self._chunks = self._chunks, None
        if chunks is not None:
            chunks.close()
        if pool is not None:
            pool.stop()
            pool.join(timeout=10)

    def _new_pool(self) -> ProcessPool:
        return ProcessPool(
            max_workers=self.settings.workers,
            initializer=init_worker,
            initargs=(
                self.settings.worker_memory_mb,
                self.settings.sandbox.backend_config(),
                self.settings.workspaces,
            ),
            context=self._worker_context(),
        )

    def _watch_pool(self) -> None:
        """Replace a pool that can no longer make progress, and fail what it still had.

        A worker killed (SIGKILL, the OOM killer) at the wrong moment takes the pool with
        it: mid-write, it leaves a torn message and pebble declares the pool broken;
        holding the lock of the shared task pipe, it leaves every other worker waiting
        for that lock forever. The first shows as an inactive pool, the second as items
        waiting while none is running."""
        stalled_since: float | None = None
        while not self._closed.wait(0.2):
            pool = self._pool
            if pool is None:
                continue
            if not pool.active:
                self._replace_pool(pool, "a worker died mid-message")
                stalled_since = None
                continue
            waiting, running = self._activity(pool)
            if running:
                self._working_pool = pool
            if not waiting or running:
                stalled_since = None
                continue
            # A pool that has not run an item yet may still be starting its workers (the
            # first start imports every verifier); one that has is stuck after POOL_STALL_S.
            started = self._working_pool is pool
            limit = POOL_STALL_S if started else POOL_START_S
            stalled_since = stalled_since or time.monotonic()
            if time.monotonic() - stalled_since > limit:
                phase = "" if started else " since the pool started"
                self._replace_pool(pool, f"no item started for {limit:g} s{phase}")
                stalled_since = None

    def _activity(self, pool: ProcessPool) -> tuple[bool, bool]:
        """Whether items are waiting for this pool, and whether one of them is running."""
        with self._outstanding_lock:
            mine = [future for future, (owner, _) in self._outstanding.items() if owner is pool]
        return bool(mine), any(future.running() for future in mine)

    def _replace_pool(self, broken: ProcessPool, reason: str) -> None:
        with self._lock:
            if self._pool is not broken or self._closed.is_set():
                return
            self._pool = self._new_pool()
        log.error("worker pool replaced: %s", reason)
        self.metrics.worker_restarts.labels("pool").inc()
        self.stats.restarted("pool")
        self._sweeper.soon()
        with self._outstanding_lock:
            lost = [future for future, (pool, _) in self._outstanding.items() if pool is broken]
        for future in lost:
            with contextlib.suppress(concurrent.futures.InvalidStateError):
                future.set_exception(PoolBroken(f"the worker pool was replaced ({reason})"))
        broken.stop()

    def __enter__(self) -> Engine:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def ready(self) -> bool:
        return self._pool is not None and self._pool.active

    def _worker_context(self) -> multiprocessing.context.BaseContext:
        # Not fork: the server process has threads (event loop, pebble's managers). The
        # forkserver imports the verifiers once, so a worker replaced after a timeout is
        # back in milliseconds rather than re-importing everything like spawn would; and
        # no worker imports the caller's __main__ (a training script importing torch).
        modules = {"reward_server.worker"}
        modules.update(v.function.__module__ for v in self.registry.values())
        return worker_context(modules)

    # -- choosing verifiers ------------------------------------------------------------

    def _choose(self, verifier: str | None, data_source: str | None) -> tuple[str | None, Origin]:
        settings = self.settings
        return verifier_choice(verifier, data_source, settings.routes, settings.default_verifier)

    def _installed(self) -> str:
        return ", ".join(self.registry) or "none"

    def _known(self, name: str | None) -> bool:
        """Whether the engine can score items naming ``name``: a verifier, or compose."""
        return name == COMPOSE or name in self.registry

    def unresolved(self, items: Sequence[Any]) -> list[tuple[int, str]]:
        """``(index, why)`` for every item no installed verifier can score. Items that are
        malformed in other ways are left to their own ``invalid_input`` result."""
        problems = []
        for index, raw in enumerate(items):
            fields = vars(raw) if isinstance(raw, Item) else raw
            if not isinstance(fields, Mapping):
                continue
            verifier, data_source = fields.get("verifier"), fields.get("data_source")
            if not isinstance(verifier, str | None) or not isinstance(data_source, str | None):
                continue
            name, origin = self._choose(verifier, data_source)
            if self._known(name):
                continue
            shown = (data_source or "")[:MAX_NAME_CHARS]
            if name is None:
                source = f"data_source {shown!r} has no route" if data_source else "no data_source"
                why = f"names no verifier, {source}, and the server has no default_verifier"
            elif origin == "item":
                why = f"names verifier {name[:MAX_NAME_CHARS]!r}, which is not installed"
            elif origin == "route":
                why = f"data_source {shown!r} routes to {name!r}, which is not installed"
            else:
                why = f"falls to default_verifier {name!r}, which is not installed"
            problems.append((index, why))
        return problems

    def check_resolvable(self, items: Sequence[Any], fix: str = UNRESOLVED_FIX) -> None:
        """Raise :class:`UnresolvedVerifier`, naming the items and ``fix``, when any item
        has no verifier: the framework entry points refuse such a batch instead of
        answering it with a constant reward."""
        problems = self.unresolved(items)
        if problems:
            message = describe_unresolved(problems, len(items), self._installed(), fix)
            raise UnresolvedVerifier(message)

    # -- scoring -----------------------------------------------------------------------

    def score(
        self,
        items: Sequence[Any],
        timeout_s: float | None = None,
        *,
        reject_unresolved: bool = False,
        ground_truths: Mapping[str, Any] | None = None,
        shaping: Shaping | Mapping[str, Any] | None = None,
    ) -> list[Result]:
        """Score a batch; ``results[i]`` answers ``items[i]``. With ``reject_unresolved``,
        a batch with an item no verifier can score raises :class:`UnresolvedVerifier`
        instead of answering that item ``invalid_input``. An item's ``ground_truth_ref``
        names one of ``ground_truths``. ``shaping`` is the items' default shaping (see
        :mod:`reward_server.shaping`); a bad one raises ``ValueError``."""
        if reject_unresolved:
            self.check_resolvable(items)
        prepared, futures = self._submit(items, timeout_s, ground_truths, shaping)
        _wait_all_sync(list(futures.values()))
        return self._collect(items, prepared, futures)

    async def score_async(
        self,
        items: Sequence[Any],
        timeout_s: float | None = None,
        *,
        ground_truths: Mapping[str, Any] | None = None,
        shaping: Shaping | Mapping[str, Any] | None = None,
    ) -> list[Result]:
        """Like :meth:`score`, without blocking the event loop."""
        prepared, futures = self._submit(items, timeout_s, ground_truths, shaping)
        try:
            await _wait_all(list(futures.values()))
        except asyncio.CancelledError:
            for future in futures.values():
                future.cancel()  # pebble kills a worker whose running task is cancelled
            raise
        return self._collect(items, prepared, futures)

    def _submit(
        self,
        items: Sequence[Any],
        timeout_s: float | None,
        ground_truths: Mapping[str, Any] | None = None,
        shaping: Shaping | Mapping[str, Any] | None = None,
    ) -> tuple[list[_Job | Result], dict[int, Waitable]]:
        pool = self._pool
        if pool is None:
            raise RuntimeError("engine is not started")
        if not pool.active:
            self._replace_pool(pool, "found broken when a batch arrived")
            pool = self._pool or pool
        prepared: list[_Job | Result] = []
        futures: dict[int, Waitable] = {}
        # Sent a slice at a time, so that the workers start while the rest is prepared.
        for start, jobs in self._prepared_slices(items, timeout_s, ground_truths, shaping):
            futures.update(self._dispatch(pool, _tasks_of(jobs, start)))
            prepared += jobs
        return prepared, futures

    def _prepare_all(
        self,
        items: Sequence[Any],
        timeout_s: float | None,
        ground_truths: Mapping[str, Any] | None,
        shaping: Shaping | Mapping[str, Any] | None = None,
    ) -> tuple[list[_Job | Result], list[tuple[int, ChunkJob]]]:
        """Each item's job or its invalid_input result, and the tasks to run by index."""
        slices = self._prepared_slices(items, timeout_s, ground_truths, shaping)
        prepared = [job for _, jobs in slices for job in jobs]
        return prepared, _tasks_of(prepared, 0)

    def _prepared_slices(
        self,
        items: Sequence[Any],
        timeout_s: float | None,
        ground_truths: Mapping[str, Any] | None,
        shaping: Shaping | Mapping[str, Any] | None,
    ) -> Iterator[tuple[int, list[_Job | Result]]]:
        """The items' jobs or invalid_input results, :data:`PREPARE_SLICE` at a time, each
        slice with the index of its first item; a bad ``shaping`` raises before the first."""
        request = _Request(timeout_s, ground_truths or {}, request_shaping(shaping))
        for start in range(0, len(items), PREPARE_SLICE):
            part = items[start : start + PREPARE_SLICE]
            yield start, [self._prepare(item, request) for item in part]

    def _dispatch(
        self, pool: ProcessPool, tasks: Sequence[tuple[int, ChunkJob]]
    ) -> dict[int, Waitable]:
        """Send prepared tasks to the workers: cheap ones through the chunk dispatcher, the
        others one per task. ``tasks`` pairs each with its index among the answers."""
        futures: dict[int, Waitable] = {}
        chunks = self._chunks
        cheap: list[tuple[int, ChunkJob, float]] = []
        estimates: dict[str, float | None] = {}  # one look-up per verifier, not per item
        for index, task in tasks:
            key = cost_key(task)
            if key not in estimates:
                estimates[key] = self._costs.cheap(key)
            estimate = estimates[key]
            if estimate is not None and chunks is not None:
                cheap.append((index, task, estimate))
            else:
                futures[index] = future = self._schedule(pool, task)
                self._track(future, pool, 1)
        if chunks is not None and cheap:
            queued = chunks.submit([(task, estimate) for _, task, estimate in cheap])
            futures.update(zip((index for index, _, _ in cheap), queued, strict=True))
        return futures

    def run_tasks(self, tasks: Sequence[ChunkJob]) -> list[tuple[Outcome, float, dict, str | None]]:
        """Score tasks another engine prepared (a Ray head's): for each, the outcome, the
        verifier's time, its sandbox runs and why its worker was replaced, if it was."""
        pool = self._pool
        if pool is None:
            raise RuntimeError("engine is not started")
        futures = self._dispatch(pool, list(enumerate(tasks)))
        _wait_all_sync(list(futures.values()))
        finished = []
        for index, task in enumerate(tasks):
            done = _outcome_of(futures[index], task[4])
            self._costs.observe(cost_key(task), done.elapsed_ms, done.sandbox_runs)
            finished.append((done.outcome, done.elapsed_ms, done.sandbox_runs, done.restart))
        return finished

    @staticmethod
    def _schedule(pool: ProcessPool, task: ChunkJob) -> concurrent.futures.Future:
        try:
            return pool.schedule(run_verifier, args=task[:4], timeout=task[4])
        except RuntimeError as exc:  # the pool broke while this batch was being submitted
            failed: concurrent.futures.Future = concurrent.futures.Future()
            failed.set_exception(PoolBroken(f"the worker pool broke: {exc}"))
            return failed

    @property
    def pending(self) -> int:
        """Items submitted and not finished yet (queued for a chunk, or in the pool)."""
        chunks = self._chunks
        return self._items_in_pool + (chunks.queued if chunks is not None else 0)

    def _track(self, future: concurrent.futures.Future, pool: ProcessPool, items: int) -> None:
        with self._outstanding_lock:
            self._outstanding[future] = (pool, items)
            self._items_in_pool += items
        self.metrics.set_pending(self.pending, self.settings.workers)
        future.add_done_callback(self._finished)

    def _finished(self, future: concurrent.futures.Future) -> None:
        with self._outstanding_lock:
            pool, items = self._outstanding.pop(future, (None, 0))
            self._items_in_pool -= items
        self.metrics.set_pending(self.pending, self.settings.workers)
        # Any answer from a worker (a result, a timeout kill, a crash) shows that the pool
        # has started; a failure we set ourselves does not.
        cancelled = future.cancelled()
        if pool is not None and not cancelled and not isinstance(future.exception(), PoolBroken):
            self._working_pool = pool

    def _prepare(self, raw: Any, request: _Request) -> _Job | Result:
        """Every check that needs no worker; a failure is this item's invalid_input result."""
        if isinstance(raw, Item):
            item = raw
        else:
            try:
                item = Item.model_validate(raw)
            except ValidationError as exc:
                item_id = raw.get("id") if isinstance(raw, dict) else None
                return self._failure(
                    item_id if isinstance(item_id, str) else None,
                    status=Status.INVALID_INPUT,
                    detail=f"invalid item: {describe_validation_error(exc)}",
                )
        name, _ = self._choose(item.verifier, item.data_source)
        if name is None:
            return self._failure(
                item.id,
                status=Status.INVALID_INPUT,
                detail="no verifier: set 'verifier', or a 'data_source' the server routes",
            )
        verifier = None if name == COMPOSE else self.registry.get(name)
        if verifier is None and name != COMPOSE:
            return self._failure(
                item.id,
                status=Status.INVALID_INPUT,
                detail=f"unknown verifier {name!r} (known: {self._installed()}, {COMPOSE})",
                verifier_name=name,
            )
        limit = self.settings.max_field_chars
        for name_of_field in ("response", "prompt"):
            value = getattr(item, name_of_field)
            if value is not None and len(value) > limit:
                return self._failure(
                    item.id,
                    status=Status.INVALID_INPUT,
                    detail=f"{name_of_field} has {len(value)} characters, over the limit "
                    f"of {limit}",
                    verifier=verifier,
                    verifier_name=name,
                )
        shaping = None
        try:
            shaping = item_shaping(request.shaping, item.options)
            return self._job(item, verifier, shaping, request)
        except InvalidInput as exc:
            return self._failure(
                item.id,
                status=Status.INVALID_INPUT,
                detail=str(exc),
                verifier=verifier,
                verifier_name=name,
                shaping=shaping,
            )

    def _job(
        self, item: Item, verifier: Verifier | None, shaping: Shaping | None, request: _Request
    ) -> _Job:
        """The job of an item that names ``verifier``, or a composition when ``None``;
        raises :class:`InvalidInput` naming what is wrong."""
        options = item.options
        if SHAPING_KEY in options:  # the engine's, not the verifier's
            options = {key: value for key, value in options.items() if key != SHAPING_KEY}
        if verifier is not None:
            options = verifier.parse_options(options)
        ground_truth = item.ground_truth
        if item.ground_truth_ref is not None:
            if item.ground_truth_ref not in request.shared:
                raise InvalidInput(
                    f"ground_truth_ref {item.ground_truth_ref[:MAX_NAME_CHARS]!r} names "
                    "none of the request's ground_truths"
                )
            # The same object for every item that names it: a chunk pickles it once.
            ground_truth = request.shared[item.ground_truth_ref]
        if verifier is None:
            if options:
                raise InvalidInput(
                    f"options: a {COMPOSE} item's options hold only 'shaping'; each part has "
                    f"its own options (got {', '.join(map(repr, list(options)[:3]))})"
                )
            ground_truth, verifier = self._composition(ground_truth, item.ground_truth_ref, request)
            options = COMPOSE_OPTIONS
        else:
            ground_truth = pack(ground_truth, request.packed)
        deadline = request.timeout_s or verifier.timeout_s or self.settings.default_timeout_s
        return _Job(
            item_id=item.id,
            verifier=verifier,
            response=item.response,
            ground_truth=ground_truth,
            options=options,
            deadline_s=min(deadline, self.settings.max_timeout_s),
            shaping=shaping,
            length=shaping.length_of(item.response, item.extra_info) if shaping else None,
        )

    def _composition(
        self, ground_truth: Any, ref: str | None, request: _Request
    ) -> tuple[Composition, Verifier]:
        """A compose item's composition and what the engine treats as its verifier; a shared
        ground truth is read once per request."""
        if ref is not None and ref in request.compositions:
            return request.compositions[ref]
        composition = parse_composition(ground_truth, self.registry)
        verifier = composite_verifier(composition, self.registry, self.settings.default_timeout_s)
        if ref is not None:
            request.compositions[ref] = (composition, verifier)
        return composition, verifier

    def _collect(
        self,
        items: Sequence[Any],
        prepared: list[_Job | Result],
        futures: dict[int, Waitable],
    ) -> list[Result]:
        results: list[Result] = []
        metrics = self.metrics
        sandbox_runs: collections.Counter[str] = collections.Counter()
        restarts: collections.Counter[str] = collections.Counter()
        for index, job in enumerate(prepared):
            if isinstance(job, Result):
                result = job
            else:
                finished = _outcome_of(futures[index], job.deadline_s)
                result = self._result(job, finished.outcome, finished.elapsed_ms)
                self._costs.observe(cost_key(job.task), finished.elapsed_ms, finished.sandbox_runs)
                metrics.sandbox(finished.sandbox_runs)
                sandbox_runs.update(finished.sandbox_runs)
                if finished.restart:
                    metrics.worker_restarts.labels(finished.restart).inc()
                    restarts[finished.restart] += 1
                    self._sweeper.soon()  # its sandbox runs' work dirs, cgroups, containers
            results.append(result)
        # Only installed verifiers become labels: names from requests would let any
        # client grow the series without bound.
        metrics.items_done(
            (r.verifier if self._known(r.verifier) else "none", str(r.status), r.elapsed_ms)
            for r in results
        )
        metrics.rewards_given(
            (r.verifier if self._known(r.verifier) else "none", data_source_of(raw), r.reward)
            for raw, r in zip(items, results, strict=True)
        )
        warning = failed_batch(results)
        if warning:
            self._report_failed_batch(results)
        self.stats.submit(
            items,
            results,
            sandbox_runs=sandbox_runs,
            restarts=restarts,
            failed_batch=warning,
            known=self._known,
        )
        return results

    def _report_failed_batch(self, results: list[Result]) -> None:
        """Count, and log (at most once per interval), a batch whose rewards are all the
        failure reward. No detail: it may quote a ground truth, and bodies stay out of logs."""
        self.metrics.failed_batches.inc()
        quiet = self._failed_batch_log.quiet()
        if quiet is None:
            return
        counts = collections.Counter(
            (r.verifier if self._known(r.verifier) else "(none or unknown)", r.status.value)
            for r in results
        )
        log.warning(
            "every item of a batch failed, its rewards are all failure_reward (%s): %s; "
            "a configuration mistake of the caller? %d more such batches since the last line",
            self.settings.failure_reward,
            ", ".join(f"{n} {status} from {name}" for (name, status), n in sorted(counts.items())),
            quiet,
        )

    def _result(self, job: _Job, outcome: Outcome, elapsed_ms: float) -> Result:
        declared = job.verifier.components
        try:
            status = Status(outcome.status)
            if declared:
                components = {key: float(outcome.components.get(key, 0.0)) for key in declared}
            else:
                components = {key: float(value) for key, value in outcome.components.items()}
            reward = float(outcome.reward)
            if not all(math.isfinite(value) for value in (reward, *components.values())):
                raise ValueError("non-finite reward or component")
        except (TypeError, ValueError, AttributeError) as exc:
            return self._failure(
                job.item_id,
                status=Status.ERROR,
                detail=f"verifier returned a malformed outcome: {exc}",
                verifier=job.verifier,
                elapsed_ms=elapsed_ms,
                shaping=job.shaping,
            )
        if not status.is_judgement:
            return self._failure(
                job.item_id,
                status=status,
                detail=outcome.detail,
                verifier=job.verifier,
                elapsed_ms=elapsed_ms,
                shaping=job.shaping,
            )
        if job.shaping is not None:  # judgements only: a failure keeps failure_reward
            reward, shown = job.shaping.apply(reward, job.length)
            components.update(shown)
        return Result.model_construct(
            id=job.item_id,
            verifier=job.verifier.name,
            reward=reward,
            status=status,
            detail=outcome.detail,
            components=components,
            elapsed_ms=elapsed_ms,
        )

    def _failure(
        self,
        item_id: str | None,
        *,
        status: Status,
        detail: str | None,
        verifier_name: str = "",
        verifier: Verifier | None = None,
        elapsed_ms: float = 0.0,
        shaping: Shaping | None = None,
    ) -> Result:
        """An operational failure: the configured failure reward, components all zero (the
        shaping's too, so a shaped item's keys do not vary). The verifier's name is
        ``verifier_name``, or ``verifier``'s when one was chosen."""
        verifier_name = verifier.name if verifier is not None else verifier_name
        components = dict.fromkeys(verifier.components, 0.0) if verifier else {}
        if shaping is not None:
            components.update(dict.fromkeys(shaping.component_keys, 0.0))
        return Result.model_construct(
            id=item_id,
            verifier=verifier_name,
            reward=self.settings.failure_reward,
            status=status,
            detail=detail,
            components=components,
            elapsed_ms=elapsed_ms,
        )


def _tasks_of(prepared: Sequence[_Job | Result], start: int) -> list[tuple[int, ChunkJob]]:
    """The tasks of prepared items, by their index in the batch (the first is ``start``)."""
    return [(start + at, job.task) for at, job in enumerate(prepared) if isinstance(job, _Job)]


class PoolBroken(RuntimeError):
    """The item's worker pool broke before answering it; the pool has been replaced."""


@dataclass(frozen=True, slots=True)
class _Finished:
    outcome: Outcome
    elapsed_ms: float = 0.0
    sandbox_runs: dict[str, int] = field(default_factory=dict)
    restart: str | None = None  # why the worker had to be replaced, if it had


def _outcome_of(future: Waitable, deadline_s: float) -> _Finished:
    """What a finished worker future means for its item."""
    try:
        return _Finished(*future.result())
    except TimeoutError:
        detail = f"exceeded the {deadline_s:g} s deadline; the worker was killed and replaced"
        return _Finished(Outcome(0.0, Status.TIMEOUT, detail), deadline_s * 1000.0, {}, "timeout")
    except ProcessExpired as exc:
        detail = f"worker process died: {_exit_reason(exc.exitcode)}"
        return _Finished(Outcome(0.0, Status.ERROR, detail), restart="crash")
    except concurrent.futures.CancelledError:
        return _Finished(Outcome(0.0, Status.ERROR, "cancelled"))
    except PoolBroken as exc:
        return _Finished(Outcome(0.0, Status.ERROR, f"{exc}; retry the item"))
    except Exception as exc:  # e.g. an outcome that could not be pickled back
        detail = f"{type(exc).__name__}: {exc}"[:MAX_DETAIL_CHARS]
        return _Finished(Outcome(0.0, Status.ERROR, detail))


def _exit_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (out of memory?)" if exitcode == -signal.SIGKILL else ""
        return f"killed by {name}{hint}"
    return f"exit code {exitcode}"


Waitable = concurrent.futures.Future | Answer


def _when_all(futures: list[Waitable], last: Callable[[], None]) -> None:
    """Call ``last`` once, in whichever thread settles the last of ``futures``."""
    remaining = len(futures)
    lock = threading.Lock()

    def on_done(_: object) -> None:
        nonlocal remaining
        with lock:
            remaining -= 1
            done = remaining == 0
        if done:
            last()

    for future in futures:
        future.add_done_callback(on_done)


def _wait_all_sync(futures: list[Waitable]) -> None:
    """Block until every future and answer is settled."""
    if not futures:
        return
    finished = threading.Event()
    _when_all(futures, finished.set)
    finished.wait()


async def _wait_all(futures: list[Waitable]) -> None:
    """Wait for many thread-completed futures with one wake-up of the loop, not one each."""
    if not futures:
        return
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def wake() -> None:
        with contextlib.suppress(RuntimeError):  # the loop may be gone after a cancel
            loop.call_soon_threadsafe(_resolve, done)

    _when_all(futures, wake)
    await done


def _resolve(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_result(None)
