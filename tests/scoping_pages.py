"""Status documents for the scoping tests: AWS events by region, Statuspage pages by group."""

from __future__ import annotations

import json
from typing import Any

_REGIONS = {"us-east-1": "N. Virginia", "ap-south-1": "Mumbai", "eu-west-1": "Ireland"}


def aws_event(region: str, service: str, code: str, *, ended: bool = False) -> dict[str, Any]:
    """One AWS Health event in `region` for `service` ("1" to "3": worse and worse), open
    unless `ended`."""
    key = f"{service}-{region}"
    event: dict[str, Any] = {
        "date": "1760943600",
        "arn": f"arn:aws:health:{region}::event/{service.upper()}/ISSUE/ISSUE_{key}",
        "region_name": _REGIONS.get(region, region),
        "status": code,
        "service": key,
        "service_name": f"Amazon {service.upper()}",
        "summary": f"Increased error rates ({region})",
        "event_log": [
            {"summary": "x", "message": "Investigating.", "status": 1, "timestamp": 1760943600}
        ],
        "impacted_services": {
            key: {"service_name": f"Amazon {service.upper()}", "current": code, "max": code}
        },
    }
    if ended:
        event["end_time"] = "1760947200"
    return event


def aws_events(*events: dict[str, Any]) -> bytes:
    """An AWS `currentevents` document."""
    return json.dumps(list(events)).encode()


def grouped_page(down_group: str | None, status: str = "major_outage") -> bytes:
    """A Statuspage summary: groups Europe and Americas of API and WEB each (the same names in
    both groups); every component of `down_group` in `status`, with an open incident naming
    them."""
    rows: list[dict[str, Any]] = []
    incidents = []
    for position, group in enumerate(("Europe", "Americas")):
        ids = [f"{group[:2].lower()}-api", f"{group[:2].lower()}-web"]
        rows.append(
            {
                "id": f"g-{group}",
                "name": group,
                "status": "operational",
                "group": True,
                "components": ids,
                "position": position,
            }
        )
        for cid in ids:
            state = status if group == down_group else "operational"
            rows.append(
                {
                    "id": cid,
                    "name": cid.split("-")[1].upper(),
                    "status": state,
                    "group": False,
                    "group_id": f"g-{group}",
                    "position": 1,
                }
            )
        if group == down_group:
            incidents.append(
                {
                    "id": f"inc-{group}",
                    "name": f"{group} is down",
                    "status": "investigating",
                    "impact": "critical",
                    "started_at": "2025-10-20T07:00:00Z",
                    "components": [{"id": c, "name": c.split("-")[1].upper()} for c in ids],
                    "incident_updates": [],
                }
            )
    indicator = "critical" if down_group else "none"
    return json.dumps(
        {
            "page": {"id": "p", "name": "Grouped", "url": "https://grouped.example"},
            "status": {"indicator": indicator, "description": "Page status"},
            "components": rows,
            "incidents": incidents,
            "scheduled_maintenances": [],
        }
    ).encode()


def simple_page(
    name: str, *, impact: str | None = None, component_status: str = "operational"
) -> bytes:
    """A Statuspage summary with one component, and an open incident of `impact` if given."""
    indicator = {None: "none", "minor": "minor", "major": "major", "critical": "critical"}
    incidents = []
    if impact is not None:
        incidents.append(
            {
                "id": f"{name}-incident",
                "name": f"{name} has trouble",
                "status": "investigating",
                "impact": impact,
                "started_at": "2025-11-18T11:48:00Z",
                "components": [{"id": f"{name}-core", "name": "Core"}],
                "incident_updates": [],
            }
        )
    return json.dumps(
        {
            "page": {"id": name, "name": name, "url": f"https://{name}.example"},
            "status": {"indicator": indicator[impact], "description": "status"},
            "components": [{"id": f"{name}-core", "name": "Core", "status": component_status}],
            "incidents": incidents,
            "scheduled_maintenances": [],
        }
    ).encode()
