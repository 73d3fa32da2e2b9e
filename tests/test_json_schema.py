"""The json_schema verifier: extraction, strict parsing, partial credit, safety, HTTP."""

from __future__ import annotations

import itertools
import json
import random
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import item
from verifiers import InvalidInput, Status
from verifiers.json_schema import cache_clear, engines, verify

PERSON = {
    "type": "object",
    "required": ["name", "age", "email"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "age": {"type": "integer", "minimum": 0},
        "email": {"type": "string", "format": "email"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": False,
}
ALICE = {"name": "Alice", "age": 30, "email": "alice@example.org", "tags": ["a"]}
FIVE_INTEGERS = {
    "type": "object",
    "required": list("abcde"),
    "properties": {key: {"type": "integer"} for key in "abcde"},
}


def reward(response: str, ground_truth: object, options: dict | None = None) -> float:
    return verify(response, ground_truth, options).reward


# Extraction.


@pytest.mark.parametrize(
    "response",
    [
        json.dumps(ALICE),
        f"  \n{json.dumps(ALICE, indent=2)}\n",
        f"```json\n{json.dumps(ALICE)}\n```",
        f"```JSON\n{json.dumps(ALICE)}\n```",
        f"```\n{json.dumps(ALICE)}\n```",
        f"Here you go:\n```json\n{json.dumps(ALICE)}\n```\nAnything else?",
        '```jsonc\n// a person\n{"name": "Alice", /* the age */ "age": 30,\n'
        ' "email": "alice@example.org"}\n```',
        f"<think>maybe {{not json}}</think>{json.dumps(ALICE)}",
        f"<think>```json\n{{}}\n```</think>\n```json\n{json.dumps(ALICE)}\n```",
    ],
)
def test_strict_extraction_accepts(response: str) -> None:
    outcome = verify(response, PERSON)
    assert outcome.status is Status.OK, outcome.detail
    assert outcome.reward == 1.0


@pytest.mark.parametrize(
    ("response", "problem"),
    [
        (f"The answer is {json.dumps(ALICE)}.", "neither one JSON value"),
        (f"```json\n{json.dumps(ALICE)}\n```\n```json\n{{}}\n```", "2 JSON code blocks"),
        ("", "neither one JSON value"),
        ('{"name": "Alice", "age": NaN}', "NaN is not JSON"),
        ('{"name": "Alice", "age": Infinity}', "Infinity is not JSON"),
        ('{"age": -Infinity}', "-Infinity is not JSON"),
        ('{"name": "Alice", "name": "Bob"}', "duplicate key 'name'"),
        ('{"name": "Alice",}', "invalid JSON"),
        ("[1, 2,]", "invalid JSON"),
        ("[1e400]", "out of range"),
        ("{'name': 'Alice'}", "invalid JSON"),
        ('{"a": 1} {"b": 2}', "invalid JSON"),
        ("```python\nprint(1)\n```", "neither one JSON value"),
        ("```jsonc\n/* never closed\n{}\n```", "unterminated comment"),
        ('{"a": 1 // a comment\n}', "invalid JSON"),
        ("1" * 5000, "integer longer than"),
    ],
)
def test_unparseable_output_is_a_format_error(response: str, problem: str) -> None:
    outcome = verify(response, {})
    assert outcome.status is Status.FORMAT_ERROR
    assert outcome.reward == 0.0
    assert problem in outcome.detail
    assert outcome.components == {
        "parsed": 0.0,
        "valid": 0.0,
        "checks_passed_fraction": 0.0,
        "error_count": 0.0,
    }


def test_lenient_extraction_takes_the_first_json_in_prose_with_a_penalty() -> None:
    response = f"Sure! The record is {json.dumps(ALICE)} and that is all."
    assert verify(response, PERSON).status is Status.FORMAT_ERROR
    assert reward(response, PERSON, {"extraction": "lenient"}) == pytest.approx(0.9)
    assert reward(response, PERSON, {"extraction": "lenient", "format_penalty": 0.25}) == 0.75
    fenced = f"```json\n{json.dumps(ALICE)}\n```"
    assert reward(fenced, PERSON, {"extraction": "lenient"}) == 1.0


def test_lenient_extraction_skips_broken_candidates() -> None:
    response = 'first {not json}, then [1, 2, 3] and {"a": 1}'
    outcome = verify(response, {"type": "array"}, {"extraction": "lenient"})
    assert outcome.reward == pytest.approx(0.9)


def test_thinking_is_read_only_when_asked() -> None:
    response = f"<think>{json.dumps(ALICE)}</think>"
    assert verify(response, PERSON).status is Status.FORMAT_ERROR
    assert verify(response, PERSON, {"strip_think": False}).status is Status.FORMAT_ERROR
    assert reward(f"<think>x</think>{json.dumps(ALICE)}", PERSON) == 1.0


def test_scalars_are_json_values_too() -> None:
    assert reward("42", {"type": "integer"}) == 1.0
    assert reward('"hi"', {"type": "string"}) == 1.0
    assert reward("null", {"type": "null"}) == 1.0
    assert reward("true", {"type": "boolean"}) == 1.0
    assert reward("-1.5", {"type": "number", "maximum": 0}) == 1.0


# Partial credit.


def test_worked_examples_of_the_readme() -> None:
    cases = {
        '{"a":1,"b":2,"c":3,"d":4,"e":5}': 1.0,
        '{"a":1,"b":2,"c":"x","d":4,"e":5}': 0.5 * 0.8 * 0.9,
        '{"a":1,"b":"2","c":"x","d":4,"e":5}': 0.5 * 0.6 * 0.81,
        "{}": 0.5 * (1 / 21) * 0.9**5,
    }
    for response, expected in cases.items():
        assert reward(response, FIVE_INTEGERS) == pytest.approx(expected), response


def test_empty_object_gets_almost_nothing() -> None:
    assert reward("{}", FIVE_INTEGERS) < 0.05
    assert reward("{}", PERSON) < 0.05
    assert reward("[]", PERSON) < 0.5


def test_partial_credit_is_below_the_cap_and_can_be_turned_off() -> None:
    almost = '{"a":1,"b":2,"c":3,"d":4,"e":"5"}'
    assert 0 < reward(almost, FIVE_INTEGERS) < 0.5
    assert reward(almost, FIVE_INTEGERS, {"partial_cap": 0.8}) < 0.8
    assert reward(almost, FIVE_INTEGERS, {"partial_credit": False}) == 0.0


def test_components_and_detail_of_an_invalid_instance() -> None:
    outcome = verify('{"name": "", "age": -1, "email": "alice@example.org"}', PERSON)
    assert outcome.status is Status.OK
    assert outcome.components["parsed"] == 1.0
    assert outcome.components["valid"] == 0.0
    assert outcome.components["error_count"] == 2.0
    assert outcome.components["checks_passed_fraction"] == pytest.approx(1 / 3)
    assert "/age: minimum" in outcome.detail
    assert "/name: minLength" in outcome.detail


def test_detail_lists_the_first_three_errors_and_counts_the_rest() -> None:
    outcome = verify('{"a":"1","b":"2","c":"3","d":"4","e":"5"}', FIVE_INTEGERS)
    assert "has 5 schema errors" in outcome.detail
    assert "(+2 more)" in outcome.detail


def test_formats_are_checked_unless_turned_off() -> None:
    bad_email = json.dumps({**ALICE, "email": "not an email"})
    assert reward(bad_email, PERSON) < 0.5
    assert reward(bad_email, PERSON, {"check_formats": False}) == 1.0


def test_extra_and_missing_properties_are_container_failures() -> None:
    extra = verify(json.dumps({**ALICE, "nickname": "Al"}), PERSON)
    assert extra.components["checks_passed_fraction"] == pytest.approx(5 / 6)
    missing = verify(json.dumps({"name": "Alice", "age": 30}), PERSON)
    assert missing.components["checks_passed_fraction"] == pytest.approx(2 / 6)


@st.composite
def integer_records(draw: st.DrawFn) -> tuple[dict, dict]:
    keys = draw(
        st.lists(st.text("abcdefghij", min_size=1, max_size=6), min_size=2, max_size=8, unique=True)
    )
    schema = {
        "type": "object",
        "required": keys,
        "properties": {key: {"type": "integer"} for key in keys},
    }
    return schema, {key: draw(st.integers(-1000, 1000)) for key in keys}


@settings(max_examples=60, deadline=None)
@given(integer_records(), st.randoms(use_true_random=False))
def test_each_wrong_leaf_lowers_the_reward(case: tuple[dict, dict], rng: random.Random) -> None:
    schema, record = case
    keys = list(record)
    rng.shuffle(keys)
    rewards = []
    for wrong in range(len(keys) + 1):
        instance = {k: (str(v) if k in keys[:wrong] else v) for k, v in record.items()}
        rewards.append(reward(json.dumps(instance), schema))
    assert rewards[0] == 1.0
    assert all(later < earlier for earlier, later in itertools.pairwise(rewards))


@settings(max_examples=60, deadline=None)
@given(integer_records(), st.randoms(use_true_random=False), st.integers(0, 8))
def test_key_order_does_not_change_the_reward(
    case: tuple[dict, dict], rng: random.Random, wrong: int
) -> None:
    schema, record = case
    instance = {k: (str(v) if i < wrong else v) for i, (k, v) in enumerate(record.items())}
    items = list(instance.items())
    rng.shuffle(items)
    properties = list(schema["properties"].items())
    rng.shuffle(properties)
    shuffled_schema = {**schema, "properties": dict(properties)}
    first = verify(json.dumps(instance), schema)
    second = verify(json.dumps(dict(items)), shuffled_schema)
    assert first.reward == second.reward
    assert first.components == second.components


# Expected values.


def test_expected_value_must_match_exactly() -> None:
    truth = {"schema": PERSON, "expected": ALICE}
    assert reward(json.dumps(ALICE), truth) == 1.0
    reordered = dict(reversed(list(ALICE.items())))
    assert reward(json.dumps(reordered), truth) == 1.0
    different = verify(json.dumps({**ALICE, "age": 31}), truth)
    assert different.components["valid"] == 1.0
    assert 0 < different.reward < 0.5
    assert "differs from the expected value" in different.detail


def test_expected_value_uses_json_equality() -> None:
    assert reward("1.0", {"schema": {}, "expected": 1}) == 1.0
    assert reward("true", {"schema": {}, "expected": 1}) < 0.5
    assert reward("1", {"schema": {}, "expected": True}) < 0.5
    assert reward("[1, 2]", {"schema": {}, "expected": [2, 1]}) < 0.5


# Bad ground truths and options.


@pytest.mark.parametrize(
    ("ground_truth", "message"),
    [
        ({"type": 12}, "schema"),
        ({"$ref": "#/definitions/missing"}, "schema"),
        ({"$ref": "https://example.com/other.json"}, "https://example.com/other.json"),
        ("a string", "JSON schema"),
        (42, "JSON schema"),
        ({"schema": {"type": "object"}, "documents": ["not", "a", "map"]}, "documents"),
        ({"schema": "nope"}, "JSON schema"),
    ],
)
def test_unusable_schemas_are_invalid_input(ground_truth: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=r"schema|documents") as error:
        verify("{}", ground_truth)
    assert message in str(error.value)


@pytest.mark.parametrize(
    "options",
    [
        {"extraction": "fuzzy"},
        {"partial_cap": 1.5},
        {"draft": "3"},
        {"engine": "java"},
        {"max_depth": 0},
        {"unknown": True},
    ],
)
def test_bad_options_are_invalid_input(options: dict) -> None:
    with pytest.raises(InvalidInput, match="options"):
        verify("{}", {}, options)


def test_boolean_schemas_and_documents() -> None:
    assert reward("{}", True) == 1.0
    assert reward("{}", False) < 1.0
    truth = {
        "schema": {"$ref": "https://schemas.example/person.json"},
        "documents": {"https://schemas.example/person.json": PERSON},
    }
    assert reward(json.dumps(ALICE), truth) == 1.0
    assert reward('{"name": 1}', truth) < 0.5


def test_draft_comes_from_dollar_schema_or_the_option() -> None:
    # exclusiveMaximum is a boolean modifier in draft 4 and a number from draft 6 on.
    draft4 = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "maximum": 5,
        "exclusiveMaximum": True,
    }
    assert reward("5", draft4) < 1.0
    assert reward("4", draft4) == 1.0
    with pytest.raises(InvalidInput):
        verify("5", {"maximum": 5, "exclusiveMaximum": True}, {"draft": "2020-12"})


def test_engines_give_the_same_reward() -> None:
    for response in ['{"name": "", "age": -1, "email": "x@y.org"}', "{}", json.dumps(ALICE)]:
        assert reward(response, PERSON) == reward(response, PERSON, {"engine": "python"})


def test_compiled_validators_are_reused() -> None:
    schema = {"type": "object", "properties": {f"p{i}": {"type": "integer"} for i in range(300)}}
    instance = json.dumps({f"p{i}": i for i in range(300)})
    cache_clear()
    assert verify(instance, schema).reward == 1.0
    for _ in range(5):
        reordered = dict(reversed(list(schema.items())))  # equal, but a new object each time
        assert verify(instance, reordered).reward == 1.0
    info = engines.cache_info()
    assert (info.misses, info.hits) == (1, 5)


def test_a_shared_schema_object_skips_the_cache_key() -> None:
    """Items sharing one ground truth object (ground_truth_ref, a GRPO chunk) reuse its
    validator without writing the schema as canonical text again."""
    schema = {"type": "object", "properties": {f"p{i}": {"type": "integer"} for i in range(300)}}
    instance = json.dumps({f"p{i}": i for i in range(300)})
    cache_clear()
    for _ in range(5):
        assert verify(instance, schema).reward == 1.0
    info = engines.cache_info()
    assert (info.misses, info.hits) == (1, 0)  # the canonical cache was asked once
    assert verify(instance, dict(schema)).reward == 1.0  # an equal copy: by its text
    assert engines.cache_info().hits == 1


# Safety.


def test_redos_pattern_finishes_in_milliseconds() -> None:
    schema = {"type": "string", "pattern": "^(a+)+$"}
    started = time.perf_counter()
    outcome = verify(json.dumps("a" * 30 + "!"), schema)
    assert time.perf_counter() - started < 0.5
    assert outcome.reward < 1.0


def test_remote_references_are_never_fetched() -> None:
    requests: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            body = b'{"type": "integer"}'
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = HTTPServer(("127.0.0.1", port), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{port}/x.json"
        assert httpx.get(url).status_code == 200  # the server does answer
        requests.clear()
        for engine in ("rs", "python"):
            with pytest.raises(InvalidInput):
                verify("1", {"$ref": url}, {"engine": engine})
            with pytest.raises(InvalidInput):
                verify('{"a": 1}', {"properties": {"a": {"$ref": url}}}, {"engine": engine})
    finally:
        server.shutdown()
        server.server_close()
    assert requests == []


@pytest.mark.parametrize("engine", ["rs", "python"])
def test_file_references_are_never_read(engine: str) -> None:
    with pytest.raises(InvalidInput):
        verify('"root:x:0:0"', {"$ref": "file:///etc/passwd"}, {"engine": engine})


@pytest.mark.parametrize(
    ("response", "options"),
    [
        ("[" * 100_000 + "]" * 100_000, {}),
        ("[" * 129 + "]" * 129, {"max_depth": 128}),
        ('{"a":' * 50 + "1" + "}" * 50, {"max_depth": 10}),
        (json.dumps(["x" * 1000] * 300), {}),
        ("{" * 1_000_000, {}),
        ("x" * 1_000_000, {"extraction": "lenient"}),
        ("{a " * 300_000, {"extraction": "lenient"}),
    ],
)
def test_oversized_or_deep_inputs_are_refused_quickly(response: str, options: dict) -> None:
    started = time.perf_counter()
    outcome = verify(response, {}, options)
    assert time.perf_counter() - started < 1.0
    assert outcome.status is Status.FORMAT_ERROR


def test_depth_limit_is_exact() -> None:
    assert reward("[" * 128 + "]" * 128, {}) == 1.0
    assert verify("[" * 129 + "]" * 129, {}).status is Status.FORMAT_ERROR
    assert reward('"' + "[" * 500 + '"', {}) == 1.0  # brackets inside a string do not count


# Through the server.


def test_one_batch_with_good_bad_and_unparseable_items(client: httpx.Client) -> None:
    items = [
        item("json_schema", json.dumps(ALICE), PERSON, id="valid"),
        item("json_schema", "{}", {"type": 12}, id="bad-schema"),
        item("json_schema", '{"age": NaN}', PERSON, id="nan"),
        item("json_schema", '{"name": "A", "age": -1, "email": "a@b.org"}', PERSON, id="partial"),
    ]
    response = client.post("/v1/rewards", json={"items": items})
    assert response.status_code == 200
    results = {r["id"]: r for r in response.json()["results"]}
    assert results["valid"]["reward"] == 1.0
    assert results["valid"]["status"] == "ok"
    assert results["bad-schema"]["status"] == "invalid_input"
    assert results["nan"]["status"] == "format_error"
    assert results["nan"]["components"]["parsed"] == 0.0
    assert 0 < results["partial"]["reward"] < 0.5
    assert set(results["partial"]["components"]) == {
        "parsed",
        "valid",
        "checks_passed_fraction",
        "error_count",
    }
