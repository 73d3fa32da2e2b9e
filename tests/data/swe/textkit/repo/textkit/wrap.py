"""Greedy line wrapping on whitespace; a word longer than the width gets a line of its own."""

from __future__ import annotations


def wrap(text: str, width: int = 70) -> list[str]:
    """Lines of at most ``width`` characters (unless a single word is longer)."""
    if width < 1:
        raise ValueError(f"width must be positive: {width}")
    lines: list[str] = []
    current = ""
    for word in text.split():
        if not current:
            current = word
        elif len(current) + 1 + len(word) < width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def fill(text: str, width: int = 70) -> str:
    return "\n".join(wrap(text, width))


def shorten(text: str, width: int, placeholder: str = "...") -> str:
    """``text`` on one line, cut at a word boundary to fit ``width`` with the placeholder."""
    collapsed = " ".join(text.split())
    if len(collapsed) <= width:
        return collapsed
    room = width - len(placeholder)
    if room < 1:
        raise ValueError(f"width {width} leaves no room beside {placeholder!r}")
    first = wrap(collapsed, room)[0]
    return first[:room] + placeholder
