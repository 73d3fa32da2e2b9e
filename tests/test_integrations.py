"""verl's compute_score and TRL's reward functions, over HTTP and in-process."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest

from reward_server.integrations import to_python
from reward_server.integrations.trl import completion_text, reward_function
from reward_server.integrations.verl import (
    SCORE_KEYS,
    compute_score,
    compute_score_async,
    compute_score_batch,
)
from tests.conftest import Server
from tests.test_client import fake_server

# (data_source, solution_str, ground_truth, extra_info) -> the dict verl receives.
VERL_CASES = [
    (
        "openai/gsm8k",
        "Natalia sold 48 clips in April and half as many in May. ... #### 42",
        "42",
        {"index": np.int64(3), "split": "train", "arr": np.array([1, 2])},
        {"score": 1.0, "format_error": 0, "timeout": 0, "error": 0},
    ),
    ("openai/gsm8k", "#### 41", np.str_("42"), None, {"score": 0.0, "format_error": 0}),
    ("lighteval/MATH", "<think>Let me see", "\\frac12", {}, {"score": 0.0, "format_error": 1}),
    ("unknown/dataset", "42", "42", {"index": 1}, {"score": 0.0, "error": 1}),
    ("openai/gsm8k", "#### 42", np.int64(42), None, {"score": 1.0, "error": 0}),
    (
        "unknown/dataset",
        "PARIS",
        np.array(["Lyon", "Paris"]),
        {"verifier": np.str_("exact_match"), "options": {"case_sensitive": np.bool_(False)}},
        {"score": 1.0, "error": 0},
    ),
]


def expected_scores(case: tuple) -> dict:
    return {"format_error": 0, "timeout": 0, "error": 0, **case[-1]}


def check_verl(scores: list[dict]) -> None:
    assert len(scores) == len(VERL_CASES)
    for case, score in zip(VERL_CASES, scores, strict=True):
        assert tuple(score) == SCORE_KEYS
        assert score == expected_scores(case), case[:3]
        assert all(type(value) in (int, float) for value in score.values())


@pytest.fixture
def over_http(server: Server, monkeypatch: pytest.MonkeyPatch) -> Server:
    monkeypatch.setenv("REWARD_SERVER_URL", server.url)
    return server


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REWARD_SERVER_URL", raising=False)


def test_to_python() -> None:
    value = {
        "a": np.array([[1, 2], [3, 4]]),
        "b": (np.float32(0.5), np.bool_(True)),
        "c": np.array([{"x": np.int8(1)}], dtype=object),
        np.str_("d"): [np.str_("s"), None],
    }
    converted = to_python(value)
    assert converted == {"a": [[1, 2], [3, 4]], "b": [0.5, True], "c": [{"x": 1}], "d": ["s", None]}
    assert json.loads(json.dumps(converted)) == converted
    assert type(converted["b"][0]) is float and type(converted["c"][0]["x"]) is int
    assert type(next(iter(converted["c"][0]))) is str


def test_verl_over_http(over_http: Server) -> None:
    check_verl([compute_score(*case[:4]) for case in VERL_CASES])
    # verl's exact call, keyword arguments and all.
    score = compute_score(
        data_source="openai/gsm8k",
        solution_str="... #### 42",
        ground_truth="42",
        extra_info={"index": np.int64(3), "split": "train", "arr": np.array([1, 2])},
    )
    assert score == {"score": 1.0, "format_error": 0, "timeout": 0, "error": 0}


def test_verl_sends_plain_items_to_the_url_of_the_moment(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    with fake_server(["proxy"], upstream=server.url) as fake:
        monkeypatch.setenv("REWARD_SERVER_URL", fake.url)
        assert compute_score(*VERL_CASES[-1][:4])["score"] == 1.0
    (request,) = fake.requests
    assert json.loads(request["body"]) == {
        "items": [
            {
                "data_source": "unknown/dataset",
                "response": "PARIS",
                "ground_truth": ["Lyon", "Paris"],
                "verifier": "exact_match",
                "options": {"case_sensitive": False},
            }
        ]
    }


def test_verl_in_process(in_process: None) -> None:
    check_verl([compute_score(*case[:4]) for case in VERL_CASES])


def test_verl_reward_kwargs(over_http: Server) -> None:
    kwargs = {"verifier": "exact_match", "options": {"strip": False}, "sandbox_fusion_url": None}
    assert compute_score("any", " 4", "4", None, **kwargs)["score"] == 0.0
    assert compute_score("any", " 4", "4", {"options": {}}, **kwargs)["score"] == 1.0
    timed_out = compute_score("x", "", "", {"verifier": "sleep_forever"}, timeout_s=0.5)
    assert timed_out == {"score": 0.0, "format_error": 0, "timeout": 1, "error": 0}


def object_array(values: tuple) -> np.ndarray:
    """A column as verl's batch reward manager passes it: a 1-D numpy object array."""
    array = np.empty(len(values), dtype=object)
    for index, value in enumerate(values):
        array[index] = value
    return array


@pytest.mark.parametrize("mode", ["over_http", "in_process"])
def test_verl_batch(mode: str, request: pytest.FixtureRequest) -> None:
    request.getfixturevalue(mode)
    columns = list(zip(*(case[:4] for case in VERL_CASES), strict=True))
    check_verl(compute_score_batch(*[object_array(column) for column in columns]))
    check_verl(compute_score_batch(*columns))
    no_infos = compute_score_batch(*columns[:3])
    assert [s["score"] for s in no_infos] == [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    assert compute_score_batch([], [], [], []) == []
    with pytest.raises(ValueError, match="differ in length"):
        compute_score_batch(["a"], ["b", "c"], ["d"], None)


@pytest.mark.parametrize("mode", ["over_http", "in_process"])
def test_verl_async(mode: str, request: pytest.FixtureRequest) -> None:
    request.getfixturevalue(mode)

    async def main() -> list[dict]:
        return list(await asyncio.gather(*(compute_score_async(*c[:4]) for c in VERL_CASES)))

    check_verl(asyncio.run(main()))
    check_verl(asyncio.run(main()))  # a new event loop gets a client of its own


CONVERSATIONS = [
    [{"role": "assistant", "content": "\\boxed{4}"}],
    [{"role": "assistant", "content": "2+2 is \\boxed{5}"}],
    [{"role": "assistant", "content": "no idea"}],
    [
        {"role": "assistant", "content": "\\boxed{3}"},
        {"role": "user", "content": "are you sure?"},
        {"role": "assistant", "content": [{"type": "text", "text": "\\boxed{4}"}]},
    ],
    [{"role": "assistant", "content": "\\boxed{4}"}],
]
ANSWERS = ["4", "4", "4", np.str_("4"), None]
TRL_REWARDS = [1.0, 0.0, 0.0, 1.0, None]


@pytest.mark.parametrize("mode", ["over_http", "in_process", "explicit_url"])
def test_trl_reward_function(mode: str, request: pytest.FixtureRequest, server: Server) -> None:
    if mode == "explicit_url":
        request.getfixturevalue("in_process")
        reward = reward_function(url=server.url)
    else:
        request.getfixturevalue(mode)
        reward = reward_function()
    assert reward.__name__ == "reward_server_math"
    assert asyncio.iscoroutinefunction(reward)
    prompts = [[{"role": "user", "content": "2+2?"}]] * len(CONVERSATIONS)
    rewards = asyncio.run(
        reward(prompts, CONVERSATIONS, answer=ANSWERS, trainer_state=None, completion_ids=[])
    )
    assert rewards == TRL_REWARDS
    plain = [messages[-1]["content"] for messages in CONVERSATIONS[:3]]
    assert asyncio.run(reward(["2+2?"] * 3, plain, answer=ANSWERS[:3])) == TRL_REWARDS[:3]


def test_trl_options_routing_and_columns(over_http: Server) -> None:
    exact = reward_function("exact_match", "solution", options={"case_sensitive": False})
    assert exact.__name__ == "reward_server_exact_match"
    rewards = asyncio.run(exact(["p", "p"], ["YES", "no"], solution=["yes", "yes"]))
    assert rewards == [1.0, 0.0]

    routed = reward_function(verifier=None)
    assert routed.__name__ == "reward_server_routed"
    rewards = asyncio.run(
        routed(
            ["p"] * 3,
            ["#### 7", "7", "7"],
            answer=["7", "7", "7"],
            data_source=["openai/gsm8k", "nobody/knows", None],
        )
    )
    assert rewards == [1.0, None, None]

    with pytest.raises(KeyError, match=r"no 'answer' column among .*solution"):
        asyncio.run(reward_function()(["p"], ["4"], solution=["4"]))


def test_completion_text() -> None:
    assert completion_text("plain") == "plain"
    assert completion_text([{"role": "user", "content": "q"}]) == ""
    assert completion_text([{"role": "assistant", "content": None}]) == ""
    parts = [{"type": "image"}, {"type": "text", "text": "a"}, {"text": "b"}]
    assert completion_text([{"role": "assistant", "content": parts}]) == "ab"
