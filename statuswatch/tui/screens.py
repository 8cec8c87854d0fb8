"""The modal screens: a scrolling window of text (an item's detail, the history), the keys."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from statuswatch.tui.keys import KEYS

__all__ = ["DetailScreen", "HelpScreen", "ScrollingScreen"]


class ScrollingScreen(ModalScreen[None]):
    """A window of text in a `#detail-scroll` container: closed, and scrolled a line a key."""

    def action_close(self) -> None:
        """Close the window."""
        self.dismiss(None)

    def action_scroll(self, direction: str) -> None:
        """Scroll the text by a line."""
        scroller = self.query_one("#detail-scroll", VerticalScroll)
        if direction == "down":
            scroller.scroll_down(animate=False)
        else:
            scroller.scroll_up(animate=False)


class DetailScreen(ScrollingScreen):
    """One incident, maintenance or provider, full screen, scrollable."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("enter", "close", "Close", show=False),
        Binding("j", "scroll('down')", "Scroll", show=False),
        Binding("k", "scroll('up')", "Scroll", show=False),
        # A modal screen keeps the app's bindings from its keys: these two are lent back.
        Binding("o", "app.open", "Open in browser"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, content: Text, url: str | None) -> None:
        super().__init__()
        self.content = content
        self.url = url

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-window"):
            with VerticalScroll(id="detail-scroll"):
                yield Static(self.content, id="detail-full")
            hint = "escape close · o open in browser · q quit" if self.url else "escape close"
            yield Static(Text(hint, style="dim"), id="detail-hint")


class HelpScreen(ModalScreen[None]):
    """The keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", "Close", show=False),
        Binding("enter", "close", "Close", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("statuswatch keys\n\n", style="bold")
        for key, meaning in KEYS:
            text.append(f"{key:<17}", style="bold cyan")
            text.append(meaning + "\n")
        text.append(
            "\nThe mouse works too: a click selects a row, a second click opens it.\n"
            "'unknown' means the page could not be read, never an outage.",
            style="dim",
        )
        with Vertical(id="help-window"):
            yield Static(text, id="help-text")

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
