"""A short benchmarks/load.py run with its faults: a SIGKILLed worker and a batch that times
out in the sandbox. Nothing may be lost, misordered or left unanswered."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import start_server, stop_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from load import run_load

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]


def test_load_with_faults(tmp_path):
    server = start_server(tmp_path / "server.log", "--workers", "2")
    try:
        report = asyncio.run(
            run_load(server.url, clients=4, seconds=6, size=16, server_pid=server.process.pid)
        )
        metrics = httpx.get(f"{server.url}/metrics").text
    finally:
        stop_server(server)
    print("\n".join(report.lines()))
    assert report.requests > 20 and report.items > 300
    assert report.lost == 0
    assert report.misordered == 0
    assert report.unanswered == 0
    assert report.wrong_rewards == 0
    assert not report.http_errors
    assert report.faults[0].startswith("SIGKILLed worker")
    assert report.faults[1] == "timeout batch answered 200: ['timeout', 'timeout', 'ok']"
    assert report.faults[2] == "worker processes at the end: 2"  # the pool replaced them
    assert report.statuses["timeout"] == 2
    assert 'reward_server_worker_restarts_total{reason="timeout"} 2.0' in metrics
