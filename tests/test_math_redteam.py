"""Cases from a red-team pass over the math verifier: false positives it must not repeat,
and general forms it learned to accept."""

from __future__ import annotations

import pytest

from tests.math_helpers import judge, judge_response
from verifiers import Status
from verifiers.math import verify

# Each wrong answer here was once accepted.
NOT_EQUIVALENT = [
    ("x = 3", "y = 3"),
    ("a=2, b=3", "a=2, c=3"),
    ("x \\geq -2", "y \\geq -2"),
    ("(x,y)=(1,2)", "(y,x)=(1,2)"),
    ("x=1, y=2", "(y,x)=(1,2)"),
    ("(a,b,c)=(1,2,3)", "c=1, b=2, a=3"),
    ("a=2, b=3", "3, 2"),
    ("The minimum is 3 and the maximum is 7", "7, 3"),
    ("There are 5 red and 3 blue balls", "3 \\text{ red}, 5 \\text{ blue}"),
    ("5 \\text{ cm}", "5\\text{ cm}^2"),
    ("30 minutes", "30 \\text{ hours}"),
    ("5 \\text{ m}", "5 \\text{ km}"),
    ("100 \\text{ cm}^2", "100 \\text{ cm}^3"),
    ("3 \\text{ m/s}", "3 \\text{ km/h}"),
    ("0.25", "0.25\\%"),
    ("0.25", "25\\%"),  # one reading per answer: 25% is 25 (issue 15)
    ("0.1", "0.1\\%"),
    ("3.5", "3.59"),
    ("0.5", "0.54"),
    ("0.3", "0.38"),
    ("yes", "\\text{Yes and no}"),
    ("AC", "AB"),
    ("A", "A, C"),
    ("\\frac{\\pi}{4}+k\\pi", "\\frac{\\pi}{2}+k\\pi"),
    ("\\frac{\\pi}{6}+2k\\pi", "\\frac{7\\pi}{6}+2k\\pi"),
    ("\\frac{\\pi}{6}+2k\\pi", "\\frac{\\pi}{6}+k\\pi"),
    ("x+k", "x+n"),
    ("(-2,2)", "|x| \\le 2"),
    ("(1,2,1)", "x=y=1, z=2"),
    ("f(x)=2x+3", "f(t)=2t+4"),
    ("f(x,y)=x-y", "f(y,x)=x-y"),
]

EQUIVALENT = [
    ("(x,y)=(1,2)", "(y,x)=(2,1)"),
    ("y = x", "x = y"),
    ("a=2, b=3", "2, 3"),
    ("1080", "\\$1,080.00"),
    ("1080.5", "1,080.50"),
    ("12", "\\approx 12"),
    ("\\langle 1, 2, 3 \\rangle", "(1,2,3)"),
    ("(1,3)\\cup(2,4)", "(1,4)"),
    ("[1,2]\\cup[2,3]", "[1,3]"),
    ("(-\\infty, 0) \\cup [0, 5]", "(-\\infty, 5]"),
    ("Yes", "\\text{Yes, it is possible}"),
    ("No", "\\text{No, it cannot be done}"),
    ("Alice wins", "\\text{Alice}"),
    ("The largest is 7", "7"),
    ("864 \\mbox{ inches}^2", "864 \\text{ square inches}"),
    ("5 \\text{ cm}", "5 \\text{ cm}"),
    ("12", "12\\%"),
    ("AC", "A, C"),
    ("ACD", "(D), (A) and (C)"),
    ("\\frac{\\pi}{4}+k\\pi", "\\frac{5\\pi}{4}+k\\pi"),
    ("\\frac{\\pi}{4}+k\\pi", "-\\frac{3\\pi}{4}+n\\pi"),
    ("\\frac{\\pi}{6}+2k\\pi", "\\frac{13\\pi}{6}+2k\\pi"),
    ("k\\pi, k\\in\\mathbb{Z}", "n\\pi"),
    ("(5,3)", "(5;3)"),
    ("(-2,2)", "|x|<2"),
    ("(-\\infty,-1]\\cup[1,\\infty)", "|x| \\ge 1"),
    ("(0,\\infty)", "\\mathbb{R}^+"),
    ("10", "{5 \\choose 2}"),
    ("(1,1,1)", "x=y=z=1"),
    ("(1,1,2)", "x=y=1, z=2"),
    ("f(x)=2x+3", "f(t)=2t+3"),
    ("f(x,y)=x-y", "f(y,x)=y-x"),
]


@pytest.mark.parametrize(("gold", "answer"), NOT_EQUIVALENT)
def test_near_misses_are_rejected(gold: str, answer: str) -> None:
    assert judge(gold, answer) == 0.0


@pytest.mark.parametrize(("gold", "answer"), EQUIVALENT)
def test_equivalent_forms_are_accepted(gold: str, answer: str) -> None:
    assert judge(gold, answer) == 1.0


@pytest.mark.parametrize(
    ("response", "gold", "reward"),
    [
        ("My first guess \\boxed{5} was wrong. The answer is 6.", "6", 1.0),
        ("My first guess \\boxed{5} was wrong. The answer is 6.", "5", 0.0),
        ("Put your answer in \\boxed{}. Solving, x = 4. So the answer is 4.", "4", 1.0),
        ("The correct option is (C).", "C", 1.0),
        ("The answer is 6, not 5.", "6", 1.0),
        ("\\boxed{5}. I hope the answer is correct.", "5", 1.0),
        ("The answer is \\boxed{6}, not \\boxed{5}.", "6", 1.0),
        ("The answer is \\boxed{6}, not \\boxed{5}.", "5", 0.0),
    ],
)
def test_extraction_follows_the_last_stated_answer(response: str, gold: str, reward: float) -> None:
    assert judge_response(gold, response) == reward


@pytest.mark.parametrize(
    "response", ["It is not $\\boxed{5}$.", "The answer cannot be \\boxed{5}; it must be 6."]
)
def test_a_box_that_is_ruled_out_is_no_answer(response: str) -> None:
    outcome = verify(response, "5")
    assert outcome.status is Status.FORMAT_ERROR
    assert outcome.reward == 0.0
