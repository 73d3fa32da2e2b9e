"""Offline scoring of a dataset file: ``reward-server score IN -o OUT``.

Records are read from JSONL (``-`` for stdin) or parquet (when pyarrow is installed),
mapped to items, scored in chunks in input order (in-process, against a server, or on a
Ray cluster), and appended to OUT as JSONL, one result per record, flushed after every
chunk. A rerun with the same OUT resumes: records whose id is already there are skipped,
and a half-written last line is dropped, so an interrupted run finishes with the same file
an uninterrupted one writes. Timings are left out of the output for that reason. Rows that
failed (``invalid_input``, ``error``, ``timeout``) are taken out and scored again, unless
asked to keep them. The mapping is checked against the first record before anything is
scored: a typo must not become thousands of ``invalid_input`` rows.
"""

from __future__ import annotations

import collections
import itertools
import json
import os
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from reward_server.misconfiguration import failed_batch
from reward_server.models import Result
from reward_server.stats import Stats

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
REQUIRED_FIELDS = ("response", "ground_truth")
RESCORED_STATUSES = frozenset({"invalid_input", "error", "timeout"})
"""Statuses of rows that a rerun scores again (unless --keep-failed): they are not
judgements of the model, and most often the run's own mistake or a passing failure."""
MAX_COLUMNS_SHOWN = 30
Scorer = Callable[[list[dict[str, Any]]], list[Result]]


class BatchError(ValueError):
    """Unusable input, mapping or output; the message is for the user."""


class ServerUnavailable(RuntimeError):
    """The server given with --url cannot be reached or gave up; the message is one line."""


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


def check_mapping(
    records: Iterator[dict[str, Any]], mapping: dict[str, str]
) -> Iterator[dict[str, Any]]:
    """``records`` again, after checking that the first one has every mapped column and a
    column for each required field."""
    try:
        first = next(records)
    except StopIteration:
        return iter(())
    columns = sorted(first)
    shown = ", ".join(columns[:MAX_COLUMNS_SHOWN]) + (
        f" (+{len(columns) - MAX_COLUMNS_SHOWN} more)" if len(columns) > MAX_COLUMNS_SHOWN else ""
    )
    for name, column in mapping.items():
        if column not in first:
            raise BatchError(
                f"--map {name}={column}: the first record has no column {column!r} "
                f"(columns: {shown or 'none'})"
            )
    for name in REQUIRED_FIELDS:
        if mapping.get(name, name) not in first:
            raise BatchError(
                f"the first record has no {name!r} column: map one with --map "
                f"{name}=COLUMN (columns: {shown or 'none'})"
            )
    return itertools.chain([first], records)


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


@dataclass(frozen=True, slots=True)
class Resume:
    """What an earlier run left in OUT."""

    done: set[str] = field(default_factory=set)
    dropped: Counter = field(default_factory=Counter)  # failed rows taken out, by status


def resume(output: Path, *, keep_failed: bool = False) -> Resume:
    """Ids already in OUT. A half-written last line is cut off, and, unless
    ``keep_failed``, rows that failed are taken out of the file to be scored again."""
    if not output.exists():
        return Resume()
    data = output.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    kept, done, dropped = [], set(), Counter()
    for line in complete.decode("utf-8").splitlines(keepends=True):
        if not line.strip():
            continue
        row = json.loads(line)
        if not keep_failed and row.get("status") in RESCORED_STATUSES:
            dropped[row["status"]] += 1
            continue
        kept.append(line)
        done.add(str(row["id"]))
    if dropped:
        partial = output.with_name(output.name + ".resume")
        partial.write_text("".join(kept), encoding="utf-8")
        os.replace(partial, output)  # whole or not at all
    elif len(complete) != len(data):
        with output.open("r+b") as handle:
            handle.truncate(len(complete))
    return Resume(done, dropped)


@dataclass
class Summary:
    """Rows of the output (the whole file, earlier runs included), and what this run did."""

    count: int = 0
    scored: int = 0  # in this run
    skipped: int = 0  # already in the output
    rescored: int = 0  # failed in an earlier run, scored again
    reward_total: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    by_verifier: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def add(self, result: Result) -> None:
        self.count += 1
        self.reward_total += result.reward
        self.statuses[result.status.value] += 1
        self.by_verifier[result.verifier or "(none)"].append(result.reward)

    def of_file(self, output: Path) -> Summary:
        """This run's counts, with the rows, rewards and statuses of the whole file."""
        whole = Summary(scored=self.scored, skipped=self.skipped, rescored=self.rescored)
        for result in read_results(output):
            whole.add(result)
        return whole

    @property
    def mean_reward(self) -> float:
        return self.reward_total / self.count if self.count else 0.0


def read_results(output: Path) -> Iterable[Result]:
    with output.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield Result.model_validate_json(line)


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
    stats: Stats | None = None,
) -> Summary:
    """Score every record not in ``skip`` and write its result line to ``out``; with
    ``stats``, record each chunk there too (``--report``)."""
    summary = Summary()
    sent: collections.deque[list[dict[str, Any]]] = collections.deque()

    def remembered(chunks: Iterator[list[dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
        """Chunks come back in order; a scorer may hold a few at once (Ray)."""
        for chunk in chunks:
            if stats is not None:
                sent.append(chunk)
            yield chunk

    def pending() -> Iterator[dict[str, Any]]:
        for index, record in enumerate(records):
            item = to_item(record, index, mapping, verifier)
            if item["id"] in skip:
                summary.skipped += 1
                progress(1)
                continue
            yield item

    for results in score_chunks(remembered(_chunks(pending(), chunk_size))):
        for result in results:
            out.write(result.model_dump_json(exclude={"elapsed_ms"}) + "\n")
            summary.add(result)
        if stats is not None:
            stats.record(sent.popleft(), results, failed_batch=failed_batch(results))
        summary.scored += len(results)
        out.flush()
        progress(len(results))
    return summary


def local_scorer(settings: Any, timeout_s: float | None):
    """Chunks scored by an in-process engine, one chunk at a time."""
    from reward_server.engine import Engine

    def score_chunks(chunks: Iterator[list[dict]]) -> Iterator[list[Result]]:
        with Engine(settings).start() as engine:
            for chunk in chunks:
                yield engine.score(chunk, timeout_s, reject_unresolved=True)

    return score_chunks


def remote_scorer(url: str, timeout_s: float | None):
    """Chunks scored by a running server, which must answer before anything is read."""
    import httpx

    from reward_server.client import RewardClient, RewardServerError

    try:
        httpx.get(f"{url.rstrip('/')}/healthz", timeout=10)
    except httpx.TransportError as exc:
        raise ServerUnavailable(f"cannot reach the server at {url}: {exc}") from None

    def score_chunks(chunks: Iterator[list[dict]]) -> Iterator[list[Result]]:
        with RewardClient(url) as client:
            for chunk in chunks:
                try:
                    yield client.score(chunk, timeout_s=timeout_s, reject_unresolved=True)
                except RewardServerError as exc:
                    if exc.status_code == 422:  # the items' verifier, our caller's mistake
                        raise BatchError(str(exc)) from None
                    raise ServerUnavailable(str(exc)) from None

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
        ("rows in output", str(summary.count)),
        ("scored in this run", str(summary.scored)),
        ("kept from an earlier run", str(summary.skipped)),
    ]
    if summary.rescored:
        rows.append(("failed earlier, scored again", str(summary.rescored)))
    rows += [("mean reward", f"{summary.mean_reward:.4f}")]
    rows += [(f"status {name}", str(n)) for name, n in sorted(summary.statuses.items())]
    for name, rewards in sorted(summary.by_verifier.items()):
        rows.append(
            (f"verifier {name}", f"{len(rewards)} items, mean {sum(rewards) / len(rewards):.4f}")
        )
    return rows
