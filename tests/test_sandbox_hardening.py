"""Soft spots a probe found in the sandbox (issue 14), closed: no nested user namespace, no
host path in bwrap's command line, every tmpfs sized, a disk quota, safe lock files."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from sandbox import GiB, Limits, MiB, SandboxError
from sandbox.slots import SlotPool, ensure_private_dir
from sandbox.workspace import to_tar
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


@pytest.mark.parametrize("directory", ["/work", "/tmp"])
def test_ten_gigabytes_stop_at_the_quota(sandbox_backend, directory):
    """Every writable place is a tmpfs charged to the run's memory: its limit is the quota
    (local: the work dirs' tmpfs; docker: the work dir's and /tmp's, on a read-only root)."""
    if sandbox_backend.name == "local":
        assert os.path.ismount(sandbox_backend.config.base_dir), sandbox_backend.details()
    limits = Limits(memory_bytes=256 * MiB, wall_s=60, file_size_bytes=16 * GiB)
    script = (
        f"dd if=/dev/zero of={directory}/big bs=1M count=10240; stat -c %s {directory}/big;"
        " echo x > /outside && echo WROTE-ROOT"
    )
    result = sandbox_backend.run(["sh", "-c", script], limits=limits)
    written = result.stdout.decode().split()
    stopped = result.oom_killed or b"No space left on device" in result.stderr
    assert stopped, result
    assert not written or (written[0].isdigit() and int(written[0]) <= 256 * MiB), result
    assert b"WROTE-ROOT" not in result.stdout
    assert leftovers(sandbox_backend) == []


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


def test_image_directories_are_copies_with_a_quota(docker_engine):
    """SWE-bench images keep the repository in the image and run as root: the directory is
    copied onto a sized tmpfs, the rest of the root stays read-only."""
    import docker

    from sandbox.docker_backend import DockerBackend, DockerConfig

    client = docker.DockerClient(base_url=docker_engine.url)
    image = f"sandbox-image-dirs:{uuid.uuid4().hex[:8]}"
    seed = client.containers.create(docker_engine.image, ["true"], network_mode="none")
    try:
        repo = {"app.py": "print('from the image')\n", "pkg/data.txt": "x" * 10000}
        seed.put_archive("/opt", to_tar([("deep/repo", repo)]))
        seed.commit(*image.split(":"))
    finally:
        seed.remove(force=True)
    backend = DockerBackend(DockerConfig(base_url=docker_engine.url, image=docker_engine.image))
    script = (
        "python3 /opt/deep/repo/app.py && wc -c < /opt/deep/repo/pkg/data.txt"
        " && echo changed >> /opt/deep/repo/app.py && tail -1 /opt/deep/repo/app.py"
        " && cat /harness/note.txt"
        " && dd if=/dev/zero of=/opt/deep/repo/big bs=1M count=10240 2>/dev/null;"
        " stat -c %s /opt/deep/repo/big; echo x > /opt/outside || echo ROOT-READ-ONLY;"
        # Root without capabilities cannot stop the container's keeper: files still come back.
        " echo kept > /harness/out.txt; kill -9 -1 2>/dev/null; sleep 0.2"
    )
    limits = Limits(memory_bytes=256 * MiB, wall_s=60, file_size_bytes=16 * GiB)
    try:
        result = backend.run(
            ["sh", "-c", script],
            {"note.txt": "from the workspace\n"},
            limits,
            image=image,
            workdir="/harness",
            image_dirs=["/opt/deep/repo"],
            user=None,
            collect=["out.txt"],
        )
        lines = result.stdout.decode().splitlines()
        assert lines[:4] == ["from the image", "10000", "changed", "from the workspace"], result
        assert int(lines[4]) <= 256 * MiB + 64 * 1024, result  # the quota, plus the copy
        assert lines[5] == "ROOT-READ-ONLY", result
        assert result.files == {"out.txt": b"kept\n"}, result
        assert leftovers(backend) == []
    finally:
        backend.close()
        client.images.remove(image, force=True)
        client.close()
