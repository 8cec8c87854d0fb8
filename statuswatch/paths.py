"""Where statuswatch keeps its files (platformdirs locations, each overridable by an env var),
and the names of the environment variables it reads."""

from __future__ import annotations

import errno
import os
from pathlib import Path

APP_NAME = "statuswatch"

# Env overrides let tests and scripts point every file at a directory of their choice.
CONFIG_ENV = "STATUSWATCH_CONFIG"  # a file path, not a directory
STATE_DIR_ENV = "STATUSWATCH_STATE_DIR"
CACHE_DIR_ENV = "STATUSWATCH_CACHE_DIR"
# The bearer token of `serve`, read by the server and by its clients (`--server`, `ps` hides it).
TOKEN_ENV = "STATUSWATCH_TOKEN"


class UnusableDirectory(Exception):
    """A directory statuswatch must write in cannot be created or written; says which and why."""


def _env_path(name: str) -> Path | None:
    """Return the path in env var `name`, or None when it is unset or empty."""
    value = os.environ.get(name, "")
    return Path(value).expanduser() if value else None


def _platform_dir(kind: str) -> Path:
    """The user's `kind` ("config", "state" or "cache") directory for statuswatch."""
    # Imported here: ~6 ms that `--version`, `--help` and every command naming its
    # directories by environment variable never need.
    import platformdirs

    where = {
        "config": platformdirs.user_config_dir,
        "state": platformdirs.user_state_dir,
        "cache": platformdirs.user_cache_dir,
    }[kind]
    return Path(where(APP_NAME))


def config_file() -> Path:
    """Return the user's config file: $STATUSWATCH_CONFIG, else <user config dir>/config.toml."""
    return _env_path(CONFIG_ENV) or _platform_dir("config") / "config.toml"


def config_named() -> bool:
    """True when the config file was named (--config or $STATUSWATCH_CONFIG): it must exist."""
    return _env_path(CONFIG_ENV) is not None


def state_dir() -> Path:
    """Return the directory for durable state: $STATUSWATCH_STATE_DIR, else the user state dir."""
    return _env_path(STATE_DIR_ENV) or _platform_dir("state")


def cache_dir() -> Path:
    """Return the directory for disposable caches: $STATUSWATCH_CACHE_DIR, else the user's."""
    return _env_path(CACHE_DIR_ENV) or _platform_dir("cache")


def usable_dir(directory: Path, what: str, env: str, *, private: bool = False) -> Path:
    """Create `directory` if missing and check it can be written in; UnusableDirectory if not.

    Checked before a command polls, so a bad STATUSWATCH_STATE_DIR (a file in the path, no
    permission) is one line up front rather than a traceback after the work is done.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700 if private else 0o777)
        if not os.access(directory, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(directory))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UnusableDirectory(
            f"cannot use {directory} as the {what}: {reason} (set {env} to another directory)"
        ) from None
    return directory


def usable_cache_dir() -> Path:
    """The cache directory, created and checked writable (UnusableDirectory otherwise)."""
    return usable_dir(cache_dir(), "cache directory", CACHE_DIR_ENV)


def usable_state_dir() -> Path:
    """The state directory, created (private) and checked writable (UnusableDirectory otherwise)."""
    return usable_dir(state_dir(), "state directory", STATE_DIR_ENV, private=True)
