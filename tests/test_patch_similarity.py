"""patch_similarity: format errors, tolerances, edge cases, options and the HTTP path."""

from __future__ import annotations

import difflib
import random
import re
import time

import httpx
import pytest
from unidiff import PatchSet

from tests.helpers import item
from verifiers import InvalidInput, Status, code_changes
from verifiers.patch_similarity import verify

PATH = "pkg/stats.py"
ORIGINAL = """\
import math


def mean(values):
    total = 0
    for value in values:
        total += value
    return total / len(values)


def stdev(values):
    center = mean(values)
    squares = [(value - center) ** 2 for value in values]
    return math.sqrt(sum(squares) / len(values))


def clamp(value, low, high):
    return max(low, min(high, value))
"""
FIXED = ORIGINAL.replace(
    "    total = 0\n", "    if not values:\n        return 0.0\n    total = 0\n"
).replace("sum(squares) / len(values)", "sum(squares) / (len(values) - 1)")
CONTEXT = {PATH: ORIGINAL}
TRUTH = {"code_context": CONTEXT, "oracle_new_content": {PATH: FIXED}}
COMPONENT_KEYS = {"similarity", "files_predicted", "files_oracle", "format"}

GUARD = (
    "def mean(values):\n    total = 0",
    "def mean(values):\n    if not values:\n        return 0.0\n    total = 0",
)
DENOMINATOR = (
    "    return math.sqrt(sum(squares) / len(values))",
    "    return math.sqrt(sum(squares) / (len(values) - 1))",
)


def block(search: str, replace: str, path: str = PATH, tag: str = "python") -> str:
    return (
        f"```{tag}\n### {path}\n<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n```"
    )


def answer(*blocks: str, thought: str = "The mean divides by zero.") -> str:
    return f"<think>\n{thought}\n</think>\n<solution>\n" + "\n".join(blocks) + "\n</solution>"


def diff_text(old: str, new: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), fromfile="old", tofile="new", lineterm="", n=3
    )
    return "\n".join(list(lines)[2:])


def ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def git_diff(path: str, old: str, new: str, n: int = 3) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}", n=n
    )
    return f"diff --git a/{path} b/{path}\n" + "".join(lines)


PERFECT = answer(block(*GUARD), block(*DENOMINATOR))
HALF_FIXED = ORIGINAL.replace("sum(squares) / len(values)", "sum(squares) / (len(values) - 1)")


def assert_format_error(outcome, *words: str, reward: float = -1.0) -> None:
    assert outcome.status == Status.FORMAT_ERROR, outcome
    assert outcome.reward == reward
    assert outcome.components == {
        "similarity": 0.0,
        "files_predicted": 0.0,
        "files_oracle": 0.0,
        "format": 0.0,
    }
    for word in words:
        assert word in outcome.detail, (word, outcome.detail)


# ---------------------------------------------------------------------------------------
# Scores
# ---------------------------------------------------------------------------------------


def test_perfect_answer_scores_one() -> None:
    outcome = verify(PERFECT, TRUTH)
    assert (outcome.status, outcome.reward) == (Status.OK, 1.0)
    assert outcome.components == {
        "similarity": 1.0,
        "files_predicted": 1.0,
        "files_oracle": 1.0,
        "format": 1.0,
    }
    assert "search_replace" in outcome.detail and PATH in outcome.detail


def test_partial_answer_scores_the_diff_ratio() -> None:
    outcome = verify(answer(block(*DENOMINATOR)), TRUTH)
    expected = ratio(diff_text(ORIGINAL, HALF_FIXED), diff_text(ORIGINAL, FIXED))
    assert outcome.status == Status.OK
    assert 0.0 < outcome.reward < 1.0
    assert outcome.reward == pytest.approx(expected, abs=1e-12)


def test_components_keys_match_the_declaration() -> None:
    assert set(verify.components) == COMPONENT_KEYS
    for response in (PERFECT, "no tags at all"):
        assert set(verify(response, TRUTH).components) == COMPONENT_KEYS


def test_extra_file_counts_as_a_zero_in_the_mean() -> None:
    other = "README.md"
    context = {**CONTEXT, other: "# Stats\n\nSmall helpers.\n"}
    truth = {"code_context": context, "oracle_new_content": {PATH: FIXED}}
    response = answer(
        block(*GUARD), block(*DENOMINATOR), block("Small helpers.", "Tiny helpers.", path=other)
    )
    outcome = verify(response, truth)
    assert outcome.reward == pytest.approx(0.5, abs=1e-12)
    assert outcome.components["files_predicted"] == 2.0
    assert outcome.components["files_oracle"] == 1.0


def test_new_file_from_an_empty_search() -> None:
    new_path = "pkg/__init__.py"
    content = "from pkg.stats import mean, stdev\n"
    truth = {"code_context": CONTEXT, "oracle_new_content": {new_path: content}}
    outcome = verify(answer(block("", content.rstrip("\n"), path=new_path)), truth)
    assert (outcome.status, outcome.reward) == (Status.OK, 1.0)


def test_replace_applies_to_every_occurrence() -> None:
    # "    return " starts three lines; the oracle changed all three.
    oracle = ORIGINAL.replace("\n    return ", "\n    return float(")
    assert oracle.count("return float(") == 3
    truth = {"code_context": CONTEXT, "oracle_new_content": {PATH: oracle}}
    assert verify(answer(block("    return ", "    return float(")), truth).reward == 1.0
    # Changing only the first occurrence is a partial answer.
    first = ("    return total", "    return float(total")
    assert 0.0 < verify(answer(block(*first)), truth).reward < 1.0


def test_edits_apply_in_order() -> None:
    first = ("    total = 0", "    total = 0.0")
    second = ("    total = 0.0", "    total = float(0)")
    oracle = ORIGINAL.replace("    total = 0\n", "    total = float(0)\n")
    truth = {"code_context": CONTEXT, "oracle_new_content": {PATH: oracle}}
    assert verify(answer(block(*first), block(*second)), truth).reward == 1.0
    # The other order: the second search is not there yet.
    assert_format_error(verify(answer(block(*second), block(*first)), truth), "not found")


def test_search_must_start_at_a_line_start() -> None:
    outcome = verify(answer(block("total = 0", "total = 0.0")), TRUTH)
    assert_format_error(outcome, "search text not found", "total = 0")


def test_empty_oracle_gives_zero_to_a_change() -> None:
    truth = {"code_context": CONTEXT, "oracle_new_content": {PATH: ORIGINAL}}
    outcome = verify(PERFECT, truth)
    assert (outcome.status, outcome.reward) == (Status.OK, 0.0)
    assert outcome.components["files_oracle"] == 0.0
    assert outcome.components["files_predicted"] == 1.0


def test_edits_that_cancel_out_against_no_oracle_change_score_one() -> None:
    there = ("    total = 0", "    total = 1")
    back = ("    total = 1", "    total = 0")
    no_change = {"code_context": CONTEXT, "oracle_new_content": {PATH: ORIGINAL}}
    outcome = verify(answer(block(*there), block(*back)), no_change)
    assert (outcome.status, outcome.reward) == (Status.OK, 1.0)
    assert "neither side" in outcome.detail
    # The same empty prediction against a real oracle change: only the oracle has the path.
    assert verify(answer(block(*there), block(*back)), TRUTH).reward == 0.0


def test_oracle_patch_is_applied_to_the_context() -> None:
    patch = git_diff(PATH, ORIGINAL, FIXED)
    truth = {"code_context": CONTEXT, "oracle_patch": patch}
    assert verify(PERFECT, truth).reward == 1.0
    half = answer(block(*DENOMINATOR))
    assert verify(half, truth).reward == pytest.approx(verify(half, TRUTH).reward, abs=1e-12)


def test_oracle_patch_with_zero_context_insertion() -> None:
    # `diff -U0` / `git diff -U0` style: "@@ -4,0 +5,2 @@" inserts after line 4.
    patch = git_diff(PATH, ORIGINAL, FIXED, n=0)
    assert ",0 +" in patch
    truth = {"code_context": CONTEXT, "oracle_patch": patch}
    outcome = verify(PERFECT, truth)
    assert (outcome.status, outcome.reward) == (Status.OK, 1.0), outcome.detail


def test_oracle_patch_that_does_not_apply_is_invalid_input() -> None:
    patch = git_diff(PATH, ORIGINAL.replace("total", "sum_"), FIXED.replace("total", "sum_"))
    with pytest.raises(InvalidInput, match="does not apply"):
        verify(PERFECT, {"code_context": CONTEXT, "oracle_patch": patch})


# ---------------------------------------------------------------------------------------
# Format errors
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "words"),
    [
        pytest.param(
            answer("I would change the mean."), ["no search/replace block"], id="no-block"
        ),
        pytest.param(answer(block(*GUARD), block("x = 1", "x = 1")), ["identical"], id="identical"),
        pytest.param(
            answer(block("    total = 42", "    total = 0.0")),
            ["not found", "total = 42"],
            id="search-not-found",
        ),
        pytest.param(answer(block(*GUARD), thought="  \n "), ["<think>", "empty"], id="no-thought"),
        pytest.param(PERFECT.replace("<think>", ""), ["<think>", "0 times"], id="no-think"),
        pytest.param("<think>a</think>" + PERFECT, ["<think>", "2 times"], id="think-twice"),
        pytest.param(PERFECT.replace("</think>", ""), ["</think>", "0 times"], id="no-think-end"),
        pytest.param(
            PERFECT + "\n<solution>\n</solution>", ["<solution>", "2 times"], id="two-solutions"
        ),
        pytest.param(
            PERFECT.replace("</solution>", ""), ["</solution>", "0 times"], id="unclosed-solution"
        ),
        pytest.param(
            PERFECT.replace("</solution>", "</solution></solution>"),
            ["</solution>", "2 times"],
            id="solution-closed-twice",
        ),
        pytest.param(
            PERFECT.replace("<solution>", ""), ["<solution>", "0 times"], id="no-solution"
        ),
        pytest.param(
            PERFECT.replace(">>>>>>> REPLACE", ">>>>>> REPLACE"),
            ["no search/replace block"],
            id="broken-marker",
        ),
        pytest.param(
            PERFECT.replace("### pkg", "pkg"), ["no search/replace block"], id="no-path-line"
        ),
    ],
)
def test_format_errors(response: str, words: list[str]) -> None:
    assert_format_error(verify(response, TRUTH), *words)


def test_blocks_outside_the_solution_do_not_count() -> None:
    response = f"<think>\nTry this:\n{block(*GUARD)}\n</think>\n<solution>\nsee above\n</solution>"
    assert_format_error(verify(response, TRUTH), "no search/replace block")


def test_response_longer_than_max_chars() -> None:
    outcome = verify(PERFECT, TRUTH, {"max_chars": len(PERFECT) - 1})
    assert_format_error(outcome, "longer than", str(len(PERFECT) - 1))
    assert verify(PERFECT, TRUTH, {"max_chars": len(PERFECT)}).reward == 1.0
    huge = PERFECT.replace("The mean divides by zero.", "x" * 200_001)
    assert_format_error(verify(huge, TRUTH), "longer than 200000")


def test_huge_ground_truth_is_invalid_input() -> None:
    truth = {"code_context": {PATH: ORIGINAL + "#" * 6000}, "oracle_new_content": {PATH: FIXED}}
    with pytest.raises(InvalidInput, match="larger than"):
        verify(PERFECT, truth, {"max_chars": 100})
    huge = {"code_context": {PATH: "#" * 10_000_001}, "oracle_new_content": {PATH: FIXED}}
    with pytest.raises(InvalidInput, match="larger than 10000000"):
        verify(PERFECT, huge)


def test_edits_that_multiply_a_file_are_refused_before_they_are_made() -> None:
    # Every block turns each line start into four: 12 blocks, 700 characters, 4^12 lines.
    grow = block("", "\n\n\n", path="a.py")
    truth = {"code_context": {"a.py": "a\n"}, "oracle_new_content": {"a.py": "b\n"}}
    outcome = verify(answer(*[grow] * 12), truth)
    assert_format_error(outcome, "a.py: the edits add more than max_chars=200000 characters")
    assert verify(answer(*[grow] * 4), truth).status is Status.OK  # 4^4 lines: scored


def test_edits_may_add_max_chars_in_all() -> None:
    truth = {"code_context": {"a.py": "x = 1\n" * 100}, "oracle_new_content": {"a.py": "y\n"}}
    # -2 on each of 100 lines, then +9 on each: 700 characters added in all.
    edits = answer(block("x = 1", "x=1", path="a.py"), block("x=1", "x = 1  # one", path="a.py"))
    assert verify(edits, truth, {"max_chars": 700}).status is Status.OK
    outcome = verify(edits, truth, {"max_chars": 699})
    assert_format_error(outcome, "the edits add more than max_chars=699 characters")


@pytest.mark.parametrize("reward", [-0.5, 0.0, -1.0])
def test_format_error_reward_option(reward: float) -> None:
    outcome = verify("nothing", TRUTH, {"format_error_reward": reward})
    assert_format_error(outcome, reward=reward)
    assert verify(PERFECT, TRUTH, {"format_error_reward": reward}).reward == 1.0


@pytest.mark.parametrize(
    "options",
    [
        {"format_error_reward": 0.5},
        {"format_error_reward": -2},
        {"max_chars": 0},
        {"mode": "patch"},
        {"require_thinking": False},
    ],
)
def test_invalid_options(options: dict) -> None:
    with pytest.raises(InvalidInput, match="options"):
        verify(PERFECT, TRUTH, options)


def test_require_think_false() -> None:
    bare = "<solution>\n" + block(*GUARD) + "\n" + block(*DENOMINATOR) + "\n</solution>"
    assert_format_error(verify(bare, TRUTH), "<think>")
    assert verify(bare, TRUTH, {"require_think": False}).reward == 1.0
    # Thinking is still allowed, even an empty one.
    empty_think = "<think></think>" + bare
    assert verify(empty_think, TRUTH, {"require_think": False}).reward == 1.0
    # The solution tags are still required exactly once.
    outcome = verify(block(*GUARD), TRUTH, {"require_think": False})
    assert_format_error(outcome, "<solution>")


# ---------------------------------------------------------------------------------------
# Tolerances
# ---------------------------------------------------------------------------------------


def test_crlf_response_scores_like_lf() -> None:
    for response in (PERFECT, answer(block(*DENOMINATOR)), answer(block("nope", "x"))):
        lf = verify(response, TRUTH)
        crlf = verify(response.replace("\n", "\r\n"), TRUTH)
        assert (crlf.status, crlf.reward) == (lf.status, lf.reward)
    assert verify(PERFECT.replace("\n", "\r\n"), TRUTH).reward == 1.0


def test_trailing_spaces_after_markers_and_path_are_accepted() -> None:
    spaced = (
        PERFECT.replace(">>>>>>> REPLACE\n", ">>>>>>> REPLACE  \n")
        .replace("<<<<<<< SEARCH\n", "<<<<<<< SEARCH \t\n")
        .replace("=======\n", "=======   \n")
        .replace(f"### {PATH}\n", f"### {PATH}  \n")
    )
    assert spaced.count(">>>>>>> REPLACE  \n") == 2
    outcome = verify(spaced, TRUTH)
    assert (outcome.status, outcome.reward) == (Status.OK, 1.0)
    half = answer(block(*DENOMINATOR)).replace(">>>>>>> REPLACE\n", ">>>>>>> REPLACE \n")
    assert verify(half, TRUTH).reward == verify(answer(block(*DENOMINATOR)), TRUTH).reward


@pytest.mark.parametrize("tag", ["", "python", "py", "diff", "python3 title=fix"])
def test_any_fence_language_tag(tag: str) -> None:
    response = answer(block(*GUARD, tag=tag), block(*DENOMINATOR, tag=tag))
    assert verify(response, TRUTH).reward == 1.0


# ---------------------------------------------------------------------------------------
# Unified-diff mode
# ---------------------------------------------------------------------------------------

ORACLE_DIFF = git_diff(PATH, ORIGINAL, FIXED)
UD_TRUTH = {"oracle_patch": ORACLE_DIFF}


def test_unified_diff_identical_scores_one() -> None:
    for response in (
        f"```diff\n{ORACLE_DIFF}```",
        f"Here it is:\n\n{ORACLE_DIFF}",
        f"<think>\nthinking\n</think>\n```patch\n{ORACLE_DIFF}```\nThat is all.",
        f"```diff\n{ORACLE_DIFF}```".replace("\n", "\r\n"),
    ):
        outcome = verify(response, UD_TRUTH)
        assert (outcome.status, outcome.reward) == (Status.OK, 1.0), outcome.detail
        assert "unified_diff" in outcome.detail


def test_unified_diff_partial() -> None:
    predicted = git_diff(PATH, ORIGINAL, HALF_FIXED)
    outcome = verify(f"```diff\n{predicted}```", UD_TRUTH)
    assert 0.0 < outcome.reward < 1.0
    assert outcome.components["files_predicted"] == outcome.components["files_oracle"] == 1.0


def test_unified_diff_last_fenced_block_wins() -> None:
    wrong = git_diff(PATH, ORIGINAL, ORIGINAL.replace("import math", "import cmath"))
    response = f"First try:\n```diff\n{wrong}```\nBetter:\n```diff\n{ORACLE_DIFF}```"
    assert verify(response, UD_TRUTH).reward == 1.0
    reversed_order = f"```diff\n{ORACLE_DIFF}```\n```diff\n{wrong}```"
    assert verify(reversed_order, UD_TRUTH).reward < 1.0


def test_unified_diff_last_fenced_block_wins_after_a_code_block() -> None:
    # A non-diff fenced block earlier in the answer must not shift the fence pairing.
    wrong = git_diff("pkg/other.py", "a = 1\n", "a = 2\n")
    response = (
        f"The code:\n```python\nprint(mean([]))\n```\n"
        f"First try:\n```diff\n{wrong}```\nBetter:\n```diff\n{ORACLE_DIFF}```"
    )
    outcome = verify(response, UD_TRUTH)
    assert (outcome.status, outcome.reward) == (Status.OK, 1.0), outcome.detail


def test_unified_diff_empty_oracle() -> None:
    outcome = verify(f"```diff\n{ORACLE_DIFF}```", {"oracle_patch": ""})
    assert (outcome.status, outcome.reward) == (Status.OK, 0.0)
    assert outcome.components["files_oracle"] == 0.0


def test_unified_diff_binary_only_oracle_is_no_change() -> None:
    binary = "diff --git a/logo.png b/logo.png\nBinary files a/logo.png and b/logo.png differ\n"
    outcome = verify(f"```diff\n{ORACLE_DIFF}```", {"oracle_patch": binary})
    assert (outcome.status, outcome.reward) == (Status.OK, 0.0)
    # The binary file in the prediction is skipped, the text file scored.
    both = verify(f"```diff\n{binary}{ORACLE_DIFF}```", UD_TRUTH)
    assert both.reward == 1.0


def test_unified_diff_rename() -> None:
    target = "pkg/statistics.py"
    rename = (
        f"diff --git a/{PATH} b/{target}\nsimilarity index 95%\n"
        f"rename from {PATH}\nrename to {target}\n"
    )
    hunks = "".join(ORACLE_DIFF.splitlines(keepends=True)[3:])
    oracle = rename + f"--- a/{PATH}\n+++ b/{target}\n" + hunks
    truth = {"oracle_patch": oracle}
    assert verify(f"```diff\n{oracle}```", truth).reward == 1.0
    # The same hunks without the rename: same key (the source path), no header line.
    body = "\n".join(str(hunk).strip() for hunk in PatchSet(ORACLE_DIFF)[0])
    header = f"rename from {PATH} to {target}"
    expected = ratio(body, header + "\n" + body)
    outcome = verify(f"```diff\n{ORACLE_DIFF}```", truth)
    assert outcome.reward == pytest.approx(expected, abs=1e-12)
    # A pure rename still has its header as text.
    pure = verify(f"```diff\n{rename}```", truth)
    assert pure.status == Status.OK and 0.0 < pure.reward < 1.0


@pytest.mark.parametrize(
    ("response", "words"),
    [
        pytest.param("I would divide by n - 1.", ["no unified diff"], id="no-diff"),
        pytest.param("```python\nprint(1)\n```", ["no unified diff"], id="code-not-diff"),
        pytest.param(
            "```diff\n--- a/x.py\n+++ b/x.py\n@@ -1,3 +1,3 @@\n-a\n```",
            ["unparseable"],
            id="short-hunk",
        ),
        pytest.param(
            "```diff\ndiff --git a/l.png b/l.png\nBinary files a/l.png and b/l.png differ\n```",
            ["no text file"],
            id="binary-only",
        ),
    ],
)
def test_unified_diff_format_errors(response: str, words: list[str]) -> None:
    assert_format_error(verify(response, UD_TRUTH), "unified_diff", *words)


DIFF_LINES = (
    "diff --git a/x b/x|--- a/x|+++ b/x|--- /dev/null|+++ /dev/null|@@ -1 +1 @@|@@ -1,2 +1,3 @@|"
    "@@ -0,0 +1 @@|@@ -a +b @@|-a|+b| c|\\ No newline at end of file|rename from x|rename to y|"
    "Binary files a/x and b/x differ|new file mode 100644|GIT binary patch||--- |old mode 100644|"
    "@@ -1,999999999 +1,999999999 @@"
).split("|")


@pytest.mark.parametrize("seed", range(5))
def test_odd_diffs_are_read_or_refused_never_a_crash(seed: int) -> None:
    """unidiff before 1.0 raised UnboundLocalError and AttributeError on some of these (a
    "+++" with no "---", a binary marker with no file); they are format errors too."""
    rng = random.Random(seed)
    truth = {"oracle_patch": "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"}
    for _ in range(300):
        diff = "".join(rng.choice(DIFF_LINES) + "\n" for _ in range(rng.randint(1, 12)))
        outcome = verify(f"```diff\n{diff}```", truth)
        assert outcome.status in (Status.OK, Status.FORMAT_ERROR), diff
        if outcome.status is Status.FORMAT_ERROR:
            assert outcome.reward == -1.0
        else:
            assert 0.0 <= outcome.reward <= 1.0


def test_unified_diff_response_over_max_chars() -> None:
    response = f"```diff\n{ORACLE_DIFF}```"
    outcome = verify(response, UD_TRUTH, {"max_chars": 50})
    assert_format_error(outcome, "longer than 50")


def test_mode_selection() -> None:
    both = {"code_context": CONTEXT, "oracle_patch": ORACLE_DIFF}
    # auto: SEARCH blocks with a code_context mean search/replace, a diff means unified diff.
    assert "search_replace" in verify(PERFECT, both).detail
    assert "unified_diff" in verify(f"```diff\n{ORACLE_DIFF}```", both).detail
    assert verify(f"```diff\n{ORACLE_DIFF}```", both).reward == 1.0
    forced = verify(f"```diff\n{ORACLE_DIFF}```", both, {"mode": "search_replace"})
    assert_format_error(forced, "search_replace")
    with pytest.raises(InvalidInput, match="oracle_patch"):
        verify(PERFECT, TRUTH, {"mode": "unified_diff"})
    with pytest.raises(InvalidInput, match="code_context"):
        verify(PERFECT, UD_TRUTH, {"mode": "search_replace"})


# ---------------------------------------------------------------------------------------
# Invalid ground truths
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("truth", "words"),
    [
        pytest.param("a diff", "ground_truth must be an object", id="string"),
        pytest.param(None, "ground_truth must be an object", id="none"),
        pytest.param([TRUTH], "ground_truth must be an object", id="list"),
        pytest.param({}, "oracle_patch or oracle_new_content", id="empty"),
        pytest.param(
            {"code_context": CONTEXT}, "oracle_patch or oracle_new_content", id="no-oracle"
        ),
        pytest.param({**TRUTH, "tests": []}, "unknown keys: tests", id="unknown-key"),
        pytest.param({"oracle_patch": 3}, "oracle_patch must be", id="patch-not-string"),
        pytest.param(
            {"code_context": [ORIGINAL], "oracle_new_content": {PATH: FIXED}},
            "code_context",
            id="context-list",
        ),
        pytest.param(
            {"code_context": {PATH: 1}, "oracle_new_content": {PATH: FIXED}},
            "code_context",
            id="context-value",
        ),
        pytest.param(
            {"code_context": CONTEXT, "oracle_new_content": FIXED},
            "oracle_new_content",
            id="oracle-string",
        ),
        pytest.param(
            {"code_context": CONTEXT, "oracle_new_content": {PATH: None}},
            "oracle_new_content",
            id="oracle-value",
        ),
        pytest.param(
            {"oracle_new_content": {PATH: FIXED}},
            "needs ground_truth.code_context",
            id="no-context",
        ),
        pytest.param(
            {"code_context": CONTEXT, "oracle_patch": "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n-a\n"},
            "oracle_patch",
            id="bad-patch",
        ),
    ],
)
def test_invalid_ground_truth(truth: object, words: str) -> None:
    with pytest.raises(InvalidInput, match=words.replace(".", r"\.")):
        verify(PERFECT, truth)


def test_invalid_unified_diff_oracle() -> None:
    with pytest.raises(InvalidInput, match="oracle_patch"):
        verify(f"```diff\n{ORACLE_DIFF}```", {"oracle_patch": "@@ -1,3 +1,3 @@\n-a\n"})


# ---------------------------------------------------------------------------------------
# Through the HTTP server
# ---------------------------------------------------------------------------------------


def test_http_format_error_and_score(client: httpx.Client) -> None:
    items = [
        item("patch_similarity", "<solution>no blocks</solution>", TRUTH, id="bad"),
        item("patch_similarity", PERFECT, TRUTH, id="good"),
        item("patch_similarity", PERFECT, {"oracle_new_content": {}}, id="invalid"),
    ]
    response = client.post("/v1/rewards", json={"items": items})
    assert response.status_code == 200, response.text
    bad, good, invalid = response.json()["results"]
    assert (bad["id"], bad["status"], bad["reward"]) == ("bad", "format_error", -1.0)
    assert bad["components"]["format"] == 0.0
    assert "<think>" in bad["detail"]
    assert (good["status"], good["reward"]) == ("ok", 1.0)
    assert set(good["components"]) == COMPONENT_KEYS
    assert invalid["status"] == "invalid_input"
    single = client.post("/v1/reward", json=item("patch_similarity", "nothing", TRUTH)).json()
    assert (single["status"], single["reward"]) == ("format_error", -1.0)


# The block scanner against SWE-RL's regex (with our trailing-space tolerance), on random
# texts made of block fragments; and its cost on inputs that make the regex backtrack.
SWE_RL_BLOCK = re.compile(
    r"```.*?\n### (.*?)[ \t]*\n<<<<<<< SEARCH[ \t]*\n([\s\S]*?)\n=======[ \t]*\n([\s\S]*?)"
    r"\n>>>>>>> REPLACE[ \t]*\n```"
)
FRAGMENTS = [
    "```",
    "```python\n",
    "### a.py\n",
    "### b.py  \n",
    "<<<<<<< SEARCH\n",
    "=======\n",
    "======= \n",
    ">>>>>>> REPLACE\n",
    ">>>>>>> REPLACE\n```",
    "x = 1\n",
    "\n",
    "y",
    "`",
]


@pytest.mark.parametrize("seed", range(20))
def test_block_scanner_finds_what_the_regex_finds(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(200):
        text = "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 40)))
        assert list(code_changes.blocks(text)) == SWE_RL_BLOCK.findall(text), text


@pytest.mark.parametrize(
    "solution",
    [
        "```\n### a.py\n<<<<<<< SEARCH\n" * 5000,
        "```python\n### a.py\n<<<<<<< SEARCH\nx\n=======\n" * 3000,
        "```\n### a.py\n<<<<<<< SEARCH\n" + "x = 1\n" * 30000,
    ],
)
def test_unclosed_blocks_are_scanned_in_linear_time(solution: str) -> None:
    started = time.perf_counter()
    outcome = verify(f"<think>t</think><solution>{solution}</solution>"[:199_000], BACKTRACKING)
    assert time.perf_counter() - started < 0.5
    assert outcome.status is Status.FORMAT_ERROR


BACKTRACKING = {"code_context": {"a.py": "x = 1\n"}, "oracle_new_content": {"a.py": "x = 2\n"}}
