"""Windows of time as people write them: `--since 30d`, `since=12h`, `--until 2026-09-01`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

__all__ = ["parse_moment"]

_SPAN = re.compile(r"(\d{1,6})\s*([mhdw])", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
# No page, and no history of ours, goes back further; nor do the documents' 4-digit years.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def parse_moment(text: str, now: datetime) -> datetime:
    """A moment: a span back from `now` (`90d`, `12h`, `2w`, `30m`) or a date/time (UTC
    unless it names its zone: `2026-09-01`, `2026-09-01T12:00`, `2026-09-01T12:00+02:00`).

    Raises:
        ValueError: with a message saying what is expected.
    """
    value = text.strip()
    span = _SPAN.fullmatch(value)
    too_early = ValueError(f"{value[:40]!r} reaches before 1970")
    if span is not None:
        amount, unit = int(span.group(1)), span.group(2).lower()
        back = timedelta(**{_UNITS[unit]: amount})
        if back > now - EARLIEST:  # past year 1 it is not even a date (OverflowError)
            raise too_early
        return now - back
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError(
            f"expected a span such as 30d, 12h, 2w or 45m, or a date such as 2026-09-01, "
            f"got {value[:40]!r}"
        ) from None
    if moment < EARLIEST:
        raise too_early
    return moment
