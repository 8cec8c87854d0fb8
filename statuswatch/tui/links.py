"""Opening a link from the TUI: the given opener, a graphical browser, or a console browser
that gets the terminal while it runs; with none, the link is shown and copied."""

from __future__ import annotations

import webbrowser
from collections.abc import Callable

from textual.app import App, SuspendNotSupported

__all__ = ["open_link"]


def open_link(app: App[object], url: str, opener: Callable[[str], object] | None) -> None:
    """Open `url` for `app`; called in a thread (finding a browser can take a while)."""
    if opener is not None:
        opener(url)
        return
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        app.call_from_thread(_show_link, app, url, "No browser found.")
        return
    if type(browser) is webbrowser.GenericBrowser:
        # A console browser (lynx, w3m, or $BROWSER) needs the terminal until it exits.
        app.call_from_thread(_lend_terminal, app, browser, url)
    else:
        browser.open(url)


def _lend_terminal(app: App[object], browser: webbrowser.BaseBrowser, url: str) -> None:
    try:
        with app.suspend():
            browser.open(url)
    except SuspendNotSupported:
        _show_link(app, url, f"{browser.name} needs the terminal, which cannot be lent here.")


def _show_link(app: App[object], url: str, why: str) -> None:
    app.copy_to_clipboard(url)
    app.notify(
        f"{why} The link, copied to the clipboard: {url}",
        severity="warning",
        timeout=12,
        markup=False,
    )
