"""The last good body of each URL with its validators, one row per URL in one SQLite database
(`cache.sqlite3` in the cache directory); with it, for the adapters whose page depends on the
body alone, the page that body parsed into, so that a 304 costs a short read instead of a parse.

Why a database rather than a file per URL: creating and writing a small file costs 0.1-0.6 ms
of kernel CPU on ext4 (the busier the machine, the more), so a cold poll of 1,000 pages spent
130-600 ms of CPU in cache writes and a run of 200 waited up to 160 ms after its last page for
the writer. The same 1,000 rows of 10 KB in SQLite transactions (WAL, synchronous=NORMAL)
cost ~50 ms of CPU, and reading a row by its URL ~8 us (side by side on the 2-core VM).

An entry's `confirmed_at` is when a 304 last said its body is still current: `confirm` sets
it alone (in a table of its own), the body is never rewritten for it. A row that fails its
checks (a tampered one) reads as absent; the file itself (connections, transactions, a
damaged file) is `statuswatch.cachedb`.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from statuswatch.cachedb import (
    CONFIRM,
    DELETE,
    IN_BATCH,
    SELECT_ENTRY,
    SELECT_VALIDATORS,
    SELECT_VALIDATORS_IN,
    UPSERT,
    CacheDB,
)
from statuswatch.model import Page
from statuswatch.records import record

__all__ = ["KEPT_HEADERS", "Cache", "CacheEntry", "KeptPage", "Validators"]

log = logging.getLogger(__name__)

# Headers an adapter may look at when it parses a cached body again.
KEPT_HEADERS = ("content-type", "date", "etag", "last-modified")
# A page whose JSON text is longer than this is not kept (parsed from its body each time):
# `validators` reads the kept pages of every URL of a poll up front.
_MAX_KEPT_PAGE = 56 * 1024
# Writes the writer thread commits in one transaction: short enough not to hold the lock long.
_BATCH = 256
_UNREADABLE = (ValueError, TypeError, KeyError, UnicodeDecodeError, RecursionError)
# A validator goes back out as a request header: printable ASCII only, so a tampered row
# cannot smuggle a line break into a request.
_HEADER_VALUE = re.compile(r"[\x20-\x7e]{1,1024}")
# A confirmation this much past `fetched_at` makes the entry as fresh as it.
_CONFIRMED_AFTER = timedelta(seconds=1)
# `json.dumps` with any option makes an encoder per call (~3 us, two per stored page): made
# once. What is encoded is a tree we build (no cycles), hence no check.
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)

# A write for the writer thread: an entry to store (with its page), or a statement to run.
_Write = tuple["CacheEntry", "KeptPage | None"] | tuple[str, tuple[object, ...]]


@record
class CacheEntry:
    """A body that parsed, when it was fetched (or last confirmed by a 304) and its validators."""

    url: str
    body: bytes
    fetched_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@record
class Validators:
    """What a conditional request sends back: the entry's ETag and Last-Modified."""

    etag: str | None
    last_modified: str | None
    # The page kept with the body by this build (its adapter's kind and its JSON text, or
    # None when it was too large to keep), read with the validators: a 304 then reads
    # nothing more (see `kept_page`).
    page: tuple[str, str | None] | None = field(default=None, compare=False, repr=False)

    def page_too_large(self, kind: str) -> bool:
        """True when this build found the page of adapter `kind` too large to keep."""
        return self.page == (kind, None)


@record
class KeptPage:
    """A page to keep with its entry: what adapter `kind` parsed from the entry's body."""

    kind: str
    page: Page


class Cache:
    """The cache database of a directory; a missing, foreign or damaged row reads as absent.

    `store_soon` and `confirm_soon` hand the writes to one thread of the cache's own, which
    commits what has queued up in one transaction, so an event loop never waits on the disk;
    `settle` waits for them, `close` settles and closes every connection. Each thread reads
    through a connection of its own (a connection is never shared between threads at once).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._db = CacheDB(self.directory)
        self.database = self._db.path
        self._warned: set[str] = set()
        self._pending: queue.SimpleQueue[_Write | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        # URL -> its validators (None: no entry), read ahead for `validators` to give out;
        # URL -> the batch it is to be read with (`read_ahead`), until it is.
        self._ahead: dict[str, Validators | None] = {}
        self._later: dict[str, list[str]] = {}

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def load(self, url: str) -> CacheEntry | None:
        """Return the entry for `url`, or None when there is none or it cannot be trusted."""
        row = self._db.select(SELECT_ENTRY, (url,))
        if row is None:
            return None
        try:
            return _entry(url, row)
        except _UNREADABLE as exc:
            self._unreadable(url, exc)
            return None

    def validators(self, url: str) -> Validators | None:
        """The ETag and Last-Modified kept for `url` (and its kept page), its body left in the
        database; None: no entry.

        A poll asks every page at once and each waits for its turn on the network: loading
        whole entries up front held every cached body meanwhile (50 MB at 5,000 pages; a kept
        page is a quarter of its body).
        The entry is checked as `load` checks it, its body by length only.
        """
        batch = self._later.get(url)
        if batch is not None:
            self._read_batch(batch)
        if url in self._ahead:
            return self._ahead.pop(url)
        return self._validators_of(url, self._db.select(SELECT_VALIDATORS, (url,)))

    def _validators_of(self, url: str, row: tuple[Any, ...] | None) -> Validators | None:
        """A row of SELECT_VALIDATORS as the Validators it holds; None for none, or one that
        fails its checks (said once)."""
        from statuswatch.pagecodec import build_identity

        if row is None:
            return None
        fetched_at, etag, last_modified, headers, kind, build, text, size, body_type, length = row
        try:
            _check(fetched_at, headers, size, length if body_type == "blob" else None)
        except _UNREADABLE as exc:
            self._unreadable(url, exc)
            return None
        page = None
        if type(kind) is str and build == build_identity() and (text is None or type(text) is str):
            page = (kind, text)
        return Validators(_validator(etag), _validator(last_modified), page)

    def read_ahead(self, urls: Iterable[str]) -> None:
        """Have `validators` read those of `urls` a batch at a time, in their order: asked for
        the first of a batch, it reads the whole batch in one query and gives each out once
        (not one this cache writes meanwhile: that one is read when asked).

        A poll asks for every page's at once, and a query each cost 2-3x the CPU (~80 us a
        page at 1,000 warm pages, against ~30 in a row): between two, the loop's other work
        had pushed the database out of the CPU's caches. By batches, not all at once: a
        page's kept page is held from its batch's read to its answer, and all 5,000 read
        before the first request held 25 MB more at the peak of `serve`'s polls.
        """
        wanted = [url for url in dict.fromkeys(urls) if url not in self._later]
        # Batches of one query each (CacheDB.select_in's).
        for start in range(0, len(wanted), IN_BATCH):
            batch = wanted[start : start + IN_BATCH]
            for url in batch:
                self._later[url] = batch

    def _read_batch(self, batch: list[str]) -> None:
        """Read what is still to be read of `batch` into `_ahead`."""
        urls = [url for url in batch if self._later.pop(url, None) is not None]
        found = {row[0]: row[1:] for row in self._db.select_in(SELECT_VALIDATORS_IN, urls)}
        try:
            for url in urls:  # checked here too, in a row: as many calls, a third less CPU
                self._ahead[url] = self._validators_of(url, found.get(url))
        except OSError:
            return  # this build's identity is unreadable: each page's own read will say so

    def _forget_ahead(self, url: str) -> None:
        """`url` is written: what was (or would be) read ahead of it is out of date."""
        self._ahead.pop(url, None)
        self._later.pop(url, None)

    def kept_page(self, url: str, known: Validators, kind: str) -> Page | None:
        """The page adapter `kind` parsed from `url`'s body, as `validators` found it kept;
        None when there is none that fits (the body is parsed instead)."""
        from statuswatch.pagecodec import PageDecodeError, decode_page

        if known.page is None or known.page[0] != kind or known.page[1] is None:
            return None
        try:
            return decode_page(json.loads(known.page[1]))
        except (PageDecodeError, *_UNREADABLE) as exc:
            if url not in self._warned:  # its body is parsed instead, and the page kept anew
                self._warned.add(url)
                log.warning(
                    "statuswatch: the page kept in %s for %s is unreadable (%s); reading its body",
                    self.database, url, exc,
                )  # fmt: skip
            return None

    def _unreadable(self, url: str, exc: Exception) -> None:
        """Warn, once per URL, of a cache entry that is there but cannot be trusted."""
        # Ignored rather than raised: the provider is fetched afresh and the next good body
        # replaces the row.
        if url not in self._warned:
            self._warned.add(url)
            log.warning(
                "the cache entry in %s for %s is unreadable (%s); fetching afresh",
                self.database, url, exc,
            )  # fmt: skip

    def store(self, entry: CacheEntry, page: KeptPage | None = None) -> bool:
        """Write `entry` (replacing any), with `page` (parsed from its body) when one is
        given; False (and a warning) if it could not be written."""
        self._forget_ahead(entry.url)
        return self._db.write([(UPSERT, _row(entry, page))]) is not None

    def confirm(self, url: str, at: datetime) -> bool:
        """Record that `url`'s body was still current at `at` (a 304), its row otherwise left
        alone; False if it could not (no entry, or the database refused)."""
        self._forget_ahead(url)
        missed = self._db.write([(CONFIRM, (at.isoformat(), url))])
        return missed == 0

    def store_soon(self, entry: CacheEntry, page: KeptPage | None = None) -> None:
        """`store` on the cache's writer thread."""
        # The row (the page's JSON with it) is made there too: the caller is an event loop.
        self._forget_ahead(entry.url)
        self._enqueue((entry, page))

    def confirm_soon(self, url: str, at: datetime) -> None:
        """`confirm` on the cache's writer thread."""
        self._forget_ahead(url)
        self._enqueue((CONFIRM, (at.isoformat(), url)))

    def settle(self) -> None:
        """Wait until every write asked for so far is done (blocks: call it off the loop)."""
        writer, self._writer = self._writer, None
        if writer is not None:
            self._pending.put(None)
            writer.join()

    def close(self) -> None:
        """Settle, then close every connection (idempotent; a later call opens them anew)."""
        self.settle()
        self._db.close()

    def discard(self, url: str) -> None:
        """Forget `url`'s entry, if any."""
        self._forget_ahead(url)
        self._db.write([(DELETE, (url,))], create=False)

    def open_soon(self) -> None:
        """Start the writer thread now (else with the first write): it opens the database (on
        a first run, makes it) while a poll waits on the network, not when pages come back."""
        if self._writer is None:
            # A daemon: if the process ends without settling, the pending writes are lost,
            # which a cache can afford (a transaction is committed whole or not at all).
            self._writer = threading.Thread(target=self._write, name="cache-writer", daemon=True)
            self._writer.start()

    def _enqueue(self, work: _Write) -> None:
        self.open_soon()
        self._pending.put(work)

    def _write(self) -> None:
        """The writer thread: commit what has queued up, a batch a transaction, until None."""
        try:
            self._db.write([])  # the database opened (made) first
            done = False
            while not done:
                batch: list[_Write] = []
                item = self._pending.get()
                while item is not None:
                    batch.append(item)
                    if len(batch) >= _BATCH:
                        break
                    try:
                        item = self._pending.get_nowait()
                    except queue.Empty:
                        break
                done = item is None
                if batch:
                    self._db.write([_statement(work) for work in batch])
        finally:
            self._db.close_thread()


def _statement(work: _Write) -> tuple[str, tuple[object, ...]]:
    """A queued write as the statement to run (a store's row is made on the writer thread)."""
    first, second = work
    if isinstance(first, CacheEntry):
        assert second is None or isinstance(second, KeptPage)
        return (UPSERT, _row(first, second))
    assert isinstance(first, str) and isinstance(second, tuple)
    return (first, second)


def _row(entry: CacheEntry, page: KeptPage | None) -> tuple[object, ...]:
    """The parameters of `UPSERT` for `entry` and its kept page."""
    headers = {k.lower(): v for k, v in entry.headers.items() if k.lower() in KEPT_HEADERS}
    kind = build = text = None
    if page is not None:
        from statuswatch.pagecodec import build_identity, encode_page

        kind, build = page.kind, build_identity()
        text = _COMPACT.encode(encode_page(page.page))
        if len(text) > _MAX_KEPT_PAGE:
            # Too large: parsed each time, and the NULL says so, so that no 304 rewrites it.
            text = None
    return (
        entry.url, entry.fetched_at.isoformat(), entry.etag, entry.last_modified,
        _COMPACT.encode(headers), kind, build, text, len(entry.body),
        entry.body,
    )  # fmt: skip


def _check(
    fetched_at: object, headers: object, size: object, length: object
) -> tuple[datetime, dict[str, str]]:
    """Check a row's time, kept headers and body size (ValueError/TypeError if it is not one
    of ours); return its fetched_at and its kept headers."""
    if type(size) is not int or size != length:
        raise ValueError(f"body is {length} bytes, the row says {size}")
    if not isinstance(fetched_at, str):
        raise TypeError("fetched_at is not text")
    when = datetime.fromisoformat(fetched_at)
    if when.utcoffset() is None:
        raise ValueError("naive fetched_at")
    if not isinstance(headers, str):
        raise TypeError("headers is not text")
    kept: Any = json.loads(headers)
    if not isinstance(kept, dict):
        raise TypeError("headers is not an object")
    return when, {str(k): v for k, v in kept.items() if k in KEPT_HEADERS and isinstance(v, str)}


def _entry(url: str, row: tuple[Any, ...]) -> CacheEntry:
    """The entry a row holds; ValueError/TypeError/KeyError when it cannot be trusted.

    A confirmation later than `fetched_at` (by more than a second) is a 304's: the entry is
    as fresh as that, and its Date header (what history pages are read against) too.
    """
    fetched_at, confirmed_at, etag, last_modified, headers, size, body = row
    if not isinstance(body, bytes):
        raise TypeError("body is not a blob")
    when, kept = _check(fetched_at, headers, size, len(body))
    if confirmed_at is not None:
        if not isinstance(confirmed_at, str):
            raise TypeError("confirmed_at is not text")
        confirmed = datetime.fromisoformat(confirmed_at)
        if confirmed.utcoffset() is None:
            raise ValueError("naive confirmed_at")
        confirmed = confirmed.astimezone(UTC)
        if confirmed > when + _CONFIRMED_AFTER:
            when = confirmed
            kept["date"] = format_datetime(confirmed.replace(microsecond=0), usegmt=True)
    return CacheEntry(
        url=url,
        body=body,
        fetched_at=when,
        etag=_validator(etag),
        last_modified=_validator(last_modified),
        headers=kept,
    )


def _validator(value: object) -> str | None:
    """Return a validator fit to send back, or None."""
    if isinstance(value, str) and _HEADER_VALUE.fullmatch(value):
        return value
    return None
