"""``reward-server score``: offline scoring with progress, resume, mapping, a server, Ray."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PLUGINS, Server, free_port

COMMAND = [sys.executable, "-m", "reward_server", "score"]


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PLUGINS), env.get("PYTHONPATH")]))
    return env


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*COMMAND, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment(),
        timeout=300,
        check=False,
    )


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    with path.open("w") as handle:
        for index in range(2000):
            record = {
                "uid": f"q{index}",
                "completion": f"so the answer is \\boxed{{{index % 7}}}",
                "answer": str(index % 5),
            }
            handle.write(json.dumps(record) + "\n")
    return path


MAP = "id=uid,response=completion,ground_truth=answer"


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_scores_a_file_with_a_mapping_and_a_summary(dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    done = run(str(dataset), "-o", str(out), "--verifier", "math", "--map", MAP)
    assert done.returncode == 0, done.stderr
    results = lines(out)
    assert [r["id"] for r in results] == [f"q{i}" for i in range(2000)]
    assert all(r["reward"] == float(i % 7 == i % 5) for i, r in enumerate(results))
    assert all("elapsed_ms" not in r for r in results)
    assert "rows in output" in done.stderr and "2000" in done.stderr
    assert "verifier math" in done.stderr
    assert "mean reward" in done.stderr


def test_an_interrupted_run_resumes_to_the_same_output(dataset: Path, tmp_path: Path) -> None:
    whole = tmp_path / "whole.jsonl"
    assert run(str(dataset), "-o", str(whole), "--verifier", "math", "--map", MAP).returncode == 0
    # Interrupted half-way, in the middle of a line.
    resumed = tmp_path / "resumed.jsonl"
    text = whole.read_text()
    resumed.write_text(text[: len(text) // 2])
    assert not resumed.read_text().endswith("\n")
    again = run(str(dataset), "-o", str(resumed), "--verifier", "math", "--map", MAP)
    assert again.returncode == 0, again.stderr
    assert resumed.read_text() == text
    assert "kept from an earlier run" in again.stderr


def test_a_killed_run_resumes_to_the_same_output(tmp_path: Path) -> None:
    dataset = tmp_path / "slow.jsonl"
    dataset.write_text(
        "".join(
            json.dumps(
                {"id": i, "response": "x", "ground_truth": str(i % 2), "options": {"seconds": 0.01}}
            )
            + "\n"
            for i in range(400)
        )
    )
    whole, killed = tmp_path / "whole.jsonl", tmp_path / "killed.jsonl"
    args = ["--verifier", "sleepy", "--chunk-size", "20"]
    assert run(str(dataset), "-o", str(whole), *args).returncode == 0
    process = subprocess.Popen(
        [*COMMAND, str(dataset), "-o", str(killed), *args],
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
        not killed.exists() or len(killed.read_text().splitlines()) < 100
    ):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = len(killed.read_text().splitlines())
    assert 100 <= partial < 400
    assert run(str(dataset), "-o", str(killed), *args).returncode == 0
    assert killed.read_text() == whole.read_text()


def test_stdin_to_stdout_with_line_number_ids() -> None:
    records = "\n".join(
        json.dumps({"response": r, "ground_truth": "4", "verifier": "math"})
        for r in ("\\boxed{4}", "\\boxed{5}")
    )
    done = run("-", "-o", "-", stdin=records)
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["id"], r["reward"]) for r in results] == [("0", 1.0), ("1", 0.0)]


def test_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"response": "1", "ground_truth": "1"}\nnot json\n')
    done = run(str(broken), "-o", str(tmp_path / "out.jsonl"))
    assert done.returncode == 2
    assert "broken.jsonl:2: not JSON" in done.stderr
    done = run(str(broken), "-o", "-", "--map", "answer")
    assert done.returncode == 2
    assert "field=column" in done.stderr
    done = run(str(tmp_path / "missing.jsonl"), "-o", "-")
    assert done.returncode == 2


def test_a_mapping_typo_stops_before_scoring(dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    done = run(str(dataset), "-o", str(out), "--verifier", "math", "--map", "response=answr")
    assert done.returncode == 2
    assert "--map response=answr: the first record has no column 'answr'" in done.stderr
    assert "(columns: answer, completion, uid)" in done.stderr
    assert not out.exists()
    done = run(str(dataset), "-o", str(out), "--verifier", "math", "--map", "id=uid")
    assert done.returncode == 2
    assert "no 'response' column: map one with --map response=COLUMN" in done.stderr


def test_items_with_no_verifier_stop_the_run(dataset: Path, tmp_path: Path) -> None:
    done = run(str(dataset), "-o", str(tmp_path / "out.jsonl"), "--map", MAP)
    assert done.returncode == 2
    assert "256 of 256 items have no verifier" in done.stderr
    assert "Or pass --verifier NAME." in done.stderr
    assert "Traceback" not in done.stderr


def test_a_rerun_scores_failed_rows_again(tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    data.write_text(
        "".join(
            json.dumps(
                {"id": i, "response": "x", "ground_truth": "1", "options": {"seconds": i % 2}}
            )
            + "\n"
            for i in range(4)
        )
    )
    out = tmp_path / "out.jsonl"
    args = [str(data), "-o", str(out), "--verifier", "sleepy"]
    assert run(*args, "--timeout-s", "0.5").returncode == 0
    assert [r["status"] for r in lines(out)] == ["ok", "timeout", "ok", "timeout"]
    kept = run(*args, "--keep-failed")
    assert kept.returncode == 0, kept.stderr
    assert [r["status"] for r in lines(out)] == ["ok", "timeout", "ok", "timeout"]
    again = run(*args)
    assert again.returncode == 0, again.stderr
    assert "scoring again the rows that failed in the earlier run: 2 timeout" in again.stderr
    assert [(r["id"], r["status"]) for r in lines(out)] == [
        ("0", "ok"),
        ("2", "ok"),
        ("1", "ok"),
        ("3", "ok"),
    ]
    summary = dict(
        line.strip("│ ").rsplit("│", 1)
        for line in again.stderr.splitlines()
        if line.count("│") == 3
    )
    summary = {key.strip(): value.strip() for key, value in summary.items()}
    assert summary["rows in output"] == "4"
    assert summary["kept from an earlier run"] == "2"
    assert summary["failed earlier, scored again"] == "2"
    assert summary["mean reward"] == "1.0000"  # over the whole file, not this run's rows


def test_an_unreachable_server_is_one_line(dataset: Path, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    done = run(str(dataset), "-o", str(tmp_path / "o.jsonl"), "--map", MAP, "--url", url)
    assert done.returncode == 1
    assert done.stderr.startswith(f"reward-server score: cannot reach the server at {url}: ")
    assert len(done.stderr.splitlines()) == 1


def test_bad_items_get_invalid_input_lines(tmp_path: Path) -> None:
    data = tmp_path / "mixed.jsonl"
    data.write_text(
        json.dumps({"response": "\\boxed{1}", "ground_truth": "1"})
        + "\n"
        + json.dumps({"response": "\\boxed{1}"})
        + "\n"
    )
    done = run(str(data), "-o", "-", "--verifier", "math")
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["status"] for r in results] == ["ok", "invalid_input"]


def test_parquet_input(tmp_path: Path) -> None:
    import pyarrow
    import pyarrow.parquet as parquet

    table = pyarrow.table({"response": ["\\boxed{2}", "\\boxed{3}"], "ground_truth": ["2", "2"]})
    parquet.write_table(table, tmp_path / "in.parquet")
    done = run(str(tmp_path / "in.parquet"), "-o", "-", "--verifier", "math")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["reward"] for line in done.stdout.splitlines()] == [1.0, 0.0]


def test_against_a_server_equals_in_process(server: Server, dataset: Path, tmp_path: Path) -> None:
    local, remote = tmp_path / "local.jsonl", tmp_path / "remote.jsonl"
    assert run(str(dataset), "-o", str(local), "--verifier", "math", "--map", MAP).returncode == 0
    done = run(
        str(dataset), "-o", str(remote), "--verifier", "math", "--map", MAP, "--url", server.url
    )
    assert done.returncode == 0, done.stderr
    assert remote.read_text() == local.read_text()


@pytest.mark.slow
def test_ray_output_equals_the_local_output(dataset: Path, tmp_path: Path) -> None:
    local, distributed = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    assert run(str(dataset), "-o", str(local), "--verifier", "math", "--map", MAP).returncode == 0
    done = run(
        str(dataset),
        "-o",
        str(distributed),
        "--verifier",
        "math",
        "--map",
        MAP,
        "--ray",
        "--chunk-size",
        "100",
    )
    assert done.returncode == 0, done.stderr
    assert distributed.read_text() == local.read_text()
