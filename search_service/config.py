"""Settings from one place: defaults, then a TOML file, then SEARCH_SERVICE_* variables.

The CLI layers its flags on top (``--data-dir``). ``SETTINGS`` is the one declared list;
``search-service config`` prints each resolved value and where it came from.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

ENV_PREFIX = "SEARCH_SERVICE_"
CONFIG_ENV = "SEARCH_SERVICE_CONFIG"


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting: its name (snake_case everywhere), default and help text."""

    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", "./var", "Directory holding the SQLite store and the index generations."),
    Setting("host", "127.0.0.1", "Address `serve` binds to (loopback unless told otherwise)."),
    Setting("port", 8000, "Port `serve` listens on."),
    Setting("workers", 0, "gunicorn worker processes (0: from the CPU count, capped at 8)."),
    Setting("page_size", 10, "Results per page when the request does not say."),
    Setting("site_name", "search-service", "Name shown in page titles and the header."),
    Setting(
        "cors_origins",
        "*",
        "Origins whose pages may call the read-only JSON API from a browser (the embed.js "
        "widget): `*` for any, a comma-separated list such as "
        "`https://a.example,https://b.example`, or empty for none.",
    ),
    Setting(
        "rate_limit",
        "120 per minute",
        "Requests per client address to the search page, the API and the embed endpoints, "
        "counted in each gunicorn worker (so up to workers × this in all); `off` disables. "
        "Health, readiness and metrics endpoints are never limited.",
    ),
    Setting(
        "postings_cache_mb",
        0,
        "Memory per worker for decoded posting lists, in MB. 0 chooses from the index size: "
        "64 MB, or 256 bytes per document when that is more (240 MB at a million). Large "
        "archives answer faster when the common words of their queries fit.",
    ),
)


class ConfigError(Exception):
    """Raised when a config file or variable cannot be read; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    """The resolved settings, and where each came from."""

    data_dir: Path
    host: str
    port: int
    workers: int
    page_size: int
    site_name: str
    cors_origins: str
    rate_limit: str
    postings_cache_mb: int
    sources: Mapping[str, str]

    def as_flask_config(self) -> dict[str, Any]:
        """Upper-case keys for ``app.config``."""
        return {f.name.upper(): getattr(self, f.name) for f in fields(self) if f.name != "sources"}


def _coerce(name: str, value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        return str(value).lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"setting {name}: expected a whole number, got {value!r}") from None
    return str(value)


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve the settings: defaults < TOML file < environment < ``overrides``.

    The TOML file is the one named by ``SEARCH_SERVICE_CONFIG``, else ``search-service.toml``
    in the working directory when it exists.

    Raises:
        ConfigError: the file is unreadable or a value has the wrong type.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    sources = {s.name: "default" for s in SETTINGS}

    config_path = env.get(CONFIG_ENV)
    path = Path(config_path) if config_path else Path("search-service.toml")
    if config_path or path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise ConfigError(f"cannot read config file {path}: {err}") from None
        for key, value in data.items():
            if key not in values:
                raise ConfigError(f"config file {path}: unknown setting {key!r}")
            values[key], sources[key] = value, f"file {path}"

    for s in SETTINGS:
        var = ENV_PREFIX + s.name.upper()
        if var in env:
            values[s.name], sources[s.name] = env[var], f"env {var}"

    for key, value in (overrides or {}).items():
        if value is not None:
            values[key], sources[key] = value, "option"

    coerced = {s.name: _coerce(s.name, values[s.name], s.default) for s in SETTINGS}
    coerced["data_dir"] = Path(coerced["data_dir"]).expanduser()
    return Settings(**coerced, sources=sources)
