"""Reading model output, shared by the verifiers: end tokens, reasoning blocks, fenced code."""

from __future__ import annotations

import re

THINK_OPEN, THINK_CLOSE = "<think>", "</think>"
_FENCE = re.compile(r"^[ \t]*```[ \t]*([\w+-]*)[^\n]*\n(.*?)^[ \t]*```", re.DOTALL | re.MULTILINE)

END_TOKENS = ("</s>", "<pad>", "<eos>", "<end_of_turn>", "[PAD]", "[EOS]", "[SEP]")
"""Named special tokens that trainers leave in decoded text (Llama 2 and Mistral's ``</s>``,
Gemma's ``<eos>``/``<end_of_turn>``, BERT-style padding). The ``<|...|>`` family (ChatML's
``<|im_end|>``, Llama 3's ``<|eot_id|>``, GPT's ``<|endoftext|>``) and DeepSeek's twin
with full-width bars (U+FF5C, ``<\uff5cend▁of▁sentence\uff5c>``) are recognized by their
shape instead of by name."""
MAX_TOKEN_NAME_CHARS = 64
MAX_ROLE_CHARS = 16
_BARRED = (("<|", "|>"), ("<\uff5c", "\uff5c>"))
_TOKEN_NAME = re.compile(r"[^\s<>|\uff5c]+")


def without_end_tokens(text: str) -> str:
    """``text`` without the special tokens and whitespace at its end.

    OpenRLHF and other trainers decode with special tokens kept, so a response arrives as
    ``#### 72<|eot_id|>`` or ``The answer is 72.<|im_end|><|endoftext|><|endoftext|>``, and
    one that ran on into the next turn ends in its header (``<|im_start|>user``).
    Only the end is touched, one token at a time from the right (linear time, however many).
    """
    end, role_seen = len(text), False
    while True:
        while end and text[end - 1].isspace():
            end -= 1
        last = text[end - 1 : end]
        if last in (">", "]"):
            start = next((end - len(t) for t in END_TOKENS if text.endswith(t, 0, end)), None)
            if start is None:
                start = _barred_token_start(text, end)
        elif last.isalpha() and not role_seen:  # one header at most: "<|im_start|>user"
            start, role_seen = _role_after_token(text, end), True
        else:
            start = None
        if start is None:
            return text[:end]
        end = start


def _barred_token_start(text: str, end: int) -> int | None:
    """Where a ``<|name|>`` (or its full-width twin) ending at ``end`` starts, if one does."""
    for opener, closer in _BARRED:
        if not text.endswith(closer, 0, end):
            continue
        name_end = end - len(closer)
        start = text.rfind(opener, max(0, name_end - MAX_TOKEN_NAME_CHARS - len(opener)), name_end)
        if start >= 0 and _TOKEN_NAME.fullmatch(text, start + len(opener), name_end):
            return start
    return None


def _role_after_token(text: str, end: int) -> int | None:
    """Where a role name right after a special token starts: a generation that ran into
    the next turn's header, ``<|im_start|>user``."""
    start = end
    while start > 0 and end - start < MAX_ROLE_CHARS and text[start - 1].isalpha():
        start -= 1
    if start == end or not text[start:end].isascii():
        return None
    return start if _barred_token_start(text, start) is not None else None


def after_thinking(text: str) -> str:
    """The text after the last ``</think>``: the answer, without the reasoning before it."""
    end = text.rfind(THINK_CLOSE)
    return text[end + len(THINK_CLOSE) :] if end >= 0 else text


def strip_thinking(response: str) -> str | None:
    """The text after the last ``</think>``; ``None`` if a ``<think>`` is never closed."""
    response = after_thinking(response)
    return None if THINK_OPEN in response else response


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(lower-cased tag, body) of every fenced code block, in order; fences start lines."""
    return [(match.group(1).lower(), match.group(2)) for match in _FENCE.finditer(text)]
