"""Cachet 2.x status pages -> Page, from two documents of its API.

* ``<base>/api/v1/components``: ``{meta: {pagination}, data: [{id, name, status (0 unknown,
  1 operational, 2 performance issues, 3 partial outage, 4 major outage), status_name,
  group_id, enabled, ...}]}``;
* ``<base>/api/v1/incidents`` (newest first): ``{meta, data: [{id, component_id, name,
  status (0 scheduled, 1 investigating, 2 identified, 3 watching, 4 fixed), message,
  scheduled_at, created_at, updated_at, updates?}]}``; the list is a history, so it keeps the
  open incidents and those fixed in the last week.

Cachet writes times in the zone its server is configured with, without naming it; UTC, its
default, is assumed. Incidents are not rated: the affected component's state rates them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from statuswatch.adapters import ParseError
from statuswatch.adapters.common import (
    IMPACT_STATUS,
    RECENT,
    drifted,
    ident,
    load_json,
    monitors_status,
    obj,
    objs,
    reference_time,
    text,
    worst,
)
from statuswatch.adapters.timeparse import parse_naive_utc
from statuswatch.model import Component, Impact, Incident, Maintenance, Page, Phase, Status, Update
from statuswatch.text import one_line, plain_text

PLATFORM = "Cachet"
COMPONENTS = "/api/v1/components"
INCIDENTS = "/api/v1/incidents"
_OWN = frozenset({"cachet"})

_COMPONENT: dict[int, tuple[Status, Impact]] = {
    1: (Status.OPERATIONAL, Impact.NONE),
    2: (Status.DEGRADED, Impact.MINOR),
    3: (Status.PARTIAL_OUTAGE, Impact.MAJOR),
    4: (Status.MAJOR_OUTAGE, Impact.CRITICAL),
}
_INCIDENT: dict[int, Phase] = {
    0: Phase.SCHEDULED,
    1: Phase.INVESTIGATING,
    2: Phase.IDENTIFIED,
    3: Phase.MONITORING,  # "Watching"
    4: Phase.RESOLVED,  # "Fixed"
}


def _base(url: str) -> str:
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    if "/api/v1" in path:
        path = path[: path.index("/api/v1")]
    return urlunsplit((parts.scheme, parts.netloc, path, "", "")).rstrip("/")


def source_urls(url: str) -> tuple[str, ...]:
    """Return the components and the incidents documents of the Cachet page at `url`.

    Args:
        url: the page's base URL (``https://status.example.com``) or one of its API URLs.

    Returns:
        The components (up to 100) and the 50 newest incidents.
    """
    base = _base(url)
    return (
        f"{base}{COMPONENTS}?per_page=100",
        f"{base}{INCIDENTS}?sort=id&order=desc&per_page=50",
    )


def source_url(url: str) -> str:
    """Return the components document (the first of `source_urls`)."""
    return source_urls(url)[0]


def parse(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read one Cachet document (components or incidents) into a Page.

    Args:
        body: the response body.
        headers: the response headers; the Date header is "now" for keeping fixed incidents.

    Returns:
        What that one document shows.

    Raises:
        FormatChanged: the body is HTML, XML, another platform's document or JSON of
            another shape.
        ParseError: the body is empty or not JSON.
    """
    return parse_many([(body, headers)])


def parse_many(bodies: Sequence[tuple[bytes, Mapping[str, str]]]) -> Page:
    """Read the components and the incidents documents (in that order) into one Page.

    Args:
        bodies: each document's body and headers, in the order of `source_urls`.

    Returns:
        The enabled components, the open incidents and those fixed in the last week (newest
        first), scheduled maintenances not yet a week past, and the page's status.

    Raises:
        FormatChanged: a body is HTML, XML, another platform's document or JSON of another
            shape.
        ParseError: a body is empty or not JSON.
    """
    components: list[dict[str, object]] = []
    incidents: list[dict[str, object]] = []
    headers: Mapping[str, str] = {}
    for body, these in bodies:
        doc = load_json(body, PLATFORM)
        found = obj(doc)
        rows = found.get("data") if found is not None else None
        if found is None or not isinstance(rows, list):
            drifted(doc, PLATFORM, _OWN, "a data array")
        listed = list(objs(rows))
        if any("component_id" in row or "human_status" in row for row in listed):
            incidents += listed
            headers = these
        else:
            components += listed
    try:
        return _page(components, incidents, headers)
    except Exception as exc:  # the adapter contract: nothing but ParseError leaves parse()
        detail = one_line(f"{type(exc).__name__}: {exc}", 200)
        raise ParseError(f"unreadable {PLATFORM} document ({detail})") from exc


def _page(
    rows: list[dict[str, object]], events: list[dict[str, object]], headers: Mapping[str, str]
) -> Page:
    components = [_component(row) for row in rows if row.get("enabled") is not False]
    by_id = {c.id: c for c in components}
    stamps = [parse_naive_utc(row.get("updated_at")) for row in events]
    now = reference_time(headers, stamps)
    incidents: list[Incident] = []
    maintenances: list[Maintenance] = []
    for row in events:
        if row.get("visible") in (0, False):
            continue
        phase = _phase(row)
        if phase is Phase.SCHEDULED:
            maintenance = _maintenance(row)
            if _recent(maintenance.scheduled_for, now, upcoming=True):
                maintenances.append(maintenance)
            continue
        incident = _incident(row, phase, by_id)
        if not phase.is_closed or _recent(incident.updated_at, now):
            incidents.append(incident)
    incidents.sort(key=lambda i: i.updated_at or datetime.min.replace(tzinfo=UTC), reverse=True)
    status = monitors_status(c.status for c in components)
    open_ones = [IMPACT_STATUS[i.impact] for i in incidents if not i.phase.is_closed]
    if open_ones:
        status = worst([status, *open_ones])
    changed = [parse_naive_utc(row.get("updated_at")) for row in rows] + stamps
    known = [when for when in changed if when is not None]
    return Page(
        status=status,
        updated_at=max(known) if known else None,
        components=tuple(components),
        incidents=tuple(incidents),
        maintenances=tuple(maintenances),
    )


def _recent(when: datetime | None, now: datetime | None, upcoming: bool = False) -> bool:
    """Whether an event belongs on the page now: a week at most after `when`."""
    if now is None:
        return True
    if when is None:
        return upcoming
    return when >= now - RECENT


def _code(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _raw_code(value: object) -> str:
    code = _code(value)
    return "" if code is None else str(code)


def _component(row: dict[str, object]) -> Component:
    code = _code(row.get("status"))
    status = _COMPONENT.get(code, (Status.UNKNOWN, Impact.NONE))[0] if code is not None else None
    name = text(row.get("name"))
    key = ident(row.get("id"))
    return Component(
        id=key or name,
        name=name or f"component {key}",
        status=status or Status.UNKNOWN,
        raw_status=text(row.get("status_name")) or _raw_code(code),
    )


def _phase(row: dict[str, object]) -> Phase:
    code = _code(row.get("status"))
    return _INCIDENT.get(code, Phase.UNKNOWN) if code is not None else Phase.UNKNOWN


def _updates(row: dict[str, object], phase: Phase, at: datetime | None) -> tuple[Update, ...]:
    """The incident's updates newest first (Cachet 2.4 lists them), else its message."""
    updates: list[Update] = []
    for update in objs(row.get("updates")):
        when = parse_naive_utc(update.get("created_at"))
        code = _code(update.get("status"))
        message = update.get("message")
        if when is not None:
            updates.append(
                Update(
                    when,
                    _INCIDENT.get(code, Phase.UNKNOWN) if code is not None else Phase.UNKNOWN,
                    plain_text(message) if isinstance(message, str) else "",
                    text(update.get("human_status")),
                )
            )
    message = row.get("message")
    if at is not None and isinstance(message, str) and message.strip():
        updates.append(Update(at, phase, plain_text(message), text(row.get("human_status"))))
    updates.sort(key=lambda u: u.at, reverse=True)
    return tuple(updates)


def _incident(row: dict[str, object], phase: Phase, components: dict[str, Component]) -> Incident:
    started = parse_naive_utc(row.get("occurred_at")) or parse_naive_utc(row.get("created_at"))
    updated = parse_naive_utc(row.get("updated_at")) or started
    affected = components.get(ident(row.get("component_id")))
    impact = Impact.MINOR
    if affected is not None and affected.status is not Status.OPERATIONAL:
        rated = [i for s, i in _COMPONENT.values() if s is affected.status]
        impact = rated[0] if rated else Impact.MINOR
    title = text(row.get("name"))
    return Incident(
        id=ident(row.get("id")) or title,
        title=title,
        impact=impact,
        phase=phase,
        started_at=started,
        updated_at=updated,
        resolved_at=updated if phase.is_closed else None,
        url=None,
        components=(affected.name,) if affected is not None else (),
        updates=_updates(row, phase, started),
        raw_status=text(row.get("human_status")) or _raw_code(row.get("status")),
    )


def _maintenance(row: dict[str, object]) -> Maintenance:
    title = text(row.get("name"))
    start = parse_naive_utc(row.get("scheduled_at"))
    return Maintenance(
        id=ident(row.get("id")) or title,
        title=title,
        phase=Phase.SCHEDULED,
        scheduled_for=start,
        updates=_updates(row, Phase.SCHEDULED, start),
        raw_status=text(row.get("human_status")) or "0",
    )
