"""Paths a patch may not change: what decides how tests run or are reported, not what they test.

A patch earns reward by changing the code under test. Changing instead git's metadata, the
hidden tests, pytest's configuration or what Python and pytest load by themselves at start
(conftest.py, plugins' entry points, ``.pth`` files, ``sitecustomize``) is judged 0. The
same rules read the paths a patch names (before any run) and the paths git saw change
(after applying it, before any of the repository's code runs).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

PYTEST_INI_FILES = frozenset({"pytest.ini", ".pytest.ini", "pytest.toml", ".pytest.toml"})
PYTEST_SECTION_FILES = frozenset({"pyproject.toml", "tox.ini", "setup.cfg"})
"""Files with a pytest section among others: changing their other sections is allowed,
which only the sandbox can tell (it compares the section before and after)."""
STARTUP_FILES = frozenset({"sitecustomize.py", "usercustomize.py", "conftest.py"})
METADATA_SUFFIXES = (".dist-info", ".egg-info", ".egg-link")
TEST_DIR_PREFIX = "test"
PYTEST_SHADOWS = frozenset({"pytest.py", "pytest", "_pytest", "pluggy", "py.py"})
"""Names at the repository's root that ``python -m pytest`` would import instead of pytest."""


def test_paths(test_files: Iterable[str], test_ids: Iterable[str]) -> frozenset[str]:
    """The hidden tests' files: the test patch's, and those pytest ids name."""
    paths = set(test_files)
    for name in test_ids:
        path = name.split("::", 1)[0]
        if "::" in name and path.endswith(".py"):
            paths.add(path)
    return frozenset(paths)


def protected_reason(path: str, tests: frozenset[str]) -> str | None:
    """Why a patch may not change ``path``, or ``None`` when it may."""
    pure = PurePosixPath(path)
    name = pure.name
    if ".git" in pure.parts:
        return "git metadata"
    if path in tests:
        return "a file of the hidden tests"
    if name in PYTEST_INI_FILES:
        return "pytest configuration"
    if name in STARTUP_FILES:
        return f"{name}, which pytest or Python loads by itself"
    if name.endswith(".pth"):
        return "a .pth file, which Python runs at start"
    if any(part.endswith(METADATA_SUFFIXES) for part in pure.parts):
        return "package metadata (plugin entry points)"
    if pure.parts[0] in PYTEST_SHADOWS:
        return "a module that would stand in for pytest"
    if name == "__init__.py" and _is_test_package(pure.parent, tests):
        return "the package of the hidden tests"
    if any(_is_test_package(parent, tests) for parent in pure.parents):
        # Imports from a test run resolve here first (pytest puts the test's directory on
        # sys.path): a copy of the package under tests/ would stand in for the real one.
        return "a directory of the hidden tests"
    return None


def _is_test_package(directory: PurePosixPath, tests: frozenset[str]) -> bool:
    """A directory of the hidden tests named like one (``tests/``, ``test_utils/``): its
    ``__init__.py`` runs before every test in it."""
    return directory.name.startswith(TEST_DIR_PREFIX) and any(
        PurePosixPath(test).parent == directory for test in tests
    )


def violations(paths: Iterable[str], tests: frozenset[str]) -> list[str]:
    """``"path (reason)"`` for each protected path, sorted."""
    found = []
    for path in sorted(set(paths)):
        reason = protected_reason(path, tests)
        if reason is not None:
            found.append(f"{path} ({reason})")
    return found
