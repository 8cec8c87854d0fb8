"""Uptime Kuma status pages -> Page, from two documents of the page's server.

A provider's `url` is the public page, ``<base>/status/<slug>``. The engine reads:

* ``<base>/api/status-page/<slug>``: ``{config, incident, publicGroupList, maintenanceList}``:
  the groups with their monitors (the components), the pinned incident if any (later versions:
  ``incidents``, a list), and the maintenances in progress (the server lists only those);
* ``<base>/api/status-page/heartbeat/<slug>``: ``{heartbeatList, uptimeList}``: each
  monitor's recent beats, oldest first (``status`` 0 down, 1 up, 2 pending, 3 maintenance).

A monitor whose latest beat is down is an outage of that component; the page is down when
every monitor is. Times are written in UTC without a zone ("2026-09-30 20:10:16.566").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from statuswatch.adapters import ParseError
from statuswatch.adapters.common import (
    IMPACT_STATUS,
    drifted,
    ident,
    load_json,
    monitors_status,
    obj,
    objs,
    text,
    worst,
)
from statuswatch.adapters.timeparse import parse_naive_utc
from statuswatch.model import Component, Impact, Incident, Maintenance, Page, Phase, Status, Update
from statuswatch.text import one_line, plain_text

PLATFORM = "Uptime Kuma"
_OWN = frozenset({"uptimekuma", "uptimekuma-heartbeat"})
_PATH = re.compile(
    r"^(?P<prefix>.*?)/(?:api/status-page/(?:heartbeat/)?|status/)(?P<slug>[^/]+)/?$"
)
_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")

_BEAT: dict[int, tuple[Status, str]] = {
    0: (Status.MAJOR_OUTAGE, "down"),
    1: (Status.OPERATIONAL, "up"),
    2: (Status.DEGRADED, "pending"),  # failed, being retried before it is called down
    3: (Status.MAINTENANCE, "maintenance"),
}
# The pinned incident's colour is all it says about its severity.
_STYLE: dict[str, Impact] = {"danger": Impact.MAJOR, "warning": Impact.MINOR}


def _split(url: str) -> tuple[str, str]:
    """The server's base URL and the page's slug ("default" for a bare ``/status``)."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    match = _PATH.match(path)
    if match is not None:
        prefix, slug = match.group("prefix"), unquote(match.group("slug"))
    else:
        prefix, slug = path.removesuffix("/status"), "default"
    return urlunsplit((parts.scheme, parts.netloc, prefix, "", "")), slug.lower()


def source_urls(url: str) -> tuple[str, ...]:
    """Return the page document and the heartbeat document of the status page at `url`.

    Args:
        url: the public page (``https://uptime.example.com/status/main``) or either document.

    Returns:
        ``(<base>/api/status-page/<slug>, <base>/api/status-page/heartbeat/<slug>)``.
    """
    base, slug = _split(url)
    slug = quote(slug, safe="")
    return (f"{base}/api/status-page/{slug}", f"{base}/api/status-page/heartbeat/{slug}")


def source_url(url: str) -> str:
    """Return the page document (the first of `source_urls`)."""
    return source_urls(url)[0]


def page_url(url: str) -> str:
    """The public page of the status page whose document or page `url` names."""
    base, slug = _split(url)
    return f"{base}/status/{quote(slug, safe='')}"


def parse(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read one Uptime Kuma document (the page or the heartbeats) into a Page.

    Args:
        body: the response body.
        headers: the response headers (unused).

    Returns:
        What that one document shows: the page alone names the monitors but not their state
        (unknown); the heartbeats alone give each monitor's state under its id.

    Raises:
        FormatChanged: the body is HTML, XML, another platform's document or JSON of
            another shape.
        ParseError: the body is empty or not JSON.
    """
    return parse_many([(body, headers)])


def parse_many(bodies: Sequence[tuple[bytes, Mapping[str, str]]]) -> Page:
    """Read the page document and the heartbeat document (in that order) into one Page.

    Args:
        bodies: each document's body and headers, in the order of `source_urls`.

    Returns:
        The monitors as components in their groups, the pinned incident, the maintenances
        in progress, and the page's status; timestamps in UTC.

    Raises:
        FormatChanged: a body is HTML, XML, another platform's document or JSON of another
            shape.
        ParseError: a body is empty or not JSON.
    """
    page: dict[str, object] | None = None
    beats: dict[str, object] | None = None
    for body, _headers in bodies:
        doc = load_json(body, PLATFORM)
        found = obj(doc)
        if found is not None and isinstance(found.get("publicGroupList"), list):
            page = found
        elif found is not None and isinstance(found.get("heartbeatList"), dict):
            beats = found
        else:
            drifted(doc, PLATFORM, _OWN, "publicGroupList or heartbeatList")
    try:
        return _page(page, beats)
    except Exception as exc:  # the adapter contract: nothing but ParseError leaves parse()
        detail = one_line(f"{type(exc).__name__}: {exc}", 200)
        raise ParseError(f"unreadable {PLATFORM} document ({detail})") from exc


def _page(page: dict[str, object] | None, beats: dict[str, object] | None) -> Page:
    latest = _latest_beats(obj(beats.get("heartbeatList")) or {}) if beats is not None else {}
    components: list[Component] = []
    if page is not None:
        for group in objs(page.get("publicGroupList")):
            group_name = text(group.get("name")) or None
            for monitor in objs(group.get("monitorList")):
                components.append(_monitor(monitor, group_name, latest, beats is not None))
    else:
        for key, (status, state, _at) in latest.items():
            components.append(Component(key, f"monitor {key}", status, state))
    # Uptime Kuma 1.x sends the pinned `incident` (or null); later versions a list, `incidents`.
    rows = [obj(page.get("incident")), *objs(page.get("incidents"))] if page is not None else []
    found = [incident for incident in map(_incident, rows) if incident is not None]
    incidents = tuple({incident.id: incident for incident in found}.values())
    maintenances = tuple(
        _maintenance(row) for row in objs(page.get("maintenanceList") if page else None)
    )
    status = monitors_status(c.status for c in components)
    problems = [Status.MAINTENANCE] if maintenances else []
    problems += [IMPACT_STATUS[i.impact] for i in incidents if IMPACT_STATUS[i.impact].is_problem]
    # Without beats the monitors are unknown: only a problem the page declares says more.
    status = worst([status, *problems], Status.UNKNOWN)
    stamps = [at for _status, _state, at in latest.values() if at is not None]
    return Page(
        status=status,
        updated_at=max(stamps) if stamps else None,
        components=tuple(components),
        incidents=incidents,
        maintenances=maintenances,
    )


def _latest_beats(heartbeats: dict[str, object]) -> dict[str, tuple[Status, str, datetime | None]]:
    """Each monitor's latest beat: its status, the raw state, its time."""
    latest: dict[str, tuple[Status, str, datetime | None]] = {}
    for key, beats in heartbeats.items():
        # Oldest first; a bar of fixed days pads empty buckets with 0 instead of a beat.
        rows = list(objs(beats))
        if not rows:
            continue
        beat = rows[-1]
        code = beat.get("status")
        found = _BEAT.get(code) if isinstance(code, int) and not isinstance(code, bool) else None
        status, state = found if found is not None else (Status.UNKNOWN, one_line(str(code), 20))
        latest[one_line(key, 200)] = (status, state, parse_naive_utc(beat.get("time")))
    return latest


def _monitor(
    row: dict[str, object],
    group: str | None,
    latest: dict[str, tuple[Status, str, datetime | None]],
    beats_read: bool,
) -> Component:
    key = ident(row.get("id"))
    name = text(row.get("name")) or (f"monitor {key}" if key else "monitor")
    status, state, _at = latest.get(
        key, (Status.UNKNOWN, "" if not beats_read else "no beat", None)
    )
    return Component(id=key or name, name=name, status=status, raw_status=state, group=group)


def _incident(row: dict[str, object] | None) -> Incident | None:
    """A pinned incident (shown until it is unpinned or resolved)."""
    if row is None or row.get("pin") is False or row.get("active") is False:
        return None
    style = text(row.get("style"))
    created = parse_naive_utc(row.get("createdDate"))
    updated = parse_naive_utc(row.get("lastUpdatedDate")) or created
    content = row.get("content")
    body = plain_text(content) if isinstance(content, str) else ""
    updates = (Update(updated, Phase.INVESTIGATING, body, "pinned"),) if updated else ()
    title = text(row.get("title"))
    return Incident(
        id=ident(row.get("id")) or title,
        title=title,
        impact=_STYLE.get(style.lower(), Impact.NONE),
        phase=Phase.INVESTIGATING,  # the page states no phase; a pinned incident is open
        started_at=created,
        updated_at=updated,
        updates=updates,
        raw_status="pinned",
        raw_impact=style,
    )


def _maintenance(row: dict[str, object]) -> Maintenance:
    """A maintenance the server lists (it lists only those under way)."""
    offset = _offset(row.get("timezoneOffset"))
    slots = list(objs(row.get("timeslotList")))
    start = _local(slots[0].get("startDate"), offset) if slots else None
    end = _local(slots[0].get("endDate"), offset) if slots else None
    description = row.get("description")
    body = plain_text(description) if isinstance(description, str) else ""
    updates = (Update(start, Phase.IN_PROGRESS, body),) if start is not None and body else ()
    title = text(row.get("title"))
    return Maintenance(
        id=ident(row.get("id")) or title,
        title=title,
        phase=Phase.IN_PROGRESS,
        scheduled_for=start,
        scheduled_until=end,
        updates=updates,
        raw_status=text(row.get("status")) or "under-maintenance",
    )


def _offset(value: object) -> timezone | None:
    """A "+02:00" offset as a time zone."""
    match = _OFFSET.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    sign = -1 if match.group(1) == "-" else 1
    minutes = int(match.group(2)) * 60 + int(match.group(3))
    if minutes >= 24 * 60:
        return None
    return timezone(sign * timedelta(minutes=minutes))


def _local(value: object, zone: timezone | None) -> datetime | None:
    """A maintenance time, written in the maintenance's own zone without saying which."""
    if zone is None or not isinstance(value, str):
        return None
    when = parse_naive_utc(value)  # read as if UTC, then moved to the zone it was written in
    if when is None:
        return None
    try:
        return when.replace(tzinfo=zone).astimezone(when.tzinfo)
    except OverflowError:
        return None
