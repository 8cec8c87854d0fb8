"""Atlassian Statuspage's and incident.io's `summary.json` for a scripted provider at a moment."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from statuswatch.demo.common import Document, io_time, json_document, short_id, sp_time, ulid
from statuswatch.demo.script import EventState, Planned, Provider
from statuswatch.model import Impact, Phase, Status

__all__ = ["incidentio_summary", "statuspage_summary"]

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
_ANNOUNCED = timedelta(days=3)  # maintenance is announced this long before it starts


def statuspage_summary(
    provider: Provider, moment: datetime, base_url: str, since: datetime
) -> Document:
    """Atlassian's summary.json: groups, shortlinks, started_at, maintenances, ms timestamps."""
    page_id = short_id(provider.id)
    parts = provider.parts_at(moment)
    ids = {part.id: short_id(provider.id, part.id) for part in provider.parts}
    names = {part.id: part.name for part in provider.parts}
    groups = {part.group for part in provider.parts if part.group}
    components: list[dict[str, Any]] = []
    for position, group in enumerate(sorted(groups), start=1):
        children = [part for part in provider.parts if part.group == group]
        worst = max((parts[p.id] for p in children), key=lambda s: s.severity)
        row = _sp_component(page_id, short_id(provider.id, group), group, worst, position, since)
        row.update(group=True, components=[ids[p.id] for p in children])
        components.append(row)
    for position, part in enumerate(provider.parts, start=len(groups) + 1):
        row = _sp_component(page_id, ids[part.id], part.name, parts[part.id], position, since)
        if part.group:
            row["group_id"] = short_id(provider.id, part.group)
        components.append(row)
    by_id = {row["id"]: row for row in components}
    incidents = []
    for state in provider.events_at(moment):
        if state.resolved:
            continue  # summary.json lists unresolved incidents only
        incident_id = short_id(provider.id, state.event.id)
        affected = [by_id[ids[p]] for p, s in state.affects.items() if p in ids and s.is_problem]
        incidents.append(
            {
                "id": incident_id,
                "name": state.event.title,
                "status": state.phase.value,
                "created_at": sp_time(state.started_at),
                "updated_at": sp_time(state.updated_at),
                "monitoring_at": sp_time(_first(state, Phase.MONITORING)),
                "resolved_at": None,
                "impact": state.impact.value,
                "shortlink": f"{base_url}/incidents/{incident_id}",
                "started_at": sp_time(state.event.began or state.started_at),
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
            "updated_at": sp_time(provider.changed_at(moment, since)),
        },
        "components": components,
        "incidents": incidents,
        "scheduled_maintenances": maintenances,
        "status": {"indicator": indicator, "description": _DESCRIPTIONS[indicator]},
    }
    return json_document(document)


def incidentio_summary(
    provider: Provider, moment: datetime, base_url: str, since: datetime
) -> Document:
    """incident.io's Statuspage-compatible summary: ULIDs, no groups, no shortlinks."""
    page_id = ulid(since, provider.id)
    parts = provider.parts_at(moment)
    components = [
        {
            "id": ulid(since, provider.id, part.id),
            "name": part.name,
            "status": _COMPONENT_STATUS[parts[part.id]],
            "position": position,
            "page_id": page_id,
            "created_at": io_time(since - timedelta(days=400)),
            "updated_at": io_time(provider.changed_at(moment, since)),
        }
        for position, part in enumerate(provider.parts, start=1)
    ]
    incidents = []
    for state in provider.events_at(moment):
        if state.resolved:
            continue
        incident_id = ulid(state.started_at, provider.id, state.event.id)
        incidents.append(
            {
                "id": incident_id,
                "name": state.event.title,
                "status": state.phase.value,
                "impact": state.impact.value,
                "created_at": io_time(state.started_at),
                "updated_at": io_time(state.updated_at),
                "page_id": page_id,
                "incident_updates": [
                    {
                        "id": ulid(post.at, provider.id, state.event.id, str(index)),
                        "incident_id": incident_id,
                        "status": post.phase.value,
                        "body": post.text,
                        "created_at": io_time(post.at),
                        "updated_at": io_time(post.at),
                        "display_at": io_time(post.at),
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
            "updated_at": io_time(provider.changed_at(moment, since)),
        },
        "components": components,
        "status": {"indicator": indicator, "description": _DESCRIPTIONS[indicator]},
    }
    if incidents:  # incident.io leaves the key out when there is none
        document["incidents"] = incidents
    return json_document(document)


def _sp_component(
    page_id: str, component_id: str, name: str, status: Status, position: int, since: datetime
) -> dict[str, Any]:
    return {
        "id": component_id,
        "name": name,
        "status": _COMPONENT_STATUS[status],
        "created_at": sp_time(since - timedelta(days=2000)),
        "updated_at": sp_time(since),
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
                    "code": short_id(provider.id, part_id),
                    "name": names.get(part_id, part_id),
                    "old_status": "operational",
                    "new_status": _COMPONENT_STATUS[level],
                }
                for part_id, level in post.affects
            ]
        rows.append(
            {
                "id": short_id(provider.id, state.event.id, str(index)),
                "status": post.phase.value,
                "body": post.text,
                "incident_id": incident_id,
                "created_at": sp_time(post.at),
                "updated_at": sp_time(post.at),
                "display_at": sp_time(post.at),
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
    maintenance_id = short_id(provider.id, window.id)
    announced = window.starts - _ANNOUNCED
    phase = window.phase(moment)
    updates = [(announced, Phase.SCHEDULED, window.text)]
    if phase is Phase.IN_PROGRESS:
        updates.insert(0, (window.starts, Phase.IN_PROGRESS, "The maintenance has started."))
    return {
        "id": maintenance_id,
        "name": window.title,
        "status": phase.value,
        "created_at": sp_time(announced),
        "updated_at": sp_time(updates[0][0]),
        "monitoring_at": None,
        "resolved_at": None,
        "impact": "maintenance",
        "shortlink": f"{base_url}/incidents/{maintenance_id}",
        "started_at": sp_time(announced),
        "page_id": page_id,
        "incident_updates": [
            {
                "id": short_id(provider.id, window.id, str(index)),
                "status": update_phase.value,
                "body": text,
                "incident_id": maintenance_id,
                "created_at": sp_time(at),
                "updated_at": sp_time(at),
                "display_at": sp_time(at),
                "affected_components": None,
                "deliver_notifications": True,
                "custom_tweet": None,
                "tweet_id": None,
            }
            for index, (at, update_phase, text) in enumerate(updates)
        ],
        "components": [by_id[ids[p]] for p in window.parts if p in ids],
        "scheduled_for": sp_time(window.starts),
        "scheduled_until": sp_time(window.ends),
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


def _first(state: EventState, phase: Phase) -> datetime | None:
    """When the incident first reached `phase`, if it has."""
    times = [post.at for post in state.posts if post.phase is phase]
    return min(times) if times else None
