"""The model's change (a unified diff or SWE-RL search/replace blocks) and the files it touches."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from verifiers.patch_similarity import search_replace, unified_diff
from verifiers.patch_similarity.errors import PatchFormatError
from verifiers.text import after_thinking

_GIT_HEADER = re.compile(r"^diff --git a/(\S+) b/(\S+)", re.MULTILINE)
_FILE_HEADER = re.compile(r"^(?:---|\+\+\+) (?:[ab]/)?([^\t\n]+)", re.MULTILINE)
_SEARCH = "<<<<<<< SEARCH"
# Files whose edit would let a patch change how tests run or are reported, rather than
# what they test: pytest loads conftest.py and pytest.ini by itself.
RUNNER_FILES = frozenset({"conftest.py", "pytest.ini"})

Edits = dict[str, list[tuple[str, str]]]


@dataclass(frozen=True)
class ModelChange:
    diff: str | None = None
    edits: Edits | None = None

    @property
    def paths(self) -> set[str]:
        return set(self.edits) if self.edits is not None else diff_paths(self.diff or "")


def diff_paths(diff: str) -> set[str]:
    """Every path a diff names, on either side (``/dev/null`` aside)."""
    paths = {path for pair in _GIT_HEADER.findall(diff) for path in pair}
    paths.update(path.strip() for path in _FILE_HEADER.findall(diff))
    return {path for path in paths if path != "/dev/null"}


def model_change(response: str) -> ModelChange:
    """The change a response proposes; raises PatchFormatError when there is none."""
    text = after_thinking(response.replace("\r\n", "\n"))
    if _SEARCH in text:
        if "<solution>" in text and "</solution>" in text:
            text = text.split("<solution>", 1)[1].split("</solution>", 1)[0]
        edits = search_replace.parse_edits(text)
        for path in edits:
            _check_path(path)
        return ModelChange(edits=edits)
    diff = unified_diff.diff_in_response(text)
    if not diff.endswith("\n"):
        diff += "\n"
    for path in diff_paths(diff):
        _check_path(path)
    if not diff_paths(diff):
        raise PatchFormatError("the diff names no file")
    return ModelChange(diff=diff)


def _check_path(path: str) -> None:
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or ".." in pure.parts or pure.parts[:1] == (".git",):
        raise PatchFormatError(f"the change touches a path outside the repository: {path!r}")


def protected_paths(change: ModelChange, test_files: tuple[str, ...]) -> list[str]:
    """Paths the change may not touch: the hidden tests' files and pytest's own hooks."""
    touched = change.paths
    return sorted(
        path for path in touched if path in test_files or PurePosixPath(path).name in RUNNER_FILES
    )
