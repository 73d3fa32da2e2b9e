"""Which changed files changed pytest's configuration: run by the swe_tests harness inside the
sandbox, with ``python3 -I``, after applying the patch and before any code of the
repository runs.

Reads NUL-separated paths on stdin (what git saw change) and prints, one per line, those
among ``pyproject.toml``, ``tox.ini`` and ``setup.cfg`` whose pytest section differs from
the base commit's. Their other sections (dependencies, metadata) may change. A file that
does not parse counts as changed when its text changed, and so does one that is not a
regular file. TOML is decoded with tomllib where the image's Python has it (3.11+), else
read by lines. The harness treats a check that fails or prints nothing readable as a
change.
"""

import configparser
import json
import os
import stat
import subprocess
import sys

SECTIONS = {"tox.ini": "pytest", "setup.cfg": "tool:pytest"}


def toml_pytest_lines(text):
    """The lines of ``[tool.pytest...]`` tables, and any other line that names pytest
    (``pytest.ini_options.addopts = ...`` under ``[tool]``)."""
    lines, inside = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.replace(" ", "").startswith(("[tool.pytest", "[[tool.pytest"))
        if inside or "pytest" in stripped:
            lines.append(stripped)
    return "\n".join(lines)


def toml_pytest_table(text):
    """The decoded ``[tool.pytest...]`` table (escapes and quoting undone: a header written
    ``[tool."py\\u0074est"]`` is this table too); its lines where tomllib is missing."""
    try:
        import tomllib
    except ImportError:  # Python before 3.11 in some SWE-bench images
        return toml_pytest_lines(text)
    try:
        return json.dumps(tomllib.loads(text).get("tool", {}).get("pytest"), sort_keys=True)
    except (tomllib.TOMLDecodeError, AttributeError):
        return "unreadable: " + text


def pytest_section(name, text):
    if name == "pyproject.toml":
        return toml_pytest_table(text)
    try:
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.read_string(text)
        section = SECTIONS[name]
        return json.dumps(dict(parser[section]) if parser.has_section(section) else None)
    except (configparser.Error, UnicodeDecodeError):
        return "unreadable: " + text


def base_text(path):
    shown = subprocess.run(["git", "show", f"HEAD:{path}"], capture_output=True, check=False)
    return shown.stdout.decode(errors="replace") if shown.returncode == 0 else ""


MAX_CONFIG_BYTES = 1 << 20


def current_text(path):
    """The file's text; ``None`` (a change) when it is not a regular file (a symlink to
    /dev/zero) or is larger than any configuration."""
    try:
        info = os.lstat(path)
    except OSError:
        return ""
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CONFIG_BYTES:
        return None
    with open(path, "rb") as file:
        return file.read(MAX_CONFIG_BYTES).decode("utf-8", errors="replace")


def main():
    for path in sys.stdin.buffer.read().decode(errors="replace").split("\0"):
        name = os.path.basename(path)
        if name != "pyproject.toml" and name not in SECTIONS:
            continue
        current = current_text(path)
        if current is None or pytest_section(name, base_text(path)) != pytest_section(
            name, current
        ):
            print(path)


main()
