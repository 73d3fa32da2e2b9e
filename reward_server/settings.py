"""Server settings: defaults < TOML file < ``REWARD_SERVER_*`` environment < explicit values."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveFloat,
    PositiveInt,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from sandbox.local import DEFAULT_HIDDEN

CONFIG_ENV_VAR = "REWARD_SERVER_CONFIG"

# Data-source names used by verl, OpenRLHF recipes and common datasets; first match wins,
# patterns are shell globs matched case-insensitively.
DEFAULT_ROUTES: dict[str, str] = {
    "openai/gsm8k": "math",
    "gsm8k": "math",
    "lighteval/math": "math",
    "digitallearninggmbh/math-lighteval": "math",
    "huggingfaceh4/math-500": "math",
    "math": "math",
    "math_dapo": "math",
    "aime*": "math",
    "amc*": "math",
    "numina_*": "math",
    # code: verl's code data sources, then the common names of the benchmarks
    "codecontests": "code_tests",
    "apps": "code_tests",
    "codeforces": "code_tests",
    "taco": "code_tests",
    "deepmind/code_contests": "code_tests",
    "codeparrot/apps": "code_tests",
    "*/taco*": "code_tests",
    "open-r1/codeforces*": "code_tests",
    "*livecodebench*": "code_tests",
    "*humaneval*": "code_tests",
    "*mbpp*": "code_tests",
    # translation: WMT news test sets (wmt14 ... wmt24, "wmt/wmt19") and FLORES
    "wmt*": "translation",
    "*/wmt*": "translation",
    "*flores*": "translation",
    # reasoning-gym: verl-style names ("reasoning_gym", "reasoning_gym/countdown") and the
    # repository's ("open-thought/reasoning-gym"); the task comes from the entry's metadata
    "reasoning_gym*": "reasoning_gym",
    "reasoning-gym*": "reasoning_gym",
    "*/reasoning_gym*": "reasoning_gym",
    "*/reasoning-gym*": "reasoning_gym",
}


class SandboxSettings(BaseModel):
    """Where sandboxed verifiers (swe_tests) run model-written code; see docs/sandbox.md."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["local", "docker"] = Field(
        "local", description="local: bubblewrap namespaces, no daemon; docker: a container per run."
    )
    required: bool = Field(
        False,
        description="Report not ready (/readyz 503) while the backend cannot isolate code. "
        "Either way, sandboxed items fail with the reason rather than run unconfined.",
    )
    slots: PositiveInt = Field(16, description="Concurrent sandbox runs across all workers.")
    uid_base: int = Field(
        61000, ge=1000, description="local, as root: slot k runs as uid uid_base + k."
    )
    hidden_paths: list[str] = Field(
        default_factory=lambda: list(DEFAULT_HIDDEN),
        description="local: host directories runs must not see (empty mounts over them); "
        "the rest of the host is visible read-only.",
    )
    docker_url: str | None = Field(
        None, description="Docker engine address (default: DOCKER_HOST, else the local socket)."
    )
    docker_image: str = Field(
        "reward-server-sandbox:latest", description="Image of runs that name none."
    )
    docker_cpus: PositiveFloat = Field(1.0, description="CPU quota of each container.")
    docker_pull: bool = Field(
        False,
        description="Pull an image that a run names and the engine lacks (swe_tests rows); "
        "off: such an item is invalid_input naming the image.",
    )
    image_namespace: str | None = Field(
        None,
        description="Registry/namespace of the images of swe_tests rows that name none "
        "(SWE-bench's naming: 'swebench' for Docker Hub's published images); none: local "
        "names sweb.eval.x86_64.<instance id>:latest.",
        pattern=r"^[a-z0-9][a-z0-9._/:-]{0,200}$",
    )

    def backend_config(self) -> dict[str, Any]:
        """Keyword arguments of ``sandbox.configure``."""
        if self.backend == "local":
            return {
                "backend": "local",
                "slots": self.slots,
                "uid_base": self.uid_base,
                "hidden_paths": self.hidden_paths,
            }
        return {
            "backend": "docker",
            "base_url": self.docker_url,
            "image": self.docker_image,
            "cpus": self.docker_cpus,
            "slots": self.slots,
            "pull": self.docker_pull,
            "image_namespace": self.image_namespace,
        }


class DashboardSettings(BaseModel):
    """The live page at /dashboard and its numbers at /v1/stats (reward_server/stats.py)."""

    model_config = ConfigDict(extra="forbid")

    show_samples: bool = Field(
        False,
        description="Show recent non-ok items' details as written, with their response and "
        "ground truth (cut short); off: no request text, quoted text in details masked.",
    )
    bucket_s: float = Field(5.0, ge=0.5, le=3600, description="Width of a time bucket (s).")
    buckets: int = Field(
        120, ge=2, le=2000, description="Buckets kept: the window is bucket_s * buckets."
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="REWARD_SERVER_",
        env_nested_delimiter="__",
        extra="forbid",
        toml_file=None,
    )

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    workers: PositiveInt = Field(
        default_factory=lambda: os.cpu_count() or 1,
        description="Worker processes for CPU-bound verifiers (default: one per core).",
    )
    default_timeout_s: PositiveFloat = Field(
        10.0, description="Per-item deadline when neither the request nor the verifier sets one."
    )
    max_timeout_s: PositiveFloat = Field(
        120.0, description="Upper bound on any per-item deadline, including a request's timeout_s."
    )
    max_body_bytes: PositiveInt = Field(32 * 2**20, description="Larger request bodies get 413.")
    max_items: PositiveInt = Field(4096, description="More items in one request get 413.")
    max_field_chars: PositiveInt = Field(
        1_000_000, description="A longer response or prompt makes that item invalid_input."
    )
    failure_reward: float = Field(
        0.0, description="Reward given for timeout, error and invalid_input results."
    )
    default_verifier: str | None = Field(
        None, description="Verifier for items that name none and whose data_source has no route."
    )
    routes: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_ROUTES),
        description="data_source glob pattern -> verifier name; first match wins.",
    )
    extra_logs_verifiers: list[str] | None = Field(
        None,
        description="Verifiers whose components are OpenRLHF extra_logs keys, besides timeout "
        "and error (default: default_verifier and the routes' verifiers).",
    )
    ray_address: str | None = Field(
        None,
        description='A Ray cluster ("auto", "ray://host:10001", host:port): items are '
        "scored by one engine actor per node instead of this host's workers.",
    )
    worker_memory_mb: int = Field(
        4096,
        ge=0,
        description="Address-space limit of each worker process (0: unlimited). A verifier "
        "that exceeds it fails its item with MemoryError instead of exhausting the host.",
    )
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    dashboard: DashboardSettings = Field(default_factory=DashboardSettings)
    workspaces: dict[str, str] = Field(
        default_factory=dict,
        description="name -> repository directory on the server, for swe_tests items that "
        "name a workspace (clients never send host paths).",
    )
    api_keys: list[str] = Field(
        default_factory=list,
        description="Accepted API keys (Authorization: Bearer or X-API-Key); none: no auth.",
    )
    api_keys_file: Path | None = Field(
        None, description="A file of API keys, one per line (# comments), added to api_keys."
    )
    max_pending_items: PositiveInt = Field(
        16384,
        description="Items accepted and not yet scored, across requests; a request that would "
        "go over gets 503 with Retry-After.",
    )
    retry_after_s: PositiveInt = Field(1, description="Retry-After of a 503 when full.")
    max_connections: PositiveInt = Field(
        1024, description="Concurrent connections; uvicorn answers 503 beyond it."
    )
    log_level: str = "info"
    log_format: Literal["json", "text"] = Field("json", description="Log lines as JSON or text.")
    access_log: bool = Field(True, description="One log line per request (never its body).")

    @model_validator(mode="after")
    def _pending_holds_a_request(self) -> Settings:
        if self.max_pending_items < self.max_items:
            raise ValueError(
                f"max_pending_items ({self.max_pending_items}) must be at least max_items "
                f"({self.max_items}), or a full-size request could never be admitted"
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings from the TOML file (argument, else ``$REWARD_SERVER_CONFIG``) and environment.

    ``overrides`` whose value is ``None`` are ignored, so CLI flags can be passed as they are.
    """
    path = config_file or os.environ.get(CONFIG_ENV_VAR)
    settings_cls: type[Settings] = Settings
    if path:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"configuration file not found: {path}")
        settings_cls = type(
            "Settings", (Settings,), {"model_config": {**Settings.model_config, "toml_file": path}}
        )
    return settings_cls(**{key: value for key, value in overrides.items() if value is not None})
