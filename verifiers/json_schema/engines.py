"""Compiled validators, cached, and their errors in one engine-neutral shape.

Two engines: ``rs`` (jsonschema-rs, the default: spec-complete, fast) and ``python`` (the
jsonschema library, for cross-checking). Both read ``pattern`` with one regex engine,
jsonschema-rs's: linear (Rust's ``regex``) unless a pattern needs lookaround or
backreferences, and then cut short by a backtracking limit. Both check formats (the python
engine through jsonschema's ``format-nongpl`` checkers). Patterns are first made strict
(:func:`.schemas.escape_annex_b`) unless ``strict_patterns`` is asked for. Neither engine
ever fetches a ``$ref``: references resolve inside the schema, the bundled metaschemas, and
the documents the caller ships with the ground truth.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import jsonschema
import jsonschema_rs
import referencing
import referencing.exceptions
import referencing.jsonschema

from verifiers.base import InvalidInput
from verifiers.json_schema import python_engine
from verifiers.json_schema.schemas import escape_schema_patterns, has_annex_b_patterns

DRAFTS = ("4", "6", "7", "2019-09", "2020-12")
_RS_VALIDATORS = {
    "4": jsonschema_rs.Draft4Validator,
    "6": jsonschema_rs.Draft6Validator,
    "7": jsonschema_rs.Draft7Validator,
    "2019-09": jsonschema_rs.Draft201909Validator,
    "2020-12": jsonschema_rs.Draft202012Validator,
}
_RS_DRAFTS = {
    "4": jsonschema_rs.Draft4,
    "6": jsonschema_rs.Draft6,
    "7": jsonschema_rs.Draft7,
    "2019-09": jsonschema_rs.Draft201909,
    "2020-12": jsonschema_rs.Draft202012,
}
_PY_VALIDATORS = {
    "4": jsonschema.Draft4Validator,
    "6": jsonschema.Draft6Validator,
    "7": jsonschema.Draft7Validator,
    "2019-09": jsonschema.Draft201909Validator,
    "2020-12": jsonschema.Draft202012Validator,
}
_SCHEMA_URIS = {
    "http://json-schema.org/draft-04/schema": "4",
    "http://json-schema.org/draft-06/schema": "6",
    "http://json-schema.org/draft-07/schema": "7",
    "https://json-schema.org/draft/2019-09/schema": "2019-09",
    "https://json-schema.org/draft/2020-12/schema": "2020-12",
}
_STRICT_REGEX_DRAFTS = frozenset({"4", "6", "7"})
CACHE_SIZE = 512
LARGE_INSTANCE_CHARS = 32 * 1024
"""The rs engine counts the errors of a larger instance in Rust before listing them."""
SHOWN_REASON_CHARS = 200
MAX_CONTEXT_HOPS = 32
SHOWN_VALUE_CHARS = 60


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One validation error: where, which keyword, and a readable message."""

    path: str  # JSON pointer into the instance, "" for the root
    keyword: str
    message: str


@dataclass(frozen=True, slots=True)
class Errors:
    """The first errors of an instance, at most the limit asked for; ``complete`` is false
    when validation stopped there and more errors may follow."""

    found: tuple[SchemaError, ...]
    complete: bool


NO_ERRORS = Errors((), complete=True)


class Compile(NamedTuple):
    """How to compile a schema: the part of the options a validator depends on. A tuple,
    not a dataclass: it is built and hashed for the cache on every call (0.3 µs, not 1.3)."""

    engine: str
    draft: str
    formats: bool
    strict_patterns: bool


def draft_of(schema: Any, requested: str | None) -> str:
    if requested is not None:
        return requested
    if isinstance(schema, dict) and isinstance(schema.get("$schema"), str):
        return _SCHEMA_URIS.get(schema["$schema"].rstrip("#"), "2020-12")
    return "2020-12"


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Validator:
    """A compiled schema; ``errors`` gives its first :class:`SchemaError` for an instance."""

    def __init__(self, how: Compile, schema: Any, documents: dict):
        self.engine = how.engine
        try:
            if how.engine == "rs":
                registry = (
                    jsonschema_rs.Registry(list(documents.items()), draft=_RS_DRAFTS[how.draft])
                    if documents
                    else None
                )
                self._rs = _RS_VALIDATORS[how.draft](
                    schema, validate_formats=how.formats, registry=registry, offline=True
                )
            else:
                self._py = _python_validator(schema, how.draft, how.formats, documents)
        except jsonschema_rs.ValidationError as exc:
            error = _deepest(exc)
            location = list(error.instance_path)
            keyword = str(error.schema_path[-1]) if len(error.schema_path) else error.kind.name
            problem = _schema_problem(keyword, location, error.message, error.instance)
            raise InvalidInput(problem) from None
        except jsonschema.SchemaError as exc:
            location = list(exc.path)
            problem = _schema_problem(str(exc.validator), location, exc.message, exc.instance)
            raise InvalidInput(problem) from None
        except (
            jsonschema_rs.ReferencingError,
            ValueError,
            TypeError,
            KeyError,
            referencing.exceptions.Unresolvable,
        ) as exc:
            raise InvalidInput(f"unusable schema: {_first_line(str(exc))}") from None

    def errors(self, instance: Any, limit: int, *, size_chars: int = 0) -> Errors:
        """The instance's first ``limit`` errors; ``size_chars``: the length of its text.

        The python engine stops at the limit. The rs engine answers a valid instance with
        a yes/no check; for an invalid one its binding lists every error before the first
        is read, ~20 µs each (0.8 s for 40,000). So an instance of more than
        :data:`LARGE_INSTANCE_CHARS` is first evaluated in Rust (0.07 s for 40,000): past
        the limit, its errors are read from that evaluation's list output, where a failed
        ``anyOf`` shows as the errors of its branches; up to the limit, they are listed as
        usual."""
        if self.engine == "rs":
            try:
                return self._rs_errors(instance, limit, large=size_chars > LARGE_INSTANCE_CHARS)
            except (jsonschema_rs.ReferencingError, ValueError) as exc:
                raise InvalidInput(f"unusable schema: {_first_line(str(exc))}") from None
        try:
            found = [
                SchemaError(_pointer(error.absolute_path), str(error.validator), error.message)
                for error in itertools.islice(self._py.iter_errors(instance), limit + 1)
            ]
        except referencing.exceptions.Unresolvable as exc:
            raise InvalidInput(f"unresolvable $ref: {exc}") from None
        except (TypeError, KeyError, AttributeError) as exc:
            # referencing trips over some documents (boolean subschemas under draft 4).
            raise InvalidInput(f"unusable schema or documents: {type(exc).__name__}") from None
        return Errors(tuple(found[:limit]), complete=len(found) <= limit)

    def _rs_errors(self, instance: Any, limit: int, *, large: bool) -> Errors:
        if self._rs.is_valid(instance):
            return NO_ERRORS
        if large:
            listed = self._rs.evaluate(instance).errors()
            if len(listed) > limit:
                return Errors(tuple(map(_evaluated, listed[:limit])), complete=False)
        found = [
            SchemaError(_pointer(error.instance_path), error.kind.name, error.message)
            for error in itertools.islice(self._rs.iter_errors(instance), limit + 1)
        ]
        return Errors(tuple(found[:limit]), complete=len(found) <= limit)


def _evaluated(entry: dict) -> SchemaError:
    """An error of jsonschema-rs's list output; its keyword is the schema location's last."""
    segments = entry["schemaLocation"].split("/")
    keyword = next((part for part in reversed(segments) if part and not part.isdigit()), "")
    return SchemaError(entry["instanceLocation"], keyword or "schema", entry["error"])


def _python_validator(schema: Any, draft: str, formats: bool, documents: dict) -> Any:
    draft_class = _PY_VALIDATORS[draft]
    python_engine.check_schema(draft_class, schema, strict_regex=draft in _STRICT_REGEX_DRAFTS)
    specification = referencing.jsonschema.specification_with(
        draft_class.META_SCHEMA["$schema"], default=referencing.jsonschema.DRAFT202012
    )
    resources = [
        (uri, referencing.Resource.from_contents(document, default_specification=specification))
        for uri, document in documents.items()
    ]
    # No retrieve callable: an unknown URI is Unresolvable, never fetched.
    registry = referencing.Registry().with_resources(resources)
    checker = python_engine.format_checker(draft_class) if formats else None
    return python_engine.validator_class(draft_class)(
        schema, registry=registry, format_checker=checker
    )


def _deepest(error: Any) -> Any:
    """Of a failed ``anyOf``/``oneOf`` of the metaschema, the branch error deepest in the
    schema (as jsonschema's ``best_match`` does): it names the real fault."""
    for _ in range(MAX_CONTEXT_HOPS):
        branches = getattr(error.kind, "context", None) or []
        candidates = [inner for branch in branches for inner in branch]
        if not candidates:
            break
        deepest = max(candidates, key=lambda inner: len(inner.instance_path))
        if len(deepest.instance_path) <= len(error.instance_path):
            break
        error = deepest
    return error


def _schema_problem(keyword: str, location: list, message: str, value: Any) -> str:
    """Which keyword fails where in the schema, and why, without the failing subschema."""
    where = _pointer(location) or "the root"
    return f"unusable schema: {keyword!r} fails at {where}: {_reason(message, value)}"


def _reason(message: str, value: Any) -> str:
    """The message with a long rendering of ``value`` replaced by a summary."""
    if isinstance(value, dict | list):
        summary = (
            f"an object with {len(value)} keys"
            if isinstance(value, dict)
            else f"an array of {len(value)} items"
        )
        renderings = (
            json.dumps(value, separators=(",", ":"), ensure_ascii=False),
            json.dumps(value, ensure_ascii=False),
            repr(value),
        )
        for rendering in renderings:
            if len(rendering) > SHOWN_VALUE_CHARS and rendering in message:
                message = message.replace(rendering, summary)
        if len(message) > SHOWN_REASON_CHARS:
            return f"{summary} is not a valid subschema here"
    return message if len(message) <= SHOWN_REASON_CHARS else message[:SHOWN_REASON_CHARS] + "…"


def _pointer(parts: Any) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0][:300]


@lru_cache(maxsize=CACHE_SIZE)
def _compiled(how: Compile, schema_text: str, documents_text: str) -> Validator:
    schema, documents = json.loads(schema_text), json.loads(documents_text)
    if not how.strict_patterns and has_annex_b_patterns(schema_text):
        escape_schema_patterns(schema)
    if not how.strict_patterns and has_annex_b_patterns(documents_text):
        escape_schema_patterns(list(documents.values()))
    return Validator(how, schema, documents)


RECENT_SIZE = 64
_recent: dict[tuple[int, int, Compile], tuple[Any, Any, Validator]] = {}
"""Validators by the identity of the schema object: items that share one ground truth
(a request's ``ground_truths``, a chunk of GRPO rollouts) skip writing a large schema as
canonical text for the cache key. Each entry holds its objects, so an id is never reused
while it is here."""


def compile_validator(schema: Any, how: Compile, documents: dict) -> Validator:
    """A validator from the cache (keyed by the canonical schema text), compiling on a miss."""
    shared_documents = documents or None
    key = (id(schema), id(shared_documents), how)
    hit = _recent.get(key)
    if hit is not None and hit[0] is schema and hit[1] is shared_documents:
        return hit[2]
    validator = _compiled(how, canonical(schema), canonical(documents) if documents else "{}")
    if len(_recent) >= RECENT_SIZE:
        _recent.clear()
    _recent[key] = (schema, shared_documents, validator)
    return validator


cache_info = _compiled.cache_info


def cache_clear() -> None:
    _compiled.cache_clear()
    _recent.clear()
