"""What several benchmarks need: a server of their own, a Docker engine of their own."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def start_server(workers: int) -> tuple[subprocess.Popen, str]:
    """``reward-server serve`` on a free loopback port, once ready; stop it with terminate()."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "reward_server", "serve", "--port", str(port)]
    command += ["--workers", str(workers), "--log-level", "warning"]
    process = subprocess.Popen(command)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not become ready in 60 s")


@contextlib.contextmanager
def docker_engine(url: str | None, image: str) -> Iterator[tuple[str | None, str]]:
    """(engine URL, sandbox image): the given engine, else, for root, a private dockerd
    with the sandbox image built in it (as the tests make), else (None, image)."""
    if url is not None or os.geteuid() != 0:
        yield url, image
        return
    from tests.docker_engine import start_engine

    print("starting a private dockerd and building the sandbox image ...", flush=True)
    engine = start_engine(Path(tempfile.mkdtemp(prefix="bench-docker-")))
    try:
        yield engine.url, engine.image
    finally:
        engine.stop()
