"""Polls every provider at once; a provider's failure is data in its report, never an exception."""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import ParamSpec, Protocol

import httpx

from statuswatch import adapters, auto, moves
from statuswatch.adapters import Adapter, FormatChanged, MultiAdapter, ParseError
from statuswatch.assess import assess
from statuswatch.cache import Cache, CacheEntry, KeptPage, Validators
from statuswatch.collector import collector_paused
from statuswatch.http import MAX_CLIENTS, Fetcher, FetchFailed, FetchResult
from statuswatch.model import (
    ErrorType,
    FetchError,
    Page,
    ProviderReport,
    ProviderSpec,
    Snapshot,
)
from statuswatch.scope import scope_report
from statuswatch.settings import HttpSettings
from statuswatch.stacks import Stack
from statuswatch.text import one_line

__all__ = ["Alongside", "poll", "poll_all"]

_P = ParamSpec("_P")
_MESSAGE_LIMIT = 300
# Media types a status document may come as; any other is named in a parse error.
_DOCUMENT_TYPES = re.compile(r"json|xml|rss|atom|text/|javascript|octet-stream", re.IGNORECASE)


def _collector_paused(
    run: Callable[_P, Coroutine[None, None, Snapshot]],
) -> Callable[_P, Coroutine[None, None, Snapshot]]:
    """`run` within `collector_paused()`."""

    @functools.wraps(run)
    async def paused(*args: _P.args, **kwargs: _P.kwargs) -> Snapshot:
        with collector_paused():
            return await run(*args, **kwargs)

    return paused


# Requests started together before the loop looks at the network again. Started all at once,
# every request is built and connected before the first is written (asyncio runs what is
# ready before it polls), so the first answer came 60 ms late at 200 pages and all of them
# together; started by batches, the first go out at once and are read while the rest wait.
START_BATCH = 16


@_collector_paused
async def poll_all(
    specs: Sequence[ProviderSpec],
    settings: HttpSettings,
    cache_dir: Path,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    on_report: Callable[[ProviderReport], None] | None = None,
    now: Callable[[], datetime] | None = None,
    stacks: Sequence[Stack] = (),
    alongside: Alongside | None = None,
) -> Snapshot:
    """Poll `specs` concurrently; reports come back in the order of `specs`.

    Args:
        specs: the providers to poll.
        settings: timeouts, caps and limits for every request.
        cache_dir: where the last good body of each URL and its validators are kept.
        transport: replaces the network for every request (tests pass `httpx.MockTransport`).
        on_report: called with each report as soon as its provider is done.
        now: the clock for `fetched_at` and `generated_at` (aware UTC datetimes).
        stacks: the user's stacks, rated from the reports.
        alongside: more work for the same client and limits, run with the pages, then given
            the snapshot to add to before it is assessed (the probes: statuswatch.probes);
            it starts once every page's request has set out.

    Returns:
        A snapshot with one report per spec, failed providers included, as the user sees it:
        each report cut to its spec's scope (also as `on_report` gets it) and marked with what
        it may be affected by; the stacks rated and the shared causes linked
        (statuswatch.assess).
    """
    clock = now or _utcnow
    cache = Cache(cache_dir)
    fetcher = Fetcher(
        settings, transport=transport, clients=min(MAX_CLIENTS, max(1, len(specs))), now=clock
    )
    closing: asyncio.Future[None] | None = None
    cache.read_ahead(_document_urls(specs))
    try:
        async with fetcher:
            tasks: list[asyncio.Task[ProviderReport]] = []
            extra: asyncio.Task[None] | None = None
            try:
                for index, spec in enumerate(specs):
                    if index and index % START_BATCH == 0:
                        await asyncio.sleep(0)
                    task = asyncio.create_task(_poll_one(index, spec, fetcher, cache, on_report))
                    tasks.append(task)
                if alongside is not None:
                    extra = asyncio.create_task(alongside.run(fetcher))
                # Each task has run to its first wait: the requests are going out. The threads
                # the answers need (the cache's writer making its database on a first run; the
                # history's opening, which `alongside` starts) start now, while the loop waits
                # on the network; started before, they took the GIL from building and sending
                # the requests (the first answers came ~10 ms later at 200 pages).
                await asyncio.sleep(0)
                cache.open_soon()
                reports = await asyncio.gather(*tasks)
                if extra is not None:
                    await extra
                # Finished before the connections are closed: the history's record (the
                # longest of what follows, a thread of its own) starts the sooner.
                snapshot = Snapshot(generated_at=clock(), reports=tuple(reports))
                if alongside is not None:
                    snapshot = await alongside.finish(snapshot)
            finally:
                if extra is not None:
                    extra.cancel()
                    await asyncio.gather(extra, return_exceptions=True)
                # Only on_report raising (or a cancellation) gets here with tasks still running.
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                # The next poll reads what this one wrote: the cache is settled and closed off
                # the loop (it waits on the disk) while the rest goes on, the history's record
                # (45 ms at 200 pages) beside the settle (30 ms). A backfill that reads a page
                # not yet settled fetches it again (a cache miss), no worse.
                closing = asyncio.ensure_future(asyncio.to_thread(cache.close))
    finally:
        if closing is not None:
            await closing
    # An open early warning puts what runs on its provider at risk, as an incident would.
    warned = [r.spec.id for r in snapshot.reports if r.early_warning is not None]
    return assess(snapshot, stacks, early_warnings=warned)


class Alongside(Protocol):
    """Work that shares a poll's client and limits (the probes): run beside the pages, then
    given the snapshot to add what it found."""

    async def run(self, fetcher: Fetcher) -> None:
        """Do the work, with the poll's fetcher."""

    async def finish(self, snapshot: Snapshot) -> Snapshot:
        """The snapshot with what the work found added."""


def poll(
    specs: Sequence[ProviderSpec],
    settings: HttpSettings,
    cache_dir: Path,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    on_report: Callable[[ProviderReport], None] | None = None,
    now: Callable[[], datetime] | None = None,
    stacks: Sequence[Stack] = (),
    alongside: Alongside | None = None,
) -> Snapshot:
    """Run :func:`poll_all` in a fresh event loop."""
    done: list[Snapshot] = []

    async def main() -> None:
        done.append(
            await poll_all(
                specs,
                settings,
                cache_dir,
                transport=transport,
                on_report=on_report,
                now=now,
                stacks=stacks,
                alongside=alongside,
            )
        )

    # The loop's main task must not return the snapshot: on the way out, asyncio.run (3.11)
    # formats a repr of its SIGINT handler, which holds the task and so its whole result:
    # twice 0.1 s for 1,000 providers.
    asyncio.run(main())
    return done[0]


async def _poll_one(
    index: int,
    spec: ProviderSpec,
    fetcher: Fetcher,
    cache: Cache,
    on_report: Callable[[ProviderReport], None] | None,
) -> ProviderReport:
    """Poll one provider and hand its report to `on_report` (scoped); return it as read."""
    if spec.kind == adapters.AUTO:
        # Detected on the first poll, remembered, detected again when it stops matching.
        report = await auto.report(
            spec, fetcher, cache, lambda s: _report(index, s, fetcher, cache)
        )
    else:
        # A page now answering on another platform is reported as moved, with its entry.
        report = await moves.follow(await _report(index, spec, fetcher, cache), fetcher)
    if on_report is not None:
        on_report(scope_report(report, spec.scope))
    return report


async def _report(index: int, spec: ProviderSpec, fetcher: Fetcher, cache: Cache) -> ProviderReport:
    """Fetch and parse one provider; on failure fall back to its last good page, marked stale."""
    adapter: Adapter | None = None
    entry: CacheEntry | None = None
    url = spec.url
    source: str | None = None  # the document's URL, once the adapter has said it
    try:
        adapter = adapters.load(spec.kind)
        reads = _reads(adapter, spec)
        if not isinstance(reads, str):
            return await _report_many(index, spec, reads, fetcher, cache)
        url = source = reads
        # The cached body is read only when an answer needs it (a 304, a failure).
        known = cache.validators(url)
        result = await fetcher.fetch(
            url,
            slot=index,
            etag=known.etag if known else None,
            last_modified=known.last_modified if known else None,
        )
        # Its page is kept for a 304, unless this build found it too large to keep.
        keeps = getattr(adapter, "BODY_ONLY", False) is True and not (
            known is not None and known.page_too_large(spec.kind)
        )
        if result.not_modified:
            # The page this body gave last time, if it was kept: no body to read or parse.
            kept = cache.kept_page(url, known, spec.kind) if keeps and known is not None else None
            if kept is not None and known is not None:
                _confirm(cache, url, known, result, KeptPage(spec.kind, kept))
                return ProviderReport(spec, kept, fetched_at=result.fetched_at)
            entry = cache.load(url)
        if result.not_modified and entry is not None:
            page = _parse_cached(adapter, entry, url, cache)
            _keep(cache, entry, result, KeptPage(spec.kind, page) if keeps else None)
            return ProviderReport(spec, page, fetched_at=result.fetched_at)
        page = _parse(adapter, result.body, result.headers, url, spec.url)
        # Writing a file costs up to a millisecond here: the cache's own thread does it.
        cache.store_soon(_fresh(url, result), KeptPage(spec.kind, page) if keeps else None)
        return ProviderReport(spec, page, fetched_at=result.fetched_at)
    except FetchFailed as exc:
        error = exc.error
    except KeyError as exc:
        if adapter is None:
            error = FetchError(ErrorType.INTERNAL, f"no adapter for kind {spec.kind!r}")
        else:
            error = _internal(exc, url)
    except Exception as exc:  # a provider's fault is data: nothing may escape
        error = _internal(exc, url)
    if entry is None and source is not None:
        entry = cache.load(source)  # the last good page, to show stale
    return _fallback(spec, adapter, entry, error)


def _reads(adapter: Adapter, spec: ProviderSpec) -> str | MultiAdapter:
    """What `_report` fetches for `spec`: its one document's URL, or the adapter of several."""
    several = adapters.multi(adapter)
    return several if several is not None else adapter.source_url(spec.url)


def _document_urls(specs: Sequence[ProviderSpec]) -> Iterator[str]:
    """The URL `_report` fetches for each spec whose adapter reads one document (auto
    detection and the adapters of several documents ask the cache as they go)."""
    for spec in specs:
        if spec.kind == adapters.AUTO:
            continue
        try:
            reads = _reads(adapters.load(spec.kind), spec)
        except Exception:  # reading ahead is only quicker: `_report` says what is wrong
            continue
        if isinstance(reads, str):
            yield reads


def _parse(
    adapter: Adapter,
    body: bytes,
    headers: Mapping[str, str],
    url: str,
    page_url: str | None = None,
) -> Page:
    """Parse a body; FetchFailed with FORMAT_CHANGED or PARSE_ERROR when it will not."""
    return _read(lambda: adapter.parse(body, headers), headers, url, page_url)


def _read(
    parse: Callable[[], Page], headers: Mapping[str, str], url: str, page_url: str | None
) -> Page:
    """Run an adapter's parse; its errors become FetchFailed (see `_parse`)."""
    try:
        return parse()
    except FormatChanged as exc:
        message = _parse_message(url, exc)
        if page_url:
            # The provider moved platform or page: `add` finds what it serves now.
            message += f"; if the provider moved, `statuswatch add {page_url}` detects its format"
        raise FetchFailed(ErrorType.FORMAT_CHANGED, message) from None
    except ParseError as exc:
        if headers.get("content-type", "").lower().startswith("text/html"):
            # An HTML page where a document was expected: a login wall, a new site, a parked domain.
            message = f"{url} answered with an HTML page: {_text(exc)}"
            raise FetchFailed(ErrorType.FORMAT_CHANGED, message) from None
        message = _parse_message(url, exc)
        media = one_line(headers.get("content-type", "").split(";", 1)[0], 100)
        if media and not _DOCUMENT_TYPES.search(media):
            # An image or a PDF where a document was expected: say what the server sent.
            message += f" (the server sent {media})"
        raise FetchFailed(ErrorType.PARSE_ERROR, message) from None


async def _report_many(
    index: int, spec: ProviderSpec, adapter: MultiAdapter, fetcher: Fetcher, cache: Cache
) -> ProviderReport:
    """Fetch every document of a several-document page (each with its own cache entry).

    The page is parsed from all of them together; if any fetch or the parse fails, the
    provider reports the error, with the last good documents (stale) when all are cached.
    """
    urls: tuple[str, ...] = ()
    entries: list[CacheEntry | None] = []
    try:
        urls = tuple(adapter.source_urls(spec.url))
        entries = [cache.load(url) for url in urls]
        outcomes = await asyncio.gather(
            *(
                fetcher.fetch(
                    url,
                    slot=index,
                    etag=entry.etag if entry else None,
                    last_modified=entry.last_modified if entry else None,
                )
                for url, entry in zip(urls, entries, strict=True)
            ),
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        results = [outcome for outcome in outcomes if isinstance(outcome, FetchResult)]
        documents: list[tuple[bytes, Mapping[str, str]]] = []
        for entry, result in zip(entries, results, strict=True):
            if result.not_modified and entry is not None:
                documents.append((entry.body, httpx.Headers(dict(entry.headers))))
            else:
                documents.append((result.body, result.headers))
        try:
            # The first document's headers: an HTML page or an image there is named in the error.
            first = documents[0][1]
            page = _read(lambda: adapter.parse_many(documents), first, urls[0], spec.url)
        except FetchFailed:
            for url, result in zip(urls, results, strict=True):
                if result.not_modified:  # else every run would get the same unreadable 304
                    cache.discard(url)
            raise
        for url, entry, result in zip(urls, entries, results, strict=True):
            if result.not_modified and entry is not None:
                _keep(cache, entry, result)
            else:
                cache.store_soon(_fresh(url, result))
        return ProviderReport(spec, page, fetched_at=min(r.fetched_at for r in results))
    except FetchFailed as exc:
        error = exc.error
    except Exception as exc:  # a provider's fault is data: nothing may escape
        error = _internal(exc, urls[0] if urls else spec.url)
    cached = [entry for entry in entries if entry is not None]
    if urls and len(cached) == len(urls):
        try:
            page = adapter.parse_many([(e.body, httpx.Headers(dict(e.headers))) for e in cached])
        except Exception:  # the cached bodies are unusable too: report the failure alone
            pass
        else:
            fetched_at = min(e.fetched_at for e in cached)
            return ProviderReport(spec, page, fetched_at=fetched_at, stale=True, error=error)
    return ProviderReport(spec, None, fetched_at=None, stale=False, error=error)


def _parse_cached(adapter: Adapter, entry: CacheEntry, url: str, cache: Cache) -> Page:
    """Parse the cached body a 304 confirmed; drop the entry if it no longer parses."""
    try:
        return _parse(adapter, entry.body, httpx.Headers(dict(entry.headers)), url)
    except FetchFailed:
        # Otherwise every later run would get the same 304 for the same unreadable body.
        cache.discard(url)
        raise


def _fallback(
    spec: ProviderSpec, adapter: Adapter | None, entry: CacheEntry | None, error: FetchError
) -> ProviderReport:
    """A failed report, carrying the last good page (stale, with its age) when there is one."""
    if adapter is not None and entry is not None:
        try:
            page = adapter.parse(entry.body, httpx.Headers(dict(entry.headers)))
        except Exception:  # the cached body is unusable too: report the failure alone
            pass
        else:
            return ProviderReport(spec, page, fetched_at=entry.fetched_at, stale=True, error=error)
    return ProviderReport(spec, None, fetched_at=None, stale=False, error=error)


def _fresh(url: str, result: FetchResult) -> CacheEntry:
    """The cache entry for a body that just parsed."""
    return CacheEntry(
        url=url,
        body=result.body,
        fetched_at=result.fetched_at,
        etag=result.headers.get("etag"),
        last_modified=result.headers.get("last-modified"),
        headers=result.headers,
    )


def _keep(
    cache: Cache, entry: CacheEntry, result: FetchResult, page: KeptPage | None = None
) -> None:
    """After a 304: mark the cached body confirmed, or rewrite it if the validators changed
    or there is a `page` to keep with it (none was, or another build's)."""
    confirmed = _confirmed(entry, result)
    if page is None and (confirmed.etag, confirmed.last_modified) == (
        entry.etag,
        entry.last_modified,
    ):
        cache.confirm_soon(entry.url, result.fetched_at)
    else:
        cache.store_soon(confirmed, page)


def _confirm(
    cache: Cache, url: str, known: Validators, result: FetchResult, page: KeptPage
) -> None:
    """After a 304 answered with the kept `page`: as `_keep`, the entry read and rewritten
    only if the answer brought new validators."""
    etag = result.headers.get("etag", known.etag)
    last_modified = result.headers.get("last-modified", known.last_modified)
    if (etag, last_modified) == (known.etag, known.last_modified):
        cache.confirm_soon(url, result.fetched_at)
        return
    entry = cache.load(url)
    if entry is not None:
        cache.store_soon(_confirmed(entry, result), page)


def _confirmed(entry: CacheEntry, result: FetchResult) -> CacheEntry:
    """The cached entry after a 304: same body, confirmed now, validators refreshed if sent."""
    headers = dict(entry.headers)
    for name in ("etag", "last-modified", "date"):
        if name in result.headers:
            headers[name] = result.headers[name]
    return CacheEntry(
        url=entry.url,
        body=entry.body,
        fetched_at=result.fetched_at,
        etag=result.headers.get("etag", entry.etag),
        last_modified=result.headers.get("last-modified", entry.last_modified),
        headers=headers,
    )


def _parse_message(url: str, exc: Exception) -> str:
    return f"could not read {url}: {_text(exc)}"


def _internal(exc: Exception, url: str) -> FetchError:
    return FetchError(ErrorType.INTERNAL, f"internal error for {url}: {_text(exc)}")


def _text(exc: BaseException) -> str:
    """An exception as one line of plain text (adapter messages may quote the page)."""
    return one_line(str(exc), _MESSAGE_LIMIT) or type(exc).__name__


def _utcnow() -> datetime:
    return datetime.now(UTC)
