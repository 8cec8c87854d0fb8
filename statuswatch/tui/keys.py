"""The main screen's keys: its bindings, and the help that lists them, in one place."""

from __future__ import annotations

from textual.binding import Binding

__all__ = ["KEYS", "MAIN_BINDINGS"]

# Short words: at 80 columns the footer must still show `? Help` and `q Quit`.
MAIN_BINDINGS: tuple[Binding, ...] = (
    Binding("enter", "details", "Details", show=False),
    Binding("o", "open", "Open"),
    Binding("slash", "filter", "Filter"),
    Binding("f", "only_problems", "Problems"),
    Binding("r", "refresh", "Refresh"),
    Binding("h", "history", "History"),
    Binding("question_mark", "help", "Help"),
    Binding("escape", "clear_filter", "Clear filter", show=False),
    Binding("q", "quit", "Quit"),
    # Ctrl-C quits, as in k9s and lazygit (Textual would ask for ctrl+q), from any window and
    # even in the filter box: a priority binding comes before the focused widget's.
    Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
)

# Every key the main screen and its lists take (tests/test_tui_keys.py holds them to it).
KEYS: tuple[tuple[str, str], ...] = (
    ("↑ ↓  j k", "move in the focused list (scroll the details)"),
    ("pageup pagedown", "a page up / down in the focused list"),
    ("home  end", "the first / the last row"),
    ("tab  shift+tab", "next / previous pane (providers, incidents, ...)"),
    ("enter", "the selected row in a full window"),
    ("escape", "close that window; clear the filter"),
    ("o", "open the selected incident's page in a browser"),
    ("/", "filter every list by words; then enter keeps the"),
    ("", "filter, escape clears it"),
    ("f", "only providers with problems (toggle)"),
    ("r", "refresh now"),
    ("h", "history: recent incidents (a provider's: its 90 days)"),
    ("?", "this help"),
    ("q  ctrl+c", "quit, from any window"),
)
