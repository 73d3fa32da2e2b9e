"""SWE-RL's search/replace answers: ``<think>``/``<solution>`` tags, then fenced edit blocks
(their format and reading: :mod:`verifiers.code_changes`), applied to the files.

Same semantics as the reference: each search text must occur at a line start, replaces
all its occurrences, edits apply in order, and an unknown path is a new empty file. Two
tolerances the reference lacks, neither changing a score it gives: CRLF line endings, and
trailing white space after the marker lines and the path.
"""

from __future__ import annotations

from verifiers.code_changes import Edits, PatchFormatError, parse_edits

TAGS = ("<think>", "</think>", "<solution>", "</solution>")


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


def apply_edits(original: dict[str, str], edits: Edits, *, max_added_chars: int) -> dict[str, str]:
    """New content of every edited path.

    A block replaces every occurrence of its search text, so a few short blocks can
    multiply a file (one that turns each line start into four, twelve times over): each
    block's growth is counted before it is applied, and edits adding more than
    ``max_added_chars`` characters in all are refused.
    """
    budget = max_added_chars
    new_content = {}
    for path, blocks in edits.items():
        # The leading newline makes every search match at a line start.
        content = "\n" + original.get(path, "")
        for search, replace in blocks:
            if search == replace:
                raise PatchFormatError(f"{path}: a block's search and replace texts are identical")
            occurrences = content.count("\n" + search)
            if not occurrences:
                first_line = search.split("\n", 1)[0][:80]
                raise PatchFormatError(f"{path}: search text not found: {first_line!r}")
            budget -= occurrences * (len(replace) - len(search))
            if budget < 0:
                raise PatchFormatError(
                    f"{path}: the edits add more than max_chars={max_added_chars} characters"
                )
            content = content.replace("\n" + search, "\n" + replace)
        new_content[path] = content[1:]
    return new_content


def predicted_content(
    output: str, original: dict[str, str], *, require_think: bool, max_chars: int
) -> dict[str, str]:
    """The files a search/replace answer makes; its edits add at most ``max_chars``."""
    output = output.replace("\r\n", "\n")
    _, solution = thought_and_solution(output, require_think=require_think)
    return apply_edits(original, parse_edits(solution), max_added_chars=max_chars)
