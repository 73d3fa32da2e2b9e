"""The sandbox called from many threads of a fresh process: one backend per configuration,
and no sweep (a new backend's start-up sweep, the server's sweeper) takes a live run.

Each case runs in a new interpreter, since what broke was the first calls of a process:
``get_backend`` built a backend per racing thread, and each one's start-up sweep removed
the work dirs and cgroups of runs that other threads of the same process had just made.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).parent.parent
RUNS = 32

CONCURRENT_RUNS = """
import json, threading
import sandbox
from sandbox import Limits

RUNS = {runs}
barrier = threading.Barrier(RUNS)
backends, answers = set(), []

def one(index):
    barrier.wait()
    backends.add(id(sandbox.get_backend("local", slots=RUNS)))
    try:
        result = sandbox.run(
            ["/bin/sh", "-c", "cat input.txt"],
            {{"input.txt": str(index)}},
            Limits(wall_s=120),
            backend=None,
        )
        answers.append([index, result.exit_code, result.stdout.decode(), result.stderr.decode()])
    except Exception as exc:
        answers.append([index, None, "", repr(exc)])

sandbox.configure("local", slots=RUNS)
threads = [threading.Thread(target=one, args=(index,)) for index in range(RUNS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({{"backends": len(backends), "answers": answers}}))
"""

SWEEP_DURING_RUN = """
import json, threading
import sandbox
from sandbox import Limits

backend = sandbox.get_backend("local")
results = {}

def long_run():
    results["run"] = backend.run(
        ["/bin/sh", "-c", "sleep 2; cat kept.txt"], {"kept.txt": "still here"}, Limits(wall_s=60)
    )

thread = threading.Thread(target=long_run)
thread.start()
swept = 0
for _ in range(20):
    swept += backend.sweep()
    # another configuration: a new backend, whose start-up sweeps the same base dir
    sandbox.get_backend("local", slots=15 - len(results))
    thread.join(timeout=0.1)
thread.join()
result = results["run"]
print(json.dumps({"swept": swept, "exit": result.exit_code, "out": result.stdout.decode(),
                  "err": result.stderr.decode()}))
"""


def fresh_process(script: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_32_concurrent_first_runs_of_a_fresh_process_all_succeed():
    report = fresh_process(CONCURRENT_RUNS.format(runs=RUNS))
    assert report["backends"] == 1
    failed = [answer for answer in report["answers"] if answer[1:3] != [0, str(answer[0])]]
    assert failed == []
    assert len(report["answers"]) == RUNS


def test_a_sweep_in_the_same_process_leaves_a_live_run_alone():
    report = fresh_process(SWEEP_DURING_RUN)
    assert (report["exit"], report["out"]) == (0, "still here"), report["err"]
    assert report["swept"] == 0
