"""The history database: one SQLite file in the state directory, shared by every front end.

The live view, a cron `notify` and `serve` may write at the same moment, so:

* WAL journal: readers never block the writer and the writer never blocks readers;
* every write is one short `BEGIN IMMEDIATE` transaction: the write lock is taken up front,
  so two writers queue on the busy timeout instead of failing on a lock upgrade;
* `synchronous=NORMAL`: in WAL mode a SIGKILL (or any crash of the process) loses nothing
  committed and never corrupts the file; only a power cut may drop the last transactions;
* the schema version lives in `PRAGMA user_version` and each migration runs inside the write
  transaction that bumps it, so two processes opening an old file migrate it once.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from statuswatch import paths
from statuswatch.sqlitebusy import retry_locked

__all__ = [
    "BUSY_TIMEOUT",
    "DB_FILE",
    "DEFAULT_RETENTION_DAYS",
    "SCHEMA_VERSION",
    "HistoryDB",
    "HistoryError",
    "default_path",
    "from_ms",
    "to_ms",
]

DB_FILE = "history.sqlite3"
# Writers hold the lock for milliseconds; a wait this long means something is badly wrong.
BUSY_TIMEOUT = 30.0
DEFAULT_RETENTION_DAYS = 400
# Pruning scans every table: once a day is plenty.
PRUNE_EVERY = timedelta(days=1)
_PRIVATE = 0o600  # component names can be internal; the history is the user's alone
_CACHE_KIB = 8192  # each connection's page cache (SQLite's default: 2,000 KiB)

# Each entry takes the schema from the version before it to its own number (index + 1).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        # One row per provider ever recorded; `observed_at` orders concurrent writers.
        """CREATE TABLE providers (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL DEFAULT '',
            first_recorded_at INTEGER,
            observed_at INTEGER,
            fingerprint TEXT,
            backfilled_at INTEGER,
            backfill_tried_at INTEGER,
            backfill_error TEXT,
            record_since INTEGER
        )""",
        # Status changes of a provider (component '') and of each component: a run-length
        # sequence, the status holding from `at` until the next row.
        """CREATE TABLE status_changes (
            provider TEXT NOT NULL,
            component TEXT NOT NULL,
            at INTEGER NOT NULL,
            status TEXT NOT NULL,
            PRIMARY KEY (provider, component, at)
        ) WITHOUT ROWID""",
        "CREATE INDEX status_changes_at ON status_changes (at)",
        # The last status of each, so a poll compares without scanning the changes.
        """CREATE TABLE current_status (
            provider TEXT NOT NULL,
            component TEXT NOT NULL,
            status TEXT NOT NULL,
            PRIMARY KEY (provider, component)
        ) WITHOUT ROWID""",
        """CREATE TABLE components (
            provider TEXT NOT NULL,
            id TEXT NOT NULL,
            name TEXT NOT NULL,
            grp TEXT,
            PRIMARY KEY (provider, id)
        ) WITHOUT ROWID""",
        # Spans of time our polls watched a provider (polls less than GAP apart join up).
        """CREATE TABLE coverage (
            provider TEXT NOT NULL,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL
        )""",
        "CREATE INDEX coverage_provider_end ON coverage (provider, end)",
        """CREATE TABLE incidents (
            provider TEXT NOT NULL,
            id TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            impact TEXT NOT NULL DEFAULT 'none',
            raw_impact TEXT NOT NULL DEFAULT '',
            phase TEXT NOT NULL DEFAULT 'unknown',
            raw_status TEXT NOT NULL DEFAULT '',
            started_at INTEGER,
            posted_at INTEGER,
            updated_at INTEGER,
            resolved_at INTEGER,
            url TEXT,
            components TEXT NOT NULL DEFAULT '[]',
            first_seen_at INTEGER,
            last_seen_at INTEGER,
            resolved_seen_at INTEGER,
            backfilled_at INTEGER,
            detected_at INTEGER,
            detected_lead_s INTEGER,
            PRIMARY KEY (provider, id)
        ) WITHOUT ROWID""",
        "CREATE INDEX incidents_started ON incidents (started_at)",
        "CREATE INDEX incidents_open ON incidents (provider) WHERE resolved_at IS NULL",
        """CREATE TABLE incident_updates (
            provider TEXT NOT NULL,
            incident TEXT NOT NULL,
            at INTEGER NOT NULL,
            status TEXT NOT NULL,
            phase TEXT NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (provider, incident, at, status)
        ) WITHOUT ROWID""",
        """CREATE TABLE maintenances (
            provider TEXT NOT NULL,
            id TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            phase TEXT NOT NULL DEFAULT 'unknown',
            raw_status TEXT NOT NULL DEFAULT '',
            scheduled_for INTEGER,
            scheduled_until INTEGER,
            started_at INTEGER,
            completed_at INTEGER,
            url TEXT,
            components TEXT NOT NULL DEFAULT '[]',
            first_seen_at INTEGER,
            last_seen_at INTEGER,
            backfilled_at INTEGER,
            PRIMARY KEY (provider, id)
        ) WITHOUT ROWID""",
        # Early warnings (issue 12: probes): opened and cleared, so an incident posted while
        # one was open records how far ahead we knew (`incidents.detected_lead_s`).
        """CREATE TABLE early_warnings (
            provider TEXT NOT NULL,
            opened_at INTEGER NOT NULL,
            cleared_at INTEGER,
            text TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (provider, opened_at)
        ) WITHOUT ROWID""",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryError(Exception):
    """The history database cannot be used; the message names the file and the reason."""


def default_path() -> Path:
    """The history database in the state directory."""
    return paths.state_dir() / DB_FILE


def to_ms(value: datetime | None) -> int | None:
    """An aware datetime as integer milliseconds since the epoch (None stays None)."""
    if value is None:
        return None
    return round(value.timestamp() * 1000)


def from_ms(value: int | None) -> datetime | None:
    """Milliseconds since the epoch as an aware UTC datetime (None stays None)."""
    if value is None:
        return None
    return datetime.fromtimestamp(value / 1000, UTC)


class HistoryDB:
    """An open connection to the history database; use `open` to get one."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self.conn = connection

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        *,
        warn: Callable[[str], None] | None = None,
        timeout: float = BUSY_TIMEOUT,
    ) -> HistoryDB:
        """Open (creating and migrating as needed) the database at `path`.

        A file that is not a database (torn by something else, or not ours) is moved aside
        with a warning and a new one is started: the history is worth less than the command.

        Raises:
            HistoryError: the directory cannot be created, the file cannot be opened, or it was
                written by a newer statuswatch whose schema this one does not know.
        """
        target = path or default_path()
        try:
            return cls._open(target, timeout)
        except sqlite3.DatabaseError as exc:
            if not _is_corruption(exc):
                raise HistoryError(f"history database {target}: {exc}") from None
            aside = _set_aside(target)
            if warn is not None:
                warn(
                    f"the history database {target} could not be read ({exc}); moved to "
                    f"{aside.name}; a new one is started"
                )
            try:
                return cls._open(target, timeout)
            except sqlite3.Error as again:
                raise HistoryError(f"history database {target}: {again}") from None
        except OSError as exc:
            raise HistoryError(f"history database {target}: {exc.strerror or exc}") from None

    @classmethod
    def _open(cls, path: Path, timeout: float) -> HistoryDB:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            # Created by us with private bits; SQLite gives its -wal and -shm files the same.
            with contextlib.suppress(FileExistsError):
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE))
        # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves.
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
        try:
            retry_locked(lambda: conn.execute("PRAGMA journal_mode=WAL"), timeout)
            conn.execute("PRAGMA synchronous=NORMAL")
            # A first poll of 1,000 pages writes ~6 MB in one transaction: past SQLite's 2 MB
            # page cache, it spilled and read pages back (~10% of the record's CPU). A ceiling,
            # not an allocation: pages are taken as they are used.
            conn.execute(f"PRAGMA cache_size = -{_CACHE_KIB:d}")
            db = cls(path, conn)
            db._migrate()
        except BaseException:
            conn.close()
            raise
        return db

    def _migrate(self) -> None:
        """Bring the schema to SCHEMA_VERSION, once, whoever else opens the file now."""
        version = self.version()
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"history database {self.path} has schema version {version}, newer than the "
                f"{SCHEMA_VERSION} this statuswatch knows: upgrade statuswatch"
            )
        with self.write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    conn.execute(statement)
            # PRAGMA takes no parameters; the value is our own integer.
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")

    def version(self) -> int:
        """The schema version stored in the file."""
        row = self.conn.execute("PRAGMA user_version").fetchone()
        return int(row[0])

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, the write lock taken at once; rolled back on any error."""
        retry_locked(lambda: self.conn.execute("BEGIN IMMEDIATE"), BUSY_TIMEOUT)
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query inside sees the same state of the file."""
        self.conn.execute("BEGIN")
        try:
            yield self.conn
        finally:
            self.conn.execute("COMMIT")

    def close(self) -> None:
        """Close the connection (SQLite checkpoints the WAL when the last one closes)."""
        self.conn.close()

    def __enter__(self) -> HistoryDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def integrity(self) -> str:
        """`PRAGMA integrity_check`: "ok", or the problems found."""
        rows = self.conn.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(row[0]) for row in rows)

    def meta(self, key: str) -> str | None:
        """A value of the meta table."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def prune(self, now: datetime, retention_days: int, *, force: bool = False) -> bool:
        """Forget what ended more than `retention_days` ago (at most once a day); True if run."""
        last = self.meta("pruned_at")
        if (
            not force
            and last is not None
            and now.timestamp() * 1000 - int(last) < (PRUNE_EVERY.total_seconds() * 1000)
        ):
            return False
        cutoff = to_ms(now - timedelta(days=retention_days))
        with self.write() as conn:
            for statement in _PRUNE:
                conn.execute(statement, {"cutoff": cutoff})
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('pruned_at', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(to_ms(now)),),
            )
        return True


# Open incidents and maintenances are kept whatever their age; a status change before the
# cutoff is kept when it is the last one before it (it says what held at the cutoff).
_PRUNE: Sequence[str] = (
    """DELETE FROM incident_updates WHERE EXISTS (
        SELECT 1 FROM incidents i WHERE i.provider = incident_updates.provider
        AND i.id = incident_updates.incident AND i.resolved_at < :cutoff)""",
    "DELETE FROM incidents WHERE resolved_at < :cutoff",
    """DELETE FROM maintenances WHERE coalesce(completed_at, scheduled_until) < :cutoff
        AND completed_at IS NOT NULL""",
    "DELETE FROM early_warnings WHERE cleared_at < :cutoff",
    """DELETE FROM status_changes WHERE at < :cutoff AND at < (
        SELECT max(s.at) FROM status_changes s WHERE s.provider = status_changes.provider
        AND s.component = status_changes.component AND s.at < :cutoff)""",
    "DELETE FROM coverage WHERE end < :cutoff",
    "UPDATE coverage SET start = :cutoff WHERE start < :cutoff",
)


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    """True for the errors a file that is not (or no longer) a database raises."""
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


def _set_aside(path: Path) -> Path:
    """Rename an unreadable database (and its WAL and SHM files) out of the way."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.replace(path.with_name(path.name + suffix), aside.with_name(aside.name + suffix))
    return aside
