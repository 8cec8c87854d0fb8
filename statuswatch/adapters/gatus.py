"""Gatus -> Page, from ``<base>/api/v1/endpoints/statuses``.

The document is an array with one object per endpoint: ``{name, group, key, results[]}``, its
results oldest first, each ``{status, hostname, duration (ns), conditionResults[], success,
timestamp, errors?}``. An endpoint whose latest result failed is down; one without results is
unknown. Gatus writes Go's zero time (``0001-01-01T00:00:00Z``) for a result it never timed:
that is no time at all. The page has no incidents in this document.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from statuswatch.adapters import ParseError
from statuswatch.adapters.common import (
    drifted,
    ident,
    load_json,
    monitors_status,
    objs,
    text,
)
from statuswatch.adapters.sniff import refuse
from statuswatch.adapters.timeparse import parse_time
from statuswatch.model import Component, Page, Status
from statuswatch.text import one_line

PLATFORM = "Gatus"
# `parse` reads the body alone (never the headers): the engine keeps its page for a 304.
BODY_ONLY = True
DOCUMENT = "/api/v1/endpoints/statuses"
_OWN = frozenset({"gatus"})


def source_url(url: str) -> str:
    """Return the endpoint statuses document of the Gatus instance at `url`.

    Args:
        url: the instance's base URL (``https://status.example.com``), or the document itself
            (returned unchanged).

    Returns:
        e.g. ``https://status.example.com/api/v1/endpoints/statuses``.
    """
    stripped = url.strip().rstrip("/")
    if "/api/v1/endpoints/" in stripped:
        return url.strip()
    return stripped + DOCUMENT


def parse(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read Gatus's endpoint statuses into a Page.

    Args:
        body: the response body (a JSON array).
        headers: the response headers (unused).

    Returns:
        One component per endpoint (grouped as Gatus groups them), up or down by its latest
        result; the page down when all are, partly down when some are.

    Raises:
        FormatChanged: the body is HTML, XML, another platform's document or JSON of
            another shape.
        ParseError: the body is empty or not JSON.
    """
    doc = load_json(body, PLATFORM)
    refuse(doc, PLATFORM, _OWN)
    rows = list(objs(doc)) if isinstance(doc, list) else []
    if not isinstance(doc, list) or (doc and not any("results" in row for row in rows)):
        drifted(doc, PLATFORM, _OWN, "an array of endpoints with their results")
    try:
        endpoints = [_endpoint(index, row) for index, row in enumerate(rows)]
    except Exception as exc:  # the adapter contract: nothing but ParseError leaves parse()
        detail = one_line(f"{type(exc).__name__}: {exc}", 200)
        raise ParseError(f"unreadable {PLATFORM} document ({detail})") from exc
    stamps = [at for _component, at in endpoints if at is not None]
    return Page(
        status=monitors_status(component.status for component, _at in endpoints),
        updated_at=max(stamps) if stamps else None,
        components=tuple(component for component, _at in endpoints),
    )


def _endpoint(index: int, row: dict[str, object]) -> tuple[Component, datetime | None]:
    """An endpoint as a component, with the time of its latest result."""
    results = list(objs(row.get("results")))
    latest = results[-1] if results else None  # oldest first
    success = latest.get("success") if latest is not None else None
    if success is True:
        status, state = Status.OPERATIONAL, "success"
    elif success is False:
        status, state = Status.MAJOR_OUTAGE, "failure"
    else:
        status, state = Status.UNKNOWN, ""
    name = text(row.get("name")) or ident(row.get("key")) or f"endpoint {index + 1}"
    group = text(row.get("group"))
    component = Component(
        id=ident(row.get("key")) or name,
        name=name,
        status=status,
        raw_status=state,
        group=group or None,
    )
    return component, _when(latest)


def _when(result: dict[str, object] | None) -> datetime | None:
    """A result's timestamp; Go's zero time (year 1) means none was recorded."""
    at = parse_time(result.get("timestamp")) if result is not None else None
    return at if at is not None and at.year > 1 else None
