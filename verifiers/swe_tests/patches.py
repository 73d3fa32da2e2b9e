"""The model's change (a unified diff or SWE-RL search/replace blocks) and the files it touches."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from verifiers.code_changes import Edits, PatchFormatError, diff_in_response, parse_edits
from verifiers.text import after_thinking

# Git C-quotes a path with special characters: "a/.git/config", "b/caf\303\251.py".
_PATH = r'(?:"((?:[^"\\\n]|\\.)*)"|(\S+))'
_GIT_HEADER = re.compile(rf"^diff --git {_PATH} {_PATH}", re.MULTILINE)
_FILE_HEADER = re.compile(r'^(?:---|\+\+\+) (?:"((?:[^"\\\n]|\\.)*)"|([^\t\n]+))', re.MULTILINE)
_MOVE_HEADER = re.compile(
    r'^(?:rename|copy) (?:from|to) (?:"((?:[^"\\\n]|\\.)*)"|([^\n]+))', re.MULTILINE
)
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}
_SEARCH = "<<<<<<< SEARCH"


@dataclass(frozen=True)
class ModelChange:
    diff: str | None = None
    edits: Edits | None = None

    @property
    def paths(self) -> set[str]:
        return set(self.edits) if self.edits is not None else diff_paths(self.diff or "")


def unquoted(path: str) -> str:
    """A path as git writes it in a header, C-quoting undone: ``\\303\\251`` is ``é``."""
    data, index = bytearray(), 0
    while index < len(path):
        char = path[index]
        if char == "\\" and index + 1 < len(path):
            following = path[index + 1]
            octal = path[index + 1 : index + 4]
            if len(octal) == 3 and all(c in "01234567" for c in octal):
                data.append(int(octal, 8) & 0xFF)
                index += 4
                continue
            data.append(_ESCAPES.get(following, ord(following) & 0xFF))
            index += 2
            continue
        data.extend(char.encode())
        index += 1
    return data.decode(errors="replace")


def _header_path(quoted: str, bare: str, *, strip_side: bool) -> str:
    path = unquoted(quoted) if quoted else bare.strip()
    if strip_side and path[:2] in ("a/", "b/"):
        path = path[2:]
    return path


def diff_paths(diff: str) -> set[str]:
    """Every path a diff names, on either side and in rename and copy headers, quoted or
    not (``/dev/null`` aside)."""
    paths = set()
    for match in _GIT_HEADER.finditer(diff):
        groups = match.groups()
        paths.add(_header_path(groups[0], groups[1], strip_side=True))
        paths.add(_header_path(groups[2], groups[3], strip_side=True))
    for quoted, bare in _FILE_HEADER.findall(diff):
        paths.add(_header_path(quoted, bare, strip_side=True))
    for quoted, bare in _MOVE_HEADER.findall(diff):
        paths.add(_header_path(quoted, bare, strip_side=False))
    return {path for path in paths if path and path != "/dev/null"}


def model_change(response: str) -> ModelChange:
    """The change a response proposes; raises PatchFormatError when there is none."""
    text = after_thinking(response.replace("\r\n", "\n"))
    if _SEARCH in text:
        if "<solution>" in text and "</solution>" in text:
            text = text.split("<solution>", 1)[1].split("</solution>", 1)[0]
        edits = parse_edits(text)
        for path in edits:
            _check_path(path)
        return ModelChange(edits=edits)
    diff = diff_in_response(text)
    if not diff.endswith("\n"):
        diff += "\n"
    for path in diff_paths(diff):
        _check_path(path)
    if not diff_paths(diff):
        raise PatchFormatError("the diff names no file")
    return ModelChange(diff=diff)


def _check_path(path: str) -> None:
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or ".." in pure.parts:
        raise PatchFormatError(f"the change touches a path outside the repository: {path!r}")
