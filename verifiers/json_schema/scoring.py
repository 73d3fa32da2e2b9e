"""Partial credit for JSON that parses but does not validate.

    reward = partial_cap * fraction * 0.9 ** min(errors, 20)

``fraction`` is the share of the instance's leaves (scalars and empty containers) that no
error touches, over all leaves plus a weight for container-level failures: 4 for each
missing required property, 1 for any other (an extra property, too few items, ...). An
error on a value (wrong type, out of range, no ``anyOf`` branch matches) fails every leaf
under it. The reward is below ``partial_cap``, falls strictly with each leaf made wrong,
ignores key order, and pays next to nothing for ``{}`` when properties are required.

Errors are counted up to ``max_errors`` (default 100), where validation stops: past it,
``errors`` is ``max_errors`` and ``fraction`` counts only the leaves those errors touch, an
upper bound; the decay has long reached its floor (``0.9 ** 20`` = 0.12), so such an
answer earns at most ``partial_cap * 0.12``.
"""

from __future__ import annotations

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


_ABSENT = object()


def _children(value: Any) -> dict[str, Any] | None:
    """A non-empty container's children by JSON-pointer segment (unescaped); ``None`` for a
    leaf (a scalar or an empty container). An index is its decimal text, as in a pointer."""
    if isinstance(value, dict) and value:
        return value
    if isinstance(value, list) and value:
        return dict(zip(map(str, range(len(value))), value, strict=True))
    return None


def _leaf_count(value: Any) -> int:
    count, stack = 0, [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict) and current:
            stack.extend(current.values())
        elif isinstance(current, list) and current:
            stack.extend(current)
        else:
            count += 1
    return count


def _failed_trie(pointers: set[str]) -> dict:
    """JSON pointers as a trie of unescaped segments; the key ``None`` marks where one ends.

    Walked along the instance, it tells each subtree whether an error touched it or an
    ancestor without writing one pointer per leaf: those repeat every key above the leaf,
    quadratic in the size of a deep or long-keyed instance."""
    root: dict = {}
    for pointer in pointers:
        node = root
        for part in pointer.split("/")[1:]:
            node = node.setdefault(part.replace("~1", "/").replace("~0", "~"), {})
        node[None] = True
    return root


def checks_passed_fraction(instance: Any, errors: list[SchemaError]) -> float:
    failed = {error.path for error in errors if error.keyword not in CONTAINER_KEYWORDS}
    extra = sum(
        MISSING_REQUIRED_WEIGHT if error.keyword == "required" else 1
        for error in errors
        if error.keyword in CONTAINER_KEYWORDS
    )
    leaves = passed = 0
    stack: list[tuple[Any, dict]] = [(instance, _failed_trie(failed))]
    while stack:
        value, node = stack.pop()
        if node and None not in node and (children := _children(value)) is not None:
            # Only the children an error touched are walked; the rest are counted at once.
            stack.extend((children[key], node[key]) for key in node.keys() & children.keys())
            value = [child for key, child in children.items() if key not in node]
            if not value:
                continue
        count = _leaf_count(value)
        leaves += count
        passed += 0 if None in node else count
    return passed / (leaves + extra)


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
    positions = matched = 0
    stack = [(instance, expected)]
    while stack:
        mine, theirs = stack.pop()
        my_children = None if mine is _ABSENT else _children(mine)
        their_children = None if theirs is _ABSENT else _children(theirs)
        my_leaf = mine is not _ABSENT and my_children is None
        their_leaf = theirs is not _ABSENT and their_children is None
        positions += my_leaf or their_leaf
        matched += my_leaf and their_leaf and json_equal(mine, theirs)
        my_children, their_children = my_children or {}, their_children or {}
        stack.extend(
            (my_children.get(key, _ABSENT), their_children.get(key, _ABSENT))
            for key in my_children.keys() | their_children.keys()
        )
    return matched / positions
