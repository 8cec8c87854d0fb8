"""The history's JSON documents: `statuswatch/history/v1` and `statuswatch/report/v1`.

What `statuswatch history --json` and `statuswatch report --json` print and serve's
/v1/history and /v1/report send; `history_read` reads them back. Their JSON Schemas ship
beside this module (`statuswatch.document.schema`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from statuswatch.document import HISTORY_SCHEMA, REPORT_SCHEMA
from statuswatch.history.model import Note, PastIncident, PastMaintenance, ProviderFigures, Report
from statuswatch.timefmt import rfc3339

__all__ = [
    "history_document",
    "incident_entry",
    "maintenance_entry",
    "report_document",
]


def _note(note: Note | None) -> dict[str, Any] | None:
    if note is None:
        return None
    return {"at": rfc3339(note.at), "phase": note.phase, "text": note.text}


def incident_entry(incident: PastIncident) -> dict[str, Any]:
    """One incident of the history document."""
    return {
        "provider": incident.provider,
        "provider_name": incident.provider_name,
        "id": incident.id,
        "title": incident.title,
        "impact": incident.impact,
        "phase": incident.phase,
        "started_at": rfc3339(incident.start),
        "posted_at": rfc3339(incident.posted_at),
        "resolved_at": rfc3339(incident.resolved_at),
        "duration_s": incident.duration_s,
        "components": list(incident.components),
        "updates": incident.update_count,
        "first_update": _note(incident.first_update),
        "last_update": _note(incident.last_update),
        "url": incident.url,
        "source": incident.source,
        "first_seen_at": rfc3339(incident.first_seen_at),
        "detected_lead_s": incident.detected_lead_s,
        "page_lag_s": incident.page_lag_s,
    }


def maintenance_entry(maintenance: PastMaintenance) -> dict[str, Any]:
    """One maintenance of the history document."""
    return {
        "provider": maintenance.provider,
        "provider_name": maintenance.provider_name,
        "id": maintenance.id,
        "title": maintenance.title,
        "phase": maintenance.phase,
        "scheduled_for": rfc3339(maintenance.scheduled_for),
        "scheduled_until": rfc3339(maintenance.scheduled_until),
        "started_at": rfc3339(maintenance.started_at),
        "completed_at": rfc3339(maintenance.completed_at),
        "components": list(maintenance.components),
        "url": maintenance.url,
        "source": maintenance.source,
    }


def history_document(
    incidents: Sequence[PastIncident],
    maintenances: Sequence[PastMaintenance],
    *,
    generated_at: datetime,
    since: datetime | None,
    until: datetime | None,
) -> dict[str, Any]:
    """The `statuswatch history --json` document; newest first."""
    return {
        "schema": HISTORY_SCHEMA,
        "generated_at": rfc3339(generated_at),
        "since": rfc3339(since),
        "until": rfc3339(until),
        "incidents": [incident_entry(i) for i in incidents],
        "maintenances": [maintenance_entry(m) for m in maintenances],
    }


def _figures_entry(p: ProviderFigures) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": p.id,
        "name": p.name,
        "incidents": p.incidents,
        "minutes": p.minutes,
        "uptime_pct": p.uptime_pct,
        "mttr_s": p.mttr_s,
        "longest_s": p.longest_s,
        "longest_incident": p.longest_id,
        "page_lag_s": p.page_lag_s,
        "observed_pct": p.observed_pct,
        "known_pct": p.known_pct,
        "basis": p.basis,
    }
    if p.parts is not None:
        entry["parts"] = list(p.parts)
    if p.daily is not None:
        entry["daily"] = [{"date": day, "status": status} for day, status in p.daily]
    return entry


def report_document(report: Report, *, generated_at: datetime) -> dict[str, Any]:
    """The `statuswatch report --json` document; providers in the order asked, then stacks."""
    return {
        "schema": REPORT_SCHEMA,
        "generated_at": rfc3339(generated_at),
        "since": rfc3339(report.since),
        "until": rfc3339(report.until),
        "providers": [_figures_entry(p) for p in report.providers],
        "stacks": [_figures_entry(s) for s in report.stacks],
    }
