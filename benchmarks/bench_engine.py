"""Throughput: plain call vs in-process engine vs HTTP, in one run, for one verifier.

    python benchmarks/bench_engine.py [--verifier exact_match|math] [--seconds 3]
                                      [--workers N] [--concurrency 4]

Prints items/s for (a) the verifier as a plain function call, (b) the in-process engine
(batches of 1024), (c) the HTTP API with batches of 1, 64 and 1024, one request in flight,
batches of 1024 with `concurrency` requests in flight, and batches of 1 with 64 in flight
(OpenRLHF sends one sample per request), and the ratios. Items: exact_match on numbered
answers, or math on the HardVerify dev pairs (tests/data). The client is Python (httpx) on
the same machine, so it competes with the server for the cores. The server is a real
`reward-server serve` process on a free loopback port, stopped (by its PID) at the end.

json_schema items are Kubernetes Deployments checked against the 916 KB schema of
kubernetes-validate's bundled definitions (v1.28, strict), named once per request in
``ground_truths``; each batch of the engine row parses its own copy, as a request does.

Targets (issue 19), checked at the end: the engine reaches 10 % (exact_match, json_schema)
or 80 % (math) of workers x the plain rate; HTTP with batches of 1024, 4 in flight, 0.8 x
the engine; batches of 1 with 64 in flight, 0.5 x the engine; json_schema's warm per-item
cost within 2 x a warm jsonschema-rs validation of the same instance (with and without
parsing the response text).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

from common import start_server

from reward_server.engine import Engine
from reward_server.settings import Settings
from verifiers.registry import default_registry

HARDVERIFY = Path(__file__).resolve().parents[1] / "tests" / "data" / "hardverify_math_dev.jsonl"
KUBERNETES = "v1.28.0-local-strict"
"""kubernetes-validate's bundled definitions of this version: 916 KB as JSON."""
DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {
        "replicas": 3,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [
                    {
                        "name": "nginx",
                        "image": "nginx:1.27",
                        "ports": [{"containerPort": 80}],
                        "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}},
                        "readinessProbe": {"httpGet": {"path": "/", "port": 80}},
                    }
                ]
            },
        },
    },
}


DEPLOYMENT_TEXT = json.dumps(DEPLOYMENT)
"""The json_schema items' response: the manifest, as a model would write it."""


@functools.cache
def kubernetes_schema() -> dict:
    """Kubernetes' Deployment schema with every definition it may refer to (916 KB)."""
    import kubernetes_validate  # a dev dependency, as the benchmarks' others

    bundled = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / KUBERNETES
    definitions = json.loads((bundled / "_definitions.json").read_text())
    return {**definitions, "$ref": "#/$defs/io.k8s.api.apps.v1.Deployment"}


def envelope(count: int, verifier: str) -> dict:
    """A request body: json_schema items name the schema once, in ``ground_truths``."""
    if verifier != "json_schema":
        return {"items": make_items(count, verifier)}
    item = {"verifier": "json_schema", "response": DEPLOYMENT_TEXT}
    return {
        "items": [{**item, "id": str(index), "ground_truth_ref": "k8s"} for index in range(count)],
        "ground_truths": {"k8s": kubernetes_schema()},
    }


def make_items(count: int, verifier: str = "exact_match") -> list[dict]:
    if verifier == "json_schema":
        schema = kubernetes_schema()
        return [
            {
                "id": str(index),
                "verifier": verifier,
                "response": DEPLOYMENT_TEXT,
                "ground_truth": schema,
            }
            for index in range(count)
        ]
    if verifier == "math":
        rows = [json.loads(line) for line in HARDVERIFY.read_text().splitlines() if line.strip()]
        return [
            {
                "id": str(index),
                "verifier": "math",
                "response": f"The answer is $\\boxed{{{rows[index % len(rows)]['answer']}}}$.",
                "ground_truth": rows[index % len(rows)]["gold"],
            }
            for index in range(count)
        ]
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


def bench_plain(seconds: float, verifier: str) -> float:
    items = make_items(1024, verifier)
    verify = default_registry()[verifier]

    def once() -> int:
        for item in items:
            verify(item["response"], item["ground_truth"], {})
        return len(items)

    return rate(once, seconds)


def bench_engine(seconds: float, workers: int, verifier: str) -> float:
    body = envelope(1024, verifier)
    items, shared = body["items"], body.get("ground_truths")
    with Engine(Settings(workers=workers)) as engine:
        if shared is None:
            return rate(lambda: len(engine.score(items)), seconds)
        # A new copy per batch, as each request parses its own.
        text = json.dumps(shared)
        return rate(lambda: len(engine.score(items, ground_truths=json.loads(text))), seconds)


def bench_plain_jsonschema_rs(seconds: float) -> tuple[float, float]:
    """Items/s of a warm jsonschema-rs validator on the Deployment: is_valid on the parsed
    instance, and json.loads of the response text plus is_valid (what a reward script does)."""
    import jsonschema_rs

    validator = jsonschema_rs.validator_for(kubernetes_schema())
    instance, text = DEPLOYMENT, DEPLOYMENT_TEXT
    assert validator.is_valid(instance)

    def parsed() -> int:
        for _ in range(1024):
            validator.is_valid(instance)
        return 1024

    def from_text() -> int:
        for _ in range(1024):
            validator.is_valid(json.loads(text))
        return 1024

    return rate(parsed, seconds), rate(from_text, seconds)


async def bench_http(
    url: str, batch: int, seconds: float, concurrency: int, verifier: str
) -> float:
    """Items/s through ``concurrency`` keep-alive connections, each one request at a time.

    The client is a few lines of asyncio rather than httpx: with 64 connections, httpx's
    pool spends more time than the server (a measurement of the client, not of us)."""
    body = json.dumps(envelope(batch, verifier)).encode()
    host, port = url.removeprefix("http://").split(":")
    request = (
        f"POST /v1/rewards HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body

    async def once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> int:
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = head.split(b" ", 2)[1]
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        results = json.loads(await reader.readexactly(length))["results"]
        assert status == b"200" and len(results) == batch, (status, results[:1])
        assert results[0]["status"] == "ok", results[0]
        return batch

    connections = [await asyncio.open_connection(host, int(port)) for _ in range(concurrency)]
    await once(*connections[0])  # warm-up
    done, started = 0, time.perf_counter()

    async def loop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal done
        while time.perf_counter() - started < seconds:
            # Not `done += await ...`: that reads `done` before awaiting, and the loops
            # overwrite each other's counts.
            scored = await once(reader, writer)
            done += scored

    await asyncio.gather(*(loop(*connection) for connection in connections))
    elapsed = time.perf_counter() - started
    for _, writer in connections:
        writer.close()
    return done / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--verifier", choices=("exact_match", "math", "json_schema"), default="exact_match"
    )
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--concurrency", type=int, default=4, help="for the 1024-item rows")
    args = parser.parse_args()
    verifier = args.verifier

    print(f"{verifier}, {args.workers} workers, {os.cpu_count()} cores, {args.seconds:g} s each")
    plain = bench_plain(args.seconds, verifier)
    rows = [("plain function call", plain)]
    engine_rate = bench_engine(args.seconds, args.workers, verifier)
    rows.append(("in-process engine (batches of 1024)", engine_rate))
    shapes = ((1, 1), (64, 1), (1024, 1), (1024, args.concurrency), (1, 64))
    http: dict[tuple[int, int], float] = {}
    process, url = start_server(args.workers)
    try:
        for batch, in_flight in shapes:
            measured = asyncio.run(bench_http(url, batch, args.seconds, in_flight, verifier))
            http[batch, in_flight] = measured
            rows.append((f"HTTP, batches of {batch} ({in_flight} in flight)", measured))
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)

    width = max(len(name) for name, _ in rows)
    print(f"{'':{width}}  {'items/s':>12}  {'vs engine':>9}")
    for name, items_per_s in rows:
        print(f"{name:{width}}  {items_per_s:12,.0f}  {items_per_s / engine_rate:9.2f}")
    share = 0.8 if verifier == "math" else 0.1
    targets = [
        (f"engine >= {share:.2f} x workers x plain", engine_rate / (args.workers * plain), share),
        ("HTTP 1024 x 1 in flight >= 0.50 x engine", http[1024, 1] / engine_rate, 0.5),
        (
            f"HTTP 1024 x {args.concurrency} in flight >= 0.80 x engine",
            http[1024, args.concurrency] / engine_rate,
            0.8,
        ),
        ("HTTP 1 x 64 in flight >= 0.50 x engine", http[1, 64] / engine_rate, 0.5),
    ]
    if verifier == "json_schema":
        is_valid, loads_and_is_valid = bench_plain_jsonschema_rs(args.seconds)
        print(
            f"jsonschema-rs, warm: is_valid {is_valid:,.0f} items/s; json.loads of the "
            f"response + is_valid {loads_and_is_valid:,.0f} items/s"
        )
        targets += [
            (
                "json_schema plain call >= 0.50 x jsonschema-rs loads + is_valid",
                plain / loads_and_is_valid,
                0.5,
            ),
            (
                "json_schema plain call >= 0.50 x jsonschema-rs is_valid alone",
                plain / is_valid,
                0.5,
            ),
        ]
    for name, ratio, target in targets:
        print(f"target {name}: {ratio:.2f} -> {'MET' if ratio >= target else 'NOT MET'}")


if __name__ == "__main__":
    main()
