"""The AWS Health Dashboard's `currentevents` and Google Cloud's `incidents.json` for a
scripted provider at a moment."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from statuswatch.demo.common import Document, epoch, gcp_time, json_document
from statuswatch.demo.script import EventState, Provider
from statuswatch.model import Impact, Status

__all__ = ["aws_currentevents", "gcp_incidents"]

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


def aws_currentevents(
    provider: Provider, moment: datetime, base_url: str, since: datetime
) -> Document:
    """`currentevents`: a JSON array of events, UTF-16 with a byte order mark like the real one."""
    names = {part.id: (part.name, part.group or "") for part in provider.parts}
    events = []
    for state in reversed(provider.events_at(moment)):  # newest event first
        region = _aws_region(state)
        code = "0" if state.resolved else _AWS_CODE[state.worst()]
        worst_seen = _aws_worst(state)
        event: dict[str, Any] = {
            "date": str(epoch(state.started_at)),
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
                    "timestamp": epoch(post.at),
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
            event["end_time"] = str(epoch(state.resolved_at))
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


def gcp_incidents(provider: Provider, moment: datetime, base_url: str, since: datetime) -> Document:
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
                    "created": gcp_time(post.at),
                    "modified": gcp_time(post.at),
                    "when": gcp_time(post.at),
                    "text": post.text,
                    "status": "AVAILABLE" if post.phase.is_closed else status_impact,
                    "affected_locations": where,
                }
            )
        number = str(int(hashlib.sha256(state.event.id.encode()).hexdigest()[:16], 16))
        incident: dict[str, Any] = {
            "id": state.event.id,
            "number": number,
            "begin": gcp_time(state.event.began or state.started_at),
            "created": gcp_time(state.started_at),
            "modified": gcp_time(state.updated_at),
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
            incident["end"] = gcp_time(state.resolved_at)
        incidents.append(incident)
    return json_document(incidents)
