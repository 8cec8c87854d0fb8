"""Lenient ISO-8601 timestamp reading shared by the adapters: UTC or nothing, never an exception."""

from __future__ import annotations

from datetime import UTC, datetime

# Longer than any real ISO-8601 timestamp (nanoseconds and an offset fit in 35): refuse the rest.
_MAX_LEN = 64


def parse_time(value: object) -> datetime | None:
    """Return `value` as an aware UTC datetime, or None if it is missing, malformed or zoneless.

    A timestamp without a zone is refused rather than guessed: the pages we read always send
    their offset, so a naive one means the document is not what we think it is.
    """
    if not isinstance(value, str):
        return None
    text = value.strip().upper()  # fromisoformat wants "T" and "Z"; some encoders write "t"/"z"
    if not text or len(text) > _MAX_LEN:
        return None
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            return None
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        # OverflowError: year 1 or 9999 pushed out of range by its offset.
        return None


def parse_naive_utc(value: object) -> datetime | None:
    """Like `parse_time`, but a timestamp without a zone is read as UTC.

    Only for platforms that write UTC without saying so (Uptime Kuma's "2026-09-30
    20:10:16.566", Statuspal's "2026-09-19T04:08:01"): their own code and docs say UTC.
    """
    if not isinstance(value, str):
        return None
    text = value.strip().upper()
    if not text or len(text) > _MAX_LEN:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        return None
