"""Reading a schema before an engine does: Annex B patterns, the type its root expects.

JSON Schema's ``pattern`` is an ECMA-262 regular expression, and real schemas use the
grammar of its Annex B, which every browser and Node accept: a ``]``, ``}`` or ``{`` that
is not part of a class or a quantifier is a literal (``.*\\{\\{.+}}.*``, ``^PUBMED:\\{d}``),
and so is ``[`` inside a class (``^[[a-z]*]*$``). The metaschemas of drafts 4 to 7 check
``pattern`` with the strict grammar, so jsonschema-rs refuses those schemas before it
compiles them, whatever ``check_formats`` says. :func:`escape_annex_b` writes such literals
escaped: the same pattern to every ECMA-262 engine, and one the strict check accepts.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

_QUANTIFIER = re.compile(r"\{[0-9]+(?:,[0-9]*)?\}")
# Escapes, classes with no "[" inside, quantifiers and other characters: nothing to escape.
# The alternatives start differently (no two match at one place), so it never backtracks.
_STRICT_ALREADY = re.compile(
    r"(?:\\[pPu]\{[^}]*\}|\\(?![pPu]\{).|\[(?:\\.|[^\]\\\[])*\]|\{[0-9]+(?:,[0-9]*)?\}"
    r"|[^\\\[\]{}])*",
    re.DOTALL,
)
_BRACED_ESCAPES = frozenset("pPu")  # \p{Letter}, \P{L}, \u{1F600}: the braces are syntax
# Where a schema keeps data, not subschemas: never rewritten.
_DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples", "example"})
# Keywords whose value maps names to subschemas.
_MAP_KEYWORDS = frozenset(
    {"properties", "$defs", "definitions", "dependentSchemas", "dependencies"}
)
MAX_ROOT_VISITS = 32
PATTERN_CACHE_SIZE = 4096
OBJECT_KEYWORDS = frozenset(
    {
        "properties",
        "required",
        "additionalProperties",
        "patternProperties",
        "minProperties",
        "maxProperties",
        "propertyNames",
        "dependentRequired",
        "dependentSchemas",
        "unevaluatedProperties",
    }
)
ARRAY_KEYWORDS = frozenset(
    {
        "items",
        "prefixItems",
        "additionalItems",
        "minItems",
        "maxItems",
        "uniqueItems",
        "contains",
        "unevaluatedItems",
    }
)


@lru_cache(maxsize=PATTERN_CACHE_SIZE)
def escape_annex_b(pattern: str) -> str:
    """``pattern`` with its Annex B literals (lone ``]``, ``}``, ``{``; ``[`` in a class)
    escaped; every other character as it was. Linear in the pattern's length."""
    if _STRICT_ALREADY.fullmatch(pattern):
        return pattern
    out: list[str] = []
    index, length, in_class = 0, len(pattern), False
    while index < length:
        char = pattern[index]
        if char == "\\":
            end = index + 2
            if pattern[index + 1 : index + 2] in _BRACED_ESCAPES and pattern[end : end + 1] == "{":
                close = pattern.find("}", end)
                end = length if close < 0 else close + 1
            out.append(pattern[index:end])
            index = end
            continue
        if in_class:
            in_class = char != "]"
            out.append("\\[" if char == "[" else char)
        elif char == "[":
            in_class = True
            out.append(char)
        elif char == "{" and (quantifier := _QUANTIFIER.match(pattern, index)):
            out.append(quantifier[0])
            index = quantifier.end()
            continue
        else:
            out.append("\\" + char if char in "]{}" else char)
        index += 1
    return "".join(out)


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')


def has_annex_b_patterns(schema_text: str) -> bool:
    """Whether :func:`escape_schema_patterns` may change the schema of this canonical text
    (compact separators): one of its ``pattern`` strings needs escaping, or it has
    ``patternProperties``. Cheaper than the walk, which most schemas do not need."""
    if '"patternProperties"' in schema_text:
        return True
    key = '"pattern":'
    index = schema_text.find(key)
    while index >= 0:
        if value := _JSON_STRING.match(schema_text, index + len(key)):
            raw = value[0][1:-1]
            pattern = json.loads(value[0]) if "\\" in raw else raw
            if escape_annex_b(pattern) != pattern:
                return True
        index = schema_text.find(key, index + len(key))
    return False


def escape_schema_patterns(schema: Any) -> Any:
    """The schema with every ``pattern`` and ``patternProperties`` key passed through
    :func:`escape_annex_b`, changed in place (callers pass their own copy). Values under
    ``const``, ``enum``, ``default`` and ``examples`` are data and stay as they are; any
    other object is read as a schema, so subschemas under unknown keywords that a ``$ref``
    may point to are covered too."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        for key, value in list(node.items()):
            if key in _DATA_KEYWORDS:
                continue
            if key == "pattern" and isinstance(value, str):
                node[key] = escape_annex_b(value)
            elif key == "patternProperties" and isinstance(value, dict):
                escaped = {escape_annex_b(name): sub for name, sub in value.items()}
                if len(escaped) == len(value):  # two spellings of one pattern: leave both
                    node[key] = value = escaped
                stack.extend(value.values())
            elif key in _MAP_KEYWORDS and isinstance(value, dict):
                stack.extend(value.values())
            else:
                stack.append(value)
    return schema


def root_types(schema: Any) -> frozenset[str]:
    """The JSON types (``object``, ``array``, ...) the schema's root accepts, as far as its
    ``type``, its object or array keywords, its ``anyOf``/``oneOf`` branches and local
    ``$ref``s say (at most :data:`MAX_ROOT_VISITS` subschemas read); empty when they do
    not say."""
    return _types(schema, schema, [MAX_ROOT_VISITS])


def _types(root: Any, node: Any, budget: list[int]) -> frozenset[str]:
    budget[0] -= 1
    if budget[0] < 0 or not isinstance(node, dict):
        return frozenset()
    declared = node.get("type")
    if isinstance(declared, str):
        return frozenset({declared})
    if isinstance(declared, list) and all(isinstance(name, str) for name in declared):
        return frozenset(declared)
    if node.keys() & OBJECT_KEYWORDS:
        return frozenset({"object"})
    if node.keys() & ARRAY_KEYWORDS:
        return frozenset({"array"})
    branches = node.get("anyOf", node.get("oneOf"))
    if isinstance(branches, list) and branches:
        found = [_types(root, branch, budget) for branch in branches]
        return frozenset().union(*found) if all(found) else frozenset()
    reference = node.get("$ref")
    if isinstance(reference, str) and reference.startswith("#"):
        return _types(root, _at_pointer(root, reference[1:]), budget)
    return frozenset()


def _at_pointer(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer (``""`` is the document), ``None`` when there is none."""
    if not pointer:
        return document
    if not pointer.startswith("/"):
        return None  # a plain-name fragment ($anchor): not followed
    for part in pointer[1:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(document, dict):
            document = document.get(part)
        elif isinstance(document, list) and part.isdigit() and int(part) < len(document):
            document = document[int(part)]
        else:
            return None
    return document
