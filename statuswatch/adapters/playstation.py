"""PlayStation Network -> Page, from ``status.playstation.com/data/statuses/region/<REGION>.json``.

Sony's own format. No captured body is public: this reads the shape that several independent
clients read (see SCHEMAS.md, section 6a): ``{regionName, status: [Entry], countries:
[{countryCode, status: [Entry], services: [{serviceName, serviceId?, status: [Entry]}]}]}``,
``Entry = {statusType ("Outage", "Degraded", "Maintenance", "OK"), statusId, startDate,
endDate?, createdDate?}``. All empty means all is well. Entries stay after they are over (some
without an end, indefinitely), so an entry counts only while ``startDate <= now < endDate``,
and one without an end only for a week after its start. Any other shape is a format change,
never read as operational or as an outage.

Regions: SCEA (Americas), SCEE (Europe), SCEJA or SCEJ (Japan and Asia; which one Sony serves is
not settled).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from statuswatch.adapters import ParseError
from statuswatch.adapters.common import (
    IMPACT_STATUS,
    RECENT,
    drifted,
    http_date,
    ident,
    load_json,
    obj,
    objs,
    raw,
    text,
    worst,
)
from statuswatch.adapters.timeparse import parse_time
from statuswatch.model import Component, Impact, Incident, Maintenance, Page, Phase, Status, Update
from statuswatch.text import one_line

PLATFORM = "PlayStation Network"
SITE = "https://status.playstation.com"
DEFAULT_REGION = "SCEA"
NETWORK = "PlayStation Network"  # what a region-wide or country-wide entry is about
_OWN = frozenset({"playstation"})

_TYPE: dict[str, tuple[Impact, Status]] = {
    "outage": (Impact.MAJOR, Status.MAJOR_OUTAGE),
    "degraded": (Impact.MINOR, Status.DEGRADED),
}


@dataclass
class _Entry:
    """One status entry, merged over the countries that list it."""

    key: str
    kind: str
    start: datetime | None
    end: datetime | None
    created: datetime | None
    services: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    region_wide: bool = False


def source_url(url: str) -> str:
    """Return the region document for a PlayStation provider.

    Args:
        url: the region document (``https://status.playstation.com/data/statuses/region/
            SCEE.json``), returned unchanged; the site alone means the Americas (SCEA).

    Returns:
        The URL to fetch.
    """
    stripped = url.strip()
    if stripped.lower().endswith(".json"):
        return stripped
    return f"{stripped.rstrip('/')}/data/statuses/region/{DEFAULT_REGION}.json"


def parse(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read a PlayStation Network region document into a Page.

    Args:
        body: the response body (JSON).
        headers: the response headers; the Date header is "now" for deciding which entries
            are current (without it, the newest start in the document).

    Returns:
        The services as components, current outages and degradations as incidents, current
        and upcoming maintenances, and the page's status.

    Raises:
        FormatChanged: the body is HTML, XML, another platform's document or JSON of
            another shape.
        ParseError: the body is empty or not JSON.
    """
    doc = load_json(body, PLATFORM)
    found = obj(doc)
    if found is None or not _shaped(found):
        drifted(doc, PLATFORM, _OWN, "regionName with status and countries arrays")
    try:
        return _page(found, headers)
    except Exception as exc:  # the adapter contract: nothing but ParseError leaves parse()
        detail = one_line(f"{type(exc).__name__}: {exc}", 200)
        raise ParseError(f"unreadable {PLATFORM} document ({detail})") from exc


def _shaped(doc: dict[str, object]) -> bool:
    """The documented shape: a region name, and its status or countries as arrays."""
    lists = [key for key in ("status", "countries") if isinstance(doc.get(key), list)]
    return isinstance(doc.get("regionName"), str) and bool(lists)


def _page(doc: dict[str, object], headers: Mapping[str, str]) -> Page:
    services: dict[str, str] = {}  # key -> display name, in first-seen order
    entries: dict[str, _Entry] = {}
    for row in objs(doc.get("status")):
        _add(entries, row, NETWORK, "", region_wide=True)
    for country in objs(doc.get("countries")):
        code = text(country.get("countryCode"), 8)
        for row in objs(country.get("status")):
            _add(entries, row, NETWORK, code)
        for service in objs(country.get("services")):
            name = text(service.get("serviceName"))
            key = ident(service.get("serviceId")) or name
            if not key:
                continue
            services.setdefault(key, name or key)
            for row in objs(service.get("status")):
                _add(entries, row, services[key], code)
    now = http_date(headers) or _newest_start(entries.values())
    current = [e for e in entries.values() if _current(e, now)]
    incidents: list[Incident] = []
    maintenances: list[Maintenance] = []
    affected: dict[str, list[tuple[Status, str]]] = {}
    for entry in current:
        if entry.kind.lower() == "maintenance":
            maintenances.append(_maintenance(entry, now))
            if maintenances[-1].phase is Phase.IN_PROGRESS:
                for name in entry.services:
                    affected.setdefault(name, []).append((Status.MAINTENANCE, entry.kind))
            continue
        impact, status = _TYPE.get(entry.kind.lower(), (Impact.NONE, Status.UNKNOWN))
        if entry.region_wide and impact is Impact.MAJOR:
            impact = Impact.CRITICAL  # the whole network in the region
        incidents.append(_incident(entry, impact))
        for name in entry.services:
            affected.setdefault(name, []).append((status, entry.kind))
    components = [_component(key, name, affected.get(name, [])) for key, name in services.items()]
    return Page(
        status=_status(incidents, maintenances),
        raw_status=text(doc.get("regionName"), 64),
        updated_at=max((e.created for e in entries.values() if e.created), default=None),
        components=tuple(components),
        incidents=tuple(incidents),
        maintenances=tuple(maintenances),
    )


def _add(
    entries: dict[str, _Entry],
    row: dict[str, object],
    service: str,
    country: str,
    *,
    region_wide: bool = False,
) -> None:
    """Merge one status entry into `entries` (the same id is listed in many countries)."""
    kind = raw(row.get("statusType"))
    if kind.lower() == "ok":
        return
    start = parse_time(row.get("startDate"))
    key = ident(row.get("statusId")) or f"{kind}|{service}|{start.isoformat() if start else ''}"
    entry = entries.setdefault(
        key,
        _Entry(
            key, kind, start, parse_time(row.get("endDate")), parse_time(row.get("createdDate"))
        ),
    )
    if service not in entry.services:
        entry.services.append(service)
    if country and country not in entry.countries:
        entry.countries.append(country)
    entry.region_wide = entry.region_wide or region_wide


def _newest_start(entries: Iterable[_Entry]) -> datetime | None:
    """ "Now" for a document read without its Date header: when its newest entry was posted,
    else its newest start of anything but a maintenance (those are set in the future)."""
    listed = list(entries)
    for found in (
        [e.created for e in listed if e.created is not None],
        [e.start for e in listed if e.start is not None and e.kind.lower() != "maintenance"],
        [e.start for e in listed if e.start is not None],
    ):
        if found:
            return max(found)
    return None


def _current(entry: _Entry, now: datetime | None) -> bool:
    """Whether an entry is happening now (or, for a maintenance, is still to come)."""
    if now is None:
        return entry.end is None
    if entry.end is not None and entry.end <= now:
        return False
    if entry.start is None or entry.start <= now:
        # Entries without an end stay in the feed for ever: a week is as long as one counts.
        return entry.end is not None or entry.start is None or entry.start >= now - RECENT
    return entry.kind.lower() == "maintenance"  # scheduled; an outage cannot be


def _scope(entry: _Entry) -> str:
    if entry.region_wide or not entry.countries:
        return "the whole region"
    shown = ", ".join(entry.countries[:12])
    more = len(entry.countries) - 12
    return f"{shown} and {more} more" if more > 0 else shown


def _incident(entry: _Entry, impact: Impact) -> Incident:
    at = entry.created or entry.start
    names = ", ".join(entry.services[:3])
    text_ = f"{entry.kind or 'A status'} reported for {names} in {_scope(entry)}."
    return Incident(
        id=entry.key,
        title=f"{entry.kind or 'Status'}: {names}",
        impact=impact,
        phase=Phase.INVESTIGATING,  # the feed states no phase: a current entry is open
        started_at=entry.start,
        updated_at=at,
        url=SITE,
        components=tuple(entry.services),
        updates=(Update(at, Phase.INVESTIGATING, text_, entry.kind),) if at else (),
        raw_status=entry.kind,
        raw_impact=entry.kind,
    )


def _maintenance(entry: _Entry, now: datetime | None) -> Maintenance:
    started = entry.start is None or (now is not None and entry.start <= now)
    names = ", ".join(entry.services[:3])
    return Maintenance(
        id=entry.key,
        title=f"Maintenance: {names}",
        phase=Phase.IN_PROGRESS if started else Phase.SCHEDULED,
        scheduled_for=entry.start,
        scheduled_until=entry.end,
        url=SITE,
        components=tuple(entry.services),
        raw_status=entry.kind,
    )


def _component(key: str, name: str, found: list[tuple[Status, str]]) -> Component:
    """A service at the worst of its current entries (none: operational)."""
    status = worst((s for s, _kind in found), Status.UNKNOWN if found else Status.OPERATIONAL)
    kinds = ", ".join(dict.fromkeys(kind for _s, kind in found))
    return Component(key, name, status, one_line(kinds, 64))


def _status(incidents: list[Incident], maintenances: list[Maintenance]) -> Status:
    """The worst current entry; one of a type we cannot read makes an otherwise quiet page
    unknown rather than operational."""
    seen = [IMPACT_STATUS[i.impact] for i in incidents if i.raw_impact.lower() in _TYPE]
    if any(m.phase is Phase.IN_PROGRESS for m in maintenances):
        seen.append(Status.MAINTENANCE)
    found = worst(seen)
    unreadable = any(i.raw_impact.lower() not in _TYPE for i in incidents)
    return Status.UNKNOWN if unreadable and found is Status.OPERATIONAL else found
