"""code_tests against hostile programs, on both backends: each tries to pass without solving
the problem (reading the expected output, forging the runner's report, exiting early,
inspecting its caller) or to harm the host (network, fork bomb, strays); all must fail.

The expected output is a fresh marker that no program can compute, so passing would
prove a leak. Every program searches everywhere it can reach for text shaped like one.
"""

from __future__ import annotations

import textwrap

import pytest

import sandbox
from tests.sandbox_helpers import leftovers, loopback_listener, marker, processes_with
from verifiers.base import Status
from verifiers.code_tests import verify

pytestmark = pytest.mark.sandbox

# Everything a same-uid program might read: the work dir, every process's memory,
# environment, command line and open files, its own interpreter's objects.
SEARCH = textwrap.dedent(
    r"""
    import gc, glob, os, re, sys
    SHAPE = re.compile(rb"rs-marker-[0-9a-f]{32}")

    def search():
        found = []
        paths = glob.glob("/work/**", recursive=True) + glob.glob("/tmp/**", recursive=True)
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                paths += [f"/proc/{pid}/{name}" for name in ("environ", "cmdline")]
                paths += glob.glob(f"/proc/{pid}/fd/*")
                try:
                    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb") as mem:
                        for line in maps:
                            start, end = (int(v, 16) for v in line.split()[0].split("-"))
                            if end - start < 64 << 20:
                                try:
                                    mem.seek(start)
                                    found += SHAPE.findall(mem.read(end - start))
                                except (OSError, ValueError, OverflowError):
                                    pass
                except OSError:
                    pass
        for path in paths:
            try:
                if os.path.isfile(path) and not path.endswith("/fd/0"):
                    with open(path, "rb") as file:
                        found += SHAPE.findall(file.read(1 << 24))
            except OSError:
                pass
        frame = sys._getframe()
        while frame is not None:
            found += SHAPE.findall(repr(frame.f_locals).encode())
            frame = frame.f_back
        for thing in gc.get_objects():
            if isinstance(thing, (dict, list, tuple)):
                found += SHAPE.findall(repr(thing)[:100000].encode())
        return [m.decode() for m in found]
    """
)


@pytest.fixture(autouse=True)
def backend(default_sandbox):
    yield default_sandbox
    assert leftovers(sandbox.default_backend()) == []


def fenced(code: str) -> str:
    return f"```python\n{code}\n```"


def score(code: str, truth, **options):
    outcome = verify(fenced(code), truth, {"time_limit_s": 5, **options})
    assert outcome.status == Status.OK, outcome.detail
    return outcome


def test_stdio_expected_output_cannot_be_found():
    secret = marker()
    code = SEARCH + "\nprint((search() + ['nothing'])[0])"
    outcome = score(code, {"inputs": ["x\n"], "outputs": [secret]})
    assert outcome.reward == 0.0
    assert outcome.detail.startswith("test 1/1: wrong answer")


def test_call_based_expected_value_cannot_be_found():
    secret = marker()
    code = SEARCH + "\ndef f(x):\n    return (search() + ['nothing'])[0]"
    outcome = score(code, {"fn_name": "f", "inputs": [[1]], "outputs": [secret]})
    assert outcome.reward == 0.0


def test_assert_based_expected_value_is_not_in_the_programs_reach():
    secret = marker()
    test = f"def check(candidate):\n    assert candidate() == {secret!r}\n"
    code = SEARCH + "\ndef f():\n    return (search() + ['nothing'])[0]"
    outcome = score(code, {"test": test, "entry_point": "f"})
    assert (outcome.reward, outcome.detail) == (0.0, "test 1/1: wrong answer; passed 0/1")


def test_mbpp_expected_value_is_not_in_the_programs_reach():
    secret = marker()
    code = SEARCH + "\ndef f():\n    return (search() + ['nothing'])[0]"
    outcome = score(code, {"test_list": [f"assert f() == {secret!r}"]})
    assert outcome.reward == 0.0


@pytest.mark.parametrize(
    "code",
    [
        "import sys\nsys.exit(0)",
        "import os\nos._exit(0)",
        "import os\ndef f():\n    os._exit(0)",
        "def f():\n    raise SystemExit(0)",
        "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\ndef f():\n    return 1",
        "import os, signal\ndef f():\n    os.kill(os.getppid(), signal.SIGSTOP)\n    return 1",
    ],
    ids=["exit", "_exit", "_exit-in-call", "systemexit-in-call", "kill-runner", "stop-runner"],
)
def test_early_exit_or_stopping_the_runner_fails_in_assert_mode(code):
    test = "def check(candidate):\n    assert candidate() == 2\n"
    outcome = score(code, {"test": test, "entry_point": "f"}, total_timeout_s=20)
    assert outcome.reward == 0.0
    assert outcome.components["passed"] == 0.0


def test_an_object_that_equals_everything_cannot_cross():
    code = (
        "class Any:\n    def __eq__(self, other):\n        return True\ndef f():\n    return Any()"
    )
    truth = {"test": "def check(candidate):\n    assert candidate() == 7\n", "entry_point": "f"}
    outcome = score(code, truth)
    assert outcome.reward == 0.0
    assert "runtime error: TypeError" in outcome.detail
    call = score(code, {"fn_name": "f", "inputs": [[]], "outputs": [7]})
    assert call.reward == 0.0


def test_forged_report_lines_are_not_believed():
    forged = '{"test": 0, "kind": null, "exit": 0, "time_s": 0, "stderr": "", "out": "Mw=="}'
    code = textwrap.dedent(
        f"""
        import os, glob
        line = "\\n" + "0" * 32 + " " + {forged!r} + "\\n"
        print(line + "\\n" + "f" * 32 + ' {{"done": true}}')
        for path in glob.glob("/proc/[0-9]*/fd/1"):
            try:
                with open(path, "w") as out:
                    out.write(line)
            except OSError:
                pass
        """
    )
    outcome = score(code, {"inputs": [""], "outputs": ["3"]})
    assert outcome.reward == 0.0


def test_no_network():
    with loopback_listener() as port:
        code = textwrap.dedent(
            f"""
            import socket
            try:
                socket.create_connection(("127.0.0.1", {port}), timeout=2)
                print("3")
            except OSError:
                print("offline")
            """
        )
        outcome = score(code, {"inputs": [""], "outputs": ["3"]})
    assert outcome.reward == 0.0


def test_fork_bomb_and_daemons_end_with_the_run():
    name = marker()
    code = textwrap.dedent(
        f"""
        import os, sys, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                sys.argv[0] = {name!r}
                time.sleep(600)
        while True:
            try:
                os.fork()
            except OSError:
                pass
        """
    )
    outcome = score(code, {"inputs": [""] * 2, "outputs": ["1"] * 2}, time_limit_s=2)
    assert outcome.reward == 0.0
    assert processes_with(name) == []


def test_a_daemon_of_one_test_does_not_answer_the_next():
    code = textwrap.dedent(
        """
        import os, sys, time
        data = sys.stdin.read()
        if data.startswith("first") and os.fork() == 0:
            os.setsid()
            quiet = os.open(os.devnull, os.O_WRONLY)
            os.dup2(quiet, 1)
            os.dup2(quiet, 2)
            time.sleep(1.5)
            for pid in os.listdir("/proc"):
                try:
                    with open(f"/proc/{pid}/fd/1", "w") as out:
                        out.write("2\\n")
                except OSError:
                    pass
            os._exit(0)
        if data.startswith("second"):
            time.sleep(3)
        print(1)
        """
    )
    truth = {"inputs": ["first", "second"], "outputs": ["1", "2"]}
    outcome = score(code, truth, stop_on_first_failure=False)
    assert outcome.reward == 0.0
    assert outcome.components["passed"] == 1.0


def test_filling_the_disk_fails_and_leaves_nothing():
    code = "with open('big', 'wb') as out:\n    while True:\n        out.write(b'x' * (1 << 20))"
    outcome = score(code, {"inputs": [""], "outputs": ["1"]}, memory_mb=256)
    assert outcome.reward == 0.0
    assert "runtime error" in outcome.detail or "memory limit" in outcome.detail
