"""The ``reward-server`` command."""

from __future__ import annotations

import json
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
) -> None:
    """Start the HTTP service."""
    import uvicorn

    from reward_server.app import create_app

    settings = _load(config, host=host, port=port, workers=workers, log_level=log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
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
