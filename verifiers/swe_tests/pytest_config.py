"""Which changed files changed pytest's configuration: run by the swe_tests harness inside the
sandbox, with ``python3 -I``, after applying the patch and before any code of the
repository runs.

Reads NUL-separated paths on stdin (what git saw change) and prints, one per line, those
among ``pyproject.toml``, ``tox.ini`` and ``setup.cfg`` whose pytest section differs from
the base commit's. Their other sections (dependencies, metadata) may change. A file that
does not parse counts as changed when its text changed. Only the standard library of any
Python 3 a SWE-bench image has: TOML is read by lines, not with tomllib (3.11+).
"""

import configparser
import json
import os
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


def pytest_section(name, text):
    if name == "pyproject.toml":
        return toml_pytest_lines(text)
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


def current_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            return file.read()
    except OSError:
        return ""


def main():
    for path in sys.stdin.buffer.read().decode(errors="replace").split("\0"):
        name = os.path.basename(path)
        if name != "pyproject.toml" and name not in SECTIONS:
            continue
        if pytest_section(name, base_text(path)) != pytest_section(name, current_text(path)):
            print(path)


main()
