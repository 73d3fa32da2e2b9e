"""swe_tests against a policy that games the grader (issue 14): each technique below once
earned 1.0 with a patch that fixes nothing. Every one must now be judged 0 (``ok`` or
``format_error``, never an operational status), on both backends, while gold patches,
innocent extra files and repositories that carry their own conftest.py and pytest
configuration still resolve.

The bug of the mini instance: ``add`` subtracts. None of the hostile patches fixes it.
"""

from __future__ import annotations

import pytest

from tests.swe_fixtures import (
    MINI_FILES,
    MINI_GOLD,
    MINI_HALF,
    fenced,
    mini_instance,
    mini_module_patch,
    mini_patch,
    new_file_diff,
    unittest_instance,
)
from verifiers import Status
from verifiers.swe_tests import verify

pytestmark = pytest.mark.sandbox

JUDGED = (Status.OK, Status.FORMAT_ERROR)

# Code that finds the harness's directory and its per-run nonce, as an attacker would.
FIND_HARNESS = """\
import os, sys
H = os.path.dirname(os.path.abspath(sys.argv[0]))
NONCE = open(os.path.join(H, "run.sh")).read().split('reward-server ', 2)[2].split()[0]
"""

FORCE_PASS_PLUGIN = """\
import gc, pytest
class _ForcePass:
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        outcome.get_result().outcome = "passed"
"""


def registered_through_gc(plugin: str, *, bypass: bool = False) -> str:
    """Code that finds pytest's Config through gc and registers ``plugin`` (an expression)
    with its plugin manager: through ``register``, or past it with ``bypass``."""
    call = (
        f"type(obj.pluginmanager).register(obj.pluginmanager, {plugin}, 'quiet')"
        if bypass
        else f"obj.pluginmanager.register({plugin})"
    )
    return (
        "import gc\n"
        "for obj in gc.get_objects():\n"
        "    if type(obj).__name__ == 'Config' and hasattr(obj, 'pluginmanager'):\n"
        f"        {call}\n"
        "        break\n"
    )


def score(response: str, truth: dict | None = None, **options):
    return verify(response, truth or mini_instance(), options)


def assert_judged_zero(outcome, *words: str) -> None:
    assert outcome.reward == 0.0, outcome.detail
    assert outcome.status in JUDGED, outcome
    for word in words:
        assert word in outcome.detail


def quoted_diff(path: str, lines: list[str]) -> str:
    """A new-file diff whose paths git writes C-quoted."""
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f'diff --git "a/{path}" "b/{path}"\nnew file mode 100644\n--- /dev/null\n'
        f'+++ "b/{path}"\n@@ -0,0 +1,{len(lines)} @@\n{body}'
    )


# -- 1, 2, 3, 6: paths that decide how tests run ---------------------------------------------


@pytest.mark.parametrize(
    ("patch", "reason"),
    [
        (quoted_diff(".git/config", ["[core]", "\tfsmonitor = sh evil.sh"]), "git metadata"),
        (quoted_diff("conftest.py", ["import os"]), "conftest.py"),
        (quoted_diff("caf\\303\\251/conftest.py", ["import os"]), "conftest.py"),
        (new_file_diff("tests/deep/er/conftest.py", ["import os"]), "conftest.py"),
        (
            "diff --git a/mini/ops.py b/conftest.py\nsimilarity index 100%\n"
            "rename from mini/ops.py\nrename to conftest.py\n",
            "conftest.py",
        ),
        (
            "diff --git a/mini/ops.py b/conftest.py\nsimilarity index 100%\n"
            "copy from mini/ops.py\ncopy to conftest.py\n",
            "conftest.py",
        ),
        (new_file_diff(".pytest.ini", ["[pytest]", "addopts = -p plug"]), "pytest configuration"),
        (new_file_diff("pytest.ini", ["[pytest]", "addopts = -p plug"]), "pytest configuration"),
        (new_file_diff("tests/__init__.py", ["import plug"]), "package of the hidden tests"),
        (
            new_file_diff("plug.dist-info/entry_points.txt", ["[pytest11]", "plug = plug"]),
            "package metadata",
        ),
        (new_file_diff("evil.pth", ["import plug"]), ".pth"),
        (new_file_diff("sitecustomize.py", ["import plug"]), "sitecustomize.py"),
        (
            # A PASS_TO_PASS test file outside the test patch: break neg, then its test.
            "diff --git a/tests/test_ops.py b/tests/test_ops.py\n--- a/tests/test_ops.py\n"
            "+++ b/tests/test_ops.py\n@@ -4 +4 @@\n-    assert neg(2) == -2\n+    assert True\n",
            "a file of the hidden tests",
        ),
    ],
)
def test_patches_naming_protected_paths_earn_nothing(patch: str, reason: str) -> None:
    assert_judged_zero(score(fenced(patch)), "rejected", reason)


def test_paths_are_what_changed_on_disk_not_what_headers_say(default_sandbox) -> None:
    """A symlink ``d -> tests``, then ``d/__init__.py``: git refuses it, GNU patch (the
    fallback) writes tests/__init__.py through the link. No header names that file; what
    changed on disk does."""
    patch = (
        "diff --git a/d b/d\nnew file mode 120000\n--- /dev/null\n+++ b/d\n@@ -0,0 +1 @@\n"
        "+tests\n\\ No newline at end of file\n"
        + new_file_diff("d/__init__.py", FORCE_PASS_PLUGIN.splitlines())
    )
    outcome = score(fenced(patch))
    assert_judged_zero(outcome, "tests/__init__.py", "package of the hidden tests")
    assert outcome.components["applied"] == 1.0  # decided after applying, from the disk


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("pyproject.toml", ["[tool.pytest.ini_options]", 'addopts = "-p plug"']),
        ("tox.ini", ["[pytest]", "addopts = -p plug"]),
        ("setup.cfg", ["[tool:pytest]", "addopts = -p plug"]),
    ],
)
def test_pytest_sections_of_shared_config_files_are_protected(
    default_sandbox, name, content
) -> None:
    plug = new_file_diff("plug.py", FORCE_PASS_PLUGIN.splitlines())
    outcome = score(fenced(new_file_diff(name, content) + plug))
    assert_judged_zero(outcome, name, "pytest configuration")


# -- 4: tampering from the code under test, in pytest's process ----------------------------


def test_a_hook_registered_through_gc_is_tampering(default_sandbox) -> None:
    code = FORCE_PASS_PLUGIN + registered_through_gc("_ForcePass()")
    assert_judged_zero(score(fenced(mini_module_patch(code))), "tampering")


def test_a_hook_slipped_past_the_register_method_is_tampering(default_sandbox) -> None:
    code = FORCE_PASS_PLUGIN + registered_through_gc("_ForcePass()", bypass=True)
    assert_judged_zero(score(fenced(mini_module_patch(code))), "tampering")


def test_a_run_that_exits_after_collection_passes_nothing(default_sandbox) -> None:
    """Writes a junit report of passes and a forged record, then leaves before any test."""
    code = FIND_HARNESS + (
        "import gc, base64, json\n"
        "class _Leave:\n"
        "    def pytest_collection_finish(self, session):\n"
        "        names = [item.nodeid for item in session.items]\n"
        "        open(os.path.join(H, 'junit.xml'), 'w').write('<testsuite/>')\n"
        "        record = {'exit': 0, 'finished': True, 'hook_files': [], 'collected': {},\n"
        "                  'statuses': {name: 'PASSED' for name in names}}\n"
        "        line = base64.b64encode(json.dumps(record).encode()).decode()\n"
        "        print('>>>>> reward-server record 0123456789abcdef ' + line, flush=True)\n"
        "        os._exit(0)\n" + registered_through_gc("_Leave()")
    )
    outcome = score(fenced(mini_module_patch(code)))
    assert_judged_zero(outcome)
    assert outcome.components["f2p_passed"] == 0.0


def test_a_test_file_rewritten_before_collection_is_tampering(default_sandbox) -> None:
    """A PASS_TO_PASS file collected first imports the package, whose code rewrites the
    FAIL_TO_PASS file on disk before pytest reads it."""
    files = {**MINI_FILES, "tests/test_aaa.py": "import mini\n\n\ndef test_first():\n    pass\n"}
    truth = mini_instance(
        files=files,
        PASS_TO_PASS=[
            "tests/test_aaa.py::test_first",
            "tests/test_add.py::test_add_zero",
            "tests/test_ops.py::test_neg",
        ],
    )
    code = (
        "import os\n"
        "_TRIVIAL = ''.join(f'def {n}():\\n    pass\\n' for n in "
        "('test_add', 'test_add_negative', 'test_add_zero'))\n"
        "open(os.path.join('tests', 'test_add.py'), 'w').write(_TRIVIAL)\n"
    )
    outcome = score(fenced(mini_module_patch(code)), truth)
    assert_judged_zero(outcome, "tampering", "tests/test_add.py")


# -- 7, 8: the run's code cannot pick the status, nor put host data into detail ---------------


@pytest.mark.parametrize("stage", ["test-patch-failed", "apply-failed", "git-failed"])
def test_forged_stages_do_not_make_an_operational_status(default_sandbox, stage) -> None:
    code = FIND_HARNESS + (
        f"print(f'>>>>> reward-server {{NONCE}} stage {stage}', flush=True)\n"
        f"open(os.path.join(H, 'stage'), 'w').write('{stage}')\n"
    )
    outcome = score(fenced(mini_module_patch(code)))
    assert_judged_zero(outcome)
    assert outcome.status is Status.OK
    assert outcome.components["applied"] == 1.0


def test_host_data_never_reaches_detail(default_sandbox) -> None:
    secret = "HOST-SECRET-0f3a9c"
    code = FIND_HARNESS + (
        f"for name in ('apply.log', 'test_apply.log', 'setup.log', 'git.log'):\n"
        f"    open(os.path.join(H, name), 'w').write('{secret}')\n"
        f"print(f'>>>>> reward-server {{NONCE}} stage apply-failed', flush=True)\n"
        f"print('{secret}')\n"
    )
    outcome = score(fenced(mini_module_patch(code)))
    assert_judged_zero(outcome)
    assert secret not in outcome.detail


def test_a_failing_set_up_shows_no_output_of_the_repository(default_sandbox) -> None:
    truth = mini_instance(setup=["python3 -c 'import mini'", "false"])
    outcome = score(fenced(mini_module_patch("print('HOST-SECRET-in-setup')")), truth)
    assert_judged_zero(outcome, "set-up failed")
    assert "HOST-SECRET" not in outcome.detail


# -- what must keep working ------------------------------------------------------------------


def test_gold_with_an_innocent_new_file_resolves(default_sandbox) -> None:
    helper = new_file_diff("mini/helpers.py", ["def double(x):", "    return 2 * x"])
    outcome = score(fenced(MINI_GOLD + helper))
    assert (outcome.reward, outcome.status) == (1.0, Status.OK), outcome.detail


def test_a_repository_with_its_own_pytest_setup_resolves(default_sandbox) -> None:
    """conftest.py, pyproject's pytest section and a tests/__init__.py in the base commit;
    the gold patch also edits pyproject's other sections."""
    files = {
        **MINI_FILES,
        "conftest.py": "import pytest\n\n\n@pytest.fixture\ndef two():\n    return 2\n",
        "tests/__init__.py": "",
        "pyproject.toml": (
            '[project]\nname = "mini"\nversion = "1.0"\n\n'
            '[tool.pytest.ini_options]\naddopts = "-q"\n'
        ),
    }
    bump = (
        "diff --git a/pyproject.toml b/pyproject.toml\n--- a/pyproject.toml\n"
        '+++ b/pyproject.toml\n@@ -3 +3 @@\n-version = "1.0"\n+version = "1.1"\n'
    )
    outcome = score(fenced(MINI_GOLD + bump), mini_instance(files=files))
    assert (outcome.reward, outcome.status) == (1.0, Status.OK), outcome.detail


# -- 5: a caller's test command with the pytest log parser ---------------------------------

PYTEST_COMMAND = "python3 -m pytest -rA -p no:cacheprovider {tests}"


def test_a_callers_pytest_command_resolves_gold(default_sandbox) -> None:
    truth = mini_instance(test_command=PYTEST_COMMAND, log_parser="pytest")
    outcome = score(fenced(MINI_GOLD), truth)
    assert (outcome.reward, outcome.status) == (1.0, Status.OK), outcome.detail


def test_printed_passes_and_an_early_exit_earn_nothing_with_a_log_parser(default_sandbox) -> None:
    """A collection hook prints PASSED for every test, then leaves before any runs."""
    code = (
        "import gc, os\n"
        "class _Leave:\n"
        "    def pytest_collection_finish(self, session):\n"
        "        for item in session.items:\n"
        "            print('PASSED ' + item.nodeid, flush=True)\n"
        "        os._exit(0)\n" + registered_through_gc("_Leave()")
    )
    truth = mini_instance(test_command=PYTEST_COMMAND, log_parser="pytest")
    outcome = score(fenced(mini_module_patch(code)), truth)
    assert_judged_zero(outcome)
    assert outcome.components["f2p_passed"] == 0.0


def test_a_command_that_keeps_the_plugin_out_is_told(default_sandbox) -> None:
    truth = mini_instance(
        test_command=f"env -u PYTEST_ADDOPTS {PYTEST_COMMAND}", log_parser="pytest"
    )
    outcome = score(fenced(MINI_GOLD), truth)
    assert_judged_zero(outcome, "did not load the harness's pytest plugin")


# -- 5: a unittest runner with the django log parser: its printed lines grade nothing -----


def test_a_unittest_runner_resolves_gold_and_fails_a_half_fix(default_sandbox) -> None:
    gold = score(fenced(MINI_GOLD), unittest_instance())
    assert (gold.reward, gold.status) == (1.0, Status.OK), gold.detail
    half = score(fenced(MINI_HALF), unittest_instance())
    assert half.reward == 0.0 and half.components["f2p_passed"] == 1.0, half.detail


FAKE_OK_LINES = (
    "import sys\n"
    "for name in ('test_add', 'test_add_negative', 'test_add_zero'):\n"
    "    print(name + ' (test_add.AddTest) ... ok', file=sys.stderr, flush=True)\n"
    "print('Ran 3 tests in 0.001s\\n\\nOK', file=sys.stderr, flush=True)\n"
)


@pytest.mark.parametrize("leave", ["os._exit(0)", "sys.exit(0)", "pass"])
def test_printed_oks_earn_nothing_with_a_unittest_runner(default_sandbox, leave) -> None:
    """At import, print Django's verbose `ok` for every test, then leave (or not)."""
    code = f"import os\n{FAKE_OK_LINES}{leave}"
    outcome = score(fenced(mini_module_patch(code)), unittest_instance())
    assert_judged_zero(outcome)
    assert outcome.components["f2p_passed"] == 0.0


UNITTEST_PATCHES = {
    "TestCase.run": (
        "def _run(self, result=None):\n"
        "    result.startTest(self)\n"
        "    result.addSuccess(self)\n"
        "    result.stopTest(self)\n"
        "unittest.TestCase.run = _run\n"
    ),
    "TestCase.assertEqual": "unittest.TestCase.assertEqual = lambda *args, **kwargs: None\n",
    "TextTestResult.addFailure": (
        "unittest.TextTestResult.addFailure = lambda self, test, err: self.addSuccess(test)\n"
    ),
    "_Outcome.testPartExecutor": (
        "import contextlib\n"
        "@contextlib.contextmanager\n"
        "def _swallow(self, test_case, subTest=False, isTest=False):\n"
        "    try:\n"
        "        yield\n"
        "    except Exception:\n"
        "        pass\n"
        "unittest.case._Outcome.testPartExecutor = _swallow\n"
    ),
}


@pytest.mark.parametrize("replaced", sorted(UNITTEST_PATCHES))
def test_a_patched_unittest_is_tampering(default_sandbox, replaced) -> None:
    """Pass every test without a hook or a printed line: unittest's run, asserts or report
    replaced at import."""
    code = "import unittest\n" + UNITTEST_PATCHES[replaced]
    outcome = score(fenced(mini_module_patch(code)), unittest_instance())
    assert_judged_zero(outcome, "tampering", replaced)


def test_a_unittest_command_without_the_recorder_is_told(default_sandbox) -> None:
    truth = unittest_instance(test_command="cd tests && python3 -I -m unittest -v test_add")
    outcome = score(fenced(MINI_GOLD), truth)
    assert_judged_zero(outcome, "did not load the harness's unittest recorder")


@pytest.mark.parametrize("name", ["pytest.py", "_pytest/__init__.py", "pluggy/__init__.py"])
def test_a_module_standing_in_for_pytest_is_protected(name) -> None:
    outcome = score(fenced(new_file_diff(name, ["import sys", "sys.exit(0)"])))
    assert_judged_zero(outcome, "stand in for pytest")


# -- found by a red team after the first fixes -------------------------------------------------


def test_an_escaped_toml_table_name_is_still_pytests(default_sandbox) -> None:
    """``[tool."py\\u0074est"]`` is ``[tool.pytest]`` to every TOML reader."""
    content = ['[tool."py\\u0074est".ini_options]', 'addopts = "-p plug"']
    assert_judged_zero(score(fenced(new_file_diff("pyproject.toml", content))), "pyproject.toml")


def test_a_config_file_that_is_not_a_file_fails_the_check(default_sandbox) -> None:
    """A symlink to /dev/zero once made the checker run out of memory and say nothing."""
    link = (
        "diff --git a/tox.ini b/tox.ini\nnew file mode 120000\n--- /dev/null\n+++ b/tox.ini\n"
        "@@ -0,0 +1 @@\n+/dev/zero\n\\ No newline at end of file\n"
    )
    assert_judged_zero(score(fenced(link)), "tox.ini", "pytest configuration")


def test_a_flood_of_changed_paths_is_refused_not_overlooked(default_sandbox) -> None:
    """Thousands of nested directories once pushed the list of changes out of the kept
    output, and with it every check that reads it."""
    chains = [new_file_diff(f"c{k}/" + "ab/" * 300 + "f.txt", ["x"]) for k in range(6)]
    code = FORCE_PASS_PLUGIN + registered_through_gc("_ForcePass()")
    outcome = score(fenced("".join(chains) + mini_module_patch(code)))
    assert_judged_zero(outcome, "more paths than are checked")


def test_an_xfail_called_from_the_code_under_test_is_a_failure(default_sandbox) -> None:
    patch = mini_patch("    import pytest\n    pytest.xfail('later')")
    outcome = score(fenced(patch))
    assert_judged_zero(outcome)
    assert "(FAILED)" in outcome.detail


@pytest.mark.parametrize(
    ("setup", "where"),
    [
        # compiled under a file name that is no file
        ("exec(compile(SOURCE, '/usr/lib/python3/x.py', 'exec'), globals())", "<no file"),
        # written at run time, then imported
        (
            "open(os.path.join(os.path.dirname(__file__), 'rt.py'), 'w').write(SOURCE)\n"
            "from mini import rt\n_ForcePass = rt._ForcePass",
            "mini/rt.py",
        ),
    ],
)
def test_hooks_from_code_of_no_base_file_are_tampering(default_sandbox, setup, where) -> None:
    code = f"import gc, os\nSOURCE = {FORCE_PASS_PLUGIN!r}\n{setup}\n" + registered_through_gc(
        "_ForcePass()", bypass=True
    )
    assert_judged_zero(score(fenced(mini_module_patch(code))), "tampering", where)


def test_deleting_a_hidden_test_file_is_judged_not_invalid(default_sandbox) -> None:
    """Whatever a patch does to the hidden tests' files is the patch's doing: judged 0,
    never an operational status that would escape the penalty."""
    patch = (
        "diff --git a/tests/test_ops.py b/tests/test_ops.py\ndeleted file mode 100644\n"
        "--- a/tests/test_ops.py\n+++ /dev/null\n@@ -1,5 +0,0 @@\n"
        + "".join(f"-{line}\n" for line in MINI_FILES["tests/test_ops.py"].splitlines())
    )
    outcome = score(fenced(patch))
    assert outcome.status in JUDGED and outcome.reward == 0.0, outcome
