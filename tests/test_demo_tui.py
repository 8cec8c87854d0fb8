"""`statuswatch demo` in the TUI: Cloudflare's outage unfolds and recovers on the screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tui_fakes import detail, notes, rows, screen_text, settle

from statuswatch.demo import scenarios
from statuswatch.demo.clock import ScenarioClock
from statuswatch.demo.session import open_session
from statuswatch.tui.app import build_app

pytestmark = pytest.mark.anyio


async def test_cloudflare_outage_unfolds_and_recovers() -> None:
    scenario = scenarios.load("cloudflare-2025-11-18")
    real = [0.0]
    clock = ScenarioClock(scenario.start, scenario.speed, monotonic=lambda: real[0])

    def jump(hh_mm: str) -> None:
        hours, minutes = map(int, hh_mm.split(":"))
        target = scenario.start.replace(hour=hours, minute=minutes)
        real[0] = (target - scenario.start) / timedelta(seconds=1) / scenario.speed

    with open_session(scenario, clock) as session:
        app = build_app(
            session.specs,
            interval=3600,
            settings=session.config.http,
            cache_dir=session.cache_dir,
            now=clock.now,
            banner=lambda: f"DEMO {clock.now():%H:%M}",
        )
        async with app.run_test(size=(160, 45)) as pilot:
            await settle(pilot, app)
            assert rows(app, "providers", 0) == ["operational"] * 6
            assert "All 6 providers operational" in screen_text(app)

            jump("12:30")
            await pilot.press("r")
            await settle(pilot, app)
            assert rows(app, "providers")[:3] == ["Cloudflare", "OpenAI (API & ChatGPT)", "Canva"]
            assert rows(app, "providers", 0)[:3] == [
                "MAJOR OUTAGE",
                "partial outage",
                "partial outage",
            ]
            assert rows(app, "incidents", 2)[0] == "Cloudflare Global Network experiencing issues"
            assert (
                "New incident (critical)",
                "Cloudflare: Cloudflare Global Network experiencing issues",
            ) in notes(app)
            assert "DEMO 12:30" in screen_text(app)
            assert detail(app).startswith("Cloudflare  MAJOR OUTAGE")
            assert "Components not operational (11 of 13)" in detail(app)

            jump("14:50")
            await pilot.press("r")
            await settle(pilot, app)
            assert rows(app, "providers", 0)[0] == "degraded"
            assert rows(app, "incidents", 3)[0] == "monitoring"

            jump("17:10")
            await pilot.press("r")
            await settle(pilot, app)
            assert rows(app, "providers", 0) == ["operational"] * 6
            assert ("Resolved", "Cloudflare: Cloudflare Global Network experiencing issues") in (
                notes(app)
            )
            assert rows(app, "incidents", 0) == ["resolved"] * 3
            assert "All 6 providers operational" in screen_text(app)
