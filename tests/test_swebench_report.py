"""`reward-server score PREDICTIONS --dataset ROWS`: the official harness's report.

Predictions in SWE-bench's format for the three packages of tests/data/swe, scored for real
(local sandbox) by the CLI; the report's keys are the official ``make_run_report``'s and
each instance is counted where the official harness counts it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests import swe_fixtures
from tests.test_batch_cli import environment

COMMAND = [sys.executable, "-m", "reward_server", "score"]
# The keys of swebench 5.0.2's make_run_report that do not depend on its log directory.
OFFICIAL_KEYS = {
    "total_instances",
    "submitted_instances",
    "completed_instances",
    "resolved_instances",
    "unresolved_instances",
    "empty_patch_instances",
    "error_instances",
    "completed_ids",
    "incomplete_ids",
    "empty_patch_ids",
    "submitted_ids",
    "resolved_ids",
    "unresolved_ids",
    "error_ids",
    "schema_version",
}


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def score(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*COMMAND, *args],
        capture_output=True,
        text=True,
        env=environment(),
        timeout=600,
        check=False,
    )


def score_predictions(
    tmp_path: Path, predictions: list[dict], rows: list[dict], output: str = "out.jsonl"
) -> subprocess.CompletedProcess:
    return score(
        str(write_jsonl(tmp_path / "preds.jsonl", predictions)),
        "--dataset",
        str(write_jsonl(tmp_path / "rows.jsonl", rows)),
        "-o",
        str(tmp_path / output),
    )


def test_predictions_are_scored_and_reported_as_the_official_harness_does(tmp_path):
    fixtures = {name: swe_fixtures.load(name) for name in swe_fixtures.NAMES}
    rows = [
        {**fixture.ground_truth("archive"), "instance_id": f"local__{name}-1"}
        for name, fixture in fixtures.items()
    ]
    # A fourth row nobody predicted: incomplete.
    rows.append({**rows[0], "instance_id": "local__calc-2"})
    predictions = [
        {
            "instance_id": "local__calc-1",
            "model_patch": fixtures["calc"].gold,
            "model_name_or_path": "m",
        },
        {
            "instance_id": "local__textkit-1",
            "model_patch": fixtures["textkit"].break_p2p,
            "model_name_or_path": "m",
        },
        {"instance_id": "local__inventory-1", "model_patch": "", "model_name_or_path": "m"},
    ]
    output = tmp_path / "results.jsonl"
    done = score_predictions(tmp_path, predictions, rows, output.name)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "results.report.json").read_text())
    assert set(report) == OFFICIAL_KEYS
    assert report["total_instances"] == 4
    assert report["submitted_instances"] == 3
    assert report["resolved_ids"] == ["local__calc-1"]
    assert report["unresolved_ids"] == ["local__textkit-1"]
    assert report["empty_patch_ids"] == ["local__inventory-1"]
    assert report["incomplete_ids"] == ["local__calc-2"]
    assert report["completed_instances"] == 2
    assert report["error_ids"] == []
    # The per-item results are the service's: rewards with their components.
    results = [json.loads(line) for line in output.read_text().splitlines()]
    assert {r["id"]: r["reward"] for r in results} == {
        "local__calc-1": 1.0,
        "local__textkit-1": 0.0,
    }
    assert "1 resolved, 1 unresolved, 1 empty patch, 0 error" in done.stderr


def test_a_patch_that_does_not_apply_is_an_error_as_officially(tmp_path):
    fixture = swe_fixtures.load("calc")
    rows = [{**fixture.ground_truth("archive"), "instance_id": "local__calc-1"}]
    broken = (
        "diff --git a/nowhere.py b/nowhere.py\n"
        "--- a/nowhere.py\n+++ b/nowhere.py\n@@ -1 +1 @@\n-a\n+b\n"
    )
    predictions = [{"instance_id": "local__calc-1", "model_patch": broken}]
    done = score_predictions(tmp_path, predictions, rows)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "out.report.json").read_text())
    assert report["error_ids"] == ["local__calc-1"]
    assert report["completed_instances"] == 0


def test_predictions_for_unknown_instances_are_refused(tmp_path):
    fixture = swe_fixtures.load("calc")
    rows = [{**fixture.ground_truth("archive"), "instance_id": "local__calc-1"}]
    predictions = [{"instance_id": "other__repo-9", "model_patch": fixture.gold}]
    done = score_predictions(tmp_path, predictions, rows)
    assert done.returncode == 2
    assert "predictions for instances not in the dataset: other__repo-9" in done.stderr
