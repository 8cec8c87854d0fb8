"""Statuspal pages -> Page, from ``https://statuspal.io/api/v1/status_pages/<subdomain>/status``.

The document: ``{status_page: {name, url, subdomain, time_zone, current_incident_type},
services: [{id, name, current_incident_type, children: [...] | null}], incidents: [...],
maintenances: [...]}``. `current_incident_type` is null (operational), ``minor``, ``major`` or
``scheduled`` (maintenance under way). `incidents` lists what is happening now, maintenances in
progress included (type ``scheduled``); `maintenances` lists those still to come. Times are UTC
without a zone (Statuspal's API documentation says so).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from urllib.parse import urlsplit

from statuswatch.adapters import ParseError
from statuswatch.adapters.common import (
    IMPACT_STATUS,
    drifted,
    ident,
    items,
    load_json,
    monitors_status,
    obj,
    objs,
    raw,
    text,
    worst,
)
from statuswatch.adapters.timeparse import parse_naive_utc
from statuswatch.model import Component, Impact, Incident, Maintenance, Page, Phase, Status, Update
from statuswatch.text import one_line, plain_text, safe_url

PLATFORM = "Statuspal"
# `parse` reads the body alone (never the headers): the engine keeps its page for a 304.
BODY_ONLY = True
API = "https://statuspal.io/api/v1/status_pages/{}/status"  # statuspal.eu for EU pages
_OWN = frozenset({"statuspal"})
_API_PATH = re.compile(r"/api/v\d+/status_pages/([A-Za-z0-9_-]+)")
_SUBDOMAIN = re.compile(r"^([a-z0-9-]+)\.statuspal\.(?:io|eu)$")

_TYPE_STATUS: dict[str, Status] = {
    "minor": Status.DEGRADED,
    "major": Status.MAJOR_OUTAGE,
    "scheduled": Status.MAINTENANCE,
}
_TYPE_IMPACT: dict[str, Impact] = {
    "minor": Impact.MINOR,
    "major": Impact.MAJOR,
    "scheduled": Impact.MAINTENANCE,
}


def subdomain(url: str) -> str | None:
    """The Statuspal subdomain a URL names (the API path, or ``<sub>.statuspal.io``)."""
    parts = urlsplit(url.strip())
    match = _API_PATH.search(parts.path)
    if match is not None:
        return match.group(1)
    host = _SUBDOMAIN.match((parts.hostname or "").lower())
    return host.group(1) if host is not None else None


def source_url(url: str) -> str:
    """Return the status document of the Statuspal page at `url`.

    Args:
        url: the API document itself (``https://statuspal.io/api/v1/status_pages/<sub>/status``,
            also on statuspal.eu: returned unchanged), or ``https://<sub>.statuspal.io``.
            A page on its own domain does not name its subdomain: `statuswatch add` finds it.

    Returns:
        The URL to fetch.
    """
    stripped = url.strip()
    if _API_PATH.search(urlsplit(stripped).path):
        return stripped
    found = subdomain(stripped)
    if found is None:
        return stripped
    host = (urlsplit(stripped).hostname or "").lower()
    return (
        API.format(found).replace("statuspal.io", "statuspal.eu")
        if host.endswith(".eu")
        else API.format(found)
    )


def parse(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read a Statuspal status document into a Page.

    Args:
        body: the response body (JSON).
        headers: the response headers (unused).

    Returns:
        The services as components (children grouped under their parent), the incidents and
        maintenances under way or to come, and the page's status.

    Raises:
        FormatChanged: the body is HTML, XML, another platform's document or JSON of
            another shape.
        ParseError: the body is empty or not JSON.
    """
    doc = load_json(body, PLATFORM)
    found = obj(doc)
    if found is None or not isinstance(found.get("services"), list):
        drifted(doc, PLATFORM, _OWN, "a services array")
    try:
        return _page(found)
    except Exception as exc:  # the adapter contract: nothing but ParseError leaves parse()
        detail = one_line(f"{type(exc).__name__}: {exc}", 200)
        raise ParseError(f"unreadable {PLATFORM} document ({detail})") from exc


def _page(doc: dict[str, object]) -> Page:
    components = tuple(_services(doc.get("services"), None))
    names = {c.id: c.name for c in components}
    page = obj(doc.get("status_page")) or {}
    incidents: list[Incident] = []
    maintenances: list[Maintenance] = []
    for row in objs(doc.get("incidents")):
        if raw(row.get("type")).lower() == "scheduled":
            maintenances.append(_maintenance(row, names, Phase.IN_PROGRESS))
        else:
            incidents.append(_incident(row, names))
    maintenances += [
        _maintenance(row, names, Phase.SCHEDULED) for row in objs(doc.get("maintenances"))
    ]
    declared = raw(page.get("current_incident_type"))
    seen = [_TYPE_STATUS.get(declared.lower(), Status.UNKNOWN) if declared else Status.OPERATIONAL]
    # A major incident is an outage of the services it names, not of the whole page.
    seen = [Status.PARTIAL_OUTAGE if s is Status.MAJOR_OUTAGE else s for s in seen]
    leaves = [c.status for c in components if c.id not in _parents(doc.get("services"))]
    seen.append(monitors_status(leaves))
    seen += [IMPACT_STATUS[i.impact] for i in incidents if not i.phase.is_closed]
    if any(m.phase is Phase.IN_PROGRESS for m in maintenances):
        seen.append(Status.MAINTENANCE)
    return Page(
        status=worst(seen, Status.UNKNOWN),
        raw_status=declared,
        components=components,
        incidents=tuple(incidents),
        maintenances=tuple(maintenances),
    )


def _services(value: object, group: str | None, depth: int = 0) -> Iterator[Component]:
    """Every service, depth first; a child is grouped under its parent's name."""
    for row in objs(value):
        name = text(row.get("name"))
        kind = raw(row.get("current_incident_type"))
        status = _TYPE_STATUS.get(kind.lower(), Status.UNKNOWN) if kind else Status.OPERATIONAL
        yield Component(
            id=ident(row.get("id")) or name,
            name=name,
            status=status,
            raw_status=kind,
            group=group,
        )
        if depth < 8:  # services nest one level deep; a deeper tree is cut, not followed
            yield from _services(row.get("children"), name or group, depth + 1)


def _parents(value: object) -> set[str]:
    """Ids of the services that have children (rolled up from them, not counted again)."""
    found: set[str] = set()
    stack = [(row, 0) for row in objs(value)]
    while stack:
        row, depth = stack.pop()
        children = list(objs(row.get("children")))
        if children and depth < 8:
            found.add(ident(row.get("id")) or text(row.get("name")))
            stack += [(child, depth + 1) for child in children]
    return found


def _affected(row: dict[str, object], names: dict[str, str]) -> tuple[str, ...]:
    """Names of the services an event touches: `services` rows, else `service_ids`."""
    found = [
        text(s.get("name")) or names.get(ident(s.get("id")), "") for s in objs(row.get("services"))
    ]
    found += [names.get(ident(value), "") for value in items(row.get("service_ids"))]
    return tuple(dict.fromkeys(name for name in found if name))


def _updates(row: dict[str, object], default: Phase) -> tuple[Update, ...]:
    """An event's updates, newest first; its description when it has none."""
    updates: list[Update] = []
    for update in objs(row.get("updates")):
        at = parse_naive_utc(update.get("posted_at")) or parse_naive_utc(update.get("inserted_at"))
        kind = raw(update.get("type"))
        body = update.get("description")
        if at is not None:
            phase = Phase.RESOLVED if kind.lower() == "resolved" else default
            updates.append(
                Update(at, phase, plain_text(body) if isinstance(body, str) else "", kind)
            )
    description = row.get("description")
    start = parse_naive_utc(row.get("starts_at"))
    if not updates and start is not None and isinstance(description, str) and description.strip():
        updates.append(Update(start, default, plain_text(description)))
    updates.sort(key=lambda u: u.at, reverse=True)
    return tuple(updates)


def _incident(row: dict[str, object], names: dict[str, str]) -> Incident:
    kind = raw(row.get("type"))
    start = parse_naive_utc(row.get("starts_at"))
    end = parse_naive_utc(row.get("ends_at"))
    phase = Phase.RESOLVED if end is not None else Phase.INVESTIGATING
    updates = _updates(row, phase)
    title = text(row.get("title"))
    return Incident(
        id=ident(row.get("id")) or title,
        title=title,
        impact=_TYPE_IMPACT.get(kind.lower(), Impact.MINOR),
        phase=phase,
        started_at=start,
        updated_at=updates[0].at if updates else start,
        resolved_at=end,
        url=safe_url(row.get("url")),
        components=_affected(row, names),
        updates=updates,
        raw_status="resolved" if end is not None else "ongoing",
        raw_impact=kind,
    )


def _maintenance(row: dict[str, object], names: dict[str, str], phase: Phase) -> Maintenance:
    title = text(row.get("title"))
    return Maintenance(
        id=ident(row.get("id")) or title,
        title=title,
        phase=phase,
        scheduled_for=parse_naive_utc(row.get("starts_at")),
        scheduled_until=parse_naive_utc(row.get("ends_at")),
        url=safe_url(row.get("url")),
        components=_affected(row, names),
        updates=_updates(row, phase),
        raw_status=raw(row.get("type")),
    )
