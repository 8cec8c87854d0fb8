"""The live view with stacks, the blast radius and shared causes (Pilot)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import pytest
from tui_fakes import (
    CLOUDFLARE,
    GITHUB,
    NOW,
    OPENAI,
    SIZE,
    Clock,
    at,
    detail,
    incident,
    ok,
    rows,
    screen_text,
    settle,
)

from statuswatch.assess import assess
from statuswatch.model import Impact, ProviderReport, Snapshot, Status
from statuswatch.scope import parse_target, scope_report
from statuswatch.stacks import Stack
from statuswatch.tui.app import StatusApp, build_app
from statuswatch.tui.widgets import ListTable

pytestmark = pytest.mark.anyio

OPENAI_ON_CF = dataclasses.replace(OPENAI, runs_on=(parse_target("cloudflare"),))
GOOGLE = dataclasses.replace(GITHUB, id="google-cloud", name="Google Cloud")
CF_ON_GOOGLE = dataclasses.replace(CLOUDFLARE, runs_on=(parse_target("google-cloud"),))
CHECKOUT = Stack("checkout", "Checkout", (parse_target("openai"), parse_target("github")))


class AssessingPoller:
    """Answers each poll with `reports` as the engine would: scoped, then assessed."""

    def __init__(self, reports: Sequence[ProviderReport], stacks: Sequence[Stack] = ()) -> None:
        self.reports = list(reports)
        self.stacks = tuple(stacks)

    async def __call__(self, on_report: Callable[[ProviderReport], None]) -> Snapshot:
        for report in self.reports:
            on_report(scope_report(report, report.spec.scope))
        return assess(Snapshot(NOW, tuple(self.reports)), self.stacks)


def make(reports: Sequence[ProviderReport], stacks: Sequence[Stack] = ()) -> StatusApp:
    specs = [r.spec for r in reports]
    poller = AssessingPoller(reports, stacks)
    return build_app(specs, interval=3600, poller=poller, now=Clock(), open_url=[].append)


def cloudflare_down() -> ProviderReport:
    down = incident("cf1", "Cloudflare Global Network experiencing issues", Impact.CRITICAL)
    return ok(CLOUDFLARE, Status.MAJOR_OUTAGE, incidents=[down])


async def test_a_provider_whose_upstream_fails_says_it_may_be_affected() -> None:
    app = make([cloudflare_down(), ok(OPENAI_ON_CF), ok(GITHUB)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert rows(app, "providers") == ["Cloudflare", "OpenAI", "GitHub"]
        assert rows(app, "providers", 0)[1] == "operational"  # its own status is untouched
        assert rows(app, "providers", 2)[1] == "may be affected by Cloudflare"
        await pilot.press("j")
        await settle(pilot, app)
        assert "At risk   may be affected by Cloudflare (MAJOR OUTAGE): it runs on it" in detail(
            app
        )
        # No stacks in the config: no stacks list.
        assert not app.query_one("#stacks", ListTable).display


async def test_stacks_head_the_live_view() -> None:
    app = make([cloudflare_down(), ok(OPENAI_ON_CF), ok(GITHUB)], [CHECKOUT])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        stacks = app.query_one("#stacks", ListTable)
        assert stacks.display
        assert rows(app, "stacks", 0) == ["operational"]
        assert rows(app, "stacks") == ["Checkout"]
        assert rows(app, "stacks", 2) == ["may be affected by Cloudflare"]
        text = screen_text(app)
        assert text.index("Stacks (1)") < text.index("Providers (3)")
        await pilot.press("shift+tab")  # the stacks list comes before the providers
        assert stacks.has_focus
        await settle(pilot, app)
        shown = detail(app)
        assert "Checkout  operational" in shown
        assert "operational  OpenAI" in shown and "operational  GitHub" in shown
        assert "may be affected by Cloudflare" in shown


async def test_both_incidents_of_a_shared_cause_show_the_link() -> None:
    google = ok(
        GOOGLE,
        Status.PARTIAL_OUTAGE,
        incidents=[incident("g1", "Multiple products return 503", Impact.CRITICAL, started=40)],
    )
    cloudflare = ok(
        CF_ON_GOOGLE,
        Status.MAJOR_OUTAGE,
        incidents=[incident("kv", "Workers KV is failing", Impact.CRITICAL, started=33)],
    )
    app = make([google, cloudflare])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        incidents = app.query_one("#incidents", ListTable)
        await pilot.press("tab")
        assert incidents.has_focus
        await settle(pilot, app)
        seen = [detail(app)]
        await pilot.press("j")
        await settle(pilot, app)
        seen.append(detail(app))
        expected = (
            f"Linked    likely common cause: Google Cloud ({at(40):%H:%M} UTC), then "
            f"Cloudflare ({at(33):%H:%M} UTC)"
        )
        assert all(expected in text for text in seen), seen
        assert any("with Google Cloud" in text for text in seen)
        assert any("with Cloudflare" in text for text in seen)


def test_the_scope_line_counts_what_it_leaves_out_in_words() -> None:
    # The detail pane said "(1 incidents and 0 components elsewhere, left out)".
    from rich.text import Text

    from statuswatch.model import ScopeNote
    from statuswatch.tui.scopeview import add_scope

    shown = []
    for note in (ScopeNote(("us-east-1",), 0, 1), ScopeNote(("us-east-1",), 2, 1)):
        out = Text()
        add_scope(out, dataclasses.replace(ok(GITHUB), scope=note))
        shown.append(out.plain)
    assert shown == [
        "Scope     us-east-1  (1 incident elsewhere, left out)\n",
        "Scope     us-east-1  (1 incident and 2 components elsewhere, left out)\n",
    ]
