"""``patch_similarity``: the SWE-RL reward, how close a predicted code change is to the oracle.

Two answer forms: search/replace blocks inside ``<think>``/``<solution>`` tags
(:mod:`.search_replace`), applied to the ground truth's ``code_context``; or a unified diff
(:mod:`.unified_diff`). Both sides become per-file diffs, compared by
``SequenceMatcher.ratio`` and averaged over files (:mod:`.similarity`). A malformed answer
is a format error with reward -1.0, as in the paper.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from verifiers.base import InvalidInput, Outcome, Status, VerifierOptions, verifier
from verifiers.code_changes import PatchFormatError
from verifiers.patch_similarity import search_replace, unified_diff
from verifiers.patch_similarity.similarity import (
    FileSimilarity,
    file_diffs,
    mean_similarity,
    similarities,
)

__all__ = ["PatchSimilarityOptions", "verify"]

COMPONENTS = ("similarity", "files_predicted", "files_oracle", "format")
SHOWN_FILES = 3


class PatchSimilarityOptions(VerifierOptions):
    mode: Literal["search_replace", "unified_diff", "auto"] = "auto"
    """auto: search/replace when the response has a SEARCH block and the ground truth has
    ``code_context``, else unified diff."""
    require_think: bool = True
    """Search/replace answers need exactly one non-empty ``<think>`` block."""
    format_error_reward: float = Field(-1.0, ge=-1.0, le=0.0)
    max_chars: int = Field(200_000, ge=1, le=10_000_000)
    """Longer responses, and search/replace edits adding more characters than this, are a
    format error; ground truths over 50 times this are invalid input."""


def _text_map(value: Any, name: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise InvalidInput(f"ground_truth.{name} must map file paths to file contents")
    return value


def _ground_truth(ground_truth: Any, max_chars: int) -> dict[str, Any]:
    if not isinstance(ground_truth, dict):
        raise InvalidInput(
            "ground_truth must be an object with oracle_patch, or code_context with "
            f"oracle_new_content or oracle_patch; got {type(ground_truth).__name__}"
        )
    unknown = ground_truth.keys() - {"code_context", "oracle_new_content", "oracle_patch"}
    if unknown:
        raise InvalidInput(f"ground_truth has unknown keys: {', '.join(sorted(unknown))}")
    if "oracle_patch" in ground_truth and not isinstance(ground_truth["oracle_patch"], str):
        raise InvalidInput("ground_truth.oracle_patch must be a unified diff (a string)")
    if "oracle_patch" not in ground_truth and "oracle_new_content" not in ground_truth:
        raise InvalidInput("ground_truth needs oracle_patch or oracle_new_content")
    size = sum(len(str(value)) for value in ground_truth.values())
    if size > max_chars * 50:
        raise InvalidInput(f"ground_truth is larger than {max_chars * 50} characters")
    return ground_truth


def _oracle_content(truth: dict[str, Any], context: dict[str, str]) -> dict[str, str]:
    if "oracle_new_content" in truth:
        return _text_map(truth["oracle_new_content"], "oracle_new_content")
    try:
        return unified_diff.apply(context, unified_diff.parse(truth["oracle_patch"]))
    except (PatchFormatError, ValueError) as exc:
        raise InvalidInput(f"oracle_patch does not apply to code_context: {exc}") from None


def _oracle_texts(truth: dict[str, Any]) -> dict[str, str]:
    try:
        return unified_diff.file_texts(unified_diff.parse(truth["oracle_patch"]))
    except PatchFormatError as exc:
        raise InvalidInput(f"oracle_patch: {exc}") from None


def _mode(response: str, truth: dict[str, Any], requested: str) -> str:
    if requested != "auto":
        return requested
    if "code_context" in truth and "<<<<<<< SEARCH" in response:
        return "search_replace"
    return "unified_diff" if "oracle_patch" in truth else "search_replace"


def _scored(files: list[FileSimilarity], mode: str) -> Outcome:
    reward = mean_similarity(files)
    shown = ", ".join(f"{f.path} {f.similarity:.3f}" for f in files[:SHOWN_FILES])
    more = f" (+{len(files) - SHOWN_FILES} more)" if len(files) > SHOWN_FILES else ""
    detail = f"{mode}: similarity {reward:.4f} over {len(files)} file(s): {shown}{more}"
    if not files:
        detail = f"{mode}: neither side changes anything"
    return Outcome(
        reward,
        detail=detail,
        components={
            "similarity": reward,
            "files_predicted": float(sum(f.predicted for f in files)),
            "files_oracle": float(sum(f.oracle for f in files)),
            "format": 1.0,
        },
    )


@verifier("patch_similarity", options=PatchSimilarityOptions, components=COMPONENTS, timeout_s=30.0)
def verify(response: str, ground_truth: Any, options: PatchSimilarityOptions) -> Outcome:
    """SWE-RL reward: similarity of the predicted code change to the oracle."""
    truth = _ground_truth(ground_truth, options.max_chars)
    mode = _mode(response, truth, options.mode)
    if mode == "search_replace" and "code_context" not in truth:
        raise InvalidInput("search_replace mode needs ground_truth.code_context")
    if mode == "unified_diff" and "oracle_patch" not in truth:
        raise InvalidInput("unified_diff mode needs ground_truth.oracle_patch")
    try:
        if len(response) > options.max_chars:
            raise PatchFormatError(f"response longer than {options.max_chars} characters")
        if mode == "search_replace":
            context = _text_map(truth["code_context"], "code_context")
            oracle = file_diffs(context, _oracle_content(truth, context))
            predicted = file_diffs(
                context,
                search_replace.predicted_content(
                    response,
                    context,
                    require_think=options.require_think,
                    max_chars=options.max_chars,
                ),
            )
        else:
            oracle = _oracle_texts(truth)
            predicted = unified_diff.predicted_texts(response)
    except PatchFormatError as problem:
        return Outcome(
            options.format_error_reward,
            Status.FORMAT_ERROR,
            detail=f"{mode}: {problem}",
            components={
                "similarity": 0.0,
                "files_predicted": 0.0,
                "files_oracle": 0.0,
                "format": 0.0,
            },
        )
    return _scored(similarities(predicted, oracle), mode)
