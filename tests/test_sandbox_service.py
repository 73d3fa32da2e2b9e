"""The service tells, at start-up and on /readyz, which sandbox it has and why not."""

from __future__ import annotations

import httpx

from tests.conftest import start_server, stop_server


def test_readyz_reports_the_local_sandbox(client):
    body = client.get("/readyz").json()
    assert body["sandbox"]["backend"] == "local"
    assert body["sandbox"]["available"] is True, body["sandbox"]
    assert "bubblewrap" in body["sandbox"]["isolation"]


def start_with_docker_sandbox(tmp_path, url: str, **settings: str):
    env = {
        "REWARD_SERVER_SANDBOX__BACKEND": "docker",
        "REWARD_SERVER_SANDBOX__DOCKER_URL": url,
        "REWARD_SERVER_SANDBOX__REQUIRED": "true",
    }
    env.update({f"REWARD_SERVER_SANDBOX__{key.upper()}": value for key, value in settings.items()})
    # Not ready is one of the outcomes under test: wait for liveness only.
    return start_server(tmp_path / "server.log", "--workers", "1", env=env, wait_for="/healthz")


def test_unavailable_required_sandbox_makes_the_service_unready(tmp_path):
    server = start_with_docker_sandbox(tmp_path, f"unix://{tmp_path}/missing.sock")
    try:
        response = httpx.get(f"{server.url}/readyz", timeout=10)
        assert response.status_code == 503
        body = response.json()
        assert body["sandbox"]["available"] is False
        assert any("no Docker engine answers" in problem for problem in body["problems"])
    finally:
        stop_server(server)
    assert "sandbox docker unavailable" in server.log()
    assert "missing.sock" in server.log()


def test_docker_sandbox_is_ready_with_a_real_engine(tmp_path, docker_engine):
    server = start_with_docker_sandbox(
        tmp_path, docker_engine.url, docker_image=docker_engine.image
    )
    try:
        body = httpx.get(f"{server.url}/readyz", timeout=10).json()
        assert body["status"] == "ready"
        assert body["sandbox"]["backend"] == "docker"
        assert body["sandbox"]["image"] == docker_engine.image
    finally:
        stop_server(server)
