"""The past in the live view: a provider's 90-day bar and past incidents in its details, and
the history screen (`h`) of recent incidents across every provider.

Page strings are appended as literal text (never markup), as everywhere in the view.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from statuswatch.history.export import duration_text
from statuswatch.history.model import PastIncident
from statuswatch.history.view import BAR_DAYS, HistoryView, ProviderPast
from statuswatch.model import Impact, ProviderSpec, Status
from statuswatch.text import one_line
from statuswatch.tui.messages import PastLoaded, PollFinished, RecentLoaded
from statuswatch.tui.render import IMPACT_STYLES, STATUS_STYLES
from statuswatch.tui.screens import ScrollingScreen

__all__ = ["HistoryApp", "HistoryScreen", "HistoryView", "PastKeeper", "past_text", "recent_text"]

DAY = "▆"  # one day of the bar
NO_DATA = "·"  # a day nothing is known of


def _impact_style(impact: str) -> str:
    try:
        return IMPACT_STYLES[Impact(impact)]
    except ValueError:
        return ""


def _span(incident: PastIncident) -> str:
    if incident.resolved_at is None:
        return "still open"
    return f"lasted {duration_text(incident.duration_s)}"


def past_text(past: ProviderPast | None, error: str | None = None) -> Text:
    """The bar and the timeline appended to a provider's details."""
    out = Text()
    out.append(f"\nLast {BAR_DAYS} days", style="bold")
    if error is not None:
        out.append(f"  history unavailable: {one_line(error, 200)}\n", style="magenta")
        return out
    if past is None:
        out.append("  reading the history…\n", style="dim")
        return out
    figures = past.figures
    if figures is not None and figures.uptime_pct is not None:
        basis = figures.basis.get("uptime_pct", "")
        out.append(f"  ·  uptime {figures.uptime_pct:.2f} % ({basis})", style="dim")
    out.append("\n")
    days = figures.daily if figures is not None and figures.daily else ()
    for _day, status in days:
        if status is None:
            out.append(NO_DATA, style="dim")
        else:
            try:
                out.append(DAY, style=STATUS_STYLES[Status(status)])
            except ValueError:
                out.append(NO_DATA, style="dim")
    if days:
        first, last = days[0][0], days[-1][0]
        gap = max(1, len(days) - len(first) - len(last))
        out.append(f"\n{first}{' ' * gap}{last}\n", style="dim")
    if not past.incidents:
        out.append("No incident recorded in these days.\n", style="green")
        return out
    out.append(f"\nPast incidents ({len(past.incidents)})\n", style="bold")
    for incident in past.incidents:
        _incident_line(out, incident, with_provider=False)
    return out


def _incident_line(out: Text, incident: PastIncident, *, with_provider: bool) -> None:
    start = incident.start
    out.append(f"  {start:%Y-%m-%d %H:%M}  " if start else "  ????-??-?? ??:??  ", style="cyan")
    if with_provider:
        out.append(f"{one_line(incident.provider_name, 18):<18} ", style="bold")
    out.append(f"{incident.impact:<8} ", style=_impact_style(incident.impact))
    out.append(one_line(incident.title, 120))
    out.append(f"  ({_span(incident)}", style="dim")
    if incident.detected_lead_s is not None:
        out.append(f", warned {duration_text(incident.detected_lead_s)} ahead", style="dim")
    if incident.source == "backfill":
        out.append(", from the page's history", style="dim")
    out.append(")\n", style="dim")


def recent_text(incidents: Sequence[PastIncident], now: datetime) -> Text:
    """The history screen: the latest incidents of every provider, newest first."""
    out = Text()
    out.append("Recent incidents", style="bold")
    out.append(
        f"  ·  {len(incidents)} shown, newest first  ·  {now:%Y-%m-%d %H:%M} UTC\n\n", style="dim"
    )
    if not incidents:
        out.append(
            "Nothing recorded yet. Every poll records what changes; "
            "`statuswatch history backfill` fetches the pages' own history.\n",
            style="dim",
        )
    for incident in incidents:
        _incident_line(out, incident, with_provider=True)
    return out


class HistoryScreen(ScrollingScreen):
    """Recent incidents across every provider, full screen, scrollable."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("h", "close", "Close", show=False),
        Binding("j", "scroll('down')", "Scroll", show=False),
        Binding("k", "scroll('up')", "Scroll", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, content: Text) -> None:
        super().__init__()
        self.content = content

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-window"):
            with VerticalScroll(id="detail-scroll"):
                yield Static(self.content, id="history-full")
            yield Static(Text("escape close · q quit", style="dim"), id="detail-hint")


class PastKeeper:
    """Reads providers' pasts in daemon threads (never on the UI thread) and keeps the latest.

    A past read before the last poll is shown until a new one arrives; each is read again
    at most once per poll. Results come back to the app as PastLoaded and RecentLoaded.
    """

    def __init__(
        self,
        app: App[int],
        view: HistoryView,
        now: Callable[[], datetime],
        scopes: Mapping[str, tuple[str, ...] | None] | None = None,
    ) -> None:
        self.app = app
        self.view = view
        self.now = now
        self.scopes = dict(scopes or {})  # a scoped provider's past is read in its scope
        self.pasts: dict[str, tuple[ProviderPast | None, str | None]] = {}
        self._fresh: set[str] = set()  # read since the last poll (or being read)

    def extend(self, text: Text, provider: str) -> Text:
        """`text` (a provider's details) with its past after it; reads it if it is not fresh."""
        if provider not in self._fresh:
            self._fresh.add(provider)
            self._start(self._read_past, provider)
        past, error = self.pasts.get(provider, (None, None))
        combined = text.copy()
        combined.append_text(past_text(past, error))
        return combined

    def stale(self) -> None:
        """A poll ended: what was read before may have changed."""
        self._fresh.clear()

    def loaded(self, message: PastLoaded) -> None:
        """Keep what a thread read."""
        self.pasts[message.provider] = (message.past, message.error)

    def read_recent(self) -> None:
        """Read the recent incidents of every provider; RecentLoaded when done."""
        self._start(self._read_recent, "")

    def _start(self, job: Callable[[str], None], provider: str) -> None:
        threading.Thread(target=job, args=(provider,), daemon=True).start()

    def _read_past(self, provider: str) -> None:
        try:
            past = self.view.provider_past(provider, self.now(), self.scopes.get(provider))
            message = PastLoaded(provider, past)
        except Exception as exc:  # the history is extra: its failure is shown, not raised
            message = PastLoaded(provider, None, f"{type(exc).__name__}: {exc}")
        self.app.post_message(message)

    def _read_recent(self, _unused: str) -> None:
        try:
            message = RecentLoaded(self.view.recent((), self.now()))
        except Exception as exc:  # the history is extra: its failure is shown, not raised
            message = RecentLoaded(None, f"{type(exc).__name__}: {exc}")
        self.app.post_message(message)


class HistoryApp(App[int]):
    """The live view's history part (StatusApp builds on it): `h`, and pasts as they arrive."""

    def __init__(
        self,
        history: HistoryView | None,
        now: Callable[[], datetime],
        specs: Sequence[ProviderSpec] = (),
    ) -> None:
        super().__init__()
        self.now = now
        scopes = {spec.id: spec.scope for spec in specs}
        self.past = PastKeeper(self, history, now, scopes) if history is not None else None

    def forget_past(self) -> None:
        """A poll ended: read each provider's past again when it is next shown."""
        if self.past is not None:
            self.past.stale()

    def _show_detail(self) -> None:
        """Draw the detail pane again (StatusApp draws it; a provider's past arrived)."""

    @on(PollFinished)
    def _poll_done(self, message: PollFinished) -> None:
        self.forget_past()

    def with_past(
        self, table: str, key: str, found: tuple[Text, str | None] | None
    ) -> tuple[Text, str | None] | None:
        """A provider's details (text, link) with its past after them; other rows as they are."""
        if found is None or self.past is None or table != "providers":
            return found
        return self.past.extend(found[0], key), found[1]

    @on(PastLoaded)
    def _past_loaded(self, message: PastLoaded) -> None:
        if self.past is not None:
            self.past.loaded(message)
        self._show_detail()

    def action_history(self) -> None:
        """Open the history screen: recent incidents across every provider."""
        if self.past is None:
            self.notify("No history here (the demo keeps none).", timeout=4, markup=False)
        else:
            self.past.read_recent()

    @on(RecentLoaded)
    def _recent_loaded(self, message: RecentLoaded) -> None:
        if message.incidents is None:
            text = f"history unavailable: {message.error}"
            self.notify(text, severity="error", markup=False)
        elif not isinstance(self.screen, HistoryScreen):
            self.push_screen(HistoryScreen(recent_text(message.incidents, self.now())))
