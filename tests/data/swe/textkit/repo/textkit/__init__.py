"""Small text helpers: words, wrapping and slugs."""

from textkit.slug import slugify
from textkit.words import count_words, most_common, split_words
from textkit.wrap import fill, shorten, wrap

__all__ = ["count_words", "fill", "most_common", "shorten", "slugify", "split_words", "wrap"]
