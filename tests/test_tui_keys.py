"""The TUI's keys and mouse under Pilot: move, details, links, filter, refresh, help, quit."""

from __future__ import annotations

import threading
import webbrowser
from typing import ClassVar

import pytest
from textual.widgets import Input
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
    incident,
    make_app,
    notes,
    ok,
    rows,
    screen_text,
    settle,
    trouble,
)

from statuswatch.model import ProviderSpec, Status
from statuswatch.tui.app import StatusApp, build_app
from statuswatch.tui.screens import DetailScreen, HelpScreen
from statuswatch.tui.widgets import ListTable

# anyio (installed with httpx) runs the async tests; no other plugin needed.
pytestmark = pytest.mark.anyio


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
    opened: ClassVar[list[str]] = []
    app, _ = make_app([trouble()], opened=opened)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("tab", "o")
        await pilot.pause(0.1)
        assert opened == ["https://cf.example/incidents/cf1"]
        await pilot.press("j", "o")  # OpenAI's incident has no link: the provider's page
        await pilot.pause(0.1)
        assert opened[-1] == "https://oa.example"
        opened.clear()
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("o")  # from the detail window too
        await pilot.pause(0.1)
        assert opened == ["https://oa.example"]
        assert notes(app)[-1] == ("", "Opening https://oa.example")


async def test_o_never_opens_anything_but_http() -> None:
    opened: ClassVar[list[str]] = []
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


def test_the_help_lists_every_key_of_the_main_screen() -> None:
    from textual.binding import Binding

    from statuswatch.tui.keys import KEYS

    shown = " ".join(key for key, _ in KEYS).split()
    names = {"question_mark": "?", "slash": "/", "up": "↑", "down": "↓"}
    for owner in (StatusApp, ListTable):
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding)
            for key in binding.key.split(","):
                assert names.get(key, key) in shown, f"{owner.__name__}: {key} is not in the help"
    # The filter's own keys, and the window keys, are in its words.
    words = " ".join(meaning for _, meaning in KEYS)
    assert "enter keeps the" in words and "escape clears it" in words
    assert "tab" in shown and "shift+tab" in shown


@pytest.mark.parametrize("where", ["main", "enter", "question_mark", "slash"])
async def test_ctrl_c_quits_from_anywhere(where: str) -> None:
    # As in k9s and lazygit: no "Press ctrl+q to quit" (Textual's own default), even in the
    # filter box, where ctrl+c would copy.
    app, _ = make_app([trouble()])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        if where != "main":
            await pilot.press(where)
        await pilot.press("ctrl+c")
        await pilot.pause(0.1)
        assert not app.is_running


async def test_footer_shows_the_keys() -> None:
    app, _ = make_app([calm()])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        footer = screen_text(app).splitlines()[-1]
        for label in ("Open", "Filter", "Problems", "Refresh", "? Help", "q Quit"):
            assert label in footer


async def test_q_quits() -> None:
    app, _ = make_app([calm()])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("q")
        await pilot.pause(0.1)
        assert not app.is_running


@pytest.mark.parametrize("window", ["enter", "question_mark"])
async def test_q_quits_from_the_detail_and_help_windows(window: str) -> None:
    app, _ = make_app([trouble()])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press(window)
        assert isinstance(app.screen, DetailScreen | HelpScreen)
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


class _Browsers:
    """What webbrowser.get() returns, their `open` recording instead of starting anything."""

    opened: ClassVar[list[str]] = []

    @classmethod
    def make(cls, kind: type[webbrowser.GenericBrowser], name: str) -> webbrowser.BaseBrowser:
        browser = kind(name)

        def record(url: str, new: int = 0, autoraise: bool = True) -> bool:
            cls.opened.append(url)
            return True

        browser.open = record  # type: ignore[method-assign]
        return browser


async def press_o_on_the_first_incident(
    monkeypatch: pytest.MonkeyPatch, browser: object
) -> tuple[StatusApp, list[str]]:
    def get(using: str | None = None) -> object:
        if browser is None:
            raise webbrowser.Error("could not locate runnable browser")
        return browser

    monkeypatch.setattr(webbrowser, "get", get)
    _Browsers.opened = []
    app = build_app(SPECS, interval=3600, poller=ScriptedPoller([trouble()]), now=lambda: NOW)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("tab", "o")
        for _ in range(100):
            if len(app._notifications) > 1 or _Browsers.opened:
                break
            await pilot.pause(0.02)
        await pilot.pause(0.05)
        assert notes(app)[0] == ("", "Opening https://cf.example/incidents/cf1")
    return app, copied


async def test_o_with_a_graphical_browser_opens_it(monkeypatch: pytest.MonkeyPatch) -> None:
    app, copied = await press_o_on_the_first_incident(
        monkeypatch, _Browsers.make(webbrowser.BackgroundBrowser, "firefox")
    )
    assert _Browsers.opened == ["https://cf.example/incidents/cf1"]
    assert copied == [] and len(notes(app)) == 1


async def test_o_without_a_browser_shows_and_copies_the_link(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, copied = await press_o_on_the_first_incident(monkeypatch, None)
    assert copied == ["https://cf.example/incidents/cf1"]
    assert notes(app)[1] == (
        "",
        "No browser found. The link, copied to the clipboard: https://cf.example/incidents/cf1",
    )


async def test_o_with_a_console_browser_lends_the_terminal_or_shows_the_link(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The headless test driver cannot be suspended: the link is shown instead of w3m taking
    # over the screen behind the app's back.
    app, copied = await press_o_on_the_first_incident(
        monkeypatch, _Browsers.make(webbrowser.GenericBrowser, "w3m")
    )
    assert _Browsers.opened == []
    assert copied == ["https://cf.example/incidents/cf1"]
    assert notes(app)[1][1].startswith("w3m needs the terminal, which cannot be lent here.")
