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

Locations are counted while they are read, a line range by its bounds (never by listing its
lines), so an answer over its limit is refused after reading at most that many.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field

from verifiers.base import InvalidInput, Outcome, Status, VerifierOptions, verifier
from verifiers.text import after_thinking, fenced_blocks

__all__ = ["LocalizationOptions", "verify"]

COMPONENTS = ("precision", "recall", "f_beta")
MAX_GOLD_LOCATIONS = 100_000
"""A ground truth naming more distinct locations than this (ranges count each line) is
invalid input."""
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
# Line numbers of more than 18 digits are not line numbers: such an item stays text.
_LINE_ITEM = re.compile(r"^(?P<path>.+?):(?P<start>\d{1,18})(?:\s*-\s*(?P<end>\d{1,18}))?$")

Level = Literal["file", "function", "line"]
Location = str | tuple[str, int]
"""A file, a function or an unreadable line item as text; a line as (path, line number)."""


class LocalizationOptions(VerifierOptions):
    beta: float = Field(3.0, gt=0, le=100)
    line_tolerance: int = Field(0, ge=0, le=1000)
    """A predicted line matches a gold line at most this many lines away."""
    max_items: int = Field(100, ge=1, le=100_000)
    """Answers listing more locations than this score 0."""


class TooMany(ValueError):
    """More distinct locations than the limit; raised as soon as the count passes it."""

    def __init__(self, limit: int, item: str) -> None:
        super().__init__(f"{limit} locations, passed at {item[:80]!r}")


def _clean(item: str) -> str:
    item = _BULLET.sub("", item).strip().strip("`'\"").strip()
    for prefix in ("./", "a/", "b/"):
        if item.startswith(prefix):
            item = item[len(prefix) :]
    return item


@dataclass(slots=True)
class _Lines:
    """One path's lines as sorted, disjoint, non-adjacent closed intervals."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def add(self, start: int, end: int) -> list[tuple[int, int]]:
        """Add lines ``start..end``; return the runs of them not there before, in order."""
        starts, ends = self.starts, self.ends
        low = bisect.bisect_left(ends, start - 1)
        high = bisect.bisect_right(starts, end + 1)  # [low, high) overlap or touch the range
        new, cursor = [], start
        for index in range(low, high):
            if starts[index] > cursor:
                new.append((cursor, min(starts[index] - 1, end)))
            cursor = max(cursor, ends[index] + 1)
        if cursor <= end:
            new.append((cursor, end))
        if low < high:
            start, end = min(start, starts[low]), max(end, ends[high - 1])
        starts[low:high], ends[low:high] = [start], [end]
        return new


@dataclass(slots=True)
class _Reader:
    """Distinct locations in the order first seen, counted as they are read."""

    level: Level
    limit: int
    count: int = 0
    pieces: list[str | tuple[str, int, int]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    lines: dict[str, _Lines] = field(default_factory=dict)

    def read(self, item: str) -> None:
        """Add the locations one item stands for; raises :class:`TooMany` past the limit."""
        item = _clean(item)
        if not item:
            return
        if self.level == "function":
            path, separator, name = item.replace("::", ":", 1).partition(":")
            item = f"{path.strip()}:{name.strip()}" if separator else item
        elif self.level == "line" and (match := _LINE_ITEM.match(item)):
            start = int(match["start"])
            end = int(match["end"] or start)
            if end >= start:
                self._read_lines(item, match["path"].strip(), start, end)
                return
        if item not in self.names:
            self._count(1, item)
            self.names.add(item)
            self.pieces.append(item)

    def _read_lines(self, item: str, path: str, start: int, end: int) -> None:
        if end - start >= self.limit:  # a range over the limit on its own: refused at once
            raise TooMany(self.limit, item)
        new = self.lines.setdefault(path, _Lines()).add(start, end)
        self._count(sum(last - first + 1 for first, last in new), item)
        self.pieces.extend((path, first, last) for first, last in new)

    def _count(self, added: int, item: str) -> None:
        if self.count + added > self.limit:
            raise TooMany(self.limit, item)
        self.count += added

    def locations(self) -> list[Location]:
        found: list[Location] = []
        for piece in self.pieces:
            if isinstance(piece, str):
                found.append(piece)
            else:
                path, first, last = piece
                found.extend((path, line) for line in range(first, last + 1))
        return found


def read_locations(items: Iterable[str], level: Level, limit: int) -> list[Location]:
    """The distinct locations the items name, in order; raises :class:`TooMany` past ``limit``."""
    reader = _Reader(level, limit)
    for item in items:
        reader.read(item)
    return reader.locations()


def locations(text: str, level: Level, limit: int) -> list[Location]:
    """The locations a response names: its last fenced block, else all of it, line by line."""
    text = after_thinking(text)
    blocks = fenced_blocks(text)
    body = blocks[-1][1] if blocks else text
    return read_locations(body.replace("\r\n", "\n").split("\n"), level, limit)


def _shown(location: Location) -> str:
    return location if isinstance(location, str) else f"{location[0]}:{location[1]}"


def _hits(locations: list[Location], pool: set[Location], tolerance: int) -> int:
    """How many of ``locations`` match one in ``pool``: equal, or a line of the same path
    at most ``tolerance`` lines away."""
    if tolerance == 0:
        return sum(location in pool for location in locations)
    lines: dict[str, list[int]] = {}
    for location in pool:
        if isinstance(location, tuple):
            lines.setdefault(location[0], []).append(location[1])
    for numbers in lines.values():
        numbers.sort()
    count = 0
    for location in locations:
        if isinstance(location, str):
            count += location in pool
            continue
        path, line = location
        near = lines.get(path, [])
        index = bisect.bisect_left(near, line - tolerance)
        count += index < len(near) and near[index] <= line + tolerance
    return count


def f_beta(precision: float, recall: float, beta: float) -> float:
    if precision + recall == 0:
        return 0.0
    weight = beta * beta
    return (1 + weight) * precision * recall / (weight * precision + recall)


def _ground_truth(ground_truth: Any) -> tuple[Level, list[Location], set[Location] | None]:
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

    def read(name: str) -> list[Location]:
        value = ground_truth.get(name)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise InvalidInput(f"ground_truth.{name} must be a list of strings")
        try:
            return read_locations(value, level, MAX_GOLD_LOCATIONS)
        except TooMany as problem:
            raise InvalidInput(f"ground_truth.{name} names more than {problem}") from None

    targets = read("targets")
    if not targets:
        raise InvalidInput("ground_truth.targets is empty")
    candidates = set(read("candidates")) if "candidates" in ground_truth else None
    return level, targets, candidates


def _outcome(reward: float, detail: str, *, precision: float, recall: float) -> Outcome:
    return Outcome(
        reward,
        detail=detail,
        components={"precision": precision, "recall": recall, "f_beta": reward},
    )


@verifier("localization", options=LocalizationOptions, components=COMPONENTS)
def verify(response: str, ground_truth: Any, options: LocalizationOptions) -> Outcome:
    """SoRFT localization reward: F-beta of predicted vs gold locations."""
    level, targets, candidates = _ground_truth(ground_truth)
    try:
        predicted = locations(response, level, options.max_items)
    except TooMany as problem:
        detail = f"more than max_items={problem}"
        return _outcome(0.0, detail, precision=0.0, recall=0.0)
    if not predicted:
        return Outcome(
            0.0,
            Status.FORMAT_ERROR,
            detail=f"no {level} location found in the response",
            components=dict.fromkeys(COMPONENTS, 0.0),
        )
    if candidates is not None:
        outside = [item for item in predicted if item not in candidates]
        if outside:
            detail = f"{len(outside)} location(s) not among candidates: {_shown(outside[0])}"
            return _outcome(0.0, detail, precision=0.0, recall=0.0)
    tolerance = options.line_tolerance if level == "line" else 0
    precision = _hits(predicted, set(targets), tolerance) / len(predicted)
    recall = _hits(targets, set(predicted), tolerance) / len(targets)
    reward = f_beta(precision, recall, options.beta)
    detail = (
        f"{level}: precision {precision:.3f}, recall {recall:.3f}, "
        f"F{options.beta:g} {reward:.4f} ({len(predicted)} predicted, {len(targets)} gold)"
    )
    return _outcome(reward, detail, precision=precision, recall=recall)
