"""The model's enums and ordering are an API: exact values, severity order."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from statuswatch.model import (
    ErrorType,
    FetchError,
    Impact,
    Page,
    Phase,
    ProviderReport,
    ProviderSpec,
    Status,
    utc,
)


def test_enum_values_are_exactly_the_documented_ones() -> None:
    assert [s.value for s in Status] == [
        "operational",
        "maintenance",
        "degraded",
        "partial_outage",
        "major_outage",
        "unknown",
    ]
    assert [i.value for i in Impact] == ["none", "minor", "major", "critical", "maintenance"]
    assert [p.value for p in Phase] == [
        "investigating",
        "identified",
        "monitoring",
        "resolved",
        "postmortem",
        "scheduled",
        "in_progress",
        "verifying",
        "completed",
        "unknown",
    ]


def test_status_severity_follows_declaration_order() -> None:
    ranks = [s.severity for s in Status]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert Status.MAJOR_OUTAGE.severity > Status.DEGRADED.severity
    assert not Status.OPERATIONAL.is_problem and Status.MAINTENANCE.is_problem


def test_closed_phases() -> None:
    assert {p for p in Phase if p.is_closed} == {Phase.RESOLVED, Phase.POSTMORTEM, Phase.COMPLETED}


def test_utc_converts_offsets_and_refuses_naive() -> None:
    chicago = datetime(2019, 2, 20, 12, 0, 19, tzinfo=timezone(timedelta(hours=-6)))
    assert utc(chicago) == datetime(2019, 2, 20, 18, 0, 19, tzinfo=UTC)
    assert utc(chicago).utcoffset() == timedelta(0)
    with pytest.raises(ValueError, match="naive"):
        utc(datetime(2020, 1, 1))


def test_a_failed_fetch_is_unknown_even_with_stale_data() -> None:
    spec = ProviderSpec("x", "X", "statuspage", "https://x.example")
    page = Page(status=Status.MAJOR_OUTAGE)
    fresh = ProviderReport(spec, page, datetime.now(UTC))
    stale = ProviderReport(
        spec, page, datetime.now(UTC), stale=True, error=FetchError(ErrorType.TIMEOUT, "t")
    )
    assert fresh.status is Status.MAJOR_OUTAGE
    assert stale.status is Status.UNKNOWN
