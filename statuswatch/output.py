"""The headless outputs: the versioned JSON document and the plain-text status table."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from statuswatch.model import (
    Component,
    Incident,
    Maintenance,
    Phase,
    ProviderReport,
    ProviderSpec,
    Snapshot,
    Status,
    Update,
)
from statuswatch.timefmt import age, rfc3339, short_utc

SCHEMA = "statuswatch/v1"


def _update(update: Update) -> dict[str, Any]:
    return {
        "at": rfc3339(update.at),
        "phase": update.phase.value,
        "raw_status": update.raw_status,
        "text": update.text,
    }


def _updates(updates: Iterable[Update]) -> list[dict[str, Any]]:
    # Newest first is part of the document's contract, whatever order an adapter produced.
    ordered = sorted(updates, key=lambda u: u.at, reverse=True)
    return [_update(u) for u in ordered]


def _component(component: Component) -> dict[str, Any]:
    return {
        "id": component.id,
        "name": component.name,
        "group": component.group,
        "status": component.status.value,
        "raw_status": component.raw_status,
    }


def _incident(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "title": incident.title,
        "impact": incident.impact.value,
        "raw_impact": incident.raw_impact,
        "phase": incident.phase.value,
        "raw_status": incident.raw_status,
        "started_at": rfc3339(incident.started_at),
        "updated_at": rfc3339(incident.updated_at),
        "resolved_at": rfc3339(incident.resolved_at),
        "url": incident.url,
        "components": list(incident.components),
        "updates": _updates(incident.updates),
    }


def _maintenance(maintenance: Maintenance) -> dict[str, Any]:
    return {
        "id": maintenance.id,
        "title": maintenance.title,
        "phase": maintenance.phase.value,
        "raw_status": maintenance.raw_status,
        "scheduled_for": rfc3339(maintenance.scheduled_for),
        "scheduled_until": rfc3339(maintenance.scheduled_until),
        "components": list(maintenance.components),
        "url": maintenance.url,
        "updates": _updates(maintenance.updates),
    }


def provider_document(report: ProviderReport) -> dict[str, Any]:
    """Return one provider's entry of the JSON document."""
    page = report.page
    spec = report.spec
    if report.error is not None:
        description = report.error.message
    else:
        description = page.description if page else ""
    return {
        "id": spec.id,
        "name": spec.name,
        "kind": spec.kind,
        "page_url": spec.url,
        "status": report.status.value,
        "raw_status": page.raw_status if page and report.error is None else "",
        "description": description,
        "fetched_at": rfc3339(report.fetched_at),
        "source_updated_at": rfc3339(page.updated_at) if page else None,
        "stale": report.stale,
        "error": (
            {"type": report.error.type.value, "message": report.error.message}
            if report.error
            else None
        ),
        "components": [_component(c) for c in page.components] if page else [],
        "incidents": [_incident(i) for i in page.incidents] if page else [],
        "maintenances": [_maintenance(m) for m in page.maintenances] if page else [],
    }


def snapshot_document(snapshot: Snapshot) -> dict[str, Any]:
    """Return the whole `statuswatch/v1` document; providers stay in watch-list order."""
    return {
        "schema": SCHEMA,
        "generated_at": rfc3339(snapshot.generated_at),
        "providers": [provider_document(r) for r in snapshot.reports],
    }


def catalog_document(specs: Sequence[ProviderSpec], watched: Iterable[str]) -> dict[str, Any]:
    """Return the `statuswatch providers --json` document."""
    watching = set(watched)
    return {
        "schema": SCHEMA,
        "providers": [
            {
                "id": s.id,
                "name": s.name,
                "kind": s.kind,
                "url": s.url,
                "feed": s.feed,
                "category": s.category,
                "default": s.default,
                "watched": s.id in watching,
            }
            for s in specs
        ],
    }


def dumps(document: dict[str, Any], *, pretty: bool = False) -> str:
    """Serialise a document the one way every command does: one line, or indented for people."""
    # Indenting switches json to its pure-Python encoder: 0.15 s for 200 providers, so the
    # indented form is only for a person at a terminal (commands pass stdout.isatty()).
    return json.dumps(document, indent=2 if pretty else None, ensure_ascii=False) + "\n"


# --- plain-text table -----------------------------------------------------------------------

_COLOURS = {
    Status.OPERATIONAL: "32",  # green
    Status.MAINTENANCE: "34",  # blue
    Status.DEGRADED: "33",  # yellow
    Status.PARTIAL_OUTAGE: "38;5;208",  # orange
    Status.MAJOR_OUTAGE: "1;31",  # bold red
    Status.UNKNOWN: "35",  # magenta
}
_LABELS = {
    Status.OPERATIONAL: "operational",
    Status.MAINTENANCE: "maintenance",
    Status.DEGRADED: "degraded",
    Status.PARTIAL_OUTAGE: "partial outage",
    Status.MAJOR_OUTAGE: "MAJOR OUTAGE",
    Status.UNKNOWN: "unknown",
}


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def _active(incidents: Iterable[Incident]) -> list[Incident]:
    return [i for i in incidents if not i.phase.is_closed]


def worst_first(reports: Sequence[ProviderReport]) -> list[ProviderReport]:
    """Return reports worst first (outages, then unknown), keeping watch order among equals."""
    return sorted(reports, key=lambda r: -r.status.urgency)


def _incident_lines(incident: Incident, now: datetime) -> list[str]:
    since = ""
    if incident.started_at is not None:
        since = f", since {short_utc(incident.started_at)} ({age(incident.started_at, now)})"
    lines = [f"    ! [{incident.impact.value}] {incident.title} ({incident.phase.value}{since})"]
    if incident.updates:
        newest = max(incident.updates, key=lambda u: u.at)
        first_line = newest.text.split("\n", 1)[0]
        if len(first_line) > 160:
            first_line = first_line[:159] + "…"
        lines.append(f"      {age(newest.at, now)}: {first_line}")
    if incident.url:
        lines.append(f"      {incident.url}")
    return lines


def _maintenance_lines(maintenance: Maintenance, now: datetime) -> list[str]:
    when = ""
    if maintenance.scheduled_for is not None:
        when = f", {short_utc(maintenance.scheduled_for)} ({age(maintenance.scheduled_for, now)})"
    return [f"    ~ maintenance {maintenance.phase.value}: {maintenance.title}{when}"]


def status_table(snapshot: Snapshot, *, only_problems: bool = False, colour: bool = False) -> str:
    """Return the plain-text table: worst first, a line per provider, active incidents below."""
    now = snapshot.generated_at
    reports = worst_first(snapshot.reports)
    problems = [r for r in reports if r.status.is_problem]
    unknown = sum(1 for r in problems if r.status is Status.UNKNOWN)
    lines = [
        f"statuswatch · {short_utc(now)} · {len(reports)} providers: "
        f"{len(problems) - unknown} with problems, {unknown} unknown"
    ]
    shown = problems if only_problems else reports
    if not shown:
        lines.append("All providers operational.")
    name_width = min(max((len(r.spec.name) for r in shown), default=10), 32)
    for report in shown:
        status = report.status
        label = _paint(f"{_LABELS[status]:<14}", _COLOURS[status], colour)
        name = report.spec.name[:name_width]
        detail = _detail(report, now)
        lines.append(f"{label} {name:<{name_width}}  {detail}".rstrip())
        page = report.page
        if page is None:
            continue
        for incident in _active(page.incidents):
            lines.extend(_incident_lines(incident, now))
        for maintenance in page.maintenances:
            if maintenance.phase in (Phase.IN_PROGRESS, Phase.VERIFYING):
                lines.extend(_maintenance_lines(maintenance, now))
        upcoming = sum(1 for m in page.maintenances if m.phase is Phase.SCHEDULED)
        if upcoming and not only_problems:
            lines.append(f"    ~ {upcoming} upcoming maintenance{'s' if upcoming > 1 else ''}")
    return "\n".join(lines) + "\n"


def _detail(report: ProviderReport, now: datetime) -> str:
    if report.error is None:
        return report.page.description if report.page else ""
    text = f"{report.error.type.value}: {report.error.message}"
    if report.stale and report.fetched_at is not None:
        text += f" (showing data from {age(report.fetched_at, now)})"
    return text
