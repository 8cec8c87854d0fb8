"""Timestamps and ages: written for output, and read back from our own files (stdlib only)."""

from __future__ import annotations

from datetime import UTC, datetime


def rfc3339(value: datetime | None) -> str | None:
    """Return `value` as RFC 3339 UTC ending in `Z` (milliseconds kept when present), or None."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    if value.year < 1000:
        # strftime writes such a year without its leading zeros: what was always written.
        text = value.strftime("%Y-%m-%dT%H:%M:%S")
        return (text + f".{value.microsecond // 1000:03d}Z") if value.microsecond else text + "Z"
    # isoformat is a quarter of strftime's cost, and a document holds a dozen times a page.
    return value.isoformat("T", "milliseconds" if value.microsecond else "seconds")[:-6] + "Z"


def short_utc(value: datetime) -> str:
    """Return a compact UTC time for tables, e.g. `2026-11-27 10:04 UTC`."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def age(value: datetime, now: datetime) -> str:
    """Return how long ago `value` was, e.g. `3m`, `2h 5m`, `4d 1h`; future times read `in 5m`."""
    seconds = int((now - value).total_seconds())
    prefix = ""
    if seconds < 0:
        prefix, seconds = "in ", -seconds
    if seconds < 60:
        text = f"{seconds}s"
    elif seconds < 3600:
        text = f"{seconds // 60}m"
    elif seconds < 86400:
        text = f"{seconds // 3600}h {seconds % 3600 // 60}m"
    else:
        text = f"{seconds // 86400}d {seconds % 86400 // 3600}h"
    return prefix + text if prefix else text + " ago"


def duration(seconds: float) -> str:
    """A span of time for a countdown, e.g. `45s`, `4m 10s`, `16m`, `2h 5m`, `1d 0h`."""
    total = max(0, int(seconds))
    if total < 60:
        return f"{total}s"
    if total < 600:
        return f"{total // 60}m {total % 60}s"
    if total < 3600:
        return f"{total // 60}m"
    if total < 86400:
        return f"{total // 3600}h {total % 3600 // 60}m"
    return f"{total // 86400}d {total % 86400 // 3600}h"


def parse_aware(value: str) -> datetime:
    """Read an ISO 8601 time that names its zone (as `rfc3339` writes); ValueError otherwise.

    For the files and documents we wrote ourselves: a time without a zone means the file is
    not ours, so it is refused rather than guessed (adapters read pages leniently instead).
    """
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"time without a zone: {value[:40]!r}")
    return parsed
