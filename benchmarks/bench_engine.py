"""Throughput of exact_match: plain call vs in-process engine vs HTTP, in one run.

    python benchmarks/bench_engine.py [--seconds 3] [--workers N] [--concurrency 4]

Prints items/s for (a) the verifier as a plain function call, (b) the in-process engine
(batches of 1024), (c) the HTTP API with batches of 1, 64 and 1024, one request in flight,
and batches of 1024 with `concurrency` requests in flight, and the ratios. The client is
Python (httpx) on the same machine, so it competes with the server for the cores.
Target: HTTP with batches of 1024 (one in flight) reaches at least 50 % of the in-process
engine's items/s. The server is a real `reward-server serve` process on a free loopback
port, stopped (by its PID) at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import time
from collections.abc import Callable

import httpx
from common import start_server

from reward_server.engine import Engine
from reward_server.settings import Settings
from verifiers.exact_match import verify


def make_items(count: int) -> list[dict]:
    return [
        {
            "id": str(index),
            "verifier": "exact_match",
            "response": f"The answer is {index}",
            "ground_truth": f"The answer is {index - index % 2}",
        }
        for index in range(count)
    ]


def rate(run_once: Callable[[], int], seconds: float) -> float:
    """Items per second of repeated calls to ``run_once`` (which returns items done)."""
    run_once()  # warm-up
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        done += run_once()
    return done / elapsed


def bench_plain(seconds: float) -> float:
    items = make_items(1024)

    def once() -> int:
        for item in items:
            verify(item["response"], item["ground_truth"], {})
        return len(items)

    return rate(once, seconds)


def bench_engine(seconds: float, workers: int) -> float:
    items = make_items(1024)
    with Engine(Settings(workers=workers)) as engine:
        return rate(lambda: len(engine.score(items)), seconds)


async def bench_http(url: str, batch: int, seconds: float, concurrency: int) -> float:
    body = {"items": make_items(batch)}
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:

        async def once() -> int:
            response = await client.post("/v1/rewards", json=body)
            response.raise_for_status()
            results = response.json()["results"]
            assert len(results) == batch and results[0]["status"] == "ok"
            return batch

        await once()
        done, started = 0, time.perf_counter()

        async def loop() -> None:
            nonlocal done
            while time.perf_counter() - started < seconds:
                done += await once()

        await asyncio.gather(*(loop() for _ in range(concurrency)))
        return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--concurrency", type=int, default=4, help="for the last HTTP row")
    args = parser.parse_args()

    print(f"exact_match, {args.workers} workers, {os.cpu_count()} cores, {args.seconds:g} s each")
    rows = [("plain function call", bench_plain(args.seconds))]
    engine_rate = bench_engine(args.seconds, args.workers)
    rows.append(("in-process engine (batches of 1024)", engine_rate))
    process, url = start_server(args.workers)
    try:
        for batch, in_flight in ((1, 1), (64, 1), (1024, 1), (1024, args.concurrency)):
            http_rate = asyncio.run(bench_http(url, batch, args.seconds, in_flight))
            rows.append((f"HTTP, batches of {batch} ({in_flight} in flight)", http_rate))
            if (batch, in_flight) == (1024, 1):
                http_1024 = http_rate
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)

    width = max(len(name) for name, _ in rows)
    print(f"{'':{width}}  {'items/s':>12}  {'vs engine':>9}")
    for name, items_per_s in rows:
        print(f"{name:{width}}  {items_per_s:12,.0f}  {items_per_s / engine_rate:9.2f}")
    verdict = "MET" if http_1024 >= 0.5 * engine_rate else "NOT MET"
    print(f"target HTTP-1024 >= 0.50 x engine: {http_1024 / engine_rate:.2f} -> {verdict}")


if __name__ == "__main__":
    main()
