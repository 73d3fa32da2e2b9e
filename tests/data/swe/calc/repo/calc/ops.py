"""Arithmetic on ints and floats; bad input raises CalcError."""

from __future__ import annotations

from numbers import Real


class CalcError(ValueError):
    """An input the calculator cannot handle."""


def check_numbers(*values: object) -> None:
    """Reject anything but real numbers (bools included: True + 1 is a bug, not 2)."""
    for value in values:
        if isinstance(value, bool) or not isinstance(value, Real):
            raise CalcError(f"not a number: {value!r}")


def add(a: float, b: float) -> float:
    check_numbers(a, b)
    return a + b


def sub(a: float, b: float) -> float:
    check_numbers(a, b)
    return a - b


def mul(a: float, b: float) -> float:
    check_numbers(a, b)
    return a * b


def div(a: float, b: float) -> float:
    check_numbers(a, b)
    if b == 0:
        raise CalcError("division by zero")
    return a / b


def mean(values: list[float]) -> float:
    values = list(values)
    if not values:
        raise CalcError("mean of no values")
    check_numbers(*values)
    return sum(values) / len(values)
