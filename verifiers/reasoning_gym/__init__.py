"""``reasoning_gym``: reasoning-gym's own ``score_answer`` for the task an entry came from.

The ground truth is the entry as ``reasoning_gym.create_dataset(...)`` makes it
(``question``, ``answer``, ``metadata`` with ``source_dataset``). :mod:`.extraction`
reads the answer out of the response, :mod:`.tasks` holds one scorer per task per process
and the list of tasks scored (with the reasons for those that are not), and
:mod:`.safe_eval` stands in for the ``eval`` calls of a few scorers.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import numbers
import re
from collections.abc import Mapping
from typing import Any

from pydantic import Field

from verifiers.base import InvalidInput, Outcome, Status, VerifierOptions, verifier
from verifiers.reasoning_gym.extraction import Extraction, FormatProblem, extract
from verifiers.reasoning_gym.tasks import (
    MUTATING,
    PROBES,
    check_task,
    integrity_problem,
    scorer,
    work_problem,
)

__all__ = ["ReasoningGymOptions", "verify"]

COMPONENTS = ("format", "task_score", "accuracy")
MAX_GROUND_TRUTH_CHARS = 4 * 1024 * 1024
MAX_CONFIG_CHARS = 10_000
_SHOWN_CHARS = 80
SCORE_SLACK = 1e-9
"""A score this far above 1 is rounding and counts as 1; further is the scorer's error."""
_NON_FINITE = re.compile(r"(?<![A-Za-z])[+-]?(?:nan|inf(?:inity)?)(?![A-Za-z])", re.IGNORECASE)


class ReasoningGymOptions(VerifierOptions):
    task: str | None = Field(None, min_length=1, max_length=100)
    """The reasoning-gym task (``countdown``); by default the entry's
    ``metadata.source_dataset``. Naming another task than the entry's is an error."""
    extraction: Extraction = "auto"
    """``auto``: ``<answer>`` tags, else the last ``\\boxed{}``, else the last line;
    ``tags``: tags only, anything else is a format error; ``whole``: the whole response."""
    partial_credit: bool = True
    """Keep the scorer's partial credit (reasoning-gym's reward); false: 1.0 only for a
    full score, else 0.0."""
    max_answer_chars: int = Field(20_000, ge=1, le=1_000_000)
    """A longer answer is a format error, refused before any scorer reads it."""
    config: dict[str, Any] | None = None
    """Settings of the task's configuration its scorer reads, as given to
    ``create_dataset`` (word_ladder's ``min_word_length``, decimal_arithmetic's
    ``max_num_decimal_places``); by default the task's defaults."""


class _Discard(io.TextIOBase):
    """Where scorers' prints go: tower_of_hanoi prints the answer's bad moves, and response
    text must not reach the server's logs."""

    def write(self, text: str) -> int:
        return len(text)


_DISCARD = _Discard()


class ScorerError(RuntimeError):
    """A reasoning-gym scorer raised or returned something that is not a score."""


def _json_object(value: Any, where: str) -> Any:
    if not isinstance(value, str):
        return value
    if len(value) > MAX_GROUND_TRUTH_CHARS:
        raise InvalidInput(f"{where} is longer than {MAX_GROUND_TRUTH_CHARS} characters")
    try:
        return json.loads(value)
    except (json.JSONDecodeError, RecursionError):
        raise InvalidInput(f"{where} is text but not JSON") from None


def _ground_truth(ground_truth: Any, options: ReasoningGymOptions) -> tuple[str, dict]:
    """The task and the entry a scorer is given; raises :class:`InvalidInput`."""
    entry = _json_object(ground_truth, "ground_truth")
    if not isinstance(entry, Mapping) or "answer" not in entry:
        raise InvalidInput(
            "ground_truth must be a reasoning-gym entry, an object with answer and metadata "
            f"(or its JSON text), got {type(entry).__name__}"
            + (" without answer" if isinstance(entry, Mapping) else "")
        )
    answer = entry["answer"]
    if answer is not None and not isinstance(answer, str):
        raise InvalidInput(
            f"ground_truth.answer must be a string or null, got {type(answer).__name__}"
        )
    metadata = _json_object(entry.get("metadata", {}), "ground_truth.metadata")
    if not isinstance(metadata, Mapping):
        raise InvalidInput(
            f"ground_truth.metadata must be an object, got {type(metadata).__name__}"
        )
    source = metadata.get("source_dataset")
    if source is not None and not isinstance(source, str):
        raise InvalidInput("ground_truth.metadata.source_dataset must be a string")
    if options.task and source and options.task != source:
        raise InvalidInput(
            f"options.task {options.task!r} differs from the entry's source_dataset {source[:80]!r}"
        )
    task = options.task or source
    if not task:
        raise InvalidInput(
            "ground_truth.metadata.source_dataset is missing and options.task is not set"
        )
    check_task(task)
    question = entry.get("question")
    return task, {"question": question, "answer": answer, "metadata": dict(metadata)}


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _outcome(reward: float, detail: str, *, status: Status, found: bool, score: float) -> Outcome:
    components = {"format": float(found), "task_score": score, "accuracy": float(score >= 1.0)}
    return Outcome(reward, status, detail=detail, components=components)


def _score(task: str, answer: str, entry: dict, options: ReasoningGymOptions) -> float:
    """The scorer's number for ``answer``. When the scorer raises, a known-good answer tells
    whose fault it is: read without trouble, the answer is unreadable (a format error);
    raising too, the gold is (``InvalidInput`` for a missing field) or the package is."""
    score_answer = scorer(task, options.config)
    if task in MUTATING:
        entry = {**entry, "metadata": copy.deepcopy(entry["metadata"])}
    try:
        with contextlib.redirect_stdout(_DISCARD):
            raw = score_answer(answer, entry)
    except Exception as exc:  # the package's code: sorted out below, never a silent 0
        raise _failure(task, score_answer, entry, exc, options) from exc
    if isinstance(raw, bool) or not isinstance(raw, numbers.Real):
        raise ScorerError(f"{task}'s scorer returned {type(raw).__name__}, not a number")
    if not math.isfinite(float(raw)):
        raise ScorerError(f"{task}'s scorer returned {float(raw)}")
    return float(raw)


def _reads(score_answer: Any, answer: str, entry: dict) -> bool:
    try:
        with contextlib.redirect_stdout(_DISCARD):
            score_answer(answer, entry)
    except Exception:  # the known-good answer fails too: the gold or the package is at fault
        return False
    return True


def _failure(
    task: str, score_answer: Any, entry: dict, exc: Exception, options: ReasoningGymOptions
) -> Exception:
    key = exc.args[0] if isinstance(exc, KeyError) and exc.args else None
    if isinstance(key, str) and key not in entry["metadata"] and key not in entry:
        return InvalidInput(f"ground_truth.metadata lacks {key!r}, which {task}'s scorer reads")
    probe = entry["answer"] if entry["answer"] is not None else PROBES.get(task)
    if probe is not None and _reads(score_answer, probe, entry):
        return FormatProblem(f"{task}'s scorer cannot read the answer ({type(exc).__name__})")
    hint = "" if options.config else "; an entry made with other settings needs options.config"
    return ScorerError(f"{task}'s scorer raised {type(exc).__name__}: {_shown(str(exc))}{hint}")


@verifier("reasoning_gym", options=ReasoningGymOptions, components=COMPONENTS, timeout_s=10.0)
def verify(response: str, ground_truth: Any, options: ReasoningGymOptions) -> Outcome:
    """reasoning-gym's own score_answer for the entry's task, on the extracted answer."""
    if options.config is not None:
        try:
            config_chars = len(json.dumps(options.config))
        except (TypeError, ValueError):
            raise InvalidInput("options.config must be a JSON object") from None
        if config_chars > MAX_CONFIG_CHARS:
            raise InvalidInput(f"options.config is longer than {MAX_CONFIG_CHARS} characters")
    task, entry = _ground_truth(ground_truth, options)
    try:
        extracted = extract(response, options.extraction)
        if len(extracted.answer) > options.max_answer_chars:
            raise FormatProblem(
                f"answer of {len(extracted.answer)} characters, over max_answer_chars "
                f"({options.max_answer_chars})"
            )
        problem = work_problem(task, extracted.answer)
        if problem is not None:
            raise FormatProblem(problem)
        answer, shown = extracted.answer, f"{_shown(extracted.answer)!r} ({extracted.source})"
        non_finite = _NON_FINITE.search(answer)
        if non_finite and task != "word_ladder" and not _NON_FINITE.search(entry["answer"] or ""):
            # complex_arithmetic gives "nan" 1.0 (min(1, exp(-nan))), number_sorting "[NaN]";
            # word_ladder reads no numbers, and NAN may be a rung of a valid ladder
            detail = f"{shown} names a non-finite number ({non_finite.group(0)!r}), scored 0"
            return _outcome(0.0, f"{task}: {detail}", status=Status.OK, found=True, score=0.0)
        cheat = integrity_problem(task, answer, entry["metadata"])
        if cheat is not None:
            detail = f"{task}: {shown} {cheat}"
            return _outcome(0.0, detail, status=Status.OK, found=True, score=0.0)
        raw = _score(task, answer, entry, options)
    except FormatProblem as problem:
        return _outcome(
            0.0, f"{task}: {problem}", status=Status.FORMAT_ERROR, found=False, score=0.0
        )
    if raw > 1.0 + SCORE_SLACK:
        # calendar_arithmetic's exp(-5 * error / gold) passes 1 for a negative gold: a full
        # reward for a wrong answer would hide it, an error shows it.
        raise ScorerError(f"{task}'s scorer returned {raw:.4g}, above 1, for {shown}")
    score = min(max(raw, 0.0), 1.0)
    detail = f"{task}: {shown} scored {score:.4g}"
    if raw < 0.0:
        detail += f" (clipped from {raw:.4g})"
    reward = score if options.partial_credit or score >= 1.0 else 0.0
    if reward != score:
        detail += ", 0 without partial_credit"
    return _outcome(reward, detail, status=Status.OK, found=True, score=score)
