"""Where a snapshot comes from: the status pages (the engine) or a `statuswatch serve`.

The one seam every front end goes through. `status`, `check`, `wait` and the live view read
a server only through `read_server` / `snapshot_from_server`; the live view refreshes through a
`Poller`, made here for either source; `EventFollower` tells it when a server has polled.

A poll of the pages is recorded in the history here, by one hook (`recorder`): `poll_pages`
for the one-shot commands (`status`, `--json`, `check`, `wait`, `notify`), the engine poller
of the live view; `serve` records its own polls with the same hook. What is recorded is each
page as it was read (after the probes, before any scope: see `poll_with_probes`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from statuswatch import paths
from statuswatch.document.write import dumps
from statuswatch.model import ProviderReport, ProviderSpec, Snapshot
from statuswatch.probes.settings import ProbeSettings
from statuswatch.probes.store import Counts, ProbeStore
from statuswatch.records import record
from statuswatch.settings import HttpSettings
from statuswatch.stacks import Stack

if TYPE_CHECKING:
    from statuswatch.config import Config
    from statuswatch.history.hook import HistoryHook
    from statuswatch.serverclient import ServerClient, ServerEvent

# What only a server's reader needs (statuswatch.serverclient, statuswatch.document.read) is
# imported where it is used: a poll of the pages, every `--json` and cron run, never needs it.

__all__ = [
    "EventFollower",
    "Poller",
    "Recorder",
    "ServedDocument",
    "engine_poller",
    "pages_polled",
    "poll_once",
    "poll_pages",
    "probe_settings",
    "read_server",
    "recorder",
    "server_poller",
    "snapshot_from_server",
    "state_counts",
]

# Given the callback for each report, polls every provider once and returns the snapshot.
Poller = Callable[[Callable[[ProviderReport], None]], Awaitable[Snapshot]]
# Records a poll of the pages, as read, in the history (blocking: called in a thread).
Recorder = Callable[[Snapshot], None]


def engine_poller(
    specs: Sequence[ProviderSpec],
    settings: HttpSettings,
    cache_dir: Path,
    now: Callable[[], datetime] | None = None,
    stacks: Sequence[Stack] = (),
    *,
    probes: ProbeSettings | None = None,
    counts: Counts | None = None,
    record: Recorder | None = None,
) -> Poller:
    """A Poller that runs the real engine (statuswatch.poll.poll_all) on the status pages,
    with the providers' probes alongside unless `probes` is None or off (counted in `counts`),
    each poll recorded in the history with `record`."""

    async def poll(on_report: Callable[[ProviderReport], None]) -> Snapshot:
        return await _poll_engine(
            specs, settings, cache_dir, on_report, now, stacks, probes, counts, record
        )

    return poll


async def _poll_engine(
    specs: Sequence[ProviderSpec],
    settings: HttpSettings,
    cache_dir: Path,
    on_report: Callable[[ProviderReport], None] | None,
    now: Callable[[], datetime] | None,
    stacks: Sequence[Stack],
    probes: ProbeSettings | None,
    counts: Counts | None,
    record: Recorder | None,
    waiting: Callable[[], None] | None = None,
) -> Snapshot:
    """One poll by the engine, probes alongside: what `engine_poller` and `poll_once` run."""
    # httpx and the engine: only once polling.
    from statuswatch.probes.engine import OFF, poll_with_probes

    return await poll_with_probes(
        specs,
        settings,
        cache_dir,
        probes or OFF,
        counts,
        on_report=on_report,
        now=now,
        stacks=stacks,
        record=record,
        waiting=waiting,
    )


# --- probes: the settings and counts a front end polls with ---------------------------------


def probe_settings(configured: ProbeSettings, no_probes: bool = False) -> ProbeSettings:
    """The `[probes]` settings, turned off by `--no-probes`."""
    return dataclasses.replace(configured, enabled=False) if no_probes else configured


def state_counts() -> ProbeStore:
    """The probe counts in the state dir ($STATUSWATCH_STATE_DIR), shared by every run."""
    return ProbeStore(paths.state_dir())


def poll_once(
    specs: Sequence[ProviderSpec],
    settings: HttpSettings,
    cache_dir: Path,
    *,
    probes: ProbeSettings | None = None,
    counts: Counts | None = None,
    on_report: Callable[[ProviderReport], None] | None = None,
    now: Callable[[], datetime] | None = None,
    stacks: Sequence[Stack] = (),
    record: Recorder | None = None,
    waiting: Callable[[], None] | None = None,
) -> Snapshot:
    """Poll once in a fresh event loop (the headless commands), as `engine_poller` does;
    `waiting` is called once the requests are on their way."""
    from statuswatch.collector import collector_paused

    done: list[Snapshot] = []

    async def main() -> None:
        done.append(
            await _poll_engine(
                specs, settings, cache_dir, on_report, now, stacks, probes, counts, record, waiting
            )
        )

    # The loop's main task does not return the snapshot: on the way out asyncio.run (3.11)
    # formats a repr of its SIGINT handler, which holds the task and so its whole result.
    # The collector stays off until the loop is closed, then what the poll built is frozen:
    # the collector kept off through the poll, the first pass after it walked every object
    # the poll made (18 ms at 1,000 pages) to find no garbage. What is frozen includes any
    # cycle the poll left (a failure's traceback, say): a process that polls again and again
    # (`wait`) takes them back every tenth poll, one full pass, as `serve` does.
    with collector_paused(freeze=True, reclaim=next(_ONE_SHOT_POLLS) % _RECLAIM_EVERY == 0):
        asyncio.run(main())
    return done[0]


_ONE_SHOT_POLLS = itertools.count(1)  # numbers the poll_once calls of this process
_RECLAIM_EVERY = 10


# --- the history hook (issue 14) -----------------------------------------------------------


def recorder(
    config: Config,
    cache_dir: Path,
    warn: Callable[[str], None],
    *,
    backfill: bool = True,
    background: bool = False,
) -> HistoryHook:
    """The history hook for `config` (its `[history]` table): records each poll of the pages.

    With `backfill`, providers never backfilled get their page's own history fetched too (in
    a thread of its own with `background`, for the processes that keep running).
    A `[history]` table that is wrong is one warning and no recording: the front end goes on.
    """
    from statuswatch.history.hook import HistoryHook
    from statuswatch.history.settings import HistorySettings, history_settings
    from statuswatch.tomlcheck import ConfigError

    try:
        settings = history_settings(config)
    except ConfigError as exc:
        warn(f"history: {exc}; polls are not recorded")
        settings = HistorySettings(enabled=False)
    return HistoryHook(
        settings, config.http, cache_dir, warn=warn, backfill=backfill, background=background
    )


def poll_pages(
    config: Config,
    specs: Sequence[ProviderSpec],
    cache_dir: Path,
    *,
    probes: ProbeSettings | None = None,
    counts: Counts | None = None,
    on_report: Callable[[ProviderReport], None] | None = None,
    stacks: Sequence[Stack] = (),
    warn: Callable[[str], None] | None = None,
    record: bool = True,
    backfill: bool = False,
) -> Snapshot:
    """`poll_once` with the history hook of `config` (the one-shot commands): the poll is
    recorded unless `record` is false; `backfill` (notify) also fetches the page's own
    history of providers never backfilled."""
    with _hooked_poll(
        config, specs, cache_dir, probes=probes, counts=counts, on_report=on_report,
        stacks=stacks, warn=warn, record=record, backfill=backfill, apart=False,
    ) as snapshot:  # fmt: skip
        return snapshot


def pages_polled(
    config: Config,
    specs: Sequence[ProviderSpec],
    cache_dir: Path,
    *,
    probes: ProbeSettings | None = None,
    counts: Counts | None = None,
    stacks: Sequence[Stack] = (),
) -> AbstractContextManager[Snapshot]:
    """`poll_pages` for a command that prints the snapshot at once (`status`, `--json`): the
    history records it in a thread meanwhile (a first run of 1,000 pages: ~0.2 s of CPU, the
    longest of what follows the last answer), and the block's end waits for that, whatever
    happened in it."""
    return _hooked_poll(
        config, specs, cache_dir, probes=probes, counts=counts, on_report=None,
        stacks=stacks, warn=None, record=True, backfill=False, apart=True,
    )  # fmt: skip


@contextmanager
def _hooked_poll(
    config: Config,
    specs: Sequence[ProviderSpec],
    cache_dir: Path,
    *,
    probes: ProbeSettings | None,
    counts: Counts | None,
    on_report: Callable[[ProviderReport], None] | None,
    stacks: Sequence[Stack],
    warn: Callable[[str], None] | None,
    record: bool,
    backfill: bool,
    apart: bool,
) -> Iterator[Snapshot]:
    """One poll with the history hook; with `apart`, the history opens while the poll waits
    on the network and records in a thread that the block's end waits for (it always closes
    the hook)."""
    hook = recorder(config, cache_dir, warn or _stderr, backfill=backfill) if record else None
    try:
        yield poll_once(
            specs,
            config.http,
            cache_dir,
            probes=probes,
            counts=counts,
            on_report=on_report,
            stacks=stacks,
            record=None if hook is None else hook.record_apart if apart else hook,
            waiting=hook.open_apart if hook is not None and apart else None,
        )
    finally:
        if hook is not None:
            hook.close()


def _stderr(message: str) -> None:
    """A history problem of a one-shot command: one line on stderr."""
    print(f"statuswatch: {message}", file=sys.stderr, flush=True)


@record
class ServedDocument:
    """A server's document: its bytes as `--json` prints them, and the parsed document."""

    source: str
    body: bytes
    document: dict[str, Any]

    def snapshot(self) -> Snapshot:
        """The Snapshot in the document; ServerError (fatal) names a field that does not fit."""
        from statuswatch.document.read import DocumentError, snapshot_from_document
        from statuswatch.serverclient import ServerError

        try:
            return snapshot_from_document(self.document)
        except DocumentError as exc:
            raise ServerError(str(exc), fatal=True) from None


def read_server(client: ServerClient, ids: Sequence[str] = ()) -> ServedDocument:
    """Read the server's latest document, keeping only the providers `ids` (all if empty).

    The body is the server's bytes unless they had to change: a document with control
    sequences in it is cleaned and re-serialised (the server is our own code, but its answer
    crosses a network), and so is one cut down to `ids`. ServerError when the server cannot
    be read (fatal when it is not a statuswatch server); KeyError names an id it does not watch.
    """
    from statuswatch.document.read import (
        DocumentError,
        clean_strings,
        parse_document,
        select_providers,
    )
    from statuswatch.serverclient import ServerError

    scoped = [i for i in ids if ":" in i]
    if scoped:
        raise ServerError(
            f"--provider {scoped[0]!r}: a server reads its pages in its own scopes "
            "(give the id alone with --server)",
            fatal=True,
        )
    body = client.status_bytes()
    try:
        document = parse_document(body, client.url)
    except DocumentError as exc:
        raise ServerError(str(exc), fatal=True) from None
    document, tampered = clean_strings(document)
    if tampered:
        body = dumps(document).encode("utf-8")
    if ids:
        document = select_providers(document, ids)
        body = dumps(document).encode("utf-8")
    return ServedDocument(client.url, body, document)


def snapshot_from_server(client: ServerClient, ids: Sequence[str] = ()) -> Snapshot:
    """The server's latest snapshot (only the providers `ids`, if any); errors as `read_server`."""
    return read_server(client, ids).snapshot()


def server_poller(url: str, ids: Sequence[str], first: Snapshot | None = None) -> Poller:
    """A Poller that reads the server's latest snapshot (only the providers `ids`).

    `first`, already read, is the answer to the first call. Each call runs in a thread of its
    own (the live view's), so the blocking client is fine there. A provider the server stops
    watching is left out rather than refused.
    """
    from statuswatch.serverclient import ServerClient

    wanted = set(ids)
    pending = [first] if first is not None else []

    async def poll(on_report: Callable[[ProviderReport], None]) -> Snapshot:
        if pending:
            snapshot = pending.pop()
        else:
            with ServerClient(url) as client:
                snapshot = snapshot_from_server(client)
        reports = tuple(r for r in snapshot.reports if r.spec.id in wanted)
        for report in reports:
            on_report(report)
        # The server's stacks come with its whole list; links stay while they touch a report.
        whole = len(reports) == len(snapshot.reports)
        links = tuple(
            c for c in snapshot.correlations if any(m.provider in wanted for m in c.members)
        )
        return Snapshot(
            generated_at=snapshot.generated_at,
            reports=reports,
            stacks=snapshot.stacks if whole else (),
            correlations=links,
        )

    return poll


class EventFollower:
    """Follows a server's /v1/events in a daemon thread; `on_change` after each of its polls.

    It calls `on_change` for each `snapshot` notice with a new `generated_at`, after a `reset`,
    once when a server it followed breaks off, and once when it is back; it reconnects after
    `retry` seconds with the last event id. `on_change` runs in the follower's thread.
    """

    def __init__(
        self,
        url: str,
        on_change: Callable[[], None],
        *,
        seen: str | None = None,
        retry: float = 3.0,
        read_timeout: float = 60.0,
    ) -> None:
        self.url = url
        self._on_change = on_change
        self._seen = seen  # generated_at of the snapshot the viewer already has
        self._retry = retry
        self._read_timeout = read_timeout
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="statuswatch-events", daemon=True)
        self.last_event_id: str | None = None
        self.connections = 0  # streams that delivered something
        self.problem: str | None = None  # why the last connection ended, if it failed
        self._lost = False  # the server broke off and has not answered since

    def start(self) -> EventFollower:
        """Start following."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop after the current read (the thread is a daemon: exiting never waits for it)."""
        self._stop.set()

    def _run(self) -> None:
        from statuswatch.serverclient import ServerClient, ServerError

        while not self._stop.is_set():
            try:
                with ServerClient(self.url) as client:
                    opened = False
                    events = client.events(self.last_event_id, read_timeout=self._read_timeout)
                    for event in events:
                        if self._stop.is_set():
                            return
                        if not opened:
                            opened = True
                            self.connections += 1
                            self._back()
                        self._take(event)
                self.problem = "the server closed the stream"
            except ServerError as exc:
                self.problem = str(exc)
                self._lost_it()
            except Exception as exc:  # a bad notice must not end the following
                self.problem = f"a notice could not be read ({exc!r})"
            self._stop.wait(self._retry)

    def _lost_it(self) -> None:
        """A server we followed broke off or stopped answering: refresh now, once, so the
        viewer says so at once rather than at its next interval with old data shown."""
        if self.connections and not self._lost and not self._stop.is_set():
            self._lost = True
            self._on_change()

    def _back(self) -> None:
        """Following again after a loss: refresh once (its snapshot may be no newer)."""
        if self._lost:
            self._lost = False
            self._on_change()

    def _take(self, event: ServerEvent) -> None:
        if event.id is not None:
            self.last_event_id = event.id
        if event.kind == "reset":
            self._on_change()
        elif event.kind == "snapshot":
            generated_at = event.json().get("generated_at")
            if generated_at != self._seen:
                self._seen = generated_at
                self._on_change()
