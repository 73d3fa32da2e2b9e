"""The Python clients, against a real server and against scripted failing servers."""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import pytest

from reward_server.client import (
    DEFAULT_URL,
    AsyncRewardClient,
    RewardClient,
    RewardServerError,
)
from reward_server.models import Item, Result
from tests.conftest import Server, free_port
from tests.helpers import item
from verifiers.base import Status

FAST = {"backoff_s": 0.01, "max_backoff_s": 0.05, "retry_window_s": 5.0}


@dataclass
class FakeServer:
    """A loopback HTTP server that answers POSTs by a script, one step per request (the last
    step repeats): ``(status, body)``, ``("sleep", seconds)`` then proxy, or ``"proxy"`` to
    forward the request to ``upstream``. It records every request it receives."""

    url: str
    requests: list[dict] = field(default_factory=list)


@contextmanager
def fake_server(script: list, upstream: str | None = None) -> Iterator[FakeServer]:
    fake = FakeServer(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            step = script[min(len(fake.requests), len(script) - 1)]
            fake.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            if isinstance(step, tuple) and step[0] == "sleep":
                time.sleep(step[1])
                step = "proxy"
            if step == "proxy":
                answer = httpx.post(
                    f"{upstream}{self.path}",
                    content=body,
                    headers={"content-type": "application/json"},
                    timeout=60,
                )
                status, payload = answer.status_code, answer.content
            else:
                status, text = step
                payload = text.encode() if isinstance(text, str) else json.dumps(text).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def numbered(count: int) -> list[dict]:
    """Items whose reward is 1.0 for even indices and 0.0 for odd ones."""
    return [
        item("exact_match", str(i), str(i if i % 2 == 0 else -i), id=f"n{i}") for i in range(count)
    ]


def check_numbered(results: list[Result], count: int) -> None:
    assert [r.id for r in results] == [f"n{i}" for i in range(count)]
    assert [r.reward for r in results] == [float(i % 2 == 0) for i in range(count)]
    assert all(isinstance(r, Result) and r.status is Status.OK for r in results)


def test_chunks_keep_order(server: Server) -> None:
    requests: list[httpx.Request] = []
    with RewardClient(
        server.url, batch_size=1000, event_hooks={"request": [requests.append]}
    ) as client:
        results = client.score(numbered(2500))
    check_numbered(results, 2500)
    assert len(requests) == 3
    assert [len(json.loads(r.content)["items"]) for r in requests] == [1000, 1000, 500]


def test_typed_results_item_models_and_score_one(server: Server) -> None:
    with RewardClient(server.url) as client:
        results = client.score(
            [
                Item(verifier="exact_match", response="a", ground_truth="a", id="m"),
                {"data_source": "openai/gsm8k", "response": "so #### 42", "ground_truth": "42"},
                {"verifier": "exact_match", "response": "a", "ground_truth": 3},
            ]
        )
        one = client.score_one(item("sleep_forever"), timeout_s=0.5)
        assert client.score([]) == []
    assert [(r.id, r.verifier, r.reward, r.status) for r in results] == [
        ("m", "exact_match", 1.0, Status.OK),
        (None, "math", 1.0, Status.OK),
        (None, "exact_match", 0.0, Status.INVALID_INPUT),
    ]
    assert results[1].components == {"format": 1.0, "accuracy": 1.0}
    assert one.status is Status.TIMEOUT
    assert "0.5 s deadline" in one.detail


def test_retries_5xx_then_succeeds(server: Server) -> None:
    script = [(503, {"detail": "restarting"}), (502, "bad gateway"), "proxy"]
    with fake_server(script, upstream=server.url) as fake, RewardClient(fake.url, **FAST) as client:
        results = client.score(numbered(10), timeout_s=5)
    check_numbered(results, 10)
    assert len(fake.requests) == 3
    assert all(r["path"] == "/v1/rewards" for r in fake.requests)
    assert json.loads(fake.requests[-1]["body"])["timeout_s"] == 5


def test_retries_timeouts(server: Server) -> None:
    with (
        fake_server([("sleep", 1.0), "proxy"], upstream=server.url) as fake,
        RewardClient(fake.url, http_timeout_s=0.3, **FAST) as client,
    ):
        check_numbered(client.score(numbered(4)), 4)
    assert len(fake.requests) == 2


def test_gives_up_on_persistent_5xx() -> None:
    with (
        fake_server([(500, "Internal Server Error")]) as fake,
        RewardClient(fake.url, retries=2, **FAST) as client,
        pytest.raises(RewardServerError, match=r"after 3 attempts in [\d.]+ s: HTTP 500") as c,
    ):
        client.score(numbered(2))
    assert len(fake.requests) == 3
    assert c.value.status_code == 500
    assert c.value.attempts == 3
    assert c.value.results == []


def test_4xx_is_not_retried() -> None:
    with (
        fake_server([(401, {"detail": "bad token"}), "proxy"]) as fake,
        RewardClient(fake.url, **FAST) as client,
        pytest.raises(RewardServerError, match=r"refused: HTTP 401.*bad token") as caught,
    ):
        client.score(numbered(2))
    assert len(fake.requests) == 1
    assert caught.value.status_code == 401


def test_server_limits_are_4xx_errors(server: Server) -> None:
    with (
        RewardClient(server.url, batch_size=5000, **FAST) as client,
        pytest.raises(RewardServerError, match="4097 items exceed the limit of 4096") as caught,
    ):
        client.score([item("exact_match", "a", "a")] * 4097)
    assert caught.value.status_code == 413


def test_connection_refused_fails_quickly() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with (
        RewardClient(url, retries=3, **FAST) as client,
        pytest.raises(RewardServerError, match=r"after 4 attempts in [\d.]+ s: ConnectE") as caught,
    ):
        client.score(numbered(1))
    assert time.monotonic() - started < 2
    assert caught.value.status_code is None
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


def test_malformed_answer_is_an_error() -> None:
    with (
        fake_server([(200, {"results": [{"reward": "lots"}]})]) as fake,
        RewardClient(fake.url, **FAST) as client,
        pytest.raises(RewardServerError, match="unexpected body"),
    ):
        client.score(numbered(1))
    with (
        fake_server([(200, {"results": []})]) as fake,
        RewardClient(fake.url, **FAST) as client,
        pytest.raises(RewardServerError, match="returned 0 results for 1 items"),
    ):
        client.score(numbered(1))
    assert len(fake.requests) == 1


def test_api_key_and_base_url(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    with fake_server(["proxy"], upstream=server.url) as fake:
        with RewardClient(fake.url + "/", api_key="s3cret") as client:
            client.score_one(item("exact_match", "a", "a"))
        monkeypatch.setenv("REWARD_SERVER_URL", fake.url)
        with RewardClient() as client:
            assert client.base_url == fake.url
            client.score_one(item("exact_match", "a", "a"))
    assert fake.requests[0]["headers"]["authorization"] == "Bearer s3cret"
    assert "authorization" not in {key.lower() for key in fake.requests[1]["headers"]}
    monkeypatch.delenv("REWARD_SERVER_URL")
    with RewardClient() as client:
        assert client.base_url == DEFAULT_URL


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        RewardClient(batch_size=0)
    with pytest.raises(ValueError, match="retries"):
        RewardClient(retries=-1)
    with pytest.raises(ValueError, match="retry_window_s"):
        RewardClient(retry_window_s=-1)


def test_rides_out_a_restart_longer_than_a_few_retries(server: Server) -> None:
    """Forty refusals in a row (about 3 s here, a restarting server in the field) are
    retried through, since the default window is 60 s, not a count of attempts."""
    script = [(503, {"detail": "restarting"})] * 40 + ["proxy"]
    with (
        fake_server(script, upstream=server.url) as fake,
        RewardClient(fake.url, backoff_s=0.05, max_backoff_s=0.1) as client,
    ):
        assert client.retry_window_s == 60.0
        check_numbered(client.score(numbered(4)), 4)
    assert len(fake.requests) == 41


def test_giving_up_keeps_the_results_already_received(server: Server) -> None:
    script = ["proxy", "proxy", (500, "Internal Server Error")]
    with (
        fake_server(script, upstream=server.url) as fake,
        RewardClient(fake.url, batch_size=2, backoff_s=0.01, retry_window_s=0.3) as client,
        pytest.raises(RewardServerError) as caught,
    ):
        client.score(numbered(6))
    message = str(caught.value)
    assert "failed after" in message and "HTTP 500" in message
    assert "4 of 6 items were scored before it failed" in message
    check_numbered(caught.value.results, 4)
    assert len(fake.requests) > 3


def test_raise_on_failed_batch(server: Server) -> None:
    bad = [item("exact_match", "a", 3), item("exact_match", "b", 4)]
    with RewardClient(server.url) as client:
        assert [r.status for r in client.score(bad)] == [Status.INVALID_INPUT] * 2
    with (
        RewardClient(server.url, raise_on_failed_batch=True) as client,
        pytest.raises(RewardServerError, match=r"every item of this batch failed \(2 inv") as c,
    ):
        assert client.score([item("exact_match", "a", "a")])[0].reward == 1.0
        client.score(bad)
    assert [r.status for r in c.value.results] == [Status.INVALID_INPUT] * 2


def test_reject_unresolved(server: Server) -> None:
    items = [{"data_source": "nobody/knows", "response": "1", "ground_truth": "1"}]
    with (
        RewardClient(server.url) as client,
        pytest.raises(RewardServerError, match=r"refused: HTTP 422.*has no route") as caught,
    ):
        client.score(items, reject_unresolved=True)
    assert caught.value.status_code == 422


def test_async_client(server: Server) -> None:
    async def main() -> None:
        requests: list[httpx.Request] = []

        async def count(request: httpx.Request) -> None:
            requests.append(request)

        async with AsyncRewardClient(
            server.url, batch_size=1000, event_hooks={"request": [count]}
        ) as client:
            check_numbered(await client.score(numbered(2500)), 2500)
            one = await client.score_one(
                Item(verifier="exact_match", response="x", ground_truth="x")
            )
            assert one.reward == 1.0
        assert len(requests) == 4

        script = [(503, "busy"), (503, "busy"), "proxy"]
        with fake_server(script, upstream=server.url) as fake:
            async with AsyncRewardClient(fake.url, api_key="k", **FAST) as client:
                check_numbered(await client.score(numbered(3)), 3)
        assert len(fake.requests) == 3
        assert fake.requests[0]["headers"]["authorization"] == "Bearer k"

        with fake_server([(422, {"detail": []}), "proxy"]) as fake:
            client = AsyncRewardClient(fake.url, **FAST)
            with pytest.raises(RewardServerError, match="HTTP 422"):
                await client.score(numbered(1))
            await client.close()
        assert len(fake.requests) == 1

        url = f"http://127.0.0.1:{free_port()}"
        async with AsyncRewardClient(url, retries=3, **FAST) as client:
            with pytest.raises(RewardServerError, match=r"after 4 attempts in .* ConnectError"):
                await client.score(numbered(1))

    asyncio.run(main())
