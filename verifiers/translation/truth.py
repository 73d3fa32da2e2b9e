"""Reading a translation ground truth: references, and optionally the source and the
target language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verifiers.base import InvalidInput
from verifiers.translation.languages import language_label

MAX_REFERENCES = 64
MAX_TRUTH_CHARS = 50_000
"""References and source together; a sentence-level metric has no use for more."""
FIELDS = ("references", "reference", "source", "target_language")


@dataclass(frozen=True, slots=True)
class Truth:
    references: tuple[str, ...]
    source: str | None = None
    target_language: str | None = None
    """As the ground truth spells it."""
    language: str | None = None
    """Its py3langid label, None when it has none (or none was given)."""


def parse_truth(ground_truth: Any) -> Truth:
    """The whole ground truth, checked; raises :class:`InvalidInput` naming the field."""
    if isinstance(ground_truth, dict):
        return _from_object(ground_truth)
    return _checked(Truth(_references(ground_truth, "ground_truth")))


def _from_object(fields: dict[str, Any]) -> Truth:
    unknown = sorted(str(key) for key in fields if key not in FIELDS)
    if unknown:
        shown = ", ".join(repr(key[:40]) for key in unknown[:3])
        more = f" (+{len(unknown) - 3} more)" if len(unknown) > 3 else ""
        raise InvalidInput(
            f"ground_truth has unknown field(s) {shown}{more}; known: {', '.join(FIELDS)}"
        )
    if ("references" in fields) == ("reference" in fields):
        raise InvalidInput("ground_truth needs exactly one of 'references' and 'reference'")
    key = "references" if "references" in fields else "reference"
    references = _references(fields[key], f"ground_truth.{key}")
    source = _optional_text(fields.get("source"), "source")
    target = _optional_text(fields.get("target_language"), "target_language")
    if target is not None and len(target) > 64:
        raise InvalidInput("ground_truth.target_language must be a language code or name")
    label = language_label(target) if target is not None else None
    return _checked(Truth(references, source, target, label))


def _references(value: Any, field: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise InvalidInput(
            f"{field} must be a string or a non-empty list of strings, got {type(value).__name__}"
        )
    if len(value) > MAX_REFERENCES:
        raise InvalidInput(f"{field} has {len(value)} references, over {MAX_REFERENCES}")
    for index, reference in enumerate(value):
        if not isinstance(reference, str):
            raise InvalidInput(f"{field}[{index}] must be a string, got {type(reference).__name__}")
        if not reference.strip():
            raise InvalidInput(f"{field}[{index}] is empty")
    return tuple(value)


def _optional_text(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"ground_truth.{name} must be a non-empty string or null")
    return value


def _checked(truth: Truth) -> Truth:
    size = sum(map(len, truth.references)) + len(truth.source or "")
    if size > MAX_TRUTH_CHARS:
        raise InvalidInput(
            f"ground_truth has {size} characters of references and source, over {MAX_TRUTH_CHARS}"
        )
    return truth
