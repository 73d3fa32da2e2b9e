"""The ground truth of a code problem, in the formats datasets already use, read once.

- stdio (APPS, TACO, CodeContests, DeepCoder): ``{"inputs": [...], "outputs": [...]}``, or
  APPS's ``{"input_output": "<that object as JSON>"}``, or the object itself as a JSON string
  (verl's and PRIME's code rows);
- call-based (APPS/TACO with ``fn_name``, LeetCode): the same plus ``"fn_name"``, each input
  a list of arguments;
- assert-based: HumanEval's ``{"test": code with check(candidate), "entry_point": name}``,
  MBPP's ``{"test_list": [assert lines], "test_setup_code"?: code}``.

Optional limits: ``time_limit`` (seconds, CodeContests' ``{"seconds", "nanos"}`` or text
such as ``"2 seconds"``) and ``memory_limit`` (MB) or ``memory_limit_bytes``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from verifiers.base import InvalidInput
from verifiers.code_tests.wire import from_json

Mode = Literal["stdio", "call", "assert"]
MiB = 2**20
_LEADING_NUMBER = re.compile(r"\s*(\d+(?:\.\d+)?)")


@dataclass(frozen=True, slots=True)
class Test:
    input: str | list[Any] | None
    """stdin (stdio), the encoded argument list (call), or None (assert)."""
    expected: Any
    """The expected stdout (stdio), return value (call), or the assert's code (assert)."""


@dataclass(frozen=True, slots=True)
class Problem:
    mode: Mode
    tests: tuple[Test, ...]
    fn_name: str | None = None
    entry_point: str | None = None
    test_code: str = ""
    setup_code: str = ""
    time_limit_s: float | None = None
    memory_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class Bounds:
    max_tests: int
    max_test_bytes: int


def parse_problem(ground_truth: Any, bounds: Bounds) -> Problem:
    """All of the ground truth, checked and bounded; raises InvalidInput naming the field."""
    if isinstance(ground_truth, str):
        ground_truth = _json(ground_truth, "ground_truth", bounds)
    if not isinstance(ground_truth, dict):
        raise InvalidInput(
            "ground_truth must be an object (inputs/outputs, test/entry_point or test_list) "
            f"or its JSON text, got {type(ground_truth).__name__}"
        )
    size = len(json.dumps(ground_truth, default=str))
    if size > bounds.max_test_bytes:
        raise InvalidInput(
            f"ground_truth is {size} bytes, over max_test_bytes {bounds.max_test_bytes}"
        )
    truth = dict(ground_truth)
    if isinstance(truth.get("input_output"), str):
        truth.update(_json(truth.pop("input_output"), "ground_truth.input_output", bounds))
    limits = {"time_limit_s": _time_limit(truth), "memory_bytes": _memory_limit(truth)}
    if "test_list" in truth:
        return _mbpp(truth, bounds, limits)
    if "test" in truth or "entry_point" in truth:
        return _humaneval(truth, limits)
    if "inputs" in truth or "outputs" in truth:
        return _io_pairs(truth, bounds, limits)
    raise InvalidInput(
        "ground_truth needs inputs and outputs (stdio, or call-based with fn_name), test and "
        f"entry_point (HumanEval) or test_list (MBPP); got keys {sorted(truth)[:8]}"
    )


def _json(text: str, field: str, bounds: Bounds) -> Any:
    if len(text) > bounds.max_test_bytes:
        raise InvalidInput(f"{field} is over max_test_bytes {bounds.max_test_bytes}")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise InvalidInput(f"{field} is not valid JSON") from None


def _io_pairs(truth: dict[str, Any], bounds: Bounds, limits: dict[str, Any]) -> Problem:
    inputs, outputs = truth.get("inputs"), truth.get("outputs")
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        raise InvalidInput("ground_truth.inputs and ground_truth.outputs must be lists")
    if len(inputs) != len(outputs):
        raise InvalidInput(f"ground_truth has {len(inputs)} inputs but {len(outputs)} outputs")
    if not inputs:
        raise InvalidInput("ground_truth has no tests (inputs is empty)")
    _check_count(len(inputs), bounds)
    fn_name = truth.get("fn_name")
    if fn_name is not None:
        if not isinstance(fn_name, str) or not fn_name.isidentifier():
            raise InvalidInput(f"ground_truth.fn_name must be a Python name, got {fn_name!r}")
        for index, arguments in enumerate(inputs):
            if not isinstance(arguments, list):
                raise InvalidInput(f"ground_truth.inputs[{index}] must be a list of arguments")
        tests = tuple(Test(from_json(a), o) for a, o in zip(inputs, outputs, strict=True))
        return Problem("call", tests, fn_name=fn_name, **limits)
    tests = tuple(
        Test(_text(i, f"inputs[{n}]"), _text(o, f"outputs[{n}]"))
        for n, (i, o) in enumerate(zip(inputs, outputs, strict=True))
    )
    return Problem("stdio", tests, **limits)


def _check_count(count: int, bounds: Bounds) -> None:
    if count > bounds.max_tests:
        raise InvalidInput(f"ground_truth has {count} tests, over max_tests {bounds.max_tests}")


def _text(value: Any, field: str) -> str:
    """A stdin or stdout: a string, or a list of lines (some APPS rows)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "\n".join(value)
    raise InvalidInput(f"ground_truth.{field} must be a string or a list of lines")


def _humaneval(truth: dict[str, Any], limits: dict[str, Any]) -> Problem:
    test, entry_point = truth.get("test"), truth.get("entry_point")
    if not isinstance(test, str) or "def check" not in test:
        raise InvalidInput("ground_truth.test must be code defining check(candidate)")
    if not isinstance(entry_point, str) or not entry_point.isidentifier():
        raise InvalidInput(f"ground_truth.entry_point must be a Python name, got {entry_point!r}")
    return Problem("assert", (Test(None, test),), entry_point=entry_point, test_code=test, **limits)


def _mbpp(truth: dict[str, Any], bounds: Bounds, limits: dict[str, Any]) -> Problem:
    asserts, setup = truth.get("test_list"), truth.get("test_setup_code") or ""
    if not isinstance(asserts, list) or not asserts or not all(isinstance(a, str) for a in asserts):
        raise InvalidInput("ground_truth.test_list must be a non-empty list of assert lines")
    _check_count(len(asserts), bounds)
    if not isinstance(setup, str):
        raise InvalidInput("ground_truth.test_setup_code must be code")
    tests = tuple(Test(None, line) for line in asserts)
    return Problem("assert", tests, setup_code=setup, **limits)


def _time_limit(truth: dict[str, Any]) -> float | None:
    value = truth.get("time_limit")
    if isinstance(value, dict):
        value = float(value.get("seconds") or 0) + float(value.get("nanos") or 0) / 1e9
    elif isinstance(value, str):
        match = _LEADING_NUMBER.match(value)
        value = float(match.group(1)) if match else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    return float(value)


def _memory_limit(truth: dict[str, Any]) -> int | None:
    if isinstance(truth.get("memory_limit_bytes"), int) and truth["memory_limit_bytes"] > 0:
        return int(truth["memory_limit_bytes"])
    value = truth.get("memory_limit")
    if isinstance(value, str):
        match = _LEADING_NUMBER.match(value)
        value = float(match.group(1)) if match else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    return int(value * MiB)
