"""What an infrastructure team relies on: auth, request ids, JSON logs, metrics,
back-pressure and graceful shutdown, each on a real server process."""

from __future__ import annotations

import json
import re
import signal
import threading
import time
import uuid

import httpx
import pytest

from tests.conftest import start_server, stop_server
from tests.helpers import item

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    root = tmp_path_factory.mktemp("secured")
    keys_file = root / "keys"
    keys_file.write_text("# rotated monthly\nkey-from-file\n\n")
    server = start_server(
        root / "server.log",
        "--workers",
        "1",
        env={
            "REWARD_SERVER_API_KEYS": '["key-one", "key-two"]',
            "REWARD_SERVER_API_KEYS_FILE": str(keys_file),
        },
    )
    yield server
    stop_server(server)


def test_without_a_key_scoring_is_refused(secured):
    response = httpx.post(f"{secured.url}/v1/reward", json=item("exact_match", "a", "a"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "API key" in response.json()["detail"]
    for path in ("/v1/verifiers", "/metrics", "/openapi.json"):
        assert httpx.get(f"{secured.url}{path}").status_code == 401, path


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer key-one"},
        {"Authorization": "bearer key-two"},
        {"X-API-Key": "key-from-file"},
    ],
)
def test_any_configured_key_works(secured, headers):
    response = httpx.post(
        f"{secured.url}/v1/reward", json=item("exact_match", "a", "a"), headers=headers
    )
    assert response.status_code == 200
    assert response.json()["reward"] == 1.0


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": "Bearer key-on"}, {"Authorization": "Basic key-one"}, {"X-API-Key": ""}],
)
def test_wrong_keys_are_refused(secured, headers):
    response = httpx.post(
        f"{secured.url}/v1/reward", json=item("exact_match", "a", "a"), headers=headers
    )
    assert response.status_code == 401


def test_probes_need_no_key(secured):
    assert httpx.get(f"{secured.url}/healthz").status_code == 200
    assert httpx.get(f"{secured.url}/readyz").status_code == 200


def test_request_id_is_echoed_or_made_up(client):
    given = client.get("/healthz", headers={"X-Request-ID": "trace-42.a"})
    assert given.headers["x-request-id"] == "trace-42.a"
    made = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    unsafe = client.get("/healthz", headers={"X-Request-ID": "x" * 500})
    assert re.fullmatch(r"[0-9a-f]{32}", unsafe.headers["x-request-id"])


def test_logs_are_json_lines_with_the_request_id_and_no_response_text(server, client):
    secret = f"model-output-{uuid.uuid4().hex}"
    rid = f"req-{uuid.uuid4().hex[:8]}"
    response = client.post(
        "/v1/rewards",
        json={"items": [item("exact_match", secret, secret)]},
        headers={"X-Request-ID": rid},
    )
    assert response.status_code == 200
    time.sleep(0.2)
    log = server.log()
    assert secret not in log
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    access = [r for r in records if r.get("request_id") == rid]
    assert access, "no log line carries the request id"
    (line,) = access
    assert line["logger"] == "reward_server.access"
    assert line["status"] == 200 and line["path"] == "/v1/rewards" and line["method"] == "POST"
    assert line["duration_ms"] > 0 and {"time", "level", "message"} <= line.keys()


def _samples(text: str, name: str) -> dict[str, float]:
    """``name{labels}`` -> value of a Prometheus exposition."""
    found = {}
    for line in text.splitlines():
        if line.startswith(name):
            key, _, value = line.rpartition(" ")
            found[key] = float(value)
    return found


def test_metrics(server, client):
    before = _samples(client.get("/metrics").text, "reward_server_items_total")
    items = [item("exact_match", "a", "a"), item("exact_match", "a", "b"), {"nonsense": 1}]
    items.append(item("sleep_forever"))
    assert client.post("/v1/rewards", json={"items": items, "timeout_s": 0.5}).status_code == 200
    text = client.get("/metrics").text
    after = _samples(text, "reward_server_items_total")

    def grew(labels: str) -> float:
        key = f"reward_server_items_total{{{labels}}}"
        return after.get(key, 0) - before.get(key, 0)

    assert grew('status="ok",verifier="exact_match"') == 2
    assert grew('status="invalid_input",verifier="none"') == 1
    assert grew('status="timeout",verifier="sleep_forever"') == 1
    assert (
        _samples(text, "reward_server_timeouts_total")[
            'reward_server_timeouts_total{verifier="sleep_forever"}'
        ]
        >= 1
    )
    assert (
        _samples(text, "reward_server_worker_restarts_total")[
            'reward_server_worker_restarts_total{reason="timeout"}'
        ]
        >= 1
    )
    assert 'reward_server_requests_total{code="200",endpoint="/v1/rewards"}' in text
    assert 'reward_server_item_duration_seconds_bucket{le="0.001",verifier="exact_match"}' in text
    assert "reward_server_queue_depth 0.0" in text
    assert "reward_server_in_flight_items 0.0" in text


def test_sandbox_runs_are_counted(server, client):
    from tests.swe_fixtures import MINI_GOLD, fenced, mini_instance

    key = 'reward_server_sandbox_runs_total{backend="local",outcome="ok"}'
    before = _samples(client.get("/metrics").text, "reward_server_sandbox_runs_total").get(key, 0)
    result = client.post("/v1/reward", json=item("swe_tests", fenced(MINI_GOLD), mini_instance()))
    assert result.json()["reward"] == 1.0
    after = _samples(client.get("/metrics").text, "reward_server_sandbox_runs_total")[key]
    assert after == before + 1


def test_back_pressure_refuses_with_retry_after(tmp_path):
    server = start_server(
        tmp_path / "server.log",
        "--workers",
        "1",
        env={"REWARD_SERVER_MAX_PENDING_ITEMS": "4", "REWARD_SERVER_MAX_ITEMS": "4"},
    )
    try:
        slow = {"items": [item("sleepy", "", "1", options={"seconds": 1.5})] * 4}
        answers = {}
        first = threading.Thread(
            target=lambda: answers.update(
                first=httpx.post(f"{server.url}/v1/rewards", json=slow, timeout=60)
            )
        )
        first.start()
        time.sleep(0.5)
        refused = httpx.post(f"{server.url}/v1/reward", json=item("exact_match", "a", "a"))
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "1"
        assert "busy" in refused.json()["detail"]
        first.join()
        assert [r["reward"] for r in answers["first"].json()["results"]] == [1.0] * 4
        again = httpx.post(f"{server.url}/v1/reward", json=item("exact_match", "a", "a"))
        assert again.status_code == 200
        metrics = httpx.get(f"{server.url}/metrics").text
        assert "reward_server_rejected_requests_total 1.0" in metrics
    finally:
        stop_server(server)


def test_sigterm_finishes_in_flight_requests_then_exits(tmp_path):
    server = start_server(tmp_path / "server.log", "--workers", "2")
    answers = {}
    slow = {"items": [item("sleepy", "", "1", options={"seconds": 2})] * 4}

    def post() -> None:
        answers["slow"] = httpx.post(f"{server.url}/v1/rewards", json=slow, timeout=60)

    request = threading.Thread(target=post)
    request.start()
    time.sleep(0.7)
    server.process.send_signal(signal.SIGTERM)
    request.join(timeout=30)
    assert answers["slow"].status_code == 200
    assert [r["status"] for r in answers["slow"].json()["results"]] == ["ok"] * 4
    # uvicorn re-raises the SIGTERM it handled once shut down, as a process should.
    assert server.process.wait(timeout=30) in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in server.log()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/healthz", timeout=2)
