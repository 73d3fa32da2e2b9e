"""code_tests' speed: items/s and per-test overhead, against two ways others run code tests.

    make bench-code       # or: python benchmarks/bench_code.py [--tests N] [--items N]

One stdio problem (read two numbers, print their sum) with N tests, a correct Python
program, on the local backend. Printed, per way of running it: seconds per item, items/s
and per-test overhead, then the ratios:

- ``code_tests``: the verifier, every test of an item in one sandbox run;
- ``one run per test``: SandboxFusion's way (and verl's sandbox_fusion reward): a sandbox
  run per test, here through the same runner (``run_program``), so only the split differs;
- ``in-process exec``: verl's prime_code way: a forked process per item that ``exec``s the
  program once per test with stdin and stdout swapped, no sandbox (no isolation at all).

Per-test overhead = (time of an N-test item - time of a 1-test item) / (N - 1): what one
more test costs. Target: code_tests <= 15 ms per test (Python, local backend).
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import statistics
import sys
import time
from collections.abc import Callable

import sandbox
from verifiers.code_tests import verify
from verifiers.code_tests.extraction import Program
from verifiers.code_tests.harness import ProgramSpec, output_of, run_program

PROGRAM = "a, b = map(int, input().split())\nprint(a + b)\n"
TARGET_PER_TEST_S = 0.015


def problem(tests: int) -> dict:
    inputs = [f"{i} {i + 1}\n" for i in range(tests)]
    return {"inputs": inputs, "outputs": [f"{2 * i + 1}\n" for i in range(tests)]}


def ours(truth: dict) -> None:
    outcome = verify(f"```python\n{PROGRAM}```", truth)
    assert outcome.reward == 1.0, outcome.detail


def one_run_per_test(truth: dict) -> None:
    for stdin, expected in zip(truth["inputs"], truth["outputs"], strict=True):
        spec = ProgramSpec(Program("python", PROGRAM), stdin, 10, 10, 512 << 20, 1 << 20)
        run = run_program(spec)
        assert run.run is not None and output_of(run.run).decode() == expected


def _exec_tests(truth: dict, results: multiprocessing.Queue) -> None:
    code = compile(PROGRAM, "<program>", "exec")  # the benchmark's own constant program
    passed = 0
    for stdin, expected in zip(truth["inputs"], truth["outputs"], strict=True):
        sys.stdin, sys.stdout = io.StringIO(stdin), io.StringIO()
        exec(code, {"__name__": "__main__"})  # noqa: S102 - prime_code's way, our constant
        passed += sys.stdout.getvalue() == expected
    results.put(passed)


def in_process_exec(truth: dict) -> None:
    results: multiprocessing.Queue = multiprocessing.Queue()
    process = multiprocessing.get_context("fork").Process(target=_exec_tests, args=(truth, results))
    process.start()
    assert results.get(timeout=60) == len(truth["inputs"])
    process.join()


def per_item_s(way: Callable[[dict], None], tests: int, items: int) -> float:
    truth = problem(tests)
    way(truth)  # warm-up
    times = []
    for _ in range(items):
        started = time.perf_counter()
        way(truth)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tests", type=int, default=20, help="tests per item")
    parser.add_argument("--items", type=int, default=10, help="items timed per way")
    args = parser.parse_args()
    sandbox.default_backend().check()

    ways = [
        ("code_tests", ours),
        ("one run per test", one_run_per_test),
        ("in-process exec", in_process_exec),
    ]
    rows = []
    print(f"{args.tests} tests per item, median of {args.items} items, local backend")
    print(f"{'way':<18} {'s/item':>8} {'items/s':>8} {'per-test ms':>12}")
    for name, way in ways:
        many = per_item_s(way, args.tests, args.items)
        one = per_item_s(way, 1, args.items)
        per_test = max((many - one) / (args.tests - 1), 0.0)  # noise can make it negative
        rows.append((name, many, per_test))
        print(f"{name:<18} {many:8.3f} {1 / many:8.2f} {per_test * 1000:12.1f}")
    ours_item, ours_test = rows[0][1], rows[0][2]
    for name, item_s, test_s in rows[1:]:
        print(
            f"code_tests vs {name}: {item_s / ours_item:.2f}x its items/s; per test "
            f"{ours_test * 1000:.1f} ms against {test_s * 1000:.1f} ms"
        )
    met = "met" if ours_test <= TARGET_PER_TEST_S else "NOT met"
    print(f"target per-test overhead <= {TARGET_PER_TEST_S * 1000:.0f} ms: {met}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
