"""AWS Health Dashboard -> Page: the current events JSON, or the legacy RSS feeds as a fallback.

* ``https://health.aws.amazon.com/public/currentevents``: a JSON array of events, sent as
  UTF-16 with a BOM by some servers and UTF-8 by others (the encoding is detected, never
  assumed). An event's `status` code rates it ("1" informational, "2" degradation, "3"
  disruption, "0" fine); `end_time` means it is over; its impacted services, in its region,
  are the components; its `event_log` entries are the updates.
* ``https://status.aws.amazon.com/rss/all.rss`` and ``/rss/<service>-<region>.rss``: each item
  is one update, so items are grouped into incidents by the guid prefix (``#<service>-<region>``)
  and split where one was resolved; dates carry US zone names and space-padded days.

AWS is hundreds of services in dozens of regions: an event marks its services in its region
as down, and the whole page as a partial outage at worst.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from statuswatch.adapters import FormatChanged, ParseError
from statuswatch.adapters.common import (
    RECENT,
    epoch,
    ident,
    load_json,
    markup_head,
    obj,
    objs,
    raw,
    reference_time,
    text,
    worst,
    worst_impact,
)
from statuswatch.adapters.sniff import AWS_RSS, HTML, identify_markup, moved, refuse
from statuswatch.model import Component, Impact, Incident, Page, Phase, Status, Update
from statuswatch.text import one_line, plain_text

if TYPE_CHECKING:
    from statuswatch.adapters.feed import Entry

PLATFORM = "AWS Health Dashboard"
DOCUMENT = "/public/currentevents"
DASHBOARD = "https://health.aws.amazon.com/health/status"

_IMPACT: dict[str, Impact] = {
    "0": Impact.NONE,
    "1": Impact.MINOR,
    "2": Impact.MAJOR,
    "3": Impact.CRITICAL,
}
_COMPONENT: dict[str, Status] = {
    "0": Status.OPERATIONAL,
    "1": Status.DEGRADED,
    "2": Status.PARTIAL_OUTAGE,
    "3": Status.MAJOR_OUTAGE,
}
# The page as a whole: one event never takes all of AWS down.
_PAGE: dict[Impact, Status] = {
    Impact.NONE: Status.OPERATIONAL,
    Impact.MINOR: Status.DEGRADED,
    Impact.MAJOR: Status.DEGRADED,
    Impact.CRITICAL: Status.PARTIAL_OUTAGE,
    Impact.MAINTENANCE: Status.MAINTENANCE,
}
# RSS title prefixes ("<state>: <summary>") and what they rate.
_PREFIXES: dict[str, Impact] = {
    "informational message": Impact.MINOR,
    "performance issues": Impact.MINOR,
    "service degradation": Impact.MAJOR,
    "service disruption": Impact.CRITICAL,
    "service impact": Impact.MAJOR,
    "service is operating normally": Impact.NONE,
}
_RESOLVED = re.compile(r"\[resolved\]\s*", re.IGNORECASE)
_GUID = re.compile(r"#(?P<key>[^#\s]+?)_(?P<epoch>\d{9,11})$")
_REGION = re.compile(r"arn:aws:health:(?P<region>[a-z0-9-]*)::")


def source_url(url: str) -> str:
    """Return the document to fetch for the AWS Health Dashboard at `url`.

    Args:
        url: ``https://health.aws.amazon.com`` (current events are read from it), or a URL
            already naming a document: ``.../public/currentevents`` or an RSS feed such as
            ``https://status.aws.amazon.com/rss/all.rss``, returned unchanged.

    Returns:
        The URL to fetch.
    """
    base = url.strip().rstrip("/")
    if base.lower().endswith(("currentevents", ".rss", ".json", ".xml")):
        return url
    return base + DOCUMENT


def parse(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read AWS current events (JSON) or an AWS Health Dashboard RSS feed into a Page.

    Args:
        body: the response body: UTF-16 (with a BOM or not) or UTF-8 JSON, or RSS.
        headers: the response headers; for RSS the Date header is "now" for the seven-day
            window (without it, the feed's own date).

    Returns:
        Open events and those ended in the last seven days, newest first; components are the
        services open events impact, grouped by region; every timestamp in UTC.

    Raises:
        FormatChanged: the body is HTML or another platform's document.
        ParseError: the body is empty, malformed, or not AWS events.
    """
    head = markup_head(body)
    try:
        found = identify_markup(head) if head is not None else None
        if found is AWS_RSS:
            return _rss_page(body, headers)
        if found is not None and found is not HTML:
            # Another feed: AWS's own say "AWS Service Health Dashboard" (or its host).
            raise FormatChanged(moved(found, f"{PLATFORM} JSON or RSS"))
        doc = load_json(body, PLATFORM)
        if not isinstance(doc, list):
            refuse(doc, PLATFORM, frozenset({"aws"}))
            raise ParseError(f"{PLATFORM} current events is not a JSON array of events")
        return _events_page(doc)
    except ParseError:
        raise
    except Exception as exc:  # the adapter contract: nothing but ParseError leaves parse()
        detail = one_line(f"{type(exc).__name__}: {exc}", 200)
        raise ParseError(f"unreadable {PLATFORM} document ({detail})") from exc


# -- current events (JSON) ---------------------------------------------------------------------


def _events_page(doc: list[object]) -> Page:
    rows = list(objs(doc))
    if doc and not any("arn" in row or "event_log" in row or "service" in row for row in rows):
        refuse(doc, PLATFORM, frozenset({"aws"}))
        raise ParseError(f"{PLATFORM} current events holds no event objects")
    incidents: list[Incident] = []
    components: dict[str, Component] = {}
    for row in rows:
        incident = _event(row)
        incidents.append(incident)
        if incident.phase.is_closed:
            continue
        for component in _impacted(row):
            known = components.get(component.id)
            if known is None or component.status.severity > known.status.severity:
                components[component.id] = component
    incidents.sort(key=_newest, reverse=True)
    open_impacts = [i.impact for i in incidents if not i.phase.is_closed]
    return Page(
        status=worst(_PAGE[impact] for impact in open_impacts),
        updated_at=max((i.updated_at for i in incidents if i.updated_at), default=None),
        components=tuple(components.values()),
        incidents=tuple(incidents),
    )


def _event_id(row: dict[str, object]) -> str:
    return ident(row.get("arn")) or f"{ident(row.get('service'))}_{ident(row.get('date'))}"


def _event(row: dict[str, object]) -> Incident:
    """One AWS event."""
    code = raw(row.get("status"))
    ended = epoch(row.get("end_time"))
    impacted = [raw(entry.get("max")) for entry in _services(row).values()]
    impact = worst_impact(_IMPACT[c] for c in [code, *impacted] if c in _IMPACT)
    if impact is Impact.NONE and ended is None:
        impact = Impact.MINOR  # an open event is something, even if it rates itself 0
    if ended is not None:
        phase = Phase.RESOLVED
    elif code == "0":
        phase = Phase.MONITORING  # its services are back, the event is not closed yet
    else:
        phase = Phase.INVESTIGATING
    updates = _log(row.get("event_log"))
    started = epoch(row.get("date"))
    return Incident(
        id=_event_id(row),
        title=_RESOLVED.sub("", text(row.get("summary"))).strip(),
        impact=impact,
        phase=phase,
        started_at=started,
        updated_at=max([u.at for u in updates] + [t for t in (started, ended) if t], default=None),
        resolved_at=ended,
        url=DASHBOARD,
        components=tuple(c.name for c in _impacted(row)),
        updates=updates,
        raw_status=code,
        raw_impact=max((c for c in [code, *impacted] if c in _IMPACT), default=""),
    )


def _services(row: dict[str, object]) -> dict[str, dict[str, object]]:
    """The event's impacted services by key; the event's own service if it lists none."""
    table = obj(row.get("impacted_services")) or {}
    found = {key: value for key, value in table.items() if isinstance(value, dict)}
    if not found and text(row.get("service")):
        found[text(row.get("service"))] = {
            "service_name": row.get("service_name"),
            "current": row.get("status"),
            "max": row.get("status"),
        }
    return found


def _region(row: dict[str, object]) -> tuple[str, str]:
    """(region code, region label) of an event, e.g. ("me-central-1", "UAE")."""
    match = _REGION.match(text(row.get("arn"), 300))
    code = match.group("region") if match else ""
    return code, text(row.get("region_name"))


def _impacted(row: dict[str, object]) -> list[Component]:
    """The event's services in its region, each with its current state."""
    code, label = _region(row)
    group = f"{label} ({code})" if label and code else (label or code or None)
    out: list[Component] = []
    for key, entry in _services(row).items():
        service = text(entry.get("service_name")) or one_line(key)
        current = raw(entry.get("current"))
        out.append(
            Component(
                id=one_line(key, 200),
                name=f"{service} ({code})" if code else service,
                status=_COMPONENT.get(current, Status.UNKNOWN),
                raw_status=current,
                group=group,
            )
        )
    return out


def _log(value: object) -> tuple[Update, ...]:
    """The event log as updates, newest first."""
    out: list[Update] = []
    for entry in objs(value):
        at = epoch(entry.get("timestamp"))
        if at is None:
            continue
        code = raw(entry.get("status"))
        message = entry.get("message")
        body = plain_text(message) if isinstance(message, str) else text(entry.get("summary"))
        phase = Phase.RESOLVED if code == "0" else Phase.INVESTIGATING
        out.append(Update(at=at, phase=phase, text=body, raw_status=code))
    out.sort(key=lambda update: update.at, reverse=True)
    return tuple(out)


def _newest(incident: Incident) -> datetime:
    return incident.updated_at or incident.started_at or datetime.min.replace(tzinfo=UTC)


# -- legacy RSS feeds --------------------------------------------------------------------------


def _rss_page(body: bytes, headers: Mapping[str, str]) -> Page:
    """Group RSS items (one update each) into incidents by their guid prefix."""
    from statuswatch.adapters import feed  # feedparser costs ~0.1 s: only for RSS bodies

    parsed = feed.read_feed(body, f"{PLATFORM} RSS")
    groups: dict[str, list[Entry]] = {}
    for entry in parsed.entries:
        match = _GUID.search(entry.key)
        groups.setdefault(match.group("key") if match else entry.key, []).append(entry)
    incidents: list[Incident] = []
    for key, entries in groups.items():
        incidents += _rss_incidents(key, entries)
    now = reference_time(headers, [parsed.updated, *(e.at for e in parsed.entries)])
    kept = [
        i
        for i in incidents
        if not i.phase.is_closed
        or now is None
        or (i.updated_at is not None and i.updated_at >= now - RECENT)
    ]
    kept.sort(key=_newest, reverse=True)
    return Page(
        status=worst(_PAGE[i.impact] for i in kept if not i.phase.is_closed),
        updated_at=parsed.updated,
        incidents=tuple(kept),
    )


def _rss_incidents(key: str, entries: list[Entry]) -> list[Incident]:
    """The incidents of one service and region: an item after a resolved one opens a new one."""
    dated = sorted((e for e in entries if e.at is not None), key=_entry_time)
    runs: list[list[tuple[Entry, Impact, bool, str]]] = []
    for entry in dated:
        impact, resolved, summary = _rss_title(entry.title)
        # A closing note after the resolution (a root cause) belongs to the same incident.
        if not runs or (runs[-1][-1][2] and not resolved):
            runs.append([])
        runs[-1].append((entry, impact, resolved, summary))
    return [_rss_incident(key, run) for run in runs]


def _entry_time(entry: Entry) -> datetime:
    return entry.at or datetime.min.replace(tzinfo=UTC)


def _rss_title(title: str) -> tuple[Impact, bool, str]:
    """(impact, resolved, summary) of an item title such as "Service disruption: EC2 errors"."""
    resolved = False
    rest = title
    if rest.lower().startswith("resolved:"):
        resolved, rest = True, rest[len("resolved:") :].strip()
    impact = Impact.MINOR
    prefix, sep, summary = rest.partition(":")
    rated = _PREFIXES.get(prefix.strip().lower()) if sep else None
    if rated is not None:
        impact, rest = rated, summary.strip()
        resolved = resolved or rated is Impact.NONE
    if _RESOLVED.search(rest):
        resolved, rest = True, _RESOLVED.sub("", rest).strip()
    return impact, resolved, rest


def _rss_incident(key: str, run: list[tuple[Entry, Impact, bool, str]]) -> Incident:
    """One incident from its items, oldest first."""
    updates = [
        Update(
            at=_entry_time(entry),
            phase=Phase.RESOLVED if resolved else Phase.INVESTIGATING,
            text=plain_text(entry.html),
            raw_status=one_line(entry.title.partition(":")[0], 64),
        )
        for entry, _impact, resolved, _summary in run
    ]
    updates.reverse()  # newest first
    first = run[0][0]
    match = _GUID.search(first.key)
    closed = run[-1][2]
    # "Service is operating normally" rates the recovery, not the incident.
    impact = worst_impact((i for _e, i, _r, _s in run if i is not Impact.NONE), Impact.MINOR)
    return Incident(
        id=f"{key}_{match.group('epoch')}" if match else first.key,
        title=run[-1][3] or run[0][3],
        impact=impact,
        phase=Phase.RESOLVED if closed else Phase.INVESTIGATING,
        started_at=updates[-1].at,
        updated_at=updates[0].at,
        resolved_at=updates[0].at if closed else None,
        url=first.link,
        components=(key,),
        updates=tuple(updates),
        raw_status=updates[0].raw_status,
    )
