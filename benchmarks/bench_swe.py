"""swe_tests throughput: instances per minute on each sandbox backend, and where time goes.

    make bench-swe       # or: python benchmarks/bench_swe.py [--batch 32] [--parallel 4]

A batch of gold patches (the fixture instances of tests/data/swe, repeated to --batch) is
scored with --parallel concurrent runs on each backend. Printed per backend: instances per
minute, and the median split of one instance's time: copy (the backend's work around the
command: work dir or container, copy-in, clean-up), apply (git, the model's patch, the
test patch), run (the tests), parse (reading the runner's record and grading, in the
verifier).

Without --docker-url, a root user gets a private dockerd for the run (as the tests do).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from common import docker_engine

import sandbox
from tests.swe_fixtures import NAMES, fenced, load
from verifiers.swe_tests import harness, report_statuses
from verifiers.swe_tests.grading import grade
from verifiers.swe_tests.instance import parse_instance
from verifiers.swe_tests.patches import model_change

STAGES = ("copy", "apply", "run", "parse")


def one(truth: dict, response: str) -> dict[str, float]:
    instance = parse_instance(truth)
    report = harness.run(instance, model_change(response), wall_s=120, memory_mb=2048)
    started = time.perf_counter()
    statuses, problem = report_statuses(instance, report)
    if problem:
        raise SystemExit(f"gold patch run not trusted: {problem}")
    graded = grade(statuses, instance.fail_to_pass, instance.pass_to_pass)
    timings = {**report.timings, "parse": time.perf_counter() - started}
    if not graded.resolved:
        raise SystemExit(f"gold patch not resolved: {graded.summary()}")
    return timings


def measure(batch: int, parallel: int) -> tuple[float, dict[str, float]]:
    fixtures = [load(name) for name in NAMES]
    jobs = [
        (fixture.ground_truth(), fenced(fixture.gold)) for fixture in (fixtures * batch)[:batch]
    ]
    one(*jobs[0])  # warm-up
    started = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        timings = list(pool.map(lambda job: one(*job), jobs))
    per_minute = batch / (time.perf_counter() - started) * 60
    medians = {stage: statistics.median(t.get(stage, 0.0) for t in timings) for stage in STAGES}
    return per_minute, medians


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--docker-url")
    parser.add_argument("--docker-image", default="reward-server-sandbox:latest")
    args = parser.parse_args()

    rows = []
    with docker_engine(args.docker_url, args.docker_image) as (docker_url, docker_image):
        sandbox.configure("local")
        rows.append(("local", *measure(args.batch, args.parallel)))
        if docker_url:
            sandbox.configure("docker", base_url=docker_url, image=docker_image)
            rows.append(("docker", *measure(args.batch, args.parallel)))

    print(f"\n{args.batch} gold patches, {args.parallel} at a time, {os.cpu_count()} cores")
    print(f"{'backend':<9}{'inst/min':>10}" + "".join(f"{s + ' ms':>10}" for s in STAGES))
    for name, per_minute, medians in rows:
        print(
            f"{name:<9}{per_minute:>10.0f}"
            + "".join(f"{medians[stage] * 1000:>10.1f}" for stage in STAGES)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
