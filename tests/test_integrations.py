"""verl's compute_score and TRL's reward functions, over HTTP and in-process."""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import math
import pickle
import threading

import numpy as np
import pytest

from reward_server.client import RewardServerError
from reward_server.integrations import to_python
from reward_server.integrations.trl import completion_text, reward_function
from reward_server.integrations.verl import (
    SCORE_KEYS,
    compute_score,
    compute_score_async,
    compute_score_batch,
)
from reward_server.misconfiguration import UnresolvedVerifier
from tests.conftest import Server
from tests.test_client import fake_server

UNRESOLVED = (RewardServerError, UnresolvedVerifier)  # over HTTP, in-process

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
    (
        "openai/gsm8k",
        "#### 42",
        np.int64(3),
        {"verifier": "exact_match"},
        {"score": 0.0, "error": 1},
    ),
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
        ],
        "reject_unresolved": True,
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
    with pytest.raises(UNRESOLVED, match="item 5 names no verifier, data_source 'unknown/dat"):
        compute_score_batch(*columns[:3])  # the last sample's verifier came from extra_info
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
    answers = {"answer": ["7", "7"]}
    rewards = asyncio.run(
        routed(["p"] * 2, ["#### 7", "\\boxed{8}"], **answers, data_source=["gsm8k", "math"])
    )
    assert rewards == [1.0, 0.0]
    with pytest.raises(RewardServerError, match="item 1 names no verifier, data_source 'nobody"):
        asyncio.run(routed(["p"] * 2, ["7", "7"], **answers, data_source=["gsm8k", "nobody"]))

    with pytest.raises(KeyError, match=r"no 'answer' column among .*solution"):
        asyncio.run(reward_function()(["p"], ["4"], solution=["4"]))


def test_completion_text() -> None:
    assert completion_text("plain") == "plain"
    assert completion_text([{"role": "user", "content": "q"}]) == ""
    assert completion_text([{"role": "assistant", "content": None}]) == ""
    parts = [{"type": "image"}, {"type": "text", "text": "a"}, {"text": "b"}]
    assert completion_text([{"role": "assistant", "content": parts}]) == "ab"


# -- verl 0.9.1, as it calls us ---------------------------------------------------------
# What verl's reward loop does with a custom reward function (verl/trainer/ppo/reward.py
# get_custom_reward_fn; verl/experimental/reward_loop/reward_manager/{naive,dapo,remote}.py;
# RewardLoopWorker.compute_score_batch and RewardLoopManager.compute_rm_score), and what
# the legacy prime manager does (verl/workers/reward_manager/prime.py), replayed.


def call_with(raw_fn, reward_kwargs: dict, *args, **kwargs):
    return raw_fn(*args, **{**kwargs, **reward_kwargs})


async def call_with_async(raw_fn, reward_kwargs: dict, *args, **kwargs):
    return await raw_fn(*args, **{**kwargs, **reward_kwargs})


def verl_reward_fn(raw_fn, reward_kwargs: dict):
    """``custom_reward_function`` as verl wraps it: reward kwargs merged over the call's."""
    wrapper = call_with_async if inspect.iscoroutinefunction(raw_fn) else call_with
    return functools.partial(wrapper, raw_fn, reward_kwargs)


def verl_row(case: tuple) -> dict:
    """One sample's non-tensor fields, as verl reads them from a parquet dataset."""
    data_source, solution, truth, info = case[:4]
    return {
        "data_source": data_source,
        "solution_str": solution,
        "reward_model": {"ground_truth": truth},
        "extra_info": dict(info or {}),
    }


async def run_single(manager: str, compute_score, row: dict) -> dict:
    """``RewardManagerBase.run_single`` of the naive, dapo and remote managers."""
    extra_info = row["extra_info"]
    if manager in ("naive", "remote"):
        extra_info["num_turns"] = None
        extra_info["rollout_reward_scores"] = {}
    kwargs = {
        "data_source": row["data_source"],
        "solution_str": row["solution_str"],
        "ground_truth": row["reward_model"]["ground_truth"],
        "extra_info": extra_info,
    }
    loop = asyncio.get_running_loop()
    if manager == "remote":  # a Ray actor holding the pickled function, called synchronously
        assert not inspect.iscoroutinefunction(compute_score)
        in_actor = pickle.loads(pickle.dumps(compute_score))
        result = pickle.loads(
            pickle.dumps(await loop.run_in_executor(None, lambda: in_actor(**kwargs)))
        )
    elif inspect.iscoroutinefunction(compute_score):
        result = await compute_score(**kwargs)
    else:
        result = await loop.run_in_executor(None, lambda: compute_score(**kwargs))
    if isinstance(result, dict):
        score, extra = result["score"], dict(result)
    else:
        score, extra = result, {"acc": result}
    if manager == "dapo":  # overlong penalty: arithmetic on the score
        score += min(-(10 - 8) / 4 * 1.0, 0)
    return {"reward_score": score, "reward_extra_info": extra}


def verl_batch(manager: str, compute_score, rows: list[dict]) -> tuple[list, dict]:
    """A reward worker's share (all tasks gathered on its loop), then the manager's
    assembly: a tensor of scores and one numpy column per key of the first sample."""

    async def worker() -> list[dict]:
        return await asyncio.gather(*(run_single(manager, compute_score, r) for r in rows))

    outputs = asyncio.run(worker())
    scores = [output["reward_score"] for output in outputs]
    assert np.array(scores, dtype=np.float32).shape == (len(rows),)
    infos = [output["reward_extra_info"] for output in outputs]
    columns = {key: np.array([info[key] for info in infos]) for key in infos[0]}
    return scores, columns


@pytest.mark.parametrize(
    ("manager", "function"),
    [
        ("naive", compute_score),
        ("naive", compute_score_async),
        ("dapo", compute_score_async),
        ("remote", compute_score),
    ],
)
def test_verl_reward_loop(over_http: Server, manager: str, function) -> None:
    rows = [verl_row(case) for case in VERL_CASES]
    with fake_server(["proxy"], upstream=over_http.url) as fake:
        reward_fn = verl_reward_fn(function, {"timeout_s": 5, "url": fake.url})
        scores, columns = verl_batch(manager, reward_fn, rows)
    penalty = -0.5 if manager == "dapo" else 0.0
    assert scores == [expected_scores(case)["score"] + penalty for case in VERL_CASES]
    assert list(columns) == list(SCORE_KEYS)
    assert columns["error"].tolist() == [expected_scores(case)["error"] for case in VERL_CASES]
    # compute_score_async gathers a worker's samples into one request.
    requests = 1 if function is compute_score_async else len(rows)
    assert len(fake.requests) == requests


def test_verl_reward_loop_stops_on_samples_without_a_verifier(over_http: Server) -> None:
    rows = [verl_row(VERL_CASES[0]), verl_row(("my/dataset", "42", "42", None))]
    reward_fn = verl_reward_fn(compute_score_async, {})
    with pytest.raises(RewardServerError, match="data_source 'my/dataset' has no route"):
        verl_batch("naive", reward_fn, rows)
    # The documented fix: name the verifier for the run.
    scores, _ = verl_batch("naive", verl_reward_fn(compute_score_async, {"verifier": "math"}), rows)
    assert scores == [1.0, 1.0]


def test_verl_prime_manager_gets_a_float(over_http: Server) -> None:
    """The legacy prime manager calls positionally in a process pool, then keeps
    ``float(result)`` of a number and ``float(result[0])`` of anything else."""
    evaluation = pickle.loads(pickle.dumps(verl_reward_fn(compute_score, {})))
    scores = []
    for case in VERL_CASES:
        result = pickle.loads(pickle.dumps(evaluation(*case[:4])))
        scores.append(float(result) if isinstance(result, int | float | bool) else float(result[0]))
    assert scores == [expected_scores(case)["score"] for case in VERL_CASES]
    assert float(result) == result["score"] and result[0] == result["score"]


# -- TRL 1.16, as it calls us -------------------------------------------------------------


def trl_rewards(reward_func, prompts: list, completions: list, columns: dict) -> list[float]:
    """``GRPOTrainer._calculate_rewards`` for an async reward function: keyword call with
    every dataset column and the trainer's helpers, on the trainer's own event loop in a
    daemon thread; ``None`` becomes NaN ("no reward from this function")."""
    assert trl_is_async(reward_func)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    kwargs = {
        **columns,
        "trainer_state": object(),
        "log_extra": lambda column, values: None,
        "log_metric": lambda name, value: None,
    }
    try:
        call = reward_func(prompts=prompts, completions=completions, completion_ids=[], **kwargs)
        output = asyncio.run_coroutine_threadsafe(call, loop).result()
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
    assert len(output) == len(prompts)
    return [math.nan if reward is None else float(reward) for reward in output]


def trl_is_async(func) -> bool:
    """TRL's ``is_async_callable``: functions, partials and callable instances."""
    while isinstance(func, functools.partial):
        func = func.func
    return inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(type(func).__call__)


@pytest.mark.parametrize("mode", ["over_http", "in_process"])
def test_trl_grpo_trainer_call(mode: str, request: pytest.FixtureRequest) -> None:
    request.getfixturevalue(mode)
    prompts = [[{"role": "user", "content": "2+2?"}]] * len(CONVERSATIONS)
    rewards = trl_rewards(reward_function(), prompts, CONVERSATIONS, {"answer": ANSWERS})
    assert rewards[:4] == TRL_REWARDS[:4] and math.isnan(rewards[4])
