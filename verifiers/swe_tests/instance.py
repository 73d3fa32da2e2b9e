"""A SWE-bench instance as the dataset stores it, plus where its repository comes from."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sandbox import SandboxError
from sandbox.workspace import check_archive, relative_path
from verifiers import workspaces
from verifiers.base import InvalidInput
from verifiers.swe_tests.log_parsers import LOG_PARSERS, LogParser
from verifiers.swe_tests.patches import diff_paths

SOURCES = ("image", "files", "archive", "workspace")
KNOWN_KEYS = frozenset(
    {
        *SOURCES,
        "instance_id",
        "repo",
        "base_commit",
        "test_patch",
        "FAIL_TO_PASS",
        "PASS_TO_PASS",
        "test_command",
        "log_parser",
        "setup",
        "timeout_s",
        "repo_dir",
        # Fields of SWE-bench rows that grading does not use; accepted so rows pass as-is.
        "patch",
        "problem_statement",
        "hints_text",
        "created_at",
        "version",
        "environment_setup_commit",
        "FAIL_TO_FAIL",
        "PASS_TO_FAIL",
    }
)
_IMAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9._/:@-]{0,254}$")


@dataclass(frozen=True)
class Instance:
    instance_id: str
    test_patch: str
    test_files: tuple[str, ...]
    fail_to_pass: tuple[str, ...]
    pass_to_pass: tuple[str, ...]
    source: str
    # files -> dict, archive -> bytes, workspace -> host Path, image -> image name
    code: Any
    repo_dir: str
    test_command: str | None
    log_parser: LogParser
    setup: tuple[str, ...]
    timeout_s: float | None


def _test_list(truth: dict[str, Any], key: str) -> tuple[str, ...]:
    value = truth.get(key, [])
    if isinstance(value, str):  # the dataset stores these as JSON-encoded lists
        try:
            value = json.loads(value)
        except (json.JSONDecodeError, RecursionError):  # "[[[[..." nested past the limit
            raise InvalidInput(f"ground_truth.{key} is a string but not a JSON list") from None
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise InvalidInput(f"ground_truth.{key} must be a list of test names")
    return tuple(value)


def _code(truth: dict[str, Any]) -> tuple[str, Any]:
    given = [source for source in SOURCES if source in truth]
    if len(given) != 1:
        raise InvalidInput(
            "ground_truth needs exactly one of image, files, archive, workspace; "
            f"got {', '.join(given) or 'none'}"
        )
    (source,) = given
    value = truth[source]
    if source == "files":
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise InvalidInput("ground_truth.files must map paths to file contents")
        _check_paths(value, "files")
        return source, value
    if source == "archive":
        if not isinstance(value, str):
            raise InvalidInput("ground_truth.archive must be base64 of a .tar.gz")
        try:
            archive = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("ground_truth.archive is not valid base64") from None
        try:
            check_archive(archive)
        except SandboxError as exc:
            raise InvalidInput(f"ground_truth.archive cannot be unpacked: {exc}") from None
        return source, archive
    if source == "workspace":
        if not isinstance(value, str):
            raise InvalidInput("ground_truth.workspace must be a registered workspace name")
        return source, workspaces.resolve(value)
    if not isinstance(value, str) or not _IMAGE_NAME.match(value):
        raise InvalidInput(f"ground_truth.image is not an image name: {value!r}")
    return source, value


def _check_paths(names: Iterable[str], field: str) -> None:
    for name in names:
        try:
            relative_path(name.removeprefix("./") or ".")
        except SandboxError:
            raise InvalidInput(
                f"ground_truth.{field} has a path outside the repository: {name!r}"
            ) from None


def _optional_str(truth: dict[str, Any], key: str) -> str | None:
    value = truth.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"ground_truth.{key} must be a string")
    return value


def parse_instance(truth: Any) -> Instance:
    if not isinstance(truth, dict):
        raise InvalidInput(
            "ground_truth must be a SWE-bench instance object (test_patch, FAIL_TO_PASS, "
            f"PASS_TO_PASS and one of {', '.join(SOURCES)}); got {type(truth).__name__}"
        )
    unknown = truth.keys() - KNOWN_KEYS
    if unknown:
        raise InvalidInput(f"ground_truth has unknown keys: {', '.join(sorted(unknown))}")
    test_patch = truth.get("test_patch")
    if not isinstance(test_patch, str) or not test_patch.strip():
        raise InvalidInput("ground_truth.test_patch must be a non-empty unified diff")
    test_files = tuple(sorted(diff_paths(test_patch)))
    if not test_files:
        raise InvalidInput("ground_truth.test_patch names no file")
    source, code = _code(truth)
    log_parser = truth.get("log_parser", "pytest")
    if log_parser not in LOG_PARSERS:
        raise InvalidInput(
            f"ground_truth.log_parser must be one of {', '.join(LOG_PARSERS)}: {log_parser!r}"
        )
    setup = truth.get("setup", [])
    if isinstance(setup, str):
        setup = [setup]
    if not isinstance(setup, list) or not all(isinstance(line, str) for line in setup):
        raise InvalidInput("ground_truth.setup must be a list of shell commands")
    timeout_s = truth.get("timeout_s")
    if timeout_s is not None and (
        isinstance(timeout_s, bool) or not isinstance(timeout_s, int | float) or timeout_s <= 0
    ):
        raise InvalidInput("ground_truth.timeout_s must be a positive number")
    repo_dir = _optional_str(truth, "repo_dir") or "/testbed"
    if not repo_dir.startswith("/"):
        raise InvalidInput("ground_truth.repo_dir must be an absolute path in the image")
    fail_to_pass = _test_list(truth, "FAIL_TO_PASS")
    if not fail_to_pass:
        raise InvalidInput("ground_truth.FAIL_TO_PASS is empty: nothing would be verified")
    return Instance(
        instance_id=_optional_str(truth, "instance_id") or "",
        test_patch=test_patch,
        test_files=test_files,
        fail_to_pass=fail_to_pass,
        pass_to_pass=_test_list(truth, "PASS_TO_PASS"),
        source=source,
        code=code,
        repo_dir=repo_dir,
        test_command=_optional_str(truth, "test_command"),
        log_parser=log_parser,
        setup=tuple(setup),
        timeout_s=float(timeout_s) if timeout_s is not None else None,
    )
