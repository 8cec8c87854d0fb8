"""The model into JSON documents: the `statuswatch/v1` status document and its parts."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from statuswatch.document import SCHEMA
from statuswatch.model import (
    Component,
    Correlation,
    Impact,
    Incident,
    Maintenance,
    Phase,
    ProbeState,
    ProbeSummary,
    ProviderReport,
    ProviderSpec,
    Risk,
    Snapshot,
    StackReport,
    Status,
    Update,
    Vantage,
)
from statuswatch.timefmt import rfc3339

__all__ = [
    "SCHEMA",
    "catalog_document",
    "component_document",
    "correlation_document",
    "dumps",
    "incident_document",
    "maintenance_document",
    "probe_fields",
    "probe_summary_document",
    "provider_document",
    "snapshot_bytes",
    "snapshot_chunks",
    "snapshot_document",
    "stack_document",
    "update_document",
    "vantage_document",
]

# Each enum member's value by a dict lookup (`.value` is a descriptor call, ~25 a provider).
_VALUE: dict[Status | Impact | Phase, str] = {
    member: member.value for enum in (Status, Impact, Phase) for member in enum
}


def update_document(update: Update) -> dict[str, Any]:
    """Return one update of an incident or a maintenance."""
    return {
        "at": rfc3339(update.at),
        "phase": _VALUE[update.phase],
        "raw_status": update.raw_status,
        "text": update.text,
    }


def _updates(updates: Iterable[Update]) -> list[dict[str, Any]]:
    # Newest first is part of the document's contract, whatever order an adapter produced.
    ordered = sorted(updates, key=lambda u: u.at, reverse=True)
    return [update_document(u) for u in ordered]


def component_document(component: Component) -> dict[str, Any]:
    """Return one component of a provider's page."""
    return {
        "id": component.id,
        "name": component.name,
        "group": component.group,
        "status": _VALUE[component.status],
        "raw_status": component.raw_status,
    }


def incident_document(incident: Incident) -> dict[str, Any]:
    """Return one incident, its updates newest first."""
    return {
        "id": incident.id,
        "title": incident.title,
        "impact": _VALUE[incident.impact],
        "raw_impact": incident.raw_impact,
        "phase": _VALUE[incident.phase],
        "raw_status": incident.raw_status,
        "started_at": rfc3339(incident.started_at),
        "updated_at": rfc3339(incident.updated_at),
        "resolved_at": rfc3339(incident.resolved_at),
        "url": incident.url,
        "components": list(incident.components),
        "updates": _updates(incident.updates),
        "detected_lead_s": incident.detected_lead_s,  # probes: how late the page was
    }


def maintenance_document(maintenance: Maintenance) -> dict[str, Any]:
    """Return one maintenance, its updates newest first."""
    return {
        "id": maintenance.id,
        "title": maintenance.title,
        "phase": _VALUE[maintenance.phase],
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
        "status": _VALUE[report.status],
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
        "components": [component_document(c) for c in page.components] if page else [],
        "incidents": [_scoped_incident(report, i) for i in page.incidents] if page else [],
        "maintenances": [maintenance_document(m) for m in page.maintenances] if page else [],
        **probe_fields(report),
        **_scope_fields(report),
    }


def snapshot_document(snapshot: Snapshot) -> dict[str, Any]:
    """Return the whole `statuswatch/v1` document; providers stay in watch-list order."""
    return {
        "schema": SCHEMA,
        "generated_at": rfc3339(snapshot.generated_at),
        "providers": [provider_document(r) for r in snapshot.reports],
        "vantage": vantage_document(snapshot.vantage),
        "stacks": [stack_document(stack) for stack in snapshot.stacks],
        "correlations": [correlation_document(c) for c in snapshot.correlations],
    }


# What `dumps` does with a provider's document, made once: `json.dumps` with any option makes
# an encoder per call. Our documents hold no cycles (plain trees we build), hence no check.
_ONE_LINE = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def snapshot_bytes(snapshot: Snapshot) -> bytes:
    """Return `dumps(snapshot_document(snapshot))` as UTF-8, one provider at a time.

    The same bytes, without the whole document as dicts and as one str at once: for `serve`
    at 5,000 providers that tree and string were ~80 MB on top of the bytes.
    """
    return b"".join(snapshot_chunks(snapshot))


def snapshot_chunks(snapshot: Snapshot) -> Iterator[bytes]:
    """`snapshot_bytes(snapshot)` in pieces: the envelope's head, each provider's entry, and
    the envelope's tail (for `serve`, which compresses them as they come)."""
    # The envelope without its providers, cut where they go. "providers" comes after two
    # plain strings, so the first '"providers": []' of the text is that key.
    envelope = dumps(snapshot_document(dataclasses.replace(snapshot, reports=())))
    head, _, tail = envelope.partition('"providers": []')
    yield head.encode("utf-8") + b'"providers": ['
    encode = _ONE_LINE.encode
    for n, report in enumerate(snapshot.reports):
        text = encode(provider_document(report))
        yield (", " + text if n else text).encode("utf-8")
    yield b"]" + tail.encode("utf-8")


# --- scoping, stacks, the blast radius and shared causes (issue 13) ---------------------------


def _scoped_incident(report: ProviderReport, incident: Incident) -> dict[str, Any]:
    """An incident with `in_scope`: null when it names no component of a scoped provider."""
    unnamed = report.scope.unnamed if report.scope is not None else frozenset()
    return {**incident_document(incident), "in_scope": None if incident.id in unnamed else True}


def _risk(risk: Risk) -> dict[str, Any]:
    scope = list(risk.scope) if risk.scope is not None else None
    return {"provider": risk.provider, "scope": scope, "status": risk.status.value}


def _scope_fields(report: ProviderReport) -> dict[str, Any]:
    """A provider's scope, what it leaves out, and what may affect it."""
    note = report.scope
    return {
        "scope": list(note.patterns) if note is not None else None,
        "out_of_scope": {
            "components": note.out_of_scope_components if note is not None else 0,
            "incidents": note.out_of_scope_incidents if note is not None else 0,
        },
        "at_risk_from": [_risk(risk) for risk in report.at_risk_from],
    }


def stack_document(stack: StackReport) -> dict[str, Any]:
    """Return one stack: its status, each part's, and why."""
    return {
        "id": stack.id,
        "name": stack.name,
        "status": stack.status.value,
        "parts": [
            {
                "provider": part.provider,
                "scope": list(part.scope) if part.scope is not None else None,
                "status": part.status.value,
            }
            for part in stack.parts
        ],
        "reasons": list(stack.reasons),
    }


def correlation_document(correlation: Correlation) -> dict[str, Any]:
    """Return one set of incidents that likely share a cause."""
    return {
        "id": correlation.id,
        "cause": correlation.cause,
        "members": [
            {
                "provider": member.provider,
                "incident": member.incident,
                "started_at": rfc3339(member.started_at),
            }
            for member in correlation.members
        ],
        "text": correlation.text,
    }


# --- probes (statuswatch.probes): additive fields of statuswatch/v1 --------------------------


def probe_summary_document(summary: ProbeSummary | None) -> dict[str, Any]:
    """A provider's `probes`: their state this poll, since when, and each probe's result."""
    summary = summary or ProbeSummary(ProbeState.OFF)
    return {
        "state": summary.state.value,
        "passed": summary.passed,
        "total": summary.total,
        "since": rfc3339(summary.since),
        "results": [
            {
                "url": r.url,
                "region": r.region,
                "ok": r.ok,
                "status": r.status,
                "error": r.error,
                "latency_ms": r.latency_ms,
            }
            for r in summary.results
        ],
    }


def probe_fields(report: ProviderReport) -> dict[str, Any]:
    """The `probes` and `early_warning` of a provider's entry (a warning is never its status)."""
    warning = report.early_warning
    return {
        "probes": probe_summary_document(report.probes),
        "early_warning": (
            None if warning is None else {"since": rfc3339(warning.since), "text": warning.text}
        ),
    }


def vantage_document(vantage: Vantage | None) -> dict[str, Any]:
    """The document's `vantage`: `offline` when probes fail nearly everywhere (our network)."""
    vantage = vantage or Vantage()
    return {"state": vantage.state.value, "text": vantage.text}


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
