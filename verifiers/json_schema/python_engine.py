"""The ``python`` engine: jsonschema's validators, with jsonschema-rs's regular expressions.

jsonschema matches ``pattern`` with Python's ``re``, which backtracks without bound (over
5 s on real patterns and a 3,000-character string) and reads some ECMA-262 differently
(``\\p{Letter}`` is an error, ``\\d`` matches any Unicode digit). Here ``pattern``,
``patternProperties``, ``additionalProperties`` and the ``regex`` format use the default
engine's regex instead, so both engines give one verdict: linear unless a pattern needs
lookaround or backreferences, then cut short by a backtracking limit. One path is left to
``re``: jsonschema's ``unevaluatedProperties`` asks it which keys a ``patternProperties``
covers, and that may backtrack.
"""

from __future__ import annotations

from collections import deque
from functools import cache, lru_cache
from typing import Any

import jsonschema
import jsonschema.exceptions
import jsonschema.validators
import jsonschema_rs

from verifiers.base import InvalidInput

PATTERN_CACHE_SIZE = 4096


@lru_cache(maxsize=PATTERN_CACHE_SIZE)
def _matcher(pattern: str) -> jsonschema_rs.Validator | None:
    try:
        return jsonschema_rs.Draft202012Validator({"pattern": pattern})
    except jsonschema_rs.ValidationError:
        return None


@cache
def _strict_regex() -> jsonschema_rs.Validator:
    return jsonschema_rs.Draft7Validator({"format": "regex"}, validate_formats=True)


def is_regex(value: object) -> bool:
    """A pattern jsonschema-rs compiles (Annex B literals included)."""
    return not isinstance(value, str) or _matcher(value) is not None


def is_strict_regex(value: object) -> bool:
    """jsonschema-rs's ``regex`` format: the strict ECMA-262 grammar."""
    return _strict_regex().is_valid(value)


def search(pattern: str, text: str) -> bool:
    matcher = _matcher(pattern)
    if matcher is None:
        raise InvalidInput(f"unusable schema: {pattern[:80]!r} is not a regex")
    return matcher.is_valid(text)


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    if validator.is_type(instance, "string") and not search(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: dict, instance: Any, schema: Any) -> Any:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, additional: Any, instance: Any, schema: Any) -> Any:
    """jsonschema's ``additionalProperties``, with its pattern test through :func:`search`."""
    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extras = [
        key
        for key in instance
        if key not in properties and not any(search(pattern, key) for pattern in patterns)
    ]
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        shown = ", ".join(repr(extra) for extra in sorted(extras))
        verb = "was" if len(extras) == 1 else "were"
        yield jsonschema.ValidationError(
            f"Additional properties are not allowed ({shown} {verb} unexpected)"
        )


_KEYWORDS = {
    "pattern": _pattern,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
}


@cache
def validator_class(draft_class: type) -> type:
    return jsonschema.validators.extend(draft_class, validators=_KEYWORDS)


@cache
def format_checker(draft_class: type, regex: Any = is_strict_regex) -> jsonschema.FormatChecker:
    """The draft's format checkers (all of ``format-nongpl``), ``regex`` as jsonschema-rs
    reads it."""
    checker = jsonschema.FormatChecker(())
    checker.checkers = {**draft_class.FORMAT_CHECKER.checkers, "regex": (regex, ())}
    return checker


def check_schema(draft_class: type, schema: Any, *, strict_regex: bool) -> None:
    """``draft_class.check_schema`` with jsonschema-rs's regexes: the strict grammar where
    the rs engine's metaschema check uses it (drafts 4 to 7), else what it compiles; raises
    ``SchemaError``."""
    meta_class = jsonschema.validators.validator_for(draft_class.META_SCHEMA, default=draft_class)
    checker = format_checker(draft_class, is_strict_regex if strict_regex else is_regex)
    meta = meta_class(draft_class.META_SCHEMA, format_checker=checker)
    error = jsonschema.exceptions.best_match(meta.iter_errors(schema))
    if error is not None:
        problem = jsonschema.SchemaError.create_from(error)
        problem.path = problem.relative_path = deque(error.absolute_path)  # from the root
        raise problem
