"""SWE-RL's search/replace answers: ``<think>``/``<solution>`` tags, then fenced edit blocks.

::

    ```python
    ### path/to/file.py
    <<<<<<< SEARCH
    old lines
    =======
    new lines
    >>>>>>> REPLACE
    ```

Same semantics as the reference: each search text must occur at a line start, replaces
all its occurrences, edits apply in order, and an unknown path is a new empty file. Two
tolerances the reference lacks, neither changing a score it gives: CRLF line endings, and
trailing white space after the marker lines and the path.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from verifiers.patch_similarity.errors import PatchFormatError

TAGS = ("<think>", "</think>", "<solution>", "</solution>")
# Every place a divider or a block end could stand, found once: the scan below then costs
# one lookup per block instead of the backtracking of SWE-RL's single regex, which takes
# seconds on 200 kB of unclosed blocks.
_DIVIDER = re.compile(r"(?=(\n=======[ \t]*\n))")
_BLOCK_END = re.compile(r"(?=(\n>>>>>>> REPLACE[ \t]*\n```))")
_SEARCH_LINE = re.compile(r"<<<<<<< SEARCH[ \t]*\n")

Edits = dict[str, list[tuple[str, str]]]


def thought_and_solution(output: str, *, require_think: bool) -> tuple[str, str]:
    """The stripped thought and solution; each tag must appear exactly once."""
    tags = TAGS if require_think else TAGS[2:]
    for tag in tags:
        count = output.count(tag)
        if count != 1:
            raise PatchFormatError(f"{tag} appears {count} times; exactly one is required")
    thought = ""
    if require_think:
        thought = output.split("<think>")[1].split("</think>")[0].strip()
        if not thought:
            raise PatchFormatError("the <think> block is empty")
    solution = output.split("<solution>")[1].split("</solution>")[0].strip()
    return thought, solution


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


def apply_edits(original: dict[str, str], edits: Edits) -> dict[str, str]:
    """New content of every edited path."""
    new_content = {}
    for path, blocks in edits.items():
        # The leading newline makes every search match at a line start.
        content = "\n" + original.get(path, "")
        for search, replace in blocks:
            if search == replace:
                raise PatchFormatError(f"{path}: a block's search and replace texts are identical")
            if "\n" + search not in content:
                first_line = search.split("\n", 1)[0][:80]
                raise PatchFormatError(f"{path}: search text not found: {first_line!r}")
            content = content.replace("\n" + search, "\n" + replace)
        new_content[path] = content[1:]
    return new_content


def predicted_content(output: str, original: dict[str, str], *, require_think: bool) -> dict:
    output = output.replace("\r\n", "\n")
    _, solution = thought_and_solution(output, require_think=require_think)
    return apply_edits(original, parse_edits(solution))
