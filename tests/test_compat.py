"""OpenRLHF's and slime's wire shapes on /get_reward, against a real server."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import Server, start_server, stop_server

PROMPT = "<|user|>What is 6 x 7?<|assistant|>"


@pytest.fixture(scope="module")
def math_server(tmp_path_factory: pytest.TempPathFactory) -> Server:
    """A server whose default verifier is math, as an OpenRLHF deployment would set it."""
    log = tmp_path_factory.mktemp("compat") / "server.log"
    server = start_server(log, "--workers", "2", env={"REWARD_SERVER_DEFAULT_VERIFIER": "math"})
    yield server
    stop_server(server)


@pytest.fixture
def compat_client(math_server: Server) -> httpx.Client:
    with math_server.client() as client:
        yield client


def test_openrlhf_batch_with_mixed_labels(compat_client: httpx.Client) -> None:
    body = {
        "query": [
            PROMPT + "The answer is \\boxed{42}.<|end|>",
            PROMPT + "The answer is \\boxed{41}.<|end|>",
            "no prompt prefix here: \\boxed{42}",
            PROMPT + '{"a": 1}',
            PROMPT + "no answer at all, just talk",
            PROMPT + "\\boxed{1}",
        ],
        "prompts": [PROMPT, PROMPT, PROMPT, PROMPT, PROMPT, PROMPT],
        "labels": [
            "42",
            "42",
            json.dumps({"verifier": "math", "ground_truth": "42"}),
            {"verifier": "json_schema", "ground_truth": {"type": "object"}},
            "42",
            {"verifier": "not_installed", "ground_truth": "1"},
        ],
    }
    response = compat_client.post("/get_reward", json=body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["rewards"] == [1.0, 0.0, 1.0, 1.0, 0.0, 0.0]
    assert answer["scores"] == answer["rewards"]
    logs = answer["extra_logs"]
    assert all(len(values) == 6 for values in logs.values())
    assert {"format", "accuracy", "parsed", "valid", "timeout", "error"} <= set(logs)
    assert logs["accuracy"][:2] == [1.0, 0.0]
    assert logs["format"][4] == 0.0
    assert logs["error"] == [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    assert logs["timeout"] == [0.0] * 6


def test_openrlhf_log_keys_are_the_same_for_every_batch(compat_client: httpx.Client) -> None:
    first = compat_client.post("/get_reward", json={"query": ["\\boxed{1}"], "labels": ["1"]})
    second = compat_client.post(
        "/get_reward",
        json={"query": ['{"a": 1}'], "labels": [{"verifier": "json_schema", "ground_truth": {}}]},
    )
    assert list(first.json()["extra_logs"]) == list(second.json()["extra_logs"])


def test_openrlhf_empty_batch(compat_client: httpx.Client) -> None:
    response = compat_client.post("/get_reward", json={"query": [], "prompts": [], "labels": []})
    assert response.status_code == 200
    answer = response.json()
    assert answer["rewards"] == [] and answer["scores"] == []
    assert all(values == [] for values in answer["extra_logs"].values())


def test_openrlhf_scores_are_clipped_to_the_unit_interval(compat_client: httpx.Client) -> None:
    label = {"verifier": "patch_similarity", "ground_truth": {"oracle_patch": "not a diff"}}
    bad = {"verifier": "patch_similarity", "ground_truth": {"oracle_patch": ORACLE}}
    response = compat_client.post(
        "/get_reward", json={"query": ["no diff", "no diff"], "labels": [label, bad]}
    )
    answer = response.json()
    assert answer["rewards"][1] == -1.0
    assert answer["scores"][1] == 0.0


ORACLE = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n"


def test_openrlhf_mismatched_lengths_are_a_422(compat_client: httpx.Client) -> None:
    response = compat_client.post("/get_reward", json={"query": ["a", "b"], "labels": ["1"]})
    assert response.status_code == 422
    assert "query has 2 entries" in response.json()["detail"]


def test_slime_sample(compat_client: httpx.Client) -> None:
    right = compat_client.post(
        "/get_reward", json={"prompt": "6 x 7?", "response": "\\boxed{42}", "label": "42"}
    )
    assert right.status_code == 200
    assert right.json()["reward"] == 1.0
    assert right.json()["score"] == 1.0
    wrong = compat_client.post("/get_reward", json={"response": "\\boxed{41}", "label": "42"})
    assert wrong.json()["reward"] == 0.0
    assert wrong.json()["status"] == "ok"


def test_without_a_default_verifier_a_bare_label_is_invalid_input(client: httpx.Client) -> None:
    answer = client.post("/get_reward", json={"query": ["\\boxed{1}"], "labels": ["1"]}).json()
    assert answer["rewards"] == [0.0]
    assert answer["extra_logs"]["error"] == [1.0]
