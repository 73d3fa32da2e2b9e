"""``json_schema``: the response is JSON that satisfies a schema (structured-output RL).

:mod:`.extraction` finds and strictly parses the JSON, :mod:`.engines` validates it with a
cached compiled validator (jsonschema-rs by default), and :mod:`.scoring` turns the errors
into partial credit.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

from pydantic import Field

from verifiers.base import InvalidInput, Outcome, Status, VerifierOptions, verifier
from verifiers.json_schema import engines
from verifiers.json_schema.engines import (
    DRAFTS,
    RECENT_SIZE,
    Compile,
    Validator,
    compile_validator,
    draft_of,
)
from verifiers.json_schema.extraction import FormatProblem, extract_json
from verifiers.json_schema.schemas import root_types
from verifiers.json_schema.scoring import (
    checks_passed_fraction,
    expected_fraction,
    json_equal,
    partial_reward,
)

__all__ = ["JsonSchemaOptions", "cache_clear", "verify"]

COMPONENTS = ("parsed", "valid", "checks_passed_fraction", "error_count")
SHOWN_ERRORS = 3
_WRAPPER_KEYS = frozenset({"schema", "expected", "documents"})


class JsonSchemaOptions(VerifierOptions):
    extraction: Literal["strict", "lenient"] = "strict"
    """strict: the whole output, or else exactly one ```json block, however the text around it
    starts; lenient: also an object or array in prose, the first whose type the schema's
    root accepts, never a piece of malformed JSON."""
    format_penalty: float = Field(0.1, ge=0, le=1)
    """Lenient extraction from prose multiplies the reward by ``1 - format_penalty``."""
    partial_credit: bool = True
    partial_cap: float = Field(0.5, ge=0, lt=1)
    check_formats: bool = True
    draft: Literal["4", "6", "7", "2019-09", "2020-12"] | None = None
    """``None``: from the schema's ``$schema``, else 2020-12."""
    strip_think: bool = True
    engine: Literal["rs", "python"] = "rs"
    """rs: jsonschema-rs; python: the jsonschema library (slower), with the same format
    checks and jsonschema-rs's regexes (linear, or bounded by a backtracking limit when a
    pattern needs lookaround); only ``unevaluatedProperties`` next to ``patternProperties``
    uses Python's ``re``, which may backtrack."""
    strict_patterns: bool = False
    """false: a ``pattern`` may use ECMA-262 Annex B (an unescaped ``]``, ``}`` or ``{``
    that is no quantifier is a literal), in every draft; true: such patterns are refused
    where the draft's metaschema checks them (drafts 4 to 7)."""
    max_errors: int = Field(100, ge=1, le=100_000)
    """Validation stops after this many errors; error_count and the partial credit are
    computed on those (past the cap the fraction is an upper bound, and the reward at most
    ``partial_cap * 0.9 ** min(max_errors, 20)``)."""
    max_bytes: int = Field(256 * 1024, ge=1, le=16 * 1024 * 1024)
    """Larger JSON (UTF-8) is a format error, checked before it is parsed."""
    max_depth: int = Field(128, ge=1, le=10_000)
    """JSON nested deeper than this is a format error, checked before it is parsed."""


def _unpack(ground_truth: Any) -> tuple[Any, tuple[bool, Any], dict[str, Any]]:
    """(schema, (has expected, expected), documents) from a schema or a wrapper object."""
    if (
        isinstance(ground_truth, dict)
        and "schema" in ground_truth
        and ground_truth.keys() <= (_WRAPPER_KEYS)
    ):
        documents = ground_truth.get("documents") or {}
        if not isinstance(documents, dict) or not all(
            isinstance(uri, str) and isinstance(doc, dict | bool) for uri, doc in documents.items()
        ):
            raise InvalidInput("ground_truth.documents must map URIs to schema documents")
        expected = ("expected" in ground_truth, ground_truth.get("expected"))
        schema = ground_truth["schema"]
    else:
        schema, expected, documents = ground_truth, (False, None), {}
    if not isinstance(schema, dict | bool):
        raise InvalidInput(
            f"ground_truth must be a JSON schema (object or boolean), got {type(schema).__name__}"
        )
    return schema, expected, documents


def _outcome(reward: float, detail: str, *, valid: bool, fraction: float, errors: int) -> Outcome:
    return Outcome(
        reward,
        detail=detail,
        components={
            "parsed": 1.0,
            "valid": 1.0 if valid else 0.0,
            "checks_passed_fraction": fraction,
            "error_count": float(errors),
        },
    )


class _Task(NamedTuple):
    """What a ground truth asks for under a set of options."""

    validator: Validator
    has_expected: bool
    expected: Any
    prefer: frozenset[str]
    """The types the schema's root accepts, for lenient extraction."""


_tasks: dict[tuple[int, int], tuple[Any, JsonSchemaOptions, _Task]] = {}
"""Tasks by the identity of the ground truth and options objects: the items of a request
that share both (``ground_truths``, default options) unpack the schema once. Each entry
holds its objects, so an id is never reused while it is here."""


def _task(ground_truth: Any, options: JsonSchemaOptions) -> _Task:
    key = (id(ground_truth), id(options))
    hit = _tasks.get(key)
    if hit is not None and hit[0] is ground_truth and hit[1] is options:
        return hit[2]
    schema, (has_expected, expected), documents = _unpack(ground_truth)
    draft = draft_of(schema, options.draft)
    if draft not in DRAFTS:
        raise InvalidInput(f"unsupported draft {draft}")
    how = Compile(options.engine, draft, options.check_formats, options.strict_patterns)
    validator = compile_validator(schema, how, documents)
    lenient = options.extraction == "lenient"
    task = _Task(validator, has_expected, expected, root_types(schema) if lenient else frozenset())
    if len(_tasks) >= RECENT_SIZE:
        _tasks.clear()
    _tasks[key] = (ground_truth, options, task)
    return task


def cache_clear() -> None:
    """Forget every compiled validator and task."""
    _tasks.clear()
    engines.cache_clear()


@verifier("json_schema", options=JsonSchemaOptions, components=COMPONENTS, timeout_s=5.0)
def verify(response: str, ground_truth: Any, options: JsonSchemaOptions) -> Outcome:
    """The response is JSON that satisfies the schema (partial credit otherwise)."""
    validator, has_expected, expected, prefer = _task(ground_truth, options)
    try:
        extracted = extract_json(
            response,
            lenient=options.extraction == "lenient",
            strip_think=options.strip_think,
            max_bytes=options.max_bytes,
            max_depth=options.max_depth,
            prefer=prefer,
        )
    except FormatProblem as problem:
        return Outcome(
            0.0,
            Status.FORMAT_ERROR,
            detail=str(problem),
            components=dict.fromkeys(COMPONENTS, 0.0),
        )
    scale = 1.0 - options.format_penalty if extracted.source == "found in prose" else 1.0
    instance = extracted.value
    found = validator.errors(instance, options.max_errors, size_chars=len(response))
    errors = found.found
    where = f"JSON ({extracted.source})"
    if extracted.passed_over:
        skipped = extracted.passed_over
        where = f"JSON ({extracted.source}, after {skipped} of a type the schema's root refuses)"
    if not errors:
        if has_expected and not json_equal(instance, expected):
            fraction = expected_fraction(instance, expected)
            reward = options.partial_cap * fraction if options.partial_credit else 0.0
            detail = f"{where} is valid but differs from the expected value"
            return _outcome(reward * scale, detail, valid=True, fraction=fraction, errors=0)
        return _outcome(scale, f"{where} is valid", valid=True, fraction=1.0, errors=0)
    fraction = checks_passed_fraction(instance, errors)
    reward = (
        partial_reward(fraction, len(errors), options.partial_cap) if options.partial_credit else 0
    )
    shown = "; ".join(
        f"{error.path or '/'}: {error.keyword} ({error.message[:80]})"
        for error in errors[:SHOWN_ERRORS]
    )
    more = f" (+{len(errors) - SHOWN_ERRORS} more)" if len(errors) > SHOWN_ERRORS else ""
    count = f"{len(errors)}" if found.complete else f"at least {len(errors)} (max_errors)"
    detail = f"{where} has {count} schema error{'s' * (len(errors) > 1)}: {shown}{more}"
    return _outcome(reward * scale, detail, valid=False, fraction=fraction, errors=len(errors))
