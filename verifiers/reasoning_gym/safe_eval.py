"""Stand-ins for the ``eval`` and ``sympy.parse_expr`` calls of some reasoning-gym scorers.

Seven scorers of reasoning-gym 0.1.25 hand text to an interpreter: four read a Python list
out of the answer with ``eval(answer)`` (binary_matrix, spiral_matrix, string_insertion,
n_queens), number_sorting falls back to ``eval`` on the gold, bitwise_arithmetic runs
``eval`` on the gold's expression, and countdown and puzzle24 evaluate the answer with
sympy's ``parse_expr``, which is ``eval`` with extra steps. Each of these names is a global
of its module, so :mod:`.tasks` binds it there to one of the readers below: they read
literals and arithmetic from a parse tree and never run anything.
"""

from __future__ import annotations

import ast
from fractions import Fraction
from typing import Any

MAX_EXPRESSION_CHARS = 10_000
"""Longer text is refused before it is parsed (answers are bounded earlier; golds too)."""
MAX_BITS = 4096
"""An intermediate value this wide is refused: ``(2 << 60) * ...`` cannot eat the worker."""
MAX_SHIFT = 64


def literal(text: Any, *_: Any, **__: Any) -> Any:
    """``ast.literal_eval`` in place of ``eval(answer)``: lists, tuples, strings, numbers."""
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}")
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ValueError(f"literal longer than {MAX_EXPRESSION_CHARS} characters")
    return ast.literal_eval(text.strip())


class Ratio(Fraction):
    """A non-integer result. ``int()`` refuses it: sympy truncates ``49/2`` to 24, and
    puzzle24's scorer takes ``int(parse_expr(answer)) == 24`` for a solution."""

    __slots__ = ()

    def __int__(self) -> int:
        raise ValueError(f"{self} is not an integer")

    __trunc__ = __index__ = __int__


_ARITHMETIC = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
_SHIFTS = {ast.LShift: lambda a, b: a << b, ast.RShift: lambda a, b: a >> b}


def arithmetic(text: Any, *_: Any, **__: Any) -> int | Ratio:
    """Exact value of integers combined with ``+ - * /``, ``<< >>`` and parentheses, in
    place of ``parse_expr(answer)`` (countdown, puzzle24) and ``eval(problem)``
    (bitwise_arithmetic). An integer result is an ``int``; anything else is refused with
    ``ValueError``, which the scorers take for a malformed answer."""
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}")
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ValueError(f"expression longer than {MAX_EXPRESSION_CHARS} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, MemoryError, RecursionError) as exc:
        raise ValueError(f"not an arithmetic expression ({type(exc).__name__})") from None
    try:
        value = _value(tree.body)
    except RecursionError:
        raise ValueError("expression nested too deeply") from None
    return int(value) if value.denominator == 1 else Ratio(value)


def _value(node: ast.AST) -> Fraction:
    if isinstance(node, ast.Constant):
        if type(node.value) is not int:
            raise ValueError(f"only integers may appear, not {type(node.value).__name__}")
        return _bounded(Fraction(node.value))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        operand = _value(node.operand)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        left, right = _value(node.left), _value(node.right)
        if isinstance(node.op, ast.Div) and right == 0:
            raise ValueError("division by zero")
        return _bounded(_ARITHMETIC[type(node.op)](left, right))
    if isinstance(node, ast.BinOp) and type(node.op) in _SHIFTS:
        left, right = _value(node.left), _value(node.right)
        if left.denominator != 1 or right.denominator != 1 or not 0 <= right <= MAX_SHIFT:
            raise ValueError(f"shifts take integers, by 0 to {MAX_SHIFT} bits")
        return _bounded(Fraction(_SHIFTS[type(node.op)](int(left), int(right))))
    raise ValueError(f"{type(node).__name__} is not arithmetic")


def _bounded(value: Fraction) -> Fraction:
    if max(value.numerator.bit_length(), value.denominator.bit_length()) > MAX_BITS:
        raise ValueError(f"a value wider than {MAX_BITS} bits")
    return value
