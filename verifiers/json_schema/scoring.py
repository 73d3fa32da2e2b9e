"""Partial credit for JSON that parses but does not validate.

    reward = partial_cap * fraction * 0.9 ** min(errors, 20)

``fraction`` is the share of the instance's leaves (scalars and empty containers) that no
error touches, over all leaves plus a weight for container-level failures: 4 for each
missing required property, 1 for any other (an extra property, too few items, ...). An
error on a value (wrong type, out of range, no ``anyOf`` branch matches) fails every leaf
under it. The reward is below ``partial_cap``, falls strictly with each leaf made wrong,
ignores key order, and pays next to nothing for ``{}`` when properties are required.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from verifiers.json_schema.engines import SchemaError

MISSING_REQUIRED_WEIGHT = 4
ERROR_DECAY = 0.9
MAX_DECAYED_ERRORS = 20
CONTAINER_KEYWORDS = frozenset(
    {
        "required",
        "additionalProperties",
        "additionalItems",
        "unevaluatedProperties",
        "unevaluatedItems",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "contains",
        "minContains",
        "maxContains",
        "dependentRequired",
        "dependencies",
        "propertyNames",
    }
)


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(JSON pointer, value) of every scalar and empty container, in any order."""
    stack = [(path, value)]
    while stack:
        pointer, current = stack.pop()
        if isinstance(current, dict) and current:
            for key, child in current.items():
                escaped = key.replace("~", "~0").replace("/", "~1")
                stack.append((f"{pointer}/{escaped}", child))
        elif isinstance(current, list) and current:
            stack.extend((f"{pointer}/{index}", child) for index, child in enumerate(current))
        else:
            yield pointer, current


def _touched(pointer: str, failed: set[str]) -> bool:
    if pointer in failed or "" in failed:
        return True
    index = pointer.find("/", 1)
    while index > 0:
        if pointer[:index] in failed:
            return True
        index = pointer.find("/", index + 1)
    return False


def checks_passed_fraction(instance: Any, errors: list[SchemaError]) -> float:
    failed = {error.path for error in errors if error.keyword not in CONTAINER_KEYWORDS}
    extra = sum(
        MISSING_REQUIRED_WEIGHT if error.keyword == "required" else 1
        for error in errors
        if error.keyword in CONTAINER_KEYWORDS
    )
    pointers = [pointer for pointer, _ in leaves(instance)]
    passed = sum(not _touched(pointer, failed) for pointer in pointers)
    return passed / (len(pointers) + extra)


def partial_reward(fraction: float, error_count: int, cap: float) -> float:
    return cap * fraction * ERROR_DECAY ** min(error_count, MAX_DECAYED_ERRORS)


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: ``1 == 1.0``, but ``true`` is not ``1``; key order never matters."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def expected_fraction(instance: Any, expected: Any) -> float:
    """Share of leaf positions (either side's) where the instance has the expected value."""
    mine, theirs = dict(leaves(instance)), dict(leaves(expected))
    positions = mine.keys() | theirs.keys()
    matched = sum(
        1 for p in positions if p in mine and p in theirs and json_equal(mine[p], theirs[p])
    )
    return matched / len(positions)
