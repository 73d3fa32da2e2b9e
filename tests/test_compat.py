"""OpenRLHF's and slime's wire shapes on /get_reward, against a real server.

The contract tests replay what the trainers' current code sends and do with our answer
what it does (OpenRLHF 0.11: ``SingleTurnAgentExecutor`` in openrlhf/utils/agent.py and
``_process_response_into_experience`` in openrlhf/trainer/ppo_utils/samples_generator.py;
slime: ``remote_rm`` in slime/rollout/rm_hub/__init__.py and ``Sample.get_reward_value``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from reward_server import compat
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
            {"verifier": "exact_match", "ground_truth": 1},
        ],
    }
    response = compat_client.post("/get_reward", json=body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["rewards"] == [1.0, 0.0, 1.0, 1.0, 0.0, 0.0]
    assert answer["scores"] == answer["rewards"]
    logs = answer["extra_logs"]
    assert all(len(values) == 6 for values in logs.values())
    # the default routes' targets' (math, code_tests, translation, reasoning_gym), sorted,
    # then the operational ones
    assert list(logs) == [
        "accuracy", "compiled", "first_failure", "format", "overlong", "passed", "quality",
        "source_copy", "task_score", "total", "wrong_language", "timeout", "error",
    ]  # fmt: skip
    assert logs["accuracy"][:2] == [1.0, 0.0]
    assert logs["format"][4] == 0.0
    assert logs["error"] == [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]  # a number is no exact_match gold
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


def metric(client: httpx.Client, name: str) -> float:
    """The sum of a Prometheus counter's samples on the server."""
    text = client.get("/metrics").text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name) and not line.startswith("#")
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/get_reward", {"query": ["\\boxed{1}"], "prompts": [""], "labels": ["1"]}),
        ("/get_reward", {"prompt": "1?", "response": "\\boxed{1}", "label": "1"}),
        ("/slime/reward", {"prompt": "1?", "response": "\\boxed{1}", "label": "1"}),
    ],
)
def test_without_a_default_verifier_a_bare_label_is_refused_and_logged(
    server: Server, client: httpx.Client, path: str, body: dict
) -> None:
    before = metric(client, "reward_server_misconfigured_requests_total")
    response = client.post(path, json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "1 of 1 items have no verifier" in detail
    assert "REWARD_SERVER_DEFAULT_VERIFIER=math" in detail
    assert '{"verifier": "math", "ground_truth": "42"}' in detail
    assert metric(client, "reward_server_misconfigured_requests_total") == before + 1
    assert f"{path} refused: 1 of 1 items have no verifier" in server.log()


def test_a_label_naming_a_missing_verifier_is_refused(compat_client: httpx.Client) -> None:
    labels = ["42", {"verifier": "not_installed", "ground_truth": "1"}]
    response = compat_client.post("/get_reward", json={"query": ["a", "b"], "labels": labels})
    assert response.status_code == 422
    assert (
        "item 1 names verifier 'not_installed', which is not installed"
        in (response.json()["detail"])
    )


@pytest.mark.parametrize(
    ("path", "body", "flag"),
    [
        ("/get_reward", {"query": ["x"], "prompts": ["p"], "labels": [""]}, "--data.label_key"),
        ("/get_reward", {"query": ["x", "y"]}, "--data.label_key"),
        ("/get_reward", {"prompt": "p", "response": "x", "label": None}, "--label-key"),
        ("/slime/reward", {"prompt": "p", "response": "x"}, "--label-key"),
    ],
)
def test_empty_labels_name_the_trainer_flag(
    compat_client: httpx.Client, path: str, body: dict, flag: str
) -> None:
    response = compat_client.post(path, json=body)
    assert response.status_code == 422
    assert "labels are empty" in response.json()["detail"]
    assert flag in response.json()["detail"]


def test_slime_reward_is_a_bare_number(compat_client: httpx.Client) -> None:
    right = compat_client.post(
        "/slime/reward", json={"prompt": "6 x 7?", "response": "\\boxed{42}", "label": "42"}
    )
    assert right.status_code == 200
    assert right.json() == 1.0
    label = json.dumps({"verifier": "exact_match", "ground_truth": "Paris"})
    wrong = compat_client.post("/slime/reward", json={"response": "Lyon", "label": label})
    assert wrong.json() == 0.0


def test_a_batch_that_failed_whole_carries_a_warning(server: Server, client: httpx.Client) -> None:
    before = metric(client, "reward_server_failed_batches_total")
    bad = {"verifier": "exact_match", "response": "a", "ground_truth": 3}
    failed = client.post("/v1/rewards", json={"items": [bad, bad]})
    assert failed.status_code == 200
    warning = failed.headers["x-reward-server-warning"]
    assert warning.startswith("every item of this batch failed (2 invalid_input); first: ")
    assert metric(client, "reward_server_failed_batches_total") == before + 1
    assert "every item of a batch failed" in server.log()
    good = {"verifier": "exact_match", "response": "a", "ground_truth": "a"}
    mixed = client.post("/v1/rewards", json={"items": [bad, good]})
    assert "x-reward-server-warning" not in mixed.headers
    assert "x-reward-server-warning" in client.post("/v1/reward", json=bad).headers


def test_native_batches_can_ask_to_refuse_unresolved_items(client: httpx.Client) -> None:
    items = [{"response": "1", "ground_truth": "1", "data_source": "nobody/knows"}]
    kept = client.post("/v1/rewards", json={"items": items})
    assert kept.json()["results"][0]["status"] == "invalid_input"
    refused = client.post("/v1/rewards", json={"items": items, "reject_unresolved": True})
    assert refused.status_code == 422
    assert "data_source 'nobody/knows' has no route" in refused.json()["detail"]


# -- OpenRLHF 0.11, as it calls us ------------------------------------------------------

QWEN = (
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "<|im_start|>user\nWhat is 6 x 7?<|im_end|>\n<|im_start|>assistant\n"
)
LLAMA3 = (
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhat is 6 x 7?<|eot_id|>"
    "<|start_header_id|>assistant<|end_header_id|>\n\n"
)
LLAMA2 = "<s>[INST] What is 6 x 7? [/INST]"


def openrlhf_sample(client: httpx.Client, query: str, prompt: str, label: Any) -> dict:
    """One sample as OpenRLHF 0.11 scores it: ``query`` is prompt + response decoded with
    special tokens, posted alone; the answer's lists become the sample's ``info``."""
    payload = {"query": [query], "prompts": [prompt], "labels": [label]}
    response = client.post("/get_reward", json=payload)
    response.raise_for_status()  # OpenRLHF retries, then gives the sample no reward
    rewards_info = response.json()
    reward = rewards_info.get("rewards")
    score = rewards_info.get("scores")
    if score is None:
        score = rewards_info.get("rewards")
    extra_logs = rewards_info.get("extra_logs") or {}
    # torch.tensor([reward]) and torch.tensor([value]) for each extra_logs value: numbers.
    assert isinstance(reward, list) and len(reward) == 1 and type(reward[0]) is float
    assert isinstance(score, list) and len(score) == 1 and type(score[0]) is float
    for values in extra_logs.values():
        assert isinstance(values, list) and len(values) == 1 and type(values[0]) is float
    return {"reward": reward[0], "score": score[0], **{k: v[0] for k, v in extra_logs.items()}}


@pytest.mark.parametrize(
    ("prompt", "response", "reward"),
    [
        (QWEN, "6 x 7 = 42.\n#### 42<|im_end|>", 1.0),
        (QWEN, "#### 42<|im_end|><|endoftext|><|endoftext|>", 1.0),
        (QWEN, "#### 42<|im_end|>\n<|im_start|>user", 1.0),
        (QWEN, "#### 41<|im_end|>", 0.0),
        (LLAMA3, "So the answer is #### 42<|eot_id|>", 1.0),
        (LLAMA2, " The product is \\boxed{42}.</s>", 1.0),
    ],
)
def test_openrlhf_responses_lose_the_prompt_and_end_tokens(
    compat_client: httpx.Client, prompt: str, response: str, reward: float
) -> None:
    info = openrlhf_sample(compat_client, prompt + response, prompt, "42")
    assert (info["reward"], info["score"], info["accuracy"], info["error"]) == (
        reward,
        reward,
        reward,
        0.0,
    )


def test_openrlhf_prompt_cut_from_the_left(compat_client: httpx.Client) -> None:
    """A prompt longer than max_len is cut at its start, so the query does not begin with it."""
    long_prompt = QWEN.replace("You are a helpful assistant.", "Be brief. " * 200)
    query = long_prompt[1500:] + "#### 42<|im_end|>"
    assert openrlhf_sample(compat_client, query, long_prompt, "42")["reward"] == 1.0


PARIS = json.dumps({"verifier": "exact_match", "ground_truth": "Paris"})


def test_openrlhf_extra_logs_keys_are_the_same_for_every_sample(
    compat_client: httpx.Client,
) -> None:
    """OpenRLHF stacks every sample's info; a key missing from one sample breaks it."""
    samples = [
        (QWEN + "#### 42<|im_end|>", "42"),
        (QWEN + '{"a": 1}<|im_end|>', {"verifier": "json_schema", "ground_truth": {}}),
        (QWEN + "Paris<|im_end|>", PARIS),
        (QWEN + "x<|im_end|>", {"verifier": "exact_match", "ground_truth": 3}),
    ]
    infos = [openrlhf_sample(compat_client, query, QWEN, label) for query, label in samples]
    assert [info["reward"] for info in infos] == [1.0, 1.0, 1.0, 0.0]
    assert all(list(info) == list(infos[0]) for info in infos)
    assert [info["error"] for info in infos] == [0.0, 0.0, 0.0, 1.0]


def test_extra_logs_verifiers() -> None:
    installed = ["exact_match", "json_schema", "math", "swe_tests"]
    routes = {"gsm8k": "math", "qa_*": "exact_match"}
    assert compat.logged_verifiers(None, None, routes, installed) == ["exact_match", "math"]
    assert compat.logged_verifiers(None, "json_schema", {}, installed) == ["json_schema"]
    assert compat.logged_verifiers(["swe_tests"], "math", routes, installed) == ["swe_tests"]
    with pytest.raises(ValueError, match="'nope', which is not installed"):
        compat.logged_verifiers(["math", "nope"], None, {}, installed)


def test_a_server_with_an_unknown_extra_logs_verifier_does_not_start(tmp_path: Path) -> None:
    env = {"REWARD_SERVER_EXTRA_LOGS_VERIFIERS": '["nope"]'}
    with pytest.raises(RuntimeError, match=r"(?s)exited with 2.*extra_logs_verifiers names 'nope'"):
        start_server(tmp_path / "server.log", env=env, startup_s=30)


# -- slime, as it calls us --------------------------------------------------------------


def slime_reward(client: httpx.Client, path: str, sample: dict, reward_key: str | None) -> float:
    """``remote_rm`` posts the sample and stores the JSON answer as ``sample.reward``;
    ``get_reward_value`` then reads it, through ``--reward-key`` when one is given."""
    payload = {"prompt": sample["prompt"], "response": sample["response"], "label": sample["label"]}
    response = client.post(path, json=payload)
    response.raise_for_status()
    stored = response.json()
    value = stored if not reward_key else stored[reward_key]
    return float(value)  # what the rollout and the dynamic-sampling filter compute with


@pytest.mark.parametrize(
    ("path", "reward_key"), [("/slime/reward", None), ("/get_reward", "reward")]
)
def test_slime_contract(compat_client: httpx.Client, path: str, reward_key: str | None) -> None:
    chat = [{"role": "user", "content": "What is 6 x 7?"}]
    samples = [
        {"prompt": "What is 6 x 7?", "response": "\\boxed{42}", "label": "42"},
        {"prompt": chat, "response": "#### 42<|im_end|>", "label": "42"},
        {"prompt": "6 x 7?", "response": "\\boxed{41}", "label": "42"},
    ]
    rewards = [slime_reward(compat_client, path, s, reward_key) for s in samples]
    assert rewards == [1.0, 1.0, 0.0]


def test_slime_without_a_reward_key_needs_the_bare_number_endpoint(
    compat_client: httpx.Client,
) -> None:
    """/get_reward answers an object, which slime cannot use without --reward-key."""
    sample = {"prompt": "p", "response": "\\boxed{1}", "label": "1"}
    with pytest.raises(TypeError):
        slime_reward(compat_client, "/get_reward", sample, None)


def test_no_component_overwrites_openrlhfs_own_info_entries() -> None:
    """OpenRLHF puts extra_logs into a sample's info next to its reward and score."""
    keys = compat.log_keys(["accuracy", "score", "reward", "response_length", "format"])
    assert keys == ["accuracy", "format", "timeout", "error"]
