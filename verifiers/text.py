"""Reading model output, shared by the verifiers: reasoning blocks and fenced code blocks."""

from __future__ import annotations

import re

THINK_OPEN, THINK_CLOSE = "<think>", "</think>"
_FENCE = re.compile(r"^[ \t]*```[ \t]*([\w+-]*)[^\n]*\n(.*?)^[ \t]*```", re.DOTALL | re.MULTILINE)


def after_thinking(text: str) -> str:
    """The text after the last ``</think>``: the answer, without the reasoning before it."""
    end = text.rfind(THINK_CLOSE)
    return text[end + len(THINK_CLOSE) :] if end >= 0 else text


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(lower-cased tag, body) of every fenced code block, in order; fences start lines."""
    return [(match.group(1).lower(), match.group(2)) for match in _FENCE.finditer(text)]
