"""The modal screens: the full detail of one item, and the key help."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["KEYS", "DetailScreen", "HelpScreen"]

KEYS: tuple[tuple[str, str], ...] = (
    ("↑ ↓  j k", "move in the focused list"),
    ("tab  shift+tab", "next / previous pane: providers, incidents, maintenance, details"),
    ("enter", "open the details of the selected row"),
    ("o", "open the selected incident's page (or the provider's) in a browser"),
    ("/", "filter every list by text; enter keeps it, escape clears it"),
    ("f", "show only providers with problems (toggle)"),
    ("r", "refresh now"),
    ("h", "history: recent incidents of every provider (a provider's details: its 90 days)"),
    ("?", "this help"),
    ("escape", "close a window, clear the filter"),
    ("q", "quit"),
)


class DetailScreen(ModalScreen[None]):
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
            text.append(f"{key:<16}", style="bold cyan")
            text.append(meaning + "\n")
        text.append(
            "\nThe mouse works too: click a row to select it, click again to open it.\n"
            "Statuses are words as well as colours; 'unknown' means the page could not be "
            "read (the reason and the age of the data are shown), never an outage.",
            style="dim",
        )
        with Vertical(id="help-window"):
            yield Static(text, id="help-text")

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
