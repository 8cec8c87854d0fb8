"""The live view with probes: the early warning's mark and details, the header, the lead."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from tui_fakes import (
    GITHUB,
    NOW,
    SIZE,
    SPECS,
    Clock,
    calm,
    detail,
    rows,
    screen_text,
    settle,
)

from statuswatch.model import (
    EarlyWarning,
    Impact,
    Incident,
    Page,
    Phase,
    ProbeResult,
    ProbeState,
    ProbeSummary,
    ProviderReport,
    Snapshot,
    Status,
    Update,
    Vantage,
    VantageState,
)
from statuswatch.tui.app import build_app

pytestmark = pytest.mark.anyio
WARNED_AT = NOW - timedelta(minutes=69)  # 11:21 UTC
TEXT = "probes: 2 of 3 failing since 11:20 UTC; the page says operational"


def _probes(failed: int) -> ProbeSummary:
    results = tuple(
        ProbeResult(
            f"https://api{n}.gh.example/",
            ok=n >= failed,
            status=503 if n < failed else 401,
            error="HTTP 503" if n < failed else None,
            latency_ms=42.0,
            region="us",
        )
        for n in range(3)
    )
    state = ProbeState.FAILING if failed >= 2 else ProbeState.OK
    return ProbeSummary(state, 3 - failed, 3, NOW - timedelta(minutes=70), results)


class EnginePoller:
    """Like the engine: reports arrive without probe results; the snapshot has them."""

    def __init__(self, reports: list[ProviderReport], vantage: Vantage | None = None) -> None:
        self.reports = reports
        self.vantage = vantage

    async def __call__(self, on_report: Callable[[ProviderReport], None]) -> Snapshot:
        for report in self.reports:
            on_report(replace(report, probes=None, early_warning=None))
        return Snapshot(NOW, tuple(self.reports), vantage=self.vantage)


def _warned() -> list[ProviderReport]:
    reports = calm()
    github = reports[2]
    assert github.spec is GITHUB
    reports[2] = replace(
        github, probes=_probes(2), early_warning=EarlyWarning(since=WARNED_AT, text=TEXT)
    )
    return reports


async def test_an_early_warning_is_marked_never_a_status_and_detailed() -> None:
    app = build_app(SPECS, interval=3600, poller=EnginePoller(_warned()), now=Clock())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        # Listed first among the operational ones, its status unchanged.
        assert rows(app, "providers") == ["GitHub", "Cloudflare", "OpenAI"]
        assert rows(app, "providers", 0) == ["operational"] * 3
        assert rows(app, "providers", 2)[0].startswith("⚠ early warning")
        assert not rows(app, "providers", 2)[1].startswith("⚠")
        await pilot.press("up")  # the selection stayed on the row first listed before
        await settle(pilot, app)
        text = detail(app)
        assert text.startswith("GitHub  operational")
        assert "⚠ early warning  " + TEXT in text
        assert "opened 2025-11-18 11:21 UTC (1h 9m ago)" in text
        assert "Probes    1 of 3 passed (failing, since 2025-11-18 11:20 UTC" in text
        assert "✗ https://api0.gh.example/  [us]  HTTP 503 · 42 ms" in text
        assert "✓ https://api2.gh.example/  [us]  HTTP 401 · 42 ms" in text
        assert "1 early warning" in screen_text(app)
        await pilot.press("f")  # only problems: the warned provider stays
        await settle(pilot, app)
        assert rows(app, "providers") == ["GitHub"]


async def test_the_page_s_lag_on_the_incident_and_the_offline_notice() -> None:
    posted = NOW - timedelta(minutes=42)
    late = Incident(
        "gh1",
        "Git operations fail",
        Impact.MAJOR,
        Phase.INVESTIGATING,
        posted,
        updates=(Update(posted, Phase.INVESTIGATING, "Looking."),),
        detected_lead_s=27 * 60,
    )
    reports = _warned()
    reports[2] = replace(reports[2], page=Page(Status.MAJOR_OUTAGE, incidents=(late,)))
    offline = Vantage(
        VantageState.OFFLINE, "probes fail everywhere: your network or DNS looks down"
    )
    app = build_app(SPECS, interval=3600, poller=EnginePoller(reports, offline), now=Clock())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert "your network or DNS looks down" in screen_text(app)
        await pilot.press("tab")
        await settle(pilot, app)
        assert "Lead      the page posted 27 min after statuswatch's early warning" in detail(app)
