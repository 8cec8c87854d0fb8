"""A page that now answers on another platform is reported as moved, with the entry to use.

When a provider of a known kind answers with HTML or another platform's document (a format
change), or its document is gone (404, 410), the page is detected again as `statuswatch add`
would; if it is now readable as another platform (or at another address), the report says so:
error `moved`, the suggested entry in its message, and the page read where it now is. Its
status stays unknown until the entry is changed: a move is news, never an outage.
"""

from __future__ import annotations

import json

from statuswatch.http import Fetcher
from statuswatch.model import ErrorType, FetchError, ProviderReport

__all__ = ["follow", "stopped_matching", "suggested_entry"]

_GONE = ("HTTP 404 ", "HTTP 410 ")  # the platform's document is no longer where it was


def stopped_matching(report: ProviderReport) -> bool:
    """Whether a report says the page may no longer be its platform's: it answered in another
    format, its document is gone (404, 410), or it was already found to have moved."""
    error = report.error
    if error is None:
        return False
    if error.type in (ErrorType.FORMAT_CHANGED, ErrorType.MOVED):
        return True
    return error.type is ErrorType.HTTP_STATUS and error.message.startswith(_GONE)


def suggested_entry(provider_id: str, kind: str, url: str) -> str:
    """The provider table to write, on one line (TOML strings are JSON-quoted safely)."""
    key = (
        provider_id
        if provider_id.replace("-", "").replace("_", "").isalnum()
        else json.dumps(provider_id)
    )
    return f"[providers.{key}] kind = {json.dumps(kind)}, url = {json.dumps(url)}"


async def follow(report: ProviderReport, fetcher: Fetcher) -> ProviderReport:
    """`report` unchanged, or, when its page changed format and is found elsewhere, moved.

    Args:
        report: a provider's report from the engine.
        fetcher: the engine's open fetcher (detection asks through it).

    Returns:
        The report as it was, or a `moved` report carrying the page where it now is.
    """
    if not stopped_matching(report):
        return report
    # Imported here: only a page that changed format pays for detection's probes.
    from statuswatch.detect import PLATFORMS, NotRecognised, detect_with

    spec = report.spec
    try:
        found = await detect_with(fetcher, spec.url)
    except NotRecognised:
        return report  # nothing readable there now: the error stands as reported
    if (found.kind, found.url) == (spec.kind, spec.url):
        return report  # the same platform answers again: nothing moved
    platform = PLATFORMS.get(found.kind, found.kind)
    message = (
        f"moved: {spec.url} now answers as {platform} ({found.evidence}); suggested entry: "
        f"{suggested_entry(spec.id, found.kind, found.url)}"
    )
    return ProviderReport(
        spec, found.page, fetched_at=found.fetched_at, error=FetchError(ErrorType.MOVED, message)
    )
