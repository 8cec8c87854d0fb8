"""`rfc3339` writes every timestamp exactly as its first form did (strftime), only faster."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from statuswatch.timefmt import rfc3339


def _as_first_written(value: datetime) -> str:
    """The first implementation, word for word."""
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond // 1000:03d}"
    return text + "Z"


ZONES = st.integers(min_value=-23 * 60, max_value=23 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@given(st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=ZONES))
def test_every_timestamp_is_written_as_before(value: datetime) -> None:
    assert rfc3339(value) == _as_first_written(value)


def test_the_edges() -> None:
    assert rfc3339(None) is None
    assert rfc3339(datetime(2026, 1, 1, 0, 0, 0, 999, tzinfo=UTC)) == "2026-01-01T00:00:00.000Z"
    assert rfc3339(datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC)) == "2026-01-01T00:00:00Z"
    early = datetime(999, 12, 31, 23, 59, 59, 1000, tzinfo=UTC)
    assert rfc3339(early) == _as_first_written(early)
