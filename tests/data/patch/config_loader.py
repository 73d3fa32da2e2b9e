"""Load layered configuration from defaults, files and the environment."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

ENV_PREFIX = "APP_"
DEFAULTS: dict[str, Any] = {
    "debug": False,
    "port": 8080,
    "host": "127.0.0.1",
    "workers": 2,
    "log_level": "info",
    "database": {"url": "sqlite:///app.db", "pool_size": 5},
}


class ConfigError(ValueError):
    pass


def _parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"not a boolean: {value!r}")


def _parse_value(raw: str, current: Any) -> Any:
    if isinstance(current, bool):
        return _parse_bool(raw)
    if isinstance(current, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"not an integer: {raw!r}") from None
    if isinstance(current, float):
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"not a number: {raw!r}") from None
    return raw


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = value
    return result


def load_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be an object")
    return data


def from_environment(config: dict[str, Any], environ: dict[str, str] | None = None) -> dict:
    environ = dict(os.environ if environ is None else environ)
    result = dict(config)
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        key = name[len(ENV_PREFIX) :].lower()
        if "__" in key:
            section, _, option = key.partition("__")
            if not isinstance(result.get(section), dict):
                continue
            nested = dict(result[section])
            nested[option] = _parse_value(raw, nested.get(option))
            result[section] = nested
        elif key in result:
            result[key] = _parse_value(raw, result[key])
    return result


def validate(config: dict[str, Any]) -> None:
    port = config.get("port")
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigError(f"invalid port: {port!r}")
    workers = config.get("workers")
    if not isinstance(workers, int) or workers < 1:
        raise ConfigError(f"invalid workers: {workers!r}")
    if config.get("log_level") not in ("debug", "info", "warning", "error"):
        raise ConfigError(f"invalid log_level: {config.get('log_level')!r}")


def load(paths: list[Path], environ: dict[str, str] | None = None) -> dict[str, Any]:
    config = dict(DEFAULTS)
    for path in paths:
        config = merge(config, load_file(path))
    config = from_environment(config, environ)
    validate(config)
    return config


def dump(config: dict[str, Any]) -> str:
    return json.dumps(config, indent=2, sort_keys=True)
