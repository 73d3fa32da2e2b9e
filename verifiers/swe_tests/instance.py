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
from verifiers.swe_tests.multilingual_parsers import instance_parser
from verifiers.swe_tests.patches import diff_paths
from verifiers.swe_tests.specs import (
    OFFICIAL_PARSERS,
    ImageNaming,
    NameStyle,
    command_with_env,
    eval_script_test_command,
    spec_for,
)

SOURCES = ("image", "files", "archive", "workspace")
# Other datasets' names of the instance's image: SWE-smith's, R2E-Gym's.
IMAGE_ALIASES = ("image_name", "docker_image")
KNOWN_KEYS = frozenset(
    {
        *SOURCES,
        *IMAGE_ALIASES,
        "instance_id",
        "repo",
        "version",
        "base_commit",
        "test_patch",
        "FAIL_TO_PASS",
        "PASS_TO_PASS",
        "test_command",
        "log_parser",
        "setup",
        "timeout_s",
        "repo_dir",
        # swebench 5.x rows carry their eval script and its kind of grading.
        "eval_script",
        "eval_type",
        # Fields of SWE-bench, SWE-Gym and SWE-smith rows that grading does not use;
        # accepted so rows pass as they are.
        "patch",
        "problem_statement",
        "hints_text",
        "created_at",
        "environment_setup_commit",
        "FAIL_TO_FAIL",
        "PASS_TO_FAIL",
        "difficulty",
        "image_assets",
        "language",
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
    base_patch: str = ""
    """SWE-smith: the patch that makes the image's repository the instance (its bug)."""
    name_style: NameStyle = "pytest"
    """Which official parser made the test names (see specs.official_names)."""
    directives_included: bool = False
    """The test command names its tests itself (taken from a row's eval script)."""


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


def _code(truth: dict[str, Any], naming: ImageNaming | None) -> tuple[str, Any]:
    given = [source for source in SOURCES if source in truth]
    if not given:
        given = [alias for alias in IMAGE_ALIASES if truth.get(alias)][:1]
    if not given and naming is not None and isinstance(truth.get("instance_id"), str):
        # A dataset row as it is: its image by the official naming scheme.
        return "image", _image_name(naming.image(truth["instance_id"]), "instance_id")
    if len(given) != 1:
        raise InvalidInput(
            "ground_truth needs exactly one of image, files, archive, workspace; "
            f"got {', '.join(given) or 'none'}"
        )
    (source,) = given
    value = truth[source]
    if source in IMAGE_ALIASES:
        return "image", _image_name(value, source)
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
    return source, _image_name(value, source)


def _image_name(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _IMAGE_NAME.match(value):
        shown = value[:80] if isinstance(value, str) else type(value).__name__
        raise InvalidInput(f"ground_truth.{field} does not give an image name: {shown!r}")
    return value


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


def _runner(truth: dict[str, Any], test_files: tuple[str, ...]) -> dict[str, Any]:
    """The test command, log parser and name style: the caller's, else the row's eval
    script's (swebench 5.x), else the repository's spec."""
    spec = spec_for(_optional_str(truth, "repo"), _version(truth))
    given_parser = truth.get("log_parser")
    name_style = spec.names
    if given_parser in OFFICIAL_PARSERS:
        given_parser, name_style = OFFICIAL_PARSERS[given_parser]
    elif isinstance(given_parser, str):
        # Jekyll's and immutable-js's official parser depends on the instance's pull request.
        given_parser = instance_parser(
            given_parser.removeprefix("parse_log_"), _optional_str(truth, "instance_id") or ""
        )
    if given_parser is not None and given_parser not in LOG_PARSERS:
        raise InvalidInput(
            f"ground_truth.log_parser must be one of {', '.join(LOG_PARSERS)}: "
            f"{str(given_parser)[:80]!r}"
        )
    command = _optional_str(truth, "test_command")
    directives_included = False
    if command is None and isinstance(script := truth.get("eval_script"), str):
        command = eval_script_test_command(script)
        if command is None:
            raise InvalidInput("ground_truth.eval_script has no test command between its markers")
        directives_included = True
    if command is None and given_parser in (None, spec.log_parser):
        command = command_with_env(spec)
        given_parser = spec.log_parser
    if command is None and not any(path.endswith(".py") for path in test_files):
        raise InvalidInput(
            "no test command is known for this repository and its tests are not Python: "
            "pass test_command and log_parser (or a row with its eval_script)"
        )
    return {
        "test_command": command,
        "log_parser": given_parser or "pytest",
        "name_style": name_style,
        "directives_included": directives_included,
    }


def is_swe_smith(truth: dict[str, Any]) -> bool:
    """SWE-smith's rows: the image holds the clean repository and the tests, and ``patch``
    is the bug that makes the instance (there is no test patch)."""
    repo = truth.get("repo")
    return "image_name" in truth or (isinstance(repo, str) and repo.startswith("swesmith/"))


def _patches(truth: dict[str, Any], test_ids: tuple[str, ...]) -> tuple[str, str, tuple[str, ...]]:
    """The bug patch (SWE-smith), the test patch, and the test files they concern."""
    test_patch = truth.get("test_patch")
    if is_swe_smith(truth) and not test_patch:
        base_patch = truth.get("patch")
        if not isinstance(base_patch, str) or not base_patch.strip():
            raise InvalidInput("ground_truth.patch (SWE-smith's bug patch) must be a unified diff")
        files = {name.split("::", 1)[0] for name in test_ids if "::" in name}
        if not files:
            raise InvalidInput(
                "a SWE-smith row without test_patch needs pytest ids (path::test) in "
                "FAIL_TO_PASS/PASS_TO_PASS to know its test files"
            )
        _check_paths(files, "FAIL_TO_PASS")
        return base_patch, "", tuple(sorted(files))
    if not isinstance(test_patch, str) or not test_patch.strip():
        raise InvalidInput("ground_truth.test_patch must be a non-empty unified diff")
    test_files = tuple(sorted(diff_paths(test_patch)))
    if not test_files:
        raise InvalidInput("ground_truth.test_patch names no file")
    return "", test_patch, test_files


def _version(truth: dict[str, Any]) -> str | None:
    version = truth.get("version")
    # Rows store "3.0"; a JSON reader may have made it the number 3.0.
    return str(version) if isinstance(version, str | int | float) else None


def parse_instance(truth: Any, naming: ImageNaming | None = None) -> Instance:
    """The instance of a row; ``naming`` gives rows with no repository source their
    image by the official naming scheme (``None``: such rows are invalid)."""
    if not isinstance(truth, dict):
        raise InvalidInput(
            "ground_truth must be a SWE-bench instance object (test_patch, FAIL_TO_PASS, "
            f"PASS_TO_PASS and one of {', '.join(SOURCES)}); got {type(truth).__name__}"
        )
    unknown = truth.keys() - KNOWN_KEYS
    if unknown:
        raise InvalidInput(f"ground_truth has unknown keys: {', '.join(sorted(unknown))}")
    if truth.get("eval_type", "pass_and_fail") != "pass_and_fail":
        raise InvalidInput(
            "ground_truth.eval_type: only pass_and_fail grading is supported (fail_only "
            "counts a test that never ran as passed)"
        )
    fail_to_pass = _test_list(truth, "FAIL_TO_PASS")
    if not fail_to_pass:
        raise InvalidInput("ground_truth.FAIL_TO_PASS is empty: nothing would be verified")
    pass_to_pass = _test_list(truth, "PASS_TO_PASS")
    base_patch, test_patch, test_files = _patches(truth, fail_to_pass + pass_to_pass)
    source, code = _code(truth, naming)
    runner = _runner(truth, test_files)
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
    return Instance(
        instance_id=_optional_str(truth, "instance_id") or "",
        test_patch=test_patch,
        base_patch=base_patch,
        test_files=test_files,
        fail_to_pass=fail_to_pass,
        pass_to_pass=pass_to_pass,
        source=source,
        code=code,
        repo_dir=repo_dir,
        setup=tuple(setup),
        timeout_s=float(timeout_s) if timeout_s is not None else None,
        **runner,
    )
