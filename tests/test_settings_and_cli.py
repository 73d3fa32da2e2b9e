"""Settings sources, the CLI, and a server configured by a TOML file and the environment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from reward_server.settings import DEFAULT_ROUTES, Settings, load_settings
from tests.conftest import start_server, stop_server
from tests.helpers import item

CONFIG = """
max_items = 2
failure_reward = -1.0
default_verifier = "exact_match"
max_timeout_s = 1.0

[routes]
"qa_*" = "exact_match"
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "reward-server.toml"
    path.write_text(CONFIG)
    return path


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REWARD_SERVER_CONFIG", raising=False)
    settings = load_settings()
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.default_timeout_s == 10.0
    assert settings.max_body_bytes == 32 * 2**20
    assert settings.max_items == 4096
    assert settings.max_field_chars == 1_000_000
    assert settings.routes == DEFAULT_ROUTES
    assert settings.workers >= 1


def test_precedence(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REWARD_SERVER_FAILURE_REWARD", "-0.5")
    settings = load_settings(config_file, max_timeout_s=3.0, port=None)
    assert settings.max_items == 2  # from the file
    assert settings.failure_reward == -0.5  # the environment beats the file
    assert settings.max_timeout_s == 3.0  # explicit values beat both
    assert settings.port == 8000  # None means "not given"
    assert settings.routes == {"qa_*": "exact_match"}


def test_config_from_environment_variable(config_file: Path, monkeypatch) -> None:
    monkeypatch.setenv("REWARD_SERVER_CONFIG", str(config_file))
    assert load_settings().max_items == 2


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="configuration file not found"):
        load_settings(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    "bad", [{"workers": 0}, {"max_items": -1}, {"port": 70000}, {"no_such_setting": 1}]
)
def test_invalid_settings(bad: dict) -> None:
    with pytest.raises(ValidationError):
        Settings(**bad)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reward_server", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_lists_verifiers() -> None:
    table = run_cli("verifiers")
    assert table.returncode == 0, table.stderr
    assert "exact_match" in table.stdout and "case_sensitive" in table.stdout
    listing = json.loads(run_cli("verifiers", "--json").stdout)
    exact = next(v for v in listing if v["name"] == "exact_match")
    assert exact["options_schema"]["properties"]["strip"]["default"] is True


def test_cli_rejects_a_missing_config(tmp_path: Path) -> None:
    result = run_cli("serve", "--config", str(tmp_path / "absent.toml"))
    assert result.returncode == 2
    assert "configuration file not found" in result.stderr


def test_cli_help_names_the_commands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert "serve" in result.stdout and "verifiers" in result.stdout


def test_server_honours_file_and_environment(config_file: Path, tmp_path: Path) -> None:
    server = start_server(
        tmp_path / "server.log",
        "--config",
        str(config_file),
        "--workers",
        "1",
        env={"REWARD_SERVER_MAX_ITEMS": "3"},
    )
    try:
        with server.client() as client:
            assert client.get("/readyz").json()["workers"] == 1
            too_many = client.post("/v1/rewards", json={"items": [item("exact_match")] * 4})
            assert too_many.status_code == 413
            results = client.post(
                "/v1/rewards",
                json={
                    "items": [
                        {"response": "a", "ground_truth": "a"},
                        {"data_source": "qa_trivia", "response": "a", "ground_truth": "b"},
                        item("sleep_forever"),
                    ],
                    "timeout_s": 30,
                },
            ).json()["results"]
    finally:
        stop_server(server)
    assert [(r["verifier"], r["status"], r["reward"]) for r in results] == [
        ("exact_match", "ok", 1.0),
        ("exact_match", "ok", 0.0),
        ("sleep_forever", "timeout", -1.0),
    ]
    assert "1 s deadline" in results[2]["detail"]
