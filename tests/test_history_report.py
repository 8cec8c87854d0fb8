"""Reliability figures and the 90-day bars: observed polls where we watched, the page elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from statuswatch.history.backfill import apply_history
from statuswatch.history.db import HistoryDB, to_ms
from statuswatch.history.record import record_snapshot
from statuswatch.history.report import report
from statuswatch.history.timeline import Interval, Segment, daily_worst, segments
from statuswatch.model import (
    Impact,
    Incident,
    Page,
    Phase,
    ProviderReport,
    ProviderSpec,
    Snapshot,
    Status,
    Update,
)

SPEC = ProviderSpec(id="ex", name="Example", kind="statuspage", url="https://status.example.test")
DAY0 = datetime(2026, 11, 1, tzinfo=UTC)
M = 60_000  # one minute in ms


def at(minutes: float) -> datetime:
    return DAY0 + timedelta(minutes=minutes)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[HistoryDB]:
    with HistoryDB.open(tmp_path / "history.sqlite3") as opened:
        yield opened


def poll(db: HistoryDB, minute: float, status: Status, *incidents: Incident) -> None:
    page = Page(status=status, incidents=incidents)
    record_snapshot(db, Snapshot(at(minute), (ProviderReport(SPEC, page, at(minute)),)))


def incident(
    ident: str, start: float, end: float | None, impact: Impact = Impact.MAJOR, posted: float = 0
) -> Incident:
    first = Update(at(start + posted), Phase.INVESTIGATING, "looking", "investigating")
    updates = [first]
    if end is not None:
        updates.insert(0, Update(at(end), Phase.RESOLVED, "fixed", "resolved"))
    return Incident(
        id=ident,
        title=ident,
        impact=impact,
        phase=Phase.RESOLVED if end is not None else Phase.INVESTIGATING,
        started_at=at(start),
        resolved_at=at(end) if end is not None else None,
        updates=tuple(updates),
    )


def test_segments_observed_inside_coverage_page_record_outside() -> None:
    changes = [(0, Status.OPERATIONAL), (10 * M, Status.MAJOR_OUTAGE), (20 * M, Status.OPERATIONAL)]
    coverage = [(0, 30 * M)]
    record = [Interval(50 * M, 70 * M, Status.PARTIAL_OUTAGE)]
    pieces = segments(changes, coverage, record, known_from=0, start=0, end=100 * M)
    assert pieces == [
        Segment(0, 10 * M, Status.OPERATIONAL, "observed"),
        Segment(10 * M, 20 * M, Status.MAJOR_OUTAGE, "observed"),
        Segment(20 * M, 30 * M, Status.OPERATIONAL, "observed"),
        Segment(30 * M, 50 * M, Status.OPERATIONAL, "page"),
        Segment(50 * M, 70 * M, Status.PARTIAL_OUTAGE, "page"),
        Segment(70 * M, 100 * M, Status.OPERATIONAL, "page"),
    ]
    # Before anything was known nothing is counted; overlapping incidents: the worst wins.
    record = [
        Interval(50 * M, 70 * M, Status.DEGRADED),
        Interval(60 * M, 65 * M, Status.MAJOR_OUTAGE),
    ]
    pieces = segments([], [], record, known_from=55 * M, start=0, end=70 * M)
    assert [(p.start // M, p.end // M, p.status) for p in pieces] == [
        (55, 60, Status.DEGRADED),
        (60, 65, Status.MAJOR_OUTAGE),
        (65, 70, Status.DEGRADED),
    ]


def test_daily_worst_status() -> None:
    day = 86_400_000
    pieces = [
        Segment(0, day, Status.OPERATIONAL, "observed"),
        Segment(day, day + 60 * M, Status.MAJOR_OUTAGE, "observed"),
        Segment(day + 60 * M, 2 * day, Status.DEGRADED, "observed"),
    ]
    assert daily_worst(pieces, 0, 4) == [Status.OPERATIONAL, Status.MAJOR_OUTAGE, None, None]


def test_observed_minutes_uptime_and_incident_figures(db: HistoryDB) -> None:
    # Polled every 5 minutes for 10 hours; a major outage observed from 60 to 120, the page's
    # incident (impact major) says 55 to 125: where we watched, our polls decide.
    for minute in range(0, 601, 5):
        status = Status.MAJOR_OUTAGE if 60 <= minute < 120 else Status.OPERATIONAL
        open_ = 55 <= minute < 125
        poll(db, minute, status, *([incident("a", 55, None)] if open_ else []))
    poll(db, 130, Status.OPERATIONAL, incident("a", 55, 125))  # an older writer, resolved
    result = report(db, at(0), at(600))
    [figures] = result.providers
    assert figures.minutes == {
        "major_outage": 60.0,
        "partial_outage": 0.0,
        "degraded": 0.0,
        "maintenance": 0.0,
    }
    assert figures.uptime_pct == pytest.approx(90.0)
    assert figures.incidents == {"critical": 0, "major": 1, "minor": 0, "none": 0, "maintenance": 0}
    assert (figures.mttr_s, figures.longest_s, figures.longest_id) == (70 * 60, 70 * 60, "a")
    assert figures.basis["minutes"] == "observed" and figures.basis["mttr_s"] == "page"
    assert (figures.observed_pct, figures.known_pct) == (100.0, 100.0)


def test_backfilled_provider_figures_come_from_the_pages_record(db: HistoryDB) -> None:
    page = Page(
        status=Status.OPERATIONAL,
        incidents=(
            incident("crit", 100, 160, Impact.CRITICAL),
            incident("maj", 1000, 1100, Impact.MAJOR, posted=20),  # posted 20 minutes late
            incident("min", 2000, 2030, Impact.MINOR),
            incident("before", -500, -400, Impact.MAJOR),  # before the window
        ),
    )
    apply_history(db, SPEC, page, at(3000))
    [figures] = report(db, at(0), at(2880)).providers  # two days
    assert figures.incidents == {"critical": 1, "major": 1, "minor": 1, "none": 0, "maintenance": 0}
    assert figures.minutes["major_outage"] == 60.0
    assert figures.minutes["partial_outage"] == 100.0
    assert figures.minutes["degraded"] == 30.0
    assert figures.uptime_pct == pytest.approx(100 * (1 - (60 + 0.3 * 100) / 2880), abs=1e-3)
    assert figures.mttr_s == round((60 + 100 + 30) * 60 / 3)
    assert figures.page_lag_s == round(20 * 60 / 3)
    assert figures.basis["minutes"] == "page"
    assert (figures.observed_pct, figures.known_pct) == (0.0, 100.0)


def test_nothing_known_is_said_so(db: HistoryDB) -> None:
    [figures] = report(db, at(0), at(60), providers=["never-seen"]).providers
    assert figures.uptime_pct is None and figures.basis["minutes"] == "none"
    assert figures.known_pct == 0.0


def test_time_before_the_first_poll_is_unknown_without_a_backfill(db: HistoryDB) -> None:
    for minute in range(600, 1201, 5):
        poll(db, minute, Status.OPERATIONAL)
    [figures] = report(db, at(0), at(1200)).providers
    assert figures.known_pct == pytest.approx(50.0)
    assert figures.uptime_pct == 100.0
    assert figures.basis["minutes"] == "observed"


def test_an_open_incident_counts_until_the_end_of_the_window(db: HistoryDB) -> None:
    apply_history(db, SPEC, Page(Status.DEGRADED, incidents=(incident("o", 30, None),)), at(0))
    [figures] = report(db, at(0), at(90)).providers
    assert figures.minutes["partial_outage"] == 60.0
    assert figures.mttr_s is None


def test_maintenance_minutes_and_count(db: HistoryDB) -> None:
    from statuswatch.model import Maintenance

    done = Maintenance(
        id="m",
        title="upgrade",
        phase=Phase.COMPLETED,
        scheduled_for=at(100),
        scheduled_until=at(160),
        updates=(
            Update(at(150), Phase.COMPLETED, "done", "completed"),
            Update(at(100), Phase.IN_PROGRESS, "go", "in_progress"),
        ),
    )
    apply_history(db, SPEC, Page(Status.OPERATIONAL, maintenances=(done,)), at(0))
    [figures] = report(db, at(0), at(300)).providers
    assert figures.minutes["maintenance"] == 50.0
    assert figures.incidents["maintenance"] == 1
    assert figures.uptime_pct == 100.0
    assert to_ms(at(0)) is not None


def test_stacks_and_scoped_providers_from_the_pages_as_read(db: HistoryDB) -> None:
    """A stack (issue 13) is the worst of its parts at each moment; a scoped part counts only
    its components and the incidents naming them, though the history keeps the whole page."""
    from statuswatch.history.answers import Ask, report_answer
    from statuswatch.model import Component, Target
    from statuswatch.stacks import Stack

    cloud = ProviderSpec(id="cloud", name="Cloud", kind="aws", url="https://cloud.test")
    web = ProviderSpec(id="web", name="Web", kind="statuspage", url="https://web.test")

    def polled(minute: float, east: Status, west: Status, web_status: Status) -> None:
        troubles = []
        if west is not Status.OPERATIONAL:
            troubles.append(incident("west", 100, None, Impact.MAJOR))
        cloud_page = Page(
            status=max(east, west, key=lambda s: s.severity),
            components=(
                Component("use1", "EC2 (us-east-1)", east),
                Component("euw1", "EC2 (eu-west-1)", west),
            ),
            incidents=tuple(
                Incident(i.id, i.title, i.impact, i.phase, i.started_at, updates=i.updates,
                         components=("EC2 (eu-west-1)",))
                for i in troubles
            ),
        )  # fmt: skip
        reports = (
            ProviderReport(cloud, cloud_page, at(minute)),
            ProviderReport(web, Page(status=web_status), at(minute)),
        )
        record_snapshot(db, Snapshot(at(minute), reports))

    for minute in range(0, 301, 10):
        east = Status.MAJOR_OUTAGE if 60 <= minute < 90 else Status.OPERATIONAL
        west = Status.PARTIAL_OUTAGE if 100 <= minute < 200 else Status.OPERATIONAL
        web_status = Status.DEGRADED if 150 <= minute < 170 else Status.OPERATIONAL
        polled(minute, east, west, web_status)
    stack = Stack("shop", "Shop", (Target("web"), Target("cloud", ("us-east-1",))))
    result = report(db, at(0), at(300), ["web", "cloud"], stacks=[stack])
    whole = {f.id: f for f in result.providers}["cloud"]
    assert whole.minutes["major_outage"] == 30.0 and whole.minutes["partial_outage"] == 100.0
    assert whole.incidents["major"] == 1
    [shop] = result.stacks
    assert shop.parts == ("web", "cloud:us-east-1")
    assert shop.minutes == {
        "major_outage": 30.0,  # us-east-1, 60 to 90
        "partial_outage": 0.0,  # eu-west-1 is out of the scope
        "degraded": 20.0,  # web, 150 to 170
        "maintenance": 0.0,
    }
    assert shop.incidents["major"] == 0  # the incident names eu-west-1 only
    assert shop.basis["minutes"] == "observed"
    scoped = report(db, at(0), at(300), ["cloud"], scopes={"cloud": ("eu-west-1",)})
    [west_only] = scoped.providers
    assert west_only.name == "Cloud (eu-west-1)" and west_only.id == "cloud"
    assert west_only.minutes["partial_outage"] == 100.0 and west_only.minutes["major_outage"] == 0
    assert west_only.incidents["major"] == 1
    document = report_answer(db, Ask(since=at(0), until=at(300)), at(300), stacks=[stack])
    assert [s["id"] for s in document["stacks"]] == ["shop"]
    assert document["stacks"][0]["parts"] == ["web", "cloud:us-east-1"]
