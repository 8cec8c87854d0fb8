"""status.io pages -> Page, from the public status API ``/1.0/status/<page id>``.

The API answers on api.status.io and on the page's own host alike: ``{"result":
{status_overall, status: [components with containers], incidents, maintenance: {active,
upcoming}}}``. Everything is rated by a numeric `status_code`: 100 operational, 200 planned
maintenance, 300 degraded performance, 400 partial service disruption, 500 service
disruption, 600 security event. Incident messages carry a `state`: 100 investigating,
200 identified, 300 monitoring.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

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
    worst_impact,
)
from statuswatch.adapters.sniff import refuse
from statuswatch.adapters.timeparse import parse_time
from statuswatch.model import Component, Impact, Incident, Maintenance, Page, Phase, Status, Update
from statuswatch.text import one_line, plain_text

PLATFORM = "status.io"
# `parse` reads the body alone (never the headers): the engine keeps its page for a 304.
BODY_ONLY = True
API = "https://api.status.io"
_PAGE_ID = re.compile(r"/(?:pages|1\.0/status)/([0-9a-f]{24})(?:/|$)", re.IGNORECASE)

_CODE_STATUS: dict[int, Status] = {
    100: Status.OPERATIONAL,
    200: Status.MAINTENANCE,
    300: Status.DEGRADED,
    400: Status.PARTIAL_OUTAGE,
    500: Status.MAJOR_OUTAGE,
    600: Status.DEGRADED,  # a security event: flagged, its reach not rated
}
_CODE_IMPACT: dict[int, Impact] = {
    100: Impact.NONE,
    200: Impact.MAINTENANCE,
    300: Impact.MINOR,
    400: Impact.MAJOR,
    500: Impact.CRITICAL,
    600: Impact.MINOR,
}
_STATE: dict[int, Phase] = {
    100: Phase.INVESTIGATING,
    200: Phase.IDENTIFIED,
    300: Phase.MONITORING,
}


def page_id(url: str) -> str | None:
    """The 24-hex-digit page id in a status.io URL (``/pages/<id>``, ``/1.0/status/<id>``)."""
    match = _PAGE_ID.search(urlsplit(url.strip()).path)
    return match.group(1).lower() if match else None


def source_url(url: str) -> str:
    """Return the status API document of the status.io page at `url`.

    Args:
        url: a URL already naming the API (``https://api.status.io/1.0/status/<id>`` or the
            same path on the page's host), returned unchanged; or a page URL carrying its id
            (``https://status.example.com/pages/<id>``, as its RSS feed does), whose host is
            kept. A URL without the page id cannot be read: it is returned unchanged and
            answers with HTML (`statuswatch add` finds the id in the page).

    Returns:
        e.g. ``https://status.gitlab.com/1.0/status/5b36dc6502d06804c08349f7``.
    """
    if "/1.0/status/" in url:
        return url
    found = page_id(url)
    if found is None:
        return url
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}/1.0/status/{found}"


def parse(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read a status.io public status document into a Page.

    Args:
        body: the response body (JSON).
        headers: the response headers (unused: the body alone decides).

    Returns:
        The page's status, its components (each at the worst of its containers), active
        incidents and active or upcoming maintenances; every timestamp in UTC.

    Raises:
        FormatChanged: the body is HTML, XML or another platform's document.
        ParseError: the body is empty, not JSON, or not a status.io document.
    """
    doc = load_json(body, PLATFORM)
    result = obj(doc.get("result")) if isinstance(doc, dict) else None
    if result is None and isinstance(doc, dict) and "status_overall" in doc:
        result = doc  # the result object itself, as some tools store it
    if result is None or "status_overall" not in result:
        refuse(doc, PLATFORM, frozenset({"statusio"}))
        raise ParseError(f"{PLATFORM} document has no result.status_overall")
    try:
        return _page(result)
    except Exception as exc:  # the adapter contract: nothing but ParseError leaves parse()
        detail = one_line(f"{type(exc).__name__}: {exc}", 200)
        raise ParseError(f"unreadable {PLATFORM} document ({detail})") from exc


def _page(result: dict[str, object]) -> Page:
    overall = obj(result.get("status_overall")) or {}
    # "status" is the API's name for the component list; a stored copy may call it "components".
    rows = result.get("status") if isinstance(result.get("status"), list) else None
    components = tuple(_component(row) for row in objs(rows or result.get("components")))
    incidents = tuple(_incident(row) for row in objs(result.get("incidents")))
    maintenance = obj(result.get("maintenance")) or {}
    maintenances = tuple(
        _maintenance(row, Phase.IN_PROGRESS) for row in objs(maintenance.get("active"))
    ) + tuple(_maintenance(row, Phase.SCHEDULED) for row in objs(maintenance.get("upcoming")))
    code = _code(overall.get("status_code"))
    declared = _CODE_STATUS.get(code) if code is not None else None
    # Without an overall code we know: what the parts show, else unknown for an unknown code.
    fallback = Status.OPERATIONAL if code is None else Status.UNKNOWN
    seen = [c.status for c in components] + [IMPACT_STATUS[i.impact] for i in incidents]
    if any(m.phase is Phase.IN_PROGRESS for m in maintenances):
        seen.append(Status.MAINTENANCE)
    return Page(
        status=declared if declared is not None else worst(seen, fallback),
        description=text(overall.get("status")),
        raw_status=raw(overall.get("status_code")),
        updated_at=parse_time(overall.get("updated")),
        components=components,
        incidents=incidents,
        maintenances=maintenances,
    )


def _code(value: object) -> int | None:
    """A status code as an integer (sent as a number; a numeric string is tolerated)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _component(row: dict[str, object]) -> Component:
    """A component at the worst of its own code and its containers' (regions)."""
    codes = [_code(row.get("status_code"))]
    codes += [_code(container.get("status_code")) for container in objs(row.get("containers"))]
    known = [c for c in codes if c is not None]
    statuses = [_CODE_STATUS.get(c, Status.UNKNOWN) for c in known]
    name = text(row.get("name"))
    return Component(
        id=ident(row.get("id")) or name,
        name=name,
        status=worst(statuses, Status.UNKNOWN) if known else Status.UNKNOWN,
        raw_status=raw(row.get("status_code")),
    )


def _messages(value: object, closing: Phase | None) -> tuple[Update, ...]:
    """Messages newest first, each phase from its `state`."""
    out: list[Update] = []
    for message in objs(value):
        at = parse_time(message.get("datetime"))
        if at is None:
            continue
        state = _code(message.get("state"))
        phase = _STATE.get(state, Phase.UNKNOWN) if state is not None else Phase.UNKNOWN
        details = message.get("details")
        body = plain_text(details) if isinstance(details, str) else ""
        out.append(Update(at=at, phase=closing or phase, text=body, raw_status=raw(state)))
    out.sort(key=lambda update: update.at, reverse=True)
    return tuple(out)


def _names(row: dict[str, object]) -> tuple[str, ...]:
    """Affected components, then affected containers (regions)."""
    names = [text(c.get("name")) for c in objs(row.get("components_affected"))]
    names += [text(c.get("name")) for c in objs(row.get("containers_affected"))]
    return tuple(dict.fromkeys(name for name in names if name))


def _incident(row: dict[str, object]) -> Incident:
    updates = _messages(row.get("messages"), None)
    codes = [_code(row.get("status_code"))]
    codes += [_code(message.get("status")) for message in objs(row.get("messages"))]
    impact = worst_impact(
        (_CODE_IMPACT[c] for c in codes if c in _CODE_IMPACT and c != 200), Impact.MINOR
    )
    phase = updates[0].phase if updates else Phase.INVESTIGATING
    return Incident(
        id=ident(row.get("_id")) or ident(row.get("id")) or text(row.get("name")),
        title=text(row.get("name")),
        impact=Impact.MINOR if impact is Impact.NONE else impact,
        phase=Phase.INVESTIGATING if phase is Phase.UNKNOWN else phase,
        started_at=parse_time(row.get("datetime_open")),
        updated_at=updates[0].at if updates else parse_time(row.get("datetime_open")),
        components=_names(row),
        updates=updates,
        raw_status=raw(row.get("status_code")),
        raw_impact=raw(max((c for c in codes if c is not None), default=None)),
    )


def _maintenance(row: dict[str, object], phase: Phase) -> Maintenance:
    return Maintenance(
        id=ident(row.get("_id")) or ident(row.get("id")) or text(row.get("name")),
        title=text(row.get("name")),
        phase=phase,
        scheduled_for=parse_time(row.get("datetime_planned_start")),
        scheduled_until=parse_time(row.get("datetime_planned_end")),
        components=_names(row),
        updates=_messages(row.get("messages"), phase),
        raw_status=raw(row.get("status_code")),
    )
