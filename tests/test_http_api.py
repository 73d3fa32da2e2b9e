"""The native HTTP API, against a real server on loopback."""

from __future__ import annotations

import json
import random
import time

import httpx

from tests.conftest import Server
from tests.helpers import item, worker_pids


def post_items(client: httpx.Client, items: list, **envelope: object) -> list[dict]:
    response = client.post("/v1/rewards", json={"items": items, **envelope})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == len(items)
    return results


def test_health_and_readiness(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready"
    assert body["workers"] == 2
    assert "exact_match" in body["verifiers"]
    assert "broken_import" in body["unavailable_verifiers"]


def test_exact_match_batch(client: httpx.Client) -> None:
    results = post_items(
        client,
        [
            item("exact_match", " 42\n", "42", id="a"),
            item("exact_match", "41", "42", id="b"),
            item("exact_match", "YES", ["no", "yes"], options={"case_sensitive": False}),
        ],
    )
    assert [(r["id"], r["reward"], r["status"]) for r in results] == [
        ("a", 1.0, "ok"),
        ("b", 0.0, "ok"),
        (None, 1.0, "ok"),
    ]
    assert all(r["verifier"] == "exact_match" for r in results)
    assert [r["components"] for r in results] == [
        {"accuracy": 1.0},
        {"accuracy": 0.0},
        {"accuracy": 1.0},
    ]
    assert all(r["elapsed_ms"] >= 0 for r in results)


def test_single_item_endpoint(client: httpx.Client) -> None:
    result = client.post("/v1/reward", json=item("exact_match", "x", "x", id=7)).json()
    assert result["id"] == "7"
    assert result["reward"] == 1.0
    bad = client.post("/v1/reward", json={"verifier": "exact_match", "response": 3})
    assert bad.status_code == 200
    assert bad.json()["status"] == "invalid_input"
    assert client.post("/v1/reward", json=[1, 2]).status_code == 422


def test_order_is_preserved_under_parallelism(client: httpx.Client) -> None:
    rng = random.Random(1234)
    items = []
    for index in range(120):
        if index % 3:
            items.append(item("exact_match", str(index), str(index * (index % 2)), id=f"i{index}"))
        else:
            seconds = rng.choice([0.0, 0.01, 0.03])
            sleepy = item("sleepy", "", index / 1000, id=f"i{index}", options={"seconds": seconds})
            items.append(sleepy)
    results = post_items(client, items)
    assert [r["id"] for r in results] == [f"i{index}" for index in range(120)]
    for index, result in enumerate(results):
        assert result["status"] == "ok"
        if index % 3 == 0:
            assert result["verifier"] == "sleepy"
            assert result["reward"] == index / 1000
        else:
            assert result["verifier"] == "exact_match"
            assert result["reward"] == float(index % 2 == 1)


def test_hung_verifier_times_out_and_spares_the_batch(client: httpx.Client) -> None:
    items = [item("exact_match", "a", "a") for _ in range(10)]
    items.insert(3, item("sleep_forever", id="hung"))
    started = time.monotonic()
    results = post_items(client, items, timeout_s=1.0)
    elapsed = time.monotonic() - started
    assert elapsed < 1.0 + 1.0, f"took {elapsed:.2f} s"
    hung = results.pop(3)
    assert hung["status"] == "timeout"
    assert hung["reward"] == 0.0
    assert hung["components"] == {"accuracy": 0.0}
    assert "1 s deadline" in hung["detail"]
    assert all(r["status"] == "ok" and r["reward"] == 1.0 for r in results)


def test_verifier_default_deadline(client: httpx.Client) -> None:
    started = time.monotonic()
    (result,) = post_items(client, [item("slow_default")])
    assert result["status"] == "timeout"
    assert "0.5 s deadline" in result["detail"]
    assert time.monotonic() - started < 0.5 + 1.0


def two_workers(server: Server, *, none_of: frozenset[int] = frozenset()) -> frozenset[int]:
    """The server's worker processes, once they are two and none of ``none_of``."""
    deadline = time.monotonic() + 30
    while (workers := frozenset(worker_pids(server.process.pid))) & none_of or len(workers) != 2:
        assert time.monotonic() < deadline, f"workers {workers}, none of {none_of} expected"
        time.sleep(0.1)
    return workers


def test_killed_workers_are_replaced(server: Server, client: httpx.Client) -> None:
    killed = two_workers(server)
    results = post_items(client, [item("sleep_forever"), item("sleep_forever")], timeout_s=0.5)
    assert [r["status"] for r in results] == ["timeout", "timeout"]
    results = post_items(client, [item("sleepy", "", 1, options={"seconds": 0.1})] * 2)
    assert [r["status"] for r in results] == ["ok", "ok"]
    assert two_workers(server, none_of=killed).isdisjoint(killed)


def test_worker_exit_is_an_error_and_the_server_keeps_serving(client: httpx.Client) -> None:
    results = post_items(
        client,
        [item("exact_match", "a", "a"), item("exit_worker"), item("exact_match", "b", "b")],
    )
    assert [r["status"] for r in results] == ["ok", "error", "ok"]
    assert "worker process died: exit code 1" in results[1]["detail"]
    assert post_items(client, [item("exact_match", "c", "c")])[0]["reward"] == 1.0


def test_segfault_is_an_error(client: httpx.Client) -> None:
    results = post_items(client, [item("segfault"), item("exact_match", "a", "a")])
    assert results[0]["status"] == "error"
    assert "SIGSEGV" in results[0]["detail"]
    assert results[1]["status"] == "ok"


def test_exception_is_an_error_naming_its_type(client: httpx.Client) -> None:
    (result,) = post_items(client, [item("raise_error")])
    assert result["status"] == "error"
    assert result["detail"] == "RuntimeError: boom"


def test_memory_hog_hits_the_worker_limit(client: httpx.Client) -> None:
    results = post_items(client, [item("memory_hog"), item("exact_match", "a", "a")])
    assert results[0]["status"] == "error"
    assert "MemoryError" in results[0]["detail"]
    assert results[1]["status"] == "ok"


def test_non_finite_reward_is_an_error(client: httpx.Client) -> None:
    (result,) = post_items(client, [item("nan_reward")])
    assert result["status"] == "error"
    assert "non-finite" in result["detail"]


def test_bad_items_fail_alone(client: httpx.Client) -> None:
    items = [
        item("exact_match", "a", "a"),
        item("no_such_verifier", "a", "a", id="unknown"),
        "not an object",
        {"verifier": "exact_match", "ground_truth": "a"},
        {"verifier": "exact_match", "response": 5, "ground_truth": "a"},
        item("exact_match", "a", "a", typo_field=1),
        item("exact_match", "a", "a", options={"case_sensitve": False}),
        item("exact_match", "a", "a", options={"strip": "sometimes"}),
        item("exact_match", "a", 42),
        {"response": "a", "ground_truth": "a"},
        item("exact_match", "a", "a"),
    ]
    results = post_items(client, items)
    statuses = [r["status"] for r in results]
    assert statuses == ["ok"] + ["invalid_input"] * 9 + ["ok"]
    details = [r["detail"] for r in results[1:-1]]
    assert "unknown verifier 'no_such_verifier'" in details[0]
    assert results[1]["id"] == "unknown"
    assert "valid dictionary" in details[1]
    assert "response: Field required" in details[2]
    assert "response: Input should be a valid string" in details[3]
    assert "typo_field: Extra inputs are not permitted" in details[4]
    assert "options: case_sensitve: Extra inputs are not permitted" in details[5]
    assert "options: strip: Input should be a valid boolean" in details[6]
    assert "ground_truth must be a string" in details[7]
    assert "no verifier" in details[8]
    assert all(r["reward"] == 0.0 for r in results[1:-1])


def test_one_bad_item_in_a_thousand(client: httpx.Client) -> None:
    items = [item("exact_match", str(i), str(i)) for i in range(1000)]
    items[500] = item("exact_match", "x", None)
    results = post_items(client, items)
    assert [r["status"] for r in results].count("ok") == 999
    assert results[500]["status"] == "invalid_input"


def test_data_source_routes_to_the_math_verifier(client: httpx.Client) -> None:
    (result,) = post_items(
        client,
        [{"data_source": "openai/gsm8k", "response": "so #### 1,000", "ground_truth": "1000"}],
    )
    assert result["status"] == "ok"
    assert result["verifier"] == "math"
    assert result["reward"] == 1.0
    assert result["components"] == {"format": 1.0, "accuracy": 1.0}


def test_item_count_limit(client: httpx.Client) -> None:
    small = item("exact_match", "a", "a")
    assert len(post_items(client, [small] * 4096)) == 4096
    response = client.post("/v1/rewards", json={"items": [small] * 4097})
    assert response.status_code == 413
    assert response.json() == {"detail": "4097 items exceed the limit of 4096"}


def test_body_size_limit(client: httpx.Client) -> None:
    body = json.dumps({"items": [item("exact_match", "a" * (33 * 2**20), "a")]})
    response = client.post(
        "/v1/rewards", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "detail" in response.json()
    assert client.get("/healthz").status_code == 200


def test_response_length_limit(client: httpx.Client) -> None:
    at_limit = "a" * 1_000_000
    results = post_items(
        client,
        [
            item("exact_match", at_limit, at_limit),
            item("exact_match", at_limit + "a", "a"),
            item("exact_match", "a", "a", prompt="p" * 1_000_001),
        ],
    )
    assert results[0]["status"] == "ok" and results[0]["reward"] == 1.0
    assert results[1]["status"] == "invalid_input"
    assert results[1]["detail"] == "response has 1000001 characters, over the limit of 1000000"
    assert results[2]["status"] == "invalid_input"
    assert results[2]["detail"].startswith("prompt has 1000001 characters")


def test_malformed_envelopes_are_422(client: httpx.Client) -> None:
    headers = {"content-type": "application/json"}
    for body in [
        '{"items": [',
        "not json",
        "[]",
        '{"item": []}',
        '{"items": {}}',
        '{"items": [], "timeout_s": -1}',
        '{"items": [], "extra": 1, "timeout_s": "x"}',
    ]:
        response = client.post("/v1/rewards", content=body, headers=headers)
        assert response.status_code == 422, body
        assert isinstance(response.json()["detail"], list), body
    assert post_items(client, []) == []


def test_hostile_bodies_never_500(client: httpx.Client) -> None:
    headers = {"content-type": "application/json"}
    bodies = [
        "[" * 100_000,
        '{"items": [' + "[" * 50_000 + "]" * 50_000 + "]}",
        '{"items": [{"verifier": "exact_match", "response": "a", "ground_truth": NaN}]}',
        '{"items": [{"verifier": "exact_match", "response": "a", "ground_truth": 1e999}]}',
        '{"items": [{"verifier": "exact_match", "response": "\\ud800", "ground_truth": "a"}]}',
        '{"items": [{"verifier": "exact_match", "response": "a", "ground_truth": '
        + "9" * 5000
        + "}]}",
        b"\xff\xfe\x00garbage",
        "",
    ]
    for body in bodies:
        response = client.post("/v1/rewards", content=body, headers=headers)
        assert response.status_code < 500, (body[:40], response.text[:200])
    assert client.get("/readyz").status_code == 200


def test_verifiers_listing(client: httpx.Client) -> None:
    listing = {v["name"]: v for v in client.get("/v1/verifiers").json()}
    exact = listing["exact_match"]
    assert exact["components"] == ["accuracy"]
    assert exact["timeout_s"] == 10.0
    properties = exact["options_schema"]["properties"]
    assert set(properties) == {"case_sensitive", "strip", "normalize_whitespace"}
    assert exact["options_schema"]["additionalProperties"] is False
    assert listing["slow_default"]["timeout_s"] == 0.5
    assert "broken_import" not in listing and "not_a_verifier" not in listing


def test_verifiers_listing_describes_options_by_their_docstrings(client: httpx.Client) -> None:
    listing = {v["name"]: v for v in client.get("/v1/verifiers").json()}
    exact = listing["exact_match"]["options_schema"]["properties"]
    assert exact["strip"]["description"] == "Ignore leading and trailing white space."
    assert "description" not in exact["case_sensitive"]  # no docstring, no description
    localization = listing["localization"]["options_schema"]["properties"]
    assert localization["max_items"]["description"].startswith("Answers listing more locations")
    # The verifier's own description is its docstring's first line, given once.
    assert listing["json_schema"]["description"] == (
        "The response is JSON that satisfies the schema (partial credit otherwise)."
    )


def test_openapi_documents_the_api(client: httpx.Client) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    for path in ("/v1/rewards", "/v1/reward", "/v1/verifiers", "/healthz", "/readyz"):
        assert path in spec["paths"]
    assert "Result" in spec["components"]["schemas"]
