"""How the official SWE-bench harness tests each repository, as facts we keep ourselves.

A dataset row names its repository and version; the harness of SWE-bench (``swebench``
4.x, ``harness/constants/python.py`` and ``harness/log_parsers/python.py``, the tables
listed in docs/sandbox.md) derives from them the test command, the environment variables
of the eval script and the log parser, whose quirks shape the test names that the row's
FAIL_TO_PASS and PASS_TO_PASS lists hold. We keep those facts here rather than depend on
the package (it pulls datasets, modal, ...; its 5.x rows carry the script instead).

What differs on purpose, recorded in docs/decisions.md:
- Repositories the official harness tests with pytest (directly, or through tox for
  Sphinx) run under our own pytest runner, whose signed record cannot be forged by
  printing lines; the names it records are mapped to the names the official parser would
  read from the same run (:func:`official_names`).
- The spec's ``install`` step is not re-run before the tests (the image's editable install
  already points at the repository, and the image outside it is read-only), nor are the
  eval steps that edit the image's system files (Django's ``locale-gen``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from verifiers.swe_tests.log_parsers import LogParser, Statuses, merge

NameStyle = Literal["pytest", "pytest_options", "pytest_v2", "matplotlib"]

DJANGO_COMMAND = "./tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1"
DJANGO_LOCALE = (
    ("LANG", "en_US.UTF-8"),
    ("LC_ALL", "en_US.UTF-8"),
    ("PYTHONIOENCODING", "utf8"),
    ("LANGUAGE", "en_US:en"),
)
SYMPY_COMMAND = "bin/test -C --verbose"
SYMPY_WARNINGS = (("PYTHONWARNINGS", "ignore::UserWarning,ignore::SyntaxWarning"),)


@dataclass(frozen=True)
class RepoSpec:
    """How one repository's tests run and how their names read."""

    log_parser: LogParser = "pytest"
    test_command: str | None = None
    """None: our pytest runner; else the command, run with the matching recorder."""
    env: tuple[tuple[str, str], ...] = ()
    names: NameStyle = "pytest"
    """Which official pytest parser made the row's test names (:func:`official_names`)."""


PYTEST = RepoSpec()
DJANGO = RepoSpec(log_parser="django", test_command=f"{DJANGO_COMMAND} {{test_modules}}")
REPO_SPECS: dict[str, RepoSpec] = {
    "astropy/astropy": RepoSpec(names="pytest_v2"),
    "django/django": DJANGO,
    "marshmallow-code/marshmallow": PYTEST,
    "matplotlib/matplotlib": RepoSpec(names="matplotlib"),
    "mwaskom/seaborn": PYTEST,
    "pallets/flask": PYTEST,
    "psf/requests": RepoSpec(names="pytest_options"),
    "pvlib/pvlib-python": PYTEST,
    "pydata/xarray": PYTEST,
    "pydicom/pydicom": RepoSpec(names="pytest_options"),
    "pylint-dev/astroid": PYTEST,
    "pylint-dev/pylint": RepoSpec(names="pytest_options"),
    "pytest-dev/pytest": PYTEST,
    "pyvista/pyvista": PYTEST,
    "scikit-learn/scikit-learn": RepoSpec(names="pytest_v2"),
    "sphinx-doc/sphinx": RepoSpec(names="pytest_v2"),
    "sqlfluff/sqlfluff": PYTEST,
    "sympy/sympy": RepoSpec(
        log_parser="sympy", test_command=f"{SYMPY_COMMAND} {{tests}}", env=SYMPY_WARNINGS
    ),
}
# Django 1.7 to 3.2 run with an English UTF-8 locale; 1.9's runner has no --parallel.
VERSION_SPECS: dict[tuple[str, str], RepoSpec] = {
    ("django/django", version): RepoSpec(
        log_parser="django",
        test_command=(
            "./tests/runtests.py --verbosity 2 {test_modules}"
            if version == "1.9"
            else DJANGO.test_command
        ),
        env=DJANGO_LOCALE,
    )
    for version in ("1.7", "1.8", "1.9", "1.10", "1.11", "2.0", "2.1", "2.2", "3.0", "3.1", "3.2")
}


# swebench 5.x rows name the official parser; those of Python repositories map to one of
# ours and the style of names it reads.
_PYTEST_STYLES: dict[NameStyle, tuple[str, ...]] = {
    "pytest": (
        "pytest",
        "astroid",
        "flask",
        "marshmallow",
        "pvlib",
        "pyvista",
        "sqlfluff",
        "xarray",
        "seaborn",
    ),
    "pytest_options": ("pytest_options", "pydicom", "requests", "pylint"),
    "pytest_v2": ("pytest_v2", "astropy", "scikit", "sphinx"),
    "matplotlib": ("matplotlib",),
}
OFFICIAL_PARSERS: dict[str, tuple[LogParser, NameStyle]] = {
    f"parse_log_{name}": ("pytest", style)
    for style, names in _PYTEST_STYLES.items()
    for name in names
} | {"parse_log_django": ("django", "pytest"), "parse_log_sympy": ("sympy", "pytest")}

START_TEST_OUTPUT = ">>>>> Start Test Output"
END_TEST_OUTPUT = ">>>>> End Test Output"


def eval_script_test_command(script: str) -> str | None:
    """The lines an official eval script runs between its start and end markers (the
    test command with its directives), and the ``export`` lines before them."""
    lines = script.splitlines()
    start = next((i for i, line in enumerate(lines) if START_TEST_OUTPUT in line), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if END_TEST_OUTPUT in lines[i]), None)
    if end is None or end == start + 1:
        return None
    exports = [line.strip() for line in lines[:start] if line.strip().startswith("export ")]
    return "\n".join([*exports, *lines[start + 1 : end]])


def spec_for(repo: str | None, version: str | None) -> RepoSpec:
    """The repository's spec; an unknown one is tested like SWE-Gym/SWE-smith's pytest
    repositories: pytest on the test files, names as pytest's ``-rA`` summary gives them."""
    if not repo:
        return PYTEST
    key = repo.strip().lower()
    if version is not None and (key, str(version)) in VERSION_SPECS:
        return VERSION_SPECS[key, str(version)]
    return REPO_SPECS.get(key, PYTEST)


def command_with_env(spec: RepoSpec) -> str | None:
    if spec.test_command is None:
        return None
    exports = " ".join(f"{name}={_quoted(value)}" for name, value in spec.env)
    return f"export {exports}; {spec.test_command}" if exports else spec.test_command


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


# What the official pytest parsers keep of a summary line: the first word after the
# status (a node id with a space in its parameters is cut there), with per-parser tweaks.
_ANSI = re.compile(r"\x1b?\[\d+m")
_CONTROL = dict.fromkeys(range(1, 32))
_OPTION = re.compile(r"(.*?)\[(.*)\]")
_MOUSE_BUTTONS = (("MouseButton.LEFT", "1"), ("MouseButton.RIGHT", "3"))


def official_name_forms(node_id: str, style: NameStyle) -> set[str]:
    """The names the official parser of ``style`` may read for pytest's ``node_id``: up to
    swebench 4 the first word of the summary line (an id with a space in its parameters
    is cut there), from 5 on the whole id for pytest_v2, whose rows may hold either."""
    text = node_id
    if style == "matplotlib":
        for long, short in _MOUSE_BUTTONS:
            text = text.replace(long, short)
    elif style == "pytest_v2":
        text = _ANSI.sub("", text).translate(_CONTROL)
    words = text.replace(" - ", " ").split()
    name = words[0] if words else ""
    if style == "pytest_options" and (match := _OPTION.search(name)):
        main, option = match.groups()
        if option.startswith("/") and not option.startswith("//") and "*" not in option:
            option = "/" + option.split("/")[-1]
        name = f"{main}[{option}]"
    forms = {node_id, name}
    if style == "pytest_v2":
        # A FAILED line is cut at its first " - " (the message's separator).
        forms |= {" ".join(text.split()), " ".join(text.split(" - ", 1)[0].split())}
    return forms - {""}


def official_names(statuses: Statuses, style: NameStyle) -> Statuses:
    """Our runner's statuses, also under the names the official parser gives the same
    tests; where several tests share one such name, the worst status stands for it."""
    return merge(
        (form, status)
        for node_id, status in statuses.items()
        for form in official_name_forms(node_id, style)
    )


@dataclass(frozen=True)
class ImageNaming:
    """The official instance image names: ``sweb.eval.<arch>.<instance id>:<tag>``, and
    under a namespace (Docker Hub's ``swebench``, or a registry prefix) with ``__`` written
    ``_1776_``, as the published images are."""

    namespace: str | None = None
    tag: str = "latest"
    arch: str = "x86_64"

    def image(self, instance_id: str) -> str:
        key = f"sweb.eval.{self.arch}.{instance_id}:{self.tag}"
        if self.namespace:
            key = f"{self.namespace.rstrip('/')}/{key}".replace("__", "_1776_")
        return key.lower()
