"""Finding the translation in a response, and the one normalization both sides get.

Rules, in order: a response over ``max_chars`` is refused before anything is read; end
tokens (``<|im_end|>``, ``</s>``) are dropped; a ``<think>`` never closed means no answer;
only the text after the last ``</think>`` is read. There, one ``<translation>...</translation>``
block (tag names in any case) is the translation, whatever surrounds it; several blocks
with different text are a hedge, refused. ``answer_format`` says what else is needed:
``tag_or_think`` a block, else a ``</think>`` to take the text after it; ``tag`` a block;
``think`` a ``</think>`` (its text, or the block in it); ``plain`` nothing (the text as it
is when there is no block).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from verifiers.text import THINK_CLOSE, THINK_OPEN, without_end_tokens

AnswerFormat = Literal["tag_or_think", "tag", "think", "plain"]

_TAG = re.compile(r"<(/?)translation>", re.IGNORECASE)
_INVISIBLE = dict.fromkeys([0xAD, 0x200B, 0x200E, 0x200F, 0x2060, 0xFEFF, *range(0x202A, 0x202F)])
"""Soft hyphen, zero-width space and word joiner, BOM, bidirectional marks: nothing a reader
sees, everything an n-gram counts. ZWJ and ZWNJ stay (Persian and Indic spelling)."""


class FormatProblem(ValueError):
    """The response has no translation in the required form; the message says why."""


def extract_translation(response: str, answer_format: AnswerFormat, *, max_chars: int) -> str:
    """The translation as written (not yet normalized); raises :class:`FormatProblem`."""
    if len(response) > max_chars:
        raise FormatProblem(f"response of {len(response)} characters, over max_chars {max_chars}")
    text = without_end_tokens(response)
    end = text.rfind(THINK_CLOSE)
    if end >= 0:
        text = text[end + len(THINK_CLOSE) :]
    elif THINK_OPEN in text:
        raise FormatProblem("<think> is never closed: no answer after the reasoning")
    elif answer_format == "think":
        raise FormatProblem("no </think> before the translation")
    blocks = _blocks(text)
    if len({" ".join(block.split()) for block in blocks}) > 1:
        raise FormatProblem(f"{len(blocks)} <translation> blocks with different text (a hedge)")
    if blocks:
        return blocks[0]
    if answer_format == "tag":
        raise FormatProblem("no <translation>...</translation> block after the reasoning")
    if answer_format == "plain":
        return text
    if end < 0:
        raise FormatProblem("no <translation> block and no </think> before the translation")
    return text


def _blocks(text: str) -> list[str]:
    """The text of each closed ``<translation>`` block, in one pass over the tags (linear,
    however many unclosed openings); the innermost opening before a closing counts."""
    blocks, opened = [], -1
    for tag in _TAG.finditer(text):
        if not tag.group(1):
            opened = tag.end()
        elif opened >= 0:
            blocks.append(text[opened : tag.start()])
            opened = -1
    return blocks


def normalized(text: str, form: Literal["NFC", "NFKC"]) -> str:
    """Unicode ``form``, invisible characters dropped, white space runs as one space."""
    return " ".join(unicodedata.normalize(form, text).translate(_INVISIBLE).split())
