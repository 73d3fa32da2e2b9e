"""The sandbox's parts that need no backend: output bounds, workspaces, limits, slots."""

from __future__ import annotations

import io
import multiprocessing
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

import pytest

import sandbox
from sandbox import Limits, SandboxError, SandboxUnavailable
from sandbox.output import BoundedCapture
from sandbox.slots import SlotPool
from sandbox.workspace import collect_files, materialize, relative_path, to_tar


def test_capture_keeps_everything_under_the_limit():
    capture = BoundedCapture(100)
    for chunk in (b"a" * 30, b"b" * 30, b"c" * 40):
        capture.feed(chunk)
    assert capture.value() == b"a" * 30 + b"b" * 30 + b"c" * 40
    assert not capture.truncated


def test_capture_keeps_head_and_tail_beyond_the_limit():
    capture = BoundedCapture(100)
    capture.feed(b"HEAD" + b"x" * 10_000)
    for _ in range(100):
        capture.feed(b"y" * 1000)
    capture.feed(b"TAIL")
    value = capture.value()
    assert capture.truncated
    assert value.startswith(b"HEAD") and value.endswith(b"TAIL")
    assert b"110004 bytes elided" not in value  # the count is of what was dropped
    dropped = capture.total - 100
    assert f"{dropped} bytes elided".encode() in value
    assert len(value) < 100 + 60


@pytest.mark.parametrize("name", ["/etc/passwd", "../up", "a/../../b", "", "a\0b"])
def test_workspace_paths_must_stay_inside(name, tmp_path):
    with pytest.raises(SandboxError):
        relative_path(name)
    with pytest.raises(SandboxError):
        materialize({name: "x"}, tmp_path)


def _tar(*members: tarfile.TarInfo, data: bytes = b"x") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for member in members:
            if member.isfile():
                member.size = len(data)
                archive.addfile(member, io.BytesIO(data))
            else:
                archive.addfile(member)
    return buffer.getvalue()


def test_tar_workspaces_cannot_escape(tmp_path):
    escape = tarfile.TarInfo("../escaped.txt")
    with pytest.raises(SandboxError):
        materialize(_tar(escape), tmp_path / "dest")
    link = tarfile.TarInfo("link")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    through = tarfile.TarInfo("link/../../x")
    with pytest.raises(SandboxError):
        materialize(_tar(link, through), tmp_path / "dest2")
    assert not (tmp_path / "escaped.txt").exists()
    with pytest.raises(SandboxError, match="could not be unpacked"):
        materialize(b"not a tar", tmp_path)


def test_layers_go_to_their_subdirectories_in_order(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("from dir")
    dest = tmp_path / "dest"
    dest.mkdir()
    materialize(
        [("repo", tmp_path / "src"), ("repo", {"b.py": "from files"}), ("", {"top": "t"})], dest
    )
    assert (dest / "repo" / "a.py").read_text() == "from dir"
    assert (dest / "repo" / "b.py").read_text() == "from files"
    assert (dest / "top").read_text() == "t"
    with pytest.raises(SandboxError):
        materialize([("../out", {"x": "y"})], dest)


def test_missing_workspace_directory_is_an_error(tmp_path):
    with pytest.raises(SandboxError, match="not found"):
        materialize(tmp_path / "nope", tmp_path / "dest")


def test_to_tar_sets_the_owner_of_every_entry():
    packed = to_tar({"a/b.txt": "1"}, uid=65534, gid=65534)
    with tarfile.open(fileobj=io.BytesIO(packed)) as archive:
        names = {member.name: (member.uid, member.gid) for member in archive.getmembers()}
    assert names == {".": (65534, 65534), "./a": (65534, 65534), "./a/b.txt": (65534, 65534)}


def test_collect_reads_regular_files_only(tmp_path):
    (tmp_path / "ok.txt").write_text("fine")
    (tmp_path / "big.txt").write_text("x" * 100)
    (tmp_path / "link").symlink_to("/etc/passwd")
    (tmp_path / "dir").mkdir()
    (tmp_path / "up").symlink_to("/etc")
    files = collect_files(tmp_path, ["ok.txt", "big.txt", "link", "dir", "up/passwd", "gone"], 50)
    assert files == {"ok.txt": b"fine"}


@pytest.mark.parametrize("field", ["wall_s", "cpu_s", "memory_bytes", "processes", "output_bytes"])
def test_limits_must_be_positive(field):
    with pytest.raises(ValueError, match=field):
        Limits(**{field: 0})


def _hold_slot(lock_dir: str, ready, release) -> None:
    with SlotPool(Path(lock_dir), 2, 1000).acquire(timeout_s=5) as slot:
        ready.put(slot.index)
        release.wait(10)


def test_slots_are_exclusive_across_processes(tmp_path):
    context = multiprocessing.get_context("spawn")
    ready, release = context.Queue(), context.Event()
    holders = [
        context.Process(target=_hold_slot, args=(str(tmp_path), ready, release)) for _ in range(2)
    ]
    for holder in holders:
        holder.start()
    try:
        held = {ready.get(timeout=30), ready.get(timeout=30)}
        assert held == {0, 1}
        with (
            pytest.raises(SandboxError, match="busy"),
            SlotPool(tmp_path, 2, 1000).acquire(timeout_s=0.2),
        ):
            pass
    finally:
        release.set()
        for holder in holders:
            holder.join(10)
    with SlotPool(tmp_path, 2, 1000).acquire(timeout_s=1) as slot:
        assert slot.uid == 1000 + slot.index


def test_a_dead_holder_frees_its_slot(tmp_path):
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        with SlotPool(tmp_path, 1, 1000).acquire(timeout_s=1):
            os._exit(0)  # dies holding the slot
    os.waitpid(pid, 0)
    with SlotPool(tmp_path, 1, 1000).acquire(timeout_s=1) as slot:
        assert slot.index == 0


def test_hidden_paths_are_not_visible_to_local_runs():
    # Not under /tmp: every run has a private /tmp of its own.
    secret = Path(tempfile.mkdtemp(prefix="rs-hidden-", dir="/var/tmp"))
    try:
        secret.chmod(0o755)
        (secret / "keys").write_text("key-one")
        (secret / "keys").chmod(0o644)
        visible = sandbox.get_backend("local").run(["cat", str(secret / "keys")])
        assert visible.stdout == b"key-one"  # world-readable host files are readable
        hidden = sandbox.get_backend("local", hidden_paths=(str(secret),)).run(
            ["cat", str(secret / "keys")]
        )
        assert hidden.exit_code != 0 and b"key-one" not in hidden.stdout
    finally:
        shutil.rmtree(secret)


def test_unusable_local_backend_says_why_and_refuses_to_run(tmp_path):
    backend = sandbox.get_backend("local", bwrap="/nonexistent/bwrap", base_dir=tmp_path)
    assert "/nonexistent/bwrap not found" in backend.unavailable_reason
    assert backend.describe()["available"] is False
    with pytest.raises(SandboxUnavailable, match="not found"):
        backend.run("true")


def test_unreachable_docker_engine_says_why(tmp_path):
    backend = sandbox.get_backend(
        "docker", base_url=f"unix://{tmp_path}/no.sock", lock_dir=str(tmp_path / "locks")
    )
    assert backend.unavailable_reason.startswith("no Docker engine answers")
    with pytest.raises(SandboxUnavailable):
        backend.run("true")


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="unknown sandbox backend"):
        sandbox.configure("vm")
