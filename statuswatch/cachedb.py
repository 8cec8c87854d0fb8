"""The SQLite file under the HTTP cache (`statuswatch.cache`): its schema, a connection per
thread, short write transactions, and a file that is not a database replaced by a new one.

* WAL: readers (the event loop, a backfill thread) never wait for a writer, this process's
  or another's; every write is one `BEGIN IMMEDIATE` transaction, and the busy timeout queues
  concurrent writers (the live view, a cron `notify` and `serve` share the directory).
* `synchronous=NORMAL`: a SIGKILL loses at most the writes not yet committed, never the file.
* The schema version lives in `PRAGMA user_version`. A file of another version, or one that is
  no longer a database, is a cache: it is replaced with a warning, not migrated.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from statuswatch.sqlitebusy import retry_locked
from statuswatch.sqlrows import select_in

__all__ = ["BUSY_TIMEOUT", "DB_FILE", "SCHEMA_VERSION", "CacheDB"]

log = logging.getLogger(__name__)

DB_FILE = "cache.sqlite3"
SCHEMA_VERSION = 2  # 2: confirmations apart from the entries
# Seconds a write waits for another process's transaction (each takes a few ms) before failing.
BUSY_TIMEOUT = 10.0
# Keys a query of `select_in` names at once (SQLite's oldest limit on parameters is 999).
IN_BATCH = 500

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS entries (
    url TEXT PRIMARY KEY NOT NULL,
    fetched_at TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    headers TEXT NOT NULL,
    page_kind TEXT,
    page_build TEXT,
    page TEXT,
    size INTEGER NOT NULL,
    body BLOB NOT NULL
)""",
    # When a 304 last said a body is still current, in a table of its own: SQLite rewrites a
    # whole row to change one column, and an entry's row is its body (10 KB and more): 1,000
    # confirmations in `entries` wrote 7 MB of WAL and 49 ms of CPU, here 0.2 MB and 5 ms.
    """CREATE TABLE IF NOT EXISTS confirmations (
    url TEXT PRIMARY KEY NOT NULL,
    confirmed_at TEXT NOT NULL
) WITHOUT ROWID""",
    # A body stored anew, or forgotten, takes its old confirmation with it.
    """CREATE TRIGGER IF NOT EXISTS entry_stored AFTER INSERT ON entries BEGIN
    DELETE FROM confirmations WHERE url = NEW.url;
END""",
    """CREATE TRIGGER IF NOT EXISTS entry_deleted AFTER DELETE ON entries BEGIN
    DELETE FROM confirmations WHERE url = OLD.url;
END""",
)
# The body last: SQLite reads a row's columns in order, so a query that leaves it out (or
# asks only its length or type, both in the record's header) never reads its overflow pages.
SELECT_VALIDATORS = (
    "SELECT fetched_at, etag, last_modified, headers, page_kind, page_build, page, size,"
    " typeof(body), length(body) FROM entries WHERE url = ?"
)
# The same for many URLs at once (`select_in` fills the list), each row led by its URL.
SELECT_VALIDATORS_IN = (
    "SELECT url, fetched_at, etag, last_modified, headers, page_kind, page_build, page, size,"
    " typeof(body), length(body) FROM entries WHERE url IN ({})"
)
SELECT_ENTRY = (
    "SELECT e.fetched_at, c.confirmed_at, e.etag, e.last_modified, e.headers, e.size, e.body"
    " FROM entries AS e LEFT JOIN confirmations AS c ON c.url = e.url WHERE e.url = ?"
)
UPSERT = (
    "INSERT OR REPLACE INTO entries (url, fetched_at, etag, last_modified, headers, page_kind,"
    " page_build, page, size, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# (at, url): no row changes when `url` has no entry.
CONFIRM = (
    "INSERT INTO confirmations (url, confirmed_at) SELECT url, ? FROM entries WHERE url = ?"
    " ON CONFLICT (url) DO UPDATE SET confirmed_at = excluded.confirmed_at"
)
DELETE = "DELETE FROM entries WHERE url = ?"

# The files of the one-file-per-URL cache this database replaced (and their temporary files).
_OLD_ENTRY = re.compile(r"\.?[0-9a-f]{64}\.entry(\.[0-9a-f]+\.tmp)?")


class CacheDB:
    """The cache database of a directory, opened lazily: one connection per thread that uses
    it (a connection is never used by two threads at once), closed by `close`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / DB_FILE
        self._lock = threading.Lock()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        # Bumped when the file is replaced or every connection closed: each thread's
        # connection is then opened anew.
        self._generation = 0
        self._warned: set[str] = set()  # what went wrong is said once per run, not per page

    def select(self, sql: str, params: tuple[object, ...]) -> tuple[Any, ...] | None:
        """The first row `sql` selects; None: none, no database, or it cannot be read."""
        rows = self._read(lambda conn: conn.execute(sql, params).fetchall())
        return rows[0] if rows else None

    def select_in(self, sql: str, keys: Sequence[object]) -> list[tuple[Any, ...]]:
        """The rows `sql` selects for `keys`, its `IN ({})` given IN_BATCH of them a query; []
        for none, no database, or one that cannot be read."""

        if not keys:
            return []
        return self._read(lambda conn: select_in(conn, sql, keys, size=IN_BATCH))

    def _read(self, query: Callable[[sqlite3.Connection], list[tuple[Any, ...]]]) -> list[Any]:
        """The rows `query` reads through this thread's connection; [] when there is no
        database or it cannot be read (a damaged file is replaced, and read once more)."""
        for attempt in (1, 2):
            generation = self._generation
            try:
                conn = self._connection(create=False)
                if conn is None:
                    return []
                # The query fetches every row: no read transaction stays open after it.
                return query(conn)
            except sqlite3.DatabaseError as exc:
                if attempt == 1 and _is_corruption(exc):
                    self._replace(exc, generation)
                    continue
                self._warn("read", f"cannot read the cache in {self.directory} ({exc})")
            except OSError as exc:
                self._warn("read", f"cannot read the cache in {self.directory} ({exc})")
            break
        return []

    def write(
        self, statements: Sequence[tuple[str, tuple[object, ...]]], *, create: bool = True
    ) -> int | None:
        """Run `statements` in one transaction; return how many changed no row, or None (and
        the run's one warning) if the database refused. Without `create`, no database is
        made for it (nothing to change)."""
        for attempt in (1, 2):
            generation = self._generation
            try:
                conn = self._connection(create=create)
                if conn is None:
                    return len(statements)
                if not statements:
                    return 0  # opened (made) only
                missed = 0
                with transaction(conn):
                    for sql, rows in _runs(statements):
                        changed = conn.executemany(sql, rows).rowcount
                        missed += len(rows) - min(len(rows), changed)
                return missed
            except sqlite3.DatabaseError as exc:
                if attempt == 1 and _is_corruption(exc):
                    self._replace(exc, generation)  # and the writes go to the new file
                    continue
                reason: object = exc
            except OSError as exc:
                reason = exc.strerror or exc
            self._warn(
                "write",
                f"cannot write the cache in {self.directory} ({reason}): pages are fetched in "
                "full each run",
            )
            break
        return None

    def close_thread(self) -> None:
        """Close this thread's connection, if it has one."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with self._lock:
                if conn in self._connections:
                    self._connections.remove(conn)
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    def close(self) -> None:
        """Close every thread's connection (none may be in use); a later call opens anew."""
        with self._lock:
            self._generation += 1
            connections, self._connections = self._connections, []
        for conn in connections:
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    def _connection(self, *, create: bool) -> sqlite3.Connection | None:
        """This thread's connection, opened (the database made, when `create`) as needed;
        None: there is no database and `create` is False."""
        local = self._local
        old: sqlite3.Connection | None = getattr(local, "conn", None)
        if old is not None:
            if local.generation == self._generation:
                return old
            self.close_thread()  # the file was replaced, or every connection closed
        if not create and not self.path.exists():
            return None
        generation = self._generation
        if create:
            self.directory.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are begun and committed here, explicitly.
        conn = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
        )
        try:
            retry_locked(lambda: conn.execute("PRAGMA journal_mode=WAL"), BUSY_TIMEOUT)
            conn.execute("PRAGMA synchronous=NORMAL")
            if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                self._make_schema(conn)
        except BaseException:
            conn.close()
            raise
        with self._lock:
            self._connections.append(conn)
        local.conn, local.generation = conn, generation
        return conn

    def _make_schema(self, conn: sqlite3.Connection) -> None:
        """Make the schema in a new file; replace one of another version (it is a cache)."""
        with transaction(conn):
            # Read again under the write lock: another process may have just made it.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == SCHEMA_VERSION:
                return
            if version != 0 or conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                self._warn_replaced(f"schema version {version}, not {SCHEMA_VERSION}")
                conn.execute("DROP TABLE IF EXISTS entries")
                conn.execute("DROP TABLE IF EXISTS confirmations")
            for statement in SCHEMA:
                conn.execute(statement)
            # PRAGMA takes no parameters; the value is our own integer.
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
        remove_old_entries(self.directory)

    def _replace(self, exc: sqlite3.DatabaseError, generation: int) -> None:
        """Delete a file that is no longer a database; the next connection makes a new one."""
        with self._lock:
            if generation != self._generation:
                return  # another thread replaced it already
            self._generation += 1
            self._warn_replaced(str(exc))
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    self.path.with_name(DB_FILE + suffix).unlink()

    def _warn_replaced(self, why: str) -> None:
        self._warn(
            "replaced", f"the cache database {self.path} could not be read ({why}); a new one "
            "is started",
        )  # fmt: skip

    def _warn(self, what: str, message: str) -> None:
        if what not in self._warned:
            self._warned.add(what)
            log.warning("%s", message)


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, the write lock taken at once; rolled back on any error."""
    retry_locked(lambda: conn.execute("BEGIN IMMEDIATE"), BUSY_TIMEOUT)
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise


def _runs(
    statements: Sequence[tuple[str, tuple[object, ...]]],
) -> Iterator[tuple[str, list[tuple[object, ...]]]]:
    """`statements` in order, those of the same SQL that follow one another together: one
    `executemany` each, the statement prepared once and every row bound in C (200 stores:
    13 ms of CPU, against 18 one execute each and 26 as statements of many rows, which copy
    every body once more)."""
    index = 0
    while index < len(statements):
        sql = statements[index][0]
        rows = []
        while index < len(statements) and statements[index][0] == sql:
            rows.append(statements[index][1])
            index += 1
        yield sql, rows


def remove_old_entries(directory: Path) -> None:
    """Delete the files of the one-file-per-URL cache, best effort: an upgrade leaves no litter."""
    with contextlib.suppress(OSError):
        for path in directory.iterdir():
            if _OLD_ENTRY.fullmatch(path.name):
                with contextlib.suppress(OSError):
                    path.unlink()


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    """True for the errors a file that is not (or no longer) a database raises."""
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text
