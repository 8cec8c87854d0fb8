"""The live view at 80x24, the size most terminals open at: nothing that matters is lost."""

from __future__ import annotations

import re

import pytest
from tui_fakes import (
    NOW,
    SPECS,
    ScriptedPoller,
    incident,
    ok,
    rows,
    screen_text,
    settle,
    trouble,
)

from statuswatch.model import Impact, ProviderSpec, Status
from statuswatch.tui.app import build_app
from statuswatch.tui.widgets import Column, ListTable, fit_columns

pytestmark = pytest.mark.anyio
SMALL = (80, 24)
# Longer than the demo's own: the header must cope with any banner.
BANNER = "DEMO cloudflare-2025-11-18 · 2025-11-18 13:14 UTC · 120x · replaying"


def _app(rounds: list, banner: str | None = BANNER, specs=SPECS):  # type: ignore[no-untyped-def]
    return build_app(
        specs,
        interval=600,
        poller=ScriptedPoller(rounds),
        now=lambda: NOW,
        monotonic=lambda: 0.0,
        banner=banner,
    )


async def test_the_header_keeps_its_counts_line_and_the_footer_its_keys() -> None:
    app = _app([trouble()])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, app)
        lines = screen_text(app).splitlines()
        # The long demo banner does not wrap over the counts.
        assert lines[0].startswith(" DEMO cloudflare-2025-11-18")
        assert "refreshed" in lines[0] and "next" in lines[0]
        assert lines[1].strip().startswith("1 MAJOR OUTAGE")
        assert "? Help" in lines[-1] and "q Quit" in lines[-1]


async def test_incidents_keep_provider_title_and_since() -> None:
    long = ProviderSpec("aws", "Amazon Web Services (us-east-1)", "aws", "https://aws.example")
    aws = ok(long, Status.PARTIAL_OUTAGE, incidents=[
        incident("a1", "Increased error rates and latencies for DynamoDB", Impact.MAJOR, started=95)
    ])  # fmt: skip
    app = _app([[*trouble(), aws]], specs=(*SPECS, long))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, app)
        incidents = app.query_one("#incidents", ListTable)
        assert incidents.shown_labels() == ["Provider", "Incident", "Since"]
        text = screen_text(app)
        assert "1h 35m ago" in text and "42m ago" in text  # since when: always there, whole
        # Names and titles too long end in an ellipsis: never cut silently, which would read
        # as another name.
        assert len(re.findall(r"Amazon Web ?\w*…", text)) == 2  # providers and incidents
        assert re.search(r"Increased error[\w ]*…", text)
        assert "Amazon Web Services (us-east-1)" not in text
        providers = app.query_one("#providers", ListTable)
        assert providers.shown_labels() == ["Status", "Provider"]
        assert rows(app, "incidents", 4)[1] == "1h 35m ago"


async def test_wider_screens_show_every_column() -> None:
    app = _app([trouble()])
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot, app)
        incidents = app.query_one("#incidents", ListTable)
        assert incidents.shown_labels() == ["Impact", "Provider", "Incident", "Phase", "Since"]
        assert app.query_one("#providers", ListTable).shown_labels() == [
            "Status",
            "Provider",
            "Note",
        ]


def test_columns_give_way_in_order() -> None:
    columns = (
        Column("impact", "Impact", 8, drop=1),
        Column("provider", "Provider", 18, least=10),
        Column("title", "Incident", least=16),
        Column("phase", "Phase", 13, drop=2),
        Column("since", "Since", 9),
    )
    wide = fit_columns(columns, 120)
    assert [i for i, _ in wide] == [0, 1, 2, 3, 4]
    assert sum(w for _, w in wide) + 2 * 4 + 2 == 120  # the title takes the rest
    # First the phase goes, then the provider shrinks, then the impact goes.
    assert [i for i, _ in fit_columns(columns, 70)] == [0, 1, 2, 4]
    assert dict(fit_columns(columns, 56))[1] < 18
    assert [i for i, _ in fit_columns(columns, 46)] == [1, 2, 4]
    # Never wider than the room it is given.
    for total in range(42, 130):  # below, even the columns that never go do not fit
        fitted = fit_columns(columns, total)
        assert sum(w for _, w in fitted) + 2 * (len(fitted) - 1) + 2 <= total, total


def test_a_countdown_reads_as_a_duration() -> None:
    from statuswatch.timefmt import duration

    assert [duration(s) for s in (0, 45, 250, 600, 3660, 86400, 1e9)] == [
        "0s", "45s", "4m 10s", "10m", "1h 1m", "1d 0h", "11574d 1h"
    ]  # fmt: skip
