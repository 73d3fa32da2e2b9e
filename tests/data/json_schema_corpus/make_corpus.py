"""Build the json_schema corpus from a checkout of SchemaStore (Apache-2.0).

    python tests/data/json_schema_corpus/make_corpus.py GIT_DIR [COMMIT]

GIT_DIR is a clone (bare is fine) of github.com/SchemaStore/schemastore. Reads, at COMMIT
(default HEAD), each schema of ``src/schemas/json/`` that has both positive tests
(``src/test/<name>/*.json``, labelled valid) and, where there are some, negative tests
(``src/negative_test/<name>/*.json``, labelled invalid), and keeps it when:

- ``src/schema-validation.jsonc`` does not list it under ``skiptest``;
- it has no ``$ref`` outside itself (SchemaStore tests those with other schemas loaded);
- the schema is at most 32 kB and each test at most 16 kB (JSON, not YAML/TOML).

Writes ``schemas.json`` ({name: schema}) and ``cases.jsonl`` (one object per line: ``id``
``<name>/<valid|invalid>/<file>``, ``schema``, ``valid``, ``instance``) beside this script.
Deterministic: sorted by name.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from verifiers.json_schema.extraction import strip_comments

HERE = Path(__file__).parent
MAX_SCHEMA_BYTES = 32 * 1024
MAX_CASE_BYTES = 16 * 1024


def git(repo: str, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", repo, *args], check=True, capture_output=True, text=True
    ).stdout


def jsonc(text: str) -> object:
    """JSON with comments and trailing commas, as SchemaStore writes its config."""
    return json.loads(re.sub(r",(\s*[\]}])", r"\1", strip_comments(text)))


def refs(node: object) -> list[str]:
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            for key, value in current.items():
                if key in ("$ref", "$dynamicRef", "$recursiveRef") and isinstance(value, str):
                    found.append(value if key == "$ref" else "dynamic")
                else:
                    stack.append(value)
        elif isinstance(current, list):
            stack.extend(current)
    return found


def main(repo: str, commit: str = "HEAD") -> int:
    files = git(repo, "ls-tree", "-r", "--name-only", commit, "src/").splitlines()
    config = jsonc(git(repo, "show", f"{commit}:src/schema-validation.jsonc"))
    excluded = set(config.get("skiptest", []))
    tests: dict[str, dict[bool, list[str]]] = {}
    for path in files:
        parts = path.split("/")
        if len(parts) == 4 and parts[1] in ("test", "negative_test") and path.endswith(".json"):
            tests.setdefault(parts[2], {True: [], False: []})[parts[1] == "test"].append(path)
    schemas, cases = {}, []
    for name in sorted(tests):
        found = tests[name]
        schema_path = f"src/schemas/json/{name}.json"
        if not found[True] or f"{name}.json" in excluded:
            continue
        if schema_path not in files:
            continue
        text = git(repo, "show", f"{commit}:{schema_path}")
        if len(text.encode()) > MAX_SCHEMA_BYTES:
            continue
        try:
            schema = json.loads(text)
        except json.JSONDecodeError:
            continue
        if any(not ref.startswith("#") for ref in refs(schema)):
            continue
        kept = []
        for valid in (True, False):
            for path in sorted(found[valid]):
                body = git(repo, "show", f"{commit}:{path}")
                if len(body.encode()) > MAX_CASE_BYTES:
                    continue
                try:
                    instance = json.loads(body)
                except json.JSONDecodeError:
                    continue
                case_id = f"{name}/{'valid' if valid else 'invalid'}/{path.rsplit('/', 1)[1]}"
                kept.append({"id": case_id, "schema": name, "valid": valid, "instance": instance})
        if any(case["valid"] for case in kept):
            schemas[name] = schema
            cases.extend(kept)
    compact = {"ensure_ascii": False, "separators": (",", ":")}
    (HERE / "schemas.json").write_text(json.dumps(schemas, **compact) + "\n")
    with (HERE / "cases.jsonl").open("w") as out:
        for case in cases:
            out.write(json.dumps(case, **compact) + "\n")
    print(f"{len(schemas)} schemas, {len(cases)} cases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
