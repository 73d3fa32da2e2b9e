"""json_schema rewards: extraction, partial credit, expected values, components, options.

Written against the verifier's contract: a valid instance gets 1.0; one that does not parse
gets 0.0 with status format_error; an invalid one gets
``partial_cap * fraction * 0.9 ** min(error_count, 20)``, always below ``partial_cap``.
"""

from __future__ import annotations

import itertools
import json
import random
import uuid
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import item
from verifiers import InvalidInput, Outcome, Status
from verifiers.json_schema import cache_clear, engines, verify

COMPONENTS = {"parsed", "valid", "checks_passed_fraction", "error_count"}
ORDER = {
    "type": "object",
    "required": ["id", "customer", "items", "paid"],
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "customer": {
            "type": "object",
            "required": ["name", "email"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "email": {"type": "string", "format": "email"},
            },
        },
        "items": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["sku", "qty"],
                "properties": {
                    "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{3}$"},
                    "qty": {"type": "integer", "minimum": 1},
                    "price": {"type": "number", "exclusiveMinimum": 0},
                },
            },
        },
        "paid": {"type": "boolean"},
        "note": {"type": ["string", "null"]},
    },
    "additionalProperties": False,
}
GOOD_ORDER = {
    "id": 7,
    "customer": {"name": "Ada", "email": "ada@example.org"},
    "items": [{"sku": "ABC-123", "qty": 2, "price": 9.5}, {"sku": "XYZ-999", "qty": 1}],
    "paid": True,
    "note": None,
}
FIVE = {
    "type": "object",
    "required": list("abcde"),
    "properties": {key: {"type": "integer"} for key in "abcde"},
}


def reward(response: str, ground_truth: Any, options: dict | None = None) -> float:
    return verify(response, ground_truth, options).reward


def expected_partial(outcome: Outcome, cap: float = 0.5) -> float:
    """The contract's reward for an invalid instance, from its own components."""
    fraction = outcome.components["checks_passed_fraction"]
    return cap * fraction * 0.9 ** min(outcome.components["error_count"], 20)


# Extraction.

VALID = json.dumps(GOOD_ORDER)
PRETTY = json.dumps(GOOD_ORDER, indent=2)


@pytest.mark.parametrize(
    "response",
    [
        VALID,
        PRETTY,
        f"\n\n  {PRETTY}  \n\n",
        f"```json\n{PRETTY}\n```",
        f"```\n{PRETTY}\n```",
        f"```jsonc\n{PRETTY}\n```",
        f"Here is the order:\n\n```json\n{PRETTY}\n```\n\nLet me know if you need more.",
        f"Sure.\n```\n{VALID}\n```",
        '```jsonc\n// the order\n{"id": 7, /* its customer */ "customer": {"name": "Ada",'
        ' "email": "ada@example.org"},\n "items": [{"sku": "ABC-123", "qty": 2}], // one item\n'
        ' "paid": true}\n```',
        '```jsonc\n{"id": 7, "customer": {"name": "http://a//b", "email": "a@b.org"},'
        ' "items": [{"sku": "ABC-123", "qty": 2}], "paid": true, "note": "/* kept */"}\n```',
        f"<think>The schema wants an order.</think>{VALID}",
        f"<think>first {{draft</think> more <think>second [draft]</think>\n{PRETTY}",
        f"<think>\n```json\n{{}}\n```\n</think>\n```json\n{VALID}\n```",
        f"<think>{VALID}\n{VALID}</think>{VALID}",
    ],
    ids=[
        "whole",
        "pretty",
        "padded",
        "fence-json",
        "fence-untagged",
        "fence-jsonc",
        "fence-in-prose",
        "untagged-in-prose",
        "jsonc-comments",
        "jsonc-comment-markers-in-strings",
        "think",
        "last-think-wins",
        "think-hides-a-fence",
        "think-hides-json",
    ],
)
def test_strict_extraction_finds_the_json(response: str) -> None:
    outcome = verify(response, ORDER)
    assert outcome.status is Status.OK, outcome.detail
    assert outcome.reward == 1.0, outcome.detail


@pytest.mark.parametrize(
    "response",
    [
        f"The order is {VALID}.",
        f"{VALID}\nThat is the order.",
        f"Order: {VALID}",
        f"```json\n{VALID}\n```\n```json\n{VALID}\n```",
        f"```json\n{VALID}\n```\nor\n```\n{VALID}\n```",
        f"```json\n{VALID}\n```\n```jsonc\n{VALID}\n```",
        f"{VALID}\n{VALID}",
        "",
        "   ",
        "I cannot help with that.",
        f"<think>{VALID}</think>",
        f"<think>{VALID}</think>The order is {VALID}.",
    ],
    ids=[
        "prose-after",
        "prose-line-after",
        "prose-before",
        "two-json-fences",
        "json-and-untagged-fences",
        "json-and-jsonc-fences",
        "two-values",
        "empty",
        "blank",
        "refusal",
        "only-in-think",
        "prose-after-think",
    ],
)
def test_strict_extraction_refuses(response: str) -> None:
    outcome = verify(response, ORDER)
    assert outcome.status is Status.FORMAT_ERROR, outcome
    assert outcome.reward == 0.0
    assert outcome.components["parsed"] == 0
    assert outcome.components["valid"] == 0


def test_thinking_is_kept_when_strip_think_is_off() -> None:
    response = f"<think>hmm</think>{VALID}"
    assert verify(response, ORDER, {"strip_think": False}).status is Status.FORMAT_ERROR
    lenient = {"strip_think": False, "extraction": "lenient"}
    assert reward(response, ORDER, lenient) == pytest.approx(0.9)


def test_lenient_extraction_finds_json_in_prose_with_a_penalty() -> None:
    response = f"Sure! Here is the order: {VALID} Hope that helps."
    assert verify(response, ORDER).status is Status.FORMAT_ERROR
    outcome = verify(response, ORDER, {"extraction": "lenient"})
    assert outcome.status is Status.OK
    assert outcome.reward == pytest.approx(0.9)
    assert outcome.components["valid"] == 1
    assert reward(response, ORDER, {"extraction": "lenient", "format_penalty": 0.25}) == (
        pytest.approx(0.75)
    )
    assert reward(response, ORDER, {"extraction": "lenient", "format_penalty": 0.0}) == 1.0


def test_lenient_extraction_takes_the_first_complete_value() -> None:
    schema = {"type": "array", "items": {"type": "integer"}}
    response = "Not {this, nor [that}. The list is [1, 2, 3], not [4, 5]."
    assert reward(response, schema, {"extraction": "lenient"}) == pytest.approx(0.9)
    second_wrong = 'Answer: [1, 2] and then ["a"].'
    assert reward(second_wrong, schema, {"extraction": "lenient"}) == pytest.approx(0.9)
    first_wrong = 'Answer: ["a"] and then [1, 2].'
    assert reward(first_wrong, schema, {"extraction": "lenient"}) < 0.5 * 0.9


def test_lenient_penalty_scales_partial_credit_too() -> None:
    response = '{"a":1,"b":2,"c":"x","d":4,"e":5}'
    strict = reward(response, FIVE)
    assert 0 < strict < 0.5
    assert reward(f"So: {response}", FIVE, {"extraction": "lenient"}) == pytest.approx(0.9 * strict)


def test_lenient_finds_nothing_in_plain_prose() -> None:
    outcome = verify("No JSON here at all, sorry.", ORDER, {"extraction": "lenient"})
    assert outcome.status is Status.FORMAT_ERROR
    assert outcome.reward == 0.0


@pytest.mark.parametrize(
    ("response", "schema"),
    [
        ("42", {"type": "integer"}),
        ("-0.5", {"type": "number", "maximum": 0}),
        ('"hi"', {"type": "string"}),
        ("true", {"type": "boolean"}),
        ("null", {"type": "null"}),
        ("[]", {"type": "array", "maxItems": 0}),
        ("{}", {"type": "object"}),
        ("```json\n42\n```", {"const": 42}),
    ],
)
def test_any_json_value_can_be_the_answer(response: str, schema: dict) -> None:
    assert reward(response, schema) == 1.0


def test_boolean_schemas() -> None:
    assert reward(VALID, True) == 1.0
    false = verify(VALID, False)
    assert false.status is Status.OK
    assert 0 <= false.reward < 0.5
    assert reward(VALID, {"schema": True}) == 1.0


# Partial credit.

WRONG_VALUES = {"integer": "7", "string": 7, "boolean": "yes", "number": "1.5", "null": False}


@st.composite
def typed_records(draw: st.DrawFn) -> tuple[dict, dict, list[str]]:
    """A schema of N typed required properties, a valid record, and its keys shuffled."""
    keys = draw(
        st.lists(
            st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8),
            min_size=1,
            max_size=10,
            unique=True,
        )
    )
    kinds = [draw(st.sampled_from(list(WRONG_VALUES))) for _ in keys]
    values = {
        "integer": st.integers(-(10**6), 10**6),
        "string": st.text(max_size=12),
        "boolean": st.booleans(),
        "number": st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
        "null": st.none(),
    }
    record = {key: draw(values[kind]) for key, kind in zip(keys, kinds, strict=True)}
    schema = {
        "type": "object",
        "required": keys,
        "properties": {key: {"type": kind} for key, kind in zip(keys, kinds, strict=True)},
    }
    order = draw(st.permutations(keys))
    return schema, record, list(order)


def spoil(schema: dict, record: dict, keys: list[str]) -> dict:
    return {
        key: WRONG_VALUES[schema["properties"][key]["type"]] if key in keys else value
        for key, value in record.items()
    }


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(typed_records(), st.sampled_from([0.5, 0.3, 0.9]))
def test_each_wrong_leaf_strictly_lowers_the_reward(
    case: tuple[dict, dict, list[str]], cap: float
) -> None:
    schema, record, order = case
    rewards = []
    for wrong in range(len(order) + 1):
        instance = spoil(schema, record, order[:wrong])
        outcome = verify(json.dumps(instance), schema, {"partial_cap": cap})
        assert outcome.status is Status.OK
        if wrong:
            assert outcome.components["valid"] == 0
            assert outcome.components["error_count"] >= wrong
            assert 0 <= outcome.reward < cap
            assert outcome.reward == pytest.approx(expected_partial(outcome, cap))
        rewards.append(outcome.reward)
    assert rewards[0] == 1.0
    assert all(later < earlier for earlier, later in itertools.pairwise(rewards)), rewards


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-100, 100), min_size=1, max_size=30), st.randoms())
def test_each_wrong_array_element_strictly_lowers_the_reward(
    numbers: list[int], rng: random.Random
) -> None:
    schema = {
        "type": "object",
        "required": ["values", "label"],
        "properties": {
            "values": {"type": "array", "items": {"type": "integer"}},
            "label": {"type": "string"},
        },
    }
    positions = list(range(len(numbers)))
    rng.shuffle(positions)
    rewards = []
    for wrong in range(len(numbers) + 1):
        spoiled = [str(n) if i in positions[:wrong] else n for i, n in enumerate(numbers)]
        rewards.append(reward(json.dumps({"values": spoiled, "label": "x"}), schema))
    assert rewards[0] == 1.0
    assert all(later < earlier for earlier, later in itertools.pairwise(rewards)), rewards


def shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        pairs = [(key, shuffled(child, rng)) for key, child in value.items()]
        rng.shuffle(pairs)
        return dict(pairs)
    if isinstance(value, list):
        return [shuffled(child, rng) for child in value]
    return value


@settings(max_examples=60, deadline=None)
@given(typed_records(), st.integers(0, 10), st.randoms())
def test_key_order_does_not_change_the_reward(
    case: tuple[dict, dict, list[str]], wrong: int, rng: random.Random
) -> None:
    schema, record, order = case
    instance = spoil(schema, record, order[:wrong])
    first = verify(json.dumps(instance), schema)
    again = verify(json.dumps(shuffled(instance, rng)), shuffled(schema, rng))
    assert again.reward == first.reward
    assert again.components == first.components


def test_key_order_does_not_change_a_nested_reward() -> None:
    bad = {
        "note": 5,
        "paid": "no",
        "items": [{"qty": 0, "sku": "abc"}, {"price": -1, "sku": "XYZ-999", "qty": 1}],
        "customer": {"email": "nope", "name": ""},
        "id": 7,
    }
    baseline = verify(json.dumps(bad), ORDER)
    assert 0 < baseline.reward < 0.5
    rng = random.Random(5)
    for _ in range(20):
        outcome = verify(json.dumps(shuffled(bad, rng)), shuffled(ORDER, rng))
        assert outcome.reward == baseline.reward
        assert outcome.components == baseline.components


def test_worked_examples_of_the_formula() -> None:
    one_wrong = verify('{"a":1,"b":2,"c":"x","d":4,"e":5}', FIVE)
    assert one_wrong.components["checks_passed_fraction"] == pytest.approx(4 / 5)
    assert one_wrong.components["error_count"] == 1
    assert one_wrong.reward == pytest.approx(0.5 * 4 / 5 * 0.9)
    two_wrong = verify('{"a":1,"b":"2","c":"x","d":4,"e":5}', FIVE)
    assert two_wrong.reward == pytest.approx(0.5 * 3 / 5 * 0.9**2)
    # A missing required property weighs 4 leaves.
    missing = verify('{"a":1,"b":2,"c":3,"d":4}', FIVE)
    assert missing.components["checks_passed_fraction"] == pytest.approx(4 / (4 + 4))
    assert missing.reward == pytest.approx(0.5 * 0.5 * 0.9)
    capped = verify('{"a":1,"b":2,"c":"x","d":4,"e":5}', FIVE, {"partial_cap": 0.8})
    assert capped.reward == pytest.approx(0.8 * 4 / 5 * 0.9)


def test_error_decay_stops_at_twenty_errors() -> None:
    schema = {"type": "array", "items": {"type": "integer"}}
    for wrong in (19, 20, 21, 30):
        values = ["x"] * wrong + list(range(40 - wrong))
        outcome = verify(json.dumps(values), schema)
        assert outcome.components["error_count"] == wrong
        fraction = (40 - wrong) / 40
        assert outcome.components["checks_passed_fraction"] == pytest.approx(fraction)
        assert outcome.reward == pytest.approx(0.5 * fraction * 0.9 ** min(wrong, 20))


def test_empty_object_gets_almost_nothing() -> None:
    assert reward("{}", FIVE) < 0.05
    assert reward("{}", ORDER) < 0.05
    assert reward("[]", FIVE) < 0.5
    assert reward("{}", FIVE, {"partial_cap": 0.9}) < 0.09


@pytest.mark.parametrize(
    "response",
    [
        '{"a":1,"b":2,"c":3,"d":4,"e":"5"}',
        '{"a":1,"b":2,"c":3,"d":4}',
        "{}",
        "[]",
        '"a string"',
        json.dumps({**GOOD_ORDER, "extra": 1}),
    ],
)
def test_partial_credit_is_below_the_cap_and_can_be_turned_off(response: str) -> None:
    schema = ORDER if "extra" in response else FIVE
    for cap in (0.5, 0.2, 0.99):
        outcome = verify(response, schema, {"partial_cap": cap})
        assert outcome.components["valid"] == 0
        assert 0 <= outcome.reward < cap
    off = verify(response, schema, {"partial_credit": False})
    assert off.status is Status.OK
    assert off.reward == 0.0
    assert off.components["valid"] == 0
    assert reward(VALID, ORDER, {"partial_credit": False}) == 1.0


def test_formats_count_unless_turned_off() -> None:
    bad_email = json.dumps({**GOOD_ORDER, "customer": {"name": "Ada", "email": "not-an-email"}})
    outcome = verify(bad_email, ORDER)
    assert outcome.reward < 0.5
    assert "/customer/email" in outcome.detail
    assert "format" in outcome.detail
    assert reward(bad_email, ORDER, {"check_formats": False}) == 1.0


# Expected values.


def test_a_valid_instance_equal_to_expected_gets_full_reward() -> None:
    truth = {"schema": ORDER, "expected": GOOD_ORDER}
    assert reward(VALID, truth) == 1.0
    assert reward(json.dumps(shuffled(GOOD_ORDER, random.Random(1))), truth) == 1.0
    assert reward(f"```json\n{PRETTY}\n```", truth) == 1.0


def test_a_valid_instance_that_differs_from_expected_gets_partial_credit() -> None:
    truth = {"schema": ORDER, "expected": GOOD_ORDER}
    for change in ({"id": 8}, {"paid": False}, {"note": "hi"}, {"items": GOOD_ORDER["items"][:1]}):
        different = {**GOOD_ORDER, **change}
        outcome = verify(json.dumps(different), truth)
        assert outcome.status is Status.OK
        assert outcome.components["valid"] == 1, change
        assert 0 <= outcome.reward < 0.5, change
        assert reward(json.dumps(different), truth, {"partial_cap": 0.3}) < 0.3
    invalid = json.dumps({**GOOD_ORDER, "id": 0})
    assert reward(invalid, truth) < 0.5


@pytest.mark.parametrize(
    ("response", "expected", "equal"),
    [
        ("1", 1.0, True),
        ("1.0", 1, True),
        ("[1, 2.0]", [1.0, 2], True),
        ('{"b": 1, "a": [true, null]}', {"a": [True, None], "b": 1.0}, True),
        ("null", None, True),
        ("0", None, False),
        ("true", 1, False),
        ("1", True, False),
        ("false", 0, False),
        ("0", False, False),
        ('"1"', 1, False),
        ("[2, 1]", [1, 2], False),
        ("[1, 2, 3]", [1, 2], False),
        ('{"a": 1}', {"a": 1, "b": 2}, False),
        ('{"a": 1, "b": 2}', {"a": 1}, False),
        ("1.5", 1, False),
        ('"A"', "a", False),
    ],
)
def test_expected_uses_json_equality(response: str, expected: Any, equal: bool) -> None:
    outcome = verify(response, {"schema": {}, "expected": expected})
    assert outcome.status is Status.OK
    if equal:
        assert outcome.reward == 1.0
    else:
        assert outcome.components["valid"] == 1
        assert 0 <= outcome.reward < 0.5


# Components and detail.


def test_components_of_a_valid_instance() -> None:
    outcome = verify(VALID, ORDER)
    assert outcome.components == {
        "parsed": 1.0,
        "valid": 1.0,
        "checks_passed_fraction": 1.0,
        "error_count": 0.0,
    }


def test_components_of_an_invalid_instance() -> None:
    bad = {**GOOD_ORDER, "id": 0, "paid": "yes"}
    outcome = verify(json.dumps(bad), ORDER)
    assert set(outcome.components) == COMPONENTS
    assert outcome.components["parsed"] == 1
    assert outcome.components["valid"] == 0
    assert outcome.components["error_count"] == 2
    assert 0 < outcome.components["checks_passed_fraction"] < 1
    assert outcome.reward == pytest.approx(expected_partial(outcome))


def test_components_of_unparseable_output() -> None:
    outcome = verify('{"id": NaN}', ORDER)
    assert outcome.status is Status.FORMAT_ERROR
    assert set(outcome.components) == COMPONENTS
    assert outcome.components["parsed"] == 0
    assert outcome.components["valid"] == 0
    assert outcome.reward == 0.0


@pytest.mark.parametrize(
    ("schema", "instance", "path", "keyword"),
    [
        ({"properties": {"a": {"minimum": 5}}}, {"a": 1}, "/a", "minimum"),
        ({"properties": {"a": {"type": "string"}}}, {"a": 1}, "/a", "type"),
        (
            {"properties": {"a": {"items": {"maxLength": 2}}}},
            {"a": ["ok", "too long"]},
            "/a/1",
            "maxLength",
        ),
        (
            {"properties": {"a": {"properties": {"b": {"enum": [1, 2]}}}}},
            {"a": {"b": 3}},
            "/a/b",
            "enum",
        ),
        (
            {"properties": {"a": {"required": ["zeta"]}}},
            {"a": {"b": 1}},
            "/a",
            "required",
        ),
    ],
)
def test_detail_names_the_error_path_and_keyword(
    schema: dict, instance: Any, path: str, keyword: str
) -> None:
    outcome = verify(json.dumps(instance), schema)
    assert outcome.reward < 1.0
    assert path in outcome.detail
    assert keyword in outcome.detail


def test_detail_stays_short_with_many_errors() -> None:
    schema = {"type": "array", "items": {"type": "integer"}}
    outcome = verify(json.dumps(["x"] * 500), schema, {"max_errors": 1000})
    assert outcome.components["error_count"] == 500
    assert "/0" in outcome.detail
    assert "/499" not in outcome.detail
    assert len(outcome.detail) < 1000


# Ground truths and options.


@pytest.mark.parametrize("engine", ["rs", "python"])
@pytest.mark.parametrize(
    "ground_truth",
    [
        {"type": 12},
        {"type": "strng"},
        {"minimum": "5"},
        {"required": "a"},
        {"properties": {"a": {"type": ["string", 3]}}},
        {"pattern": "(unclosed"},
        {"$ref": "#/definitions/missing"},
        {"$ref": "#/$defs/missing"},
        {"$ref": "other.json"},
        {"$ref": "https://schemas.example/missing.json"},
        {"properties": {"a": {"$ref": "https://schemas.example/missing.json"}}},
        {"schema": {"type": 12}},
        {"schema": {"$ref": "https://schemas.example/a.json"}, "documents": {}},
        "a string",
        42,
        ["type", "object"],
        None,
        {"schema": "nope"},
        {"schema": {"type": "object"}, "documents": ["not", "a", "mapping"]},
    ],
)
def test_unusable_ground_truths_are_invalid_input(ground_truth: Any, engine: str) -> None:
    # The instance reaches property "a": the python engine resolves a $ref only when used.
    with pytest.raises(InvalidInput):
        verify('{"a": 1}', ground_truth, {"engine": engine})


@pytest.mark.parametrize("engine", ["rs", "python"])
def test_documents_resolve_refs_by_uri(engine: str) -> None:
    truth = {
        "schema": {
            "type": "object",
            "properties": {
                "order": {"$ref": "https://schemas.example/order.json"},
                "sku": {"$ref": "https://schemas.example/order.json#/properties/items/items"},
            },
        },
        "documents": {"https://schemas.example/order.json": ORDER},
    }
    options = {"engine": engine}
    good = {"order": GOOD_ORDER, "sku": {"sku": "ABC-123", "qty": 1}}
    assert reward(json.dumps(good), truth, options) == 1.0
    bad = {"order": {**GOOD_ORDER, "id": 0}, "sku": {"sku": "ABC-123", "qty": 1}}
    outcome = verify(json.dumps(bad), truth, options)
    assert outcome.reward < 0.5
    assert "/order/id" in outcome.detail


@pytest.mark.parametrize(
    "options",
    [
        {"extraction": "fuzzy"},
        {"extraction": None},
        {"format_penalty": 1.5},
        {"format_penalty": -0.1},
        {"partial_cap": 2.0},
        {"partial_cap": -0.5},
        {"partial_credit": "sometimes"},
        {"check_formats": "maybe"},
        {"draft": "3"},
        {"draft": "2019"},
        {"draft": "draft7"},
        {"engine": "java"},
        {"max_bytes": 0},
        {"max_bytes": -1},
        {"max_bytes": "big"},
        {"max_depth": 0},
        {"max_depth": -5},
        {"strip_think": "please"},
        {"no_such_option": True},
    ],
)
def test_bad_options_are_invalid_input(options: dict) -> None:
    with pytest.raises(InvalidInput):
        verify(VALID, ORDER, options)


@pytest.mark.parametrize("draft", ["4", "6", "7", "2019-09", "2020-12"])
def test_every_draft_is_accepted(draft: str) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer", "maximum": 3}}}
    assert reward('{"n": 3}', schema, {"draft": draft}) == 1.0
    assert reward('{"n": 4}', schema, {"draft": draft}) < 0.5


def test_draft_comes_from_dollar_schema_unless_given() -> None:
    # Draft 4: exclusiveMaximum is a boolean; from draft 6 on, a number.
    draft4 = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "maximum": 5,
        "exclusiveMaximum": True,
    }
    assert reward("5", draft4) < 1.0
    assert reward("4", draft4) == 1.0
    draft6 = {"$schema": "http://json-schema.org/draft-06/schema#", "exclusiveMaximum": 5}
    assert reward("5", draft6) < 1.0
    assert reward("4", draft6) == 1.0
    # No $schema: 2020-12, where a boolean exclusiveMaximum is an invalid schema.
    with pytest.raises(InvalidInput):
        verify("5", {"maximum": 5, "exclusiveMaximum": True})
    # An explicit draft overrides $schema.
    assert reward("5", {"maximum": 5, "exclusiveMaximum": True}, {"draft": "4"}) < 1.0
    # 2020-12 prefixItems vs 2019-09 array-form items.
    tuple_2020 = {"prefixItems": [{"type": "integer"}], "items": False}
    assert reward("[1]", tuple_2020) == 1.0
    assert reward("[1, 2]", tuple_2020) < 1.0
    tuple_2019 = {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "items": [{"type": "integer"}],
        "additionalItems": False,
    }
    assert reward("[1]", tuple_2019) == 1.0
    assert reward("[1, 2]", tuple_2019) < 1.0


@pytest.mark.parametrize(
    "response",
    [VALID, json.dumps({**GOOD_ORDER, "id": 0, "paid": "no"}), "{}", '"x"', "[1, 2]"],
)
def test_engines_agree(response: str) -> None:
    rs, python = verify(response, ORDER), verify(response, ORDER, {"engine": "python"})
    assert rs.reward == pytest.approx(python.reward)
    assert rs.components == pytest.approx(python.components)


# The compiled-validator cache, by its behaviour.


def big_schema() -> dict:
    return {
        "$comment": uuid.uuid4().hex,  # never seen before: the first call compiles
        "type": "object",
        "properties": {
            f"p{i}": {"type": "string", "pattern": f"^[a-z]{{1,{i % 50 + 1}}}$", "maxLength": 99}
            for i in range(2000)
        },
        "required": [f"p{i}" for i in range(0, 2000, 7)],
    }


def reordered(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: reordered(value[key]) for key in reversed(list(value))}
    return value


@pytest.mark.parametrize("engine", ["rs", "python"])
def test_a_schema_seen_before_is_compiled_once_even_with_its_keys_reordered(engine: str) -> None:
    schema = big_schema()
    instance = json.dumps({f"p{i}": "a" for i in range(2000)})
    options = {"engine": engine}
    cache_clear()
    first = verify(instance, schema, options)
    for _ in range(3):
        assert verify(instance, reordered(schema), options) == first
    assert first.reward == 1.0
    info = engines.cache_info()
    assert (info.misses, info.hits) == (1, 3)


def test_the_cache_does_not_mix_up_options_or_documents() -> None:
    schema = {"type": "string", "format": "email"}
    assert reward('"nope"', schema) < 1.0
    assert reward('"nope"', schema, {"check_formats": False}) == 1.0
    assert reward('"nope"', schema) < 1.0
    ref = {"$ref": "https://schemas.example/n.json"}
    as_int = {"schema": ref, "documents": {"https://schemas.example/n.json": {"type": "integer"}}}
    as_str = {"schema": ref, "documents": {"https://schemas.example/n.json": {"type": "string"}}}
    assert reward("1", as_int) == 1.0
    assert reward("1", as_str) < 1.0
    assert reward("1", as_int) == 1.0
    # "prefixItems" is a keyword from 2020-12 on and unknown (so ignored) in draft 7.
    prefixed = {"prefixItems": [{"type": "string"}]}
    assert reward("[1]", prefixed, {"draft": "2020-12"}) < 1.0
    assert reward("[1]", prefixed, {"draft": "7"}) == 1.0
    assert reward("[1]", prefixed, {"draft": "2020-12"}) < 1.0


def test_a_schema_is_not_mutated() -> None:
    schema = json.loads(json.dumps(ORDER))
    truth = {"schema": schema, "expected": GOOD_ORDER}
    verify(VALID, truth)
    verify("{}", truth, {"engine": "python"})
    assert schema == ORDER
    assert truth == {"schema": ORDER, "expected": GOOD_ORDER}


# Through a real server.


def test_one_batch_carries_valid_invalid_input_and_format_error_items(
    client: httpx.Client,
) -> None:
    items = [
        item("json_schema", VALID, ORDER, id="valid"),
        item("json_schema", "{}", {"type": 12}, id="bad-schema"),
        item("json_schema", '{"id": NaN}', ORDER, id="nan"),
        item("json_schema", json.dumps({**GOOD_ORDER, "id": 0}), ORDER, id="partial"),
        item("json_schema", f"```json\n{VALID}\n```", {"schema": ORDER, "expected": GOOD_ORDER}),
        item("json_schema", VALID, ORDER, id="bad-option", options={"engine": "java"}),
    ]
    response = client.post("/v1/rewards", json={"items": items})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["id"] for r in results] == [
        "valid",
        "bad-schema",
        "nan",
        "partial",
        None,
        "bad-option",
    ]
    valid, bad_schema, nan, partial, expected, bad_option = results
    assert (valid["status"], valid["reward"]) == ("ok", 1.0)
    assert valid["verifier"] == "json_schema"
    assert valid["components"] == {
        "parsed": 1.0,
        "valid": 1.0,
        "checks_passed_fraction": 1.0,
        "error_count": 0.0,
    }
    assert (bad_schema["status"], bad_schema["reward"]) == ("invalid_input", 0.0)
    assert (nan["status"], nan["reward"]) == ("format_error", 0.0)
    assert nan["components"]["parsed"] == 0.0
    assert partial["status"] == "ok"
    assert 0 < partial["reward"] < 0.5
    assert set(partial["components"]) == COMPONENTS
    assert "/id" in partial["detail"]
    assert (expected["status"], expected["reward"]) == ("ok", 1.0)
    assert bad_option["status"] == "invalid_input"
