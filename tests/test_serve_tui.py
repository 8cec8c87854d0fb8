"""The TUI fed by a server: it follows /v1/events and refreshes after each of the server's polls."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from loopback import LoopbackServer
from notify_helpers import incident_stages
from serve_helpers import ServedPages
from textual.pilot import Pilot
from tui_fakes import rows, settle

from statuswatch.liveview import build_from_server
from statuswatch.serverclient import ServerError
from statuswatch.source import EventFollower, server_poller
from statuswatch.timefmt import rfc3339
from statuswatch.tui.app import StatusApp

pytestmark = pytest.mark.anyio
STAGES = incident_stages()


async def _until(pilot: Pilot[object], app: StatusApp, done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not done() and time.monotonic() < deadline:
        await pilot.pause(0.05)
    await settle(pilot, app)


async def test_the_tui_follows_the_server_live(loopback: LoopbackServer, tmp_path: Path) -> None:
    with ServedPages(loopback, ["ex", "ok"], tmp_path / "cache") as served:
        served.page("ex", STAGES[0])
        served.page("ok", STAGES[0])
        served.poll()
        # A refresh every hour at most: whatever changes on screen came from the events.
        app, follower = build_from_server(served.url, [], interval=3600)
        follower.start()
        try:
            async with app.run_test(size=(160, 45)) as pilot:
                await settle(pilot, app)
                assert rows(app, "providers") == ["EX", "OK"]
                assert rows(app, "providers", 0) == ["operational", "operational"]
                assert app.polls_finished == 1
                served.page("ex", STAGES[1])
                served.poll()
                await _until(pilot, app, lambda: rows(app, "providers", 0)[0] != "operational")
                assert rows(app, "providers", 0) == ["partial outage", "operational"]
                assert rows(app, "incidents", 2) == ["API errors"]
                assert ("New incident (major)", "EX: API errors") in [
                    (n.title, n.message) for n in app._notifications
                ]
                served.page("ex", STAGES[4])
                served.poll()
                await _until(pilot, app, lambda: rows(app, "providers", 0)[0] == "operational")
                assert rows(app, "providers", 0) == ["operational", "operational"]
                assert app.polls_finished == 3  # the first read, then one per server poll
        finally:
            follower.stop()
    assert follower.connections == 1


async def test_only_the_chosen_providers_are_shown(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    with ServedPages(loopback, ["ex", "ok"], tmp_path / "cache") as served:
        served.page("ex", STAGES[1])
        served.page("ok", STAGES[0])
        served.poll()
        app, _ = build_from_server(served.url, ["ok"], interval=3600)
        async with app.run_test(size=(160, 45)) as pilot:
            await settle(pilot, app)
            assert rows(app, "providers") == ["OK"]
            assert rows(app, "incidents", 2) == []
        with pytest.raises(KeyError):
            build_from_server(served.url, ["nope"], interval=3600)
    with pytest.raises(ServerError, match="cannot reach"):
        build_from_server("http://127.0.0.1:9", [], interval=3600)


def test_the_poller_reads_the_latest_document(loopback: LoopbackServer, tmp_path: Path) -> None:
    import asyncio

    with ServedPages(loopback, ["ex", "ok"], tmp_path / "cache") as served:
        served.page("ex", STAGES[0])
        served.page("ok", STAGES[0])
        first = served.poll()
        poll = server_poller(served.url, ["ex"], first)
        seen: list[str] = []
        again = asyncio.run(poll(lambda r: seen.append(r.spec.id)))
        assert again is not first and again.reports == first.reports[:1]  # given, not re-read
        served.page("ex", STAGES[1])
        latest = served.poll()
        fresh = asyncio.run(poll(lambda r: seen.append(r.spec.id)))
    assert seen == ["ex", "ex"]
    assert rfc3339(fresh.generated_at) == rfc3339(latest.generated_at)
    assert fresh.reports[0].page is not None
    assert [i.title for i in fresh.reports[0].page.incidents] == ["API errors"]


def test_the_follower_calls_back_after_each_server_poll(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    changes: list[float] = []
    with ServedPages(loopback, ["ex"], tmp_path / "cache", first_event_id=500) as served:
        served.page("ex", STAGES[0])
        first = served.poll()
        follower = EventFollower(
            served.url, lambda: changes.append(time.monotonic()), seen=rfc3339(first.generated_at)
        )
        follower.start()
        deadline = time.monotonic() + 10
        while follower.connections < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert changes == []  # the snapshot it was given: nothing new
        served.page("ex", STAGES[1])
        served.poll()
        while not changes and time.monotonic() < deadline:
            time.sleep(0.02)
        follower.stop()
    assert len(changes) == 1
    assert follower.last_event_id == "501"  # incident_opened 500, component_changed 501


def test_the_follower_reconnects_with_the_last_event_id(loopback: LoopbackServer) -> None:
    stream = (
        b"retry: 3000\n\nid: 7\nevent: incident_opened\ndata: {}\n\n"
        b'event: snapshot\ndata: {"generated_at": "2026-11-27T10:00:00Z"}\n\n'
    )
    loopback.route("/v1/events", stream, content_type="text/event-stream")
    changes: list[float] = []
    follower = EventFollower(
        loopback.base_url, lambda: changes.append(time.monotonic()), retry=0.05
    ).start()
    deadline = time.monotonic() + 10
    while loopback.requests("/v1/events") < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    follower.stop()
    sent = [h.get("last-event-id") for h in loopback.request_headers("/v1/events")]
    assert sent[:3] == [None, "7", "7"]
    assert len(changes) == 1  # the same snapshot seen again is no news
    assert follower.problem == "the server closed the stream"
    url = loopback.base_url
    loopback.stop()
    gone = EventFollower(url, lambda: None, retry=0.05).start()
    while "cannot reach" not in (gone.problem or "") and time.monotonic() < deadline:
        time.sleep(0.02)
    gone.stop()
    assert (gone.problem or "").startswith(f"cannot reach {url}: ")
    assert gone.connections == 0


async def test_a_server_that_goes_away_is_said_until_it_is_back(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    from tui_fakes import screen_text

    served = ServedPages(loopback, ["ex", "ok"], tmp_path / "cache")
    with served:
        served.page("ex", STAGES[1])
        served.page("ok", STAGES[0])
        served.poll()
        # A refresh an hour: only the broken stream can tell the view the server is gone.
        app, follower = build_from_server(served.url, [], interval=3600)
        follower._retry = 0.1  # reconnect quickly in the test
        follower.start()
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                await settle(pilot, app)
                assert rows(app, "providers", 0) == ["partial outage", "operational"]
                await _until(pilot, app, lambda: follower.connections == 1)
                served.run(served.server.close())  # the server is killed
                await _until(pilot, app, lambda: app.failing is not None)
                text = screen_text(app)
                first_line = text.splitlines()[0]
                assert "server unreachable since" in first_line, text
                assert "data from" in first_line
                # Not live any more: every provider unknown, its last page kept as stale.
                assert rows(app, "providers", 0) == ["unknown", "unknown"]
                assert all(r.stale for r in app.board.reports.values())
                assert "stale" in app.query_one("#providers").row_cells(0)[2].plain
                # One toast, not one per retry; the header keeps saying it.
                toasts = [n for n in app._notifications if n.message.startswith("refresh failed")]
                assert len(toasts) == 1
                polls = app.polls_finished
                await pilot.pause(0.5)
                assert "server unreachable since" in screen_text(app).splitlines()[0]
                assert app.polls_finished == polls  # no refresh storm while it is away
                # It comes back on its address: the view is live again, without waiting an hour.
                port = int(served.url.rsplit(":", 1)[1])
                served.run(served.server.start("127.0.0.1", port))
                served.poll()
                await _until(pilot, app, lambda: app.failing is None)
                assert rows(app, "providers", 0) == ["partial outage", "operational"]
                assert "refreshed" in screen_text(app).splitlines()[0]
        finally:
            follower.stop()
