"""Words: runs of letters and digits, with an apostrophe inside (don't, it's)."""

from __future__ import annotations

import re
from collections import Counter

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def split_words(text: str) -> list[str]:
    return _WORD.findall(text)


def count_words(text: str, ignore_case: bool = True) -> Counter[str]:
    words = split_words(text)
    return Counter(word.lower() for word in words) if ignore_case else Counter(words)


def most_common(text: str, n: int = 3) -> list[tuple[str, int]]:
    """The ``n`` most frequent words, ties in alphabetical order."""
    counts = count_words(text)
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:n]
