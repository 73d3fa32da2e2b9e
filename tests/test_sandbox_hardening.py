"""Soft spots a probe found in the sandbox (issue 14), closed: no nested user namespace, no
host path in bwrap's command line, every tmpfs sized, a disk quota, safe lock files."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from sandbox import GiB, Limits, MiB, SandboxError
from sandbox.slots import SlotPool, ensure_private_dir
from tests.sandbox_helpers import leftovers

pytestmark = pytest.mark.sandbox


def test_no_nested_user_namespace(sandbox_backend):
    """`unshare -Urmn` once gave a run root, mounts and a network namespace of its own."""
    result = sandbox_backend.run(["sh", "-c", "unshare -Urmn id -u && echo NESTED"])
    assert b"NESTED" not in result.stdout
    assert result.exit_code != 0
    assert leftovers(sandbox_backend) == []


def test_no_host_path_in_the_sandboxs_command_lines(sandbox_backend):
    result = sandbox_backend.run(["sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '"])
    shown = result.stdout.decode()
    assert "reward-server-sandbox" not in shown and "/var/tmp" not in shown, shown
    assert "--bind" not in shown and "--tmpfs" not in shown, shown
    assert leftovers(sandbox_backend) == []


@pytest.fixture(scope="module")
def local_backend():
    """The local backend's own mounts (docker's tmpfs and volumes are the engine's)."""
    from sandbox.local import LocalBackend

    backend = LocalBackend()
    backend.check()
    return backend


def test_every_tmpfs_is_sized(local_backend):
    script = (
        "for dir in /dev /root /run; do "
        "dd if=/dev/zero of=$dir/big bs=1M count=4 2>/dev/null; "
        "echo $dir $(stat -c %s $dir/big 2>/dev/null || echo none); done"
    )
    result = local_backend.run(["sh", "-c", script], limits=Limits(memory_bytes=256 * MiB))
    sizes = dict(line.split() for line in result.stdout.decode().splitlines())
    assert sizes["/dev"] == "none"  # read-only, but for a sized /dev/shm
    assert int(sizes["/root"]) <= 1 * MiB and int(sizes["/run"]) <= 1 * MiB, sizes
    assert leftovers(local_backend) == []


def test_ten_gigabytes_stop_at_the_quota(local_backend):
    """The work dir is on a tmpfs charged to the run's memory: its limit is the quota."""
    assert os.path.ismount(local_backend.config.base_dir), local_backend.details()
    limits = Limits(memory_bytes=256 * MiB, wall_s=60, file_size_bytes=16 * GiB)
    script = "dd if=/dev/zero of=/work/big bs=1M count=10240 2>/dev/null; stat -c %s /work/big"
    result = local_backend.run(["sh", "-c", script], limits=limits)
    assert result.oom_killed, result
    assert int(result.stdout.decode().split()[-1]) < 256 * MiB
    assert leftovers(local_backend) == []


def test_a_planted_lock_symlink_is_not_followed(tmp_path: Path):
    lock_dir = tmp_path / "slots"
    target = tmp_path / f"elsewhere-{uuid.uuid4().hex}"
    pool = SlotPool(lock_dir, count=1, uid_base=61000)
    (lock_dir / "slot-0.lock").symlink_to(target)
    with pytest.raises(OSError), pool.acquire(timeout_s=1):
        pass
    assert not target.exists()


def test_a_planted_base_dir_is_refused(tmp_path: Path):
    real = tmp_path / "real"
    real.mkdir()
    planted = tmp_path / "planted"
    planted.symlink_to(real)
    with pytest.raises(SandboxError, match="not a directory"):
        ensure_private_dir(planted, mode=0o700)
    ensure_private_dir(real, mode=0o700)
    assert real.stat().st_mode & 0o777 == 0o700


def test_a_seccomp_filter_refuses_what_runs_never_need(local_backend):
    """ptrace(PTRACE_TRACEME) succeeds for any process, and unshare needs no privilege for
    some namespaces: under the filter both fail with EPERM."""
    script = (
        "import ctypes, os\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "print('ptrace', libc.ptrace(0, 0, 0, 0), ctypes.get_errno())\n"
        "print('unshare', libc.unshare(0x00020000), ctypes.get_errno())\n"  # CLONE_NEWNS
    )
    result = local_backend.run(["python3", "-c", script])
    lines = dict(line.split(" ", 1) for line in result.stdout.decode().splitlines())
    assert lines == {"ptrace": "-1 1", "unshare": "-1 1"}, result
    assert not any("seccomp" in note for note in local_backend.details()["notes"])


def test_a_very_deep_tree_is_removed(local_backend):
    """shutil.rmtree recursed once per level: 2,000 levels left the work dir behind, and
    every later start-up's sweep failed on it."""
    script = "d=/work; for i in $(seq 2000); do d=$d/a; done; mkdir -p $d && echo made"
    result = local_backend.run(["sh", "-c", script], limits=Limits(memory_bytes=256 * MiB))
    assert result.stdout == b"made\n", result
    assert leftovers(local_backend) == []
