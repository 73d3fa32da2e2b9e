"""A request may send each distinct ground truth once (issue 19): GRPO's rollouts of one
prompt share theirs. Items name it with ``ground_truth_ref``; the old shape still works."""

from __future__ import annotations

import httpx

from reward_server.engine import Engine
from reward_server.settings import Settings

SCHEMA = {"type": "object", "required": ["answer"], "properties": {"answer": {"type": "integer"}}}


def inline_copy(item: dict) -> dict:
    own = {key: value for key, value in item.items() if key != "ground_truth_ref"}
    return {**own, "ground_truth": SCHEMA}


def test_items_share_a_ground_truth_by_name(client: httpx.Client) -> None:
    rollouts = ['{"answer": 3}', '{"answer": "three"}', "not json", '{"answer": 4}']
    items = [
        {"id": str(index), "verifier": "json_schema", "response": text, "ground_truth_ref": "q1"}
        for index, text in enumerate(rollouts)
    ]
    items.append({"id": "own", "verifier": "exact_match", "response": "a", "ground_truth": "a"})
    response = client.post("/v1/rewards", json={"items": items, "ground_truths": {"q1": SCHEMA}})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    inline = client.post(
        "/v1/rewards",
        json={"items": [inline_copy(item) for item in items[:4]]},
    ).json()["results"]
    assert [r["reward"] for r in results[:4]] == [r["reward"] for r in inline]
    assert [r["reward"] for r in results] == [1.0, 0.0, 0.0, 1.0, 1.0]


def test_a_bad_reference_costs_only_its_item(client: httpx.Client) -> None:
    items = [
        {"verifier": "exact_match", "response": "a", "ground_truth_ref": "missing"},
        {"verifier": "exact_match", "response": "a", "ground_truth_ref": "a", "ground_truth": "a"},
        {"verifier": "exact_match", "response": "a", "ground_truth_ref": "a"},
    ]
    response = client.post("/v1/rewards", json={"items": items, "ground_truths": {"a": "a"}})
    first, both, good = response.json()["results"]
    assert first["status"] == "invalid_input"
    assert "'missing' names none of the request's ground_truths" in first["detail"]
    assert both["status"] == "invalid_input" and "not both" in both["detail"]
    assert (good["status"], good["reward"]) == ("ok", 1.0)


def test_the_engine_takes_shared_ground_truths() -> None:
    with Engine(Settings(workers=1)) as engine:
        items = [{"verifier": "exact_match", "response": r, "ground_truth_ref": "g"} for r in "ab"]
        results = engine.score(items, ground_truths={"g": "b"})
    assert [r.reward for r in results] == [0.0, 1.0]
