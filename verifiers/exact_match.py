"""``exact_match``: the response equals one of the accepted answers, after light normalization."""

from __future__ import annotations

from typing import Any

from verifiers.base import InvalidInput, Outcome, VerifierOptions, verifier


class ExactMatchOptions(VerifierOptions):
    case_sensitive: bool = True
    strip: bool = True
    """Ignore leading and trailing white space."""
    normalize_whitespace: bool = False
    """Treat every run of white space as one space."""


def _accepted_answers(ground_truth: Any) -> list[str]:
    if isinstance(ground_truth, str):
        return [ground_truth]
    if (
        isinstance(ground_truth, list)
        and ground_truth
        and all(isinstance(answer, str) for answer in ground_truth)
    ):
        return ground_truth
    raise InvalidInput(
        "ground_truth must be a string or a non-empty list of strings, "
        f"got {type(ground_truth).__name__}"
    )


def _normalize(text: str, options: ExactMatchOptions) -> str:
    if options.normalize_whitespace:
        text = " ".join(text.split())
    elif options.strip:
        text = text.strip()
    return text if options.case_sensitive else text.casefold()


@verifier("exact_match", options=ExactMatchOptions, components=("accuracy",))
def verify(response: str, ground_truth: Any, options: ExactMatchOptions) -> Outcome:
    """Reward 1.0 when the response equals an accepted answer (a string or a list of them)."""
    answers = _accepted_answers(ground_truth)
    candidate = _normalize(response, options)
    for index, answer in enumerate(answers):
        if candidate == _normalize(answer, options):
            which = f" #{index + 1} of {len(answers)}" if len(answers) > 1 else ""
            detail = f"matched accepted answer{which}"
            return Outcome(1.0, detail=detail, components={"accuracy": 1.0})
    plural = "s" if len(answers) > 1 else ""
    return Outcome(
        0.0,
        detail=f"no match against {len(answers)} accepted answer{plural}",
        components={"accuracy": 0.0},
    )
