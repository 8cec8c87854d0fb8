"""Google Cloud's status page (https://status.cloud.google.com/incidents.json) -> Page.

The document is every incident Google has published (1-2 MB, newest first) and is fetched
on every poll, so incidents are filtered on their raw `end` before any is normalised: the
page keeps the open ones (no `end`) and those that ended in the last seven days. "Now" is the
response's Date header, else the newest `modified` in the document: parsing reads no clock.

An incident's impact is Google's own rating (`status_impact`, else `severity`); its
components are the affected products, then the affected locations. Google Cloud is hundreds
of products in dozens of regions: one incident, however bad, marks the whole page as a
partial outage at worst, never a major one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from statuswatch.adapters import ParseError
from statuswatch.adapters.common import (
    RECENT,
    load_json,
    objs,
    raw,
    reference_time,
    text,
    worst,
)
from statuswatch.adapters.sniff import refuse
from statuswatch.adapters.timeparse import parse_time
from statuswatch.model import Component, Impact, Incident, Page, Phase, Status, Update
from statuswatch.text import one_line, plain_text, safe_url

PLATFORM = "Google Cloud"
DOCUMENT = "incidents.json"
SITE = "https://status.cloud.google.com/"

_STATUS_IMPACT: dict[str, Impact] = {
    "SERVICE_INFORMATION": Impact.MINOR,
    "SERVICE_DISRUPTION": Impact.MAJOR,
    "SERVICE_OUTAGE": Impact.CRITICAL,
}
_SEVERITY: dict[str, Impact] = {
    "low": Impact.MINOR,
    "medium": Impact.MAJOR,
    "high": Impact.CRITICAL,
}
# The page as a whole: a product's outage is part of Google Cloud, not all of it.
_PAGE_STATUS: dict[Impact, Status] = {
    Impact.NONE: Status.OPERATIONAL,
    Impact.MINOR: Status.DEGRADED,
    Impact.MAJOR: Status.DEGRADED,
    Impact.CRITICAL: Status.PARTIAL_OUTAGE,
}
# A product or a location named by an open incident.
_COMPONENT_STATUS: dict[Impact, Status] = {
    Impact.NONE: Status.OPERATIONAL,
    Impact.MINOR: Status.DEGRADED,
    Impact.MAJOR: Status.PARTIAL_OUTAGE,
    Impact.CRITICAL: Status.MAJOR_OUTAGE,
}


def source_url(url: str) -> str:
    """Return the incidents document of the Google Cloud status page at `url`.

    Args:
        url: ``https://status.cloud.google.com`` (any base URL), or a URL already naming a
            ``.json`` document, returned unchanged.

    Returns:
        The URL to fetch, e.g. ``https://status.cloud.google.com/incidents.json``.
    """
    base = url.strip().rstrip("/")
    return url if base.lower().endswith(".json") else f"{base}/{DOCUMENT}"


def parse(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read Google Cloud's incidents.json into a Page.

    Args:
        body: the response body (UTF-8 or UTF-16 JSON).
        headers: the response headers; the Date header is "now" for the seven-day window.

    Returns:
        Open incidents and those ended in the last seven days, newest first; components are
        the products and locations open incidents affect; every timestamp in UTC.

    Raises:
        FormatChanged: the body is HTML, XML or another platform's document.
        ParseError: the body is empty, not JSON, or not an array of incidents.
    """
    doc = load_json(body, PLATFORM)
    if not isinstance(doc, list):
        refuse(doc, PLATFORM, frozenset({"gcp"}))
        raise ParseError(f"{PLATFORM} {DOCUMENT} is not a JSON array of incidents")
    try:
        return _page(doc, headers)
    except ParseError:
        raise
    except Exception as exc:  # the adapter contract: nothing but ParseError leaves parse()
        detail = one_line(f"{type(exc).__name__}: {exc}", 200)
        raise ParseError(f"unreadable {PLATFORM} document ({detail})") from exc


def _page(doc: list[object], headers: Mapping[str, str], *, keep_all: bool = False) -> Page:
    rows = [row for row in objs(doc) if "id" in row or "external_desc" in row]
    if doc and not rows:
        refuse(doc, PLATFORM, frozenset({"gcp"}))
        raise ParseError(f"{PLATFORM} {DOCUMENT} holds no incident objects")
    # Only timestamps are read for all of them: the cheap part, done once per poll.
    modified = [parse_time(row.get("modified")) for row in rows]
    now = reference_time(headers, modified)
    kept: list[dict[str, object]] = []
    for row in rows:
        end = row.get("end")
        if keep_all or end is None or end == "":
            kept.append(row)
            continue
        ended = parse_time(end)
        if now is None or ended is None or ended >= now - RECENT:
            kept.append(row)
    incidents = [_incident(row) for row in kept]
    incidents.sort(key=_newest, reverse=True)
    open_incidents = [i for i in incidents if not i.phase.is_closed]
    return Page(
        status=worst(_PAGE_STATUS[i.impact] for i in open_incidents),
        updated_at=max((m for m in modified if m is not None), default=None),
        components=_components(kept, open_incidents),
        incidents=tuple(incidents),
    )


def _incident(row: dict[str, object]) -> Incident:
    """One Google Cloud incident."""
    ident = text(row.get("id"), 200) or text(row.get("number"), 200)
    status_impact = raw(row.get("status_impact"))
    severity = raw(row.get("severity"))
    impact = _STATUS_IMPACT.get(status_impact.upper()) or _SEVERITY.get(
        severity.lower(), Impact.MINOR
    )
    ended = parse_time(row.get("end"))
    closed = ended is not None
    updates = _updates(row.get("updates"), closed)
    uri = text(row.get("uri"), 300)
    return Incident(
        id=ident,
        title=text(row.get("external_desc")) or text(row.get("service_name")),
        impact=impact,
        phase=Phase.RESOLVED if closed else Phase.INVESTIGATING,
        started_at=parse_time(row.get("begin")) or parse_time(row.get("created")),
        updated_at=parse_time(row.get("modified")),
        resolved_at=ended,
        url=safe_url(SITE + uri) if uri else None,
        components=_products(row) + _locations(row, closed),
        updates=updates,
        raw_status=status_impact,
        raw_impact=severity,
    )


def _updates(value: object, closed: bool) -> tuple[Update, ...]:
    """The updates newest first; Google marks the last one of a closed incident AVAILABLE."""
    timed: list[Update] = []
    for row in objs(value):
        at = parse_time(row.get("when")) or parse_time(row.get("created"))
        if at is None:
            continue
        status = raw(row.get("status"))
        phase = Phase.RESOLVED if status.upper() == "AVAILABLE" else Phase.INVESTIGATING
        body = row.get("text")
        timed.append(Update(at, phase, plain_text(body) if isinstance(body, str) else "", status))
    timed.sort(key=lambda update: update.at, reverse=True)
    if closed and timed and timed[0].phase is not Phase.RESOLVED:
        newest = timed[0]
        timed[0] = Update(newest.at, Phase.RESOLVED, newest.text, newest.raw_status)
    return tuple(timed)


def _products(row: dict[str, object]) -> tuple[str, ...]:
    """Affected product names (Google's current title when it renamed one)."""
    names = [
        text(product.get("current_title")) or text(product.get("title"))
        for product in objs(row.get("affected_products"))
    ]
    if not any(names):
        names = [text(row.get("service_name"))]
    return tuple(dict.fromkeys(name for name in names if name))


def _locations(row: dict[str, object], closed: bool) -> tuple[str, ...]:
    """Locations affected now (open) or before (closed), by their titles."""
    key = "previously_affected_locations" if closed else "currently_affected_locations"
    names = [text(location.get("title")) for location in objs(row.get(key))]
    return tuple(dict.fromkeys(name for name in names if name))


def _components(
    rows: list[dict[str, object]], open_incidents: list[Incident]
) -> tuple[Component, ...]:
    """Products and locations of open incidents, each at the worst impact touching it."""
    by_id = {i.id: i for i in open_incidents}
    found: dict[tuple[str, str], tuple[str, Status]] = {}  # (group, name) -> (id, status)
    for row in rows:
        incident = by_id.get(text(row.get("id"), 200) or text(row.get("number"), 200))
        if incident is None:
            continue
        status = _COMPONENT_STATUS[incident.impact]
        entries = [
            ("Products", product.get("id"), product.get("current_title") or product.get("title"))
            for product in objs(row.get("affected_products"))
        ] + [
            ("Locations", location.get("id"), location.get("title"))
            for location in objs(row.get("currently_affected_locations"))
        ]
        for group, ident_value, name_value in entries:
            name = text(name_value)
            if not name:
                continue
            known = found.get((group, name))
            current = known[1] if known else Status.OPERATIONAL
            found[(group, name)] = (
                text(ident_value, 200) or name,
                worst([current, status]),
            )
    return tuple(
        Component(id=ident, name=name, status=status, raw_status="", group=group)
        for (group, name), (ident, status) in found.items()
    )


def _newest(incident: Incident) -> datetime:
    return incident.updated_at or incident.started_at or datetime.min.replace(tzinfo=UTC)


# --- history (backfill) -----------------------------------------------------------------------


def history_url(url: str) -> str:
    """Return the page's history: incidents.json is every incident Google has published.

    Args:
        url: ``https://status.cloud.google.com`` (any base URL), or a ``.json`` URL.

    Returns:
        The URL of the history document (the one polled).
    """
    return source_url(url)


def parse_history(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read incidents.json whole: every incident, however long ago it ended.

    Args:
        body: the response body (UTF-8 or UTF-16 JSON).
        headers: the response headers (unused beyond what `parse` reads).

    Returns:
        Every incident of the document, newest first, every timestamp in UTC.

    Raises:
        FormatChanged: the body is HTML, XML or another platform's document.
        ParseError: the body is empty, not JSON, or not an array of incidents.
    """
    doc = load_json(body, PLATFORM)
    if not isinstance(doc, list):
        refuse(doc, PLATFORM, frozenset({"gcp"}))
        raise ParseError(f"{PLATFORM} {DOCUMENT} is not a JSON array of incidents")
    try:
        return _page(doc, headers, keep_all=True)
    except ParseError:
        raise
    except Exception as exc:  # the adapter contract: nothing but ParseError leaves here
        detail = one_line(f"{type(exc).__name__}: {exc}", 200)
        raise ParseError(f"unreadable {PLATFORM} document ({detail})") from exc
