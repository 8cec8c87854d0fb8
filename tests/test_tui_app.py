"""The TUI under Pilot: layout, live refresh, stale data, a failing engine, hostile text."""

from __future__ import annotations

import gc
from datetime import timedelta

import pytest
from tui_fakes import (
    CLOUDFLARE,
    GITHUB,
    NOW,
    OPENAI,
    SIZE,
    SPECS,
    ScriptedPoller,
    calm,
    detail,
    failed,
    incident,
    make_app,
    notes,
    ok,
    rows,
    screen_text,
    settle,
    trouble,
)

from statuswatch.model import ErrorType, Impact, Phase, ProviderReport, ProviderSpec, Status
from statuswatch.tui.app import build_app
from statuswatch.tui.screens import DetailScreen
from statuswatch.tui.widgets import ListTable

# anyio (installed with httpx) runs the async tests; no other plugin needed.
pytestmark = pytest.mark.anyio


async def test_providers_worst_first_with_words_and_header_counts() -> None:
    app, _ = make_app([trouble()])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert rows(app, "providers") == ["Cloudflare", "OpenAI", "GitHub"]
        assert rows(app, "providers", 0) == ["MAJOR OUTAGE", "degraded", "operational"]
        assert rows(app, "incidents", 2) == [
            "Cloudflare Global Network experiencing issues",
            "Some users cannot reach ChatGPT",
        ]
        assert rows(app, "maintenance", 2) == ["Chicago data centre maintenance"]
        text = screen_text(app)
        assert "1 MAJOR OUTAGE" in text
        assert "1 degraded" in text
        assert "1 operational" in text
        assert "refreshed 12:30:00 UTC (0s ago)" in text
        assert app.query_one("#header").has_class("-outage")


async def test_calm_header() -> None:
    app, _ = make_app([calm()])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert "All 3 providers operational" in screen_text(app)
        assert rows(app, "incidents") == []
        assert not app.query_one("#header").has_class("-outage")


async def test_live_refresh_updates_rows_and_toasts_new_and_resolved_incidents() -> None:
    outage = incident("gh1", "Git operations fail", Impact.MAJOR)
    down = [ok(CLOUDFLARE), ok(OPENAI), ok(GITHUB, Status.PARTIAL_OUTAGE, incidents=[outage])]
    app, _ = make_app([calm(), down, calm()], bell=True)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert notes(app) == []  # what is there at start is not news
        await pilot.press("r")
        await settle(pilot, app)
        assert rows(app, "providers", 0)[0] == "partial outage"
        assert rows(app, "providers")[0] == "GitHub"
        assert notes(app) == [("New incident (major)", "GitHub: Git operations fail")]
        assert bells == [1]
        await pilot.press("r")
        await settle(pilot, app)
        assert rows(app, "providers", 0) == ["operational"] * 3
        assert notes(app)[-1] == ("Resolved", "GitHub: Git operations fail")
        assert bells == [1, 1]
        # It stays listed as resolved for a while.
        assert rows(app, "incidents", 0) == ["resolved"]
        assert rows(app, "incidents", 3) == ["closed 0s"]
        assert "Active incidents (0)" in screen_text(app)


async def test_without_bell_no_bell_rings() -> None:
    outage = incident("gh1", "Git operations fail")
    down = [ok(CLOUDFLARE), ok(OPENAI), ok(GITHUB, Status.MAJOR_OUTAGE, incidents=[outage])]
    app, _ = make_app([calm(), down])
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("r")
        await settle(pilot, app)
        assert len(notes(app)) == 1
        assert bells == []


async def test_automatic_refresh_every_interval() -> None:
    ticks = [0.0]
    poller = ScriptedPoller([calm()])
    app = build_app(SPECS, interval=30, poller=poller, now=lambda: NOW, monotonic=lambda: ticks[0])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert poller.calls == 1
        assert "next in 30s" in screen_text(app)
        ticks[0] = 29.0
        await pilot.pause(0.7)
        assert poller.calls == 1
        ticks[0] = 30.0
        for _ in range(100):  # the next tick (every 0.5 s) starts it
            if poller.calls == 2:
                break
            await pilot.pause(0.05)
        await settle(pilot, app)
        assert poller.calls == 2
        assert "next in 30s" in screen_text(app)  # counted from the start of this poll


async def test_a_failed_provider_keeps_its_last_data_marked_stale() -> None:
    first = trouble()
    second = [failed(CLOUDFLARE), first[1], first[2]]
    app, _ = make_app([first, second])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.now.value = NOW + timedelta(minutes=5)  # type: ignore[attr-defined]
        await pilot.press("r")
        await settle(pilot, app)
        assert rows(app, "providers", 0)[:2] == ["degraded", "unknown"]
        note = rows(app, "providers", 2)[1]
        assert note == "stale 5m ago, was MAJOR OUTAGE · timeout: no answer in 15 s"
        # Its incident is still listed, marked stale; no "resolved" toast for a failed read.
        assert rows(app, "incidents", 3)[0] == "identified (stale)"
        assert notes(app) == []
        assert app.query_one("#providers", ListTable).selected_key == "cloudflare"
        text = detail(app)
        assert "Error     timeout: no answer in 15 s" in text
        assert "Stale     showing data read 2025-11-18 12:30 UTC (5m ago)" in text


async def test_engine_stale_report_is_shown_with_its_age() -> None:
    first = trouble()
    stale = ProviderReport(
        OPENAI,
        first[1].page,
        fetched_at=NOW - timedelta(hours=2),
        stale=True,
        error=failed(OPENAI, ErrorType.HTTP_STATUS, "HTTP 503").error,
    )
    app, _ = make_app([[first[0], stale, first[2]]])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert rows(app, "providers") == ["Cloudflare", "OpenAI", "GitHub"]
        assert rows(app, "providers", 0)[1] == "unknown"
        assert (
            rows(app, "providers", 2)[1] == "stale 2h 0m ago, was degraded · http_status: HTTP 503"
        )


async def test_a_provider_never_read_shows_the_reason() -> None:
    app, _ = make_app(
        [[ok(CLOUDFLARE), failed(OPENAI, ErrorType.CONNECTION, "refused"), ok(GITHUB)]]
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert rows(app, "providers") == ["OpenAI", "Cloudflare", "GitHub"]
        assert rows(app, "providers", 2)[0] == "connection: refused"


async def test_poll_that_raises_is_reported_and_the_app_keeps_running() -> None:
    async def broken(on_report):  # type: ignore[no-untyped-def]
        raise RuntimeError("engine bug")

    app = build_app(SPECS, interval=3600, poller=broken, now=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert notes(app) == [("statuswatch", "refresh failed: internal error: engine bug")]
        assert app.is_running and not app.polling
        assert "refresh failing since" in screen_text(app).splitlines()[0]


HOSTILE = (
    "[bold]x[/bold] [link=https://evil.example]y[/link] [@click=app.quit]z[/] "
    "\x1b[2J\x1b]8;;https://evil.example\x07w\x1b]8;;\x07 \u202eabc\u202c"
)


async def test_hostile_text_renders_literally_and_the_app_keeps_running() -> None:
    bad = incident(
        "h1",
        HOSTILE,
        updates=((5, Phase.INVESTIGATING, "body [red]r[/red] [@click=app.quit]q[/]\x1b[31m"),),
        components=("[b]comp[/b]",),
        url="https://ok.example/h1",
    )
    named = ProviderSpec("evil", "[i]Evil[/i] Corp", "statuspage", "https://e.example")
    first = [ok(named)]
    second = [ok(named, Status.MAJOR_OUTAGE, incidents=[bad], description="[blink]d[/blink]")]
    poller = ScriptedPoller([first, second])
    app = build_app([named], interval=3600, poller=poller, now=lambda: NOW)
    literal = "[bold]x[/bold] [link=https://evil.example]y[/link] [@click=app.quit]z[/] w abc"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("r")
        await settle(pilot, app)
        assert rows(app, "incidents", 2) == [literal]
        assert rows(app, "providers") == ["[i]Evil[/i] Corp"]
        assert notes(app) == [("New incident (major)", f"[i]Evil[/i] Corp: {literal}")]
        text = screen_text(app)
        assert "[i]Evil[/i] Corp" in text
        assert "[@click=app.quit]z[/]" in text
        assert "\x1b" not in text and "\u202e" not in text
        # Clicking the title runs no action hidden in it.
        await pilot.click("#incidents", offset=(40, 2))
        await pilot.click("#incidents", offset=(40, 2))
        await pilot.pause(0.1)
        assert app.is_running
        assert isinstance(app.screen, DetailScreen)
        full = screen_text(app)
        assert "body [red]r[/red] [@click=app.quit]q[/]" in full
        assert "Affects   [b]comp[/b]" in full
        await pilot.click("#detail-full", offset=(10, 0))
        await pilot.press("escape", "j", "k")
        assert app.is_running


async def test_tune_gc_freezes_what_lives_as_long_as_the_app() -> None:
    before = gc.get_freeze_count()
    app = build_app(
        SPECS, interval=3600, poller=ScriptedPoller([calm()]), now=lambda: NOW, tune_gc=True
    )
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            assert app.polls_finished == 1
            assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
