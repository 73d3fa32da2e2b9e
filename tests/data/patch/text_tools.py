"""Helpers for cleaning and tokenizing short pieces of text."""

import re
import string
import unicodedata
from collections import Counter

WORD = re.compile(r"[A-Za-z0-9']+")
SPACES = re.compile(r"\s+")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "to",
        "in",
        "is",
        "it",
    ]
)


def normalize_whitespace(text):
    if not text:
        return ""
    return SPACES.sub(" ", text).strip()


def strip_accents(text):
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def strip_punctuation(text):
    if not text:
        return ""
    table = str.maketrans("", "", string.punctuation)
    return text.translate(table)


def tokenize(text, lower=True, drop_stopwords=False):
    if not text:
        return []
    tokens = WORD.findall(text)
    if lower:
        tokens = [token.lower() for token in tokens]
    if drop_stopwords:
        tokens = [token for token in tokens if token not in STOPWORDS]
    return tokens


def word_counts(text, lower=True):
    counts = Counter()
    for token in tokenize(text, lower=lower):
        counts[token] += 1
    return counts


def top_words(text, limit=10):
    counts = word_counts(text)
    for word in STOPWORDS:
        counts.pop(word, None)
    return [word for word, _ in counts.most_common(limit)]


def truncate(text, width, suffix="..."):
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    if width <= len(suffix):
        return suffix[:width]
    return text[: width - len(suffix)] + suffix


def slugify(text, separator="-"):
    if not text:
        return ""
    text = strip_accents(text).lower()
    text = re.sub(r"[^a-z0-9]+", separator, text)
    return text.strip(separator)


def wrap(text, width=72):
    if not text:
        return []
    lines = []
    current = []
    length = 0
    for word in text.split():
        if current and length + 1 + len(word) > width:
            lines.append(" ".join(current))
            current = []
            length = 0
        if current:
            length += 1
        current.append(word)
        length += len(word)
    if current:
        lines.append(" ".join(current))
    return lines


def is_palindrome(text):
    if not text:
        return False
    letters = [ch.lower() for ch in text if ch.isalnum()]
    return letters == letters[::-1]


def count_sentences(text):
    if not text:
        return 0
    return len([part for part in re.split(r"[.!?]+", text) if part.strip()])


def acronym(text):
    if not text:
        return ""
    return "".join(word[0].upper() for word in tokenize(text, lower=False))


def similarity(left, right):
    if not left or not right:
        return 0.0
    a = set(tokenize(left))
    b = set(tokenize(right))
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
