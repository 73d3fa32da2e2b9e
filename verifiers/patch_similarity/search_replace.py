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

import re

from verifiers.patch_similarity.errors import PatchFormatError

TAGS = ("<think>", "</think>", "<solution>", "</solution>")
_BLOCK = re.compile(
    r"```.*?\n### (.*?)[ \t]*\n<<<<<<< SEARCH[ \t]*\n([\s\S]*?)\n=======[ \t]*\n([\s\S]*?)"
    r"\n>>>>>>> REPLACE[ \t]*\n```"
)

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


def parse_edits(solution: str) -> Edits:
    """Edit blocks grouped by path, in order of appearance."""
    edits: Edits = {}
    for path, search, replace in _BLOCK.findall(solution):
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
