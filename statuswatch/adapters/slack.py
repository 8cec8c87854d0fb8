"""Slack's status API (https://slack-status.com/api/v2.0.0/current) -> Page.

The document holds the page's `status` ("ok" or "active") and its active incidents. Incident
ids are strings in Slack's docs and integers in real captures; `type` rates them (outage,
incident, notice); the notes are the updates; the services are the components. Items whose
status is "scheduled", "completed" or "cancelled" are planned work, read as maintenances.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from statuswatch.adapters import ParseError
from statuswatch.adapters.common import (
    IMPACT_STATUS,
    ident,
    items,
    load_json,
    objs,
    raw,
    text,
    worst,
)
from statuswatch.adapters.sniff import refuse
from statuswatch.adapters.timeparse import parse_time
from statuswatch.model import Component, Impact, Incident, Maintenance, Page, Phase, Status, Update
from statuswatch.text import one_line, plain_text, safe_url

PLATFORM = "Slack"
# `parse` reads the body alone (never the headers): the engine keeps its page for a 304.
BODY_ONLY = True
DOCUMENT = "/api/v2.0.0/current"

_TYPE_IMPACT: dict[str, Impact] = {
    "notice": Impact.NONE,
    "incident": Impact.MINOR,
    "outage": Impact.MAJOR,
}
_PHASE: dict[str, Phase] = {
    "active": Phase.INVESTIGATING,
    "resolved": Phase.RESOLVED,
    "scheduled": Phase.SCHEDULED,
    "completed": Phase.COMPLETED,
    "cancelled": Phase.COMPLETED,
}
_PLANNED = ("scheduled", "completed", "cancelled")


def source_url(url: str) -> str:
    """Return Slack's current-status document for `url`.

    Args:
        url: ``https://slack-status.com`` (any base URL), or a URL already naming an API
            document (``.../api/v2.0.0/current``), returned unchanged.

    Returns:
        The URL to fetch.
    """
    base = url.strip().rstrip("/")
    if "/api/" in base.lower() or base.lower().endswith(".json"):
        return url
    return base + DOCUMENT


def parse(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read Slack's current-status document into a Page.

    Args:
        body: the response body (JSON; escaped slashes and CRLF in notes are fine).
        headers: the response headers (unused: the body alone decides).

    Returns:
        The page's status, its active incidents (newest first) and the services they affect,
        every text sanitised and every timestamp in UTC.

    Raises:
        FormatChanged: the body is HTML, XML or another platform's document.
        ParseError: the body is empty, not JSON, or not Slack's document.
    """
    doc = load_json(body, PLATFORM)
    if not isinstance(doc, dict) or not (
        "active_incidents" in doc or doc.get("status") in ("ok", "active")
    ):
        refuse(doc, PLATFORM, frozenset({"slack"}))
        raise ParseError(f"{PLATFORM} document has no status and no active_incidents")
    try:
        return _page(doc)
    except Exception as exc:  # the adapter contract: nothing but ParseError leaves parse()
        detail = one_line(f"{type(exc).__name__}: {exc}", 200)
        raise ParseError(f"unreadable {PLATFORM} document ({detail})") from exc


def _page(doc: dict[str, object]) -> Page:
    incidents: list[Incident] = []
    maintenances: list[Maintenance] = []
    services: dict[str, Status] = {}
    for row in objs(doc.get("active_incidents")):
        status = raw(row.get("status")).lower()
        if status in _PLANNED:
            maintenances.append(_maintenance(row))
            continue
        incident = _incident(row)
        incidents.append(incident)
        if not incident.phase.is_closed and incident.impact is not Impact.NONE:
            for name in incident.components:  # a notice leaves its services working
                services[name] = worst(
                    [services.get(name, Status.OPERATIONAL), IMPACT_STATUS[incident.impact]]
                )
    incidents.sort(key=_newest, reverse=True)
    overall = raw(doc.get("status"))
    seen = [IMPACT_STATUS[i.impact] for i in incidents if not i.phase.is_closed]
    if overall.lower() == "ok" and not seen:
        status = Status.OPERATIONAL
    elif overall.lower() in ("ok", "active"):
        # "active" with only notices open is still a working Slack.
        status = worst(seen)
    else:
        status = worst(seen, Status.UNKNOWN)
    return Page(
        status=status,
        raw_status=overall,
        updated_at=parse_time(doc.get("date_updated")),
        components=tuple(
            Component(id=name, name=name, status=state) for name, state in services.items()
        ),
        incidents=tuple(incidents),
        maintenances=tuple(maintenances),
    )


def _incident(row: dict[str, object]) -> Incident:
    kind = raw(row.get("type"))
    status = raw(row.get("status"))
    phase = _PHASE.get(status.lower(), Phase.UNKNOWN)
    updates = _notes(row.get("notes"), phase, Phase.INVESTIGATING)
    return Incident(
        id=ident(row.get("id")) or text(row.get("title")),
        title=text(row.get("title")),
        # An unknown type is not evidence of harm: rated like an incident, the middle ground.
        impact=_TYPE_IMPACT.get(kind.lower(), Impact.MINOR),
        phase=phase,
        started_at=parse_time(row.get("date_created")),
        updated_at=parse_time(row.get("date_updated")),
        resolved_at=parse_time(row.get("date_updated")) if phase.is_closed else None,
        url=safe_url(row.get("url")),
        components=_services(row),
        updates=updates,
        raw_status=status,
        raw_impact=kind,
    )


def _maintenance(row: dict[str, object]) -> Maintenance:
    status = raw(row.get("status"))
    phase = _PHASE.get(status.lower(), Phase.UNKNOWN)
    return Maintenance(
        id=ident(row.get("id")) or text(row.get("title")),
        title=text(row.get("title")),
        phase=phase,
        scheduled_for=parse_time(row.get("date_created")),
        url=safe_url(row.get("url")),
        components=_services(row),
        updates=_notes(row.get("notes"), phase, Phase.SCHEDULED),
        raw_status=status,
    )


def _services(row: dict[str, object]) -> tuple[str, ...]:
    names = [text(value) for value in items(row.get("services")) if isinstance(value, str)]
    return tuple(dict.fromkeys(name for name in names if name))


def _notes(value: object, phase: Phase, earlier: Phase) -> tuple[Update, ...]:
    """Notes newest first: the newest carries the item's phase, the older ones `earlier`."""
    timed: list[tuple[datetime, str]] = []
    for note in objs(value):
        at = parse_time(note.get("date_created"))
        body = note.get("body")
        if at is not None:
            timed.append((at, plain_text(body) if isinstance(body, str) else ""))
    timed.sort(key=lambda pair: pair[0], reverse=True)
    return tuple(
        Update(at=at, phase=phase if index == 0 else earlier, text=body)
        for index, (at, body) in enumerate(timed)
    )


def _newest(incident: Incident) -> datetime:
    return incident.updated_at or incident.started_at or datetime.min.replace(tzinfo=UTC)
