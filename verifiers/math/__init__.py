"""``math``: is the final answer of a response mathematically equivalent to the gold answer?

The work is split in three: :mod:`.extraction` finds the final answer in the response,
:mod:`.parsing` turns answers into trees (never evaluating text), and :mod:`.compare`
decides equivalence. Gold answers are parsed once and cached: the same gold comes back
for every sample of a prompt.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

from pydantic import Field

from verifiers.base import InvalidInput, Outcome, Status, VerifierOptions, verifier
from verifiers.math.compare import Tolerance, equivalent
from verifiers.math.extraction import extract_answer, last_boxed, read_group
from verifiers.math.not_math import not_math_reason
from verifiers.math.parsing import answer_units, parse_answer

__all__ = ["MathOptions", "verify"]

COMPONENTS = ("format", "accuracy")
_SHOWN_CHARS = 80


class MathOptions(VerifierOptions):
    approximate: int | None = Field(None, ge=1, le=15)
    """Significant digits at which a correctly rounded decimal answer may stand for an exact
    gold (3: ``0.333`` for 1/3, ``0.866`` for sqrt(3)/2). Off by default: an exact gold
    needs an exact answer."""
    boxed_only: bool = False
    """Only a ``\\boxed{}`` answer counts; anything else is a format error."""


def _as_text(gold: Any) -> str | None:
    """A gold as text; datasets store plain numbers too (gsm8k-style ``42``)."""
    if isinstance(gold, str):
        return gold
    if isinstance(gold, int | float) and not isinstance(gold, bool) and math.isfinite(gold):
        return str(gold)
    return None


def _golds(ground_truth: Any) -> list[str]:
    items = ground_truth if isinstance(ground_truth, list) else [ground_truth]
    golds = [_as_text(gold) for gold in items]
    if not golds or None in golds:
        raise InvalidInput(
            "ground_truth must be a string or number, or a non-empty list of them, "
            f"got {type(ground_truth).__name__}"
        )
    if not any(gold.strip() for gold in golds):
        raise InvalidInput("ground_truth is empty")
    return golds


_GOLD_BOX = re.compile(r"\\(?:boxed|fbox)\s*\{")
GOLD_BOXES_MAX_CHARS = 200
"""A gold this short with several boxes is a multi-part answer; a longer one is a solution
whose last box is the answer."""
GOLD_GAP_WORDS = 3
"""Parts of one answer are at most this many words apart ("papers and")."""


@lru_cache(maxsize=4096)
def _gold_answer(gold: str) -> str:
    """Datasets sometimes store the gold boxed (MATH's solutions): use the box's content,
    or every box's in a short multi-part gold (``\\boxed{1} papers and \\boxed{2} bins``)."""
    if "\\boxed" not in gold and "\\fbox" not in gold:
        return gold
    if len(gold) <= GOLD_BOXES_MAX_CHARS:
        boxes, gaps, end = [], [], 0
        for match in _GOLD_BOX.finditer(gold):
            gaps.append(gold[end : match.start()])
            content, end = read_group(gold, match.end() - 1)
            boxes.append(content.strip())
        if len(boxes) > 1 and all(len(gap.split()) <= GOLD_GAP_WORDS for gap in gaps[1:]):
            return ", ".join(boxes)
    return last_boxed(gold) or gold


_DECIMAL = re.compile(r"\s*(-?\d+)\.(\d+)\s*")
_DECIMAL_COMMA = re.compile(r"\s*(-?\d+),(\d{1,2})\s*")


def _with_decimal_point(answer: str, gold: str) -> str:
    """``3,5`` for a gold of ``3.5``: a decimal comma, read as one where the gold is that
    decimal digit for digit (elsewhere ``3,5`` is a list of two numbers)."""
    comma, point = _DECIMAL_COMMA.fullmatch(answer), _DECIMAL.fullmatch(gold)
    if comma and point and comma.groups() == point.groups():
        return f"{comma[1]}.{comma[2]}"
    return answer


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


@verifier(
    "math",
    options=MathOptions,
    components=COMPONENTS,
    timeout_s=5.0,
)
def verify(response: str, ground_truth: Any, options: MathOptions) -> Outcome:
    """The final answer is mathematically equivalent to the gold answer."""
    golds = [gold for gold in _golds(ground_truth) if gold.strip()]
    extracted = extract_answer(response, boxed_only=options.boxed_only)
    if extracted is None:
        where = "\\boxed{} answer" if options.boxed_only else "final answer"
        return Outcome(
            0.0,
            Status.FORMAT_ERROR,
            detail=f"no {where} found in the response",
            components={"format": 0.0, "accuracy": 0.0},
        )
    refusal = not_math_reason(extracted.answer)
    if refusal is not None:
        return Outcome(
            0.0,
            Status.FORMAT_ERROR,
            detail=f"not a mathematical answer ({refusal}): {_shown(extracted.answer)!r}",
            components={"format": 0.0, "accuracy": 0.0},
        )
    tolerance = Tolerance(approximate_digits=options.approximate)
    candidate = parse_answer(extracted.answer)
    shown = f"{_shown(extracted.answer)!r} ({extracted.source})"
    candidate_units = answer_units(extracted.answer)
    for gold in golds:
        gold_units = answer_units(_gold_answer(gold))
        if gold_units and candidate_units and gold_units != candidate_units:
            continue  # "5 cm" is not "5 km"; units are only ignored when one side has none
        answer = _with_decimal_point(extracted.answer, _gold_answer(gold))
        if answer != extracted.answer:
            candidate = parse_answer(answer)
        if equivalent(parse_answer(_gold_answer(gold)), candidate, tolerance):
            return Outcome(
                1.0,
                detail=f"{shown} is equivalent to {_shown(gold)!r}",
                components={"format": 1.0, "accuracy": 1.0},
            )
    against = _shown(golds[0]) if len(golds) == 1 else f"any of {len(golds)} gold answers"
    return Outcome(
        0.0,
        detail=f"{shown} is not equivalent to {against!r}",
        components={"format": 1.0, "accuracy": 0.0},
    )
