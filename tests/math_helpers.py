"""Shared helpers of the math verifier's tests."""

from __future__ import annotations

from verifiers import Status
from verifiers.math import verify


def boxed(answer: str) -> str:
    """A response as a model writes it, with the answer boxed at the end."""
    return f"The final answer is $\\boxed{{{answer}}}$."


def judge_response(gold: str | list[str], response: str) -> float:
    """The reward of ``response``; an answer must have been found in it."""
    outcome = verify(response, gold)
    assert outcome.status is Status.OK, outcome.detail
    assert outcome.components == {"format": 1.0, "accuracy": outcome.reward}
    return outcome.reward


def judge(gold: str | list[str], answer: str) -> float:
    """The reward of a boxed ``answer`` against ``gold``."""
    return judge_response(gold, boxed(answer))
