"""A scripted provider at one moment, written in its platform's real format.

Each writer returns what the real page would serve at that moment: Atlassian Statuspage's
`summary.json`, incident.io's Statuspage-compatible `summary.json`, the AWS Health Dashboard's
`currentevents` array, or Google Cloud's `incidents.json` (shapes in ../shared/SCHEMAS.md).
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from statuswatch.demo.script import EventState, Planned, Provider
from statuswatch.model import Impact, Phase, Status

__all__ = ["DOCUMENT_PATHS", "Document", "incident_page", "render"]

# kind -> the path of the document under the provider's base URL on the demo server.
DOCUMENT_PATHS: dict[str, str] = {
    "statuspage": "/api/v2/summary.json",
    "incidentio": "/api/v2/summary.json",
    "aws": "/public/currentevents",
    "gcp": "/incidents.json",
}

_COMPONENT_STATUS = {
    Status.OPERATIONAL: "operational",
    Status.MAINTENANCE: "under_maintenance",
    Status.DEGRADED: "degraded_performance",
    Status.PARTIAL_OUTAGE: "partial_outage",
    Status.MAJOR_OUTAGE: "major_outage",
    Status.UNKNOWN: "operational",  # scripts never use it; a page would not say it
}
_INDICATOR_RANK = ("none", "minor", "major", "critical")
_STATUS_INDICATOR = {
    Status.DEGRADED: "minor",
    Status.PARTIAL_OUTAGE: "major",
    Status.MAJOR_OUTAGE: "critical",
}
_IMPACT_INDICATOR = {Impact.MINOR: "minor", Impact.MAJOR: "major", Impact.CRITICAL: "critical"}
_DESCRIPTIONS = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major System Outage",
    "maintenance": "Service Under Maintenance",
}
# AWS event and service codes: "0" resolved, "1" informational, "2" degradation, "3" disruption.
_AWS_CODE = {
    Status.OPERATIONAL: "0",
    Status.MAINTENANCE: "1",
    Status.DEGRADED: "1",
    Status.PARTIAL_OUTAGE: "2",
    Status.MAJOR_OUTAGE: "3",
}
_GCP_IMPACT = {  # impact -> (severity, status_impact)
    Impact.NONE: ("low", "SERVICE_INFORMATION"),
    Impact.MAINTENANCE: ("low", "SERVICE_INFORMATION"),
    Impact.MINOR: ("medium", "SERVICE_DISRUPTION"),
    Impact.MAJOR: ("high", "SERVICE_DISRUPTION"),
    Impact.CRITICAL: ("high", "SERVICE_OUTAGE"),
}
_ANNOUNCED = timedelta(days=3)  # maintenance is announced this long before it starts
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True, slots=True)
class Document:
    """A body and its content type, as the demo server sends them."""

    body: bytes
    content_type: str


def render(provider: Provider, moment: datetime, base_url: str, since: datetime) -> Document:
    """Return `provider`'s document at `moment`; `base_url` is its page on the demo server.

    `since` is the scenario's start: the page's `updated_at` before anything happened.
    """
    writer = _WRITERS[provider.kind]
    return writer(provider, moment, base_url, since)


# --- Atlassian Statuspage and incident.io -----------------------------------------------------


def _statuspage(provider: Provider, moment: datetime, base_url: str, since: datetime) -> Document:
    """Atlassian's summary.json: groups, shortlinks, started_at, maintenances, ms timestamps."""
    page_id = _short_id(provider.id)
    parts = provider.parts_at(moment)
    ids = {part.id: _short_id(provider.id, part.id) for part in provider.parts}
    names = {part.id: part.name for part in provider.parts}
    groups = {part.group for part in provider.parts if part.group}
    components: list[dict[str, Any]] = []
    for position, group in enumerate(sorted(groups), start=1):
        children = [part for part in provider.parts if part.group == group]
        worst = max((parts[p.id] for p in children), key=lambda s: s.severity)
        row = _sp_component(page_id, _short_id(provider.id, group), group, worst, position, since)
        row.update(group=True, components=[ids[p.id] for p in children])
        components.append(row)
    for position, part in enumerate(provider.parts, start=len(groups) + 1):
        row = _sp_component(page_id, ids[part.id], part.name, parts[part.id], position, since)
        if part.group:
            row["group_id"] = _short_id(provider.id, part.group)
        components.append(row)
    by_id = {row["id"]: row for row in components}
    incidents = []
    for state in provider.events_at(moment):
        if state.resolved:
            continue  # summary.json lists unresolved incidents only
        incident_id = _short_id(provider.id, state.event.id)
        affected = [by_id[ids[p]] for p, s in state.affects.items() if p in ids and s.is_problem]
        incidents.append(
            {
                "id": incident_id,
                "name": state.event.title,
                "status": state.phase.value,
                "created_at": _sp_time(state.started_at),
                "updated_at": _sp_time(state.updated_at),
                "monitoring_at": _sp_time(_first(state, Phase.MONITORING)),
                "resolved_at": None,
                "impact": state.impact.value,
                "shortlink": f"{base_url}/incidents/{incident_id}",
                "started_at": _sp_time(state.started_at),
                "page_id": page_id,
                "incident_updates": _sp_updates(provider, state, incident_id, names),
                "components": affected,
                "reminder_intervals": None,
            }
        )
    maintenances = [
        _sp_maintenance(provider, window, moment, base_url, page_id, ids, by_id)
        for window in provider.planned
        if window.starts - _ANNOUNCED <= moment and window.phase(moment) is not Phase.COMPLETED
    ]
    indicator = _indicator(provider, moment)
    document = {
        "page": {
            "id": page_id,
            "name": provider.name,
            "url": base_url,
            "time_zone": "Etc/UTC",
            "updated_at": _sp_time(provider.changed_at(moment, since)),
        },
        "components": components,
        "incidents": incidents,
        "scheduled_maintenances": maintenances,
        "status": {"indicator": indicator, "description": _DESCRIPTIONS[indicator]},
    }
    return _json(document)


def _incidentio(provider: Provider, moment: datetime, base_url: str, since: datetime) -> Document:
    """incident.io's Statuspage-compatible summary: ULIDs, no groups, no shortlinks."""
    page_id = _ulid(since, provider.id)
    parts = provider.parts_at(moment)
    components = [
        {
            "id": _ulid(since, provider.id, part.id),
            "name": part.name,
            "status": _COMPONENT_STATUS[parts[part.id]],
            "position": position,
            "page_id": page_id,
            "created_at": _io_time(since - timedelta(days=400)),
            "updated_at": _io_time(provider.changed_at(moment, since)),
        }
        for position, part in enumerate(provider.parts, start=1)
    ]
    incidents = []
    for state in provider.events_at(moment):
        if state.resolved:
            continue
        incident_id = _ulid(state.started_at, provider.id, state.event.id)
        incidents.append(
            {
                "id": incident_id,
                "name": state.event.title,
                "status": state.phase.value,
                "impact": state.impact.value,
                "created_at": _io_time(state.started_at),
                "updated_at": _io_time(state.updated_at),
                "page_id": page_id,
                "incident_updates": [
                    {
                        "id": _ulid(post.at, provider.id, state.event.id, str(index)),
                        "incident_id": incident_id,
                        "status": post.phase.value,
                        "body": post.text,
                        "created_at": _io_time(post.at),
                        "updated_at": _io_time(post.at),
                        "display_at": _io_time(post.at),
                    }
                    for index, post in enumerate(state.posts)
                ],
            }
        )
    indicator = _indicator(provider, moment)
    document: dict[str, Any] = {
        "page": {
            "id": page_id,
            "name": provider.name,
            "url": base_url + "/",
            "updated_at": _io_time(provider.changed_at(moment, since)),
        },
        "components": components,
        "status": {"indicator": indicator, "description": _DESCRIPTIONS[indicator]},
    }
    if incidents:  # incident.io leaves the key out when there is none
        document["incidents"] = incidents
    return _json(document)


def _sp_component(
    page_id: str, component_id: str, name: str, status: Status, position: int, since: datetime
) -> dict[str, Any]:
    return {
        "id": component_id,
        "name": name,
        "status": _COMPONENT_STATUS[status],
        "created_at": _sp_time(since - timedelta(days=2000)),
        "updated_at": _sp_time(since),
        "position": position,
        "description": None,
        "showcase": False,
        "start_date": None,
        "group_id": None,
        "page_id": page_id,
        "group": False,
        "only_show_if_degraded": False,
    }


def _sp_updates(
    provider: Provider, state: EventState, incident_id: str, names: dict[str, str]
) -> list[dict[str, Any]]:
    """The incident's updates, newest first, each naming the components its post changed."""
    rows = []
    for index, post in enumerate(state.posts):
        changed = None
        if post.affects is not None:
            changed = [
                {
                    "code": _short_id(provider.id, part_id),
                    "name": names.get(part_id, part_id),
                    "old_status": "operational",
                    "new_status": _COMPONENT_STATUS[level],
                }
                for part_id, level in post.affects
            ]
        rows.append(
            {
                "id": _short_id(provider.id, state.event.id, str(index)),
                "status": post.phase.value,
                "body": post.text,
                "incident_id": incident_id,
                "created_at": _sp_time(post.at),
                "updated_at": _sp_time(post.at),
                "display_at": _sp_time(post.at),
                "affected_components": changed,
                "deliver_notifications": True,
                "custom_tweet": None,
                "tweet_id": None,
            }
        )
    return rows


def _sp_maintenance(
    provider: Provider,
    window: Planned,
    moment: datetime,
    base_url: str,
    page_id: str,
    ids: dict[str, str],
    by_id: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """One scheduled or in-progress maintenance in Statuspage's shape."""
    maintenance_id = _short_id(provider.id, window.id)
    announced = window.starts - _ANNOUNCED
    phase = window.phase(moment)
    updates = [(announced, Phase.SCHEDULED, window.text)]
    if phase is Phase.IN_PROGRESS:
        updates.insert(0, (window.starts, Phase.IN_PROGRESS, "The maintenance has started."))
    return {
        "id": maintenance_id,
        "name": window.title,
        "status": phase.value,
        "created_at": _sp_time(announced),
        "updated_at": _sp_time(updates[0][0]),
        "monitoring_at": None,
        "resolved_at": None,
        "impact": "maintenance",
        "shortlink": f"{base_url}/incidents/{maintenance_id}",
        "started_at": _sp_time(announced),
        "page_id": page_id,
        "incident_updates": [
            {
                "id": _short_id(provider.id, window.id, str(index)),
                "status": update_phase.value,
                "body": text,
                "incident_id": maintenance_id,
                "created_at": _sp_time(at),
                "updated_at": _sp_time(at),
                "display_at": _sp_time(at),
                "affected_components": None,
                "deliver_notifications": True,
                "custom_tweet": None,
                "tweet_id": None,
            }
            for index, (at, update_phase, text) in enumerate(updates)
        ],
        "components": [by_id[ids[p]] for p in window.parts if p in ids],
        "scheduled_for": _sp_time(window.starts),
        "scheduled_until": _sp_time(window.ends),
    }


def _indicator(provider: Provider, moment: datetime) -> str:
    """The page indicator: the worst of its open incidents' impacts and its components."""
    rank = 0
    for state in provider.events_at(moment):
        if not state.resolved:
            rank = max(rank, _INDICATOR_RANK.index(_IMPACT_INDICATOR.get(state.impact, "none")))
    for status in provider.parts_at(moment).values():
        rank = max(rank, _INDICATOR_RANK.index(_STATUS_INDICATOR.get(status, "none")))
    if rank == 0 and any(w.phase(moment) is Phase.IN_PROGRESS for w in provider.planned):
        return "maintenance"
    return _INDICATOR_RANK[rank]


# --- AWS Health Dashboard ----------------------------------------------------------------------


def _aws(provider: Provider, moment: datetime, base_url: str, since: datetime) -> Document:
    """`currentevents`: a JSON array of events, UTF-16 with a byte order mark like the real one."""
    names = {part.id: (part.name, part.group or "") for part in provider.parts}
    events = []
    for state in reversed(provider.events_at(moment)):  # newest event first
        region = _aws_region(state)
        code = "0" if state.resolved else _AWS_CODE[state.worst()]
        worst_seen = _aws_worst(state)
        event: dict[str, Any] = {
            "date": str(_epoch(state.started_at)),
            "arn": (
                f"arn:aws:health:{region}::event/MULTIPLE_SERVICES/"
                f"AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE/{state.event.id}"
            ),
            "region_name": next((g for _, g in names.values() if g), region),
            "status": code,
            "service": f"multipleservices-{region}",
            "service_name": "Multiple services",
            "summary": ("[RESOLVED] " if state.resolved else "") + state.event.title,
            "event_log": [
                {
                    "summary": state.event.title,
                    "message": post.text,
                    "status": 1,
                    "timestamp": _epoch(post.at),
                }
                for post in reversed(state.posts)  # a log, oldest entry first
            ],
            "impacted_services": {
                part_id: {
                    "service_name": names.get(part_id, (part_id, ""))[0],
                    "current": _AWS_CODE[level],
                    "max": worst_seen[part_id],
                }
                for part_id, level in state.affects.items()
            },
        }
        if state.resolved_at is not None:
            event["end_time"] = str(_epoch(state.resolved_at))
        events.append(event)
    body = json.dumps(events, indent=1, ensure_ascii=False)
    return Document(b"\xfe\xff" + body.encode("utf-16-be"), "application/json")


def _aws_region(state: EventState) -> str:
    """The region in the service keys (`dynamodb-us-east-1` -> `us-east-1`)."""
    for part_id in state.affects:
        pieces = part_id.split("-", 1)
        if len(pieces) == 2:
            return pieces[1]
    return "us-east-1"


def _aws_worst(state: EventState) -> dict[str, str]:
    """Each service's worst code over the event so far (the dashboard's `max`)."""
    worst: dict[str, Status] = {}
    for post in reversed(state.posts):
        for part_id, level in post.affects or ():
            if level.severity > worst.get(part_id, Status.OPERATIONAL).severity:
                worst[part_id] = level
    return {part_id: _AWS_CODE[worst.get(part_id, Status.OPERATIONAL)] for part_id in state.affects}


# --- Google Cloud ------------------------------------------------------------------------------


def _gcp(provider: Provider, moment: datetime, base_url: str, since: datetime) -> Document:
    """incidents.json: every incident, newest first, each with its updates newest first."""
    products = [{"title": part.name, "id": part.id} for part in provider.parts]
    locations = [
        {"title": title, "id": region}
        for title, region in (
            ("Iowa (us-central1)", "us-central1"),
            ("South Carolina (us-east1)", "us-east1"),
            ("Northern Virginia (us-east4)", "us-east4"),
            ("Oregon (us-west1)", "us-west1"),
            ("Belgium (europe-west1)", "europe-west1"),
            ("Frankfurt (europe-west3)", "europe-west3"),
            ("Tokyo (asia-northeast1)", "asia-northeast1"),
            ("Singapore (asia-southeast1)", "asia-southeast1"),
        )
    ]
    incidents = []
    for state in reversed(provider.events_at(moment)):
        severity, status_impact = _GCP_IMPACT[state.impact]
        touched = [p for p in products if p["id"] in state.affects]
        updates = []
        for post in state.posts:
            where = locations if not post.phase.is_closed else []
            updates.append(
                {
                    "created": _gcp_time(post.at),
                    "modified": _gcp_time(post.at),
                    "when": _gcp_time(post.at),
                    "text": post.text,
                    "status": "AVAILABLE" if post.phase.is_closed else status_impact,
                    "affected_locations": where,
                }
            )
        number = str(int(hashlib.sha256(state.event.id.encode()).hexdigest()[:16], 16))
        incident: dict[str, Any] = {
            "id": state.event.id,
            "number": number,
            "begin": _gcp_time(state.started_at),
            "created": _gcp_time(state.started_at),
            "modified": _gcp_time(state.updated_at),
            "external_desc": state.event.title,
            "updates": updates,
            "most_recent_update": updates[0],
            "status_impact": status_impact,
            "severity": severity,
            "service_key": "zall" if len(touched) != 1 else touched[0]["id"],
            "service_name": "Multiple Products" if len(touched) != 1 else touched[0]["title"],
            "affected_products": touched,
            "uri": f"incidents/{state.event.id}",
            "currently_affected_locations": [] if state.resolved else locations,
            "previously_affected_locations": locations if state.resolved else [],
        }
        if state.resolved_at is not None:
            incident["end"] = _gcp_time(state.resolved_at)
        incidents.append(incident)
    return _json(incidents)


# --- incident pages ----------------------------------------------------------------------------


def incident_page(provider: Provider, incident_id: str, moment: datetime) -> bytes | None:
    """A small HTML page for one incident or maintenance (what `o` opens), or None."""
    for state in provider.events_at(moment):
        known = {
            state.event.id,
            _short_id(provider.id, state.event.id),
            _ulid(state.started_at, provider.id, state.event.id),
        }
        if incident_id in known:
            items = "".join(
                f"<li><strong>{html.escape(post.phase.value)}</strong> "
                f"<small>{html.escape(_sp_time(post.at) or '')}</small><br>"
                f"{html.escape(post.text)}</li>"
                for post in state.posts
            )
            return _html(f"{provider.name}: {state.event.title}", f"<ul>{items}</ul>")
    for window in provider.planned:
        if incident_id in (window.id, _short_id(provider.id, window.id)):
            return _html(f"{provider.name}: {window.title}", f"<p>{html.escape(window.text)}</p>")
    return None


def _html(title: str, body: str) -> bytes:
    text = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        "<p><em>statuswatch demo: a replay, not the provider's live page.</em></p>"
        f"{body}</body></html>"
    )
    return text.encode("utf-8")


# --- helpers -----------------------------------------------------------------------------------


def _json(document: object) -> Document:
    return Document(json.dumps(document, indent=1, ensure_ascii=False).encode(), "application/json")


def _first(state: EventState, phase: Phase) -> datetime | None:
    """When the incident first reached `phase`, if it has."""
    times = [post.at for post in state.posts if post.phase is phase]
    return min(times) if times else None


def _short_id(*parts: str) -> str:
    """A stable 12-character id like Statuspage's, derived from `parts`."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    return "".join(alphabet[b % 36] for b in digest[:12])


def _ulid(moment: datetime, *parts: str) -> str:
    """A stable ULID (48-bit milliseconds, 80 bits from a hash), as incident.io uses."""
    millis = int(moment.timestamp() * 1000)
    random = int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:10], "big")
    value = (millis << 80) | random
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def _sp_time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _io_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _gcp_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


_Writer = Callable[[Provider, datetime, str, datetime], Document]
_WRITERS: dict[str, _Writer] = {
    "statuspage": _statuspage,
    "incidentio": _incidentio,
    "aws": _aws,
    "gcp": _gcp,
}
