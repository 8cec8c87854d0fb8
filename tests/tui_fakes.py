"""Helpers for the TUI tests: model builders, a scripted poller, the screen as text."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot

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
from statuswatch.tui.app import StatusApp, build_app
from statuswatch.tui.widgets import DetailPane, ListTable

NOW = datetime(2025, 11, 18, 12, 30, tzinfo=UTC)
SIZE = (160, 45)

CLOUDFLARE = ProviderSpec("cloudflare", "Cloudflare", "statuspage", "https://cf.example", "cdn")
OPENAI = ProviderSpec("openai", "OpenAI", "incidentio", "https://oa.example", "ai")
GITHUB = ProviderSpec("github", "GitHub", "statuspage", "https://gh.example", "devtools")
SPECS = (CLOUDFLARE, OPENAI, GITHUB)


def at(minutes_before: int) -> datetime:
    """A moment `minutes_before` minutes before NOW."""
    return NOW - timedelta(minutes=minutes_before)


def incident(
    ident: str,
    title: str,
    impact: Impact = Impact.MAJOR,
    phase: Phase = Phase.INVESTIGATING,
    started: int = 40,
    url: str | None = None,
    updates: Sequence[tuple[int, Phase, str]] = (),
    components: Sequence[str] = (),
) -> Incident:
    """An incident started `started` minutes before NOW; updates are (minutes before, ...)."""
    return Incident(
        id=ident,
        title=title,
        impact=impact,
        phase=phase,
        started_at=at(started),
        updated_at=at(min((u[0] for u in updates), default=started)),
        url=url,
        components=tuple(components),
        updates=tuple(Update(at(m), p, text) for m, p, text in updates),
    )


def page(
    status: Status,
    incidents: Sequence[Incident] = (),
    maintenances: Sequence[Maintenance] = (),
    description: str = "",
    components: Sequence[Component] = (),
) -> Page:
    """A page with the given status and events."""
    words = {
        Status.OPERATIONAL: "All Systems Operational",
        Status.DEGRADED: "Minor Service Outage",
        Status.MAJOR_OUTAGE: "Major System Outage",
    }
    return Page(
        status=status,
        description=description or words.get(status, status.value),
        components=tuple(components),
        incidents=tuple(incidents),
        maintenances=tuple(maintenances),
    )


def ok(spec: ProviderSpec, status: Status = Status.OPERATIONAL, **kw: object) -> ProviderReport:
    """A good read of `spec`, fetched at NOW."""
    return ProviderReport(spec, page(status, **kw), fetched_at=NOW)  # type: ignore[arg-type]


def failed(
    spec: ProviderSpec, kind: ErrorType = ErrorType.TIMEOUT, message: str = "no answer in 15 s"
) -> ProviderReport:
    """A failed read with no cached page (the engine had nothing to fall back on)."""
    return ProviderReport(spec, None, fetched_at=None, error=FetchError(kind, message))


def calm() -> list[ProviderReport]:
    """Every provider operational."""
    return [ok(spec) for spec in SPECS]


def trouble() -> list[ProviderReport]:
    """Cloudflare down with a maintenance, OpenAI degraded, GitHub fine."""
    cf_incident = incident(
        "cf1",
        "Cloudflare Global Network experiencing issues",
        Impact.CRITICAL,
        Phase.IDENTIFIED,
        started=42,
        url="https://cf.example/incidents/cf1",
        updates=(
            (42, Phase.INVESTIGATING, "First post: we are looking into it."),
            (20, Phase.IDENTIFIED, "Second post: the cause is found."),
        ),
        components=("CDN/Cache", "Bot Management"),
    )
    maintenance = Maintenance(
        id="m1",
        title="Chicago data centre maintenance",
        phase=Phase.SCHEDULED,
        scheduled_for=NOW + timedelta(hours=18),
        scheduled_until=NOW + timedelta(hours=22),
        url="https://cf.example/incidents/m1",
    )
    oa_incident = incident(
        "oa1", "Some users cannot reach ChatGPT", Impact.MINOR, started=30, url=None
    )
    return [
        ok(CLOUDFLARE, Status.MAJOR_OUTAGE, incidents=[cf_incident], maintenances=[maintenance]),
        ok(OPENAI, Status.DEGRADED, incidents=[oa_incident]),
        ok(GITHUB),
    ]


class ScriptedPoller:
    """A Poller that answers each poll with the next list of reports (the last one repeats).

    `gate`, when given, holds every poll until it is set (to test a poll in flight).
    """

    def __init__(
        self,
        rounds: Sequence[Sequence[ProviderReport]],
        gate: threading.Event | None = None,
        now: datetime = NOW,
    ) -> None:
        self.rounds = [list(r) for r in rounds]
        self.calls = 0
        self.running = 0
        self.max_running = 0
        self.gate = gate
        self.now = now
        self._lock = threading.Lock()

    async def __call__(self, on_report: Callable[[ProviderReport], None]) -> Snapshot:
        with self._lock:
            reports = self.rounds[min(self.calls, len(self.rounds) - 1)]
            self.calls += 1
            self.running += 1
            self.max_running = max(self.max_running, self.running)
        try:
            while self.gate is not None and not self.gate.is_set():
                await asyncio.sleep(0.01)
            for report in reports:
                on_report(report)
            return Snapshot(self.now, tuple(reports))
        finally:
            with self._lock:
                self.running -= 1


def screen_text(app: App[object]) -> str:
    """The whole screen as plain text, as the terminal would show it."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), record=True)
    # export_screenshot() renders the same way; text is easier to assert on than SVG.
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


async def settle(pilot: Pilot[object], app: StatusApp) -> None:
    """Wait for the running poll, its messages and the redraw they schedule."""
    await app.workers.wait_for_complete()
    for _ in range(250):  # PollFinished comes after every ReportArrived of its poll
        if not app.polling and not app._render_pending and not app._detail_pending:
            break
        await pilot.pause(0.02)
    await pilot.pause()


def rows(app: StatusApp, table_id: str, column: int = 1) -> list[str]:
    table = app.query_one(f"#{table_id}", ListTable)
    return [table.row_cells(i)[column].plain for i in range(table.row_count)]


def detail(app: StatusApp) -> str:
    """The text of the detail pane."""
    return app.query_one("#detail", DetailPane).text.plain


def notes(app: StatusApp) -> list[tuple[str, str]]:
    return [(n.title, n.message) for n in app._notifications]


class Clock:
    """A settable clock for the app (`now`)."""

    def __init__(self) -> None:
        self.value = NOW

    def __call__(self) -> datetime:
        return self.value


def make_app(
    rounds: Sequence[Sequence[ProviderReport]],
    *,
    gate: threading.Event | None = None,
    bell: bool = False,
    opened: list[str] | None = None,
) -> tuple[StatusApp, ScriptedPoller]:
    poller = ScriptedPoller(rounds, gate=gate)
    sink = opened if opened is not None else []
    app = build_app(
        SPECS,
        interval=3600,
        poller=poller,
        now=Clock(),
        bell=bell,
        open_url=sink.append,
    )
    return app, poller
