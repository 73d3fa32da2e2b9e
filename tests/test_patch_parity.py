"""patch_similarity against an independent difflib-only reference of the SWE-RL reward.

The reference below is written from the SWE-RL description (search/replace application,
``difflib.unified_diff`` per file, ``SequenceMatcher.ratio`` averaged over the union of
paths) and shares no code with the implementation. Hundreds of seeded cases edit the real
looking Python files in ``tests/data/patch/``: single- and multi-file edits, new files,
replace-all searches, partially overlapping predictions, renames in unified-diff mode.
"""

from __future__ import annotations

import difflib
import functools
import random
import string
from pathlib import Path

import cydifflib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from unidiff import PatchSet

from verifiers import Status
from verifiers.patch_similarity import verify

DATA = Path(__file__).parent / "data" / "patch"
FILES = {f"src/app/{path.name}": path.read_text() for path in sorted(DATA.glob("*.py"))}
TAGS = ("<think>", "</think>", "<solution>", "</solution>")
FORMAT_ERROR = "format error"

# ---------------------------------------------------------------------------------------
# The reference (difflib only)
# ---------------------------------------------------------------------------------------


class RefFormatError(Exception):
    pass


def ref_solution(response: str) -> str:
    for tag in TAGS:
        if response.count(tag) != 1:
            raise RefFormatError(tag)
    thought = response.split("<think>")[1].split("</think>")[0]
    if not thought.strip():
        raise RefFormatError("empty thought")
    return response.split("<solution>")[1].split("</solution>")[0].strip()


def ref_blocks(solution: str) -> dict[str, list[tuple[str, str]]]:
    """Line-based parse of the fenced blocks, grouped by path in order of appearance."""
    lines = solution.split("\n")
    blocks: dict[str, list[tuple[str, str]]] = {}
    i = 0
    while i < len(lines):
        if (
            lines[i].startswith("```")
            and i + 2 < len(lines)
            and lines[i + 1].startswith("### ")
            and lines[i + 2] == "<<<<<<< SEARCH"
        ):
            j = i + 3
            while j < len(lines) and lines[j] != "=======":
                j += 1
            k = j + 1
            while k < len(lines) and lines[k] != ">>>>>>> REPLACE":
                k += 1
            if k + 1 < len(lines) and lines[k + 1].startswith("```"):
                search = "\n".join(lines[i + 3 : j])
                replace = "\n".join(lines[j + 1 : k])
                blocks.setdefault(lines[i + 1][4:], []).append((search, replace))
                i = k + 2
                continue
        i += 1
    if not blocks:
        raise RefFormatError("no block")
    return blocks


def ref_apply(context: dict[str, str], blocks: dict[str, list[tuple[str, str]]]) -> dict:
    new = {}
    for path, edits in blocks.items():
        content = "\n" + context.get(path, "")
        for search, replace in edits:
            if search == replace:
                raise RefFormatError("identical")
            if "\n" + search not in content:
                raise RefFormatError("not found")
            content = content.replace("\n" + search, "\n" + replace)
        new[path] = content[1:]
    return new


def ref_diff(old: str, new: str) -> str:
    lines = list(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), fromfile="old", tofile="new", lineterm="", n=3
        )
    )
    return "\n".join(lines[2:])


def ref_diffs(context: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    diffs = {path: ref_diff(context.get(path, ""), text) for path, text in new.items()}
    return {path: diff for path, diff in diffs.items() if diff}


def ref_score(predicted: dict[str, str], oracle: dict[str, str]) -> float:
    paths = predicted.keys() | oracle.keys()
    if not paths:
        return 1.0
    total = 0.0
    for path in paths:
        if path in predicted and path in oracle:
            matcher = difflib.SequenceMatcher(None, predicted[path], oracle[path], autojunk=False)
            total += matcher.ratio()
    return total / len(paths)


def ref_search_replace_reward(
    response: str, context: dict[str, str], oracle_new: dict[str, str]
) -> float | str:
    try:
        predicted_new = ref_apply(context, ref_blocks(ref_solution(response)))
    except RefFormatError:
        return FORMAT_ERROR
    return ref_score(ref_diffs(context, predicted_new), ref_diffs(context, oracle_new))


def ref_file_texts(diff: str) -> dict[str, str]:
    texts = {}
    for patched in PatchSet(diff):
        if patched.is_binary_file:
            continue
        if patched.is_rename:
            source = patched.source_file
            source = source[2:] if source.startswith("a/") else source
            target = patched.target_file
            target = target[2:] if target.startswith("b/") else target
            header, path = f"rename from {source} to {target}", source
        else:
            header, path = "", patched.path
        body = "\n".join(str(hunk).strip() for hunk in patched)
        texts[path] = (header + "\n" + body).strip()
    return texts


# ---------------------------------------------------------------------------------------
# Case generation
# ---------------------------------------------------------------------------------------

POOL = [
    "return None",
    "pass",
    'logger.info("checkpoint reached")',
    "value = normalize(value)",
    "if value is None:",
    'raise ValueError("bad input")',
    "result.append(value)",
    "# TODO: handle the empty case",
    "count += 1",
    "self._dirty = True",
    "return sorted(result)",
    "assert isinstance(value, str), value",
]
RENAMES = [
    ("item", "entry"),
    ("text", "data"),
    ("job", "task"),
    ("config", "settings"),
    ("result", "output"),
    ("==", "!="),
    (" < ", " <= "),
    ("0", "1"),
    ("return ", "return not "),
    ("raise ", "raise RuntimeError() from "),
]


def indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def mutate(rng: random.Random, lines: list[str]) -> list[str]:
    out = list(lines)
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(["modify", "insert", "delete", "rename", "rename"])
        if op == "delete" and len(out) > 1:
            del out[rng.randrange(len(out))]
        elif op == "insert":
            index = rng.randrange(len(out) + 1)
            near = out[min(index, len(out) - 1)] if out else "    "
            out.insert(index, indent_of(near) + rng.choice(POOL))
        elif op == "rename":
            options = [(i, a, b) for i, line in enumerate(out) for a, b in RENAMES if a in line]
            if options:
                i, a, b = rng.choice(options)
                out[i] = out[i].replace(a, b, 1)
        elif out:
            i = rng.randrange(len(out))
            out[i] = out[i] + rng.choice(["  # fixed", "  # noqa", ")", " or default"])
    if out == lines:
        out.append(indent_of(lines[-1] if lines else "") + rng.choice(POOL))
    return out


def pick_regions(rng: random.Random, lines: list[str], count: int) -> list[tuple[int, int]]:
    """Disjoint, ordered, non-adjacent line ranges holding at least one non-blank line."""
    usable = len(lines) - 1  # content ends with "\n": the last split element is ""
    regions: list[tuple[int, int]] = []
    for _ in range(count * 10):
        if len(regions) == count:
            break
        start = rng.randrange(usable)
        end = min(usable, start + rng.randint(1, 5))
        if not any(line.strip() for line in lines[start:end]):
            continue
        if all(end + 1 < s or e + 1 < start for s, e in regions):
            regions.append((start, end))
    return sorted(regions)


def region_edits(rng: random.Random, content: str, count: int) -> list[tuple[str, str]]:
    lines = content.split("\n")
    edits = []
    for start, end in pick_regions(rng, lines, count):
        old = lines[start:end]
        edits.append(("\n".join(old), "\n".join(mutate(rng, old))))
    return edits


def repeated_search(rng: random.Random, content: str) -> str | None:
    """A search text that occurs at several line starts."""
    lines = [line for line in content.split("\n") if line.strip()]
    counts: dict[str, int] = {}
    for line in lines:
        counts[line] = counts.get(line, 0) + 1
        words = line.split(" ")
        for cut in range(1, len(words)):
            prefix = " ".join(words[:cut])
            if prefix.strip():
                counts[prefix] = counts.get(prefix, 0) + 1
    repeated = sorted(text for text, n in counts.items() if n >= 2 and len(text.strip()) > 3)
    return rng.choice(repeated) if repeated else None


def new_file_content(rng: random.Random) -> str:
    lines = ['"""A module added by the fix."""', "", ""]
    for index in range(rng.randint(1, 3)):
        lines.append(f"def helper_{index}(value):")
        for _ in range(rng.randint(1, 4)):
            lines.append("    " + rng.choice(POOL))
        lines.append("")
    return "\n".join(lines)


def vary(rng: random.Random, edit: tuple[str, str]) -> tuple[str, str]:
    search, replace = edit
    return search, "\n".join(mutate(rng, replace.split("\n")))


def block(rng: random.Random, path: str, search: str, replace: str) -> str:
    tag = rng.choice(["python", "", "py", "python3"])
    return (
        f"```{tag}\n### {path}\n<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n```"
    )


def response_for(rng: random.Random, edits: dict[str, list[tuple[str, str]]]) -> str:
    """Blocks of all paths interleaved at random, each path's blocks kept in order."""
    queues = {path: list(items) for path, items in edits.items() if items}
    blocks = []
    while queues:
        path = rng.choice(sorted(queues))
        search, replace = queues[path].pop(0)
        blocks.append(block(rng, path, search, replace))
        if not queues[path]:
            del queues[path]
    separator = rng.choice(["\n", "\n\n", "\n\nAnd then:\n\n"])
    thought = rng.choice(["The bug is in the loop.", "Let me fix it.\nTwo places change."])
    intro = rng.choice(["", "Here is the fix.\n"])
    return f"<think>\n{thought}\n</think>\n<solution>\n{intro}{separator.join(blocks)}\n</solution>"


def patch_for(rng: random.Random, context: dict[str, str], new: dict[str, str]) -> str:
    """A git diff from context to new (each side given a final newline, which splitlines
    based scoring ignores)."""
    parts = []
    for path, text in new.items():
        old = context.get(path)
        old_lines = (old or "").splitlines(keepends=True)
        new_lines = text.splitlines(keepends=True)
        if new_lines and not new_lines[-1].endswith("\n"):
            new_lines[-1] += "\n"
        # n >= 1: zero-context insertions (@@ -N,0 ...) have a test of their own in
        # test_patch_similarity.py.
        hunks = list(difflib.unified_diff(old_lines, new_lines, n=rng.choice([1, 2, 3])))[2:]
        if not hunks:
            continue
        source = "/dev/null" if old is None else f"a/{path}"
        parts.append(f"diff --git a/{path} b/{path}\n--- {source}\n+++ b/{path}\n")
        parts.append("".join(hunks))
    return "".join(parts)


def search_replace_case(seed: int) -> tuple[str, dict, dict, dict[str, str]]:
    """(response, ground truth, options, oracle new content)."""
    rng = random.Random(seed)
    kind = ["single", "multi", "new_file", "replace_all", "error"][seed % 5]
    paths = sorted(FILES)
    edited = rng.sample(paths, 2 if kind == "multi" else 1)
    context_paths = set(edited) | set(rng.sample(paths, rng.randint(0, 2)))
    context = {path: FILES[path] for path in sorted(context_paths)}

    oracle: dict[str, list[tuple[str, str]]] = {}
    for path in edited:
        oracle[path] = region_edits(rng, context[path], rng.randint(1, 3))
    if kind == "replace_all":
        path = edited[0]
        search = repeated_search(rng, context[path])
        assert search is not None
        oracle[path] = [(search, "\n".join(mutate(rng, search.split("\n"))))]
    new_path = f"src/app/added_{seed % 7}.py"
    if kind == "new_file":
        oracle[new_path] = [("", new_file_content(rng))]

    predicted: dict[str, list[tuple[str, str]]] = {}
    for path, edits in oracle.items():
        for edit in edits:
            choice = rng.random()
            if choice < 0.4:
                predicted.setdefault(path, []).append(edit)
            elif choice < 0.75:
                predicted.setdefault(path, []).append(vary(rng, edit))
    if kind == "new_file" and rng.random() < 0.3:
        # The right content under another name.
        predicted[f"src/app/other_{seed % 3}.py"] = list(oracle[new_path])
    if rng.random() < 0.3 or not predicted:
        path = rng.choice(sorted(context))
        if path not in predicted and path not in oracle:
            predicted[path] = region_edits(rng, context[path], rng.randint(1, 2))
        elif not predicted:
            predicted[path] = region_edits(rng, context[path], 1)
    if kind == "replace_all" and rng.random() < 0.5:
        # A prediction changing only the first occurrence of the repeated text.
        path = edited[0]
        search, replace = oracle[path][0]
        lines = context[path].split("\n")
        first = next(i for i, line in enumerate(lines) if line.startswith(search))
        unique = "\n".join(lines[first : first + 3])
        if ("\n" + context[path]).count("\n" + unique) == 1:
            fixed = replace + lines[first][len(search) :]
            predicted[path] = [(unique, "\n".join([fixed, *lines[first + 1 : first + 3]]))]
    mistake = ""
    if kind == "error":
        path = rng.choice(sorted(predicted))
        search, replace = predicted[path][0]
        mistake = rng.choice(["typo", "identical", "no_think", "two_solutions"])
        if mistake == "typo":
            predicted[path][0] = (search + "#not-in-file", replace)
        elif mistake == "identical":
            predicted[path][0] = (search, search)

    oracle_new = ref_apply(context, oracle)
    response = response_for(rng, predicted)
    if mistake == "no_think":
        response = response.replace("<think>", "")
    if mistake == "two_solutions":
        response += "\n<solution>\n</solution>"

    truth: dict = {"code_context": context}
    if rng.random() < 0.5:
        truth["oracle_new_content"] = oracle_new
    else:
        truth["oracle_patch"] = patch_for(rng, context, oracle_new)
    options = {"mode": "search_replace"} if rng.random() < 0.3 else {}
    return response, truth, options, oracle_new


SEARCH_REPLACE_CASES = 300


@functools.cache
def search_replace_expected(seed: int) -> float | str:
    response, truth, _, oracle_new = search_replace_case(seed)
    return ref_search_replace_reward(response, truth["code_context"], oracle_new)


@pytest.mark.parametrize("seed", range(SEARCH_REPLACE_CASES))
def test_search_replace_parity(seed: int) -> None:
    response, truth, options, _ = search_replace_case(seed)
    expected = search_replace_expected(seed)
    outcome = verify(response, truth, options)
    if expected == FORMAT_ERROR:
        assert (outcome.status, outcome.reward) == (Status.FORMAT_ERROR, -1.0), outcome.detail
    else:
        assert outcome.status == Status.OK, outcome.detail
        assert abs(outcome.reward - expected) <= 1e-12, (outcome.reward, expected)


def test_search_replace_cases_are_mostly_scored() -> None:
    """The generator exercises what it claims: most cases score, few are errors, the
    scores spread over (0, 1], and every kind of case shows up."""
    rewards = [search_replace_expected(seed) for seed in range(SEARCH_REPLACE_CASES)]
    scored = [r for r in rewards if r != FORMAT_ERROR]
    assert len(scored) >= 0.7 * SEARCH_REPLACE_CASES
    assert sum(r == 1.0 for r in scored) >= 10
    assert sum(0.0 < r < 1.0 for r in scored) >= 100
    assert sum(r == 0.0 for r in scored) >= 1
    assert len(set(scored)) >= 100


# ---------------------------------------------------------------------------------------
# Unified-diff mode
# ---------------------------------------------------------------------------------------


def hunks(rng: random.Random, old: str, new: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), n=rng.choice([0, 1, 3])
    )
    return "".join(list(lines)[2:])


def changed(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    for start, end in reversed(pick_regions(rng, lines, rng.randint(1, 3))):
        lines[start:end] = mutate(rng, lines[start:end])
    return "\n".join(lines)


def file_entry(rng: random.Random, kind: str, path: str, target: str) -> str:
    old = FILES.get(path, "")
    if kind == "modify":
        head = f"diff --git a/{path} b/{path}\nindex 1a2b3c4..5d6e7f8 100644\n"
        return head + f"--- a/{path}\n+++ b/{path}\n" + hunks(rng, old, changed(rng, old))
    if kind == "add":
        body = new_file_content(rng) + "\n"
        head = f"diff --git a/{target} b/{target}\nnew file mode 100644\n"
        return head + f"--- /dev/null\n+++ b/{target}\n" + hunks(rng, "", body)
    if kind == "delete":
        head = f"diff --git a/{path} b/{path}\ndeleted file mode 100644\n"
        return head + f"--- a/{path}\n+++ /dev/null\n" + hunks(rng, old, "")
    if kind == "binary":
        return f"diff --git a/{target} b/{target}\nBinary files a/{target} and b/{target} differ\n"
    head = f"diff --git a/{path} b/{target}\nsimilarity index 91%\n"
    head += f"rename from {path}\nrename to {target}\n"
    if kind == "pure_rename":
        return head
    return head + f"--- a/{path}\n+++ b/{target}\n" + hunks(rng, old, changed(rng, old))


def unified_case(seed: int) -> tuple[str, str, str, dict]:
    """(response, predicted diff, oracle diff, ground truth)."""
    rng = random.Random(10_000 + seed)
    paths = sorted(FILES)
    kinds = ["modify", "modify", "modify", "add", "rename", "rename", "pure_rename", "binary"]
    kinds += ["delete"] * (seed % 10 == 0)

    def entries(count: int) -> list[tuple[str, str, str]]:
        chosen = []
        for path in rng.sample(paths, count):
            kind = rng.choice(kinds)
            target = path.replace("src/app/", rng.choice(["src/app/new_", "lib/"]))
            if kind == "add":
                target = f"src/app/added_{rng.randrange(3)}.py"
            if kind == "binary":
                target = f"assets/logo_{rng.randrange(3)}.png"
            chosen.append((kind, path, target))
        return chosen

    oracle_entries = entries(rng.randint(1, 3))
    if seed % 4 == 0:
        oracle_entries[0] = ("rename", oracle_entries[0][1], "lib/renamed.py")
    predicted_entries = []
    for entry in oracle_entries:
        # Same entry with its own random edits (so partly overlapping), or the same file
        # changed another way, or left out.
        roll = rng.random()
        if roll < 0.6:
            predicted_entries.append(entry)
        elif roll < 0.85:
            predicted_entries.append(("modify", entry[1], entry[1]))
    predicted_entries += entries(rng.randint(0, 1))
    if not any(kind != "binary" for kind, _, _ in predicted_entries):
        predicted_entries.append(("modify", paths[seed % len(paths)], ""))

    state = rng.getstate()
    oracle_diff = "".join(file_entry(rng, *entry) for entry in oracle_entries)
    predicted_parts = []
    for entry in predicted_entries:
        if entry in oracle_entries and rng.random() < 0.5:
            # Exactly the oracle's text for this file: replay the oracle's generator.
            replay = random.Random()
            replay.setstate(state)
            for other in oracle_entries:
                text = file_entry(replay, *other)
                if other == entry:
                    predicted_parts.append(text)
                    break
        else:
            predicted_parts.append(file_entry(rng, *entry))
    predicted_diff = "".join(predicted_parts)

    style = rng.choice(["fenced", "fenced_think", "bare", "bare_think", "patch_fence"])
    if style.startswith("fenced"):
        response = f"The fix:\n\n```diff\n{predicted_diff}```\n\nDone."
    elif style == "patch_fence":
        response = f"```python\nprint('not a diff')\n```\n```patch\n{predicted_diff}```"
    else:
        response = f"Here is my patch.\n\n{predicted_diff}"
    if style.endswith("think"):
        response = "<think>\nLooking at it.\n```diff\n--- a/x\n+++ b/x\n```\n</think>\n" + response

    truth: dict = {"oracle_patch": oracle_diff}
    if rng.random() < 0.3:
        truth["code_context"] = {path: FILES[path] for path in paths[:2]}
    return response, predicted_diff, oracle_diff, truth


UNIFIED_CASES = 120


@functools.cache
def unified_expected(seed: int) -> float:
    _, predicted_diff, oracle_diff, _ = unified_case(seed)
    predicted = ref_file_texts(predicted_diff)
    assert predicted  # the generator always predicts some text change
    return ref_score(predicted, ref_file_texts(oracle_diff))


@pytest.mark.parametrize("seed", range(UNIFIED_CASES))
def test_unified_diff_parity(seed: int) -> None:
    response, _, _, truth = unified_case(seed)
    expected = unified_expected(seed)
    outcome = verify(response, truth)
    assert outcome.status == Status.OK, outcome.detail
    assert abs(outcome.reward - expected) <= 1e-12, (outcome.reward, expected)


def test_unified_cases_cover_renames_and_spread() -> None:
    renames = pure = binary = 0
    rewards = []
    for seed in range(UNIFIED_CASES):
        _, predicted_diff, oracle_diff, _ = unified_case(seed)
        renames += "rename from" in oracle_diff and "--- a/" in oracle_diff
        pure += any(p.is_rename and not len(p) for p in PatchSet(oracle_diff))
        binary += "Binary files" in predicted_diff + oracle_diff
        rewards.append(unified_expected(seed))
    assert renames >= 20 and pure >= 5 and binary >= 5
    assert sum(r == 1.0 for r in rewards) >= 3
    assert sum(0.0 < r < 1.0 for r in rewards) >= 50


# ---------------------------------------------------------------------------------------
# cydifflib is difflib
# ---------------------------------------------------------------------------------------


def random_pair(rng: random.Random) -> tuple[str, str]:
    kind = rng.randrange(4)
    if kind == 0:  # small alphabet, long: many popular characters
        a = "".join(rng.choice("ab \n") for _ in range(rng.randint(0, 700)))
        b = "".join(rng.choice("abc\n") for _ in range(rng.randint(0, 700)))
        return a, b
    if kind == 1:  # printable noise
        a = "".join(rng.choice(string.printable) for _ in range(rng.randint(0, 400)))
        return a, "".join(rng.choice(string.printable) for _ in range(rng.randint(0, 400)))
    # Real diffs of the data files, the reward's actual inputs.
    text = rng.choice(list(FILES.values()))
    a = ref_diff(text, changed(rng, text))
    b = ref_diff(text, changed(rng, text)) if kind == 2 else a[: rng.randrange(len(a) + 1)]
    return a, b + "é\u2028" * (kind == 3)


def test_cydifflib_ratio_equals_difflib() -> None:
    rng = random.Random(2024)
    for _ in range(100):
        a, b = random_pair(rng)
        for autojunk in (False, True):
            expected = difflib.SequenceMatcher(None, a, b, autojunk=autojunk).ratio()
            got = cydifflib.SequenceMatcher(None, a, b, autojunk=autojunk).ratio()
            assert got == expected, (a[:60], b[:60], autojunk)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300))
def test_cydifflib_ratio_equals_difflib_hypothesis(a: str, b: str) -> None:
    expected = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    assert cydifflib.SequenceMatcher(None, a, b, autojunk=False).ratio() == expected
