"""The log parsers of swe_tests on sample logs of each runner, and its own pytest runner on a
real run."""

from __future__ import annotations

import subprocess
import textwrap

from verifiers.swe_tests import harness
from verifiers.swe_tests.grading import grade
from verifiers.swe_tests.log_parsers import (
    parse_django_log,
    parse_pytest_log,
    parse_sympy_log,
)

PYTEST_LOG = """\
tests/test_a.py ..F.x                                                    [100%]
=========================== short test summary info ============================
PASSED tests/test_a.py::test_one
PASSED tests/test_a.py::test_param[1-2]
PASSED tests/test_a.py::TestGroup::test_method
FAILED tests/test_a.py::test_two - assert 1 == 2
ERROR tests/test_b.py::test_three - ValueError: boom - with a dash
SKIPPED [1] tests/test_c.py:10: needs a database
XFAIL tests/test_a.py::test_known - reason: issue 12
XPASS tests/test_a.py::test_lucky
"""


def test_pytest_summary_lines():
    statuses = parse_pytest_log(PYTEST_LOG)
    assert statuses["tests/test_a.py::test_one"] == "PASSED"
    assert statuses["tests/test_a.py::test_param[1-2]"] == "PASSED"
    assert statuses["tests/test_a.py::TestGroup::test_method"] == "PASSED"
    assert statuses["tests/test_a.py::test_two"] == "FAILED"
    assert statuses["tests/test_b.py::test_three"] == "ERROR"
    assert statuses["tests/test_a.py::test_known"] == "XFAIL"
    assert statuses["tests/test_a.py::test_lucky"] == "PASSED"


def test_a_printed_fake_pass_cannot_hide_a_real_failure():
    spoofed = (
        "PASSED tests/test_a.py::test_two\n" + PYTEST_LOG + "PASSED tests/test_a.py::test_two\n"
    )
    assert parse_pytest_log(spoofed)["tests/test_a.py::test_two"] == "FAILED"


DJANGO_LOG = """\
Testing against Django installed in '/testbed/django'
Creating test database for alias 'default'...
test_add (admin_views.tests.AdminViewTests) ... ok
test_change (admin_views.tests.AdminViewTests) ... FAIL
test_delete (admin_views.tests.AdminViewTests)
Deleting an object shows a confirmation page. ... ERROR
test_history (admin_views.tests.AdminViewTests) ... skipped 'needs PostgreSQL'
test_legacy (admin_views.tests.AdminViewTests) ... expected failure
test_new_style (admin_views.tests.AdminViewTests.test_new_style) ... ok
test_surprise (admin_views.tests.AdminViewTests) ... unexpected success

======================================================================
FAIL: test_change (admin_views.tests.AdminViewTests)
----------------------------------------------------------------------
Traceback (most recent call last):
AssertionError: 302 != 200

----------------------------------------------------------------------
Ran 7 tests in 0.210s

FAILED (failures=1, errors=1, skipped=1, expected failures=1, unexpected successes=1)
"""


def test_django_verbose_runner():
    statuses = parse_django_log(DJANGO_LOG)
    name = "{} (admin_views.tests.AdminViewTests)".format
    assert statuses[name("test_add")] == "PASSED"
    assert statuses[name("test_change")] == "FAILED"
    assert statuses[name("test_delete")] == "ERROR"
    assert statuses[name("test_history")] == "SKIPPED"
    assert statuses[name("test_legacy")] == "XFAIL"
    assert statuses[name("test_surprise")] == "FAILED"
    assert statuses["test_new_style (admin_views.tests.AdminViewTests.test_new_style)"] == "PASSED"


def test_django_failure_header_wins_over_a_fake_ok():
    log = "test_change (app.tests.T) ... ok\n" + DJANGO_LOG.replace("admin_views", "app").replace(
        "AdminViewTests", "T"
    )
    assert parse_django_log(log)["test_change (app.tests.T)"] == "FAILED"


SYMPY_LOG = """\
============================= test process starts ==============================
executable:         /usr/bin/python3  (3.11.2-final-0) [CPython]
architecture:       64-bit
random seed:        41052347
hash randomization: on (PYTHONHASHSEED=1447012217)

sympy/core/tests/test_basic.py[4]
test_structure ok
test_equality F
test_matches_basic E
test_has ok                                                                 [FAIL]

________________________________________________________________________________
____________ sympy/core/tests/test_basic.py:test_equality ______________________
Traceback (most recent call last):
AssertionError

============ tests finished: 2 passed, 1 failed, 1 exceptions, in 0.31 seconds ============
"""


def test_sympy_runner():
    statuses = parse_sympy_log(SYMPY_LOG)
    assert statuses["test_structure"] == "PASSED"
    assert statuses["test_has"] == "PASSED"
    assert statuses["test_equality"] == "FAILED"
    assert statuses["test_matches_basic"] == "ERROR"
    assert statuses["sympy/core/tests/test_basic.py:test_equality"] == "FAILED"


def test_the_runners_record_of_a_real_pytest_run(tmp_path):
    """The harness's runner (run_pytest.py) under Debian's pytest, as in the sandbox: the
    runner outside the repository, the repository the working directory."""
    repo = tmp_path / "repo"
    tests = repo / "tests"
    tests.mkdir(parents=True)
    (tests / "test_sample.py").write_text(
        textwrap.dedent(
            """
            import pytest

            def test_ok():
                pass

            def test_bad():
                assert False

            @pytest.mark.parametrize("value", [1, 2])
            def test_param(value):
                assert value == 1

            class TestGroup:
                def test_inside(self):
                    pass

            @pytest.mark.xfail(reason="known")
            def test_known():
                assert False

            @pytest.mark.skip(reason="later")
            def test_later():
                pass

            @pytest.fixture
            def broken():
                raise RuntimeError("fixture")

            def test_error(broken):
                pass
            """
        )
    )
    runner = tmp_path / "run_pytest.py"
    runner.write_text(harness.RUN_PYTEST)
    (tmp_path / "reward_server_harness.py").write_text(harness.PYTEST_PLUGIN)
    script = f"python3 -I {runner} -q -p no:cacheprovider tests 3<<END\nsigned\nEND\n"
    done = subprocess.run(
        ["/bin/sh", "-c", script],
        cwd=repo,
        capture_output=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    record = harness.signed_record(done.stdout.decode(), "signed")
    assert record is not None, done.stdout.decode()[-2000:]
    assert record["finished"] is True
    assert record["hook_files"] == []
    assert set(record["collected"]) == {"tests/test_sample.py"}
    statuses = record["statuses"]
    assert statuses == {
        "tests/test_sample.py::test_ok": "PASSED",
        "tests/test_sample.py::test_bad": "FAILED",
        "tests/test_sample.py::test_param[1]": "PASSED",
        "tests/test_sample.py::test_param[2]": "FAILED",
        "tests/test_sample.py::TestGroup::test_inside": "PASSED",
        "tests/test_sample.py::test_known": "XFAIL",
        "tests/test_sample.py::test_later": "SKIPPED",
        "tests/test_sample.py::test_error": "ERROR",
    }


def test_grading_follows_swe_bench():
    statuses = {"a": "PASSED", "b": "XFAIL", "c": "FAILED", "d": "SKIPPED", "p": "PASSED"}
    resolved = grade(statuses, ("a", "b"), ("p",))
    assert resolved.resolved and resolved.reward(partial_credit=False) == 1.0
    partly = grade(statuses, ("a", "c", "d", "missing"), ("p",))
    assert not partly.resolved
    assert partly.reward(partial_credit=False) == 0.0
    assert partly.reward(partial_credit=True) == 0.25
    assert "missing (missing)" in partly.summary() and "c (FAILED)" in partly.summary()
    broken_p2p = grade(statuses, ("a",), ("p", "c"))
    assert broken_p2p.reward(partial_credit=True) == 0.0
