"""Is a test's output right? Standard output as competitive-programming judges compare it,
return values as JSON data, both with a numeric tolerance. Runs in the verifier, on
output captured from the sandbox: the expected outputs never enter it."""

from __future__ import annotations

import math
from typing import Any, Literal

OutputCompare = Literal["tokens", "lines", "exact"]


def output_matches(got: bytes, expected: str, how: OutputCompare, tolerance: float) -> bool:
    """``tokens``: the white-space separated tokens are equal, or both numbers within
    ``tolerance`` (absolute or relative); ``lines``: each line equal once its trailing white
    space is dropped, trailing empty lines ignored; ``exact``: equal but for a final newline."""
    text = got.decode(errors="replace")
    if how == "exact":
        return text.rstrip("\n") == expected.rstrip("\n")
    if how == "lines":
        return _lines(text) == _lines(expected)
    tokens, wanted = text.split(), expected.split()
    return len(tokens) == len(wanted) and all(
        token == want or _close(token, want, tolerance)
        for token, want in zip(tokens, wanted, strict=True)
    )


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _close(token: str, want: str, tolerance: float) -> bool:
    if tolerance <= 0 or len(token) > 64 or len(want) > 64:
        return False
    try:
        a, b = float(token), float(want)
    except ValueError:
        return False
    if not (math.isfinite(a) and math.isfinite(b)):
        return False
    return math.isclose(a, b, rel_tol=tolerance, abs_tol=tolerance)


def value_matches(got: Any, expected: Any, tolerance: float) -> bool:
    """A call's return value against the dataset's: tuples read as lists (JSON has none),
    and, as APPS grades, an expected ``[x]`` also accepts ``x``."""
    if _equal(got, expected, tolerance):
        return True
    return isinstance(expected, list) and len(expected) == 1 and _equal(got, expected[0], tolerance)


def _equal(got: Any, expected: Any, tolerance: float) -> bool:
    if isinstance(got, (list, tuple)) and isinstance(expected, (list, tuple)):
        return len(got) == len(expected) and all(
            _equal(g, e, tolerance) for g, e in zip(got, expected, strict=True)
        )
    if isinstance(got, dict) and isinstance(expected, dict):
        return got.keys() == expected.keys() and all(
            _equal(got[key], expected[key], tolerance) for key in got
        )
    if _number(got) and _number(expected) and float in (type(got), type(expected)):
        return math.isclose(got, expected, rel_tol=tolerance, abs_tol=tolerance) or got == expected
    return type(got) is type(expected) and got == expected


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
