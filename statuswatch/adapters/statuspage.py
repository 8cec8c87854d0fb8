"""Atlassian Statuspage public v2 API (summary.json and the documents sharing its shapes) -> Page.

The reading is shared with the incident.io adapter, whose pages serve a Statuspage-compatible
summary: `read` takes the platform's name so every error says which platform it expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from urllib.parse import quote

from statuswatch.adapters import ParseError
from statuswatch.adapters.common import items as _list
from statuswatch.adapters.common import obj as _dict
from statuswatch.adapters.common import objs as _dicts
from statuswatch.adapters.statuspage_doc import load_document
from statuswatch.adapters.timeparse import parse_time
from statuswatch.model import (
    Component,
    Impact,
    Incident,
    Maintenance,
    Page,
    Phase,
    Status,
    Update,
)
from statuswatch.text import one_line, plain_text, safe_url

PLATFORM = "Statuspage"
# `parse` reads the body alone (never the headers): the engine keeps its page for a 304.
BODY_ONLY = True
DOCUMENT = "summary.json"

_LAST = 1 << 62  # sort position of a row without a usable `position`: after the rest, in order

_COMPONENT_STATUS: dict[str, Status] = {
    "operational": Status.OPERATIONAL,
    "degraded_performance": Status.DEGRADED,
    "partial_outage": Status.PARTIAL_OUTAGE,
    "major_outage": Status.MAJOR_OUTAGE,
    "full_outage": Status.MAJOR_OUTAGE,  # incident.io's name for major_outage
    "under_maintenance": Status.MAINTENANCE,
}
_INDICATOR: dict[str, Status] = {
    "none": Status.OPERATIONAL,
    "minor": Status.DEGRADED,
    "major": Status.PARTIAL_OUTAGE,
    "critical": Status.MAJOR_OUTAGE,
    "maintenance": Status.MAINTENANCE,
}
_IMPACT: dict[str, Impact] = {impact.value: impact for impact in Impact}
# What an open incident says about the page when the document carries no indicator (incidents.json).
_IMPACT_STATUS: dict[Impact, Status] = {
    Impact.NONE: Status.OPERATIONAL,
    Impact.MINOR: Status.DEGRADED,
    Impact.MAJOR: Status.PARTIAL_OUTAGE,
    Impact.CRITICAL: Status.MAJOR_OUTAGE,
    Impact.MAINTENANCE: Status.MAINTENANCE,
}
_PHASE: dict[str, Phase] = {phase.value: phase for phase in Phase if phase is not Phase.UNKNOWN}
_ONGOING_MAINTENANCE = (Phase.IN_PROGRESS, Phase.VERIFYING)


def source_url(url: str) -> str:
    """Return the summary document of the Statuspage page at `url`.

    Args:
        url: the page's base URL (``https://www.githubstatus.com``, with or without a trailing
            slash, any host or path prefix), its ``/api/v2`` URL, or a URL already naming a
            ``.json`` document, which is returned unchanged.

    Returns:
        The URL to fetch, e.g. ``https://www.githubstatus.com/api/v2/summary.json``.
    """
    base = url.strip().rstrip("/")
    if base.lower().endswith(".json"):
        return url
    if base.lower().endswith("/api/v2"):
        return f"{base}/{DOCUMENT}"
    return f"{base}/api/v2/{DOCUMENT}"


def parse(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read a Statuspage v2 document into a Page.

    Accepts summary.json and the other v2 documents sharing its shapes (status.json,
    components.json, incidents.json, scheduled-maintenances.json): whatever keys are present
    are used. Unknown enum values become ``unknown`` (an unknown impact becomes ``none``, the raw
    value is kept), bad timestamps become None, fields of the wrong type are skipped.

    Args:
        body: the response body, as received.
        headers: the response headers (unused: the body alone decides).

    Returns:
        The page's status, components, incidents and maintenances, all text sanitised and all
        timestamps in UTC.

    Raises:
        FormatChanged: the body is HTML, XML or another platform's document.
        ParseError: the body is empty, not JSON, or has nothing a Statuspage document has.
    """
    return read(body, PLATFORM)


def read(body: bytes, platform: str) -> Page:
    """Parse a Statuspage-shaped `body`, naming `platform` in every error (shared entry point)."""
    try:
        return build_page(load_document(body, platform))
    except ParseError:
        raise
    except Exception as exc:  # the adapter contract: nothing but ParseError leaves parse()
        detail = one_line(f"{type(exc).__name__}: {exc}", 200)
        raise ParseError(f"unreadable {platform} document ({detail})") from exc


def build_page(doc: dict[str, object]) -> Page:
    """Normalise a decoded Statuspage-shaped document."""
    page = _dict(doc.get("page")) or {}
    page_url = _page_url(page.get("url"))
    components = _components(list(_dicts(doc.get("components"))))
    incidents, maintenances = _events(doc, page_url)
    status = _dict(doc.get("status")) or {}
    indicator = _raw(status.get("indicator"))
    return Page(
        status=_page_status(indicator, components, incidents, maintenances),
        description=_text(status.get("description")),
        raw_status=indicator,
        updated_at=parse_time(page.get("updated_at")),
        components=components,
        incidents=incidents,
        maintenances=maintenances,
    )


def _page_status(
    indicator: str,
    components: tuple[Component, ...],
    incidents: tuple[Incident, ...],
    maintenances: tuple[Maintenance, ...],
) -> Status:
    """The page's status: its indicator if it has one, else the worst thing the document shows."""
    maintaining = any(m.phase in _ONGOING_MAINTENANCE for m in maintenances) or any(
        c.status is Status.MAINTENANCE for c in components
    )
    if indicator:
        status = _INDICATOR.get(indicator.lower(), Status.UNKNOWN)
        # Statuspage keeps "none" during maintenance; saying operational would hide it.
        return Status.MAINTENANCE if status is Status.OPERATIONAL and maintaining else status
    seen = [c.status for c in components]
    seen += [_IMPACT_STATUS[i.impact] for i in incidents if not i.phase.is_closed]
    if maintaining:
        seen.append(Status.MAINTENANCE)
    known = [status for status in seen if status is not Status.UNKNOWN]
    if known:
        return max(known, key=lambda status: status.severity)
    return Status.UNKNOWN if seen else Status.OPERATIONAL


def _components(rows: list[dict[str, object]]) -> tuple[Component, ...]:
    """Components in page order, group rows dropped and their name given to their children."""
    ids = [_id(row.get("id")) for row in rows]  # each row's id, read once
    groups: dict[str, str] = {}  # group id -> group name
    member_of: dict[str, str] = {}  # child id -> group id, from a group row's own list
    for row, row_id in zip(rows, ids, strict=True):
        if row.get("group") is True and row_id:
            groups.setdefault(row_id, _text(row.get("name")))
            for child in _list(row.get("components")):
                child_id = _id(child)
                if child_id:
                    member_of.setdefault(child_id, row_id)
    # Positions count within a group (Cloudflare gives Ashburn, in "North America", position 3),
    # so groups take a top-level slot and their children are ordered inside it.
    top: list[tuple[tuple[int, int], str, dict[str, object] | None, str]] = []
    children: dict[str, list[tuple[tuple[int, int], dict[str, object], str]]] = {}
    for index, (row, row_id) in enumerate(zip(rows, ids, strict=True)):
        key = (_position(row.get("position")), index)
        if row.get("group") is True:
            top.append((key, row_id, None, row_id))
            continue
        group_id = _id(row.get("group_id")) or member_of.get(row_id, "")
        if group_id in groups:
            children.setdefault(group_id, []).append((key, row, row_id))
        else:  # no group, or its group row is not in the document (trimmed, or a child listing)
            top.append((key, "", row, row_id))
    out: dict[str, Component] = {}  # by id: one row per component, first wins
    for _key, group_id, top_row, top_id in sorted(top, key=lambda entry: entry[0]):
        members: list[tuple[str | None, dict[str, object], str]]
        if top_row is not None:
            members = [(None, top_row, top_id)]
        else:
            ordered = sorted(children.pop(group_id, []), key=lambda entry: entry[0])
            members = [(groups[group_id] or None, child, cid) for _k, child, cid in ordered]
        for group_name, row, row_id in members:
            component = _component(row, group_name, row_id)
            if component is not None:
                out.setdefault(component.id, component)
    return tuple(out.values())


def _component(row: dict[str, object], group: str | None, row_id: str) -> Component | None:
    """One component row (its id read already), or None if it has no name to show."""
    name = _text(row.get("name"))
    if not name:
        return None
    raw = _raw(row.get("status"))
    return Component(
        id=row_id or name,
        name=name,
        status=_COMPONENT_STATUS.get(raw.lower(), Status.UNKNOWN),
        raw_status=raw,
        group=group,
    )


def _events(
    doc: dict[str, object], page_url: str | None
) -> tuple[tuple[Incident, ...], tuple[Maintenance, ...]]:
    """Incidents and maintenances, each once by id, in document order."""
    incidents: dict[str, Incident] = {}
    maintenances: dict[str, Maintenance] = {}
    # incidents/<id>.json carries one `incident`; the lists carry `incidents`.
    single = _dict(doc.get("incident"))
    for row in [*_dicts(doc.get("incidents")), *([single] if single is not None else [])]:
        # Some documents list maintenances among incidents; they are planned work, not outages.
        planned = _raw(row.get("impact")).lower() == "maintenance"
        if planned and row.get("scheduled_for") is not None:
            maintenance = _maintenance(row, page_url)
            if maintenance is not None:
                maintenances.setdefault(maintenance.id, maintenance)
            continue
        incident = _incident(row, page_url)
        if incident is not None:
            incidents.setdefault(incident.id, incident)
    for row in _dicts(doc.get("scheduled_maintenances")):
        maintenance = _maintenance(row, page_url)
        if maintenance is not None:
            maintenances.setdefault(maintenance.id, maintenance)
    return tuple(incidents.values()), tuple(maintenances.values())


def _incident(row: dict[str, object], page_url: str | None) -> Incident | None:
    """One incident, or None if it has neither an id nor a name."""
    title = _text(row.get("name"))
    ident = _id(row.get("id"))
    if not (ident or title):
        return None
    impact = _raw(row.get("impact"))
    status = _raw(row.get("status"))
    timed = _timed_updates(row.get("incident_updates"))
    return Incident(
        id=ident or title,
        title=title,
        # An impact we do not know is not evidence of harm: rank it lowest, keep it in raw_impact.
        impact=_IMPACT.get(impact.lower(), Impact.NONE),
        phase=_phase(status),
        started_at=_started(row),
        updated_at=parse_time(row.get("updated_at")),
        resolved_at=parse_time(row.get("resolved_at")),
        url=_event_url(row, page_url, ident),
        components=_affected(row, timed),
        updates=tuple(_update(at, update) for at, update in timed),
        raw_status=status,
        raw_impact=impact,
        component_ids=_affected_ids(row, timed),
    )


def _started(row: dict[str, object]) -> datetime | None:
    """When an incident began: the earlier of `started_at` and `created_at`.

    An incident posted after the fact (a back-filled post-incident report) has a back-dated
    `created_at` and a `started_at` of the moment it was posted, after it was resolved.
    """
    known = [
        when
        for when in (parse_time(row.get("started_at")), parse_time(row.get("created_at")))
        if when is not None
    ]
    return min(known) if known else None


def _maintenance(row: dict[str, object], page_url: str | None) -> Maintenance | None:
    """One maintenance, or None if it has neither an id nor a name."""
    title = _text(row.get("name"))
    ident = _id(row.get("id"))
    if not (ident or title):
        return None
    status = _raw(row.get("status"))
    timed = _timed_updates(row.get("incident_updates"))
    return Maintenance(
        id=ident or title,
        title=title,
        phase=_phase(status),
        scheduled_for=parse_time(row.get("scheduled_for")),
        scheduled_until=parse_time(row.get("scheduled_until")),
        url=_event_url(row, page_url, ident),
        components=_affected(row, timed),
        updates=tuple(_update(at, update) for at, update in timed),
        raw_status=status,
        component_ids=_affected_ids(row, timed),
    )


def _timed_updates(value: object) -> list[tuple[datetime, dict[str, object]]]:
    """Update rows with their display time, newest first; rows without any time are dropped."""
    timed: list[tuple[datetime, dict[str, object]]] = []
    for row in _dicts(value):
        # display_at is what the page shows (updates can be back-dated); created_at is the fallback.
        at = (
            parse_time(row.get("display_at"))
            or parse_time(row.get("created_at"))
            or parse_time(row.get("updated_at"))
        )
        if at is not None:
            timed.append((at, row))
    timed.sort(key=lambda entry: entry[0], reverse=True)  # stable: ties keep document order
    return timed


def _update(at: datetime, row: dict[str, object]) -> Update:
    """One update posted on an incident or a maintenance."""
    status = _raw(row.get("status"))
    body = row.get("body")
    return Update(
        at=at,
        phase=_phase(status),
        text=plain_text(body) if isinstance(body, str) else "",
        raw_status=status,
    )


def _affected(
    row: dict[str, object], timed: list[tuple[datetime, dict[str, object]]]
) -> tuple[str, ...]:
    """Names of the components an event touches: its own list, else those its updates name."""
    names = [_text(component.get("name")) for component in _dicts(row.get("components"))]
    if not any(names):
        names = []
        for _at, update in reversed(timed):  # oldest first: the order they were affected in
            for affected in _dicts(update.get("affected_components")):
                # Legacy placeholder rows ("No components were affected...") carry no code.
                if _id(affected.get("code")):
                    names.append(_text(affected.get("name")))
    return tuple(dict.fromkeys(name for name in names if name))


def _affected_ids(
    row: dict[str, object], timed: list[tuple[datetime, dict[str, object]]]
) -> tuple[str, ...]:
    """Ids of the components an event touches, from the same places as their names."""
    ids = [_id(component.get("id")) for component in _dicts(row.get("components"))]
    if not any(ids):
        ids = [
            _id(affected.get("code"))
            for _at, update in reversed(timed)
            for affected in _dicts(update.get("affected_components"))
        ]
    return tuple(dict.fromkeys(ident for ident in ids if ident))


def _event_url(row: dict[str, object], page_url: str | None, ident: str) -> str | None:
    """The event's own link, else its page on the status site."""
    shortlink = safe_url(row.get("shortlink"))
    if shortlink is not None:
        return shortlink
    if page_url is None or not ident:
        return None
    return safe_url(f"{page_url}/incidents/{quote(ident, safe='')}")


def _page_url(value: object) -> str | None:
    """The page's base URL without a trailing slash (incident.io sends one), if it is safe."""
    url = safe_url(value)
    return url.rstrip("/") if url is not None else None


def _phase(raw: str) -> Phase:
    """Phase for a raw status value; unknown values are kept apart, never refused."""
    return _PHASE.get(raw.lower(), Phase.UNKNOWN)


def _position(value: object) -> int:
    """A row's `position`, or a place after every positioned row."""
    return value if isinstance(value, int) and not isinstance(value, bool) else _LAST


def _id(value: object) -> str:
    """An identifier as text; ids are strings, integers are tolerated, anything else is none."""
    if isinstance(value, str):
        return one_line(value, 200)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def _text(value: object) -> str:
    """A name or a title, sanitised; anything but a string is empty."""
    return one_line(value) if isinstance(value, str) else ""


def _raw(value: object) -> str:
    """A raw enum value as sent, sanitised and short; anything but a string is empty."""
    return one_line(value, 64) if isinstance(value, str) else ""
