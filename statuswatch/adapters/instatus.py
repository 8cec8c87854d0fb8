"""Instatus pages -> Page, from two documents: /summary.json and /v2/components.json.

The summary carries the page's state (UP, HASISSUES, UNDERMAINTENANCE) and its active
incidents and maintenances; the components document carries every component with its state
(in capitals: OPERATIONAL, PARTIALOUTAGE, ...). The engine fetches both (`source_urls`) and
hands them to `parse_many`; `parse` reads either one alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

from statuswatch.adapters import ParseError
from statuswatch.adapters.common import (
    IMPACT_STATUS,
    ident,
    load_json,
    obj,
    objs,
    raw,
    text,
    worst,
)
from statuswatch.adapters.sniff import refuse
from statuswatch.adapters.timeparse import parse_time
from statuswatch.model import Component, Impact, Incident, Maintenance, Page, Phase, Status
from statuswatch.text import one_line, safe_url

PLATFORM = "Instatus"
SUMMARY = "/summary.json"
COMPONENTS = "/v2/components.json"
_OWN = frozenset({"instatus", "instatus-components"})

_PAGE: dict[str, Status] = {
    "UP": Status.OPERATIONAL,
    "HASISSUES": Status.DEGRADED,  # refined by what the components and incidents show
    "UNDERMAINTENANCE": Status.MAINTENANCE,
}
_COMPONENT: dict[str, Status] = {
    "OPERATIONAL": Status.OPERATIONAL,
    "DEGRADEDPERFORMANCE": Status.DEGRADED,
    "MINOROUTAGE": Status.DEGRADED,
    "PARTIALOUTAGE": Status.PARTIAL_OUTAGE,
    "MAJOROUTAGE": Status.MAJOR_OUTAGE,
    "UNDERMAINTENANCE": Status.MAINTENANCE,
}
_IMPACT: dict[str, Impact] = {
    "OPERATIONAL": Impact.NONE,
    "DEGRADEDPERFORMANCE": Impact.MINOR,
    "MINOROUTAGE": Impact.MINOR,
    "PARTIALOUTAGE": Impact.MAJOR,
    "MAJOROUTAGE": Impact.CRITICAL,
    "UNDERMAINTENANCE": Impact.MAINTENANCE,
}
_PHASE: dict[str, Phase] = {
    "INVESTIGATING": Phase.INVESTIGATING,
    "IDENTIFIED": Phase.IDENTIFIED,
    "MONITORING": Phase.MONITORING,
    "RESOLVED": Phase.RESOLVED,
    "NOTSTARTEDYET": Phase.SCHEDULED,
    "INPROGRESS": Phase.IN_PROGRESS,
    "COMPLETED": Phase.COMPLETED,
}


def _base(url: str) -> str:
    """The page's base URL, whichever of its documents `url` names."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    for suffix in (SUMMARY, COMPONENTS):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    return urlunsplit((parts.scheme, parts.netloc, path, "", "")).rstrip("/")


def source_url(url: str) -> str:
    """Return the summary document of the Instatus page at `url` (the first of `source_urls`).

    Args:
        url: the page's base URL (``https://status.perplexity.com``) or one of its documents.

    Returns:
        e.g. ``https://status.perplexity.com/summary.json``.
    """
    return _base(url) + SUMMARY


def source_urls(url: str) -> tuple[str, ...]:
    """Return the two documents of the Instatus page at `url`: the summary, then components.

    Args:
        url: the page's base URL, or either of its documents.

    Returns:
        ``(<base>/summary.json, <base>/v2/components.json)``.
    """
    base = _base(url)
    return (base + SUMMARY, base + COMPONENTS)


def parse(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read one Instatus document (the summary or the components) into a Page.

    Args:
        body: the response body.
        headers: the response headers (unused).

    Returns:
        What that one document shows.

    Raises:
        FormatChanged: the body is HTML, XML or another platform's document.
        ParseError: the body is empty, not JSON, or neither Instatus document.
    """
    return parse_many([(body, headers)])


def parse_many(bodies: Sequence[tuple[bytes, Mapping[str, str]]]) -> Page:
    """Read the summary and the components documents (in that order, either may be alone).

    Args:
        bodies: each document's body and headers, in the order of `source_urls`.

    Returns:
        The page's status, components, active incidents and maintenances; timestamps in UTC.

    Raises:
        FormatChanged: a body is HTML, XML or another platform's document.
        ParseError: a body is empty, not JSON, or neither Instatus document.
    """
    summary: dict[str, object] | None = None
    listed: dict[str, object] | None = None
    for body, _headers in bodies:
        doc = load_json(body, PLATFORM)
        page = obj(doc.get("page")) if isinstance(doc, dict) else None
        if isinstance(doc, dict) and page is not None and "status" in page:
            summary = doc
        elif isinstance(doc, dict) and isinstance(doc.get("components"), list):
            refuse(doc, PLATFORM, _OWN)
            listed = doc
        else:
            refuse(doc, PLATFORM, _OWN)
            raise ParseError(f"{PLATFORM} document has neither page.status nor components")
    try:
        return _page(summary or {}, listed or {})
    except Exception as exc:  # the adapter contract: nothing but ParseError leaves parse()
        detail = one_line(f"{type(exc).__name__}: {exc}", 200)
        raise ParseError(f"unreadable {PLATFORM} document ({detail})") from exc


def _page(summary: dict[str, object], listed: dict[str, object]) -> Page:
    page = obj(summary.get("page")) or {}
    page_url = safe_url(page.get("url"))
    components = tuple(
        component
        for component in (_component(row) for row in objs(listed.get("components")))
        if component is not None
    )
    incidents = tuple(_incident(row, page_url) for row in objs(summary.get("activeIncidents")))
    maintenances = tuple(
        _maintenance(row, page_url) for row in objs(summary.get("activeMaintenances"))
    )
    overall = raw(page.get("status"))
    seen = [c.status for c in components]
    seen += [IMPACT_STATUS[i.impact] for i in incidents if not i.phase.is_closed]
    if any(m.phase is Phase.IN_PROGRESS for m in maintenances):
        seen.append(Status.MAINTENANCE)
    declared = _PAGE.get(overall.upper()) if overall else None
    if declared is Status.DEGRADED:
        status = worst(seen, Status.DEGRADED)
        status = Status.DEGRADED if status is Status.OPERATIONAL else status
    elif declared is not None:
        status = declared
    else:
        status = worst(seen, Status.UNKNOWN if overall else Status.OPERATIONAL)
    return Page(
        status=status,
        raw_status=overall,
        components=components,
        incidents=incidents,
        maintenances=maintenances,
    )


def _component(row: dict[str, object]) -> Component | None:
    name = text(row.get("name"))
    if not name:
        return None
    state = raw(row.get("status"))
    group = row.get("group")
    group_row = obj(group)
    group_name = text(group_row.get("name")) if group_row is not None else text(group)
    return Component(
        id=ident(row.get("id")) or name,
        name=name,
        status=_COMPONENT.get(state.upper(), Status.UNKNOWN),
        raw_status=state,
        group=group_name or None,
    )


def _incident(row: dict[str, object], page_url: str | None) -> Incident:
    status = raw(row.get("status"))
    impact = raw(row.get("impact"))
    url = safe_url(row.get("url"))
    return Incident(
        id=ident(row.get("id")) or url or text(row.get("name")),
        title=text(row.get("name")),
        impact=_IMPACT.get(impact.upper(), Impact.NONE),
        phase=_PHASE.get(status.upper(), Phase.UNKNOWN),
        started_at=parse_time(row.get("started")),
        url=url or page_url,
        raw_status=status,
        raw_impact=impact,
    )


def _maintenance(row: dict[str, object], page_url: str | None) -> Maintenance:
    status = raw(row.get("status"))
    url = safe_url(row.get("url"))
    return Maintenance(
        id=ident(row.get("id")) or url or text(row.get("name")),
        title=text(row.get("name")),
        phase=_PHASE.get(status.upper(), Phase.UNKNOWN),
        scheduled_for=parse_time(row.get("start")),
        url=url or page_url,
        raw_status=status,
    )
