"""json_schema's strict parse reads JSON with jiter where it can and with ``json.loads``
and Python hooks where it must; whichever reads it, a text within the size and depth
bounds (checked first, on the text) gets the same value or the same refusal as the hooks
alone give."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from verifiers.json_schema import extraction
from verifiers.json_schema.extraction import FormatProblem, parse_strict, parse_with_hooks

MAX_BYTES, MAX_DEPTH = 1 << 20, 128


def typed(value: Any) -> Any:
    """A value with its JSON types and key order spelled out: 1, 1.0, True and -0.0 differ."""
    if isinstance(value, dict):
        return ("object", [(key, typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("array", [typed(item) for item in value])
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


def reading(parse: Any, text: str) -> tuple[str, Any]:
    try:
        return ("value", typed(parse(text)))
    except FormatProblem as problem:
        return ("refused", str(problem))


def strict(text: str) -> Any:
    return parse_strict(text, max_bytes=MAX_BYTES, max_depth=MAX_DEPTH)


def hooks(text: str) -> Any:
    return parse_with_hooks(text, MAX_DEPTH)


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**250), max_value=10**250)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=25,
)

# Pieces the two readers might disagree on, spliced into texts.
TRICKY = [
    '{"a": 1, "a": 2}',
    '{"a": 1, "\\u0061": 2}',
    '{"a": {"b": 1, "b": 1}}',
    "NaN",
    "-Infinity",
    "1e400",
    "-1E+309",
    "1e-400",
    "1" * 199,
    "9" * 200,
    "9" * 250 + ".5",
    "9" * 4001,
    "1.7976931348623157e308",
    "2.2250738585072014e-308",
    "5e-324",
    "2.4703282292062327e-324",  # just below half the smallest subnormal: rounds to 0
    "2.4703282292062328e-324",  # just above: rounds up to 5e-324
    "1.00000000000000011102230246251565404236316680908203125",  # halfway: to even
    "1.00000000000000011102230246251565404236316680908203126",  # past halfway: up
    "9007199254740993.0",
    "-4.9406564584124654e-99",
    "0.1",
    "-0",
    "-0.0",
    "1E2",
    '"\\ud800"',
    '"\\ud83d\\ude00"',
    '"\\udc00\\ud800"',
    '"\ud800"',
    '"a\tb"',
    '"\\x41"',
    "[1,]",
    '{"a":1,}',
    "01",
    "1.",
    ".5",
    "+1",
    "\ufeff{}",
    "\x0c[]",
    "[\xa0]",
    "[1 2]",
    "tru",
    "nul",
    '"\\/"',
    "{}",
    "[]",
]


@given(values)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_json_from_dumps_reads_the_same(value: Any) -> None:
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False, indent=1)):
        assert reading(strict, text) == reading(hooks, text)


@given(values, st.sampled_from(TRICKY), st.data())
@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
def test_json_with_a_tricky_piece_reads_the_same(value: Any, piece: str, data: Any) -> None:
    text = json.dumps(value)
    at = data.draw(st.integers(min_value=0, max_value=len(text)))
    for spliced in (text[:at] + piece + text[at:], f"[{text}, {piece}]", f'{{"k": {piece}}}'):
        assert reading(strict, spliced) == reading(hooks, spliced)


decimals = st.builds(
    "{}{}{}{}".format,
    st.sampled_from(["", "-"]),
    st.from_regex(r"0|[1-9][0-9]{0,40}", fullmatch=True),
    st.from_regex(r"(\.[0-9]{1,40})?", fullmatch=True),
    st.from_regex(r"([eE][-+]?[0-9]{1,2})?", fullmatch=True),
)


@given(st.lists(decimals, min_size=1, max_size=8))
@settings(max_examples=800)
def test_decimal_numbers_round_to_the_same_float(numbers: list[str]) -> None:
    """Numbers as a model writes them, not as repr does: many digits, any exponent."""
    text = "[" + ", ".join(numbers) + "]"
    assert reading(strict, text) == reading(hooks, text)


@given(st.text(alphabet='{}[]":,0123456789eE+-.truefalsn\\u \t\n\x0c\xa0\ud800', max_size=40))
@settings(max_examples=1500)
@example('{"a":1,"a":1}')
@example("[1e999]")
def test_any_json_like_text_reads_the_same(text: str) -> None:
    assert reading(strict, text) == reading(hooks, text)


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ('{"a": 1, "a": 2}', "duplicate key 'a'"),
        ("[1e400]", "out of range"),
        ("[-1e400]", "out of range"),
        ("9" * 4001, "longer than 4000 digits"),
        ("[NaN]", "NaN is not JSON"),
        ("[1,]", "invalid JSON"),
    ],
)
def test_what_is_refused_is_refused_in_our_words(text: str, refusal: str) -> None:
    with pytest.raises(FormatProblem, match=refusal):
        strict(text)


@pytest.mark.parametrize("number", ["1e400", "1E+400", "1e0400", "9" * 250, "9" * 200 + ".0e99"])
def test_numbers_that_may_overflow_go_to_the_hooks(number: str) -> None:
    assert extraction._may_hold_large_numbers(f"[{number}]".encode())


@pytest.mark.parametrize("number", ["1e99", "-1.5E+99", "1e-400", "9" * 199, "9" * 199 + "e99"])
def test_numbers_below_the_bound_take_the_fast_path(number: str) -> None:
    assert not extraction._may_hold_large_numbers(f"[{number}]".encode())
    assert math.isfinite(strict(number))
