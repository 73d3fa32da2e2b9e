"""Unified diffs: per-file hunk text, and applying a diff to known file contents.

Per-file text follows the SWE-RL unified-diff reward: binary files are skipped, a rename
is keyed by its source path with a ``rename from X to Y`` header line, and the body is the
file's hunks, each stripped, joined by newlines.
"""

from __future__ import annotations

from unidiff import PatchedFile, PatchSet
from unidiff.errors import UnidiffParseError

from verifiers.code_changes import PatchFormatError, diff_in_response


def parse(text: str) -> PatchSet:
    try:
        return PatchSet(text)
    except UnidiffParseError as exc:
        raise PatchFormatError(f"unparseable diff: {exc}") from None
    except (UnboundLocalError, AttributeError) as exc:  # unidiff < 1.0 trips on lone headers
        raise PatchFormatError(f"unparseable diff: {type(exc).__name__}") from None


def _strip_prefix(path: str, prefix: str) -> str:
    return path[len(prefix) :] if path.startswith(prefix) else path


def file_texts(patch: PatchSet) -> dict[str, str]:
    """Per-path hunk text of a parsed diff."""
    texts = {}
    for patched in patch:
        if patched.is_binary_file:
            continue
        if patched.is_rename:
            source = _strip_prefix(patched.source_file, "a/")
            target = _strip_prefix(patched.target_file, "b/")
            header, path = f"rename from {source} to {target}", source
        else:
            header, path = "", patched.path
        body = "\n".join(str(hunk).strip() for hunk in patched)
        texts[path] = (header + "\n" + body).strip()
    return texts


def predicted_texts(response: str) -> dict[str, str]:
    texts = file_texts(parse(diff_in_response(response)))
    if not texts:
        raise PatchFormatError("the diff changes no text file")
    return texts


def apply(original: dict[str, str], patch: PatchSet) -> dict[str, str]:
    """New content of every file the diff touches (a deleted file becomes empty)."""
    new_content = {}
    for patched in patch:
        if patched.is_binary_file:
            continue
        source_path = _strip_prefix(patched.source_file, "a/")
        path = source_path if patched.is_rename else patched.path
        old = "" if patched.is_added_file else original.get(path, "")
        new_content[path] = "" if patched.is_removed_file else _apply_file(old, patched)
    return new_content


def _apply_file(old: str, patched: PatchedFile) -> str:
    lines = old.splitlines(keepends=True)
    out: list[str] = []
    position = 0
    for hunk in patched:
        # "@@ -4,0 +5,2 @@" (no context) inserts after line 4, not at it.
        start = hunk.source_start if hunk.source_length == 0 else max(hunk.source_start - 1, 0)
        if start < position or start > len(lines):
            raise ValueError(f"{patched.path}: hunk at line {hunk.source_start} does not fit")
        out.extend(lines[position:start])
        position = start
        for line in hunk:
            if line.is_context or line.is_removed:
                if position >= len(lines) or lines[position].rstrip("\r\n") != line.value.rstrip(
                    "\r\n"
                ):
                    raise ValueError(f"{patched.path}: hunk does not match line {position + 1}")
                if line.is_context:
                    out.append(lines[position])
                position += 1
            elif line.is_added:
                out.append(line.value)
    out.extend(lines[position:])
    return "".join(out)
