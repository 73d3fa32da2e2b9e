"""The swe_tests harness's pytest plugin: records the results itself and prints them once.

Copied into the sandbox as ``reward_server_harness.py``. :mod:`run_pytest` (the default
command) registers it; a caller's ``test_command`` with ``log_parser: pytest`` gets it
through ``PYTEST_ADDOPTS=-p reward_server_harness``. Either way it loads before any code
of the repository, reads the run's secret from file descriptor 3, and says it is loaded.

The results are one record on stdout, printed when pytest unconfigures:
- every test's worst status;
- the hash of each test file as pytest imported it (a file rewritten on disk by code that
  ran earlier is tampering);
- the files of the repository that hold a hook implementation or called the plugin
  manager's ``register`` (the harness grades a run 0 when one of them is a file the patch
  changed: a patched module that registers a hook to rewrite reports is tampering);
- the secret, so that a record printed by the repository's code is told apart.
A run that ends before pytest unconfigures (``os._exit`` in a hook) prints no record and
passes no test.
"""

import base64
import hashlib
import json
import os
import subprocess
import sys

import pluggy  # noqa: F401 - its install directory, below
import pytest


def _secret():
    try:
        secret = os.read(3, 256).decode().strip()
    except OSError:
        return ""
    os.close(3)
    return secret


SECRET = _secret()
REPO = os.path.realpath(os.getcwd())
# Where pytest and pluggy are installed (inside the repository when it is pytest itself):
# their own hook implementations are not the repository's doing.
PYTEST_ITSELF = tuple(
    os.path.dirname(os.path.realpath(module.__file__)) + os.sep
    for module in (sys.modules["_pytest"], sys.modules["pluggy"])
)
RANK = {"PASSED": 0, "XFAIL": 0, "SKIPPED": 1, "FAILED": 2, "ERROR": 3}


def _repository_file(path):
    """``path`` relative to the repository, or None when it lies outside."""
    path = os.path.realpath(path)
    return path[len(REPO) + 1 :] if path.startswith(REPO + os.sep) else None


def _status(report, marked_xfail):
    """SWE-bench's status; an expected failure counts only for a test marked xfail, so a
    ``pytest.xfail()`` called from the code under test is a failure."""
    expected = hasattr(report, "wasxfail")
    if expected and not marked_xfail:
        return "FAILED"
    if report.when == "call":
        if report.skipped:
            return "XFAIL" if expected else "SKIPPED"
        return "PASSED" if report.passed else "FAILED"
    if report.failed:
        return "ERROR"
    if report.skipped:
        return "XFAIL" if expected else "SKIPPED"
    return None


class Harness:
    def __init__(self):
        self.statuses = {}
        self.registrations = set()
        self.collected = {}
        self.finished = False
        self.exit = None
        self.manager = None
        self.rootpath = REPO
        self.marked_xfail = set()

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config):
        os.write(1, b"\n>>>>> reward-server harness loaded\n")
        self.rootpath = str(config.rootpath)
        manager = self.manager = config.pluginmanager
        original = manager.register

        def register(plugin, name=None):
            caller = _repository_file(sys._getframe(1).f_code.co_filename)
            if caller is not None:
                self.registrations.add(caller)
            return original(plugin, name)

        manager.register = register

    @pytest.hookimpl(tryfirst=True)
    def pytest_collectstart(self, collector):
        """The hash of a test file right before pytest imports it: a file rewritten on disk
        by code that ran earlier shows here, whatever it is later restored to."""
        path = _repository_file(str(getattr(collector, "fspath", "")))
        if path is not None and path.endswith(".py") and os.path.isfile(path):
            with open(path, "rb") as file:
                self.collected[path] = hashlib.sha256(file.read()).hexdigest()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        if item.get_closest_marker("xfail") is not None:
            self.marked_xfail.add(item.nodeid)

    def pytest_runtest_logreport(self, report):
        status = _status(report, report.nodeid in self.marked_xfail)
        if status is not None:
            name = self.repository_id(report.nodeid)
            worst = self.statuses.get(name, "PASSED")
            if RANK[status] >= RANK[worst]:
                self.statuses[name] = status

    def repository_id(self, nodeid):
        """The node id with its path from the repository's root, wherever pytest put its
        rootdir: a config file planted in ``tests/`` cannot make ``tests/tests/test_x.py``
        answer for ``tests/test_x.py``."""
        path, separator, rest = nodeid.partition("::")
        full = os.path.realpath(os.path.join(self.rootpath, path))
        relative = _repository_file(full)
        return (relative if relative is not None else path) + separator + rest

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus):
        self.finished = True
        self.exit = int(exitstatus)

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config):
        record = {
            "exit": self.exit,
            "finished": self.finished,
            "statuses": self.statuses,
            "hook_files": sorted(self.hook_files() | self.registrations),
            "unknown_hook_files": sorted(
                self.unknown_files(self.hook_files() | self.registrations)
            ),
            "collected": self.collected,
        }
        line = base64.b64encode(json.dumps(record).encode()).decode()
        os.write(1, f"\n>>>>> reward-server record {SECRET} {line}\n".encode())

    def hook_files(self):
        """Repository files that hold an implementation of any hook, however registered."""
        files = set()
        if self.manager is None:
            return files
        for name in dir(self.manager.hook):
            caller = getattr(self.manager.hook, name)
            for hook in getattr(caller, "get_hookimpls", list)():
                code = getattr(hook.function, "__code__", None)
                filename = os.path.realpath(code.co_filename) if code else ""
                if not filename or filename.startswith(PYTEST_ITSELF):
                    continue  # the repository under test may be pytest itself
                path = _repository_file(filename)
                if path is not None:
                    files.add(path)
                elif not os.path.isfile(filename):
                    files.add(f"<no file: {code.co_filename}>")  # compiled from a string
        return files

    def unknown_files(self, files):
        """Of ``files``, those that are not files of the base commit (written at run time,
        or no file at all): the harness treats a hook from one as the patch's."""
        unknown = set()
        for path in files:
            if path.startswith("<"):
                unknown.add(path)
                continue
            known = subprocess.run(
                ["git", "cat-file", "-e", f"HEAD:{path}"], capture_output=True, check=False
            )
            if known.returncode != 0:
                unknown.add(path)
        return unknown


# ``-p reward_server_harness`` registers this module: its hooks are the instance's.
_HARNESS = Harness()
pytest_configure = _HARNESS.pytest_configure
pytest_collectstart = _HARNESS.pytest_collectstart
pytest_runtest_setup = _HARNESS.pytest_runtest_setup
pytest_runtest_logreport = _HARNESS.pytest_runtest_logreport
pytest_sessionfinish = _HARNESS.pytest_sessionfinish
pytest_unconfigure = _HARNESS.pytest_unconfigure
