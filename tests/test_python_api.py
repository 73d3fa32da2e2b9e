"""The in-process API: the same engine, the same numbers, the same supervision."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import reward_server
from reward_server.engine import Engine
from reward_server.models import Item
from reward_server.settings import Settings
from tests.helpers import item, worker_pids


@pytest.fixture(scope="module")
def engine() -> Engine:
    with Engine(Settings(workers=2)) as running:
        yield running


def test_score_matches_the_http_api(client: httpx.Client) -> None:
    items = [
        item("exact_match", "a", "a", id="1"),
        item("exact_match", "A", "a", options={"case_sensitive": False}),
        item("exact_match", "a", "b"),
        item("exact_match", "a", 3),
        item("unknown", "a", "a"),
        {"response": "no verifier"},
        item("raise_error"),
    ]
    in_process = [r.model_dump(exclude={"elapsed_ms"}) for r in reward_server.score(items)]
    over_http = client.post("/v1/rewards", json={"items": items}).json()["results"]
    for result in over_http:
        del result["elapsed_ms"]
    assert in_process == over_http
    assert [r["status"] for r in in_process] == [
        "ok",
        "ok",
        "ok",
        "invalid_input",
        "invalid_input",
        "invalid_input",
        "error",
    ]


def test_score_accepts_item_models() -> None:
    (result,) = reward_server.score([Item(verifier="exact_match", response="x", ground_truth="x")])
    assert result.reward == 1.0


def test_engine_timeout_and_crash(engine: Engine) -> None:
    started = time.monotonic()
    results = engine.score(
        [item("sleep_forever"), item("exit_worker"), item("exact_match", "a", "a")],
        timeout_s=0.5,
    )
    assert [r.status for r in results] == ["timeout", "error", "ok"]
    assert time.monotonic() - started < 0.5 + 1.5
    assert engine.ready
    assert engine.score([item("exact_match", "b", "b")])[0].reward == 1.0


def test_failure_reward_is_configurable() -> None:
    with Engine(Settings(workers=1, failure_reward=-1.0)) as engine:
        results = engine.score([item("raise_error"), item("exact_match", "a", "b")])
    assert [(r.status, r.reward) for r in results] == [("error", -1.0), ("ok", 0.0)]


def test_deadline_is_capped_by_the_server() -> None:
    with Engine(Settings(workers=1, max_timeout_s=0.5)) as engine:
        started = time.monotonic()
        (result,) = engine.score([item("sleep_forever")], timeout_s=60)
    assert result.status == "timeout"
    assert "0.5 s deadline" in result.detail
    assert time.monotonic() - started < 0.5 + 1.5


def test_engine_must_be_started() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        Engine(Settings(workers=1)).score([item("exact_match", "a", "a")])


@pytest.mark.slow
def test_a_frozen_pool_is_replaced_and_its_items_answered() -> None:
    """A pool whose items wait while none runs (here: its only worker frozen with SIGSTOP;
    in the field, a worker SIGKILLed while holding the task pipe's lock) is replaced."""
    import signal

    others = set(worker_pids(os.getpid()))  # other engines of this process
    with Engine(Settings(workers=1)) as frozen:
        assert frozen.score([item("exact_match", "a", "a")])[0].reward == 1.0
        (worker,) = set(worker_pids(os.getpid())) - others
        os.kill(worker, signal.SIGSTOP)
        try:
            started = time.monotonic()
            results = frozen.score([item("exact_match", "a", "a")] * 3)
            waited = time.monotonic() - started
        finally:
            os.kill(worker, signal.SIGKILL)
        assert [r.status for r in results] == ["error"] * 3
        assert "worker pool was replaced (no item started for 5 s)" in results[0].detail
        assert waited < 15
        assert frozen.score([item("exact_match", "a", "a")])[0].reward == 1.0
        restarts = frozen.metrics.registry.get_sample_value(
            "reward_server_worker_restarts_total", {"reason": "pool"}
        )
        assert restarts == 1


SLOW_MAIN = """
import json
import sys
import time

with open(sys.argv[1], "a") as runs:  # one line each time this file runs
    runs.write("ran\\n")
time.sleep(6)  # a slow top-level import, like `import torch, trl`: over the 5 s stall limit

import reward_server

items = [
    {"verifier": "exact_match", "response": "4", "ground_truth": "4"},
    {"verifier": "math", "response": "\\\\boxed{5}", "ground_truth": "4"},
]
print(json.dumps([[r.status.value, r.reward] for r in reward_server.score(items)]))
"""


@pytest.mark.slow
def test_a_script_with_a_slow_top_level_gets_real_rewards(tmp_path: Path) -> None:
    """Workers do not import the caller's __main__: not its slow imports, not its unguarded
    top-level code (the script scores without an ``if __name__ == "__main__":``)."""
    script, runs = tmp_path / "train.py", tmp_path / "runs.txt"
    script.write_text(SLOW_MAIN)
    env = {**os.environ, "REWARD_SERVER_WORKERS": "2"}
    env.pop("REWARD_SERVER_URL", None)
    done = subprocess.run(
        [sys.executable, str(script), str(runs)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [["ok", 1.0], ["ok", 0.0]]
    assert runs.read_text() == "ran\n"
    assert "worker pool replaced" not in done.stderr
