"""The TUI under Pilot: every key, selection, filtering, live refresh, stale data, hostile text."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import timedelta

import pytest
from textual.widgets import Input
from tui_fakes import (
    CLOUDFLARE,
    GITHUB,
    NOW,
    OPENAI,
    SPECS,
    ScriptedPoller,
    calm,
    detail,
    failed,
    incident,
    notes,
    ok,
    rows,
    screen_text,
    settle,
    trouble,
)

from statuswatch.model import ErrorType, Impact, Phase, ProviderReport, ProviderSpec, Status
from statuswatch.tui.app import StatusApp, build_app
from statuswatch.tui.screens import DetailScreen, HelpScreen
from statuswatch.tui.widgets import ListTable

SIZE = (160, 45)
# anyio (installed with httpx) runs the async tests; no other plugin needed.
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Clock:
    """A settable clock for the app (`now`)."""

    def __init__(self) -> None:
        self.value = NOW

    def __call__(self):  # type: ignore[no-untyped-def]
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


async def test_j_k_and_arrows_move_and_the_detail_follows() -> None:
    app, _ = make_app([trouble()])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        table = app.query_one("#providers", ListTable)
        assert table.has_focus
        assert detail(app).startswith("Cloudflare  MAJOR OUTAGE")
        await pilot.press("j")
        assert table.cursor_row == 1
        await settle(pilot, app)  # the detail pane follows the cursor after a short pause
        assert detail(app).startswith("OpenAI  degraded")
        await pilot.press("j", "j")  # stops at the last row
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("up")
        assert table.cursor_row == 0
        await pilot.press("down")
        assert table.selected_key == "openai"


async def test_selection_stays_on_the_same_provider_when_the_order_changes() -> None:
    github_down = [
        ok(CLOUDFLARE),
        ok(OPENAI),
        ok(GITHUB, Status.MAJOR_OUTAGE, incidents=[incident("gh1", "Git operations fail")]),
    ]
    app, _ = make_app([calm(), github_down])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("j", "j")
        table = app.query_one("#providers", ListTable)
        assert table.selected_key == "github"
        await pilot.press("r")
        await settle(pilot, app)
        assert rows(app, "providers") == ["GitHub", "Cloudflare", "OpenAI"]
        assert table.cursor_row == 0
        assert table.selected_key == "github"


async def test_tab_to_incidents_and_enter_opens_the_full_timeline_newest_first() -> None:
    app, _ = make_app([trouble()])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("tab")
        assert app.query_one("#incidents", ListTable).has_focus
        await settle(pilot, app)
        assert detail(app).startswith("Cloudflare Global Network experiencing issues")
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        text = screen_text(app)
        assert "impact critical" in text
        assert "phase identified" in text
        assert "Started   2025-11-18 11:48 UTC (42m ago)" in text
        assert "Affects   CDN/Cache, Bot Management" in text
        assert text.index("Second post") < text.index("First post")
        assert app.screen.url == "https://cf.example/incidents/cf1"
        await pilot.press("escape")
        assert not isinstance(app.screen, DetailScreen)


async def test_enter_on_a_provider_lists_its_incidents_and_maintenance() -> None:
    app, _ = make_app([trouble()])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        text = screen_text(app)
        assert "Active incidents" in text
        assert "Chicago data centre maintenance" in text
        assert "Page      https://cf.example" in text


async def test_o_opens_the_incident_page_in_a_browser() -> None:
    opened: list[str] = []
    app, _ = make_app([trouble()], opened=opened)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("tab", "o")
        await pilot.pause(0.1)
        assert opened == ["https://cf.example/incidents/cf1"]
        await pilot.press("j", "o")  # OpenAI's incident has no link: the provider's page
        await pilot.pause(0.1)
        assert opened[-1] == "https://oa.example"
        await pilot.press("enter", "o")  # from the detail window too
        await pilot.pause(0.1)
        assert opened[-1] == "https://oa.example"


async def test_o_never_opens_anything_but_http() -> None:
    opened: list[str] = []
    evil = incident("x", "Evil link", url="javascript:alert(1)")
    spec = ProviderSpec("local", "Local", "statuspage", "file:///etc/passwd")
    poller = ScriptedPoller([[ok(spec, Status.DEGRADED, incidents=[evil])]])
    app = build_app([spec], interval=3600, poller=poller, now=lambda: NOW, open_url=opened.append)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("o", "tab", "o")
        await pilot.pause(0.1)
        assert opened == []
        assert notes(app).count(("", "Nothing to open: no http(s) link here.")) == 2


async def test_slash_filters_every_list_enter_keeps_escape_clears() -> None:
    app, _ = make_app([trouble()])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("slash")
        box = app.query_one("#filter", Input)
        assert box.display and box.has_focus
        await pilot.press(*"chatgpt")
        await settle(pilot, app)
        assert rows(app, "providers") == ["OpenAI"]  # its open incident's title matches
        assert rows(app, "incidents", 1) == ["OpenAI"]
        assert rows(app, "maintenance") == []
        await pilot.press("enter")
        assert not box.display
        assert app.query_one("#providers", ListTable).has_focus
        assert "filter: chatgpt" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert rows(app, "providers") == ["Cloudflare", "OpenAI", "GitHub"]
        assert "filter:" not in screen_text(app)


async def test_filter_keys_are_typed_not_run() -> None:
    app, _ = make_app([trouble()])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", "q", "f", "r")
        await settle(pilot, app)
        assert app.query_one("#filter", Input).value == "qfr"
        assert app.is_running and not app.only_problems
        assert rows(app, "providers") == []


async def test_f_toggles_only_problems() -> None:
    app, _ = make_app([trouble()])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f")
        await settle(pilot, app)
        assert rows(app, "providers") == ["Cloudflare", "OpenAI"]
        assert "only problems" in screen_text(app)
        await pilot.press("f")
        await settle(pilot, app)
        assert rows(app, "providers") == ["Cloudflare", "OpenAI", "GitHub"]


async def test_r_refreshes_now_and_never_stacks_polls() -> None:
    gate = threading.Event()
    app, poller = make_app([calm()], gate=gate)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.1)
        assert poller.calls == 1 and app.polling
        await pilot.press("r", "r")
        await pilot.pause(0.1)
        assert poller.calls == 1
        assert notes(app).count(("", "A refresh is already running.")) == 2
        gate.set()
        await settle(pilot, app)
        assert not app.polling
        await pilot.press("r")
        await settle(pilot, app)
        assert poller.calls == 2
        assert poller.max_running == 1


async def test_question_mark_shows_help_and_escape_closes_it() -> None:
    app, _ = make_app([calm()])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for key in ("j k", "enter", "filter every list", "only providers with problems", "quit"):
            assert key in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_footer_shows_the_keys() -> None:
    app, _ = make_app([calm()])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        footer = screen_text(app).splitlines()[-1]
        for label in ("Open in browser", "Filter", "Problems only", "Refresh", "Help", "Quit"):
            assert label in footer


async def test_q_quits() -> None:
    app, _ = make_app([calm()])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("q")
        await pilot.pause(0.1)
        assert not app.is_running


async def test_q_quits_while_a_poll_hangs() -> None:
    gate = threading.Event()  # never set: the provider never answers
    app, _ = make_app([calm()], gate=gate)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.1)
        assert app.polling
        await pilot.press("q")
        await pilot.pause(0.1)
        assert not app.is_running
    gate.set()


async def test_mouse_click_selects_and_a_second_click_opens() -> None:
    app, _ = make_app([trouble()])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        table = app.query_one("#providers", ListTable)
        # Row 2 (GitHub) is the fourth line of the table: border, header, rows 0 and 1.
        await pilot.click("#providers", offset=(20, 4))
        assert table.selected_key == "github"
        await settle(pilot, app)
        assert detail(app).startswith("GitHub  operational")
        await pilot.click("#providers", offset=(20, 4))
        await pilot.pause(0.05)
        assert isinstance(app.screen, DetailScreen)


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
        assert rows(app, "incidents", 3) == ["closed 0s ago"]
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
        assert notes(app) == [("statuswatch", "refresh failed: RuntimeError: engine bug")]
        assert app.is_running and not app.polling


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


async def test_long_lists_page_home_end_and_the_cursor_stays_visible() -> None:
    specs = [
        ProviderSpec(f"p{n:02d}", f"Provider {n:02d}", "statuspage", "https://x.example")
        for n in range(60)
    ]
    reports = [ok(spec) for spec in specs]
    app = build_app(specs, interval=3600, poller=ScriptedPoller([reports]), now=lambda: NOW)

    def on_screen(table: ListTable) -> bool:
        top = round(table.scroll_y)
        return top <= table.cursor_row < top + table.scrollable_content_region.height - 1

    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot, app)
        table = app.query_one("#providers", ListTable)
        assert table.row_count == 60
        await pilot.press("end")
        assert table.selected_key == "p59"
        assert table.scroll_y > 0 and on_screen(table)
        await pilot.press("pageup")
        assert 30 < table.cursor_row < 59 and on_screen(table)
        await pilot.press("home")
        assert table.selected_key == "p00"
        assert table.scroll_y == 0
        await pilot.press("pagedown")
        assert 1 < table.cursor_row < 30 and on_screen(table)
        await settle(pilot, app)
        assert detail(app).startswith(f"Provider {table.cursor_row:02d}  operational")
