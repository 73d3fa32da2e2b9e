"""``reward-server serve --ray-address``: one HTTP server, items scored on every Ray node.

The server keeps everything that needs no worker (validation, routing, options, shared
ground truths, metrics, the dashboard's numbers) and sends prepared items, in slices, to
one engine actor per alive node, each with its own worker pool, per-item deadlines and
chunking. Answers keep the request's order. Nodes that join get an actor within
``NODE_REFRESH_S``; a slice whose actor dies with its node is sent once more to another.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import logging
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from reward_server.chunks import Answer
from reward_server.engine import Engine, PoolBroken, Waitable, _Job
from reward_server.models import Result
from reward_server.settings import Settings
from reward_server.worker import ChunkJob

log = logging.getLogger(__name__)

NODE_REFRESH_S = 2.0
SLICE_ITEMS = 64
"""Items per call to an actor: small enough to spread a batch over the nodes."""
ATTEMPTS = 2


class RayEngine(Engine):
    """An :class:`Engine` whose workers are engine actors on the nodes of a Ray cluster."""

    def __init__(self, settings: Settings | None = None, address: str | None = None) -> None:
        super().__init__(settings)
        self.address = address or self.settings.ray_address
        self._actors: dict[str, Any] = {}
        self._actors_lock = threading.Lock()
        self._turn = itertools.count()
        self._in_flight = 0
        self._started_ray = False

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> RayEngine:
        import ray

        with self._lock:
            if self._actors:
                return self
            if not ray.is_initialized():
                ray.init(address=self.address, log_to_driver=False)
                self._started_ray = True
            self._closed.clear()
            self.refresh_nodes()
            threading.Thread(target=self._watch_nodes, daemon=True, name="ray-nodes").start()
        return self

    def close(self) -> None:
        import ray

        self._closed.set()
        with self._actors_lock:
            actors, self._actors = list(self._actors.values()), {}
        for actor in actors:
            ray.kill(actor)
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False

    @property
    def ready(self) -> bool:
        return bool(self._actors)

    @property
    def pending(self) -> int:
        return self._in_flight

    @property
    def nodes(self) -> list[str]:
        with self._actors_lock:
            return sorted(self._actors)

    def refresh_nodes(self) -> None:
        """One engine actor per alive node: new nodes get one, gone nodes lose theirs."""
        import ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        alive = {node["NodeID"] for node in ray.nodes() if node.get("Alive")}
        settings = self.settings.model_dump_json()
        with self._actors_lock:
            for node in set(self._actors) - alive:
                log.warning("Ray node %s left; its items go to the others", node)
                del self._actors[node]
            for node in alive - set(self._actors):
                strategy = NodeAffinitySchedulingStrategy(node, soft=False)
                self._actors[node] = (
                    engine_actor_class().options(scheduling_strategy=strategy).remote(settings)
                )

    def _watch_nodes(self) -> None:
        while not self._closed.wait(NODE_REFRESH_S):
            try:
                self.refresh_nodes()
            except Exception:  # the cluster is unreachable for a moment: try again later
                log.exception("could not list the Ray cluster's nodes")

    # -- scoring -------------------------------------------------------------------------

    def _submit(
        self,
        items: Sequence[Any],
        timeout_s: float | None,
        ground_truths: Mapping[str, Any] | None = None,
        shaping: Any = None,
    ) -> tuple[list[_Job | Result], dict[int, Waitable]]:
        prepared, tasks = self._prepare_all(items, timeout_s, ground_truths, shaping)
        answers: dict[int, Waitable] = {index: Answer() for index, _ in tasks}
        for start in range(0, len(tasks), SLICE_ITEMS):
            self._send(tasks[start : start + SLICE_ITEMS], answers, ATTEMPTS)
        return prepared, answers

    def _pick(self) -> Any | None:
        with self._actors_lock:
            actors = list(self._actors.values())
        return actors[next(self._turn) % len(actors)] if actors else None

    def _send(
        self, tasks: list[tuple[int, ChunkJob]], answers: dict[int, Waitable], attempts: int
    ) -> None:
        actor = self._pick()
        if actor is None:
            for index, _ in tasks:
                answers[index].set_exception(PoolBroken("no Ray node has a scoring actor"))
            return
        with self._actors_lock:
            self._in_flight += len(tasks)
        future = actor.run_tasks.remote([task for _, task in tasks]).future()
        future.add_done_callback(lambda done: self._slice_done(done, tasks, answers, attempts))

    def _slice_done(
        self,
        future: concurrent.futures.Future,
        tasks: list[tuple[int, ChunkJob]],
        answers: dict[int, Waitable],
        attempts: int,
    ) -> None:
        with self._actors_lock:
            self._in_flight -= len(tasks)
        try:
            finished = future.result()
        except Exception as exc:  # the actor died with its node, or Ray failed the call
            if attempts > 1:
                self.refresh_nodes()
                self._send(tasks, answers, attempts - 1)
                return
            for index, _ in tasks:
                answers[index].set_exception(PoolBroken(f"the Ray actor failed: {exc}"))
            return
        for (index, _), result in zip(tasks, finished, strict=True):
            answers[index].set_result(result)


_ACTOR: Any = None


def engine_actor_class() -> Any:
    """The Ray actor holding one node's engine (here and for ``reward-server score
    --ray``), defined on first use so that importing this module needs no Ray."""
    global _ACTOR
    if _ACTOR is None:
        import ray

        @ray.remote
        class EngineActor:
            def __init__(self, settings_json: str) -> None:
                self.engine = Engine(Settings.model_validate_json(settings_json)).start()

            def run_tasks(self, tasks: list[ChunkJob]) -> list[tuple]:
                return self.engine.run_tasks(tasks)

            def score(self, items: list[dict], timeout: float | None) -> list[dict]:
                return [r.model_dump(mode="json") for r in self.engine.score(items, timeout)]

        _ACTOR = EngineActor
    return _ACTOR
