"""Hostile commands, each contained, with the host unaffected and nothing left behind.

The same suite runs against the local and the Docker backend.
"""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

from sandbox import GiB, Limits, MiB
from tests.sandbox_helpers import (
    leftovers,
    loopback_listener,
    marker,
    processes_with,
    run_dirs_on_host,
)

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]


@pytest.fixture(autouse=True)
def host_stays_clean(sandbox_backend):
    yield
    assert leftovers(sandbox_backend) == []


def test_no_tcp_to_the_hosts_loopback(sandbox_backend):
    with loopback_listener() as port:
        result = sandbox_backend.run(
            ["python3", "-c", f"import socket; socket.create_connection(('127.0.0.1', {port}), 3)"]
        )
    assert result.exit_code != 0
    assert b"Error" in result.stderr


def test_no_dns(sandbox_backend):
    result = sandbox_backend.run(
        ["python3", "-c", "import socket; print(socket.getaddrinfo('pypi.org', 443))"]
    )
    assert result.exit_code != 0
    assert b"gaierror" in result.stderr or b"OSError" in result.stderr


def test_no_interface_but_loopback(sandbox_backend):
    result = sandbox_backend.run(["cat", "/proc/net/dev"])
    interfaces = {line.split(":")[0].strip() for line in result.stdout.decode().splitlines()[2:]}
    assert interfaces <= {"lo"}


def test_writes_outside_the_work_dir_do_not_reach_the_host(sandbox_backend):
    name = f"rs-escape-{uuid.uuid4().hex}"
    targets = [f"/etc/{name}", f"/usr/{name}", f"/var/tmp/{name}", f"/root/{name}", f"/{name}"]
    result = sandbox_backend.run(
        "; ".join(f"echo x > {target}" for target in targets) + f"; echo y > /tmp/{name}; true"
    )
    assert (
        result.stderr.count(b"Read-only file system") + result.stderr.count(b"Permission denied")
        >= len(targets) - 1
    )  # /root may be an empty private mount, still not the host's
    for target in [*targets, f"/tmp/{name}"]:
        assert not Path(target).exists(), target


def test_cannot_read_another_runs_work_dir(sandbox_backend):
    secret = marker()
    holder = threading.Thread(target=sandbox_backend.run, args=("sleep 4", {"secret.txt": secret}))
    holder.start()
    try:
        deadline = time.monotonic() + 10
        while not (
            paths := [p for p in run_dirs_on_host(sandbox_backend) if (p / "secret.txt").exists()]
        ):
            assert time.monotonic() < deadline, "the first run never started"
            time.sleep(0.05)
        probes = " ".join(f"{path}/secret.txt" for path in paths)
        thief = sandbox_backend.run(
            f"cat {probes} 2>&1; ls {' '.join(map(str, paths))} 2>&1;"
            " grep -rs rs-marker /proc/*/cwd/ /tmp /var/tmp 2>/dev/null; true"
        )
    finally:
        holder.join()
    assert secret.encode() not in thief.stdout + thief.stderr


def test_sees_only_its_own_processes(sandbox_backend):
    result = sandbox_backend.run("ls -d /proc/[0-9]* | wc -l", limits=Limits(wall_s=10))
    assert result.ok
    assert int(result.stdout) < 10


def test_fork_bomb_is_contained(sandbox_backend):
    tag = marker()
    bomb = f"import os\nwhile True:\n    try: os.fork()\n    except OSError: pass\n# {tag}"
    started = time.monotonic()
    result = sandbox_backend.run(["python3", "-c", bomb], limits=Limits(wall_s=4, processes=32))
    assert not result.ok
    assert time.monotonic() - started < 30
    assert processes_with(tag) == []
    assert subprocess.run(["true"]).returncode == 0  # the host can still start processes


def test_memory_hog_is_killed(sandbox_backend):
    result = sandbox_backend.run(
        ["python3", "-c", "blob = bytearray(4 * 2**30); print('allocated')"],
        limits=Limits(memory_bytes=256 * MiB, wall_s=20),
    )
    assert not result.ok
    assert b"allocated" not in result.stdout
    assert result.oom_killed or b"MemoryError" in result.stderr


def test_busy_loop_is_killed_at_the_deadline(sandbox_backend):
    tag = marker()
    result = sandbox_backend.run(
        ["python3", "-c", f"while True: pass  # {tag}"], limits=Limits(wall_s=2, cpu_s=60)
    )
    assert result.timed_out
    assert result.outcome == "timeout"
    assert 2 <= result.duration_s < 10
    assert processes_with(tag) == []


def test_daemon_does_not_outlive_its_run(sandbox_backend):
    tag = marker()
    daemon = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(300)\n"
        "    os._exit(0)\n"
        f"print('parent done')  # {tag}\n"
    )
    result = sandbox_backend.run(["python3", "-c", daemon], limits=Limits(wall_s=20))
    assert result.stdout == b"parent done\n"
    assert result.duration_s < 15
    time.sleep(0.2)
    assert processes_with(tag) == []


def test_a_gigabyte_of_output_is_truncated(sandbox_backend):
    result = sandbox_backend.run(
        "head -c 1073741824 /dev/zero; echo; echo THE-END",
        limits=Limits(output_bytes=1 * MiB, wall_s=60),
    )
    assert result.output_truncated
    assert len(result.stdout) <= 1 * MiB + 100
    assert result.stdout.endswith(b"THE-END\n")  # the tail, where test summaries are, is kept
    assert b"bytes elided by the sandbox" in result.stdout


def test_kill_all_processes_reaches_only_the_sandbox(sandbox_backend):
    sentinel = subprocess.Popen(["sleep", "60"])
    try:
        result = sandbox_backend.run("kill -9 -1; sleep 0.2; echo still-here")
        assert sentinel.poll() is None, "a host process was killed"
        assert result.exit_code is not None
    finally:
        sentinel.kill()
        sentinel.wait()


def test_large_memory_limit_is_still_a_limit(sandbox_backend):
    result = sandbox_backend.run(
        ["python3", "-c", "import sys; blob = bytearray(3 * 2**30); print(len(blob))"],
        limits=Limits(memory_bytes=1 * GiB, wall_s=20),
    )
    assert not result.ok
