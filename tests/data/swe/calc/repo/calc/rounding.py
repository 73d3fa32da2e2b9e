"""Rounding as on paper: halves go away from zero (2.5 -> 3, -2.5 -> -3)."""

from __future__ import annotations

from calc.ops import CalcError, check_numbers


def round_half_up(value: float, digits: int = 0) -> float:
    """Round ``value`` to ``digits`` decimal places, halves away from zero.

    With ``digits=0`` the result is an int.
    """
    check_numbers(value)
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 0:
        raise CalcError(f"digits must be a non-negative int: {digits!r}")
    result = round(value, digits)
    return int(result) if digits == 0 else result
