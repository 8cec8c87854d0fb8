"""Events: what the notifier tells, with a stable id, its payload and its one-line text."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from statuswatch.document import SCHEMA
from statuswatch.document.write import (
    component_document,
    correlation_document,
    incident_document,
    maintenance_document,
    stack_document,
)
from statuswatch.model import (
    Component,
    Correlation,
    EarlyWarning,
    Impact,
    Incident,
    Maintenance,
    ProviderSpec,
    StackReport,
    Status,
)
from statuswatch.notify.settings import EventKind
from statuswatch.records import record
from statuswatch.timefmt import age, rfc3339, short_utc

_SNIPPET = 280  # characters of an update quoted in a one-line text


def event_id(provider_id: str, kind: EventKind, subject: str, detail: str = "") -> str:
    """A deterministic id: the same change seen again (after a crash) gets the same id."""
    raw = "\x1f".join((provider_id, kind.value, subject, detail))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


@record
class Event:
    """One change to tell; `incident`, `maintenance`, `component`, `stack` or `correlation` is
    its subject, if any. A stack's events have no provider; a shared cause's is the cause."""

    id: str
    kind: EventKind
    at: datetime
    provider: ProviderSpec | None
    text: str
    incident: Incident | None = None
    maintenance: Maintenance | None = None
    component: Component | None = None
    previous: Status | None = None  # a component's (or a stack's) status before the change
    stack: StackReport | None = None
    correlation: Correlation | None = None
    early_warning: EarlyWarning | None = None  # the warning opened or cleared (probes)

    @property
    def impact(self) -> Impact | None:
        """How bad the subject is, for `min_impact`; None for provider events."""
        if self.incident is not None:
            return self.incident.impact
        if self.maintenance is not None:
            return Impact.MAINTENANCE
        status = self.component.status if self.component is not None else None
        if self.stack is not None:
            status = self.stack.status
        if status is not None:
            # A recovery is as important as the trouble it ends.
            statuses = [status, self.previous or Status.OPERATIONAL]
            return max((_STATUS_IMPACT[s] for s in statuses), key=lambda i: i.severity)
        return None

    @property
    def components(self) -> tuple[str, ...]:
        """Names (and ids) of the components the event concerns, for the `components` filter."""
        if self.incident is not None:
            return self.incident.components
        if self.maintenance is not None:
            return self.maintenance.components
        if self.component is not None:
            return (self.component.id, self.component.name)
        return ()


# A component's status as an impact, for `min_impact` (a recovery ranks as none).
_STATUS_IMPACT = {
    Status.OPERATIONAL: Impact.NONE,
    Status.MAINTENANCE: Impact.MAINTENANCE,
    Status.DEGRADED: Impact.MINOR,
    Status.PARTIAL_OUTAGE: Impact.MAJOR,
    Status.MAJOR_OUTAGE: Impact.CRITICAL,
    Status.UNKNOWN: Impact.NONE,
}


def payload(event: Event) -> dict[str, Any]:
    """The `event` object of the webhook document (also what the outbox keeps)."""
    provider = event.provider
    body: dict[str, Any] = {
        "id": event.id,
        "kind": event.kind.value,
        "at": rfc3339(event.at),
        "provider": (
            {"id": provider.id, "name": provider.name, "page_url": provider.url}
            if provider is not None
            else None
        ),
    }
    if event.stack is not None:
        body["stack"] = stack_document(event.stack)
    elif event.correlation is not None:
        body["correlation"] = correlation_document(event.correlation)
    elif event.incident is not None:
        body["incident"] = incident_document(event.incident)
    elif event.maintenance is not None:
        body["maintenance"] = maintenance_document(event.maintenance)
    elif event.component is not None:
        body["component"] = component_document(event.component)
    elif event.early_warning is not None:
        warning = event.early_warning
        body["early_warning"] = {"since": rfc3339(warning.since), "text": warning.text}
    body["text"] = event.text
    return body


def document(event: dict[str, Any]) -> dict[str, Any]:
    """The whole webhook document for a stored event payload."""
    return {"schema": SCHEMA, "event": event}


def _snippet(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _SNIPPET else line[: _SNIPPET - 1] + "…"


def _label(status: Status) -> str:
    return status.value.replace("_", " ")


def incident_text(kind: EventKind, provider: ProviderSpec, incident: Incident, note: str) -> str:
    """The one-line text of an incident event; `note` is the update it tells, if any."""
    head = f"{provider.name}: "
    tail = f" {incident.url}" if incident.url else ""
    what = f"[{incident.impact.value}] {incident.title}"
    if kind is EventKind.INCIDENT_OPENED:
        text = f"{head}new incident {what} ({incident.phase.value})"
    elif kind is EventKind.INCIDENT_UPDATED:
        text = f"{head}update on {what}"
    else:
        text = f"{head}resolved: {what}"
    if note:
        text += f": {_snippet(note)}"
    return text + tail


def maintenance_text(
    kind: EventKind, provider: ProviderSpec, maintenance: Maintenance, now: datetime
) -> str:
    """The one-line text of a maintenance event."""
    when = ""
    if maintenance.scheduled_for is not None:
        when = f" ({short_utc(maintenance.scheduled_for)})"
    words = {
        EventKind.MAINTENANCE_SCHEDULED: "maintenance scheduled",
        EventKind.MAINTENANCE_STARTED: "maintenance started",
        EventKind.MAINTENANCE_COMPLETED: "maintenance completed",
    }
    if kind is EventKind.MAINTENANCE_REMINDER and maintenance.scheduled_for is not None:
        label = f"maintenance starts {age(maintenance.scheduled_for, now)}"
    else:
        label = words.get(kind, "maintenance")
    tail = f" {maintenance.url}" if maintenance.url else ""
    return f"{provider.name}: {label}: {maintenance.title}{when}{tail}"


def component_text(provider: ProviderSpec, component: Component, previous: Status) -> str:
    """The one-line text of a component change."""
    name = f"{component.group} / {component.name}" if component.group else component.name
    return f"{provider.name}: {name} is now {_label(component.status)} (was {_label(previous)})"


def provider_text(kind: EventKind, provider: ProviderSpec, detail: str) -> str:
    """The one-line text of provider_unreachable / provider_recovered."""
    if kind is EventKind.PROVIDER_UNREACHABLE:
        return f"{provider.name}: status page unreachable: {_snippet(detail)}"
    return f"{provider.name}: status page reachable again"


def early_warning_text(kind: EventKind, provider: ProviderSpec, warning: EarlyWarning) -> str:
    """The one-line text of early_warning_opened / early_warning_cleared."""
    if kind is EventKind.EARLY_WARNING_OPENED:
        return f"{provider.name}: early warning (not on its status page yet): {warning.text}"
    since = warning.since.strftime("%H:%M UTC")
    return f"{provider.name}: early warning cleared: its probes pass again (warned from {since})"


def stack_text(kind: EventKind, stack: StackReport, previous: Status) -> str:
    """The one-line text of stack_degraded / stack_recovered."""
    if kind is EventKind.STACK_RECOVERED:
        return f"stack {stack.name}: operational again (was {_label(previous)})"
    why = f": {'; '.join(stack.reasons[:3])}" if stack.reasons else ""
    return f"stack {stack.name} is {_label(stack.status)}{_snippet(why)}"


def cascade_text(correlation: Correlation) -> str:
    """The one-line text of cascade_suspected."""
    return f"incidents linked: {correlation.text}"


def line(event: dict[str, Any]) -> str:
    """One line for people (stdout, dry runs): the time and the text of a stored event."""
    at = event.get("at") or ""
    return f"{at}  {event.get('text', '')}"
