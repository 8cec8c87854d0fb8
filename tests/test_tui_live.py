"""The TUI with the real engine: pages served from 127.0.0.1 change between two polls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from loopback import LoopbackServer
from tui_fakes import rows, screen_text, settle

from statuswatch.model import ProviderSpec
from statuswatch.settings import HttpSettings
from statuswatch.tui.app import build_app

pytestmark = pytest.mark.anyio
DOC = "/api/v2/summary.json"
FAST = HttpSettings(connect_timeout=2.0, read_timeout=2.0, deadline=2.0, retries=0)


def summary(indicator: str, incidents: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    words = {"none": "All Systems Operational", "critical": "Major System Outage"}
    return {
        "page": {
            "id": "p1",
            "name": "Example",
            "url": "https://status.example.com",
            "time_zone": "Etc/UTC",
            "updated_at": "2026-03-01T11:59:00.000Z",
        },
        "status": {"indicator": indicator, "description": words[indicator]},
        "components": [{"id": "c1", "name": "API", "status": "operational", "position": 1}],
        "incidents": incidents or [],
        "scheduled_maintenances": [],
    }


OUTAGE = summary(
    "critical",
    [
        {
            "id": "i1",
            "name": "API requests fail",
            "status": "investigating",
            "impact": "critical",
            "created_at": "2026-03-01T11:50:00.000Z",
            "updated_at": "2026-03-01T11:55:00.000Z",
            "started_at": "2026-03-01T11:50:00.000Z",
            "shortlink": "https://stspg.io/abc",
            "incident_updates": [
                {
                    "id": "u1",
                    "status": "investigating",
                    "body": "We are looking into failing API requests.",
                    "created_at": "2026-03-01T11:50:00.000Z",
                    "display_at": "2026-03-01T11:50:00.000Z",
                }
            ],
        }
    ],
)


async def test_a_page_that_changes_between_two_polls(tmp_path: Path) -> None:
    with LoopbackServer() as server:
        server.route("/a" + DOC, body=summary("none"), etag=True)
        server.route("/b" + DOC, body=summary("none"), etag=True)
        specs = [
            ProviderSpec("a", "Alpha", "statuspage", server.url("/a")),
            ProviderSpec("b", "Beta", "statuspage", server.url("/b")),
        ]
        app = build_app(specs, interval=3600, settings=FAST, cache_dir=tmp_path / "cache")
        async with app.run_test(size=(160, 45)) as pilot:
            await settle(pilot, app)
            assert rows(app, "providers", 0) == ["operational", "operational"]
            server.route("/b" + DOC, body=OUTAGE, etag=True)
            await pilot.press("r")
            await settle(pilot, app)
            assert rows(app, "providers") == ["Beta", "Alpha"]
            assert rows(app, "providers", 0) == ["MAJOR OUTAGE", "operational"]
            assert rows(app, "incidents", 2) == ["API requests fail"]
            assert [(n.title, n.message) for n in app._notifications] == [
                ("New incident (critical)", "Beta: API requests fail")
            ]
            # Alpha did not change: the second poll got a 304 for it.
            assert server.hits("/a" + DOC) == (1, 1)
            # Beta now fails: the engine falls back to its cached page, marked stale.
            server.fault("/b" + DOC, "500")
            await pilot.press("r")
            await settle(pilot, app)
            assert rows(app, "providers", 0) == ["unknown", "operational"]
            note = rows(app, "providers", 2)[0]
            assert note.startswith("stale ")
            assert ", was MAJOR OUTAGE · http_status: " in note
            assert rows(app, "incidents", 3) == ["investigating (stale)"]
            assert "1 unknown" in screen_text(app)
