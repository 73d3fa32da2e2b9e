"""Reading the code change a response proposes, shared by the verifiers that grade one
(patch_similarity, swe_tests): a unified diff found in the response, or SWE-RL's
search/replace blocks, and the one error for an answer that gives neither.

Search/replace blocks look like this::

    ```python
    ### path/to/file.py
    <<<<<<< SEARCH
    old lines
    =======
    new lines
    >>>>>>> REPLACE
    ```
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from verifiers.text import after_thinking, fenced_blocks

__all__ = ["Edits", "PatchFormatError", "blocks", "diff_in_response", "parse_edits"]

_DIFF_TAGS = frozenset({"", "diff", "patch", "udiff"})
_DIFF_START = re.compile(r"^(?:diff --git |--- )", re.MULTILINE)
# Every place a divider or a block end could stand, found once: the scan below then costs
# one lookup per block instead of the backtracking of SWE-RL's single regex, which takes
# seconds on 200 kB of unclosed blocks.
_DIVIDER = re.compile(r"(?=(\n=======[ \t]*\n))")
_BLOCK_END = re.compile(r"(?=(\n>>>>>>> REPLACE[ \t]*\n```))")
_SEARCH_LINE = re.compile(r"<<<<<<< SEARCH[ \t]*\n")

Edits = dict[str, list[tuple[str, str]]]


class PatchFormatError(ValueError):
    """The answer breaks the format: reward ``format_error_reward`` (-1.0, as in SWE-RL)."""


def diff_in_response(response: str) -> str:
    """The diff a response gives: the last fenced diff block, else the text from the first
    ``diff --git``/``---`` line. Raises when there is none."""
    text = after_thinking(response.replace("\r\n", "\n"))
    blocks = [
        block
        for tag, block in fenced_blocks(text)
        if tag.lower() in _DIFF_TAGS and _DIFF_START.search(block)
    ]
    if blocks:
        return blocks[-1]
    start = _DIFF_START.search(text)
    if start is None:
        raise PatchFormatError("no unified diff found in the response")
    return text[start.start() :]


def _marks(pattern: re.Pattern[str], text: str) -> tuple[list[int], list[int]]:
    starts, ends = [], []
    for match in pattern.finditer(text):
        starts.append(match.start())
        ends.append(match.start() + len(match.group(1)))
    return starts, ends


def blocks(text: str) -> Iterator[tuple[str, str, str]]:
    """(path, search, replace) of each block, as SWE-RL's regex
    ``` ```.*?\\n### (.*)\\n<<<<<<< SEARCH\\n([\\s\\S]*?)\\n=======\\n([\\s\\S]*?)
    \\n>>>>>>> REPLACE\\n``` ``` finds them, in linear time."""
    dividers, divider_ends = _marks(_DIVIDER, text)
    block_ends, block_end_ends = _marks(_BLOCK_END, text)
    position = 0
    while (start := text.find("```", position)) >= 0:
        position = start + 1
        path_start = text.find("\n", start) + 1
        if not path_start or not text.startswith("### ", path_start):
            continue
        path_end = text.find("\n", path_start)
        marker = _SEARCH_LINE.match(text, path_end + 1) if path_end >= 0 else None
        if marker is None:
            continue
        search_start = marker.end()
        index = bisect.bisect_left(dividers, search_start)
        if index == len(dividers):
            return
        replace_start = divider_ends[index]
        end_index = bisect.bisect_left(block_ends, replace_start)
        if end_index == len(block_ends):
            return
        path = text[path_start + 4 : path_end].rstrip(" \t")
        yield (
            path,
            text[search_start : dividers[index]],
            text[replace_start : block_ends[end_index]],
        )
        position = block_end_ends[end_index]


def parse_edits(solution: str) -> Edits:
    """Edit blocks grouped by path, in order of appearance."""
    edits: Edits = {}
    for path, search, replace in blocks(solution):
        edits.setdefault(path, []).append((search, replace))
    if not edits:
        raise PatchFormatError("no search/replace block found in the solution")
    return edits
