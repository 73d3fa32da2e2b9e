"""``serve --ray-address`` (issue 19): one HTTP API, items scored by an engine actor on
every node of a Ray cluster, in order, with nodes joining and leaving. The cluster is a
real one on this machine: a head and more raylets (ray.cluster_utils.Cluster)."""

from __future__ import annotations

import time

import pytest
from ray.cluster_utils import Cluster

from reward_server.engine import Engine
from reward_server.ray_serving import RayEngine
from reward_server.settings import Settings
from tests.helpers import item


@pytest.fixture(scope="module")
def cluster():
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    yield cluster
    cluster.shutdown()


def items(count: int) -> list[dict]:
    batch = []
    for index in range(count):
        if index % 3 == 0:
            batch.append(item("math", f"$\\boxed{{{index % 5}}}$", "2", id=str(index)))
        else:
            batch.append(item("exact_match", str(index % 4), "1", id=str(index)))
    batch.insert(7, {"verifier": "exact_match", "response": "no ground truth"})
    return batch


def comparable(results: list) -> list[tuple]:
    return [(r.id, r.verifier, r.reward, r.status, r.detail) for r in results]


def wait_for(condition, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_every_node_scores_and_the_answers_are_the_local_ones(cluster) -> None:
    batch = items(300)
    with Engine(Settings(workers=1)) as local:
        expected = comparable(local.score(batch))
    engine = RayEngine(Settings(workers=1), address=cluster.address).start()
    try:
        assert len(engine.nodes) == 2
        assert comparable(engine.score(batch)) == expected
        assert engine.pending == 0
    finally:
        engine.close()


def test_nodes_that_join_or_leave(cluster) -> None:
    batch = items(200)
    with Engine(Settings(workers=1)) as local:
        expected = comparable(local.score(batch))
    engine = RayEngine(Settings(workers=1), address=cluster.address).start()
    try:
        joined = cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes()
        wait_for(lambda: len(engine.nodes) == 3)
        assert comparable(engine.score(batch)) == expected
        cluster.remove_node(joined)
        # Slices sent to the gone node's actor are sent again to the others.
        assert comparable(engine.score(batch)) == expected
        wait_for(lambda: len(engine.nodes) == 2)
    finally:
        engine.close()


def test_the_http_api_over_a_ray_cluster(cluster, tmp_path) -> None:
    from tests.conftest import start_server, stop_server

    server = start_server(tmp_path / "server.log", "--ray-address", cluster.address)
    try:
        with server.client() as client:
            assert client.get("/readyz").status_code == 200
            batch = items(50)
            response = client.post("/v1/rewards", json={"items": batch})
            assert response.status_code == 200, response.text
        with Engine(Settings(workers=1)) as local:
            expected = [result.model_dump(exclude={"elapsed_ms"}) for result in local.score(batch)]
        answered = response.json()["results"]
        for result in answered:
            del result["elapsed_ms"]
        assert answered == [{**r, "status": r["status"].value} for r in expected]
    finally:
        stop_server(server)
