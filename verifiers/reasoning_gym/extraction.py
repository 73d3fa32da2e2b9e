"""Find the answer a reasoning-gym scorer is given.

Special tokens at the end are dropped and reasoning inside ``<think>...</think>`` is never
read (a ``<think>`` never closed is a format error). Then, with ``extraction="auto"``:

1. the last ``<answer>...</answer>``, reasoning-gym's own prompt convention (its
   ``extract_answer`` also takes the last); an ``<answer>`` left open at the end counts up
   to the end, as when generation stopped at the stop string ``</answer>``;
2. the last ``\\boxed{}``;
3. the last non-empty line, without a leading "Answer:" label.

``extraction="tags"`` accepts only 1; ``"whole"`` gives the whole response (after the
reasoning), for prompts that ask for nothing but the answer. The answer is stripped, as
reasoning-gym's ``extract_answer`` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from verifiers.math.extraction import last_boxed
from verifiers.text import strip_thinking, without_end_tokens

Extraction = Literal["auto", "tags", "whole"]

ANSWER_OPEN, ANSWER_CLOSE = "<answer>", "</answer>"
_LABEL = re.compile(
    r"(?:\*\*)?(?:final\s+)?answer(?:\s+is\b|\s*[:=])\s*(?:\*\*)?\s*", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Extracted:
    answer: str
    source: str
    """Where it was read: "answer tags", "open answer tag", "boxed", "last line", "whole"."""


class FormatProblem(ValueError):
    """The response has no answer to score; the message says what is missing."""


def extract(response: str, mode: Extraction) -> Extracted:
    """The answer and where it came from; raises :class:`FormatProblem`."""
    text = strip_thinking(without_end_tokens(response))
    if text is None:
        raise FormatProblem("the response opens <think> and never closes it")
    found = _tagged(text)
    if found is None and mode == "tags":
        raise FormatProblem("no <answer>...</answer> in the response")
    if mode == "whole":
        found = Extracted(text.strip(), "whole")
    elif found is None:
        found = _boxed(text) or _last_line(text)
    if found is None or not found.answer:
        raise FormatProblem(f"empty answer ({found.source})" if found else "empty response")
    return found


def _tagged(text: str) -> Extracted | None:
    start = text.rfind(ANSWER_OPEN)
    if start < 0:
        return None
    start += len(ANSWER_OPEN)
    end = text.find(ANSWER_CLOSE, start)
    if end < 0:
        return Extracted(text[start:].strip(), "open answer tag")
    return Extracted(text[start:end].strip(), "answer tags")


def _boxed(text: str) -> Extracted | None:
    if "\\boxed" not in text and "\\fbox" not in text:
        return None
    content = last_boxed(text)  # None when every box is empty or negated ("not \\boxed{5}")
    return Extracted((content or "").strip(), "boxed")


def _last_line(text: str) -> Extracted | None:
    for line in reversed(text.splitlines()):
        if line.strip():
            label = _LABEL.match(line.strip())
            answer = line.strip()[label.end() :] if label else line.strip()
            return Extracted(answer.strip(), "last line")
    return None
