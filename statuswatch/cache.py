"""The last good body of each URL with its validators, one self-describing file per URL."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from statuswatch.atomic import atomic_write

__all__ = ["KEPT_HEADERS", "Cache", "CacheEntry"]

log = logging.getLogger(__name__)

FORMAT = 1
SUFFIX = ".entry"
# Headers an adapter may look at when it parses a cached body again.
KEPT_HEADERS = ("content-type", "date", "etag", "last-modified")
_MAX_HEADER_LINE = 64 * 1024
# A validator goes back out as a request header: printable ASCII only, so a tampered file
# cannot smuggle a line break into a request.
_HEADER_VALUE = re.compile(r"[\x20-\x7e]{1,1024}")


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """A body that parsed, when it was fetched (or last confirmed by a 304) and its validators."""

    url: str
    body: bytes
    fetched_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


class Cache:
    """A directory of cache entries; a missing, foreign or corrupt file reads as absent."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._write_failed = False  # warned once per run: one cause would repeat per provider

    def path_for(self, url: str) -> Path:
        """Return the file that holds `url`'s entry."""
        return self.directory / (hashlib.sha256(url.encode("utf-8")).hexdigest() + SUFFIX)

    def load(self, url: str) -> CacheEntry | None:
        """Return the entry for `url`, or None when there is none or it cannot be trusted."""
        try:
            raw = self.path_for(url).read_bytes()
        except OSError:
            return None
        try:
            return _decode(raw, url)
        except (ValueError, TypeError, KeyError, UnicodeDecodeError, RecursionError) as exc:
            # Ignored rather than raised, with a warning (a crash or a disk fault made it):
            # the provider is fetched afresh and the next good body replaces the file.
            log.warning(
                "the cache file %s for %s is unreadable (%s); fetching afresh",
                self.path_for(url), url, exc,
            )  # fmt: skip
            return None

    def store(self, entry: CacheEntry) -> bool:
        """Write `entry` in one atomic replacement; False (and a warning) if the disk refused."""
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
        # json.dumps escapes newlines inside strings, so the first b"\n" ends the header.
        data = json.dumps(header, separators=(",", ":")).encode("utf-8") + b"\n" + entry.body
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # Not fsynced: a file torn by a power cut fails the size check and is ignored, and
            # 200 fsyncs would cost more than the whole poll.
            atomic_write(self.path_for(entry.url), data, durable=False)
        except OSError as exc:
            if not self._write_failed:
                self._write_failed = True
                log.warning(
                    "cannot write the cache in %s (%s): pages are fetched in full each run",
                    self.directory, exc.strerror or exc,
                )  # fmt: skip
            return False
        return True

    def discard(self, url: str) -> None:
        """Forget `url`'s entry, if any."""
        with contextlib.suppress(OSError):
            self.path_for(url).unlink()


def _decode(raw: bytes, url: str) -> CacheEntry:
    """Parse a cache file; ValueError/TypeError/KeyError when it is not one of ours for `url`."""
    end = raw.find(b"\n", 0, _MAX_HEADER_LINE)
    if end < 0:
        raise ValueError("no header line")
    header: Any = json.loads(raw[:end].decode("utf-8"))
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError("unknown format")
    if header["url"] != url:
        raise ValueError("entry belongs to another URL")
    body = raw[end + 1 :]
    if header["size"] != len(body):
        raise ValueError(f"body is {len(body)} bytes, header says {header['size']}")
    fetched_at = datetime.fromisoformat(header["fetched_at"])
    if fetched_at.utcoffset() is None:
        raise ValueError("naive fetched_at")
    headers = header.get("headers") or {}
    if not isinstance(headers, dict):
        raise TypeError("headers is not an object")
    return CacheEntry(
        url=url,
        body=body,
        fetched_at=fetched_at,
        etag=_validator(header.get("etag")),
        last_modified=_validator(header.get("last_modified")),
        headers={str(k): v for k, v in headers.items() if k in KEPT_HEADERS and isinstance(v, str)},
    )


def _validator(value: object) -> str | None:
    """Return a validator fit to send back, or None."""
    if isinstance(value, str) and _HEADER_VALUE.fullmatch(value):
        return value
    return None
