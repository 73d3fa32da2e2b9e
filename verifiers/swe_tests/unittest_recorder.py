"""The swe_tests harness's recorder for unittest-based runners (Django's ``runtests.py``).

Copied into the sandbox as ``sitecustomize.py`` in a directory of its own, which the
harness puts first on ``PYTHONPATH`` for a ``test_command`` with ``log_parser: django``:
Python imports it at start-up, before the runner or any code of the repository. The
process that reads the run's secret from file descriptor 3 (the runner, started first)
records every result its ``unittest.TestResult`` receives (a parallel runner's workers
report to it) and prints one signed record at exit:

- each test's worst status, under the name Django's verbose runner prints;
- whether a test run finished (``stopTestRun``);
- which of unittest's running and reporting functions were replaced while it ran (a
  patched ``TestCase.run`` that reports success without running is tampering).

What the runner prints is not read: a line printed by the code under test passes nothing,
and a run that leaves through ``os._exit`` prints no record and passes no test.
"""

import atexit
import base64
import importlib.machinery
import importlib.util
import json
import os
import sys
import unittest
import unittest.case
import unittest.result
import unittest.suite

RANK = {"PASSED": 0, "XFAIL": 0, "SKIPPED": 1, "FAILED": 2, "ERROR": 3}
_OWNER = "REWARD_SERVER_RECORDER_PID"


def _secret():
    # As the pytest plugin reads it: each file runs alone in the sandbox, importing nothing
    # of the harness's.
    try:
        secret = os.read(3, 256).decode().strip()
    except OSError:
        return ""
    os.close(3)
    return secret


def _names(test):
    """The names a test is graded by: Django's verbose runner prints ``str(test)``, which is
    ``test_x (module.Class)`` before Python 3.11 and ``test_x (module.Class.test_x)`` after,
    then, for a test with a docstring, its first line on the next line before the verdict
    (``Doctest: <name>`` for a doctest): the name SWE-bench's parser reads. The docstring
    comes from the test file itself (``_testMethodDoc``), not from a method the code under
    test could override."""
    method = getattr(test, "_testMethodName", None)
    names = {str(test)}
    if method:
        cls = type(test)
        names.add(f"{method} ({cls.__module__}.{cls.__qualname__})")
    doc = getattr(test, "_testMethodDoc", None)
    if isinstance(doc, str) and doc.strip():
        names.add(doc.strip().splitlines()[0].strip())
    doctest = getattr(test, "_dt_test", None)  # doctest.DocTestCase's description
    if isinstance(getattr(doctest, "name", None), str):
        names.add(f"Doctest: {doctest.name}")
    return names


class Recorder:
    def __init__(self, secret):
        self.secret = secret
        self.statuses = {}
        self.finished = False
        self.guarded = {}

    def record(self, test, status):
        for name in _names(test):
            if RANK[status] >= RANK[self.statuses.get(name, "PASSED")]:
                self.statuses[name] = status

    def install(self):
        result = unittest.result.TestResult
        outcomes = {
            "addSuccess": lambda test, *_: "PASSED",
            "addFailure": lambda test, *_: "FAILED",
            "addError": lambda test, *_: "ERROR",
            "addSkip": lambda test, *_: "SKIPPED",
            "addExpectedFailure": lambda test, *_: "XFAIL",
            "addUnexpectedSuccess": lambda test, *_: "FAILED",
            "addSubTest": lambda test, subtest, error=None: None if error is None else "FAILED",
        }
        for name, outcome in outcomes.items():
            setattr(result, name, self._recording(getattr(result, name), outcome))
        stop = result.stopTestRun

        def stopTestRun(result_self):
            self.finished = True
            return stop(result_self)

        result.stopTestRun = stopTestRun
        # What a test's run, its asserts and its report go through: every function of
        # these classes, replaced later (asserts made no-ops, failures reported as
        # successes), is tampering.
        for owner in (
            unittest.case.TestCase,
            unittest.case._Outcome,
            unittest.suite.TestSuite,
            unittest.suite.BaseTestSuite,
            unittest.result.TestResult,
            unittest.TextTestResult,
            unittest.TextTestRunner,
        ):
            for name, value in vars(owner).items():
                if callable(value) or isinstance(value, (staticmethod, classmethod)):
                    key = f"{owner.__module__}.{owner.__qualname__}.{name}"
                    self.guarded[key] = (owner, name, value)

    def _recording(self, original, outcome):
        recorder = self

        def record_then_report(result_self, test, *args, **kwargs):
            status = outcome(test, *args, **kwargs)
            if status is not None:
                recorder.record(test, status)
            return original(result_self, test, *args, **kwargs)

        return record_then_report

    def replaced(self):
        return sorted(
            name
            for name, (owner, attribute, value) in self.guarded.items()
            if vars(owner).get(attribute) is not value
        )

    def print_record(self):
        if os.environ.get(_OWNER) != str(os.getpid()):
            return  # a worker forked by the runner: its results reach the runner
        record = {
            "finished": self.finished,
            "statuses": self.statuses,
            "tampered": self.replaced(),
        }
        line = base64.b64encode(json.dumps(record).encode()).decode()
        os.write(1, f"\n>>>>> reward-server record {self.secret} {line}\n".encode())


def _chain_sitecustomize():
    """Run the ``sitecustomize`` this one shadows (Debian's, a virtualenv's), if any."""
    here = os.path.dirname(os.path.abspath(__file__))
    path = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
    if spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)


def _start():
    secret = _secret()
    if secret and _OWNER not in os.environ:
        os.environ[_OWNER] = str(os.getpid())
        recorder = Recorder(secret)
        recorder.install()
        atexit.register(recorder.print_record)
        os.write(1, b"\n>>>>> reward-server harness loaded\n")
    _chain_sitecustomize()


_start()
