"""Load and faults: N concurrent clients for T seconds against a running reward-server.

    make load          # python benchmarks/load.py --spawn: its own server on loopback
    python benchmarks/load.py --url http://127.0.0.1:8000 [--clients 8] [--seconds 20]
                              [--batch 16] [--no-faults] [--server-pid PID] [--api-key KEY]

Each client posts mixed batches (exact_match, math, json_schema, localization; every item
with a known reward and a unique id) back to back. Midway, unless --no-faults, one worker
process is SIGKILLed (the server's own child: only with --server-pid, as `make load` and
the tests pass it) and a batch is sent whose items overrun a 1 s deadline inside the
sandbox. Printed: items/s, request latency p50/p99, errors, and the checks that matter:
no lost item, no misordered item, every request answered.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
from common import start_server

from tests.helpers import worker_pids

# (verifier, response, ground truth, expected reward)
ITEMS = [
    ("exact_match", "Paris", "Paris", 1.0),
    ("exact_match", "Lyon", "Paris", 0.0),
    ("math", "The answer is $\\boxed{\\frac{1}{2}}$.", "0.5", 1.0),
    ("math", "So $x = \\boxed{3}$", "4", 0.0),
    ("json_schema", '{"name": "a", "age": 3}',
     {"type": "object", "required": ["name", "age"],
      "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}, 1.0),
    ("localization", "src/app.py\nsrc/util.py",
     {"level": "file", "targets": ["src/app.py", "src/util.py"]}, 1.0),
]  # fmt: skip

# A swe_tests item whose patch sleeps when the tests import it: with a 1 s deadline the
# worker is killed mid-sandbox-run, which must cost exactly this item.
SLEEPER = {
    "verifier": "swe_tests",
    "response": (
        "```diff\n--- a/pkg/__init__.py\n+++ b/pkg/__init__.py\n@@ -0,0 +1,2 @@\n"
        "+import time\n+time.sleep(600)\n```"
    ),
    "ground_truth": {
        "files": {"pkg/__init__.py": "", "pkg/mod.py": "X = 1\n"},
        "test_patch": (
            "--- /dev/null\n+++ b/tests/test_mod.py\n@@ -0,0 +1,4 @@\n+from pkg.mod import X\n"
            "+\n+def test_x():\n+    assert X == 1\n"
        ),
        "FAIL_TO_PASS": ["tests/test_mod.py::test_x"],
        "PASS_TO_PASS": [],
    },
}


@dataclass
class Report:
    seconds: float = 0.0
    requests: int = 0
    items: int = 0
    lost: int = 0
    misordered: int = 0
    wrong_rewards: int = 0
    unanswered: int = 0
    http_errors: Counter[int] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)

    @property
    def items_per_s(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else 0.0
        return statistics.quantiles(self.latencies_ms, n=100)[int(q) - 1]

    def lines(self) -> list[str]:
        return [
            f"{self.requests} requests, {self.items} items in {self.seconds:.1f} s: "
            f"{self.items_per_s:.0f} items/s",
            f"request latency p50 {self.percentile(50):.1f} ms, p99 {self.percentile(99):.1f} ms",
            f"statuses: {dict(self.statuses)}",
            f"http errors: {dict(self.http_errors) or 'none'}, unanswered: {self.unanswered}",
            f"lost items: {self.lost}, misordered: {self.misordered}, "
            f"wrong rewards: {self.wrong_rewards}",
            *(f"fault: {fault}" for fault in self.faults),
        ]


def batch(client: int, number: int, size: int) -> tuple[list[dict], list[float]]:
    items, expected = [], []
    for index in range(size):
        verifier, response, truth, reward = ITEMS[(client + number + index) % len(ITEMS)]
        items.append(
            {"id": f"c{client}-b{number}-i{index}", "verifier": verifier,
             "response": response, "ground_truth": truth}
        )  # fmt: skip
        expected.append(reward)
    return items, expected


def check(report: Report, items: list[dict], expected: list[float] | None, body: dict) -> None:
    results = body.get("results", [])
    report.lost += max(len(items) - len(results), 0)
    for position, (sent, result) in enumerate(zip(items, results, strict=False)):
        if result.get("id") != sent["id"]:
            report.misordered += 1
        report.statuses[result["status"]] += 1
        if expected and result["status"] == "ok" and result["reward"] != expected[position]:
            report.wrong_rewards += 1


async def client_loop(
    http: httpx.AsyncClient, client: int, size: int, stop_at: float, report: Report
) -> None:
    number = 0
    while time.monotonic() < stop_at:
        items, expected = batch(client, number, size)
        number += 1
        started = time.perf_counter()
        try:
            response = await http.post("/v1/rewards", json={"items": items})
        except httpx.HTTPError:
            report.unanswered += 1
            continue
        report.requests += 1
        report.latencies_ms.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            report.http_errors[response.status_code] += 1
            if response.status_code == 503:
                await asyncio.sleep(float(response.headers.get("retry-after", "1")))
            continue
        report.items += len(items)
        check(report, items, expected, response.json())


async def faults(http: httpx.AsyncClient, server_pid: int | None, report: Report) -> None:
    if server_pid is not None:
        workers = worker_pids(server_pid)
        if workers:
            os.kill(workers[0], signal.SIGKILL)
            report.faults.append(f"SIGKILLed worker {workers[0]} of server {server_pid}")
        else:
            report.faults.append(f"no worker of server {server_pid} found to kill")
    items = [{**SLEEPER, "id": f"sleeper-{n}"} for n in range(2)]
    items.append({"id": "after-sleepers", "verifier": "exact_match", "response": "a",
                  "ground_truth": "a"})  # fmt: skip
    started = time.perf_counter()
    try:
        response = await http.post("/v1/rewards", json={"items": items, "timeout_s": 1})
    except httpx.HTTPError as exc:
        report.unanswered += 1
        report.faults.append(f"timeout batch unanswered: {exc!r}")
        return
    report.requests += 1
    report.latencies_ms.append((time.perf_counter() - started) * 1000)
    body = response.json()
    check(report, items, None, body)
    statuses = [result["status"] for result in body.get("results", [])]
    report.faults.append(f"timeout batch answered {response.status_code}: {statuses}")


async def run_load(
    url: str,
    *,
    clients: int = 8,
    seconds: float = 20.0,
    size: int = 16,
    with_faults: bool = True,
    server_pid: int | None = None,
    api_key: str | None = None,
) -> Report:
    report = Report()
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    limits = httpx.Limits(max_connections=clients + 2)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120, limits=limits) as http:
        started = time.monotonic()
        stop_at = started + seconds
        tasks = [client_loop(http, n, size, stop_at, report) for n in range(clients)]
        if with_faults:

            async def delayed_faults() -> None:
                await asyncio.sleep(seconds / 2)
                await faults(http, server_pid, report)

            tasks.append(delayed_faults())
        await asyncio.gather(*tasks)
        report.seconds = time.monotonic() - started
    if with_faults and server_pid is not None:
        report.faults.append(f"worker processes at the end: {len(worker_pids(server_pid))}")
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--no-faults", action="store_true")
    parser.add_argument("--server-pid", type=int, help="kill one of this server's workers")
    parser.add_argument("--api-key")
    parser.add_argument(
        "--spawn", action="store_true", help="start a server on a free loopback port for the run"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    server = None
    if args.spawn:
        server, args.url = start_server(args.workers)
        args.server_pid = server.pid
    try:
        report = measure(args)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
    print("\n".join(report.lines()))
    healthy = not (report.lost or report.misordered or report.unanswered or report.wrong_rewards)
    return 0 if healthy else 1


def measure(args: argparse.Namespace) -> Report:
    return asyncio.run(
        run_load(
            args.url,
            clients=args.clients,
            seconds=args.seconds,
            size=args.batch,
            with_faults=not args.no_faults,
            server_pid=args.server_pid,
            api_key=args.api_key,
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
