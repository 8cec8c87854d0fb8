"""The Textual app: one screen that shows what is down, refreshed by a worker.

Data arrives only as typed messages (statuswatch.tui.messages) posted by the poll, which runs
a `Poller` (statuswatch.source: the engine, or a server) in its own thread; the UI thread only
sorts and draws.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.events import DescendantFocus
from textual.widgets import Footer, Input

from statuswatch.model import ProviderReport, ProviderSpec, Status
from statuswatch.serverclient import ServerError
from statuswatch.settings import HttpSettings
from statuswatch.source import Poller, engine_poller
from statuswatch.stacks import Stack
from statuswatch.text import one_line
from statuswatch.threaded import run_in_thread
from statuswatch.tui import header as headline
from statuswatch.tui import render
from statuswatch.tui.board import Board, ChangeKind, row_key
from statuswatch.tui.history import HistoryApp, HistoryView
from statuswatch.tui.keys import MAIN_BINDINGS
from statuswatch.tui.links import open_link
from statuswatch.tui.messages import PollFinished, PollStarted, ReportArrived
from statuswatch.tui.screens import DetailScreen, HelpScreen
from statuswatch.tui.stackpanel import STACK_COLUMNS, show_stacks
from statuswatch.tui.widgets import (
    INCIDENT_COLUMNS,
    MAINTENANCE_COLUMNS,
    PROVIDER_COLUMNS,
    DetailPane,
    ListTable,
    StatusHeader,
    set_title,
)

__all__ = ["StatusApp", "build_app"]

# Reports arriving within this many seconds share one redraw of the lists; longer while a
# poll runs, when a redraw that grows a list lays out (and repaints) the whole screen.
RENDER_DELAY = 0.05
RENDER_DELAY_POLLING = 0.2
# The detail pane follows the cursor after this pause: a new text lays out the whole screen,
# which must not happen for every row j passes over.
DETAIL_DELAY = 0.12
TICK = 0.5  # seconds between header updates and checks whether a refresh is due


def _utcnow() -> datetime:
    return datetime.now(UTC)


class StatusApp(HistoryApp):
    """What is down, live."""

    CSS_PATH = "statuswatch.tcss"
    TITLE = "statuswatch"
    ENABLE_COMMAND_PALETTE = False
    # Classes on the screen for statuswatch.tcss: 80x24 is where most terminals open.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012 - as Textual types it
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = list(MAIN_BINDINGS)

    def __init__(
        self,
        specs: Sequence[ProviderSpec],
        poller: Poller,
        *,
        interval: float,
        now: Callable[[], datetime] = _utcnow,
        bell: bool = False,
        only_problems: bool = False,
        banner: str | Callable[[], str] | None = None,
        open_url: Callable[[str], object] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        autostart: bool = True,
        tune_gc: bool = False,
        history: HistoryView | None = None,
    ) -> None:
        super().__init__(history, now, specs)
        self.tune_gc = tune_gc  # freeze the long-lived objects after the first poll
        self.board = Board(specs)
        self.poller = poller
        self.interval = interval
        self.now = now
        self.bell_on_change = bell
        self.only_problems = only_problems
        self.banner = banner
        self.browse = open_url  # None: the system's browser, see _launch
        self.monotonic = monotonic
        self.autostart = autostart
        self.filter_text = ""
        self.polling = False
        self.polls_started = 0
        self.polls_finished = 0
        self.last_refresh: datetime | None = None
        self._refreshed: datetime | None = None  # shown with its rows (_render_lists_now)
        # Since when refreshing fails, why, and whether a server is unreachable: in the header.
        self.failing: tuple[datetime, str, bool] | None = None
        self.vantage_text = ""  # probes: "your network or DNS looks down", when it does
        self.next_due = 0.0  # monotonic time of the next automatic refresh
        self.received = 0  # reports in the running (or last) poll
        self._render_pending = False
        self._active_table = "providers"
        self._selection: dict[str, str | None] = {}  # table id -> key under its cursor
        self._detail_shown: Text | None = None
        self._detail_pending = False

    # --- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusHeader(id="header")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield ListTable(STACK_COLUMNS, id="stacks")
                yield ListTable(PROVIDER_COLUMNS, id="providers")
            with Vertical(id="right"):
                yield ListTable(INCIDENT_COLUMNS, id="incidents")
                yield ListTable(MAINTENANCE_COLUMNS, id="maintenance")
                yield DetailPane(id="detail")
        yield Input(placeholder="filter: type words, enter keeps, escape clears", id="filter")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#providers", ListTable).border_title = "Providers"
        self.query_one("#incidents", ListTable).border_title = "Active incidents"
        self.query_one("#maintenance", ListTable).border_title = "Maintenance"
        self.query_one("#detail", DetailPane).border_title = "Details"
        self.query_one("#filter", Input).display = False
        self.query_one("#providers", ListTable).focus()
        self._render_lists()
        self._update_header()
        self.set_interval(TICK, self._tick)
        if self.autostart:
            self.start_poll()

    # --- polling -------------------------------------------------------------------------------

    def start_poll(self) -> bool:
        """Start a refresh unless one is running; True if one started."""
        if self.polling:
            return False
        self.polling = True
        self.polls_started += 1
        self.received = 0
        self.next_due = self.monotonic() + self.interval
        self.post_message(PollStarted())
        self._poll()
        return True

    @work(exclusive=True, group="poll", exit_on_error=False)
    async def _poll(self) -> None:
        """Run one poll in its own thread; every report comes back as a message."""

        def on_report(report: ProviderReport) -> None:
            self.post_message(ReportArrived(report))

        try:
            snapshot = await run_in_thread(lambda: self.poller(on_report))
        except ServerError as exc:  # the server is away: its own words say why
            self.post_message(PollFinished(None, one_line(str(exc), 200), unreachable=True))
        except Exception as exc:  # a bug in the engine must not take the screen down
            why = one_line(str(exc), 200) or type(exc).__name__
            self.post_message(PollFinished(None, f"internal error: {why}"))
        else:
            self.post_message(PollFinished(snapshot))

    def _tick(self) -> None:
        # Timers can fire while the app closes and its screen is gone: nothing to draw then.
        with contextlib.suppress(NoMatches):
            self._tick_now()

    on_resize = _tick  # the header's words depend on the width: at once, not at the next tick

    def _tick_now(self) -> None:
        if not self.polling and self.monotonic() >= self.next_due:
            self.start_poll()
        self._update_header()
        for table in self.query(ListTable):
            table.redraw_changed()  # ages move on: repaint the rows whose text changed
        # The detail pane's ages are recomputed with the header's, so "Read ... (2m ago)" there
        # never disagrees with "refreshed ... (2m ago)" above; it is redrawn only when its text
        # changed (DetailPane draws only its lines: no layout of the screen).
        self._show_detail()

    @on(ReportArrived)
    def _report_arrived(self, message: ReportArrived) -> None:
        self.received += 1
        for change in self.board.apply(message.report, self.now()):
            name = one_line(change.report.spec.name)
            title = one_line(change.incident.title)
            if change.kind is ChangeKind.NEW:
                self.notify(
                    f"{name}: {title}",
                    title=f"New incident ({change.incident.impact.value})",
                    severity="error",
                    timeout=12,
                    markup=False,
                )
            else:
                self.notify(f"{name}: {title}", title="Resolved", timeout=8, markup=False)
            if self.bell_on_change:
                self.bell()
        self._schedule_render()

    @on(PollFinished)
    def _poll_finished(self, message: PollFinished) -> None:
        self.polling = False
        self.polls_finished += 1
        if self.polls_finished == 1 and self.tune_gc:
            # Textual, the engine and the adapters are loaded now and live as long as the app:
            # out of the collector's sight, its full passes stop costing the UI tens of ms.
            gc.collect()
            gc.freeze()
        if message.snapshot is not None:
            if self.failing is not None:
                self.notify("Refreshing works again.", title="statuswatch", markup=False)
                self.failing = None
            self._refreshed = message.snapshot.generated_at
            # Reports whose message was replaced by a newer one are all in the snapshot; so are
            # the probes' results, which only the whole poll has (statuswatch.probes).
            for report in message.snapshot.reports:
                if self.board.reports.get(report.spec.id) is None or report.probes is not None:
                    self.board.apply(report, self.now())
            vantage = message.snapshot.vantage
            self.vantage_text = vantage.text if vantage is not None else ""
            self.board.take(message.snapshot)  # risks, stacks and links need every report
        else:
            why = message.error or "unknown reason"
            if self.failing is None:  # one toast; the header keeps saying it
                self.notify(
                    f"refresh failed: {why}", title="statuswatch", severity="error", markup=False
                )
            since = self.failing[0] if self.failing is not None else self.now()
            self.failing = (since, why, message.unreachable)
            self.board.mark_failed(why, self.now())
        self._schedule_render()
        self._update_header()

    # --- drawing -------------------------------------------------------------------------------

    def _schedule_render(self) -> None:
        if not self._render_pending:
            self._render_pending = True
            delay = RENDER_DELAY_POLLING if self.polling else RENDER_DELAY
            self.set_timer(delay, self._render_lists)

    def _schedule_detail(self) -> None:
        if not self._detail_pending:
            self._detail_pending = True
            self.set_timer(DETAIL_DELAY, self._show_detail)

    def _render_lists(self) -> None:
        # Timers can fire while the app closes and its screen is gone: nothing to draw then.
        with contextlib.suppress(NoMatches):
            self._render_lists_now()

    def _render_lists_now(self) -> None:
        """Give the three lists their rows from the board, then the detail pane and the header.

        Only the keys are computed here; each list builds the cells of the rows it shows when
        it draws them (at the current time, so ages stay right between polls).
        """
        self._render_pending = False
        if self._refreshed is not None:
            self.last_refresh, self._refreshed = self._refreshed, None
        board = self.board
        text = self.filter_text
        specs = board.providers(text, self.only_problems)
        providers = self.query_one("#providers", ListTable)
        providers.show(
            [spec.id for spec in specs],
            lambda i: render.provider_cells(specs[i], board.reports.get(specs[i].id), self.now()),
        )
        rows = board.incidents(self.now(), text)
        incidents = self.query_one("#incidents", ListTable)
        incidents.show(
            [row.key for row in rows],
            lambda i: render.incident_cells(
                rows[i].report, rows[i].incident, self.now(), rows[i].closed_at
            ),
        )
        opened = sum(1 for row in rows if row.closed_at is None)
        set_title(incidents, f"Active incidents ({opened})")
        planned = board.maintenances(text)
        maintenance = self.query_one("#maintenance", ListTable)
        maintenance.show(
            [row_key(report.spec.id, item.id) for report, item in planned],
            lambda i: render.maintenance_cells(planned[i][0], planned[i][1], self.now()),
        )
        show_stacks(self.query_one("#stacks", ListTable), board)
        shown, total = len(specs), len(board.specs)
        set_title(
            providers,
            f"Providers ({shown} of {total})" if shown != total else f"Providers ({total})",
        )
        for table in self.query(ListTable):
            self._selection[table.id or ""] = table.selected_key
        self._show_detail()
        self._update_header()

    def _update_header(self) -> None:
        header = self.query_one("#header", StatusHeader)
        counts = self.board.counts()
        text = headline.header_text(
            width=header.size.width or self.size.width,
            failing=self.failing,
            banner=self.banner() if callable(self.banner) else self.banner,
            now=self.now(),
            last_refresh=self.last_refresh,
            refreshing=(self.received, len(self.board.specs)) if self.polling else None,
            next_in=max(0, round(self.next_due - self.monotonic())),
            filter_text=self.filter_text,
            only_problems=self.only_problems,
            counts=counts,
            total=len(self.board.specs),
            warned=self.board.warned(),
            vantage=self.vantage_text,
        )
        loudest = headline.loudest(counts)
        outage = loudest in (Status.MAJOR_OUTAGE, Status.PARTIAL_OUTAGE)
        header.show(text, outage=outage, degraded=loudest is Status.DEGRADED)

    # --- selection and details -----------------------------------------------------------------

    @on(DescendantFocus)
    def _focused(self, event: DescendantFocus) -> None:
        if isinstance(event.widget, ListTable) and event.widget.id:
            self._active_table = event.widget.id
            self._selection[event.widget.id] = event.widget.selected_key
            self._schedule_detail()

    @on(ListTable.Highlighted)
    def _highlighted(self, event: ListTable.Highlighted) -> None:
        table_id = event.table.id or ""
        self._selection[table_id] = event.key
        if table_id == self._active_table:
            self._schedule_detail()

    @on(ListTable.Selected)
    def _selected(self, event: ListTable.Selected) -> None:
        table_id = event.table.id or ""
        self._active_table = table_id
        self._selection[table_id] = event.key
        self.action_details()

    def _current(self) -> tuple[Text, str | None] | None:
        """The detail text and link of the selected row, or None when nothing is selected."""
        key = self._selection.get(self._active_table)
        if key is None:
            return None
        found = render.selected_detail(self.board, self._active_table, key, self.now())
        return self.with_past(self._active_table, key, found)

    def _show_detail(self) -> None:
        # Timers can fire while the app closes and its screen is gone: nothing to draw then.
        with contextlib.suppress(NoMatches):
            self._show_detail_now()

    def _show_detail_now(self) -> None:
        self._detail_pending = False
        current = self._current()
        if current is None:
            text = Text("Select a provider, an incident or a maintenance.", style="dim")
        else:
            text = current[0]
        if text != self._detail_shown:  # ages tick every second: redraw only on a change
            self._detail_shown = text
            key = (self._active_table, self._selection.get(self._active_table))
            self.query_one("#detail", DetailPane).show(text, key)

    # --- actions -------------------------------------------------------------------------------

    def action_details(self) -> None:
        """Open the selected row in a full window."""
        current = self._current()
        if current is not None:
            self.push_screen(DetailScreen(current[0], current[1]))

    def action_open(self) -> None:
        """Open the selected incident's page in a browser (http and https only)."""
        if isinstance(self.screen, DetailScreen):
            url = self.screen.url
        else:
            current = self._current()
            url = current[1] if current is not None else None
        if url is None:
            self.notify("Nothing to open: no http(s) link here.", severity="warning", markup=False)
            return
        self.notify(f"Opening {url}", markup=False, timeout=4)
        # Finding and starting a browser can take a while: never on the UI thread.
        threading.Thread(target=open_link, args=(self, url, self.browse), daemon=True).start()

    def action_filter(self) -> None:
        """Show the filter box and focus it."""
        box = self.query_one("#filter", Input)
        box.display = True
        box.value = self.filter_text
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = " ".join(event.value.split())
        self._schedule_render()

    @on(Input.Submitted, "#filter")
    def _filter_kept(self, event: Input.Submitted) -> None:
        box = self.query_one("#filter", Input)
        box.display = False
        self.query_one(f"#{self._active_table}", ListTable).focus()

    def action_clear_filter(self) -> None:
        """Clear the filter and hide its box."""
        box = self.query_one("#filter", Input)
        was_open = box.display
        box.display = False
        if self.filter_text or box.value:
            box.value = ""
            self.filter_text = ""
            self._schedule_render()
        if was_open:
            self.query_one(f"#{self._active_table}", ListTable).focus()

    def action_only_problems(self) -> None:
        """Toggle listing only providers with problems."""
        self.only_problems = not self.only_problems
        self._schedule_render()
        self._update_header()

    def action_refresh(self) -> None:
        """Refresh now (unless a refresh is already running)."""
        if not self.start_poll():
            self.notify("A refresh is already running.", timeout=3, markup=False)
        self._update_header()

    def action_help(self) -> None:
        """Show the keys."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())


def build_app(
    specs: Sequence[ProviderSpec],
    *,
    interval: float,
    settings: HttpSettings | None = None,
    cache_dir: Path | None = None,
    poller: Poller | None = None,
    now: Callable[[], datetime] | None = None,
    bell: bool = False,
    only_problems: bool = False,
    banner: str | Callable[[], str] | None = None,
    open_url: Callable[[str], object] | None = None,
    monotonic: Callable[[], float] = time.monotonic,
    tune_gc: bool = False,
    stacks: Sequence[Stack] = (),
    history: HistoryView | None = None,
) -> StatusApp:
    """The one factory of the app, for the CLI, the demo and the tests.

    Without `poller`, the real engine polls `specs` with `settings` and `cache_dir`; without
    `open_url`, `o` opens links in the system's browser. `tune_gc` (for the process that runs
    only this app: the CLI) keeps the garbage collector's full passes short.
    """
    clock = now or _utcnow
    if poller is None:
        if settings is None or cache_dir is None:
            raise ValueError("build_app needs settings and cache_dir, or a poller")
        poller = engine_poller(specs, settings, cache_dir, now, stacks)
    return StatusApp(
        specs,
        poller,
        interval=interval,
        now=clock,
        bell=bell,
        only_problems=only_problems,
        banner=banner,
        open_url=open_url,
        monotonic=monotonic,
        tune_gc=tune_gc,
        history=history,
    )
