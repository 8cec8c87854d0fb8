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
