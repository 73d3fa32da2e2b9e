"""``reward-server score --ray``: chunks spread over a Ray cluster, one engine per node.

Each node runs one actor holding an in-process engine (its own worker pool, as on a single
host); chunks go to the actors through an ordered pool, so the output is line for line the
output of a local run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reward_server.models import Result


def ray_scorer(settings: Any, timeout_s: float | None, address: str | None):
    try:
        import ray
        from ray.util import ActorPool
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy
    except ImportError:
        from reward_server.batch import BatchError

        raise BatchError("--ray needs ray: pip install 'ray[default]'") from None

    from reward_server.engine import Engine
    from reward_server.ray_serving import engine_actor_class

    EngineActor = engine_actor_class()
    resolver = Engine(settings)  # never started: it only checks each chunk's verifiers

    def checked(chunks: Iterator[list[dict]]) -> Iterator[list[dict]]:
        for chunk in chunks:
            resolver.check_resolvable(chunk)
            yield chunk

    def score_chunks(chunks: Iterator[list[dict]]) -> Iterator[list[Result]]:
        started_here = not ray.is_initialized()
        if started_here:
            ray.init(address=address, log_to_driver=False)
        try:
            nodes = [node["NodeID"] for node in ray.nodes() if node.get("Alive")]
            actors = [
                EngineActor.options(
                    scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=False)
                ).remote(settings.model_dump_json())
                for node in nodes
            ]
            pool = ActorPool(actors)
            # A window of chunks in flight per actor keeps every node busy; map keeps order.
            for dumped in pool.map(
                lambda actor, chunk: actor.score.remote(chunk, timeout_s), checked(chunks)
            ):
                yield [Result.model_validate(result) for result in dumped]
        finally:
            if started_here:
                ray.shutdown()

    return score_chunks
