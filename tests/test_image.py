"""The service image: `make image` on the real Docker engine (from the debootstrap base,
since no registry is reachable), run with host networking on a loopback port, one item of
every verifier scored through it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.helpers import NotReady, free_port, item, wait_ready
from tests.swe_fixtures import MINI_GOLD, fenced, mini_instance

ROOT = Path(__file__).resolve().parents[1]
IMAGE = "reward-server:test"

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]


@pytest.fixture(scope="module")
def image(docker_engine):
    build = subprocess.run(
        ["make", "-C", str(ROOT), "image", f"IMAGE={IMAGE}", f"BASE_IMAGE={docker_engine.image}"],
        env={**os.environ, "DOCKER_HOST": docker_engine.url},
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    return IMAGE


@pytest.fixture(scope="module")
def service(image, docker_engine):
    import docker

    client = docker.DockerClient(base_url=docker_engine.url)
    socket = docker_engine.url.removeprefix("unix://")
    port = free_port()
    container = client.containers.run(
        image,
        detach=True,
        network_mode="host",
        environment={
            "REWARD_SERVER_HOST": "127.0.0.1",
            "REWARD_SERVER_PORT": str(port),
            "REWARD_SERVER_WORKERS": "2",
            "REWARD_SERVER_SANDBOX__BACKEND": "docker",
            "REWARD_SERVER_SANDBOX__DOCKER_URL": "unix:///var/run/docker.sock",
            "REWARD_SERVER_SANDBOX__DOCKER_IMAGE": docker_engine.image,
            "REWARD_SERVER_SANDBOX__REQUIRED": "true",
        },
        # The sandbox backend starts sibling containers through the engine's socket; the
        # service user joins the socket's group for it.
        volumes={socket: {"bind": "/var/run/docker.sock", "mode": "rw"}},
        group_add=[str(os.stat(socket).st_gid)],
    )
    url = f"http://127.0.0.1:{port}"

    def stopped() -> str | None:
        container.reload()
        return None if container.status == "running" else f"container is {container.status}"

    try:
        try:
            wait_ready(url, startup_s=90, gone=stopped, poll_s=0.5)
        except NotReady as problem:
            pytest.fail(f"{problem}:\n{container.logs().decode()[-3000:]}")
        yield url, container
    finally:
        container.remove(force=True)
        client.images.remove(image, force=True)
        client.close()


def test_runs_as_a_non_root_user_with_a_healthcheck(service):
    _, container = service
    config = container.attrs["Config"]
    assert config["User"] == "reward-server"
    assert "healthz" in " ".join(config["Healthcheck"]["Test"])
    uid = container.exec_run(["id", "-u"]).output.decode().strip()
    assert uid != "0"


def test_scores_one_item_of_every_verifier(service):
    url, _ = service
    items = [
        item("exact_match", "Paris", "Paris"),
        item("math", "The answer is $\\boxed{\\frac{1}{2}}$", "0.5"),
        item("json_schema", '{"a": 1}', {"type": "object", "required": ["a"]}),
        item(
            "patch_similarity",
            "```diff\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n```",
            {"oracle_patch": "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n"},
        ),
        item("localization", "src/app.py", {"level": "file", "targets": ["src/app.py"]}),
        item("swe_tests", fenced(MINI_GOLD), mini_instance()),
        item(
            "code_tests",
            "```python\nprint(int(input()) * 2)\n```",
            {"inputs": ["2\n", "21\n"], "outputs": ["4\n", "42\n"]},
        ),
    ]
    verifiers = {v["name"] for v in httpx.get(f"{url}/v1/verifiers").json()}
    assert verifiers == {i["verifier"] for i in items}
    response = httpx.post(f"{url}/v1/rewards", json={"items": items}, timeout=120)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["verifier"], r["status"], r["reward"]) for r in results] == [
        (i["verifier"], "ok", 1.0) for i in items
    ], results
    ready = httpx.get(f"{url}/readyz").json()
    assert ready["sandbox"]["backend"] == "docker" and ready["sandbox"]["available"]
