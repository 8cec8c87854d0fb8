"""Backfill: the pages' own incident history, so a fresh install knows the past.

Where a page publishes its history the adapter says so (`history_url`, `parse_history`):
Statuspage and incident.io `/api/v2/incidents.json` (the last 50, with their updates), Google
Cloud's `incidents.json` (all of it), feeds (every entry). Any other provider with a `feed`
in the catalog (status.io, AWS, Slack, ...) is backfilled from that feed.

Rows written here are marked backfilled (`backfilled_at`); a row a poll saw as well keeps
its `first_seen_at`, so `source` reads "observed" for it. Parsing is the adapters' (bytes in,
model out); this module fetches and writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from statuswatch import adapters
from statuswatch.adapters import FormatChanged, ParseError
from statuswatch.cache import Cache
from statuswatch.history.db import HistoryDB, to_ms
from statuswatch.history.rows import upsert_incident, upsert_maintenance
from statuswatch.model import ErrorType, Page, ProviderSpec
from statuswatch.records import record
from statuswatch.settings import HttpSettings
from statuswatch.text import one_line

if TYPE_CHECKING:
    import httpx

__all__ = [
    "RETRY_AFTER",
    "Backfilled",
    "HistorySource",
    "apply_history",
    "backfill",
    "history_source",
    "pending",
]

# A backfill that failed for a reason that may pass (network, 5xx) is tried again after this.
RETRY_AFTER = timedelta(days=1)
_TRANSIENT = frozenset({ErrorType.TIMEOUT, ErrorType.CONNECTION, ErrorType.TLS})

Parse = Callable[[bytes, Mapping[str, str]], Page]
# A fetched document (body, headers), or why there is none (message, transient).
Fetched = tuple[bytes, Mapping[str, str]] | tuple[str, bool]


@record
class HistorySource:
    """Where a provider's own history is, and how to read it."""

    url: str
    parse: Parse
    what: str  # "incidents.json", "feed"


@record
class Backfilled:
    """What a backfill of one provider did."""

    provider: str
    url: str | None = None
    incidents: int = 0  # incidents in the document
    new: int = 0  # incidents the history did not know
    maintenances: int = 0
    error: str | None = None
    transient: bool = False  # the error may pass: an automatic backfill tries again later


def history_source(spec: ProviderSpec) -> HistorySource | None:
    """The history document of `spec`'s page, or None when its platform publishes none."""
    reader = adapters.history(spec.kind)
    if reader is not None:
        url = reader.history_url(spec.url)
        what = "feed" if spec.kind == "feed" else url.rsplit("/", 1)[-1]
        return HistorySource(url=url, parse=reader.parse_history, what=what)
    if spec.feed:
        from statuswatch.adapters import feed  # only here: feedparser is ~0.1 s to import

        return HistorySource(url=spec.feed, parse=feed.parse_history, what="feed")
    return None


def apply_history(db: HistoryDB, spec: ProviderSpec, page: Page, now: datetime) -> Backfilled:
    """Write a parsed history document for `spec`, in one transaction."""
    at = to_ms(now)
    assert at is not None
    new = 0
    with db.write() as conn:
        _ensure_provider(conn, spec, at)
        for incident in page.incidents:
            new += upsert_incident(conn, spec.id, incident, at=at, live=False).new
        for maintenance in page.maintenances:
            upsert_maintenance(conn, spec.id, maintenance, at=at, live=False)
        starts = [t for t in (to_ms(i.started_at) for i in page.incidents) if t is not None]
        # The next poll compares its page afresh (an open incident of the document that the
        # page no longer shows is resolved then), hence the fingerprint reset.
        conn.execute(
            "UPDATE providers SET backfilled_at = :at, backfill_tried_at = :at, "
            "backfill_error = NULL, fingerprint = NULL, record_since = CASE "
            "WHEN :since IS NULL THEN record_since "
            "WHEN record_since IS NULL THEN :since ELSE min(record_since, :since) END "
            "WHERE id = :id",
            {"at": at, "since": min(starts) if starts else None, "id": spec.id},
        )
    return Backfilled(
        provider=spec.id,
        incidents=len(page.incidents),
        new=new,
        maintenances=len(page.maintenances),
    )


def _ensure_provider(conn: sqlite3.Connection, spec: ProviderSpec, at: int) -> None:
    """A provider row for `spec` (a backfill may come before any poll)."""
    conn.execute(
        "INSERT INTO providers (id, name, kind, first_recorded_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (id) DO NOTHING",
        (spec.id, spec.name, spec.kind, at),
    )


def pending(db: HistoryDB, specs: Sequence[ProviderSpec], now: datetime) -> list[ProviderSpec]:
    """The providers an automatic backfill should try now: never tried, or a transient failure
    more than RETRY_AFTER ago (a permanent one waits for `statuswatch history backfill`)."""
    tried = {
        str(row[0]): (row[1], row[2])
        for row in db.conn.execute(
            "SELECT id, backfill_tried_at, backfill_error FROM providers "
            "WHERE backfilled_at IS NULL"
        )
    }
    done = {
        str(row[0])
        for row in db.conn.execute("SELECT id FROM providers WHERE backfilled_at IS NOT NULL")
    }
    retry_before = to_ms(now - RETRY_AFTER)
    assert retry_before is not None
    due: list[ProviderSpec] = []
    for spec in specs:
        if spec.id in done:
            continue
        when, error = tried.get(spec.id, (None, None))
        transient = error is not None and error.startswith(_RETRY_MARK)
        if when is None or (transient and when < retry_before):
            due.append(spec)
    return due


_RETRY_MARK = "retry: "


def backfill(
    db: HistoryDB,
    specs: Sequence[ProviderSpec],
    settings: HttpSettings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    now: Callable[[], datetime] | None = None,
    cache_dir: Path | None = None,
    budget: float | None = None,
) -> list[Backfilled]:
    """Fetch and write the history of each of `specs`; one result per spec, in order.

    Args:
        db: the history.
        specs: the providers.
        settings: limits for every request.
        transport: replaces the network (tests).
        now: the clock for the rows' `backfilled_at`.
        cache_dir: the engine's cache: a history document that is also the polled one (Google
            Cloud's incidents.json, a feed) is read from there instead of downloaded again.
        budget: seconds for all the fetches together; what is not done by then fails as a
            timeout (transient: an automatic backfill tries again later).
    """
    clock = now or (lambda: datetime.now(UTC))
    sources = [(spec, history_source(spec)) for spec in specs]
    fetched: dict[str, Fetched] = {}
    wanted: list[tuple[ProviderSpec, HistorySource]] = []
    with contextlib.ExitStack() as stack:
        cache = stack.enter_context(Cache(cache_dir)) if cache_dir is not None else None
        for spec, source in sources:
            if source is None:
                continue
            entry = cache.load(source.url) if cache is not None else None
            if entry is not None:
                fetched[spec.id] = (entry.body, dict(entry.headers))
            else:
                wanted.append((spec, source))
    if wanted:
        fetched.update(asyncio.run(_fetch_all(wanted, settings, transport, budget)))
    results: list[Backfilled] = []
    for spec, source in sources:
        if source is None:
            result = Backfilled(
                provider=spec.id, error=f"{spec.kind} pages publish no incident history here"
            )
        else:
            result = _apply_fetched(db, spec, source, fetched[spec.id], clock())
        if result.error is not None:
            _remember_failure(db, spec, result, clock())
        results.append(result)
    return results


def _apply_fetched(
    db: HistoryDB,
    spec: ProviderSpec,
    source: HistorySource,
    outcome: Fetched,
    now: datetime,
) -> Backfilled:
    if isinstance(outcome[0], str):
        message, transient = outcome
        assert isinstance(transient, bool)
        return Backfilled(provider=spec.id, url=source.url, error=message, transient=transient)
    body, headers = outcome
    assert isinstance(body, bytes) and not isinstance(headers, bool)
    try:
        page = source.parse(body, headers)
    except FormatChanged as exc:
        error = f"{source.url} is not a {source.what} document: {one_line(str(exc), 300)}"
        return Backfilled(provider=spec.id, url=source.url, error=error)
    except ParseError as exc:
        error = f"could not read {source.url}: {one_line(str(exc), 300)}"
        return Backfilled(provider=spec.id, url=source.url, error=error)
    result = apply_history(db, spec, page, now)
    return Backfilled(
        provider=result.provider,
        url=source.url,
        incidents=result.incidents,
        new=result.new,
        maintenances=result.maintenances,
    )


def _remember_failure(db: HistoryDB, spec: ProviderSpec, result: Backfilled, now: datetime) -> None:
    at = to_ms(now)
    error = (_RETRY_MARK if result.transient else "") + (result.error or "")
    with db.write() as conn:
        _ensure_provider(conn, spec, at or 0)
        conn.execute(
            "UPDATE providers SET backfill_tried_at = ?, backfill_error = ? WHERE id = ?",
            (at, error, spec.id),
        )


async def _fetch_all(
    wanted: Sequence[tuple[ProviderSpec, HistorySource]],
    settings: HttpSettings,
    transport: httpx.AsyncBaseTransport | None,
    budget: float | None,
) -> dict[str, Fetched]:
    """Fetch every history document concurrently; a failure is (message, transient)."""
    from statuswatch.http import MAX_CLIENTS, Fetcher, FetchFailed

    out: dict[str, Fetched] = {}
    fetcher = Fetcher(settings, transport=transport, clients=min(MAX_CLIENTS, len(wanted)))

    async def one(index: int, spec: ProviderSpec, url: str) -> None:
        try:
            result = await fetcher.fetch(url, slot=index)
        except FetchFailed as exc:
            transient = exc.error.type in _TRANSIENT or _server_error(exc.error.message)
            out[spec.id] = (exc.error.message, transient)
        else:
            out[spec.id] = (result.body, result.headers)

    async with fetcher:
        jobs = [
            asyncio.create_task(one(index, spec, source.url))
            for index, (spec, source) in enumerate(wanted)
        ]
        _done, late = await asyncio.wait(jobs, timeout=budget)
        for job in late:
            job.cancel()
        await asyncio.gather(*late, return_exceptions=True)
    for spec, source in wanted:
        if spec.id not in out:
            out[spec.id] = (f"{source.url} took longer than the {budget:g} s allowed", True)
    return out


def _server_error(message: str) -> bool:
    """True for the HTTP statuses that say "try later" (5xx, 429) in a fetch message."""
    return _TRY_LATER.match(message) is not None


_TRY_LATER = re.compile(r"HTTP (5\d\d|429) ")
