"""The scoring routes' fast lane: it answers the bodies its route's model accepts, and every
other request reaches the FastAPI route with the same bytes, so the answers keep FastAPI's
shape. Part one drives the lane alone, in front of a small recording app, on a real uvicorn
server; part two drives the reward server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from reward_server.fast_lane import FastLane
from tests.conftest import Server, start_server, stop_server
from tests.helpers import free_port, item

LANE = "/lane"


class Recorder:
    """The app behind the lane: answers 299 with what it received, method and body."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        self.bodies.append(body)
        answer = {"method": scope["method"], "path": scope["path"], "body": body.decode("latin-1")}
        await JSONResponse(answer, status_code=299)(scope, receive, send)


async def lane_handler(body: object) -> Response | None:
    """Takes objects with "take"; raises what "raise" names."""
    if not isinstance(body, dict):
        return None
    if body.get("raise") == "busy":
        raise HTTPException(503, "server busy", headers={"Retry-After": "7"})
    if body.get("raise") == "bug":
        raise RuntimeError("a bug in a handler")
    if "take" not in body:
        return None
    return JSONResponse({"taken": body["take"]})


@pytest.fixture(scope="module")
def lane() -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder()
    port = free_port()
    app = FastLane(recorder, {LANE: lane_handler})
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the lane's server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", recorder
    server.should_exit = True
    thread.join(timeout=30)


def test_a_body_the_handler_takes_is_answered_by_it(lane: tuple[str, Recorder]) -> None:
    url, recorder = lane
    before = len(recorder.bodies)
    chunks = [b'{"take"', b": [1, 2", b", 3]}"]  # chunked: no content-length
    response = httpx.post(url + LANE, content=iter(chunks))
    assert (response.status_code, response.json()) == (200, {"taken": [1, 2, 3]})
    assert len(recorder.bodies) == before


@pytest.mark.parametrize(
    "body",
    [
        b'{"other": 1}',  # the handler declines
        b"[1, 2, 3]",  # not an object
        b"{not json",
        b"[" * 100_000 + b"]" * 100_000,  # too deep for json.loads
        b"\xff\xfe\x00 bytes",
        b"",
    ],
    ids=["declined", "array", "malformed", "deep", "binary", "empty"],
)
def test_every_other_body_reaches_the_app_unchanged(
    lane: tuple[str, Recorder], body: bytes
) -> None:
    url, recorder = lane
    response = httpx.post(url + LANE, content=body)
    assert response.status_code == 299
    assert recorder.bodies[-1] == body
    assert response.json()["body"].encode("latin-1") == body


def test_other_methods_and_paths_pass_through(lane: tuple[str, Recorder]) -> None:
    url, _ = lane
    taken = b'{"take": 1}'
    assert httpx.request("PUT", url + LANE, content=taken).json()["method"] == "PUT"
    assert httpx.post(url + "/elsewhere", content=taken).json()["path"] == "/elsewhere"


def test_errors_are_answered_as_fastapi_answers_them(lane: tuple[str, Recorder]) -> None:
    url, _ = lane
    busy = httpx.post(url + LANE, json={"raise": "busy"})
    assert (busy.status_code, busy.json()) == (503, {"detail": "server busy"})
    assert busy.headers["retry-after"] == "7"
    bug = httpx.post(url + LANE, json={"raise": "bug"})
    assert (bug.status_code, bug.json()) == (500, {"detail": "internal server error"})
    assert httpx.post(url + LANE, json={"take": "still up"}).json() == {"taken": "still up"}


# -- the reward server ------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_bodies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("fast-lane") / "server.log"
    server = start_server(log, "--workers", "1", env={"REWARD_SERVER_MAX_BODY_BYTES": "4096"})
    yield server
    stop_server(server)


def test_scored_requests_keep_the_middlewares(client: httpx.Client) -> None:
    """Request ids, metrics and the answers are the same whichever way a request goes."""
    body = {"items": [item("exact_match", "The answer is 4", "The answer is 4")]}
    response = client.post("/v1/rewards", json=body, headers={"x-request-id": "lane-check-1"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "lane-check-1"
    (result,) = response.json()["results"]
    assert (result["status"], result["reward"], result["verifier"]) == ("ok", 1.0, "exact_match")
    minted = client.post("/v1/rewards", json=body).headers["x-request-id"]
    assert len(minted) == 32 and int(minted, 16) >= 0
    assert minted != client.post("/v1/rewards", json=body).headers["x-request-id"]
    one = client.post("/v1/reward", json=body["items"][0])
    assert one.json()["reward"] == 1.0
    metrics = client.get("/metrics").text
    assert 'reward_server_requests_total{code="200",endpoint="/v1/rewards"}' in metrics
    assert 'reward_server_requests_total{code="200",endpoint="/v1/reward"}' in metrics


def test_bodies_the_lane_declines_get_fastapis_errors(client: httpx.Client) -> None:
    not_a_list = client.post("/v1/rewards", json={"items": 5})
    assert not_a_list.status_code == 422
    assert not_a_list.json()["detail"][0]["loc"] == ["body", "items"]
    malformed = client.post("/v1/rewards", content=b'{"items": [', headers=JSON_HEADERS)
    assert malformed.status_code == 422
    assert malformed.json()["detail"][0]["type"] == "json_invalid"
    for path in ("/get_reward", "/slime/reward", "/v1/reward"):
        array = client.post(path, json=[1, 2])
        assert array.status_code == 422, path
        assert array.json()["detail"][0]["loc"] == ["body"], path
    openrlhf = client.post("/get_reward", json={"query": ["q"], "labels": [""]})
    assert openrlhf.status_code == 422  # an empty label is refused, not scored 0
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/rewards", "/v1/reward", "/get_reward", "/slime/reward"} <= set(paths)


def test_a_streamed_body_over_the_limit_is_refused(small_bodies: Server) -> None:
    """No content-length: the size is counted while the lane reads the body."""
    body = json.dumps({"items": [item("exact_match", "a" * 8000, "a")]}).encode()
    chunks = [body[start : start + 1000] for start in range(0, len(body), 1000)]
    with small_bodies.client() as http:
        response = http.post("/v1/rewards", content=iter(chunks), headers=JSON_HEADERS)
        assert response.status_code == 413
        assert response.json() == {"detail": "request body exceeds the limit of 4096 bytes"}
        fits = http.post("/v1/rewards", json={"items": [item("exact_match", "a", "a")]})
        assert fits.json()["results"][0]["reward"] == 1.0


JSON_HEADERS = {"content-type": "application/json"}
