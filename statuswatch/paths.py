"""Where statuswatch keeps its files: platformdirs locations, each overridable by an env var."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "statuswatch"

# Env overrides let tests and scripts point every file at a directory of their choice.
CONFIG_ENV = "STATUSWATCH_CONFIG"  # a file path, not a directory
STATE_DIR_ENV = "STATUSWATCH_STATE_DIR"
CACHE_DIR_ENV = "STATUSWATCH_CACHE_DIR"


def _env_path(name: str) -> Path | None:
    """Return the path in env var `name`, or None when it is unset or empty."""
    value = os.environ.get(name, "")
    return Path(value).expanduser() if value else None


def config_file() -> Path:
    """Return the user's config file: $STATUSWATCH_CONFIG, else <user config dir>/config.toml."""
    return _env_path(CONFIG_ENV) or Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def state_dir() -> Path:
    """Return the directory for durable state: $STATUSWATCH_STATE_DIR, else the user state dir."""
    return _env_path(STATE_DIR_ENV) or Path(platformdirs.user_state_dir(APP_NAME))


def cache_dir() -> Path:
    """Return the directory for disposable caches: $STATUSWATCH_CACHE_DIR, else the user's."""
    return _env_path(CACHE_DIR_ENV) or Path(platformdirs.user_cache_dir(APP_NAME))
