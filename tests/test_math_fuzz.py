"""Random answers built from LaTeX fragments: the math verifier never raises and stays fast.

A crash would be an ``error`` result, never the server's death, but it would still cost a
training run a reward; these seeds keep the parser's and comparer's edges honest.
"""

from __future__ import annotations

import random
import time

import pytest

from tests.math_helpers import boxed
from verifiers import Status
from verifiers.math import verify

FRAGMENTS = [
    *"0123456789",
    "12.5",
    "1,000",
    "x",
    "y",
    "n",
    "k",
    "e",
    "i",
    "A",
    "C",
    "f(",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\\{",
    "\\}",
    "+",
    "-",
    "*",
    "/",
    "^",
    "_",
    "=",
    "<",
    ">",
    "\\le",
    "\\ge",
    "\\ne",
    ",",
    ";",
    ":",
    "|",
    "!",
    "%",
    "'",
    "\\%",
    "^\\circ",
    "\\frac",
    "\\dfrac",
    "\\sqrt",
    "\\sqrt[3]",
    "\\pi",
    "\\infty",
    "\\pm",
    "\\mp",
    "\\cup",
    "\\in",
    "\\mid",
    "\\cdot",
    "\\times",
    "\\sin",
    "\\cos",
    "\\tan",
    "\\log",
    "\\ln",
    "\\log_",
    "\\exp",
    "\\binom",
    "\\lfloor",
    "\\rfloor",
    "\\lceil",
    "\\rceil",
    "\\left(",
    "\\right)",
    "\\left[",
    "\\right]",
    "\\text{ and }",
    "\\text{ cm}",
    "\\text{ for all }",
    "\\text{yes}",
    " or ",
    " and ",
    "\\overline{3}",
    "0.",
    "\\begin{pmatrix}",
    "\\end{pmatrix}",
    "&",
    "\\\\",
    "\\emptyset",
    "\\mathbb{R}",
    "\\,",
    " ",
    "$",
    "\\boxed{",
    "\\ldots",
    "\\alpha",
    "x_1",
    "a_{n}",
    "\\operatorname{lcm}",
]


def random_answer(rng: random.Random) -> str:
    return "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 24)))


@pytest.mark.parametrize("seed", range(8))
def test_random_answers_never_raise(seed: int) -> None:
    rng = random.Random(seed)
    slowest = 0.0
    for _ in range(300):
        gold, answer = random_answer(rng), random_answer(rng)
        started = time.monotonic()
        outcome = verify(boxed(answer), gold if gold.strip() else "0")
        slowest = max(slowest, time.monotonic() - started)
        assert outcome.status in (Status.OK, Status.FORMAT_ERROR), (gold, answer)
        assert outcome.reward in (0.0, 1.0)
    assert slowest < 2.0


@pytest.mark.parametrize("seed", range(4))
def test_every_random_answer_equals_itself_or_is_refused_alike(seed: int) -> None:
    """Reflexivity: an answer judged against itself is never a crash, and plain ones match."""
    rng = random.Random(1000 + seed)
    for _ in range(200):
        answer = random_answer(rng)
        if not answer.strip():
            continue
        outcome = verify(boxed(answer), answer)
        assert outcome.status in (Status.OK, Status.FORMAT_ERROR), answer
