"""swe_tests through the real service: a mixed batch of 16, scored in parallel, in order."""

from __future__ import annotations

import time

import httpx
import pytest

from sandbox.docker_backend import DockerBackend, DockerConfig
from sandbox.local import LocalBackend
from tests.conftest import start_server, stop_server
from tests.helpers import item
from tests.sandbox_helpers import leftovers, marker, processes_with
from tests.swe_fixtures import (
    MINI_BREAKS_P2P,
    MINI_GOLD,
    fenced,
    load,
    mini_instance,
    mini_module_patch,
)

pytestmark = pytest.mark.sandbox


def test_batch_of_sixteen(client):
    calc = load("calc")
    sleeper = fenced(mini_module_patch("import time\ntime.sleep(10**6)"))
    bomb = fenced(
        mini_module_patch("import os\nwhile True:\n    try: os.fork()\n    except OSError: pass")
    )
    cases = [
        (fenced(calc.gold), calc.ground_truth(), 1.0, "ok"),
        (fenced(MINI_GOLD), mini_instance(), 1.0, "ok"),
        (fenced(MINI_BREAKS_P2P), mini_instance(), 0.0, "ok"),
        ("no diff here", mini_instance(), 0.0, "format_error"),
        (sleeper, mini_instance(timeout_s=3), 0.0, "ok"),
        (bomb, mini_instance(timeout_s=5), 0.0, "ok"),
        (fenced(MINI_GOLD), {"files": {}}, 0.0, "invalid_input"),
        (fenced(calc.break_p2p), calc.ground_truth(), 0.0, "ok"),
    ] * 2
    body = {"items": [item("swe_tests", response, truth) for response, truth, _, _ in cases]}
    response = client.post("/v1/rewards", json=body, timeout=300)
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 16
    for (_, _, reward, status), result in zip(cases, results, strict=True):
        assert (result["reward"], result["status"]) == (reward, status), result
    gold = results[0]
    assert gold["components"]["resolved"] == 1.0
    assert client.get("/readyz").status_code == 200
    after = client.post("/v1/reward", json=item("swe_tests", fenced(MINI_GOLD), mini_instance()))
    assert after.json()["reward"] == 1.0


def test_listed_with_its_components(client):
    listing = {v["name"]: v for v in client.get("/v1/verifiers").json()}
    assert listing["swe_tests"]["components"] == [
        "applied", "f2p_passed", "f2p_total", "p2p_passed", "p2p_total", "resolved",
    ]  # fmt: skip


def _left_behind(backend) -> list[str]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = leftovers(backend)
        if not found:
            return []
        time.sleep(0.25)
    return found


@pytest.mark.parametrize("backend_name", ["local", "docker"])
def test_a_run_killed_by_its_items_deadline_leaves_nothing(tmp_path, backend_name, request):
    """The request's deadline (4 s) fires long before the instance's own (100 s): the server
    kills the worker, then removes its run's processes, work dir, cgroups, container and
    volume within 10 s, without waiting for a new worker to start."""
    env = {}
    if backend_name == "docker":
        engine = request.getfixturevalue("docker_engine")
        env = {
            "REWARD_SERVER_SANDBOX__BACKEND": "docker",
            "REWARD_SERVER_SANDBOX__DOCKER_URL": engine.url,
            "REWARD_SERVER_SANDBOX__DOCKER_IMAGE": engine.image,
        }
        backend = DockerBackend(DockerConfig(base_url=engine.url, image=engine.image))
    else:
        backend = LocalBackend()
    tag = marker()
    sleeper = fenced(mini_module_patch(f"import time  # {tag}\ntime.sleep(10**6)"))
    server = start_server(tmp_path / "server.log", "--workers", "1", env=env)
    try:
        body = {"items": [item("swe_tests", sleeper, mini_instance(timeout_s=100))]}
        answer = httpx.post(f"{server.url}/v1/rewards", json={**body, "timeout_s": 4}, timeout=60)
        assert answer.json()["results"][0]["status"] == "timeout"
        assert _left_behind(backend) == []
        assert processes_with(tag) == []
    finally:
        stop_server(server)
