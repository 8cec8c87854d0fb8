"""The one hook every front end calls after a poll of the pages: record it in the history.

`statuswatch.source` calls it for the one-shot commands (`status`, `--json`, `check`, `wait`,
`notify`) and inside the live view's poller; `serve` calls it after each of its polls. It
records the snapshot and prunes past the retention (once a day). With `backfill` (the front
ends that keep running or run unattended: the live view, `serve`, `notify`) it also fetches
the page's own history of each provider never backfilled; the one-shot queries (`status`,
`--json`, `check`, `wait`) leave that to them, so their answer never waits on it. It never
fails the front end: a problem is one warning, and the history is left alone for the rest
of the process.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from statuswatch.history.db import HistoryDB, HistoryError
from statuswatch.history.settings import HistorySettings
from statuswatch.model import ProviderSpec, Snapshot
from statuswatch.settings import HttpSettings

if TYPE_CHECKING:
    import httpx

__all__ = ["AUTO_BACKFILL_BUDGET", "HistoryHook"]

# Seconds an automatic backfill may take in all (in a one-shot run, the run waits for it).
AUTO_BACKFILL_BUDGET = 20.0


class HistoryHook:
    """Records polls into the history database (opened on first use, kept open)."""

    def __init__(
        self,
        settings: HistorySettings,
        http: HttpSettings,
        cache_dir: Path | None = None,
        *,
        path: Path | None = None,
        warn: Callable[[str], None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        now: Callable[[], datetime] | None = None,
        backfill: bool = True,
        background: bool = False,
    ) -> None:
        self.settings = settings
        self.backfill = backfill and settings.backfill
        # A process that keeps running (the live view, serve) backfills in a thread of its
        # own, so a poll never waits on it; a one-shot run (notify) does it before it ends.
        self.background = background
        self._backfilling: threading.Thread | None = None
        # One attempt per document and no long waits: a later run tries a failed one again.
        self._http = dataclasses.replace(http, retries=0, retry_after_cap=0)
        self._cache_dir = cache_dir
        self._path = path
        self._warn = warn or (lambda message: None)
        self._transport = transport
        self._now = now or (lambda: datetime.now(UTC))
        self._db: HistoryDB | None = None
        self._broken = not settings.enabled
        self._lock = threading.Lock()
        self._recording: threading.Thread | None = None
        self._opening: threading.Thread | None = None

    def open_apart(self) -> None:
        """Open the database in a thread now, while a poll waits on the network (a first run
        makes its schema: ~15 ms), so the record after the poll need not."""
        if self._broken or self._db is not None or self._opening is not None:
            return
        self._opening = threading.Thread(target=self._open, name="statuswatch-history-open")
        self._opening.start()

    def _open(self) -> None:
        """Open the database and load the recorder; a failure is left to the record to say."""
        import statuswatch.history.record  # noqa: F401  (imported here, not in the record)

        # A failure is the record's to say: it opens the database again.
        with self._lock, contextlib.suppress(HistoryError, sqlite3.Error, OSError):
            if self._db is None and not self._broken:
                self._db = HistoryDB.open(self._path, warn=self._warn)

    def _join_opening(self) -> None:
        opening, self._opening = self._opening, None
        if opening is not None:
            opening.join()

    def __call__(self, snapshot: Snapshot) -> None:
        """Record `snapshot` (call it off any event loop: it writes a file and may fetch)."""
        if self._broken:
            return
        self._join_opening()
        with self._lock:
            try:
                self._record(snapshot)
            except (HistoryError, sqlite3.Error, OSError) as exc:
                self._broken = True
                self._warn(f"history: {exc}; polls are not recorded (until the next run)")

    def record_apart(self, snapshot: Snapshot) -> None:
        """Record `snapshot` in a thread of its own and return at once (a one-shot command
        prints meanwhile); `close` waits for it, and the process would too (not a daemon)."""
        if self._broken:
            return
        self._join_recording()  # polls are recorded in the order they were taken
        self._recording = threading.Thread(
            target=self, args=(snapshot,), name="statuswatch-record", daemon=False
        )
        self._recording.start()

    def _join_recording(self) -> None:
        recording, self._recording = self._recording, None
        if recording is not None:
            recording.join()

    def _record(self, snapshot: Snapshot) -> None:
        from statuswatch.history.record import record_snapshot

        if self._db is None:
            self._db = HistoryDB.open(self._path, warn=self._warn)
        db = self._db
        record_snapshot(db, snapshot)
        now = self._now()
        db.prune(now, self.settings.retention_days)
        if not self.backfill:
            return
        from statuswatch.history.backfill import pending  # fetching: only when backfilling

        if self._backfilling is not None and self._backfilling.is_alive():
            return  # the next poll looks again
        due = pending(db, [report.spec for report in snapshot.reports], now)
        if not due:
            return
        if not self.background:
            self._backfill(db, due)
            return
        self._backfilling = threading.Thread(
            target=self._backfill_apart, args=(due,), name="statuswatch-backfill", daemon=True
        )
        self._backfilling.start()

    def _backfill(self, db: HistoryDB, due: list[ProviderSpec]) -> None:
        from statuswatch.history.backfill import backfill

        backfill(
            db,
            due,
            self._http,
            transport=self._transport,
            now=self._now,
            cache_dir=self._cache_dir,
            budget=AUTO_BACKFILL_BUDGET,
        )

    def _backfill_apart(self, due: list[ProviderSpec]) -> None:
        """The backfill on a connection of its own, in the thread it runs in."""
        try:
            with HistoryDB.open(self._path) as db:
                self._backfill(db, due)
        except (HistoryError, sqlite3.Error, OSError) as exc:
            self._warn(f"history: backfill: {exc}")

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a backfill running apart; True when none is running any more."""
        thread = self._backfilling
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    def close(self) -> None:
        """Wait for a recording apart, then close the database, if it was opened."""
        self._join_opening()
        self._join_recording()
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
