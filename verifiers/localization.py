"""``localization``: SoRFT's rule rewards for file, function and line localization.

Reward = F-beta between the predicted locations O and the gold locations A (beta = 3 by
default, weighting recall): P = |O∩A|/|O|, R = |O∩A|/|A|. An empty answer, an answer with
more than ``max_items`` locations, or (when ``candidates`` are given) any location outside
them scores 0: listing everything must not pay.

Accepted formats, one location per line, optionally inside a fenced block, with list
bullets, numbering, backticks and quotes ignored; the last fenced block wins when there
are several, and ``<think>...</think>`` is skipped:

- file: ``src/a.py`` (a leading ``./``, ``a/`` or ``b/`` is dropped);
- function: ``src/a.py:Class.method`` or ``src/a.py::Class.method``;
- line: ``src/a.py:120``, or a range ``src/a.py:120-125`` (each line counts).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field

from verifiers.base import InvalidInput, Outcome, Status, VerifierOptions, verifier
from verifiers.text import after_thinking, fenced_blocks

COMPONENTS = ("precision", "recall", "f_beta")
MAX_RANGE_LINES = 10_000
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_LINE_ITEM = re.compile(r"^(?P<path>.+?):(?P<start>\d+)(?:\s*-\s*(?P<end>\d+))?$")

Level = Literal["file", "function", "line"]


class LocalizationOptions(VerifierOptions):
    beta: float = Field(3.0, gt=0, le=100)
    line_tolerance: int = Field(0, ge=0, le=1000)
    """A predicted line matches a gold line at most this many lines away."""
    max_items: int = Field(100, ge=1, le=100_000)
    """Answers listing more locations than this score 0."""


def _clean(item: str) -> str:
    item = _BULLET.sub("", item).strip().strip("`'\"").strip()
    for prefix in ("./", "a/", "b/"):
        if item.startswith(prefix):
            item = item[len(prefix) :]
    return item


def _normalized(item: str, level: Level) -> list[str]:
    """The canonical locations an item stands for (a line range stands for each line)."""
    item = _clean(item)
    if not item:
        return []
    if level == "file":
        return [item]
    if level == "function":
        path, separator, name = item.replace("::", ":", 1).partition(":")
        return [f"{path.strip()}:{name.strip()}"] if separator else [item]
    match = _LINE_ITEM.match(item)
    if match is None:
        return [item]
    start = int(match["start"])
    end = int(match["end"] or start)
    if end < start or end - start > MAX_RANGE_LINES:
        return [item]
    return [f"{match['path'].strip()}:{line}" for line in range(start, end + 1)]


def locations(text: str, level: Level) -> list[str]:
    text = after_thinking(text)
    blocks = fenced_blocks(text)
    body = blocks[-1][1] if blocks else text
    found: list[str] = []
    for line in body.replace("\r\n", "\n").split("\n"):
        for location in _normalized(line, level):
            if location not in found:
                found.append(location)
    return found


def _line_of(location: str) -> tuple[str, int] | None:
    path, _, line = location.rpartition(":")
    return (path, int(line)) if path and line.isdigit() else None


def _matches(a: str, b: str, level: Level, tolerance: int) -> bool:
    if level != "line" or tolerance == 0:
        return a == b
    left, right = _line_of(a), _line_of(b)
    if left is None or right is None:
        return a == b
    return left[0] == right[0] and abs(left[1] - right[1]) <= tolerance


def f_beta(precision: float, recall: float, beta: float) -> float:
    if precision + recall == 0:
        return 0.0
    weight = beta * beta
    return (1 + weight) * precision * recall / (weight * precision + recall)


def _ground_truth(ground_truth: Any) -> tuple[Level, list[str], list[str] | None]:
    if not isinstance(ground_truth, dict) or ground_truth.get("level") not in (
        "file",
        "function",
        "line",
    ):
        raise InvalidInput(
            'ground_truth must be {"level": "file"|"function"|"line", "targets": [...], '
            '"candidates"?: [...]}'
        )
    level: Level = ground_truth["level"]
    unknown = ground_truth.keys() - {"level", "targets", "candidates"}
    if unknown:
        raise InvalidInput(f"ground_truth has unknown keys: {', '.join(sorted(unknown))}")

    def strings(name: str) -> list[str]:
        value = ground_truth.get(name)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise InvalidInput(f"ground_truth.{name} must be a list of strings")
        unique = dict.fromkeys(loc for item in value for loc in _normalized(item, level))
        return list(unique)

    targets = strings("targets")
    if not targets:
        raise InvalidInput("ground_truth.targets is empty")
    candidates = strings("candidates") if "candidates" in ground_truth else None
    return level, targets, candidates


def _outcome(reward: float, detail: str, precision: float = 0.0, recall: float = 0.0) -> Outcome:
    return Outcome(
        reward,
        detail=detail,
        components={"precision": precision, "recall": recall, "f_beta": reward},
    )


@verifier(
    "localization",
    options=LocalizationOptions,
    components=COMPONENTS,
    description="SoRFT localization reward: F-beta of predicted vs gold locations.",
)
def verify(response: str, ground_truth: Any, options: LocalizationOptions) -> Outcome:
    """SoRFT localization reward: F-beta of predicted vs gold locations."""
    level, targets, candidates = _ground_truth(ground_truth)
    predicted = locations(response, level)
    if not predicted:
        return Outcome(
            0.0,
            Status.FORMAT_ERROR,
            detail=f"no {level} location found in the response",
            components=dict.fromkeys(COMPONENTS, 0.0),
        )
    if len(predicted) > options.max_items:
        return _outcome(0.0, f"{len(predicted)} locations exceed max_items={options.max_items}")
    if candidates is not None:
        outside = [item for item in predicted if item not in candidates]
        if outside:
            return _outcome(0.0, f"{len(outside)} location(s) not among candidates: {outside[0]}")
    tolerance = options.line_tolerance

    def hit(item: str, pool: list[str]) -> bool:
        return any(_matches(item, other, level, tolerance) for other in pool)

    precision = sum(hit(item, targets) for item in predicted) / len(predicted)
    recall = sum(hit(item, predicted) for item in targets) / len(targets)
    reward = f_beta(precision, recall, options.beta)
    detail = (
        f"{level}: precision {precision:.3f}, recall {recall:.3f}, "
        f"F{options.beta:g} {reward:.4f} ({len(predicted)} predicted, {len(targets)} gold)"
    )
    return _outcome(reward, detail, precision, recall)
