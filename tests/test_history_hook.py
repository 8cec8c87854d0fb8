"""The one hook every front end calls: records, backfills once (apart or not), never fails."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from loopback import LoopbackServer
from notify_helpers import incident_stages

from statuswatch.history.db import HistoryDB
from statuswatch.history.hook import HistoryHook
from statuswatch.history.query import past_incidents
from statuswatch.history.settings import HistorySettings
from statuswatch.model import Page, ProviderReport, ProviderSpec, Snapshot, Status
from statuswatch.poll import poll
from statuswatch.settings import HttpSettings

HTTP = HttpSettings(retries=0, connect_timeout=2.0, read_timeout=2.0, deadline=3.0)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def snapshot(spec: ProviderSpec) -> Snapshot:
    return Snapshot(NOW, (ProviderReport(spec, Page(Status.OPERATIONAL), NOW),))


def test_disabled_records_nothing(tmp_path: Path) -> None:
    spec = ProviderSpec("ex", "Ex", "statuspage", "http://127.0.0.1:9/ex")
    hook = HistoryHook(HistorySettings(enabled=False), HTTP, path=tmp_path / "h.sqlite3")
    hook(snapshot(spec))
    hook.close()
    assert not (tmp_path / "h.sqlite3").exists()


@pytest.mark.parametrize("apart", [False, True], ids=["in-line", "apart"])
def test_a_history_that_cannot_be_opened_is_one_warning(tmp_path: Path, apart: bool) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    warnings: list[str] = []
    spec = ProviderSpec("ex", "Ex", "statuspage", "http://127.0.0.1:9/ex")
    hook = HistoryHook(HistorySettings(), HTTP, path=blocker / "h.sqlite3", warn=warnings.append)
    if apart:  # opened while the poll waits, recorded in a thread (`status`, `--json`)
        hook.open_apart()
        hook.record_apart(snapshot(spec))
        hook.record_apart(snapshot(spec))
        hook.close()
    else:
        hook(snapshot(spec))
        hook(snapshot(spec))
    assert len(warnings) == 1 and "polls are not recorded" in warnings[0]


def test_backfill_apart_runs_in_a_thread_once(tmp_path: Path, loopback: LoopbackServer) -> None:
    loopback.route("/ex/api/v2/summary.json", json.dumps(incident_stages()[1]).encode())
    loopback.route(
        "/ex/api/v2/incidents.json", json.dumps(incident_stages()[3]).encode(), latency=1.0
    )
    patient = HttpSettings(retries=0, connect_timeout=5.0, read_timeout=10.0, deadline=15.0)
    spec = ProviderSpec("ex", "Ex", "statuspage", loopback.url("/ex"))
    path = tmp_path / "h.sqlite3"
    hook = HistoryHook(HistorySettings(), patient, tmp_path / "cache", path=path, background=True)
    hook(poll([spec], HTTP, tmp_path / "cache"))
    assert not hook.wait(0)  # the poll is recorded; the history document is still on its way
    assert hook.wait(30)
    hook(poll([spec], HTTP, tmp_path / "cache"))  # done: not fetched again
    hook.close()
    assert loopback.requests("/ex/api/v2/incidents.json") == 1
    with HistoryDB.open(path) as db:
        [incident] = past_incidents(db)
        assert incident.update_count == 3  # the backfilled document had all three updates
        done = db.conn.execute("SELECT backfilled_at FROM providers WHERE id = 'ex'").fetchone()
    assert done[0] is not None


def test_scoped_front_ends_record_the_page_as_read(
    tmp_path: Path, loopback: LoopbackServer
) -> None:
    """The user sees github:API; the history keeps the whole page (another front end may show
    it whole, and an incident outside the scope is no less open)."""
    import dataclasses

    from notify_helpers import incident, summary, update

    from statuswatch.source import poll_once

    web = incident("web-1", "Web is slow", "investigating", [update("2026-11-27T10:01:00Z",
                   "investigating", "Looking")], components=["Web"])  # fmt: skip
    page = summary("minor", [("API", "operational"), ("Web", "degraded_performance")], [web])
    loopback.route("/ex/api/v2/summary.json", json.dumps(page).encode())
    spec = ProviderSpec("ex", "Ex", "statuspage", loopback.url("/ex"))
    scoped = dataclasses.replace(spec, scope=("API",))
    path = tmp_path / "h.sqlite3"
    hook = HistoryHook(HistorySettings(backfill=False), HTTP, path=path)
    seen: list[ProviderReport] = []
    shown = poll_once([scoped], HTTP, tmp_path / "cache", record=hook, on_report=seen.append)
    hook.close()
    [report] = shown.reports
    assert report.spec.scope == ("API",) and report.scope is not None  # the user's view
    assert [c.name for c in report.page.components] == ["API"]  # type: ignore[union-attr]
    assert report.status is Status.OPERATIONAL
    assert [r.spec.scope for r in seen] == [("API",)]
    with HistoryDB.open(path) as db:
        [recorded] = past_incidents(db)
        components = db.conn.execute(
            "SELECT component, status FROM current_status WHERE provider = 'ex' ORDER BY 1"
        ).fetchall()
    assert recorded.id == "web-1" and recorded.resolved_at is None
    assert components == [("", "degraded"), ("c-API", "operational"), ("c-Web", "degraded")]


def test_a_recording_apart_is_waited_for_by_close_in_order(tmp_path: Path) -> None:
    """`status` prints while the history records: close (the end of its block) waits, and
    two polls recorded apart land in the order they were taken."""
    import threading

    spec = ProviderSpec("ex", "Ex", "statuspage", "http://127.0.0.1:9/ex")
    path = tmp_path / "h.sqlite3"
    hook = HistoryHook(HistorySettings(backfill=False), HTTP, path=path)
    first = snapshot(spec)
    later = NOW.replace(hour=1)
    down = Snapshot(later, (ProviderReport(spec, Page(Status.MAJOR_OUTAGE), later),))
    hook.record_apart(first)
    hook.record_apart(down)
    hook.close()
    assert not any(t.name == "statuswatch-record" for t in threading.enumerate())
    with HistoryDB.open(path) as db:
        changes = db.conn.execute(
            "SELECT at, status FROM status_changes WHERE provider = 'ex' AND component = '' "
            "ORDER BY at"
        ).fetchall()
    assert [status for _, status in changes] == ["operational", "major_outage"]


def test_opened_apart_then_recorded(tmp_path: Path) -> None:
    """The database is opened while the poll waits on the network; the record uses it."""
    spec = ProviderSpec("ex", "Ex", "statuspage", "http://127.0.0.1:9/ex")
    path = tmp_path / "h.sqlite3"
    hook = HistoryHook(HistorySettings(backfill=False), HTTP, path=path)
    hook.open_apart()
    hook(snapshot(spec))
    hook.close()
    with HistoryDB.open(path) as db:
        assert db.conn.execute("SELECT id FROM providers").fetchall() == [("ex",)]
