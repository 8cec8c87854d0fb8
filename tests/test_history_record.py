"""Recording snapshots: transitions, incidents and maintenances, idempotent and in any order."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from statuswatch.history.db import HistoryDB, from_ms, to_ms
from statuswatch.history.query import past_incidents, past_maintenances
from statuswatch.history.record import fingerprint, record_early_warning, record_snapshot
from statuswatch.history.rows import FirstRows
from statuswatch.model import (
    Component,
    ErrorType,
    FetchError,
    Impact,
    Incident,
    Maintenance,
    Page,
    Phase,
    ProviderReport,
    ProviderSpec,
    Snapshot,
    Status,
    Update,
)

SPEC = ProviderSpec(id="ex", name="Example", kind="statuspage", url="https://status.example.test")
T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def upd(minutes: float, phase: Phase, text: str = "") -> Update:
    return Update(at(minutes), phase, text or f"{phase.value} at {minutes}", phase.value)


def inc(
    phase: Phase, *updates: Update, ident: str = "i1", resolved: float | None = None
) -> Incident:
    return Incident(
        id=ident,
        title="API errors",
        impact=Impact.MAJOR,
        phase=phase,
        started_at=min(u.at for u in updates),
        resolved_at=at(resolved) if resolved is not None else None,
        components=("API",),
        updates=tuple(sorted(updates, key=lambda u: u.at, reverse=True)),
        raw_status=phase.value,
    )


def page(
    status: Status = Status.OPERATIONAL,
    *incidents: Incident,
    api: Status = Status.OPERATIONAL,
    updated: float | None = None,
    maintenances: tuple[Maintenance, ...] = (),
) -> Page:
    return Page(
        status=status,
        updated_at=at(updated) if updated is not None else None,
        components=(Component("c-api", "API", api, group="Core"),),
        incidents=incidents,
        maintenances=maintenances,
    )


def snap(minutes: float, page_: Page | None, error: bool = False) -> Snapshot:
    fault = FetchError(ErrorType.TIMEOUT, "timed out") if error else None
    report = ProviderReport(SPEC, page_, at(minutes), stale=error, error=fault)
    return Snapshot(at(minutes), (report,))


@pytest.fixture
def db(tmp_path: Path) -> HistoryDB:
    opened = HistoryDB.open(tmp_path / "history.sqlite3")
    yield opened  # type: ignore[misc]
    opened.close()


def changes(db: HistoryDB, component: str = "") -> list[tuple[datetime | None, str]]:
    rows = db.conn.execute(
        "SELECT at, status FROM status_changes WHERE provider = 'ex' AND component = ? ORDER BY at",
        (component,),
    )
    return [(from_ms(a), s) for a, s in rows]


def test_status_transitions_of_provider_and_components(db: HistoryDB) -> None:
    record_snapshot(db, snap(0, page()))
    record_snapshot(db, snap(5, page(Status.DEGRADED, api=Status.PARTIAL_OUTAGE)))
    record_snapshot(db, snap(10, page(Status.DEGRADED, api=Status.PARTIAL_OUTAGE)))
    record_snapshot(db, snap(15, page()))
    assert changes(db) == [(at(0), "operational"), (at(5), "degraded"), (at(15), "operational")]
    assert changes(db, "c-api") == [
        (at(0), "operational"),
        (at(5), "partial_outage"),
        (at(15), "operational"),
    ]
    name = db.conn.execute("SELECT name, grp FROM components WHERE id = 'c-api'").fetchone()
    assert name == ("API", "Core")


def test_recording_the_same_snapshot_twice_changes_nothing(db: HistoryDB) -> None:
    both = page(Status.PARTIAL_OUTAGE, inc(Phase.INVESTIGATING, upd(1, Phase.INVESTIGATING)))
    first = record_snapshot(db, snap(2, both))
    dump = list(db.conn.iterdump())
    second = record_snapshot(db, snap(2, both))
    assert (first.new_incidents, first.updates, first.changes) == (1, 1, 2)
    assert (second.new_incidents, second.updates, second.changes) == (0, 0, 0)
    assert list(db.conn.iterdump()) == dump


def test_the_fingerprint_tells_apart_every_field_the_history_records() -> None:
    maintenance = Maintenance(
        "m1", "Upgrade", Phase.SCHEDULED, at(60), at(90), "https://m.example.test", ("API",),
        (Update(at(0), Phase.SCHEDULED, "planned", "scheduled"),), "scheduled",
    )  # fmt: skip
    base = page(
        Status.DEGRADED,
        inc(Phase.INVESTIGATING, upd(1, Phase.INVESTIGATING), upd(2, Phase.IDENTIFIED)),
        maintenances=(maintenance,),
    )
    incident, component = base.incidents[0], base.components[0]
    update = incident.updates[0]

    def with_incident(**changes: object) -> Page:
        return dataclasses.replace(base, incidents=(dataclasses.replace(incident, **changes),))

    def with_maintenance(**changes: object) -> Page:
        changed = dataclasses.replace(maintenance, **changes)
        return dataclasses.replace(base, maintenances=(changed,))

    variants = [
        dataclasses.replace(base, status=Status.MAJOR_OUTAGE),
        dataclasses.replace(base, components=(dataclasses.replace(component, name="Api"),)),
        dataclasses.replace(base, components=(dataclasses.replace(component, group=None),)),
        dataclasses.replace(base, components=(dataclasses.replace(component, group=""),)),
        dataclasses.replace(base, components=()),
        with_incident(title="API errors in EU"),
        with_incident(impact=Impact.MINOR),
        with_incident(phase=Phase.MONITORING),
        with_incident(resolved_at=at(5)),
        with_incident(url="https://i.example.test"),
        with_incident(components=()),
        with_incident(components=("",)),
        with_incident(components=("API", "")),
        with_incident(detected_lead_s=60),
        with_incident(updates=(dataclasses.replace(update, text="Fixed soon"),)),
        with_incident(updates=(*incident.updates, update)),
        with_maintenance(scheduled_until=None),
        with_maintenance(updates=()),
        dataclasses.replace(base, maintenances=()),
    ]
    digests = {fingerprint(v) for v in variants}
    assert len(digests) == len(variants)
    assert fingerprint(base) not in digests
    # What the history does not record leaves it alone: the page's own time, the raw status.
    same = dataclasses.replace(base, updated_at=at(30), raw_status="minor")
    assert fingerprint(same) == fingerprint(base)
    assert fingerprint(dataclasses.replace(base)) == fingerprint(base)


def test_providers_new_to_the_history_are_written_as_the_general_path_writes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Providers new to the history take a path of inserts only; one whose early warnings the
    # history has takes the general path. Recorded both ways, every table but the warnings
    # must be the same, and so must the counts.
    closed = dataclasses.replace(
        inc(Phase.RESOLVED, upd(1, Phase.INVESTIGATING), upd(9, Phase.RESOLVED), ident="i2"),
        impact=Impact.MINOR,
    )
    twice = inc(
        Phase.MONITORING,
        upd(3, Phase.IDENTIFIED, "first text"),
        upd(3, Phase.IDENTIFIED, "second text"),  # one key: the last text stays
        ident="i3",
    )
    work = Maintenance(
        "m1", "Upgrade", Phase.IN_PROGRESS, at(0), at(90), None, ("API",),
        (Update(at(1), Phase.IN_PROGRESS, "started", "in_progress"),), "in_progress",
    )  # fmt: skip
    pages = [
        page(Status.PARTIAL_OUTAGE, inc(Phase.INVESTIGATING, upd(2, Phase.INVESTIGATING)),
             closed, api=Status.MAJOR_OUTAGE, updated=8, maintenances=(work,)),
        page(Status.OPERATIONAL, twice, api=Status.UNKNOWN),
        dataclasses.replace(page(), components=(), incidents=()),
    ]  # fmt: skip
    reports = [
        ProviderReport(dataclasses.replace(SPEC, id=f"p{n}", name=f"P{n}"), pg, at(10))
        for n, pg in enumerate(pages)
    ]
    failed = ProviderReport(dataclasses.replace(SPEC, id="down"), None, at(10), error=FetchError(
        ErrorType.TIMEOUT, "timed out"))  # fmt: skip
    snapshot = Snapshot(at(10), (*reports, failed))
    ids = [r.spec.id for r in snapshot.reports]

    batched: list[int] = []
    write = FirstRows.write
    monkeypatch.setattr(
        FirstRows,
        "write",
        lambda rows, conn: batched.append(len(rows.providers)) or write(rows, conn),
    )

    def recorded(path: Path, warned: bool) -> tuple[object, list[str]]:
        with HistoryDB.open(path) as db:
            if warned:  # long cleared: no lead for anything these pages post
                for provider in ids:
                    record_early_warning(db, provider, at(-3000), at(-2999))
            done = record_snapshot(db, snapshot)
            rows = [line for line in db.conn.iterdump() if "early_warnings" not in line]
        return done, rows

    fast, general = recorded(tmp_path / "a.sqlite3", False), recorded(tmp_path / "b.sqlite3", True)
    assert batched == [4, 0]  # all four new ones together, then none: each took its path
    assert fast == general
    done = fast[0]
    assert (done.observed, done.new_incidents, done.resolved, done.updates) == (3, 3, 1, 4)  # type: ignore[attr-defined]
    assert any("second text" in line for line in fast[1])
    assert not any("first text" in line for line in fast[1])


def test_an_unchanged_page_only_extends_the_coverage(db: HistoryDB) -> None:
    for minute in range(0, 60, 5):
        record_snapshot(db, snap(minute, page()))
    spans = db.conn.execute("SELECT start, end FROM coverage").fetchall()
    assert [(from_ms(a), from_ms(b)) for a, b in spans] == [(at(0), at(55))]
    assert len(changes(db)) == 1


def test_coverage_breaks_where_polls_stop_and_joins_when_a_late_poll_bridges(db: HistoryDB) -> None:
    record_snapshot(db, snap(0, page()))
    record_snapshot(db, snap(20, page()))
    record_snapshot(db, snap(70, page()))  # 50 min later: a gap
    spans = [tuple(r) for r in db.conn.execute("SELECT start, end FROM coverage ORDER BY start")]
    assert spans == [(to_ms(at(0)), to_ms(at(20))), (to_ms(at(70)), to_ms(at(70)))]
    record_snapshot(db, snap(45, page()))  # another writer's older poll bridges the gap
    spans = [tuple(r) for r in db.conn.execute("SELECT start, end FROM coverage ORDER BY start")]
    assert spans == [(to_ms(at(0)), to_ms(at(70)))]


def test_failed_polls_record_nothing(db: HistoryDB) -> None:
    record_snapshot(db, snap(0, page()))
    stale = page(Status.MAJOR_OUTAGE, inc(Phase.INVESTIGATING, upd(1, Phase.INVESTIGATING)))
    record_snapshot(db, snap(5, stale, error=True))
    record_snapshot(db, snap(6, None, error=True))
    assert changes(db) == [(at(0), "operational")]
    assert past_incidents(db) == []
    spans = db.conn.execute("SELECT start, end FROM coverage").fetchall()
    assert spans == [(to_ms(at(0)), to_ms(at(0)))]


def test_unknown_neither_starts_nor_ends_a_status(db: HistoryDB) -> None:
    record_snapshot(db, snap(0, page(Status.DEGRADED)))
    record_snapshot(db, snap(5, page(Status.UNKNOWN, api=Status.UNKNOWN)))
    assert changes(db) == [(at(0), "degraded")]


def test_incident_lifecycle_with_the_pages_own_times(db: HistoryDB) -> None:
    opened = inc(Phase.INVESTIGATING, upd(1, Phase.INVESTIGATING, "looking"))
    record_snapshot(db, snap(3, page(Status.PARTIAL_OUTAGE, opened)))
    identified = inc(
        Phase.IDENTIFIED, upd(1, Phase.INVESTIGATING, "looking"), upd(9, Phase.IDENTIFIED, "found")
    )
    record_snapshot(db, snap(10, page(Status.PARTIAL_OUTAGE, identified)))
    resolved = inc(
        Phase.RESOLVED,
        upd(1, Phase.INVESTIGATING, "looking"),
        upd(9, Phase.IDENTIFIED, "found"),
        upd(30, Phase.RESOLVED, "fixed"),
        resolved=30,
    )
    record_snapshot(db, snap(32, page(Status.OPERATIONAL, resolved)))
    [incident] = past_incidents(db)
    assert (incident.started_at, incident.posted_at, incident.resolved_at) == (at(1), at(1), at(30))
    assert incident.duration_s == 29 * 60
    assert incident.update_count == 3
    assert incident.first_update is not None and incident.first_update.text == "looking"
    assert incident.last_update is not None and incident.last_update.text == "fixed"
    assert (incident.source, incident.first_seen_at, incident.phase) == (
        "observed",
        at(3),
        "resolved",
    )


def test_an_incident_that_leaves_the_page_is_resolved_at_the_pages_last_change(
    db: HistoryDB,
) -> None:
    opened = inc(Phase.MONITORING, upd(1, Phase.INVESTIGATING), upd(20, Phase.MONITORING))
    record_snapshot(db, snap(21, page(Status.DEGRADED, opened, updated=20)))
    # Statuspage's summary drops it once resolved, and its updated_at says when that was.
    done = record_snapshot(db, snap(60, page(Status.OPERATIONAL, updated=41)))
    assert done.resolved == 1
    [incident] = past_incidents(db)
    assert (incident.phase, incident.resolved_at, incident.duration_s) == (
        "resolved",
        at(41),
        40 * 60,
    )
    seen = db.conn.execute("SELECT resolved_seen_at FROM incidents").fetchone()[0]
    assert from_ms(seen) == at(60)


def test_an_implausible_page_time_falls_back_to_the_poll(db: HistoryDB) -> None:
    opened = inc(Phase.MONITORING, upd(1, Phase.INVESTIGATING), upd(20, Phase.MONITORING))
    record_snapshot(db, snap(21, page(Status.DEGRADED, opened)))
    record_snapshot(db, snap(60, page(Status.OPERATIONAL, updated=10)))  # before its last update
    [incident] = past_incidents(db)
    assert incident.resolved_at == at(60)


def test_a_reopened_incident_is_open_again(db: HistoryDB) -> None:
    record_snapshot(
        db, snap(2, page(Status.DEGRADED, inc(Phase.INVESTIGATING, upd(1, Phase.INVESTIGATING))))
    )
    record_snapshot(db, snap(10, page(updated=9)))
    again = inc(
        Phase.INVESTIGATING, upd(1, Phase.INVESTIGATING), upd(15, Phase.INVESTIGATING, "back")
    )
    record_snapshot(db, snap(16, page(Status.DEGRADED, again)))
    [incident] = past_incidents(db)
    assert (incident.resolved_at, incident.phase, incident.update_count) == (
        None,
        "investigating",
        2,
    )


def test_an_older_poll_committed_late_never_undoes_a_newer_view(db: HistoryDB) -> None:
    """Two writers: B polled at 10 (gone) and commits first; A polled at 8 (open), commits after."""
    record_snapshot(
        db, snap(2, page(Status.DEGRADED, inc(Phase.INVESTIGATING, upd(1, Phase.INVESTIGATING))))
    )
    record_snapshot(db, snap(10, page(updated=9)))
    late = inc(Phase.INVESTIGATING, upd(1, Phase.INVESTIGATING), upd(7, Phase.IDENTIFIED, "late"))
    record_snapshot(db, snap(8, page(Status.DEGRADED, late)))
    [incident] = past_incidents(db)
    assert incident.resolved_at == at(9)  # still resolved
    assert incident.update_count == 2  # but the update it saw is kept
    assert changes(db) == [(at(2), "degraded"), (at(10), "operational")]


def test_a_transition_seen_first_by_an_older_poll_moves_to_its_time(db: HistoryDB) -> None:
    record_snapshot(db, snap(0, page()))
    record_snapshot(db, snap(10, page(Status.MAJOR_OUTAGE)))  # writer B, polled at 10
    record_snapshot(db, snap(6, page(Status.MAJOR_OUTAGE)))  # writer A polled at 6, came later
    assert changes(db) == [(at(0), "operational"), (at(6), "major_outage")]
    record_snapshot(db, snap(3, page(Status.DEGRADED)))  # a third, older still: a real change
    assert changes(db) == [(at(0), "operational"), (at(3), "degraded"), (at(6), "major_outage")]
    record_snapshot(db, snap(3, page(Status.DEGRADED)))  # and recorded twice: nothing new
    assert len(changes(db)) == 3


def test_maintenance_started_completed_and_cancelled(db: HistoryDB) -> None:
    planned = Maintenance(
        id="m1", title="DB upgrade", phase=Phase.SCHEDULED, scheduled_for=at(60),
        scheduled_until=at(120), updates=(Update(at(0), Phase.SCHEDULED, "soon", "scheduled"),),
    )  # fmt: skip
    cancelled = Maintenance(
        id="m2", title="Never", phase=Phase.SCHEDULED, scheduled_for=at(500),
        scheduled_until=at(600),
    )  # fmt: skip
    record_snapshot(db, snap(1, page(maintenances=(planned, cancelled))))
    running = Maintenance(
        id="m1", title="DB upgrade", phase=Phase.IN_PROGRESS, scheduled_for=at(60),
        scheduled_until=at(120),
        updates=(Update(at(61), Phase.IN_PROGRESS, "going", "in_progress"), *planned.updates),
    )  # fmt: skip
    record_snapshot(db, snap(62, page(Status.MAINTENANCE, maintenances=(running,))))
    record_snapshot(db, snap(130, page(updated=118)))
    [done] = past_maintenances(db)
    assert (done.id, done.phase, done.started_at, done.completed_at) == (
        "m1",
        "completed",
        at(61),
        at(118),
    )


def test_early_warning_gives_its_lead_to_the_incident_posted_while_it_was_open(
    db: HistoryDB,
) -> None:
    record_early_warning(db, "ex", at(0), text="probes failing")
    record_snapshot(
        db, snap(30, page(Status.DEGRADED, inc(Phase.INVESTIGATING, upd(28, Phase.INVESTIGATING))))
    )
    [incident] = past_incidents(db)
    assert incident.detected_lead_s == 28 * 60
    assert incident.page_lag_s == 28 * 60


def test_early_warning_recorded_after_the_incident_still_counts(db: HistoryDB) -> None:
    record_snapshot(
        db, snap(30, page(Status.DEGRADED, inc(Phase.INVESTIGATING, upd(28, Phase.INVESTIGATING))))
    )
    record_early_warning(db, "ex", at(5), at(29))
    [incident] = past_incidents(db)
    assert incident.detected_lead_s == 23 * 60


def test_a_provider_is_new_once(db: HistoryDB) -> None:
    assert record_snapshot(db, snap(0, page())).first_recorded == ["ex"]
    assert record_snapshot(db, snap(5, page())).first_recorded == []


def test_early_warnings_of_the_probes_open_and_clear_with_the_polls(db: HistoryDB) -> None:
    """Issue 12's reports carry `early_warning` (since, text); read as soon as they do."""
    from types import SimpleNamespace

    def warned(minutes: float, page_: Page, since: float | None) -> Snapshot:
        warning = None if since is None else SimpleNamespace(since=at(since), text="probes fail")
        report = SimpleNamespace(
            spec=SPEC, page=page_, fetched_at=at(minutes), error=None, early_warning=warning
        )
        return Snapshot(at(minutes), (report,))  # type: ignore[arg-type]

    record_snapshot(db, warned(0, page(), None))
    record_snapshot(db, warned(5, page(), 4))  # probes fail, the page says nothing
    record_snapshot(db, warned(10, page(), 4))
    late = inc(Phase.INVESTIGATING, upd(21, Phase.INVESTIGATING))
    record_snapshot(db, warned(22, page(Status.MAJOR_OUTAGE, late), 4))  # the page admits it
    record_snapshot(db, warned(30, page(Status.MAJOR_OUTAGE, late), None))  # probes pass again
    rows = db.conn.execute("SELECT opened_at, cleared_at, text FROM early_warnings").fetchall()
    assert [(from_ms(a), from_ms(b), t) for a, b, t in rows] == [(at(4), at(30), "probes fail")]
    [incident] = past_incidents(db)
    assert incident.detected_lead_s == 17 * 60  # 4 -> 21
