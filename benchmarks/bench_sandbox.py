"""Sandbox overhead per run: each backend against a bare ``subprocess.run`` of the same command.

    make bench-sandbox       # or: python benchmarks/bench_sandbox.py [--runs N] [--docker-url URL]

The command is ``python3 -c pass`` (Debian's interpreter, the one the sandbox runs). Every
run of a backend includes all it does for isolation: a fresh work dir, a slot, a cgroup and
the bubblewrap namespaces (local); a volume, a container, the archive copy, attach, start,
wait and removal (docker). Overhead = median(backend) - median(bare). Targets: local
<= 100 ms, docker <= 1.5 s.

Without --docker-url, a root user gets a private dockerd for the run (as the tests do);
others measure the local backend only.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time

from common import docker_engine

from sandbox.docker_backend import DockerBackend, DockerConfig
from sandbox.local import LocalBackend

COMMAND = ["/usr/bin/python3", "-c", "pass"]
TARGETS_S = {"local": 0.100, "docker": 1.5}


def timed(function, runs: int) -> list[float]:
    function()  # warm-up: caches, first container of an image
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--docker-url", help="a Docker engine with the sandbox image")
    parser.add_argument("--docker-image", default="reward-server-sandbox:latest")
    args = parser.parse_args()

    with docker_engine(args.docker_url, args.docker_image) as (docker_url, docker_image):
        bare = timed(lambda: subprocess.run(COMMAND, check=True), args.runs)
        rows = [("bare subprocess.run", bare)]
        local = LocalBackend()
        local.check()
        rows.append(("local", timed(lambda: local.run(COMMAND), args.runs)))
        if docker_url:
            docker = DockerBackend(DockerConfig(base_url=docker_url, image=docker_image))
            docker.check()
            rows.append(("docker", timed(lambda: docker.run(COMMAND), max(5, args.runs // 3))))
            docker.close()

    base = statistics.median(bare)
    print(f"\n{'path':<22}{'median':>10}{'p90':>10}{'overhead':>11}{'target':>9}  met")
    failed = False
    for name, times in rows:
        median = statistics.median(times)
        p90 = statistics.quantiles(times, n=10)[-1]
        overhead = median - base
        target = TARGETS_S.get(name)
        met = "" if target is None else ("yes" if overhead <= target else "NO")
        failed |= met == "NO"
        print(
            f"{name:<22}{median * 1000:>8.1f}ms{p90 * 1000:>8.1f}ms{overhead * 1000:>9.1f}ms"
            f"{'' if target is None else f'{target * 1000:>7.0f}ms':>9}  {met}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
