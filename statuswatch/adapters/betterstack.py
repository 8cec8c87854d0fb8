"""Better Stack (ex Better Uptime) status pages -> Page, from their JSON:API ``/index.json``.

The document is a `status_page` with `included` rows: sections (groups), resources
(components, each with a `status` and a daily history that is ignored here), status reports
(incidents, or maintenances when their `report_type` is "maintenance") and the status updates
those reports point to. Reports are a history: the page keeps the open ones and those closed in
the last seven days ("now" is the Date header, else the page's own `updated_at`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from statuswatch.adapters import ParseError
from statuswatch.adapters.common import (
    IMPACT_STATUS,
    RECENT,
    ident,
    items,
    load_json,
    obj,
    objs,
    raw,
    reference_time,
    text,
    worst,
    worst_impact,
)
from statuswatch.adapters.sniff import refuse
from statuswatch.adapters.timeparse import parse_time
from statuswatch.model import Component, Impact, Incident, Maintenance, Page, Phase, Status, Update
from statuswatch.text import one_line, plain_text, safe_url

PLATFORM = "Better Stack"
DOCUMENT = "/index.json"
_LAST = 1 << 62

_RESOURCE: dict[str, Status] = {
    "operational": Status.OPERATIONAL,
    "degraded": Status.DEGRADED,
    "downtime": Status.MAJOR_OUTAGE,
    "maintenance": Status.MAINTENANCE,
}
_IMPACT: dict[str, Impact] = {
    "degraded": Impact.MINOR,
    "downtime": Impact.MAJOR,
    "maintenance": Impact.MAINTENANCE,
}


def source_url(url: str) -> str:
    """Return the JSON document of the Better Stack page at `url`.

    Args:
        url: the page's base URL (``https://status.together.ai``), or a URL already naming a
            ``.json`` document, returned unchanged.

    Returns:
        e.g. ``https://status.together.ai/index.json``.
    """
    base = url.strip().rstrip("/")
    return url if base.lower().endswith(".json") else base + DOCUMENT


def parse(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read a Better Stack status page document into a Page.

    Args:
        body: the response body (JSON:API).
        headers: the response headers; the Date header is "now" for the seven-day window.

    Returns:
        The page's status, its resources grouped by section in page order, open reports and
        those closed in the last seven days; every timestamp in UTC.

    Raises:
        FormatChanged: the body is HTML, XML or another platform's document.
        ParseError: the body is empty, not JSON, or not a Better Stack status page.
    """
    doc = load_json(body, PLATFORM)
    data = obj(doc.get("data")) if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or data is None or data.get("type") != "status_page":
        refuse(doc, PLATFORM, frozenset({"betterstack"}))
        raise ParseError(f"{PLATFORM} document has no status_page data")
    try:
        return _page(data, items(doc.get("included")), headers)
    except Exception as exc:  # the adapter contract: nothing but ParseError leaves parse()
        detail = one_line(f"{type(exc).__name__}: {exc}", 200)
        raise ParseError(f"unreadable {PLATFORM} document ({detail})") from exc


def _page(data: dict[str, object], included: list[object], headers: Mapping[str, str]) -> Page:
    attributes = obj(data.get("attributes")) or {}
    rows: dict[str, dict[tuple[str, str], dict[str, object]]] = {}
    for row in objs(included):
        kind = text(row.get("type"), 64)
        rows.setdefault(kind, {})[(kind, ident(row.get("id")))] = row
    updated = parse_time(attributes.get("updated_at"))
    now = reference_time(headers, [updated])
    components = _components(
        rows.get("status_page_section", {}), rows.get("status_page_resource", {})
    )
    updates = rows.get("status_update", {})
    domain = text(attributes.get("custom_domain"), 200)
    page_url = safe_url(f"https://{domain}") if domain else None
    incidents: list[Incident] = []
    maintenances: list[Maintenance] = []
    names = {component.id: component.name for component in components}
    for report in rows.get("status_report", {}).values():
        event = _report(report, updates, now, page_url, names)
        last = _last(event)
        if event.phase.is_closed and now is not None and (last is None or last < now - RECENT):
            continue
        if isinstance(event, Maintenance):
            maintenances.append(event)
        else:
            incidents.append(event)
    incidents.sort(key=lambda i: _last(i) or datetime.min.replace(tzinfo=UTC), reverse=True)
    state = raw(attributes.get("aggregate_state"))
    return Page(
        status=_status(state, components, incidents, maintenances),
        raw_status=state,
        updated_at=updated,
        components=components,
        incidents=tuple(incidents),
        maintenances=tuple(maintenances),
    )


def _status(
    state: str,
    components: tuple[Component, ...],
    incidents: list[Incident],
    maintenances: list[Maintenance],
) -> Status:
    """The page's own aggregate state; "downtime" of some resources is a partial outage."""
    lowered = state.lower()
    if lowered == "downtime":
        down = [c for c in components if c.status is Status.MAJOR_OUTAGE]
        return (
            Status.MAJOR_OUTAGE
            if down and len(down) == len(components)
            else (Status.PARTIAL_OUTAGE)
        )
    if lowered in _RESOURCE:
        return _RESOURCE[lowered]
    seen = [c.status for c in components]
    seen += [IMPACT_STATUS[i.impact] for i in incidents if not i.phase.is_closed]
    seen += [Status.MAINTENANCE for m in maintenances if m.phase is Phase.IN_PROGRESS]
    return worst(seen, Status.UNKNOWN if state else Status.OPERATIONAL)


def _components(
    sections: dict[tuple[str, str], dict[str, object]],
    resources: dict[tuple[str, str], dict[str, object]],
) -> tuple[Component, ...]:
    """Resources in page order: by their section's position, then their own."""
    section_order: dict[str, tuple[int, str]] = {}
    for (_kind, key), row in sections.items():
        attributes = obj(row.get("attributes")) or {}
        section_order[key] = (_position(attributes.get("position")), text(attributes.get("name")))
    ordered: list[tuple[tuple[int, int, int], Component]] = []
    for index, ((_kind, key), row) in enumerate(resources.items()):
        attributes = obj(row.get("attributes")) or {}
        name = text(attributes.get("public_name")) or text(attributes.get("name"))
        if not name:
            continue
        section = section_order.get(ident(attributes.get("status_page_section_id")))
        state = raw(attributes.get("status"))
        component = Component(
            id=key or name,
            name=name,
            status=_RESOURCE.get(state.lower(), Status.UNKNOWN),
            raw_status=state,
            group=(section[1] or None) if section else None,
        )
        place = (section[0] if section else _LAST, _position(attributes.get("position")), index)
        ordered.append((place, component))
    ordered.sort(key=lambda pair: pair[0])
    return tuple(component for _place, component in ordered)


def _report(
    row: dict[str, object],
    updates: dict[tuple[str, str], dict[str, object]],
    now: datetime | None,
    page_url: str | None,
    names: Mapping[str, str],
) -> Incident | Maintenance:
    attributes = obj(row.get("attributes")) or {}
    state = raw(attributes.get("aggregate_state"))
    starts = parse_time(attributes.get("starts_at"))
    ends = parse_time(attributes.get("ends_at"))
    over = state.lower() == "resolved" or (ends is not None and now is not None and ends <= now)
    planned = raw(attributes.get("report_type")).lower() == "maintenance"
    if planned:
        if over:
            phase = Phase.COMPLETED
        elif starts is not None and now is not None and starts > now:
            phase = Phase.SCHEDULED
        else:
            phase = Phase.IN_PROGRESS
        first = Phase.SCHEDULED
    else:
        phase = Phase.RESOLVED if over else Phase.INVESTIGATING
        first = Phase.INVESTIGATING
    timeline = _updates(row, updates, phase, first)
    ident_value = ident(row.get("id")) or text(attributes.get("title"))
    affected = [raw(a.get("status")).lower() for a in objs(attributes.get("affected_resources"))]
    # The resources a report names, by their public names (what scoping matches on).
    touched = tuple(
        dict.fromkeys(
            names[key]
            for a in objs(attributes.get("affected_resources"))
            if (key := ident(a.get("status_page_resource_id"))) in names
        )
    )
    if planned:
        return Maintenance(
            id=ident_value,
            title=text(attributes.get("title")),
            phase=phase,
            scheduled_for=starts,
            scheduled_until=ends,
            url=page_url,
            components=touched,
            updates=timeline,
            raw_status=state,
        )
    impact = worst_impact(
        (_IMPACT[s] for s in [state.lower(), *affected] if s in _IMPACT), Impact.MINOR
    )
    return Incident(
        id=ident_value,
        title=text(attributes.get("title")),
        impact=impact,
        phase=phase,
        started_at=starts or (timeline[-1].at if timeline else None),
        updated_at=timeline[0].at if timeline else starts,
        resolved_at=(ends or (timeline[0].at if timeline else None)) if over else None,
        url=page_url,
        components=touched,
        updates=timeline,
        raw_status=state,
        raw_impact=state,
    )


def _updates(
    row: dict[str, object],
    updates: dict[tuple[str, str], dict[str, object]],
    phase: Phase,
    first: Phase,
) -> tuple[Update, ...]:
    """The report's status updates, newest first: the newest at the report's phase."""
    relationships = obj(row.get("relationships")) or {}
    linked = obj(relationships.get("status_updates")) or {}
    timed: list[tuple[datetime, str]] = []
    for ref in objs(linked.get("data")):
        found = updates.get(("status_update", ident(ref.get("id"))))
        attributes = obj(found.get("attributes")) if found else None
        if attributes is None:
            continue
        at = parse_time(attributes.get("published_at"))
        message = attributes.get("message")
        if at is not None:
            timed.append((at, plain_text(message) if isinstance(message, str) else ""))
    timed.sort(key=lambda pair: pair[0], reverse=True)
    return tuple(
        Update(at=at, phase=phase if index == 0 else first, text=body)
        for index, (at, body) in enumerate(timed)
    )


def _last(event: Incident | Maintenance) -> datetime | None:
    """When an event last changed: its newest update, else its end or start."""
    if event.updates:
        return event.updates[0].at
    if isinstance(event, Maintenance):
        return event.scheduled_until or event.scheduled_for
    return event.resolved_at or event.started_at


def _position(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else _LAST
