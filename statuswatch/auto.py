"""`kind = "auto"`: a page's platform is detected on its first poll and remembered.

The detection (the same as `statuswatch add`'s) is kept in the cache directory beside the
bodies, so the live view, a cron `notify` and `serve` share it. Each later poll reads the page
as the remembered platform; when the page stops matching it (it answers in another format, or
the document is gone), it is detected again. A page no platform statuswatch reads answers for
is `unknown` with the reason, never an outage; that finding is kept for an hour, so such a
page is not asked for every platform's document on every poll.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from statuswatch import adapters
from statuswatch.cache import Cache, CacheEntry
from statuswatch.http import Fetcher
from statuswatch.model import ErrorType, FetchError, ProviderReport, ProviderSpec
from statuswatch.moves import stopped_matching
from statuswatch.records import record
from statuswatch.text import one_line

__all__ = ["Remembered", "forget", "recall", "report"]


PollAs = Callable[[ProviderSpec], Awaitable[ProviderReport]]
# How long "no platform statuswatch reads answers there" holds before the page is tried again.
RECHECK_UNRECOGNISED = timedelta(hours=1)


@record
class Remembered:
    """What detection found for an auto page: the entry `statuswatch add` would write."""

    kind: str
    url: str
    evidence: str
    detected_at: datetime


def _key(page_url: str) -> str:
    return f"auto:{page_url}"


def recall(cache: Cache, page_url: str) -> Remembered | None:
    """The platform remembered for `page_url`, if any (an unusable record is no record)."""
    entry = cache.load(_key(page_url))
    if entry is None:
        return None
    try:
        record = json.loads(entry.body)
        kind, url, evidence = record["kind"], record["url"], record.get("evidence", "")
    except (ValueError, TypeError, KeyError, RecursionError):
        return None
    valid = isinstance(url, str) and url.startswith(("http://", "https://"))
    if kind not in adapters.KINDS or not valid or not isinstance(evidence, str):
        return None
    return Remembered(kind, url, one_line(evidence, 200), entry.fetched_at)


def remember(cache: Cache, page_url: str, found: Remembered) -> None:
    """Keep what detection found for `page_url` (one transaction, like every cache write)."""
    body = json.dumps({"kind": found.kind, "url": found.url, "evidence": found.evidence})
    cache.store(CacheEntry(_key(page_url), body.encode("utf-8"), found.detected_at))


def _unread_key(page_url: str) -> str:
    return f"auto-unrecognised:{page_url}"


def _recall_unrecognised(cache: Cache, page_url: str) -> tuple[str, datetime] | None:
    """Why the page was not recognised, and when, if that was less than an hour ago."""
    entry = cache.load(_unread_key(page_url))
    if entry is None or datetime.now(UTC) - entry.fetched_at >= RECHECK_UNRECOGNISED:
        return None
    try:
        reason = json.loads(entry.body)["reason"]
    except (ValueError, TypeError, KeyError, RecursionError):
        return None
    return (one_line(reason, 1000), entry.fetched_at) if isinstance(reason, str) else None


def forget(cache: Cache, page_url: str) -> None:
    """Drop what was remembered for `page_url` (the next poll detects again)."""
    cache.discard(_key(page_url))


async def report(
    spec: ProviderSpec, fetcher: Fetcher, cache: Cache, poll_as: PollAs
) -> ProviderReport:
    """Poll an auto provider: as its remembered platform, else (again) by detecting it.

    Args:
        spec: the provider, of kind "auto"; its `url` is the page.
        fetcher: the engine's open fetcher (detection asks through it too).
        cache: where detections are remembered.
        poll_as: polls a provider of a known kind the engine's usual way.

    Returns:
        The report, under the detected kind and document URL; unknown with the reason when
        the page is not one statuswatch can read.
    """
    # Imported here: detection pulls in every probe, which only auto and moved pages need.
    from statuswatch.detect import PLATFORMS, NotRecognised, detect_with

    remembered = recall(cache, spec.url)
    earlier: ProviderReport | None = None
    if remembered is None:
        unread = _recall_unrecognised(cache, spec.url)
        if unread is not None:
            reason, when = unread
            note = f"{reason} (as found at {when:%H:%M} UTC; tried again an hour after)"
            return _unrecognised(spec, None, None, note, None)
    else:
        earlier = await poll_as(replace(spec, kind=remembered.kind, url=remembered.url))
        # A parse error counts too: what the remembered adapter cannot read, another may.
        if not stopped_matching(earlier) and not _unreadable(earlier):
            return earlier
    try:
        found = await detect_with(fetcher, spec.url)
    except NotRecognised as exc:
        if remembered is not None:
            forget(cache, spec.url)
        if exc.cause in (None, ErrorType.HTTP_STATUS):  # the page answered: nothing we read
            body = json.dumps({"reason": str(exc)}).encode("utf-8")
            cache.store(CacheEntry(_unread_key(spec.url), body, datetime.now(UTC)))
        return _unrecognised(spec, earlier, remembered, str(exc), exc.cause)
    cache.discard(_unread_key(spec.url))
    detected_at = found.fetched_at or datetime.now(UTC)
    remember(cache, spec.url, Remembered(found.kind, found.url, found.evidence, detected_at))
    resolved = replace(spec, kind=found.kind, url=found.url)
    # Read once more the engine's way: its documents are cached (validators, a last good page
    # to fall back on), which detection's reading is not. It was just read: it answers.
    result = await poll_as(resolved)
    if result.page is None or result.error is not None:
        result = ProviderReport(resolved, found.page, fetched_at=found.fetched_at)
    moved = remembered is not None and (remembered.kind, remembered.url) != (found.kind, found.url)
    if remembered is not None and moved and result.page is not None:
        was = PLATFORMS.get(remembered.kind, remembered.kind)
        now = PLATFORMS.get(found.kind, found.kind)
        # Detected again: the page's news, read where it now is.
        description = f"detected again: the page moved from {was} to {now} ({found.evidence})"
        result = replace(result, page=replace(result.page, description=description))
    return result


def _unreadable(result: ProviderReport) -> bool:
    return result.error is not None and result.error.type is ErrorType.PARSE_ERROR


def _unrecognised(
    spec: ProviderSpec,
    earlier: ProviderReport | None,
    remembered: Remembered | None,
    reason: str,
    cause: ErrorType | None,
) -> ProviderReport:
    """Unknown, with why: nothing statuswatch reads answered at the page (never an outage)."""
    if remembered is not None:
        message = (
            f"{spec.url} no longer answers as it did ({remembered.kind}), and no platform "
            f"statuswatch reads was found there: {reason}"
        )
        kind = cause or ErrorType.FORMAT_CHANGED
    else:
        message = f"could not recognise the platform of {spec.url}: {reason}"
        kind = cause or ErrorType.PARSE_ERROR  # the page answered, with nothing we read
    error = FetchError(kind, one_line(message, 1000))
    if earlier is not None and earlier.page is not None:
        # The last page read is kept, stale, as for any provider that stops answering.
        return replace(earlier, spec=spec, error=error)
    return ProviderReport(spec, None, fetched_at=None, error=error)
