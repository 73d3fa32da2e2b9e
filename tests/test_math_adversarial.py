"""The math verifier against hostile or pathological answers: fast, bounded, never executing.

Every case is scored directly (within 1 s of wall time each) and then the whole corpus goes
through a real server in one batch.
"""

from __future__ import annotations

import builtins
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server
from tests.math_helpers import boxed
from verifiers import Status
from verifiers.math import verify

LIMIT_S = 1.0  # issue 15: no answer up to the size limits takes more than 1 s
MB = 1_000_000
# A file name relative to the working directory (tmp_path for the direct cases): a payload
# that ran would create it. The same text on every machine: no tmp path in a payload, so
# no verdict depends on how the machine numbers its tmp dirs.
PWNED = "PWNED_SENTINEL"


def exactly(size: int, filler: str, tail: str) -> str:
    """A response of exactly ``size`` characters: filler text, then ``tail``."""
    body = filler * ((size - len(tail)) // len(filler) + 1)
    return body[: size - len(tail)] + tail


def nested(opening: str, core: str, closing: str, depth: int = 5000) -> str:
    return opening * depth + core + closing * depth


DIGITS = "1234567890" * 10_000  # 100 kB
OTHER_DIGITS = DIGITS[:-1] + "1"
PROSE = "We keep reasoning about the problem without ever committing to an answer. "
HALVES = "\\frac{1}{2}" * 10_000
# Four-digit members, so that no comma can be read as a thousands separator.
BIG_LIST = ", ".join(str(n) for n in range(1000, 3000))
BIG_LIST_REVERSED = ", ".join(str(n) for n in reversed(range(1000, 3000)))
PAIRS = ", ".join(f"({n},{n + 1})" for n in range(1000, 2000))
PAIRS_REVERSED = ", ".join(f"({n},{n + 1})" for n in reversed(range(1000, 2000)))
ONES = "+".join(["1"] * 100_000)


def matrix(size: int, last: int) -> str:
    rows = [" & ".join(str(r * size + c) for c in range(size)) for r in range(size)]
    rows[-1] = rows[-1].rsplit("&", 1)[0] + f"& {last}"
    return "\\begin{pmatrix}" + " \\\\ ".join(rows) + "\\end{pmatrix}"


# (id, response, gold, expected reward; None when either reward is acceptable)
CORPUS: list[tuple[str, str, str, float | None]] = [
    # power towers
    ("tower-9-same", boxed("9^{9^{9^{9}}}"), "9^{9^{9^{9}}}", 1.0),
    ("tower-9-vs-8", boxed("9^{9^{9^{9}}}"), "9^{9^{9^{8}}}", 0.0),
    ("tower-8-vs-9", boxed("9^{9^{9^{8}}}"), "9^{9^{9^{9}}}", 0.0),
    ("tower-9-vs-small", boxed("9^{9^{9^{9}}}"), "9", 0.0),
    ("tower-10-same", boxed("10^{10^{10^{10}}}"), "10^{10^{10^{10}}}", 1.0),
    ("tower-10-vs-9", boxed("10^{10^{10^{10}}}"), "10^{10^{10^{9}}}", 0.0),
    ("tower-10-plus-one", boxed("10^{10^{10^{10}}}"), "10^{10^{10^{10}}}+1", 0.0),
    ("tower-10-vs-int", boxed("10^{10^{10^{10}}}"), "100", 0.0),
    ("tower-2-same", boxed("2^{2^{2^{2^{2^{2}}}}}"), "2^{2^{2^{2^{2^{2}}}}}", 1.0),
    ("tiny-power-vs-zero", boxed("10^{-10^{10}}"), "0", 0.0),
    ("huge-exponent-literal", boxed("1e999999999"), "1", 0.0),
    ("huge-exponent-same", boxed("1e999999999"), "1e999999999", None),
    # huge factorials
    ("factorial-same", boxed("100000!"), "100000!", 1.0),
    ("factorial-vs-smaller", boxed("100000!"), "99999!", 0.0),
    ("factorial-vs-int", boxed("100000!"), "100000", 0.0),
    ("factorial-googol-same", boxed("(10^{100})!"), "(10^{100})!", 1.0),
    ("factorial-googol-vs-next", boxed("(10^{100})!"), "(10^{100}+1)!", 0.0),
    ("factorial-googol-vs-one", boxed("(10^{100})!"), "1", 0.0),
    # 100 kB digit strings
    ("digits-same", boxed(DIGITS), DIGITS, 1.0),
    ("digits-differ-last", boxed(DIGITS), OTHER_DIGITS, 0.0),
    ("digits-vs-small", boxed(DIGITS), "1234567890", 0.0),
    ("decimal-digits-same", boxed("0." + DIGITS), "0." + DIGITS, 1.0),
    ("decimal-digits-differ-last", boxed("0." + OTHER_DIGITS), "0." + DIGITS, 0.0),
    # deep nesting
    ("braces-vs-1", boxed(nested("{", "1", "}")), "1", None),
    ("braces-vs-2", boxed(nested("{", "1", "}")), "2", 0.0),
    ("frac-nest-vs-1", boxed(nested("\\frac{1}{", "1", "}")), "1", None),
    ("frac-nest-vs-2", boxed(nested("\\frac{1}{", "1", "}")), "2", 0.0),
    ("parens-vs-1", boxed(nested("(", "1", ")")), "1", None),
    ("parens-vs-2", boxed(nested("(", "1", ")")), "2", 0.0),
    ("sqrt-nest-vs-2", boxed(nested("\\sqrt{", "2", "}")), "2", 0.0),
    ("boxed-nest-vs-5", nested("\\boxed{", "5", "}"), "5", None),
    ("boxed-nest-vs-6", nested("\\boxed{", "5", "}"), "6", 0.0),
    ("exponent-tower-x", boxed(nested("x^{", "x", "}", 1000)), "y", 0.0),
    ("unclosed-left", boxed("\\left(" * 5000 + "1"), "1", None),
    ("unclosed-left-vs-2", boxed("\\left(" * 5000 + "1"), "2", 0.0),
    ("unclosed-frac", "\\frac{" * 10_000, "1", 0.0),
    # long chains
    ("halves-vs-zero", boxed(HALVES), "0", 0.0),
    ("halves-vs-fewer", boxed(HALVES), "\\frac{1}{2}" * 9_999, 0.0),
    ("halves-same", boxed(HALVES), HALVES, None),
    ("halves-vs-power", boxed(HALVES), "2^{-10000}", None),
    ("ones-sum", boxed(ONES), "100000", None),
    ("ones-sum-vs-wrong", boxed(ONES), "99999", 0.0),
    ("polynomial-power-same", boxed("(x+1)^{100000}"), "(x+1)^{100000}", None),
    ("polynomial-power-differ", boxed("(x+1)^{100000}"), "(x+1)^{99999}", 0.0),
    ("big-list-reversed", boxed(BIG_LIST), BIG_LIST_REVERSED, 1.0),
    ("big-list-differ", boxed(BIG_LIST), BIG_LIST_REVERSED.replace("2999", "3000"), 0.0),
    ("big-list-shorter", boxed(BIG_LIST), BIG_LIST_REVERSED.replace("2999, ", ""), 0.0),
    (
        "big-set-reversed",
        boxed(f"\\{{{BIG_LIST}\\}}"),
        f"\\{{{BIG_LIST_REVERSED}\\}}",
        1.0,
    ),
    ("big-pairs-reversed", boxed(PAIRS), PAIRS_REVERSED, 1.0),
    ("big-pairs-differ", boxed(PAIRS), PAIRS_REVERSED.replace("(1000,1001)", "(1001,1000)"), 0.0),
    ("big-matrix-same", boxed(matrix(100, -1)), matrix(100, -1), 1.0),
    ("big-matrix-differ", boxed(matrix(100, -1)), matrix(100, -2), 0.0),
    # 1 MB responses
    ("1mb-then-box", exactly(MB, PROSE, boxed("7")), "7", 1.0),
    ("1mb-then-wrong-box", exactly(MB, PROSE, boxed("7")), "8", 0.0),
    ("1mb-no-answer", exactly(MB, PROSE, PROSE), "7", 0.0),
    ("1mb-of-digits", exactly(MB, "9", ""), "9", None),
    ("1mb-of-braces", exactly(MB, "{", ""), "1", 0.0),
    ("boxed-same-hedge", ", ".join(["\\boxed{1}"] * 50_000), "1", 1.0),
    ("boxed-open-10000", "\\boxed{" * 10_000, "1", 0.0),
    ("boxed-open-10000-then-1", "\\boxed{" * 10_000 + "1", "2", 0.0),
    ("dollars", "$" * 100_000, "1", 0.0),
    ("display-openers", "\\[" * 10_000, "1", 0.0),
    # code that would do something if evaluated
    ("import-system", boxed(f"__import__('os').system('touch {PWNED}')"), "0", 0.0),
    (
        "import-system-dq",
        f'\\boxed{{__import__("os").system("touch {PWNED}")}}',
        "0",
        0.0,
    ),
    ("import-system-bare", f"The answer is __import__('os').system('touch {PWNED}')", "0", 0.0),
    ("import-system-last-line", f"So:\n__import__('os').system('touch {PWNED}')", "0", 0.0),
    ("eval", boxed(f"eval(\"__import__('os').system('touch {PWNED}')\")"), "0", 0.0),
    ("exec", boxed(f"exec(\"open('{PWNED}', 'w').write('x')\")"), "None", 0.0),
    ("open-write", boxed(f"open('{PWNED}', 'w').write('x')"), "1", 0.0),
    ("pathlib-touch", boxed(f"__import__('pathlib').Path('{PWNED}').touch()"), "0", 0.0),
    ("lambda-call", boxed(f"(lambda: __import__('os').system('touch {PWNED}'))()"), "0", 0.0),
    ("lambda-plain", boxed("lambda x: x"), "0", 0.0),
    ("lambda-two", boxed("(lambda: 2)()"), "3", 0.0),
    ("subclasses", boxed("().__class__.__bases__[0].__subclasses__()"), "1", 0.0),
    ("sympy-style", boxed("Symbol('x').__class__"), "0", 0.0),
    ("gold-is-payload", boxed("0"), f"__import__('os').system('touch {PWNED}')", 0.0),
    ("latex-input", boxed("\\input{/etc/passwd}"), "0", 0.0),
    ("latex-input-bare", "\\input{/etc/passwd}", "root", 0.0),
    ("latex-include", boxed("\\include{/etc/passwd}"), "0", 0.0),
    ("latex-write18", boxed(f"\\immediate\\write18{{touch {PWNED}}}"), "0", 0.0),
    # The same payloads with absolute tmp paths as fixed text: whatever the digits in a
    # path, code is not a number (a tmp dir named pytest-0 once made this one "equal" 0).
    *[
        (
            f"tmp-path-{n}-{kind}",
            boxed(payload.format(path=f"/tmp/pytest-of-root/pytest-{n}/test_direct_0/x")),
            "0",
            0.0,
        )
        for n in (0, 1, 10)
        for kind, payload in (
            ("write18", "\\immediate\\write18{{touch {path}}}"),
            ("python", "__import__('os').system('touch {path}')"),
            ("shell", "touch {path}"),
            ("open", "open('{path}', 'w')"),
        )
    ],
    ("format-string", boxed("{0.__class__.__mro__}"), "1", 0.0),
    # odd characters
    ("null-in-box", boxed("4\x00"), "4", None),
    ("null-prefix", "\x00" * 1000 + boxed("4"), "4", None),
    ("null-only", boxed("\x00"), "0", 0.0),
    ("rtl-marks", "\u200f" + boxed("5") + "\u200f", "5", 1.0),
    ("rtl-override", boxed("\u202e5\u202c"), "5", None),
    ("zero-width-space", boxed("1\u200b2"), "12", None),
    ("zero-width-vs-wrong", boxed("1\u200b2"), "13", 0.0),
    ("emoji-answer", boxed("\U0001f642"), "1", 0.0),
    ("emoji-after", boxed("5") + " \U0001f389", "5", 1.0),
    ("emoji-gold", boxed("5"), "\U0001f642", 0.0),
    ("bom", "\ufeff" + boxed("3"), "3", 1.0),
    ("arabic-digit", boxed("\u0663"), "3", None),
    ("combining-mark", boxed("x\u0301"), "y", 0.0),
]


@pytest.fixture(scope="module", autouse=True)
def warm_up() -> None:
    """Imports and caches are not part of any case's 2 s."""
    verify(boxed("\\frac{1}{2}"), "0.5")


@pytest.fixture
def pwned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / PWNED
    yield path
    assert not path.exists(), "a payload was executed"


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [pytest.param(response, gold, expected, id=name) for name, response, gold, expected in CORPUS],
)
def test_direct(response: str, gold: str, expected: float | None, pwned: Path) -> None:
    started = time.monotonic()
    outcome = verify(response, gold)
    elapsed = time.monotonic() - started
    assert elapsed < LIMIT_S, f"took {elapsed:.2f} s"
    assert outcome.reward in (0.0, 1.0)
    if expected is not None:
        assert outcome.reward == expected, outcome.detail
    if outcome.reward == 1.0:
        assert outcome.status is Status.OK, outcome.detail
    assert set(outcome.components) == {"format", "accuracy"}
    assert outcome.components["accuracy"] == outcome.reward
    assert not pwned.exists()


def test_payloads_are_never_executed(monkeypatch: pytest.MonkeyPatch, pwned: Path) -> None:
    """Nothing reaches eval/exec/compile or a shell, even if it would fail there."""
    calls: list[str] = []

    def guard(name: str, original):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            source = str(args[0]) if args else ""
            if name in ("system", "popen", "Popen") or any(
                marker in source for marker in ("__import__", "touch", "lambda", PWNED)
            ):
                calls.append(f"{name}({source[:80]!r})")
            return original(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(builtins, "eval", guard("eval", builtins.eval))
    monkeypatch.setattr(builtins, "exec", guard("exec", builtins.exec))
    monkeypatch.setattr(builtins, "compile", guard("compile", builtins.compile))
    monkeypatch.setattr(os, "system", guard("system", os.system))
    monkeypatch.setattr(os, "popen", guard("popen", os.popen))
    monkeypatch.setattr(subprocess, "Popen", guard("Popen", subprocess.Popen))
    for name, response, gold, _ in CORPUS:
        if PWNED in response + gold or "lambda" in response or "eval" in name:
            verify(response, gold)
    assert calls == []


def test_corpus_through_a_server(server: Server) -> None:
    pwned = Path.cwd() / PWNED  # the server runs in the test process's directory
    assert not pwned.exists()
    items = [
        {"id": name, "verifier": "math", "response": response, "ground_truth": gold}
        for name, response, gold, _ in CORPUS
    ]
    items.insert(
        len(items) // 2,
        {"id": "normal", "verifier": "math", "response": "\\boxed{2}", "ground_truth": "2"},
    )
    assert all(len(item["response"]) <= MB for item in items)
    with httpx.Client(base_url=server.url, timeout=900) as http:
        response = http.post("/v1/rewards", json={"items": items, "timeout_s": 10})
        assert response.status_code == 200, response.text[:2000]
        results = response.json()["results"]
        assert [r["id"] for r in results] == [item["id"] for item in items]
        statuses = {r["id"]: r["status"] for r in results}
        assert set(statuses.values()) <= {"ok", "format_error", "timeout"}, statuses
        by_id = {r["id"]: r for r in results}
        assert by_id["normal"]["status"] == "ok"
        assert by_id["normal"]["reward"] == 1.0
        for name, _, _, expected in CORPUS:
            result = by_id[name]
            assert result["reward"] in (0.0, 1.0)
            if expected is not None and result["status"] != "timeout":
                assert result["reward"] == expected, (name, result["detail"])
        assert http.get("/healthz").status_code == 200
    assert not pwned.exists()
