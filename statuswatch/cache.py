"""The last good body of each URL with its validators, one self-describing file per URL; with
it, for the adapters whose page depends on the body alone, the page that body parsed into, so
that a 304 costs a short read instead of a parse.

A file's modification time is when its body was last known good: set to `fetched_at` when the
entry is written, moved forward by `confirm` when a 304 says the body is still current.
Rewriting 10 KB to say so cost ~0.2 ms of CPU and ~0.6 ms of waiting per page (ext4 flushes
a file renamed over another), setting the time costs a few microseconds.

The page is kept in the header line (as the JSON text `statuswatch.pagecodec` writes, under
`page`), not in a file of its own: creating a file costs 0.1-0.6 ms of CPU, more than the
parse it saves, and a reader that knows nothing of pages still reads the entry.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import queue
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from statuswatch.atomic import atomic_write
from statuswatch.model import Page

__all__ = ["KEPT_HEADERS", "Cache", "CacheEntry", "Validators"]

log = logging.getLogger(__name__)

FORMAT = 1
SUFFIX = ".entry"
PAGE_FORMAT = 1
# Headers an adapter may look at when it parses a cached body again.
KEPT_HEADERS = ("content-type", "date", "etag", "last-modified")
_MAX_HEADER_LINE = 64 * 1024
# A header line with its page longer than this keeps none (parsed from its body each time).
_MAX_KEPT_LINE = 56 * 1024
_PEEK = 16384  # a header line is a few hundred bytes, a few KB with its page
_UNREADABLE = (ValueError, TypeError, KeyError, UnicodeDecodeError, RecursionError)
# A validator goes back out as a request header: printable ASCII only, so a tampered file
# cannot smuggle a line break into a request.
_HEADER_VALUE = re.compile(r"[\x20-\x7e]{1,1024}")
# A modification time this much past `fetched_at` is a confirmation, not the write itself.
_CONFIRMED_AFTER = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """A body that parsed, when it was fetched (or last confirmed by a 304) and its validators."""

    url: str
    body: bytes
    fetched_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class KeptPage:
    """A page to keep with its entry: what adapter `kind` parsed from the entry's body."""

    kind: str
    page: Page


class Cache:
    """A directory of cache entries; a missing, foreign or corrupt file reads as absent.

    `store_soon` and `confirm_soon` hand the disk work to one thread of the cache's own, so an
    event loop never waits on it; `settle` waits for that work to be done.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._made = False
        self._warned: set[str] = set()
        self._pending: queue.SimpleQueue[Callable[[], object] | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._write_failed = False  # warned once per run: one cause would repeat per provider

    def path_for(self, url: str) -> Path:
        """Return the file that holds `url`'s entry."""
        return self.directory / (hashlib.sha256(url.encode("utf-8")).hexdigest() + SUFFIX)

    def load(self, url: str) -> CacheEntry | None:
        """Return the entry for `url`, or None when there is none or it cannot be trusted."""
        try:
            with self.path_for(url).open("rb") as handle:
                raw = handle.read()
                modified = os.fstat(handle.fileno()).st_mtime_ns
        except OSError:
            return None
        try:
            return _decode(raw, url, modified)
        except _UNREADABLE as exc:
            self._unreadable(url, exc)
            return None

    def validators(self, url: str) -> Validators | None:
        """The ETag and Last-Modified kept for `url` (and its kept page), its body left on
        disk; None: no entry.

        A poll asks every page at once and each waits for its turn on the network: loading
        whole entries up front held every cached body meanwhile (50 MB at 5,000 pages; a kept
        page is a quarter of its body).
        The entry is checked as `load` checks it, its body by length only, as `load` does.
        """
        from statuswatch.pagecodec import build_identity

        header = self._header_only(url)
        if header is None:
            return None
        kept = header.get("page")
        page = None
        if (
            type(kept) is list
            and len(kept) == 4
            and kept[:2] == [PAGE_FORMAT, build_identity()]
            and type(kept[2]) is str
            and (kept[3] is None or type(kept[3]) is str)
        ):
            page = (kept[2], kept[3])
        return Validators(
            _validator(header.get("etag")), _validator(header.get("last_modified")), page
        )

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
                    self.path_for(url), url, exc,
                )  # fmt: skip
            return None

    def _header_only(self, url: str) -> dict[str, Any] | None:
        """The header line of `url`'s entry, checked as `load` checks it; None: no usable one."""
        try:
            with self.path_for(url).open("rb") as handle:
                head = handle.read(_PEEK)
                if b"\n" not in head:
                    head += handle.read(_MAX_HEADER_LINE)
                length = os.fstat(handle.fileno()).st_size
        except OSError:
            return None
        end = head.find(b"\n", 0, _MAX_HEADER_LINE)
        try:
            return _header(head[:end] if end >= 0 else None, url, length - end - 1)[0]
        except _UNREADABLE as exc:
            self._unreadable(url, exc)
            return None

    def _unreadable(self, url: str, exc: Exception) -> None:
        """Warn, once per URL, of a cache file that is there but cannot be trusted."""
        # Ignored rather than raised (a crash or a disk fault made it): the provider is
        # fetched afresh and the next good body replaces the file.
        if url not in self._warned:
            self._warned.add(url)
            log.warning(
                "the cache file %s for %s is unreadable (%s); fetching afresh",
                self.path_for(url), url, exc,
            )  # fmt: skip

    def store(self, entry: CacheEntry, page: KeptPage | None = None) -> bool:
        """Write `entry` in one atomic replacement, with `page` (parsed from its body) when one
        is given; False (and a warning) if the disk refused."""
        header = {
            "format": FORMAT,
            "url": entry.url,
            "fetched_at": entry.fetched_at.isoformat(),
            "etag": entry.etag,
            "last_modified": entry.last_modified,
            "headers": {
                k.lower(): v for k, v in entry.headers.items() if k.lower() in KEPT_HEADERS
            },
            "size": len(entry.body),
        }
        kept: list[object] | None = None
        if page is not None:
            from statuswatch.pagecodec import build_identity, encode_page

            text = json.dumps(encode_page(page.page), separators=(",", ":"), ensure_ascii=False)
            kept = header["page"] = [PAGE_FORMAT, build_identity(), page.kind, text]
        # json.dumps escapes newlines inside strings, so the first b"\n" ends the header.
        line = json.dumps(header, separators=(",", ":"))
        if kept is not None and len(line) > _MAX_KEPT_LINE:
            # Escaped, it must stay a line every reader reads (_MAX_HEADER_LINE): too large, the
            # page is parsed each time, and the None says so, so that no 304 rewrites it.
            kept[3] = None
            line = json.dumps(header, separators=(",", ":"))
        data = line.encode("utf-8") + b"\n" + entry.body
        try:
            if not self._made:
                self.directory.mkdir(parents=True, exist_ok=True)
                self._made = True
            # Not fsynced: a file torn by a power cut fails the size check and is ignored, and
            # 200 fsyncs would cost more than the whole poll.
            path = atomic_write(self.path_for(entry.url), data, durable=False)
            stamp = _ns(entry.fetched_at)
            os.utime(path, ns=(stamp, stamp))
        except OSError as exc:
            if not self._write_failed:
                self._write_failed = True
                log.warning(
                    "cannot write the cache in %s (%s): pages are fetched in full each run",
                    self.directory, exc.strerror or exc,
                )  # fmt: skip
            return False
        return True

    def confirm(self, url: str, at: datetime) -> bool:
        """Record that `url`'s body was still current at `at` (a 304); False if it could not."""
        stamp = _ns(at)
        try:
            os.utime(self.path_for(url), ns=(stamp, stamp))
        except OSError as exc:
            log.warning("could not update the cache for %s: %s", url, exc)
            return False
        return True

    def store_soon(self, entry: CacheEntry, page: KeptPage | None = None) -> None:
        """`store` on the cache's writer thread."""
        self._enqueue(functools.partial(self.store, entry, page))

    def confirm_soon(self, url: str, at: datetime) -> None:
        """`confirm` on the cache's writer thread."""
        self._enqueue(functools.partial(self.confirm, url, at))

    def settle(self) -> None:
        """Wait until every write asked for so far is done (blocks: call it off the loop)."""
        writer, self._writer = self._writer, None
        if writer is not None:
            self._pending.put(None)
            writer.join()

    def _enqueue(self, work: Callable[[], object]) -> None:
        if self._writer is None:
            # A daemon: if the process ends without settling, the pending writes are lost,
            # which a cache can afford (each file is replaced whole or not at all).
            self._writer = threading.Thread(target=self._write, name="cache-writer", daemon=True)
            self._writer.start()
        self._pending.put(work)

    def _write(self) -> None:
        while (work := self._pending.get()) is not None:
            work()

    def discard(self, url: str) -> None:
        """Forget `url`'s entry, if any."""
        with contextlib.suppress(OSError):
            self.path_for(url).unlink()


def _ns(when: datetime) -> int:
    """A datetime as nanoseconds since the epoch (for os.utime)."""
    return int(when.timestamp() * 1_000_000) * 1000


def _decode(raw: bytes, url: str, modified_ns: int | None = None) -> CacheEntry:
    """Parse a cache file; ValueError/TypeError/KeyError when it is not one of ours for `url`.

    A modification time later than the header's `fetched_at` is a 304's confirmation: the
    entry is as fresh as that, and its Date header (what history pages are read against) too.
    """
    end = raw.find(b"\n", 0, _MAX_HEADER_LINE)
    header, fetched_at, headers = _header(raw[:end] if end >= 0 else None, url, len(raw) - end - 1)
    if modified_ns is not None:
        confirmed = datetime.fromtimestamp(modified_ns / 1e9, UTC)
        if confirmed > fetched_at + _CONFIRMED_AFTER:
            fetched_at = confirmed
            headers["date"] = format_datetime(confirmed.replace(microsecond=0), usegmt=True)
    return CacheEntry(
        url=url,
        body=raw[end + 1 :],
        fetched_at=fetched_at,
        etag=_validator(header.get("etag")),
        last_modified=_validator(header.get("last_modified")),
        headers=headers,
    )


def _header(
    line: bytes | None, url: str, body_size: int
) -> tuple[dict[str, Any], datetime, dict[str, str]]:
    """Check an entry's header line against its URL and its body's size; return the header,
    its fetched_at and its kept headers (ValueError/TypeError/KeyError if it is not one)."""
    if line is None:
        raise ValueError("no header line")
    header: Any = json.loads(line.decode("utf-8"))
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError("unknown format")
    if header["url"] != url:
        raise ValueError("entry belongs to another URL")
    if header["size"] != body_size:
        raise ValueError(f"body is {body_size} bytes, header says {header['size']}")
    fetched_at = datetime.fromisoformat(header["fetched_at"])
    if fetched_at.utcoffset() is None:
        raise ValueError("naive fetched_at")
    headers = header.get("headers") or {}
    if not isinstance(headers, dict):
        raise TypeError("headers is not an object")
    kept = {str(k): v for k, v in headers.items() if k in KEPT_HEADERS and isinstance(v, str)}
    return header, fetched_at, kept


def _validator(value: object) -> str | None:
    """Return a validator fit to send back, or None."""
    if isinstance(value, str) and _HEADER_VALUE.fullmatch(value):
        return value
    return None
