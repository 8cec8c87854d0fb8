"""The `[history]` table of the config: whether polls are recorded, for how long, backfill."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from statuswatch.config import Config
from statuswatch.records import record
from statuswatch.tomlcheck import ConfigError, check_keys, integer, table, type_name

__all__ = ["HISTORY_KEYS", "HistorySettings", "history_settings", "parse_history"]

HISTORY_KEYS = ("enabled", "retention_days", "backfill")
MAX_RETENTION_DAYS = 36_500  # a century


@record
class HistorySettings:
    """How the history is kept."""

    enabled: bool = True
    """Record every poll (false: nothing is written; `history` and `report` still read)."""
    retention_days: int = 400
    """Forget incidents, maintenances and status changes that ended longer ago than this."""
    backfill: bool = True
    """Fetch each provider's own incident history once, the first time it is recorded."""


def parse_history(path: Path | str, value: object) -> HistorySettings:
    """HistorySettings from the `[history]` table, every key checked."""
    given = table(path, value, "history")
    check_keys(path, given, HISTORY_KEYS, "history")
    defaults = HistorySettings()
    days = defaults.retention_days
    if "retention_days" in given:
        days = integer(path, given["retention_days"], "history", "retention_days")
        if not 1 <= days <= MAX_RETENTION_DAYS:  # past that, the cut-off is not a date
            raise ConfigError(
                path,
                "history.retention_days",
                f"must be from 1 to {MAX_RETENTION_DAYS}, got {days}",
            )
    return HistorySettings(
        enabled=_flag(path, given, "enabled", defaults.enabled),
        retention_days=days,
        backfill=_flag(path, given, "backfill", defaults.backfill),
    )


def _flag(path: Path | str, given: Mapping[str, object], name: str, default: bool) -> bool:
    value = given.get(name, default)
    if not isinstance(value, bool):
        raise ConfigError(
            path, f"history.{name}", f"expected true or false, got {type_name(value)}"
        )
    return value


def history_settings(config: Config) -> HistorySettings:
    """The config's `[history]` table as HistorySettings (the defaults when there is none)."""
    if "history" not in config.sections:
        return HistorySettings()
    return parse_history(config.path, config.sections["history"])
