"""Settings: CLI flags over `CARDFLOW_*` environment variables over defaults."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from cardflow.chat.backends.registry import backend_choices

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def default_data_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cardflow"


def is_loopback(host: str) -> bool:
    if host in ("localhost", "[::1]"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 5001
    data_dir: Path = field(default_factory=default_data_dir)
    debug: bool = False
    reload: bool = False
    open_browser: bool = True
    # A shared secret; required before binding anything but loopback (see docs/security.md).
    token: str | None = None
    # Extra Host header names to accept besides loopback and `host` (comma separated in env).
    allowed_hosts: tuple[str, ...] = ()
    # LLM choice: "auto" or a registered backend (cardflow.chat.backends.registry.backend_choices)
    llm: str = "auto"
    ollama_host: str | None = None
    openai_base_url: str | None = None
    openai_api_key: str | None = None
    botify_api: str = "https://api.botify.com"
    # Rows per Botify direct-download export: Botify's default cap, which some plans raise.
    botify_max_rows: int = 1_000_000
    # Extra folder of single-file apps (`cardflow new workflow --dir`).
    plugins_dir: Path | None = None
    # Largest request body accepted, in MiB: bigger ones get 413 before they are read into memory.
    max_body_mb: float = 10.0
    max_upload_mb: float = 2048.0  # caps every upload step's own max_mb (uploads stream to disk)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "cardflow.db"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def max_body_bytes(self) -> int:
        return int(self.max_body_mb * 1024 * 1024)

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        return f"http://{host}:{self.port}"

    def host_allowlist(self) -> set[str]:
        names = {"localhost", "127.0.0.1", "[::1]", "::1", self.host.lower(), *map(str.lower, self.allowed_hosts)}
        return {n for n in names if n}

    # Any: the overrides are argparse values (the CLI flags), untyped until they land in a field.
    def with_overrides(self, **overrides: Any) -> Settings:
        known = {f.name for f in fields(self)}
        return replace(self, **{k: v for k, v in overrides.items() if k in known and v is not None})


def _env_bool(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def from_env(env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from `CARDFLOW_*` variables, then apply explicit overrides (CLI flags)."""
    env = dict(os.environ if env is None else env)
    values: dict[str, Any] = {"data_dir": default_data_dir(env)}
    if v := env.get("CARDFLOW_HOST"):
        values["host"] = v
    if v := env.get("CARDFLOW_PORT"):
        try:
            values["port"] = int(v)
        except ValueError as exc:
            raise SettingsError(f"CARDFLOW_PORT must be a number, not {v!r}") from exc
    if v := env.get("CARDFLOW_DATA_DIR"):
        values["data_dir"] = Path(v).expanduser()
    if v := env.get("CARDFLOW_DEBUG"):
        values["debug"] = _env_bool(v)
    if v := env.get("CARDFLOW_TOKEN"):
        values["token"] = v
    if v := env.get("CARDFLOW_ALLOWED_HOSTS"):
        values["allowed_hosts"] = tuple(h.strip() for h in v.split(",") if h.strip())
    if v := env.get("CARDFLOW_LLM"):
        values["llm"] = v
    if v := env.get("OLLAMA_HOST"):
        values["ollama_host"] = v
    if v := env.get("CARDFLOW_OPENAI_BASE_URL"):
        values["openai_base_url"] = v
    if v := env.get("CARDFLOW_OPENAI_API_KEY"):
        values["openai_api_key"] = v
    if v := env.get("CARDFLOW_BOTIFY_API"):
        values["botify_api"] = v.rstrip("/")
    if v := env.get("CARDFLOW_BOTIFY_MAX_ROWS"):
        if not (v.strip().isascii() and v.strip().isdigit() and 0 < int(v) <= 10**9):
            raise SettingsError(f"CARDFLOW_BOTIFY_MAX_ROWS must be a whole number of rows, not {v!r}")
        values["botify_max_rows"] = int(v)
    if v := env.get("CARDFLOW_PLUGINS_DIR"):
        values["plugins_dir"] = Path(v).expanduser()
    if v := env.get("CARDFLOW_MAX_BODY_MB"):
        values["max_body_mb"] = _positive_mb(v)
    if v := env.get("CARDFLOW_MAX_UPLOAD_MB"):
        values["max_upload_mb"] = _positive_mb(v)
    if env.get("CI") or not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or _is_macos()):
        values["open_browser"] = False
    settings = Settings(**values).with_overrides(**overrides)
    if isinstance(settings.data_dir, str):
        settings = replace(settings, data_dir=Path(settings.data_dir))
    choices = backend_choices()
    if settings.llm not in choices:
        listed = f"{', '.join(choices[:-1])} or {choices[-1]}"
        raise SettingsError(f"CARDFLOW_LLM must be {listed}, not {settings.llm!r}")
    return settings


def _positive_mb(value: str) -> float:
    try:
        mb = float(value)
    except ValueError:
        mb = float("nan")
    # nan and inf would disable the limit by accident; 0 would refuse every form post.
    if not (0 < mb < 1024 * 1024):
        raise SettingsError(f"CARDFLOW_MAX_BODY_MB must be a positive number of MiB, not {value!r}")
    return mb


def _is_macos() -> bool:
    return os.uname().sysname == "Darwin" if hasattr(os, "uname") else False


class SettingsError(ValueError):
    """A setting that cannot work; the message is shown to the user as is."""
