"""Every installed verifier answers short inputs that expand (ranges, repetitions, nesting)
in well under its deadline, and names the limit it applies.

``EXPANDING`` holds a few such inputs per verifier name and is checked against the
registry: a verifier without an entry fails here, so a new verifier comes with its own.
Each input is scored directly (the one clock bound: a tenth of the deadline, since speed
is what is tested) and then all of them through a real server in one batch whose
deadline is a fifth of the shortest verifier deadline: a worker killed there is a
``timeout``. swe_tests gets only inputs refused before any sandbox run.
"""

from __future__ import annotations

import inspect
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from reward_server.settings import Settings
from tests.helpers import item
from tests.swe_fixtures import mini_instance
from verifiers import InvalidInput, default_registry

PLUGINS = Path(__file__).parent / "plugins"
# The misbehaving verifiers of tests/plugins (they sleep, crash, or exit on purpose) are
# registered in this process too; they are the engine's test subjects, not verifiers.
INSTALLED = sorted(
    name
    for name, verifier in default_registry().items()
    if not Path(inspect.getfile(verifier.function)).is_relative_to(PLUGINS)
)
DEFAULT_DEADLINE_S = Settings().default_timeout_s


@dataclass(frozen=True)
class Expanding:
    id: str
    response: str
    ground_truth: Any
    options: dict[str, Any] = field(default_factory=dict)
    status: str = "ok"
    limit: str | None = None
    """Text the detail must contain: the limit that applies, when one does."""


def search_replace(path: str, blocks: int) -> str:
    """SWE-RL edit blocks that each replace every line start of ``path`` by four: 4^n."""
    block = f"```python\n### {path}\n<<<<<<< SEARCH\n\n=======\n\n\n\n\n>>>>>>> REPLACE\n```\n"
    return f"<think>grow</think>\n<solution>\n{block * blocks}</solution>"


def hunk(path: str) -> str:
    return f"--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-a\n+b\n"


LONG_KEY = "k" * 100_000
LINES = {"level": "line", "targets": ["a.py:50"]}

REASONING_GYM_ROWS = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "reasoning_gym" / "entries.jsonl")
    .read_text()
    .splitlines()
]
REASONING_GYM_ENTRY = REASONING_GYM_ROWS[0]
REASONING_GYM_CUBE = next(
    row for row in REASONING_GYM_ROWS if row["metadata"]["source_dataset"] == "rubiks_cube"
)

EXPANDING: dict[str, list[Expanding]] = {
    "exact_match": [
        Expanding(
            "white-space-runs", " \t\n" * 100_000 + "a  b", "a b", {"normalize_whitespace": True}
        ),
        Expanding("case-folding", "ß" * 100_000, "SS" * 100_000, {"case_sensitive": False}),
        Expanding("many-accepted-answers", "x", [f"a{i}" for i in range(20_000)]),
    ],
    "localization": [
        Expanding(
            "issue-23-four-ranges",
            "\n".join(f"f{i}.py:1-10000" for i in range(4)),
            {"level": "line", "targets": ["f0.py:1"]},
            limit="max_items=100",
        ),
        Expanding("one-endless-range", "a.py:1-999999999999999", LINES, limit="max_items=100"),
        Expanding("a-range-repeated", "a.py:1-100\n" * 10_000, LINES),
        Expanding(
            "overlapping-ranges",
            "\n".join(f"a.py:{i}-{i + 99}" for i in range(1, 5000)),
            LINES,
            {"max_items": 100_000},
        ),
        Expanding(
            "endless-gold-range",
            "a.py:1",
            {"level": "line", "targets": ["a.py:1-999999999999"]},
            status="invalid_input",
            limit="100000",
        ),
        Expanding("long-line-number", "a.py:" + "9" * 5000, LINES),
    ],
    "math": [
        Expanding("power-tower", r"\boxed{9^{9^{9^9}}}", "1"),
        Expanding("huge-factorial", r"\boxed{(10^{100})!}", "1"),
        Expanding("nested-roots", r"\boxed{" + r"\sqrt{" * 200 + "2" + "}" * 201, "2"),
        Expanding("plus-minus-readings", r"\boxed{" + r"1\pm " * 100 + "1}", "1"),
        Expanding("nested-braces", "{" * 5000 + "1" + "}" * 5000, "1", status="format_error"),
        Expanding("many-boxes", "The answer is " + r"\boxed{1}" * 2000, "1"),
    ],
    "json_schema": [
        Expanding(
            "deep-nesting",
            "[" * 100_000,
            {"type": "array"},
            status="format_error",
            limit="128",
        ),
        Expanding(
            "long-integer",
            "1" + "0" * 5000,
            {"type": "integer"},
            status="format_error",
            limit="4000",
        ),
        Expanding(
            "long-key-many-leaves",
            json.dumps({LONG_KEY: [0] * 50_000, "b": "x"}),
            {"properties": {"b": {"type": "integer"}}},
        ),
        Expanding(
            "long-key-against-expected",
            json.dumps({LONG_KEY: [0] * 50_000}),
            {"schema": {"type": "object"}, "expected": {"a": 1}},
        ),
        Expanding(
            "nested-unclosed-in-prose",
            "x " + "[0," * 127 + "0," * 120_000,
            {"type": "array"},
            {"extraction": "lenient"},
            status="format_error",
        ),
    ],
    "patch_similarity": [
        Expanding(
            "edits-that-multiply-a-file",
            search_replace("a.py", 12),
            {"code_context": {"a.py": "a\n"}, "oracle_new_content": {"a.py": "b\n"}},
            status="format_error",
            limit="max_chars=200000",
        ),
        Expanding(
            "endless-hunk-header",
            "```diff\n--- a/a.py\n+++ b/a.py\n@@ -1,999999999 +1,999999999 @@\n-a\n+b\n```",
            {"oracle_patch": hunk("a.py")},
            status="format_error",
        ),
        Expanding(
            "many-files",
            "".join(hunk(f"f{i}.py") for i in range(4000)),
            {"oracle_patch": hunk("a.py")},
        ),
        Expanding(
            "over-max-chars",
            hunk("a.py") * 20_000,
            {"oracle_patch": hunk("a.py")},
            status="format_error",
            limit="200000",
        ),
    ],
    "swe_tests": [
        Expanding(
            "edits-that-multiply-a-file",
            search_replace("mini/__init__.py", 40),
            mini_instance(),
            {"max_patch_chars": 1000},
            status="format_error",
            limit="1000",
        ),
        Expanding(
            "many-paths-outside",
            "".join(f"diff --git a/../x{i} b/../x{i}\n" for i in range(10_000)),
            mini_instance(),
            status="format_error",
        ),
    ],
    "code_tests": [
        Expanding(
            "over-max-chars",
            "```python\n" + "print(1)\n" * 30_000 + "```",
            {"inputs": [""], "outputs": ["1"]},
            status="format_error",
            limit="200000",
        ),
        Expanding(
            "many-empty-fences",
            "```rust\n```\n" * 15_000,
            {"inputs": [""], "outputs": ["1"]},
            status="format_error",
        ),
        Expanding(
            "nested-input-output",
            "```python\nprint(1)\n```",
            {"input_output": "[" * 100_000},
            status="invalid_input",
            limit="not valid JSON",
        ),
        Expanding(
            "many-tests",
            "```python\nprint(1)\n```",
            {"inputs": [""] * 100_000, "outputs": ["1"] * 100_000},
            status="invalid_input",
            limit="max_tests 1000",
        ),
    ],
    "molecule": [
        Expanding(
            "long-last-line",
            "C" * 200_000,
            "CCO",
            status="format_error",
            limit="longer than 20000 characters",
        ),
        Expanding(
            "over-max-smiles-chars",
            "<answer>" + "C" * 600 + "</answer>",
            "CCO",
            status="format_error",
            limit="max_smiles_chars=500",
        ),
        Expanding(
            "heavy-atoms-before-sanitizing",
            "C" * 5000,
            "CCO",
            {"max_smiles_chars": 100_000},
            status="format_error",
            limit="max_heavy_atoms=200",
        ),
        Expanding("ring-closures", "C1" * 240, "CCO"),
        Expanding("a-flood-of-smiles-words", "CCO " * 4000, "CCO"),
        Expanding(
            "many-forbidden-molecules",
            "CCO",
            {"not_in": ["C" * 100] * 5000},
            status="invalid_input",
            limit="limit of 1000",
        ),
    ],
    "translation": [
        Expanding(
            "huge-response",
            "Hallo Welt " * 80_000,
            ["Hallo Welt"],
            status="format_error",
            limit="over max_chars",
        ),
        Expanding(
            "open-tags",
            "<translation>" * 60_000,
            ["Hallo Welt"],
            status="format_error",
            limit="over max_chars",
        ),
        Expanding(
            "ter-on-a-long-translation",
            "</think><translation>" + "ab cd " * 3000 + "</translation>",
            ["Hallo Welt"],
            {"metric": "ter"},
            limit="over 1.5x the longest reference",
        ),
    ],
    "reasoning_gym": [
        Expanding(
            "huge-answer",
            "<answer>" + "9" * 900_000 + "</answer>",
            REASONING_GYM_ENTRY,
            status="format_error",
            limit="over max_answer_chars",
        ),
        Expanding("nested-boxes", "\\boxed{" * 100_000, REASONING_GYM_ENTRY),
        Expanding(
            "rubiks-cube-moves",
            "<answer>U999999999</answer>",
            REASONING_GYM_CUBE,
            status="format_error",
        ),
    ],
}

CASES = [
    pytest.param(name, case, id=f"{name}-{case.id}")
    for name in INSTALLED
    for case in EXPANDING.get(name, [])
]


def test_every_installed_verifier_has_expanding_inputs() -> None:
    missing = [name for name in INSTALLED if not EXPANDING.get(name)]
    assert not missing, f"add short, expanding inputs for {missing} to EXPANDING"
    assert {"localization", "json_schema", "patch_similarity", "swe_tests", "code_tests"} <= set(
        INSTALLED
    )


def check(case: Expanding, status: str, detail: str) -> None:
    assert status == case.status, detail[:300]
    if case.limit is not None:
        assert case.limit in detail, detail[:300]


@pytest.mark.parametrize(("name", "case"), CASES)
def test_answers_in_a_tenth_of_its_deadline(name: str, case: Expanding) -> None:
    verifier = default_registry()[name]
    deadline_s = verifier.timeout_s or DEFAULT_DEADLINE_S
    started = time.perf_counter()
    try:
        outcome = verifier(case.response, case.ground_truth, case.options)
        status, detail = outcome.status.value, outcome.detail or ""
    except InvalidInput as problem:
        status, detail = "invalid_input", str(problem)
    elapsed_s = time.perf_counter() - started
    check(case, status, detail)
    assert elapsed_s < deadline_s / 10, f"{elapsed_s:.2f} s against a {deadline_s:g} s deadline"


def test_a_server_answers_them_all_within_a_short_deadline(client: httpx.Client) -> None:
    cases = [param.values for param in CASES]
    deadline_s = min(default_registry()[name].timeout_s or DEFAULT_DEADLINE_S for name in INSTALLED)
    items = [
        item(name, case.response, case.ground_truth, options=case.options, id=f"{name}-{case.id}")
        for name, case in cases
    ]
    response = client.post("/v1/rewards", json={"items": items, "timeout_s": deadline_s / 5})
    assert response.status_code == 200, response.text[:300]
    results = response.json()["results"]
    assert [result["id"] for result in results] == [entry["id"] for entry in items]
    for (_, case), result in zip(cases, results, strict=True):
        check(case, result["status"], result["detail"])
