"""The ``reward-server`` command."""

from __future__ import annotations

import json
import logging.config
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from reward_server.settings import Settings

app = typer.Typer(
    name="reward-server",
    help="Rule-based, verifiable rewards for RL post-training, as a service.",
    no_args_is_help=True,
    add_completion=False,
)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="TOML settings file (else $REWARD_SERVER_CONFIG)."),
]


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind [127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind [8000].")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes [one per core].")] = None,
    config: ConfigOption = None,
    log_level: Annotated[str | None, typer.Option(help="debug, info, warning, error.")] = None,
    ray_address: Annotated[
        str | None,
        typer.Option(help="Score on the nodes of this Ray cluster (one engine actor per node)."),
    ] = None,
) -> None:
    """Start the HTTP service."""
    import uvicorn

    from reward_server.app import create_app
    from reward_server.observability import logging_config

    settings = _load(
        config,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        ray_address=ray_address,
    )
    log_config = logging_config(settings.log_level, settings.log_format)
    logging.config.dictConfig(log_config)
    try:
        app = create_app(settings)
    except ValueError as exc:  # settings that only the installed verifiers can check
        typer.echo(f"reward-server: invalid configuration: {exc}", err=True)
        raise typer.Exit(2) from None
    # On SIGTERM uvicorn stops accepting, lets in-flight requests finish (up to 30 s),
    # then the app's shutdown stops the workers.
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=log_config,
        log_level=settings.log_level,
        limit_concurrency=settings.max_connections,
        timeout_graceful_shutdown=30,
    )


@app.command("verifiers")
def list_verifiers(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the installed verifiers, their options and reward components."""
    from verifiers.registry import default_registry

    registry = default_registry()
    if as_json:
        from reward_server.models import VerifierInfo

        settings = _load(None)
        listing = [
            VerifierInfo.of(v, settings.default_timeout_s, settings.max_timeout_s).model_dump()
            for v in registry.values()
        ]
        typer.echo(json.dumps(listing, indent=2))
        return
    table = Table(title="Installed verifiers")
    for column in ("name", "description", "options", "components"):
        table.add_column(column)
    for v in registry.values():
        options = "\n".join(
            f"{name}: {_type_name(field.annotation)} = {field.default!r}"
            for name, field in v.options_model.model_fields.items()
        )
        table.add_row(v.name, v.description, options or "-", ", ".join(v.components) or "-")
    console = Console()
    console.print(table)
    for name, error in registry.load_errors.items():
        console.print(f"[yellow]not loaded[/]: {name}: {error}")


@app.command()
def score(
    input_path: Annotated[
        str, typer.Argument(help="JSONL or parquet file of records; - for stdin.")
    ],
    output: Annotated[
        str, typer.Option("--output", "-o", help="JSONL results; - for stdout. Reruns resume.")
    ],
    verifier: Annotated[
        str | None, typer.Option(help="Verifier for records that name none.")
    ] = None,
    mapping: Annotated[
        str | None,
        typer.Option("--map", help="Item fields from other columns: response=completion,..."),
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="Score against this server instead of in-process.")
    ] = None,
    ray: Annotated[bool, typer.Option("--ray", help="Spread the work over a Ray cluster.")] = False,
    ray_address: Annotated[
        str | None, typer.Option(help="Ray cluster to join (default: local or $RAY_ADDRESS).")
    ] = None,
    chunk_size: Annotated[int, typer.Option(min=1, help="Items per chunk.")] = 256,
    timeout_s: Annotated[float | None, typer.Option(help="Per-item deadline.")] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Also write this run's charts (rewards, statuses, latency per verifier and "
            "data source) to a self-contained HTML file.",
        ),
    ] = None,
    keep_failed: Annotated[
        bool,
        typer.Option(
            "--keep-failed",
            help="On a rerun, keep rows that failed (invalid_input, error, timeout) instead "
            "of scoring them again.",
        ),
    ] = False,
    dataset: Annotated[
        str | None,
        typer.Option(
            "--dataset",
            help="SWE-bench rows (JSONL or parquet): INPUT_PATH is then a predictions file "
            "(instance_id, model_patch), scored by swe_tests, and the official harness's "
            "report is written next to the output (OUTPUT.report.json).",
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Score a dataset offline, with the same verifiers and engine as the service."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from reward_server import batch
    from reward_server.misconfiguration import UnresolvedVerifier
    from reward_server.stats import Stats

    settings = _load(config)
    err = Console(stderr=True)
    stats = Stats(bucket_s=0.25, compact=True) if report else None
    started = False
    try:
        columns = batch.parse_mapping(mapping)
        if dataset is not None:
            from reward_server import swebench_report

            if output == "-" or columns:
                raise batch.BatchError("--dataset needs an --output file and no --map")
            predictions = swebench_report.read_predictions(input_path)
            rows = swebench_report.read_dataset(dataset)
            records = swebench_report.records(predictions, rows)
        else:
            records = batch.check_mapping(batch.read_records(input_path), columns)
        earlier = batch.resume(Path(output), keep_failed=keep_failed) if output != "-" else None
        if earlier and earlier.dropped:
            failed = ", ".join(f"{n} {status}" for status, n in sorted(earlier.dropped.items()))
            err.print(f"scoring again the rows that failed in the earlier run: {failed}")
        if url:
            scorer = batch.remote_scorer(url, timeout_s)
        elif ray:
            from reward_server.ray_scoring import ray_scorer

            scorer = ray_scorer(settings, timeout_s, ray_address)
        else:
            scorer = batch.local_scorer(settings, timeout_s)
        total = (
            sum(bool(p.get("model_patch")) for p in predictions.values())
            if dataset is not None
            else batch.count_records(input_path)
        )
        sink = sys.stdout if output == "-" else Path(output).open("a", encoding="utf-8")  # noqa: SIM115
        progress = Progress(
            TextColumn("scoring"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=err,
            transient=False,
        )
        with progress:
            task = progress.add_task("score", total=total, rate="")

            def advance(done: int) -> None:
                progress.advance(task, done)
                speed = progress.tasks[0].speed
                progress.update(task, rate=f"{speed:,.0f} items/s" if speed else "")

            started = True
            try:
                summary = batch.run(
                    records,
                    sink,
                    scorer,
                    mapping=columns,
                    verifier=verifier,
                    skip=earlier.done if earlier else set(),
                    chunk_size=chunk_size,
                    progress=advance,
                    stats=stats,
                )
            finally:
                if sink is not sys.stdout:
                    sink.close()
    except (batch.BatchError, FileNotFoundError) as exc:
        typer.echo(f"reward-server score: {exc}", err=True)
        raise typer.Exit(2) from None
    except UnresolvedVerifier as exc:
        typer.echo(f"reward-server score: {exc} Or pass --verifier NAME.", err=True)
        raise typer.Exit(2) from None
    except batch.ServerUnavailable as exc:
        hint = " (the rows written so far are kept: rerun to resume)" if started else ""
        typer.echo(f"reward-server score: {exc}{hint}", err=True)
        raise typer.Exit(1) from None
    if earlier:
        summary.rescored = sum(earlier.dropped.values())
    if output != "-":
        summary = summary.of_file(Path(output))
    table = Table(title="Summary", show_header=False)
    for name, value in batch.summary_rows(summary):
        table.add_row(name, value)
    err.print(table)
    if dataset is not None:
        _write_swebench_report(Path(output), predictions, rows, err)
    if report and stats is not None:
        from reward_server.dashboard import write_report

        write_report(report, stats)
        err.print(f"report: {report}")


def _write_swebench_report(output: Path, predictions: dict, rows: dict, err: Console) -> None:
    from reward_server import batch, swebench_report

    found = swebench_report.report(predictions, rows, batch.read_results(output))
    path = output.with_name(f"{output.stem}.report.json")
    path.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
    counts = ", ".join(
        f"{found[f'{name}_instances']} {name.replace('_', ' ')}"
        for name in ("resolved", "unresolved", "empty_patch", "error")
    )
    err.print(f"SWE-bench report: {found['total_instances']} instances; {counts}: {path}")


def _type_name(annotation: object) -> str:
    return annotation.__name__ if isinstance(annotation, type) else str(annotation)


def _load(config: Path | None, **overrides: object) -> Settings:
    from pydantic import ValidationError

    from reward_server.settings import load_settings

    try:
        return load_settings(config, **overrides)
    except (FileNotFoundError, ValidationError, ValueError) as exc:
        typer.echo(f"reward-server: invalid configuration: {exc}", err=True)
        raise typer.Exit(2) from None
