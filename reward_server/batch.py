"""Offline scoring of a dataset file: ``reward-server score IN -o OUT``.

Records are read from JSONL (``-`` for stdin) or parquet (when pyarrow is installed),
mapped to items, scored in chunks in input order (in-process, against a server, or on a
Ray cluster), and appended to OUT as JSONL, one result per record, flushed after every
chunk. A rerun with the same OUT resumes: records whose id is already there are skipped,
and a half-written last line is dropped, so an interrupted run finishes with the same file
an uninterrupted one writes. Timings are left out of the output for that reason.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from reward_server.models import Result

ITEM_FIELDS = (
    "id",
    "verifier",
    "data_source",
    "response",
    "ground_truth",
    "prompt",
    "options",
    "extra_info",
)
Scorer = Callable[[list[dict[str, Any]]], list[Result]]


class BatchError(ValueError):
    """Unusable input, mapping or output; the message is for the user."""


def parse_mapping(text: str | None) -> dict[str, str]:
    """``response=completion,ground_truth=answer`` -> {item field: record column}."""
    mapping: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in (text or "").split(","))):
        target, separator, source = pair.partition("=")
        if not separator or not source.strip():
            raise BatchError(f"--map entries look like field=column, got {pair!r}")
        if target.strip() not in ITEM_FIELDS:
            raise BatchError(f"--map: unknown item field {target.strip()!r}")
        mapping[target.strip()] = source.strip()
    return mapping


def read_records(path: str) -> Iterator[dict[str, Any]]:
    if path != "-" and path.endswith(".parquet"):
        yield from _parquet_records(Path(path))
        return
    stream = sys.stdin if path == "-" else Path(path).open(encoding="utf-8")  # noqa: SIM115
    try:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BatchError(f"{path}:{number}: not JSON: {exc.msg}") from None
            if not isinstance(record, dict):
                raise BatchError(f"{path}:{number}: each line must be a JSON object")
            yield record
    finally:
        if stream is not sys.stdin:
            stream.close()


def _parquet_records(path: Path) -> Iterator[dict[str, Any]]:
    try:
        import pyarrow.parquet as parquet
    except ImportError:
        raise BatchError("reading parquet needs pyarrow: pip install pyarrow") from None
    for batch in parquet.ParquetFile(path).iter_batches():
        yield from batch.to_pylist()


def to_item(record: dict[str, Any], index: int, mapping: dict[str, str], verifier: str | None):
    """The item for one record; its id is the record's (mapped) id, else its index."""
    item = {}
    for name in ITEM_FIELDS:
        column = mapping.get(name, name)
        if column in record:
            item[name] = record[column]
    item["id"] = str(item.get("id", index))
    if verifier and not item.get("verifier"):
        item["verifier"] = verifier
    return item


def done_ids(output: Path) -> set[str]:
    """Ids already in OUT; a half-written last line is cut off first."""
    if not output.exists():
        return set()
    data = output.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    if len(complete) != len(data):
        with output.open("r+b") as handle:
            handle.truncate(len(complete))
    ids = set()
    for line in complete.decode("utf-8").splitlines():
        if line.strip():
            ids.add(str(json.loads(line)["id"]))
    return ids


@dataclass
class Summary:
    count: int = 0
    skipped: int = 0
    reward_total: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    by_verifier: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def add(self, result: Result) -> None:
        self.count += 1
        self.reward_total += result.reward
        self.statuses[result.status.value] += 1
        self.by_verifier[result.verifier or "(none)"].append(result.reward)

    @property
    def mean_reward(self) -> float:
        return self.reward_total / self.count if self.count else 0.0


def _chunks(items: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run(
    records: Iterator[dict[str, Any]],
    out: IO[str],
    score_chunks: Callable[[Iterator[list[dict[str, Any]]]], Iterator[list[Result]]],
    *,
    mapping: dict[str, str],
    verifier: str | None,
    skip: set[str],
    chunk_size: int,
    progress: Callable[[int], None] = lambda _: None,
) -> Summary:
    """Score every record not in ``skip`` and write its result line to ``out``."""
    summary = Summary()

    def pending() -> Iterator[dict[str, Any]]:
        for index, record in enumerate(records):
            item = to_item(record, index, mapping, verifier)
            if item["id"] in skip:
                summary.skipped += 1
                progress(1)
                continue
            yield item

    for results in score_chunks(_chunks(pending(), chunk_size)):
        for result in results:
            out.write(result.model_dump_json(exclude={"elapsed_ms"}) + "\n")
            summary.add(result)
        out.flush()
        progress(len(results))
    return summary


def local_scorer(settings: Any, timeout_s: float | None):
    """Chunks scored by an in-process engine, one chunk at a time."""
    from reward_server.engine import Engine

    def score_chunks(chunks: Iterator[list[dict]]) -> Iterator[list[Result]]:
        with Engine(settings).start() as engine:
            for chunk in chunks:
                yield engine.score(chunk, timeout_s)

    return score_chunks


def remote_scorer(url: str, timeout_s: float | None):
    """Chunks scored by a running server."""
    from reward_server.client import RewardClient

    def score_chunks(chunks: Iterator[list[dict]]) -> Iterator[list[Result]]:
        with RewardClient(url) as client:
            for chunk in chunks:
                yield client.score(chunk, timeout_s=timeout_s)

    return score_chunks


def count_records(path: str) -> int | None:
    """Records in a file, for the progress bar's ETA (None for stdin)."""
    if path == "-":
        return None
    if path.endswith(".parquet"):
        try:
            import pyarrow.parquet as parquet
        except ImportError:
            return None
        return parquet.ParquetFile(path).metadata.num_rows
    with Path(path).open("rb") as handle:
        return sum(1 for line in handle if line.strip())


def summary_rows(summary: Summary) -> Sequence[tuple[str, str]]:
    rows = [
        ("scored", str(summary.count)),
        ("skipped (already in output)", str(summary.skipped)),
        ("mean reward", f"{summary.mean_reward:.4f}"),
    ]
    rows += [(f"status {name}", str(n)) for name, n in sorted(summary.statuses.items())]
    for name, rewards in sorted(summary.by_verifier.items()):
        rows.append(
            (f"verifier {name}", f"{len(rewards)} items, mean {sum(rewards) / len(rewards):.4f}")
        )
    return rows
