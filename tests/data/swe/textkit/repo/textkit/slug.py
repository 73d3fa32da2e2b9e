"""URL slugs: lowercase ASCII words joined by a separator."""

from __future__ import annotations

import unicodedata

from textkit.words import split_words


def slugify(text: str, max_length: int | None = None, separator: str = "-") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = [word.lower().replace("'", "") for word in split_words(ascii_text)]
    slug = separator.join(words)
    if max_length is not None and len(slug) > max_length:
        # Cut at the last separator that fits, or inside the first word if none does.
        cut = slug[: max_length + 1].rfind(separator)
        slug = slug[:cut] if cut > 0 else slug[:max_length]
    return slug
