"""Reward shaping at the engine (reward_server/shaping.py): PAR's sigmoid, DAPO's overlong
penalty, clipping and rescaling, for every verifier, over the Python API and HTTP."""

from __future__ import annotations

import math
import random

import httpx
import pytest

import reward_server
from reward_server.shaping import Shaping
from tests.helpers import item

# Rollouts of one gsm8k prompt as a trainer sends them (data_source routes them to math).
GSM8K = "openai/gsm8k"
RIGHT = "Natalia sold 48 clips in April and half as many in May: 48 + 24 = \\boxed{72}."
WRONG = "Natalia sold 48 clips in April and 48 in May, so \\boxed{96}."
NO_ANSWER = "Natalia sold clips in April and in May."


def gsm8k(response: str, **fields: object) -> dict:
    return {"data_source": GSM8K, "response": response, "ground_truth": "72", **fields}


def dapo_penalty(length: int, max_length: int, buffer: int) -> float:
    """DAPO's equation 13, written from the paper."""
    if length <= max_length - buffer:
        return 0.0
    if length <= max_length:
        return ((max_length - buffer) - length) / buffer
    return -1.0


def par(reward: float, reference: float) -> float:
    return 1.0 / (1.0 + math.exp(-(reward - reference)))


@pytest.mark.parametrize(
    ("length", "penalty"),
    [(0, 0.0), (16384, 0.0), (16385, -1 / 4096), (18432, -0.5), (20480, -1.0), (20481, -1.0)],
)
def test_overlong_penalty_is_dapos(length: int, penalty: float) -> None:
    shaping = Shaping.model_validate({"overlong": {"max_length": 20480, "buffer": 4096}})
    reward, components = shaping.apply(1.0, length)
    assert components["overlong_penalty"] == pytest.approx(penalty)
    assert penalty == pytest.approx(dapo_penalty(length, 20480, 4096))
    assert reward == pytest.approx(1.0 + penalty)
    assert components["raw_reward"] == 1.0 and components["response_length"] == length


def test_sigmoid_is_pars_and_never_overflows() -> None:
    shaping = Shaping.model_validate({"sigmoid": {"reference": 0.5}})
    assert shaping.apply(1.0, None)[0] == pytest.approx(par(1.0, 0.5))
    assert shaping.apply(0.0, None)[0] == pytest.approx(par(0.0, 0.5))
    several = Shaping.model_validate({"sigmoid": {"reference": [0.0, 1.0]}})
    assert several.apply(1.0, None)[0] == pytest.approx((par(1.0, 0.0) + par(1.0, 1.0)) / 2)
    far = Shaping.model_validate({"sigmoid": {"reference": 1e6}})
    assert far.apply(-1e6, None)[0] == 0.0
    assert Shaping.model_validate({"sigmoid": {"reference": -1e6}}).apply(1e6, None)[0] == 1.0


def test_shaping_never_ranks_a_lower_reward_above_a_higher_one() -> None:
    rng = random.Random(19)
    for _ in range(2000):
        spec: dict = {"scale": rng.uniform(0.01, 10), "offset": rng.uniform(-5, 5)}
        if rng.random() < 0.5:
            spec["sigmoid"] = {"reference": rng.uniform(-2, 2)}
        if rng.random() < 0.5:
            low = rng.uniform(-2, 1)
            spec["clip"] = {"min": low, "max": low + rng.uniform(0, 2)}
        if rng.random() < 0.5:
            spec["overlong"] = {"max_length": 1000, "buffer": rng.randint(1, 1000)}
        shaping = Shaping.model_validate(spec)
        length = rng.randint(0, 1200)
        low_raw, high_raw = sorted(rng.uniform(-1, 1) for _ in range(2))
        low, _ = shaping.apply(low_raw, length)
        high, _ = shaping.apply(high_raw, length)
        assert low <= high, spec
        assert math.isfinite(low) and math.isfinite(high)


def test_par_on_math_rollouts_per_request_and_per_item() -> None:
    items = [
        gsm8k(RIGHT, id="right"),
        gsm8k(WRONG, id="wrong"),
        gsm8k(RIGHT, id="own", options={"shaping": {"sigmoid": {"reference": 0.9}}}),
        gsm8k(RIGHT, id="unshaped", options={"shaping": None}),
    ]
    right, wrong, own, unshaped = reward_server.score(
        items, shaping={"sigmoid": {"reference": 0.5}}
    )
    assert (right.verifier, right.status, wrong.status) == ("math", "ok", "ok")
    assert right.reward == pytest.approx(par(1.0, 0.5))
    assert wrong.reward == pytest.approx(par(0.0, 0.5))
    assert own.reward == pytest.approx(par(1.0, 0.9))
    assert right.components == {"format": 1.0, "accuracy": 1.0, "raw_reward": 1.0}
    assert wrong.components["raw_reward"] == 0.0 and wrong.components["accuracy"] == 0.0
    assert (unshaped.reward, unshaped.components) == (1.0, {"format": 1.0, "accuracy": 1.0})


def test_an_item_overrides_the_request_key_by_key() -> None:
    request = {"clip": {"min": 0.0, "max": 0.8}, "scale": 2.0, "offset": -1.0}
    [kept, replaced] = reward_server.score(
        [
            item("exact_match", "Paris", "Paris"),
            item("exact_match", "Paris", "Paris", options={"shaping": {"clip": None}}),
        ],
        shaping=request,
    )
    assert kept.reward == pytest.approx(2 * 0.8 - 1)  # clipped, then rescaled
    assert replaced.reward == pytest.approx(2 * 1.0 - 1)  # the request's scale still holds


def test_overlong_counts_the_trainers_tokens_or_characters() -> None:
    overlong = {"overlong": {"max_length": 100, "buffer": 40}}
    long_answer = "x" * 70 + " \\boxed{72}"  # 81 characters
    tokens, characters, forced = reward_server.score(
        [
            gsm8k(RIGHT, options={"shaping": overlong}, extra_info={"response_length": 80}),
            gsm8k(long_answer, options={"shaping": overlong}),
            gsm8k(
                long_answer,
                options={"shaping": {"overlong": {**overlong["overlong"], "unit": "characters"}}},
                extra_info={"response_length": 10},
            ),
        ]
    )
    assert tokens.components["response_length"] == 80
    assert tokens.components["overlong_penalty"] == pytest.approx(-20 / 40)
    assert tokens.reward == pytest.approx(0.5)
    assert characters.components["response_length"] == len(long_answer) == 81
    assert characters.reward == pytest.approx(1.0 + dapo_penalty(81, 100, 40))
    assert forced.components["response_length"] == 81


BAD_SHAPING = [
    ({"clip": {"min": 1, "max": 0}}, "options.shaping: clip: Value error, min (1) must not exceed"),
    ({"scale": -1}, "options.shaping: scale: Input should be greater than 0"),
    ({"scale": float("inf")}, "options.shaping: scale: Input should be a finite number"),
    ({"sigmoid": {"reference": float("nan")}}, "options.shaping: sigmoid.reference"),
    ({"sigmoid": {}}, "options.shaping: sigmoid.reference: Field required"),
    (
        {"overlong": {"max_length": 100, "buffer": 200}},
        "buffer (200) must not exceed max_length (100)",
    ),
    ({"overlong": {"max_length": 0, "buffer": 1}}, "overlong.max_length: Input should be greater"),
    ({"overlong": {"max_length": 10, "buffer": 5, "unit": "words"}}, "overlong.unit: Input should"),
    ({"temperature": 2}, "options.shaping: temperature: Extra inputs are not permitted"),
    ("sigmoid", "options.shaping must be an object, got str"),
]


@pytest.mark.parametrize(("shaping", "detail"), BAD_SHAPING)
def test_bad_shaping_is_invalid_input_for_its_item_only(shaping: object, detail: str) -> None:
    bad, good = reward_server.score(
        [
            item("exact_match", "4", "4", options={"shaping": shaping}),
            item("exact_match", "4", "4", options={"shaping": {"offset": 1.0}}),
        ]
    )
    assert (bad.status, bad.reward, bad.verifier) == ("invalid_input", 0.0, "exact_match")
    assert detail in bad.detail
    assert (good.status, good.reward, good.components["raw_reward"]) == ("ok", 2.0, 1.0)


@pytest.mark.parametrize(
    ("extra_info", "unit", "detail"),
    [
        ({}, "tokens", "unit is 'tokens': send the response's length in tokens"),
        ({"response_length": -5}, "auto", "response_length must be a whole number"),
        ({"response_length": True}, "auto", "got True"),
        ({"response_length": "512"}, "auto", "got '512'"),
        ({"response_length": 3.5}, "auto", "got 3.5"),
        ({"response_length": 10**12}, "tokens", "from 0 to 100000000"),
    ],
)
def test_a_bad_response_length_is_invalid_input(extra_info: dict, unit: str, detail: str) -> None:
    shaping = {"overlong": {"max_length": 100, "buffer": 10, "unit": unit}}
    [result] = reward_server.score(
        [gsm8k(RIGHT, options={"shaping": shaping}, extra_info=extra_info)]
    )
    assert (result.status, result.reward) == ("invalid_input", 0.0)
    assert detail in result.detail
    # a shaped item's failure still carries every key a shaped item has, at zero
    assert result.components == dict.fromkeys(
        ("format", "accuracy", "raw_reward", "overlong_penalty", "response_length"), 0.0
    )


def test_failures_keep_the_failure_reward_and_format_errors_are_shaped() -> None:
    raise_reward = {"shaping": {"offset": 5.0}}
    no_answer, timeout, invalid = reward_server.score(
        [
            gsm8k(NO_ANSWER, options=raise_reward),
            item("sleepy", "x", "1", options={"seconds": 30, **raise_reward}),
            item("exact_match", "x", 3, options=raise_reward),
        ],
        timeout_s=1.0,
    )
    assert (no_answer.status, no_answer.reward) == ("format_error", 5.0)
    assert no_answer.components["raw_reward"] == 0.0
    assert (timeout.status, timeout.reward) == ("timeout", 0.0)
    assert "1 s deadline" in timeout.detail
    assert timeout.components == {"accuracy": 0.0, "raw_reward": 0.0}
    assert (invalid.status, invalid.reward) == ("invalid_input", 0.0)


def test_a_request_level_shaping_that_is_bad_is_refused_whole() -> None:
    with pytest.raises(ValueError, match=r"shaping: scale: Input should be greater than 0"):
        reward_server.score([item("exact_match", "a", "a")], shaping={"scale": 0})


def test_http_request_shaping_and_item_overrides(client: httpx.Client) -> None:
    body = {
        "items": [
            gsm8k(RIGHT, id="1"),
            gsm8k(WRONG, id="2"),
            gsm8k(RIGHT, id="3", options={"shaping": {"sigmoid": None}}),
            gsm8k(RIGHT, id="4", options={"shaping": {"scale": 0}}),
        ],
        "shaping": {"sigmoid": {"reference": 0.5}, "scale": 2.0, "offset": -1.0},
    }
    response = client.post("/v1/rewards", json=body)
    assert response.status_code == 200, response.text
    right, wrong, no_sigmoid, bad = response.json()["results"]
    assert right["reward"] == pytest.approx(2 * par(1.0, 0.5) - 1)
    assert wrong["reward"] == pytest.approx(2 * par(0.0, 0.5) - 1)
    assert no_sigmoid["reward"] == pytest.approx(1.0)
    assert right["components"]["raw_reward"] == 1.0
    assert bad["status"] == "invalid_input"
    assert bad["detail"] == "options.shaping: scale: Input should be greater than 0"
    refused = client.post("/v1/rewards", json={**body, "shaping": {"clip": {"min": 2, "max": 1}}})
    assert refused.status_code == 422
    assert "min (2) must not exceed max (1)" in refused.text


def test_openrlhf_labels_carry_shaping(client: httpx.Client) -> None:
    label = {
        "verifier": "math",
        "ground_truth": "72",
        "options": {"shaping": {"sigmoid": {"reference": 0.5}}},
    }
    body = {"query": ["Q: clips? A: " + RIGHT], "prompts": ["Q: clips? A: "], "labels": [label]}
    answer = client.post("/get_reward", json=body).json()
    assert answer["rewards"] == [pytest.approx(par(1.0, 0.5))]


def test_openapi_documents_the_shaping_options(client: httpx.Client) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    shaping = schemas["Shaping"]
    assert set(shaping["properties"]) == {"overlong", "sigmoid", "clip", "scale", "offset"}
    assert "PAR" in shaping["properties"]["sigmoid"]["description"]
    assert "DAPO" in shaping["properties"]["overlong"]["description"]
    assert set(schemas["Overlong"]["properties"]) == {"max_length", "buffer", "unit"}
    assert schemas["Overlong"]["properties"]["unit"]["enum"] == ["auto", "characters", "tokens"]
    assert "reference" in schemas["Sigmoid"]["required"]
    request = schemas["RewardsRequest"]["properties"]["shaping"]
    assert {"$ref": "#/components/schemas/Shaping"} in request["anyOf"]
