"""The math verifier on structured answers: sets, tuples, lists, intervals, equations, matrices."""

from __future__ import annotations

import pytest

from tests.math_helpers import judge
from verifiers import Status
from verifiers.math import verify


def pmatrix(rows: str) -> str:
    return f"\\begin{{pmatrix}}{rows}\\end{{pmatrix}}"


def bmatrix(rows: str) -> str:
    return f"\\begin{{bmatrix}}{rows}\\end{{bmatrix}}"


CASES = [
    # sets: order-free, duplicates irrelevant, empty set spellings
    ("\\{1,2,3\\}", "\\{3,1,2\\}", 1.0),
    ("\\{1,2,3\\}", "\\{1,2,3\\}", 1.0),
    ("\\{1,2,3\\}", "\\{\\frac{2}{2},2,3\\}", 1.0),
    ("\\{1,2,3\\}", "\\{1,2\\}", 0.0),
    ("\\{1,2,3\\}", "\\{1,2,4\\}", 0.0),
    ("\\{1,2,3\\}", "\\{1,2,3,4\\}", 0.0),
    ("\\{-1, 1\\}", "\\{1, -1\\}", 1.0),
    ("\\{-1, 1\\}", "\\{1\\}", 0.0),
    ("\\{\\sqrt2, -\\sqrt2\\}", "\\{-\\sqrt{2}, \\sqrt{2}\\}", 1.0),
    ("\\emptyset", "\\varnothing", 1.0),
    ("\\emptyset", "\\{\\}", 1.0),
    ("\\varnothing", "\\emptyset", 1.0),
    ("\\{\\}", "\\varnothing", 1.0),
    ("\\emptyset", "\\{0\\}", 0.0),
    ("\\emptyset", "0", 0.0),
    ("\\{0\\}", "\\emptyset", 0.0),
    # tuples and vectors: ordered
    ("(1,2)", "(1,2)", 1.0),
    ("(1,2)", "(2,1)", 0.0),
    ("(1,2)", "(1,2,3)", 0.0),
    ("(1,2)", "(1,3)", 0.0),
    ("(1,2,3)", "(1,2,3)", 1.0),
    ("(1,2,3)", "(3,2,1)", 0.0),
    ("(0.5, 2)", "(\\frac12, 2)", 1.0),
    ("(\\frac12, 2)", "(2, \\frac12)", 0.0),
    ("\\left(1, 2\\right)", "(1,2)", 1.0),
    ("(1,2)", "\\left(2, 1\\right)", 0.0),
    ("\\langle 1, 2, 3\\rangle", "\\langle 1, 2, 3\\rangle", 1.0),
    ("\\langle 1, 2, 3\\rangle", "\\langle 3, 2, 1\\rangle", 0.0),
    ("(-1, \\sqrt{3})", "(-1, \\sqrt3)", 1.0),
    ("(-1, \\sqrt{3})", "(1, \\sqrt3)", 0.0),
    # bare comma lists: order-free multisets
    ("1,2", "2,1", 1.0),
    ("1, 2", "1,2", 1.0),
    ("1,2", "1,2,2", 0.0),
    ("1,2,2", "1,2", 0.0),
    ("1,2,2", "2,1,2", 1.0),
    ("1,2", "1", 0.0),
    ("1,2", "1,3", 0.0),
    ("-3, 5", "5, -3", 1.0),
    ("\\frac12, 3", "3, 0.5", 1.0),
    ("3", "3, 3", 0.0),
    # lists of tuples: order-free list, ordered tuples
    ("(1,2),(3,4)", "(3,4),(1,2)", 1.0),
    ("(1,2),(3,4)", "(1,2),(3,4)", 1.0),
    ("(1,2),(3,4)", "(2,1),(3,4)", 0.0),
    ("(1,2),(3,4)", "(1,2)", 0.0),
    ("(1,2),(3,4)", "(1,2),(3,4),(5,6)", 0.0),
    ("(1,2),(3,4)", "(1,3),(2,4)", 0.0),
    # intervals: open and closed ends
    ("[1,3)", "[1,3)", 1.0),
    ("[1,3)", "[1,3]", 0.0),
    ("[1,3]", "(1,3]", 0.0),
    ("(1,3]", "[1,3)", 0.0),
    ("[1,3]", "[1,3]", 1.0),
    ("[1,3]", "[1,4]", 0.0),
    ("[0,\\frac12]", "[0,0.5]", 1.0),
    ("(-\\infty, 0)", "(-\\infty,0)", 1.0),
    ("(-\\infty, 0)", "(-\\infty,0]", 0.0),
    ("(-\\infty, 0)", "(0, \\infty)", 0.0),
    ("[2, \\infty)", "[2,+\\infty)", 1.0),
    ("[2, \\infty)", "(2, \\infty)", 0.0),
    ("\\left[1, 3\\right)", "[1,3)", 1.0),
    # unions
    ("(-\\infty,0)\\cup(1,\\infty)", "(-\\infty,0)\\cup(1,\\infty)", 1.0),
    ("(-\\infty,0)\\cup(1,\\infty)", "(1,\\infty)\\cup(-\\infty,0)", 1.0),
    ("(-\\infty,0)\\cup(1,\\infty)", "(-\\infty,0]\\cup(1,\\infty)", 0.0),
    ("(-\\infty,0)\\cup(1,\\infty)", "(-\\infty,0)", 0.0),
    ("(-\\infty,0)\\cup(1,\\infty)", "(0,1)", 0.0),
    ("[0,1]\\cup[2,3]", "[0,1] \\cup [2,3]", 1.0),
    ("[0,1]\\cup[2,3]", "[0,3]", 0.0),
    # inequalities and intervals
    ("(1,\\infty)", "x>1", 1.0),
    ("x>1", "(1,\\infty)", 1.0),
    ("(1,\\infty)", "x \\geq 1", 0.0),
    ("(1,\\infty)", "x<1", 0.0),
    ("(1,\\infty)", "1<x", 1.0),
    ("(3,4]", "3<x\\le4", 1.0),
    ("3<x\\le4", "(3,4]", 1.0),
    ("(3,4]", "3<x<4", 0.0),
    ("(3,4]", "3\\le x\\le4", 0.0),
    ("[3,4)", "3 \\leq x < 4", 1.0),
    ("(-\\infty,0]", "x \\le 0", 1.0),
    ("(-\\infty,0]", "x < 0", 0.0),
    ("(-\\infty,0]", "x \\ge 0", 0.0),
    ("(-\\infty,1)\\cup(2,\\infty)", "x<1 \\text{ or } x>2", 1.0),
    ("x<1 \\text{ or } x>2", "(-\\infty,1)\\cup(2,\\infty)", 1.0),
    ("(-\\infty,1)\\cup(2,\\infty)", "x\\le1 \\text{ or } x>2", 0.0),
    ("(-\\infty,1)\\cup(2,\\infty)", "1<x<2", 0.0),
    ("(2,3)", "\\{x \\mid 2<x<3\\}", 1.0),
    ("\\{x \\mid 2<x<3\\}", "(2,3)", 1.0),
    ("(2,3)", "\\{x \\mid 2\\le x<3\\}", 0.0),
    ("(2,3)", "\\{x \\mid 2<x<4\\}", 0.0),
    # labelled answers: equations with a single variable on the left
    ("5", "x = 5", 1.0),
    ("x = 5", "5", 1.0),
    ("5", "x = 6", 0.0),
    ("x=5", "x=-5", 0.0),
    ("2x+1", "y = 2x+1", 1.0),
    ("y = 2x+1", "2x+1", 1.0),
    ("y = 2x+1", "y = 2x-1", 0.0),
    ("y = 2x+1", "2x", 0.0),
    ("x^2", "f(x) = x^2", 1.0),
    ("f(x) = x^2", "x^2", 1.0),
    ("f(x) = x^2", "f(x) = x^3", 0.0),
    ("(1,2)", "(x,y)=(1,2)", 1.0),
    ("(x,y)=(1,2)", "(1,2)", 1.0),
    ("(1,2)", "(x,y)=(2,1)", 0.0),
    ("2, 3", "a=2, b=3", 1.0),
    ("a=2, b=3", "2, 3", 1.0),
    ("2, 3", "a=2, b=4", 0.0),
    ("-2, 1", "x=1 \\text{ or } x=-2", 1.0),
    ("x=1 \\text{ or } x=-2", "-2, 1", 1.0),
    ("-2, 1", "x=1 \\text{ or } x=2", 0.0),
    ("-2, 1", "x=1", 0.0),
    ("-2, 1", "x = 1, x = -2", 1.0),
    # plus-minus
    ("1+\\sqrt2, 1-\\sqrt2", "1\\pm\\sqrt2", 1.0),
    ("1\\pm\\sqrt2", "1+\\sqrt2, 1-\\sqrt2", 1.0),
    ("1\\pm\\sqrt2", "1-\\sqrt2, 1+\\sqrt2", 1.0),
    ("1\\pm\\sqrt2", "1+\\sqrt2", 0.0),
    ("1\\pm\\sqrt2", "1\\pm\\sqrt3", 0.0),
    ("\\pm 3", "3, -3", 1.0),
    ("\\pm 3", "3", 0.0),
    ("(1,2),(-1,2)", "(\\pm 1, 2)", 1.0),
    ("(\\pm 1, 2)", "(-1,2),(1,2)", 1.0),
    ("(\\pm 1, 2)", "(1,2)", 0.0),
    ("(\\pm 1, 2)", "(1,2),(1,-2)", 0.0),
    # matrices: entries compared numerically
    (pmatrix("1&2\\\\3&4"), bmatrix("1&2\\\\3&4"), 1.0),
    (bmatrix("1&2\\\\3&4"), pmatrix("1&2\\\\3&4"), 1.0),
    (pmatrix("1&2\\\\3&4"), pmatrix("1 & 2 \\\\ 3 & 4"), 1.0),
    (pmatrix("\\frac15&0\\\\0&1"), pmatrix("0.2&0\\\\0&1"), 1.0),
    (pmatrix("\\frac{1}{5}"), bmatrix("0.2"), 1.0),
    (pmatrix("1&2\\\\3&4"), pmatrix("1&2\\\\3&5"), 0.0),
    (pmatrix("1&2\\\\3&4"), pmatrix("1&3\\\\2&4"), 0.0),
    (pmatrix("1&2\\\\3&4"), pmatrix("3&4\\\\1&2"), 0.0),
    (pmatrix("1&2\\\\3&4"), pmatrix("1&2&3\\\\4&5&6"), 0.0),
    (pmatrix("1&2\\\\3&4"), pmatrix("1&2\\\\3&4\\\\0&0"), 0.0),
    (pmatrix("1\\\\2"), pmatrix("1&2"), 0.0),
    (pmatrix("1\\\\2"), pmatrix("1\\\\2"), 1.0),
    (pmatrix("1\\\\2"), pmatrix("2\\\\1"), 0.0),
    (pmatrix("x&0\\\\0&x"), pmatrix("x&0\\\\0&x"), 1.0),
    (pmatrix("x&0\\\\0&x"), pmatrix("y&0\\\\0&y"), 0.0),
]


@pytest.mark.parametrize(("gold", "answer", "reward"), CASES)
def test_structures(gold: str, answer: str, reward: float) -> None:
    assert judge(gold, answer) == reward


@pytest.mark.parametrize(
    ("response", "gold", "reward"),
    [
        ("The roots are $\\boxed{1}$ and $\\boxed{2}$.", "1, 2", 1.0),
        ("So the set is $\\boxed{\\{3,1,2\\}}$.", "\\{1,2,3\\}", 1.0),
        ("The solutions are $x = 1$ and $x = -2$.\n\nAnswer: $x = 1, x = -2$", "-2, 1", 1.0),
        ("Answer: $(2, 1)$", "(1,2)", 0.0),
        ("**Answer:** $[1, 3)$", "[1,3)", 1.0),
        ("**Answer:** $[1, 3]$", "[1,3)", 0.0),
    ],
)
def test_structures_in_context(response: str, gold: str, reward: float) -> None:
    outcome = verify(response, gold)
    assert outcome.status is Status.OK, outcome.detail
    assert outcome.reward == reward, outcome.detail
