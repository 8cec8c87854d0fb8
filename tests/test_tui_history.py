"""The past in the live view: a provider's 90-day bar and incidents, the `h` screen."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from tui_fakes import (
    CLOUDFLARE,
    GITHUB,
    NOW,
    SIZE,
    SPECS,
    Clock,
    ScriptedPoller,
    detail,
    notes,
    settle,
    trouble,
)

from statuswatch.history.backfill import apply_history
from statuswatch.history.db import HistoryDB
from statuswatch.history.model import PastIncident
from statuswatch.history.view import BAR_DAYS, LocalHistory, ProviderPast
from statuswatch.model import Impact, Incident, Page, Phase, Status, Update
from statuswatch.tui.app import StatusApp, build_app
from statuswatch.tui.history import DAY, NO_DATA, HistoryScreen

pytestmark = pytest.mark.anyio


def past_incident(ident: str, days_ago: float, hours: float, impact: Impact) -> Incident:
    start = NOW - timedelta(days=days_ago)
    end = start + timedelta(hours=hours)
    return Incident(
        id=ident,
        title=f"Incident {ident} [bold]not markup[/bold]",
        impact=impact,
        phase=Phase.RESOLVED,
        started_at=start,
        resolved_at=end,
        updates=(
            Update(end, Phase.RESOLVED, "fixed", "resolved"),
            Update(start, Phase.INVESTIGATING, "looking", "investigating"),
        ),
    )


@pytest.fixture
def history(tmp_path: Path) -> LocalHistory:
    path = tmp_path / "history.sqlite3"
    with HistoryDB.open(path) as db:
        page = Page(
            Status.OPERATIONAL,
            incidents=(
                past_incident("cf-old", 200, 2, Impact.CRITICAL),  # before the 90 days
                past_incident("cf-a", 30, 3, Impact.CRITICAL),
                past_incident("cf-b", 5, 1, Impact.MINOR),
            ),
        )
        apply_history(db, CLOUDFLARE, page, NOW - timedelta(days=100))
        other = Page(Status.OPERATIONAL, incidents=(past_incident("gh-a", 2, 1, Impact.MAJOR),))
        apply_history(db, GITHUB, other, NOW - timedelta(days=100))
    return LocalHistory(path)


def app_with(view: object) -> StatusApp:
    return build_app(
        SPECS,
        interval=3600,
        poller=ScriptedPoller([trouble()]),
        now=Clock(),
        history=view,  # type: ignore[arg-type]
    )


async def wait_for(pilot: object, app: StatusApp, text: str) -> str:
    for _ in range(200):
        shown = detail(app)
        if text in shown:
            return shown
        await pilot.pause(0.02)  # type: ignore[attr-defined]
    raise AssertionError(f"{text!r} never appeared in:\n{detail(app)}")


async def test_a_providers_details_show_its_90_days_and_past_incidents(
    history: LocalHistory,
) -> None:
    app = app_with(history)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        shown = await wait_for(pilot, app, "Past incidents")
        assert shown.startswith("Cloudflare  MAJOR OUTAGE")  # the live details come first
        bar = next(line for line in shown.splitlines() if set(line) <= {DAY, NO_DATA} and line)
        assert len(bar) == BAR_DAYS
        assert bar.count(DAY) == BAR_DAYS  # backfilled 100 days ago: every day is known
        assert "Incident cf-a [bold]not markup[/bold]" in shown  # literal text, not markup
        assert "lasted 3h 0m" in shown and "from the page's history" in shown
        assert "cf-old" not in shown  # older than the bar
        assert "uptime" in shown


async def test_h_lists_recent_incidents_of_every_provider(history: LocalHistory) -> None:
    app = app_with(history)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("h")
        for _ in range(200):
            if isinstance(app.screen, HistoryScreen):
                break
            await pilot.pause(0.02)
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        text = screen.content.plain
        assert text.index("gh-a") < text.index("cf-b") < text.index("cf-a")  # newest first
        assert "GitHub" in text and "Cloudflare" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HistoryScreen)


async def test_without_a_history_h_says_so() -> None:
    app = app_with(None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert "Last 90 days" not in detail(app)
        await pilot.press("h")
        await pilot.pause()
        assert any("No history here" in message for _title, message in notes(app))


class Broken:
    """A history that cannot be read."""

    def provider_past(
        self, provider: str, now: datetime, scope: tuple[str, ...] | None = None
    ) -> ProviderPast:
        raise OSError("disk on fire")

    def recent(self, providers: object, now: datetime) -> list[PastIncident]:
        raise OSError("disk on fire")


async def test_an_unreadable_history_is_said_in_the_details_never_raised() -> None:
    app = app_with(Broken())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        shown = await wait_for(pilot, app, "history unavailable")
        assert "disk on fire" in shown
        await pilot.press("h")
        for _ in range(100):
            if any("history unavailable" in m for _t, m in notes(app)):
                break
            await pilot.pause(0.02)
        assert any("disk on fire" in m for _t, m in notes(app))


async def test_the_live_views_polls_are_recorded(tmp_path: Path, loopback: object) -> None:
    import json

    from loopback import LoopbackServer
    from notify_helpers import incident_stages

    from statuswatch.history.hook import HistoryHook
    from statuswatch.history.query import past_incidents
    from statuswatch.history.settings import HistorySettings
    from statuswatch.model import ProviderSpec
    from statuswatch.settings import HttpSettings

    assert isinstance(loopback, LoopbackServer)
    loopback.route("/ex/api/v2/summary.json", json.dumps(incident_stages()[1]).encode())
    spec = ProviderSpec("ex", "Example", "statuspage", loopback.url("/ex"))
    path = tmp_path / "history.sqlite3"
    http = HttpSettings(retries=0, connect_timeout=2.0)
    hook = HistoryHook(HistorySettings(), http, tmp_path / "cache", path=path)
    from statuswatch.source import engine_poller

    app = build_app(
        [spec], interval=3600, poller=engine_poller([spec], http, tmp_path / "cache", record=hook),
        history=LocalHistory(path),
    )  # fmt: skip
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        shown = await wait_for(pilot, app, "Past incidents")
        assert "API errors" in shown and "still open" in shown
    hook.close()
    with HistoryDB.open(path) as db:
        [incident] = past_incidents(db)
    assert (incident.provider, incident.id, incident.source) == ("ex", "inc-1", "observed")
    # The first poll also tried the page's own history once (this server has none).
    assert loopback.requests("/ex/api/v2/incidents.json") == 1


async def test_a_scoped_providers_past_is_read_in_its_scope(history: LocalHistory) -> None:
    import dataclasses

    scoped = dataclasses.replace(CLOUDFLARE, scope=("Workers",))
    app = build_app(
        (scoped, *SPECS[1:]), interval=3600, poller=ScriptedPoller([trouble()]), now=Clock(),
        history=history,
    )  # fmt: skip
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        shown = await wait_for(pilot, app, "Last 90 days")
        await wait_for(pilot, app, "No incident recorded")  # none names Workers
        assert "cf-a" not in detail(app) and shown
