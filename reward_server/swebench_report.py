"""`reward-server score PREDICTIONS --dataset ROWS`: SWE-bench evaluation with our grader.

The predictions file is the official harness's (``instance_id``, ``model_patch``,
``model_name_or_path``; JSONL or a JSON list); the dataset rows are scored as they are by
``swe_tests``. The report has the official ``make_run_report`` keys and counts each
instance the way it does: no prediction is incomplete, an empty patch is not run, a
patch that does not apply (our ``format_error``) or a run that failed is an error,
everything else is completed and resolved or not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from reward_server.batch import BatchError, read_records
from reward_server.models import Result

REPORT_SCHEMA_VERSION = 2


def read_predictions(path: str) -> dict[str, dict[str, Any]]:
    """instance_id -> prediction; a JSON list (the official harness's other form) too."""
    if path != "-" and Path(path).suffix == ".json":
        try:
            rows = json.loads(Path(path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise BatchError(f"{path}: not JSON: {exc}") from None
        if isinstance(rows, dict):  # {instance_id: prediction}, as some tools write
            rows = [{"instance_id": key, **value} for key, value in rows.items()]
    else:
        rows = list(read_records(path))
    predictions: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict) or not isinstance(row.get("instance_id"), str):
            raise BatchError(f"{path}: prediction {number} has no instance_id")
        patch = row.get("model_patch")
        if patch is not None and not isinstance(patch, str):
            raise BatchError(f"{path}: prediction {row['instance_id']}: model_patch is not text")
        predictions[row["instance_id"]] = row
    return predictions


def read_dataset(path: str) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(read_records(path), 1):
        if not isinstance(row.get("instance_id"), str):
            raise BatchError(f"{path}: row {number} has no instance_id")
        rows[row["instance_id"]] = row
    return rows


def records(
    predictions: dict[str, dict[str, Any]], dataset: dict[str, dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """The items to score: each prediction with a non-empty patch and a dataset row."""
    unknown = sorted(predictions.keys() - dataset.keys())
    if unknown:
        shown = ", ".join(unknown[:5]) + (
            f" (+{len(unknown) - 5} more)" if len(unknown) > 5 else ""
        )
        raise BatchError(f"predictions for instances not in the dataset: {shown}")
    for instance_id, prediction in predictions.items():
        if prediction.get("model_patch"):
            yield {
                "id": instance_id,
                "verifier": "swe_tests",
                "response": prediction["model_patch"],
                "ground_truth": dataset[instance_id],
            }


def report(
    predictions: dict[str, dict[str, Any]],
    dataset: dict[str, dict[str, Any]],
    results: Iterable[Result],
) -> dict[str, Any]:
    """The official run report's keys and counts, from our results."""
    by_id = {result.id: result for result in results}
    kinds = ("completed", "incomplete", "empty_patch", "resolved", "unresolved", "error")
    ids: dict[str, set[str]] = {kind: set() for kind in kinds}
    for instance_id in dataset:
        prediction = predictions.get(instance_id)
        if prediction is None:
            ids["incomplete"].add(instance_id)
        elif not prediction.get("model_patch"):
            ids["empty_patch"].add(instance_id)
        elif (result := by_id.get(instance_id)) is None or result.status != "ok":
            ids["error"].add(instance_id)
        else:
            ids["completed"].add(instance_id)
            resolved = result.components.get("resolved") == 1.0
            ids["resolved" if resolved else "unresolved"].add(instance_id)
    counts = {f"{name}_instances": len(ids[name]) for name in ids if name != "incomplete"}
    return {
        "total_instances": len(dataset),
        "submitted_instances": len(predictions),
        **counts,
        **{f"{name}_ids": sorted(found) for name, found in ids.items()},
        "submitted_ids": sorted(predictions),
        "schema_version": REPORT_SCHEMA_VERSION,
    }
