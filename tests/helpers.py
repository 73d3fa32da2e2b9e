"""Helpers shared by the tests and the benchmarks: items, a served reward-server, processes."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import httpx


def item(verifier: str, response: str = "", ground_truth: Any = "", **fields: Any) -> dict:
    return {"verifier": verifier, "response": response, "ground_truth": ground_truth, **fields}


def terminate(process: subprocess.Popen, grace_s: float = 30) -> None:
    """SIGTERM a process we started, then SIGKILL it if it is still there after ``grace_s``."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NotReady(RuntimeError):
    """The server went away, or did not answer ready in time; the message says which."""


def serve(
    *args: str, stdout: IO[bytes] | None = None, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str]:
    """``python -m reward_server serve`` on a free loopback port: its process and URL, at
    once (see :func:`wait_ready`)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "reward_server", "serve", "--port", str(port), *args],
        stdout=stdout,
        stderr=subprocess.STDOUT if stdout is not None else None,
        env=env,
    )
    return process, f"http://127.0.0.1:{port}"


def exited(process: subprocess.Popen) -> Callable[[], str | None]:
    """For :func:`wait_ready`: why ``process`` is gone, or ``None`` while it runs."""
    return lambda: None if process.poll() is None else f"exited with {process.returncode}"


def wait_ready(
    url: str,
    *,
    startup_s: float,
    gone: Callable[[], str | None] = lambda: None,
    path: str = "/readyz",
    poll_s: float = 0.1,
) -> None:
    """Poll ``url + path`` until it answers 200; raises :class:`NotReady` as soon as
    ``gone()`` says why the server is gone, or after ``startup_s``."""
    deadline = time.monotonic() + startup_s
    while time.monotonic() < deadline:
        problem = gone()
        if problem is not None:
            raise NotReady(f"server {problem}")
        try:
            if httpx.get(f"{url}{path}", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(poll_s)
    raise NotReady(f"server not ready after {startup_s} s")


def worker_pids(server_pid: int) -> list[int]:
    """The pool's worker processes: children of the server's forkserver."""
    parents: dict[int, int] = {}
    commands: dict[int, bytes] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
                commands[int(entry.name)] = (entry / "cmdline").read_bytes()
            except (OSError, IndexError, ValueError):
                continue
    forkservers = [
        pid
        for pid, parent in parents.items()
        if parent == server_pid and b"forkserver" in commands.get(pid, b"")
    ]
    return [pid for pid, parent in parents.items() if parent in forkservers]
