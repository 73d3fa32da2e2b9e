"""json_schema on what the real-world corpus found (issue 20), one section per defect.

1. strict extraction finds the one fenced block whatever the first line looks like;
2. patterns with ECMA-262 Annex B literals are accepted in every draft, and a schema that is
   really unusable is named by keyword, pointer and reason, never dumped;
3. errors are counted up to ``max_errors``, and partial credit is computed on those;
4. lenient extraction prefers what the schema's root takes and scores no fragment of
   malformed JSON;
5. the python engine checks formats and matches patterns as the default engine does.
(6, the corpus, is tests/test_json_schema_corpus.py.)
"""

from __future__ import annotations

import json
import time

import pytest

from verifiers import InvalidInput, Status
from verifiers.json_schema import JsonSchemaOptions, verify

ENGINES = ["rs", "python"]
DRAFTS = ["4", "6", "7", "2019-09", "2020-12"]
PERSON = {
    "type": "object",
    "required": ["name", "age"],
    "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
}
ALICE = {"name": "Alice", "age": 30}
FENCED = f"```json\n{json.dumps(ALICE, indent=2)}\n```"


# 1. Strict extraction.


@pytest.mark.parametrize(
    "first_line",
    [
        "- Output:",
        "1. Output:",
        "[Answer]",
        '"Here is the record."',
        "{name} and {age} below",
        "-1 was the old age; the record:",
        "42 is not the answer, this is:",
        "true story:",
        "Output:",
    ],
)
@pytest.mark.parametrize("engine", ENGINES)
def test_one_fenced_block_is_found_whatever_the_first_line(first_line: str, engine: str) -> None:
    outcome = verify(f"{first_line}\n{FENCED}\n", PERSON, {"engine": engine})
    assert (outcome.status, outcome.reward) == (Status.OK, 1.0), outcome.detail
    assert "fenced block" in outcome.detail


def test_a_broken_block_says_what_was_tried_and_why() -> None:
    outcome = verify('[Answer]\n```json\n{"name": "Alice", "age": 30,}\n```', PERSON)
    assert outcome.status is Status.FORMAT_ERROR
    assert outcome.detail.startswith("the ```json block is not valid JSON: invalid JSON")
    assert "nor is the whole output: invalid JSON" in outcome.detail
    prose = verify('Here:\n```json\n{"name": NaN}\n```', PERSON)
    assert prose.detail == "the ```json block is not valid JSON: NaN is not JSON"


def test_json_looking_text_without_a_block_says_why_it_is_not_json() -> None:
    outcome = verify('[Answer] {"name": "Alice", "age": 30}', PERSON)
    assert outcome.status is Status.FORMAT_ERROR
    assert outcome.detail.startswith("the whole output is not valid JSON: invalid JSON")
    assert outcome.detail.endswith("no ```json block")


def test_strict_still_refuses_two_blocks_and_prose() -> None:
    assert verify(f"- a\n{FENCED}\n{FENCED}", PERSON).detail == (
        "2 JSON code blocks; expected exactly one"
    )
    assert verify(f"- Output: {json.dumps(ALICE)}", PERSON).status is Status.FORMAT_ERROR


# 2. Patterns and unusable schemas.

ANNEX_B_PATTERNS = [
    # pattern, matches, does not match (ECMA-262 Annex B reading)
    (r".*\{\{.+}}.*", "a {{x}} b", "a {x} b"),
    (r"^PUBMED:\{d}$", "PUBMED:{d}", "PUBMED:d"),
    (r"^[[a-z]*[-]?[a-z]*]*$", "[ab-cd]]", "AB"),
    (r"^\[([0-9a-f:]+)]:([0-9]*)$", "[::1]:8080", "::1:8080"),
    (r"^a{,2}$", "a{,2}", "aa"),
    (r"^\p{Lu}+}$", "AB}", "ab}"),
]


@pytest.mark.parametrize(("pattern", "good", "bad"), ANNEX_B_PATTERNS)
@pytest.mark.parametrize("draft", DRAFTS)
@pytest.mark.parametrize("engine", ENGINES)
def test_annex_b_patterns_work_in_every_draft(
    pattern: str, good: str, bad: str, draft: str, engine: str
) -> None:
    schema = {"type": "string", "pattern": pattern}
    options = {"draft": draft, "engine": engine}
    assert verify(json.dumps(good), schema, options).reward == 1.0
    assert verify(json.dumps(bad), schema, options).reward < 1.0
    keyed = {"patternProperties": {pattern: {"type": "integer"}}}
    assert verify(json.dumps({good: 1}), keyed, options).reward == 1.0
    assert verify(json.dumps({good: "x"}), keyed, options).reward < 1.0


@pytest.mark.parametrize("draft", ["4", "6", "7"])
@pytest.mark.parametrize("engine", ENGINES)
def test_strict_patterns_keep_the_metaschema_check(draft: str, engine: str) -> None:
    schema = {"properties": {"tag": {"type": "string", "pattern": r".*\{\{.+}}.*"}}}
    options = {"draft": draft, "engine": engine, "strict_patterns": True}
    with pytest.raises(InvalidInput) as error:
        verify('{"tag": "{{x}}"}', schema, options)
    assert "/properties/tag/pattern" in str(error.value)
    assert "regex" in str(error.value)


def test_data_that_looks_like_a_pattern_is_not_rewritten() -> None:
    schema = {"const": {"pattern": "a]"}, "enum": [{"pattern": "a]"}]}
    assert verify('{"pattern": "a]"}', schema, {"draft": "7"}).reward == 1.0
    assert verify('{"pattern": "a\\\\]"}', schema, {"draft": "7"}).reward < 1.0


BIG = {f"field_{i}": {"type": "string", "description": "d" * 100} for i in range(800)}


@pytest.mark.parametrize(
    ("schema", "pointer", "keyword"),
    [
        ({"definitions": {"x": {"allOf": BIG}}}, "/definitions/x/allOf", "type"),
        ({"properties": {"a": {"type": ["string", 3]}}}, "/properties/a/type/1", "enum"),
        ({"items": {"pattern": "(unclosed"}}, "/items/pattern", "format"),
        ({"type": 12}, "/type", "anyOf"),
    ],
)
@pytest.mark.parametrize("engine", ENGINES)
def test_an_unusable_schema_is_named_by_keyword_pointer_and_reason(
    schema: dict, pointer: str, keyword: str, engine: str
) -> None:
    assert len(json.dumps(BIG)) > 100_000
    draft7 = {"$schema": "http://json-schema.org/draft-07/schema#", **schema}
    with pytest.raises(InvalidInput) as error:
        verify("{}", draft7, {"engine": engine})
    message = str(error.value)
    assert message.startswith(f"unusable schema: {keyword!r} fails at {pointer}: "), message
    assert len(message) < 300
    assert "dddddddddd" not in message


# 3. Error counts.


@pytest.mark.parametrize("engine", ENGINES)
def test_errors_are_counted_up_to_max_errors(engine: str) -> None:
    schema = {"type": "array", "items": {"type": "integer"}}
    response = json.dumps(["x"] * 40_000 + [1] * 40_000)
    started = time.perf_counter()
    options = {"engine": engine, "max_bytes": 1_000_000}
    outcome = verify(response, schema, options)
    assert time.perf_counter() - started < 2.0  # listing all 40,000 took 0.8-1.3 s
    assert outcome.components["error_count"] == 100
    assert "at least 100 (max_errors) schema errors" in outcome.detail
    # Partial credit on the counted errors: 100 of 80,000 leaves fail.
    assert outcome.components["checks_passed_fraction"] == pytest.approx(79_900 / 80_000)
    assert outcome.reward == pytest.approx(0.5 * 79_900 / 80_000 * 0.9**20)
    fewer = verify(response, schema, {**options, "max_errors": 5})
    assert fewer.components["error_count"] == 5
    assert fewer.reward == pytest.approx(0.5 * 79_995 / 80_000 * 0.9**5)


@pytest.mark.parametrize("engine", ENGINES)
def test_below_the_cap_nothing_changes(engine: str) -> None:
    schema = {"type": "array", "items": {"type": "integer"}}
    outcome = verify(json.dumps(["x"] * 30 + [1] * 10), schema, {"engine": engine})
    assert outcome.components["error_count"] == 30
    assert "has 30 schema errors" in outcome.detail
    assert outcome.reward == pytest.approx(0.5 * 10 / 40 * 0.9**20)


@pytest.mark.parametrize("max_errors", [0, 100_001, "many"])
def test_max_errors_is_bounded(max_errors: object) -> None:
    with pytest.raises(InvalidInput):
        verify("[]", {}, {"max_errors": max_errors})


# 4. Lenient extraction.

LENIENT = {"extraction": "lenient"}


def test_a_citation_does_not_beat_the_object_the_schema_asks_for() -> None:
    response = f"As shown in [1] and [2], the record is {json.dumps(ALICE)}."
    outcome = verify(response, PERSON, LENIENT)
    assert outcome.reward == pytest.approx(0.9)
    assert "after 2 of a type the schema's root refuses" in outcome.detail


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "array"}, 0.9),  # the array, after the object
        ({"items": {"type": "integer"}}, 0.9),  # array keywords say array
        ({"$ref": "#/$defs/list", "$defs": {"list": {"type": "array"}}}, 0.9),
        ({"type": ["array", "null"]}, 0.9),
        (
            {"anyOf": [{"type": "array"}, {"$ref": "#/$defs/n"}], "$defs": {"n": {"type": "null"}}},
            0.9,
        ),
    ],
)
def test_the_root_type_picks_the_candidate(schema: dict, expected: float) -> None:
    response = 'Config {"a": 1} gives [1, 2, 3].'
    assert verify(response, schema, LENIENT).reward == pytest.approx(expected)
    assert verify(response, {"type": "object"}, LENIENT).reward == pytest.approx(0.9)


def test_when_nothing_fits_the_root_the_first_value_is_scored() -> None:
    outcome = verify("See [1] and [2].", PERSON, LENIENT)
    assert outcome.status is Status.OK
    assert outcome.components["valid"] == 0
    assert "after" not in outcome.detail


def test_a_self_referencing_root_is_read_within_a_budget() -> None:
    schema = {"$ref": "#", "anyOf": [{"$ref": "#"}, {"$ref": "#"}]}
    assert verify('[1] {"a": 1}', schema, LENIENT).reward == pytest.approx(0.9)


def test_without_a_root_type_the_first_value_wins() -> None:
    outcome = verify('See [1]. {"a": 1}', {"properties": {}}, LENIENT)
    assert outcome.reward == pytest.approx(0.9)  # properties: an object is wanted
    first = verify('See [1]. {"a": 1}', {"minimum": 0}, LENIENT)
    assert first.reward == pytest.approx(0.9)
    assert "after" not in first.detail


@pytest.mark.parametrize(
    "response",
    [
        "{'name': 'Alice', 'meta': {}}",
        '{"name": "Alice", "meta": {"x": 1},}',
        'Result: {"a": [1, 2,], "b": {}}',
        "[{'a': 1}, {}]",
    ],
)
def test_no_fragment_of_malformed_json_is_scored(response: str) -> None:
    outcome = verify(response, {}, LENIENT)  # no root type: {} would have earned 0.9
    assert outcome.status is Status.FORMAT_ERROR, outcome
    assert outcome.detail == "no JSON object or array found in the output"


def test_a_bracket_that_never_closes_is_prose() -> None:
    response = f"Step [1: compute the age. Answer: {json.dumps(ALICE)}"
    assert verify(response, PERSON, LENIENT).reward == pytest.approx(0.9)
    after_malformed = f"Draft: {{'name': 'x'}}. Final: {json.dumps(ALICE)}"
    assert verify(after_malformed, PERSON, LENIENT).reward == pytest.approx(0.9)


def test_many_candidates_of_the_wrong_type_stay_fast() -> None:
    started = time.perf_counter()
    outcome = verify("[] " * 300_000, PERSON, {**LENIENT, "max_bytes": 1_000_000})
    assert time.perf_counter() - started < 2.0
    assert outcome.status is Status.OK
    assert outcome.reward < 0.5


# 5. The python engine.


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("date-time", "2018-11-13T20:20:39+00:00", "2018-12-14T10:00:00"),
        ("date", "2024-02-29", "2023-02-29"),
        ("time", "20:20:39Z", "25:00:00Z"),
        ("uri", "https://example.org/a?b=c", "not a uri"),
        ("uri-reference", "../a/b", "\\\\host"),
        ("hostname", "example.org", "-bad-.example"),
        ("email", "ada@example.org", "not an email"),
        ("ipv4", "192.168.0.1", "256.1.1.1"),
        ("ipv6", "::1", "1:::1"),
        ("uuid", "123e4567-e89b-12d3-a456-426614174000", "123e4567"),
        ("json-pointer", "/a/b", "a/b"),
        ("regex", "^[a-z]+$", "(unclosed"),
        ("duration", "P3D", "3D"),
    ],
)
@pytest.mark.parametrize("engine", ENGINES)
def test_both_engines_check_formats(fmt: str, good: str, bad: str, engine: str) -> None:
    schema = {"type": "string", "format": fmt}
    assert verify(json.dumps(good), schema, {"engine": engine}).reward == 1.0
    assert verify(json.dumps(bad), schema, {"engine": engine}).reward < 1.0


@pytest.mark.parametrize(
    "pattern",
    [
        "^(a+)+$",
        "^([a-zA-Z0-9])(([-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$",
    ],
)
def test_the_python_engine_does_not_backtrack(pattern: str) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string", "pattern": pattern}}}
    response = json.dumps({"a": "a" * 3000 + "!"})
    started = time.perf_counter()
    outcome = verify(response, schema, {"engine": "python"})
    assert time.perf_counter() - started < 1.0
    assert outcome.reward < 1.0


def test_the_python_engine_reads_ecma_262() -> None:
    schema = {"type": "string", "pattern": r"^\p{Letter}+$"}
    assert verify('"Åsa"', schema, {"engine": "python"}).reward == 1.0
    assert verify('"a1"', schema, {"engine": "python"}).reward < 1.0
    # additionalProperties asks the same engine which keys patternProperties covers.
    keyed = {"patternProperties": {r"^\p{Lu}": {}}, "additionalProperties": False}
    assert verify('{"Ab": 1}', keyed, {"engine": "python"}).reward == 1.0
    assert verify('{"ab": 1}', keyed, {"engine": "python"}).reward < 1.0


def test_the_options_schema_says_what_each_engine_does() -> None:
    properties = JsonSchemaOptions.model_json_schema()["properties"]
    assert "may backtrack" in properties["engine"]["description"]
    assert "Annex B" in properties["strict_patterns"]["description"]
    assert "upper bound" in properties["max_errors"]["description"]
    assert properties["max_errors"]["default"] == 100
