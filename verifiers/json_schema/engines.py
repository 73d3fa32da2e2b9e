"""Compiled validators, cached, and their errors in one engine-neutral shape.

Two engines: ``rs`` (jsonschema-rs, the default: spec-complete, fast, regexes with a
backtracking limit) and ``python`` (the jsonschema library, for cross-checking). Neither
ever fetches a ``$ref``: references resolve inside the schema, the bundled metaschemas, and
the documents the caller ships with the ground truth.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jsonschema
import jsonschema_rs
import referencing
import referencing.exceptions
import referencing.jsonschema

from verifiers.base import InvalidInput

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
CACHE_SIZE = 512


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One validation error: where, which keyword, and a readable message."""

    path: str  # JSON pointer into the instance, "" for the root
    keyword: str
    message: str


def draft_of(schema: Any, requested: str | None) -> str:
    if requested is not None:
        return requested
    if isinstance(schema, dict) and isinstance(schema.get("$schema"), str):
        return _SCHEMA_URIS.get(schema["$schema"].rstrip("#"), "2020-12")
    return "2020-12"


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Validator:
    """A compiled schema; ``errors`` yields :class:`SchemaError` for an instance."""

    def __init__(self, engine: str, schema: Any, draft: str, formats: bool, documents: dict):
        self.engine = engine
        try:
            if engine == "rs":
                registry = (
                    jsonschema_rs.Registry(list(documents.items()), draft=_RS_DRAFTS[draft])
                    if documents
                    else None
                )
                self._rs = _RS_VALIDATORS[draft](
                    schema, validate_formats=formats, registry=registry, offline=True
                )
            else:
                self._py = _python_validator(schema, draft, formats, documents)
        except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError) as exc:
            raise InvalidInput(f"unusable schema: {_first_line(str(exc))}") from None
        except jsonschema.SchemaError as exc:
            raise InvalidInput(f"invalid schema: {exc.message}") from None
        except (ValueError, TypeError, KeyError, referencing.exceptions.Unresolvable) as exc:
            raise InvalidInput(f"unusable schema: {_first_line(str(exc))}") from None

    def errors(self, instance: Any) -> Iterator[SchemaError]:
        if self.engine == "rs":
            try:
                for error in self._rs.iter_errors(instance):
                    yield SchemaError(_pointer(error.instance_path), error.kind.name, error.message)
            except (jsonschema_rs.ReferencingError, ValueError) as exc:
                raise InvalidInput(f"unusable schema: {_first_line(str(exc))}") from None
            return
        try:
            for error in self._py.iter_errors(instance):
                yield SchemaError(
                    _pointer(error.absolute_path), str(error.validator), error.message
                )
        except referencing.exceptions.Unresolvable as exc:
            raise InvalidInput(f"unresolvable $ref: {exc}") from None
        except (TypeError, KeyError, AttributeError) as exc:
            # referencing trips over some documents (boolean subschemas under draft 4).
            raise InvalidInput(f"unusable schema or documents: {type(exc).__name__}") from None


def _python_validator(schema: Any, draft: str, formats: bool, documents: dict) -> Any:
    cls = _PY_VALIDATORS[draft]
    cls.check_schema(schema)
    specification = referencing.jsonschema.specification_with(
        cls.META_SCHEMA["$schema"], default=referencing.jsonschema.DRAFT202012
    )
    resources = [
        (uri, referencing.Resource.from_contents(document, default_specification=specification))
        for uri, document in documents.items()
    ]
    # No retrieve callable: an unknown URI is Unresolvable, never fetched.
    registry = referencing.Registry().with_resources(resources)
    checker = cls.FORMAT_CHECKER if formats else None
    return cls(schema, registry=registry, format_checker=checker)


def _pointer(parts: Any) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0][:300]


@lru_cache(maxsize=CACHE_SIZE)
def _compiled(engine: str, schema_text: str, draft: str, formats: bool, documents_text: str):
    return Validator(engine, json.loads(schema_text), draft, formats, json.loads(documents_text))


def compile_validator(
    schema: Any, *, engine: str, draft: str, formats: bool, documents: dict
) -> Validator:
    """A validator from the cache (keyed by the canonical schema text), compiling on a miss."""
    return _compiled(engine, canonical(schema), draft, formats, canonical(documents))


cache_info = _compiled.cache_info
cache_clear = _compiled.cache_clear
