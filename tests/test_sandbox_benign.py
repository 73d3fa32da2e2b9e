"""The sandbox does what a benign command needs, identically on both backends."""

from __future__ import annotations

import asyncio
import io
import tarfile
from concurrent.futures import ThreadPoolExecutor

import pytest

from sandbox import Limits
from tests.sandbox_helpers import leftovers

pytestmark = pytest.mark.sandbox


def test_exit_code_and_separate_streams(sandbox_backend):
    result = sandbox_backend.run("echo out; echo err >&2; exit 3")
    assert result.exit_code == 3
    assert result.stdout == b"out\n"
    assert result.stderr == b"err\n"
    assert not result.timed_out and not result.oom_killed and not result.output_truncated
    assert result.outcome == "failed"
    assert 0 < result.duration_s < 30


def test_argv_is_not_parsed_by_a_shell(sandbox_backend):
    result = sandbox_backend.run(["python3", "-c", "import sys; print(sys.argv[1:])", "$HOME", ";"])
    assert result.ok
    assert result.stdout == b"['$HOME', ';']\n"


def test_runs_in_the_work_dir_with_a_clean_environment(sandbox_backend):
    result = sandbox_backend.run(
        ["python3", "-c", "import os; print(os.getcwd(), os.environ['HOME'], os.environ['X'])"],
        env={"X": "from-caller"},
    )
    assert result.stdout.split() == [b"/work", b"/work", b"from-caller"]
    env = sandbox_backend.run("env").stdout.decode()
    assert "REWARD_SERVER" not in env and "DOCKER_HOST" not in env


def test_runs_as_a_non_root_user(sandbox_backend):
    result = sandbox_backend.run(["id", "-u"])
    assert result.ok
    assert int(result.stdout) != 0


def test_workspace_from_files_directory_and_tar(sandbox_backend, tmp_path):
    files = sandbox_backend.run("cat a.txt pkg/b.py", {"a.txt": "A\n", "pkg/b.py": b"B\n"})
    assert files.stdout == b"A\nB\n"

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.txt").write_text("C\n")
    directory = sandbox_backend.run("cat sub/c.txt", tmp_path)
    assert directory.stdout == b"C\n"

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        data = b"D\n"
        info = tarfile.TarInfo("deep/d.txt")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    packed = sandbox_backend.run("cat deep/d.txt", buffer.getvalue())
    assert packed.stdout == b"D\n"


def test_files_written_in_the_work_dir_are_readable_afterwards(sandbox_backend):
    result = sandbox_backend.run(
        "mkdir -p out && echo '<junit/>' > out/report.xml && printf x > top.txt && cat src.py",
        {"src.py": "print()\n"},
        collect=["out/report.xml", "top.txt", "missing.txt", "out"],
    )
    assert result.ok, result.stderr
    assert result.files == {"out/report.xml": b"<junit/>\n", "top.txt": b"x"}


def test_collect_does_not_follow_links_planted_by_the_run(sandbox_backend):
    result = sandbox_backend.run(
        "ln -s /etc/passwd leak && mkdir d && ln -s /etc d/up", collect=["leak", "d/up/passwd"]
    )
    assert result.ok, result.stderr
    assert result.files == {}


def test_every_run_starts_from_a_fresh_copy(sandbox_backend, tmp_path):
    (tmp_path / "shared.txt").write_text("original")
    first = sandbox_backend.run("echo changed > shared.txt && echo new > new.txt", tmp_path)
    assert first.ok
    assert (tmp_path / "shared.txt").read_text() == "original"
    assert not (tmp_path / "new.txt").exists()
    second = sandbox_backend.run("cat shared.txt; ls", tmp_path)
    assert second.stdout == b"original" + b"shared.txt\n"


def test_eight_runs_at_once_stay_apart(sandbox_backend):
    def one(index: int):
        return sandbox_backend.run(
            f"echo {index} > mine && sleep 0.5 && cat mine && ls | wc -l",
            {f"input-{index}": str(index)},
        )

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(8)))
    for index, result in enumerate(results):
        assert result.ok, result.stderr
        assert result.stdout.split() == [str(index).encode(), b"2"]
    assert leftovers(sandbox_backend) == []


def test_async_runs(sandbox_backend):
    async def main():
        return await asyncio.gather(
            *(sandbox_backend.arun(["sh", "-c", f"echo {n}"]) for n in range(4))
        )

    results = asyncio.run(main())
    assert [result.stdout for result in results] == [b"0\n", b"1\n", b"2\n", b"3\n"]


def test_limits_apply_to_file_size(sandbox_backend):
    result = sandbox_backend.run(
        "head -c 2000000 /dev/zero > big; stat -c %s big",
        limits=Limits(file_size_bytes=1_000_000),
    )
    assert result.stdout == b"1000000\n"


def test_nothing_is_left_behind(sandbox_backend):
    for _ in range(3):
        sandbox_backend.run("echo hi > f; sleep 0.1")
    assert leftovers(sandbox_backend) == []
