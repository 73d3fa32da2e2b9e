"""Composition (reward_server/composition.py): one item, several verifiers, one deadline,
their rewards combined; over the Python API, a real server and the engine's chunks."""

from __future__ import annotations

import math
import pickle

import httpx
import pytest

import reward_server
from reward_server.chunks import Answer
from reward_server.engine import Engine
from reward_server.settings import Settings
from tests.helpers import item

SCHEMA = {"type": "object", "required": ["answer"], "properties": {"answer": {"type": "integer"}}}
# "format + accuracy" for a JSON answer: 0.2 for JSON in the schema, 0.8 for the right value.
FORMAT_AND_ACCURACY = {
    "parts": [
        {"verifier": "json_schema", "name": "format", "weight": 0.2, "ground_truth": SCHEMA},
        {
            "verifier": "json_schema",
            "name": "accuracy",
            "weight": 0.8,
            "ground_truth": {"schema": SCHEMA, "expected": {"answer": 72}},
        },
    ]
}
PATCH_TRUTH = {"code_context": {"a.py": "x = 1\n"}, "oracle_new_content": {"a.py": "x = 2\n"}}


def compose(response: str, ground_truth: object, **fields: object) -> dict:
    return item("compose", response, ground_truth, **fields)


def parts(*given: dict, combine: str = "weighted_sum") -> dict:
    return {"parts": list(given), "combine": combine}


def exact(answer: str, **fields: object) -> dict:
    return {"verifier": "exact_match", "ground_truth": answer, **fields}


def test_format_and_accuracy_weighted_sum() -> None:
    right, wrong_value, wrong_type, not_json = reward_server.score(
        [
            compose('{"answer": 72}', FORMAT_AND_ACCURACY),
            compose('{"answer": 96}', FORMAT_AND_ACCURACY),
            compose('{"answer": "72", "unit": "clips"}', FORMAT_AND_ACCURACY),
            compose("The answer is 72.", FORMAT_AND_ACCURACY),
        ]
    )
    assert (right.verifier, right.status, right.reward) == ("compose", "ok", pytest.approx(1.0))
    assert (wrong_value.status, wrong_value.reward) == ("ok", pytest.approx(0.2))
    assert wrong_value.components["format.reward"] == 1.0
    assert wrong_value.components["accuracy.reward"] == 0.0
    assert wrong_value.components["accuracy.valid"] == 1.0
    # json_schema's partial credit (one of two leaves right) in both parts, weighted
    assert wrong_type.components["format.valid"] == wrong_type.components["accuracy.valid"] == 0
    assert wrong_type.reward == pytest.approx(wrong_type.components["format.reward"])
    assert 0.0 < wrong_type.reward < 0.5
    assert (not_json.status, not_json.reward) == ("format_error", 0.0)
    assert set(right.components) == {
        f"{part}.{key}"
        for part in ("format", "accuracy")
        for key in ("reward", "parsed", "valid", "checks_passed_fraction", "error_count")
    }
    assert "format: ok 1" in right.detail and "accuracy: ok 1" in right.detail


def test_math_and_exact_match_as_a_trainer_sends_them() -> None:
    truth = parts(
        {"verifier": "math", "ground_truth": "72", "weight": 0.9},
        exact("72", weight=0.1, options={"strip": True}),
    )
    boxed, bare = reward_server.score(
        [
            compose("48 + 24 = \\boxed{72}", truth, data_source="openai/gsm8k"),
            compose(" 72 ", truth, data_source="openai/gsm8k"),
        ]
    )
    assert boxed.reward == pytest.approx(0.9)
    assert (boxed.components["math.accuracy"], boxed.components["exact_match.reward"]) == (1, 0)
    assert bare.reward == pytest.approx(1.0)  # math reads a bare number as the answer


def test_min_and_product() -> None:
    both = (
        exact("Paris", name="exact"),
        exact("paris", name="loose", options={"case_sensitive": False}),
    )
    minimum, product, one_wrong = reward_server.score(
        [
            compose("Paris", parts(*both, combine="min")),
            compose("Paris", parts(*both, combine="product")),
            compose("PARIS", parts(*both, combine="product")),
        ]
    )
    assert (minimum.reward, product.reward, one_wrong.reward) == (1.0, 1.0, 0.0)
    assert one_wrong.components["loose.reward"] == 1.0


def test_two_format_errors_do_not_multiply_into_credit() -> None:
    # patch_similarity gives -1 to an answer with no patch (SWE-RL); -1 x -1 must not be 1.
    truth = parts(
        {"verifier": "patch_similarity", "name": "a", "ground_truth": PATCH_TRUTH},
        {"verifier": "patch_similarity", "name": "b", "ground_truth": PATCH_TRUTH},
        combine="product",
    )
    [result] = reward_server.score([compose("no patch here", truth)])
    assert (result.status, result.reward) == ("format_error", -1.0)
    assert result.components["a.reward"] == result.components["b.reward"] == -1.0


def test_shaping_applies_to_the_composite_and_bounds_its_weights() -> None:
    heavy = parts(exact("a", name="x", weight=500), exact("a", name="y", weight=500))
    [clipped, plain] = reward_server.score(
        [
            compose("a", heavy, options={"shaping": {"clip": {"min": 0, "max": 1}}}),
            compose("a", heavy),
        ]
    )
    assert (clipped.reward, clipped.components["raw_reward"]) == (1.0, 1000.0)
    assert plain.reward == 1000.0


BAD_COMPOSITIONS = [
    ("not an object", "a compose item's ground_truth must be an object with 'parts', got str"),
    ({"parts": []}, "ground_truth.parts: List should have at least 1 item"),
    ({"parts": [exact("a")] * 9}, "ground_truth.parts: List should have at most 8 items"),
    (parts(exact("a", weight=float("nan"))), "parts.0.weight: Input should be a finite number"),
    (parts(exact("a", weight=float("inf"))), "parts.0.weight: Input should be a finite number"),
    (parts(exact("a", weight=-1)), "parts.0.weight: Input should be greater than or equal to 0"),
    (parts(exact("a", weight=1e9)), "parts.0.weight: Input should be less than or equal to 1000"),
    (parts(exact("a", weight=0)), "every weight is 0"),
    (parts(exact("a"), exact("b")), "two parts are named 'exact_match'"),
    (parts(exact("a"), exact("a", name="x.y")), "parts.1.name: String should match pattern"),
    (parts(exact("a", weight=2), combine="min"), "parts.0.weight: weights apply to combine"),
    (parts(exact("a"), combine="mean"), "ground_truth.combine: Input should be 'weighted_sum'"),
    (parts({"verifier": "nope", "ground_truth": 1}), "parts.0.verifier 'nope' is not an installed"),
    (parts({"verifier": "compose", "ground_truth": {}}), "compositions do not nest"),
    (parts({"verifier": "exact_match"}), "parts.0.ground_truth: Field required"),
    (parts(exact("a", options={"strict": True})), "parts.0 (exact_match): options: strict: Extra"),
    (parts(exact("a", options={"shaping": {}})), "parts.0.options.shaping: shaping applies to"),
    (parts(exact("a", extra=1)), "parts.0.extra: Extra inputs are not permitted"),
]


@pytest.mark.parametrize(("truth", "detail"), BAD_COMPOSITIONS)
def test_a_bad_composition_is_invalid_input_for_its_item_only(truth: object, detail: str) -> None:
    bad, good = reward_server.score(
        [compose("a", truth), compose("a", parts(exact("a"), exact("b", name="other")))]
    )
    assert (bad.verifier, bad.status, bad.reward) == ("compose", "invalid_input", 0.0)
    assert detail in bad.detail
    assert (good.status, good.reward) == ("ok", 1.0)


def test_a_part_that_fails_in_the_worker_fails_the_item_and_names_the_part() -> None:
    wrong_truth, crash, options = reward_server.score(
        [
            compose(
                "a",
                parts(exact("a"), {"verifier": "exact_match", "name": "two", "ground_truth": 3}),
            ),
            compose("a", parts(exact("a"), {"verifier": "raise_error", "ground_truth": 1})),
            compose("a", parts(exact("a")), options={"case_sensitive": False}),
        ]
    )
    assert (wrong_truth.status, wrong_truth.reward) == ("invalid_input", 0.0)
    assert wrong_truth.detail.startswith("part 'two': ground_truth must be a string")
    assert wrong_truth.components == {
        "exact_match.reward": 0.0,
        "exact_match.accuracy": 0.0,
        "two.reward": 0.0,
        "two.accuracy": 0.0,
    }
    assert (crash.status, crash.reward) == ("error", 0.0)
    assert "part 'raise_error': RuntimeError: boom" in crash.detail
    assert (options.status, options.detail) == (
        "invalid_input",
        "options: a compose item's options hold only 'shaping'; each part has its own "
        "options (got 'case_sensitive')",
    )


def test_a_part_that_times_out_times_the_whole_item_out(client: httpx.Client) -> None:
    # Two parts of 0.7 s each pass alone under 1 s; the item's one deadline does not.
    slow = {"verifier": "sleepy", "ground_truth": "1", "options": {"seconds": 0.7}}
    body = {
        "items": [
            compose("a", parts({**slow, "name": "first"}, {**slow, "name": "second"})),
            compose("a", parts(exact("a"), {**slow, "options": {"seconds": 30}})),
            compose("a", parts(exact("a"), {**slow, "options": {"seconds": 0.1}})),
        ],
        "timeout_s": 1.0,
    }
    response = client.post("/v1/rewards", json=body)
    assert response.status_code == 200, response.text
    two_slow, hung, quick = response.json()["results"]
    for result in (two_slow, hung):
        assert (result["verifier"], result["status"], result["reward"]) == ("compose", "timeout", 0)
        assert "exceeded the 1 s deadline" in result["detail"]
    assert hung["components"] == {
        "exact_match.reward": 0.0,
        "exact_match.accuracy": 0.0,
        "sleepy.reward": 0.0,
        "sleepy.accuracy": 0.0,
    }
    assert (quick["status"], quick["reward"]) == ("ok", 2.0)


def test_a_sandboxed_part_runs_as_it_would_alone(client: httpx.Client) -> None:
    program = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
    tests = {"inputs": ["1 2\n", "3 4\n"], "outputs": ["3\n", "7\n"]}
    truth = parts(
        {"verifier": "code_tests", "ground_truth": tests, "weight": 0.9},
        {"verifier": "json_schema", "ground_truth": {"type": "string"}, "weight": 0.1},
    )
    response = client.post("/v1/rewards", json={"items": [compose(program, truth)]})
    [result] = response.json()["results"]
    assert (result["status"], result["reward"]) == ("format_error", pytest.approx(0.9))
    assert result["components"]["code_tests.passed"] == 2.0
    assert result["components"]["json_schema.parsed"] == 0.0


def test_rollouts_share_one_composition_and_openrlhf_labels_name_it(
    client: httpx.Client,
) -> None:
    rollouts = ['{"answer": 72}', '{"answer": 71}', "72"]
    items = [{"verifier": "compose", "response": r, "ground_truth_ref": "q"} for r in rollouts]
    body = {"items": items, "ground_truths": {"q": FORMAT_AND_ACCURACY}}
    rewards = [r["reward"] for r in client.post("/v1/rewards", json=body).json()["results"]]
    assert rewards == [pytest.approx(1.0), pytest.approx(0.2), 0.0]
    label = {"verifier": "compose", "ground_truth": FORMAT_AND_ACCURACY}
    openrlhf = {"query": ['Q: {"answer": 72}'], "prompts": ["Q: "], "labels": [label]}
    assert client.post("/get_reward", json=openrlhf).json()["rewards"] == [pytest.approx(1.0)]


def test_cheap_compositions_travel_in_chunks_under_their_own_name() -> None:
    truth = parts(exact("a", name="x"), exact("b", name="y"))
    with Engine(Settings(workers=1)) as engine:
        for _ in range(3):
            results = engine.score([compose(text, truth) for text in "ab" * 8])
            assert [r.reward for r in results] == [1.0] * 16
        assert engine._costs.cheap("compose[exact_match+exact_match]") is not None
        assert engine._costs.cheap("compose") is None
        assert engine.unresolved([compose("a", truth)]) == []


def test_a_ray_head_and_its_actors_compose_and_shape_as_one_engine_does() -> None:
    # RayEngine's split without the cluster (tests/test_ray_serving.py runs one): the head
    # prepares tasks, an actor's engine runs them after a pickle round trip (Ray's
    # transport), and the head collects their answers.
    truth = parts(exact("a", name="x", weight=0.25), exact("b", name="y", weight=0.75))
    batch = [compose(text, truth, id=str(index)) for index, text in enumerate("abc" * 10)]
    batch.append(compose("a", truth, options={"shaping": {"scale": -1}}))
    shaping = {"sigmoid": {"reference": 0.5}, "clip": {"min": 0.4, "max": 0.6}}

    def comparable(results: list) -> list[tuple]:
        return [(r.id, r.verifier, r.reward, r.status, r.detail, r.components) for r in results]

    with Engine(Settings(workers=1)) as local:
        expected = comparable(local.score(batch, shaping=shaping))
    sigmoid = [1 / (1 + math.exp(-(raw - 0.5))) for raw in (0.25, 0.75)]
    assert [reward for _, _, reward, *_ in expected[:3]] == pytest.approx([*sigmoid, 0.4])
    assert expected[-1][3] == "invalid_input"

    head = Engine(Settings(workers=1))  # never started: it prepares and collects
    prepared, tasks = head._prepare_all(batch, None, None, shaping)
    with Engine(Settings(workers=1)) as actor:
        finished = actor.run_tasks(pickle.loads(pickle.dumps([task for _, task in tasks])))
    answers = {}
    for (index, _), result in zip(tasks, pickle.loads(pickle.dumps(finished)), strict=True):
        answers[index] = Answer()
        answers[index].set_result(result)
    assert comparable(head._collect(batch, prepared, answers)) == expected
