"""The SWE-RL score: per-file unified diffs compared with ``SequenceMatcher.ratio``.

Diffs are generated with python's own ``difflib.unified_diff`` (line level, cheap), exactly
as the reference does; the character-level ratio, which is quadratic, uses ``cydifflib``,
a C port of ``difflib.SequenceMatcher`` that returns identical ratios (checked against
``difflib`` in tests/test_patch_parity.py).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

import cydifflib


@dataclass(frozen=True, slots=True)
class FileSimilarity:
    path: str
    similarity: float
    predicted: bool
    oracle: bool


def normalized_diff(old: str, new: str, context: int = 3) -> str:
    """A unified diff of two texts without its two header lines; ``""`` when they are equal."""
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), fromfile="old", tofile="new", lineterm="", n=context
    )
    if next(lines, None) is None:
        return ""
    next(lines)
    return "\n".join(lines)


def file_diffs(original: Mapping[str, str], new_content: Mapping[str, str]) -> dict[str, str]:
    """Per-path normalized diffs of the changed files (unchanged ones are left out)."""
    diffs = {}
    for path, content in new_content.items():
        diff = normalized_diff(original.get(path, ""), content)
        if diff:
            diffs[path] = diff
    return diffs


def ratio(predicted: str, oracle: str) -> float:
    return cydifflib.SequenceMatcher(None, predicted, oracle, autojunk=False).ratio()


def similarities(predicted: Mapping[str, str], oracle: Mapping[str, str]) -> list[FileSimilarity]:
    """One entry per path changed on either side; 0.0 where only one side changes it."""
    results = []
    for path in sorted(predicted.keys() | oracle.keys()):
        mine, theirs = predicted.get(path, ""), oracle.get(path, "")
        score = ratio(mine, theirs) if mine and theirs else 0.0
        results.append(FileSimilarity(path, score, bool(mine), bool(theirs)))
    return results


def mean_similarity(files: list[FileSimilarity]) -> float:
    """The reward: the mean over paths, 1.0 when neither side changes anything."""
    if not files:
        return 1.0
    return sum(file.similarity for file in files) / len(files)
