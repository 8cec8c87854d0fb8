"""Events from two observations: the saved state and a new snapshot (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from statuswatch.model import (
    Impact,
    Incident,
    Maintenance,
    Page,
    Phase,
    ProviderReport,
    ProviderSpec,
    Snapshot,
    Status,
    Update,
)
from statuswatch.notify.early import early_warning_events
from statuswatch.notify.events import (
    Event,
    component_text,
    event_id,
    incident_text,
    maintenance_text,
    provider_text,
)
from statuswatch.notify.settings import EventKind
from statuswatch.notify.stackevents import stack_events
from statuswatch.notify.state import (
    ComponentMemory,
    IncidentMemory,
    MaintenanceMemory,
    ProviderMemory,
    State,
)
from statuswatch.records import record
from statuswatch.timefmt import rfc3339

# A closed incident the page no longer lists is remembered this long, so a reopening within
# it is told as one (with its own ids) rather than as a brand new incident.
RETENTION = timedelta(days=7)
# A provider not polled for this long (removed from the watch list) is forgotten.
FORGET_AFTER = timedelta(days=30)
_RUNNING = (Phase.IN_PROGRESS, Phase.VERIFYING)

__all__ = ["DeriveOptions", "derive", "update_key"]


@record
class DeriveOptions:
    """How events are derived."""

    unreachable_after: int = 3
    remind_before: float = 3600.0
    send_existing: bool = False  # on a baseline, tell what is active instead of recording it
    first_run: bool = False  # no saved state at all: record, tell nothing (but send_existing)


def update_key(update: Update) -> str:
    """Identify an update by its time and status (edits of its text are not new updates)."""
    return f"{rfc3339(update.at)}|{update.raw_status or update.phase.value}"


def derive(state: State, snapshot: Snapshot, options: DeriveOptions) -> tuple[list[Event], State]:
    """Return the events between `state` and `snapshot`, and the state to save after them.

    A failed fetch (stale data included) only counts towards provider_unreachable: nothing
    else is derived from it, so it never resolves or reopens anything. A provider seen for the
    first time is recorded silently (a baseline) unless `send_existing`.
    """
    new = state.copy()
    now = snapshot.generated_at
    events: list[Event] = []
    for report in snapshot.reports:
        memory = new.providers.setdefault(report.spec.id, ProviderMemory())
        events.extend(_provider(memory, report, now, options))
    for pid in [
        p for p, m in new.providers.items() if m.seen_at and now - m.seen_at > FORGET_AFTER
    ]:
        del new.providers[pid]
    events += stack_events(
        new,
        snapshot,
        first_run=options.first_run,
        send_existing=options.send_existing,
        forget_after=FORGET_AFTER,
    )
    return events, new


def _provider(
    memory: ProviderMemory, report: ProviderReport, now: datetime, options: DeriveOptions
) -> list[Event]:
    """The events of one provider; updates `memory` in place."""
    memory.seen_at = now
    told = early_warning_events(
        memory, report, now, first_run=options.first_run, send_existing=options.send_existing
    )
    return told + _page_events(memory, report, now, options)


def _page_events(
    memory: ProviderMemory, report: ProviderReport, now: datetime, options: DeriveOptions
) -> list[Event]:
    """The events of one provider's page; updates `memory` in place."""
    spec = report.spec
    if report.error is not None or report.page is None:
        memory.failures += 1
        if (
            not options.first_run
            and memory.failures >= options.unreachable_after
            and not memory.unreachable
        ):
            memory.unreachable = True
            memory.outages += 1
            kind = EventKind.PROVIDER_UNREACHABLE
            detail = report.error.message if report.error else "no page"
            if report.error is not None:
                detail = f"{report.error.type.value}: {detail}"
            return [
                Event(
                    id=event_id(spec.id, kind, "", str(memory.outages)),
                    kind=kind,
                    at=now,
                    provider=spec,
                    text=provider_text(kind, spec, detail),
                )
            ]
        return []
    events: list[Event] = []
    if memory.unreachable:
        kind = EventKind.PROVIDER_RECOVERED
        events.append(
            Event(
                id=event_id(spec.id, kind, "", str(memory.outages)),
                kind=kind,
                at=now,
                provider=spec,
                text=provider_text(kind, spec, ""),
            )
        )
        memory.unreachable = False
    memory.failures = 0
    page = report.page
    if not memory.baseline:
        memory.baseline = True
        told = _baseline(memory, spec, page, now)
        return events + (told if options.send_existing else [])
    events += _incidents(memory, spec, page.incidents, now)
    events += _maintenances(memory, spec, page.maintenances, now, options)
    events += _components(memory, spec, page, report.fetched_at or now)
    return events


# --- baseline -------------------------------------------------------------------------------


def _baseline(memory: ProviderMemory, spec: ProviderSpec, page: Page, now: datetime) -> list[Event]:
    """Record a page without telling; return what --send-existing would tell."""
    existing: list[Event] = []
    for incident in page.incidents:
        closed = incident.phase.is_closed
        memory.incidents[incident.id] = _remember_incident(
            IncidentMemory(closed=closed, closed_at=now if closed else None), incident
        )
        if not closed:
            existing.append(_incident_event(EventKind.INCIDENT_OPENED, spec, incident, 0, now))
    for maintenance in page.maintenances:
        running = maintenance.phase in _RUNNING
        done = maintenance.phase.is_closed
        memory.maintenances[maintenance.id] = _remember_maintenance(
            MaintenanceMemory(
                phase=maintenance.phase.value, started=running or done, completed=done
            ),
            maintenance,
        )
        if running:
            existing.append(
                _maintenance_event(EventKind.MAINTENANCE_STARTED, spec, maintenance, now)
            )
    for component in page.components:
        memory.components[component.id] = ComponentMemory(status=component.status)
    return existing


# --- incidents ------------------------------------------------------------------------------


def _remember_incident(memory: IncidentMemory, incident: Incident) -> IncidentMemory:
    """Copy what a later resolution by disappearance needs, and every update key."""
    known = dict.fromkeys(memory.updates)
    for update in _oldest_first(incident.updates):
        known[update_key(update)] = None
    memory.updates = list(known)
    memory.title = incident.title
    memory.impact = incident.impact.value
    memory.url = incident.url
    memory.components = list(incident.components)
    memory.started_at = incident.started_at
    memory.raw_impact = incident.raw_impact
    memory.raw_status = incident.raw_status
    return memory


def _oldest_first(updates: Iterable[Update]) -> list[Update]:
    return sorted(updates, key=lambda u: u.at)


def _incidents(
    memory: ProviderMemory, spec: ProviderSpec, incidents: Iterable[Incident], now: datetime
) -> list[Event]:
    events: list[Event] = []
    present: set[str] = set()
    for incident in incidents:
        present.add(incident.id)
        closed = incident.phase.is_closed
        known = memory.incidents.get(incident.id)
        if known is None:
            memory.incidents[incident.id] = _remember_incident(
                IncidentMemory(closed=closed, closed_at=now if closed else None), incident
            )
            events.append(_incident_event(EventKind.INCIDENT_OPENED, spec, incident, 0, now))
            if closed:  # opened and resolved between two runs: both are news
                events.append(_incident_event(EventKind.INCIDENT_RESOLVED, spec, incident, 0, now))
            continue
        seen = set(known.updates)
        new = [u for u in _oldest_first(incident.updates) if update_key(u) not in seen]
        if known.closed and not closed:
            # Reopened: a new generation, whose opening carries the updates that reopened it.
            known.gen += 1
            known.closed, known.closed_at = False, None
            events.append(
                _incident_event(EventKind.INCIDENT_OPENED, spec, incident, known.gen, now)
            )
        elif closed and not known.closed:
            # The closing update is told by the resolution itself, the others one by one.
            for update in new:
                if not update.phase.is_closed:
                    events.append(_update_event(spec, incident, update))
            known.closed, known.closed_at = True, now
            events.append(
                _incident_event(EventKind.INCIDENT_RESOLVED, spec, incident, known.gen, now)
            )
        else:
            events.extend(_update_event(spec, incident, update) for update in new)
        _remember_incident(known, incident)
    for incident_id, known in list(memory.incidents.items()):
        if incident_id in present:
            continue
        if not known.closed:
            # A fresh page no longer lists it: Statuspage's summary drops resolved incidents.
            known.closed, known.closed_at = True, now
            events.append(
                _incident_event(
                    EventKind.INCIDENT_RESOLVED, spec, _recalled(incident_id, known), known.gen, now
                )
            )
        elif known.closed_at is None or now - known.closed_at > RETENTION:
            del memory.incidents[incident_id]
    return events


def _recalled(incident_id: str, known: IncidentMemory) -> Incident:
    """The incident as remembered, resolved: the page no longer shows it."""
    try:
        impact = Impact(known.impact)
    except ValueError:
        impact = Impact.NONE
    return Incident(
        id=incident_id,
        title=known.title,
        impact=impact,
        phase=Phase.RESOLVED,
        started_at=known.started_at,
        url=known.url,
        components=tuple(known.components),
        raw_status=known.raw_status,
        raw_impact=known.raw_impact,
    )


def _incident_event(
    kind: EventKind, spec: ProviderSpec, incident: Incident, gen: int, now: datetime
) -> Event:
    """incident_opened or incident_resolved for generation `gen` of an incident."""
    ordered = _oldest_first(incident.updates)
    note = ordered[-1].text if ordered else ""
    if kind is EventKind.INCIDENT_OPENED:
        at = incident.started_at or (ordered[0].at if ordered else now)
    else:
        closing = [u for u in ordered if u.phase.is_closed]
        note = closing[-1].text if closing else ""
        at = incident.resolved_at or (closing[-1].at if closing else now)
    return Event(
        id=event_id(spec.id, kind, incident.id, str(gen)),
        kind=kind,
        at=at,
        provider=spec,
        text=incident_text(kind, spec, incident, note),
        incident=incident,
    )


def _update_event(spec: ProviderSpec, incident: Incident, update: Update) -> Event:
    kind = EventKind.INCIDENT_UPDATED
    return Event(
        id=event_id(spec.id, kind, incident.id, update_key(update)),
        kind=kind,
        at=update.at,
        provider=spec,
        text=incident_text(kind, spec, incident, update.text),
        incident=incident,
    )


# --- maintenances ---------------------------------------------------------------------------


def _remember_maintenance(memory: MaintenanceMemory, maintenance: Maintenance) -> MaintenanceMemory:
    memory.phase = maintenance.phase.value
    memory.scheduled_for = maintenance.scheduled_for
    memory.title = maintenance.title
    memory.url = maintenance.url
    memory.components = list(maintenance.components)
    memory.scheduled_until = maintenance.scheduled_until
    memory.raw_status = maintenance.raw_status
    return memory


def _maintenances(
    memory: ProviderMemory,
    spec: ProviderSpec,
    maintenances: Iterable[Maintenance],
    now: datetime,
    options: DeriveOptions,
) -> list[Event]:
    events: list[Event] = []
    present: set[str] = set()
    for maintenance in maintenances:
        present.add(maintenance.id)
        running = maintenance.phase in _RUNNING
        done = maintenance.phase.is_closed
        known = memory.maintenances.get(maintenance.id)
        if known is None:
            known = MaintenanceMemory(phase=maintenance.phase.value)
            memory.maintenances[maintenance.id] = known
            if done:
                kind = EventKind.MAINTENANCE_COMPLETED
            elif running:
                kind = EventKind.MAINTENANCE_STARTED
            else:
                kind = EventKind.MAINTENANCE_SCHEDULED
            # A window that ended before we first saw it, still 'scheduled' on a page nobody
            # updated, is not news: telling it would announce work in the past as planned.
            if kind is not EventKind.MAINTENANCE_SCHEDULED or not maintenance.is_over(now):
                events.append(_maintenance_event(kind, spec, maintenance, now))
            known.started, known.completed = running or done, done
        else:
            if running and not known.started:
                known.started = True
                kind = EventKind.MAINTENANCE_STARTED
                events.append(_maintenance_event(kind, spec, maintenance, now))
            if done and not known.completed:
                known.started = known.completed = True
                kind = EventKind.MAINTENANCE_COMPLETED
                events.append(_maintenance_event(kind, spec, maintenance, now))
        _remember_maintenance(known, maintenance)
        reminder = _reminder(known, spec, maintenance, now, options)
        if reminder is not None:
            events.append(reminder)
    for maintenance_id, known in list(memory.maintenances.items()):
        if maintenance_id in present:
            continue
        due = known.scheduled_for is not None and known.scheduled_for <= now
        if not known.completed and (known.started or due):
            # Summary documents drop finished maintenances; a future one that vanishes was
            # cancelled, which no event kind tells.
            kind = EventKind.MAINTENANCE_COMPLETED
            events.append(
                _maintenance_event(kind, spec, _recalled_maintenance(maintenance_id, known), now)
            )
        del memory.maintenances[maintenance_id]
    return events


def _reminder(
    known: MaintenanceMemory,
    spec: ProviderSpec,
    maintenance: Maintenance,
    now: datetime,
    options: DeriveOptions,
) -> Event | None:
    """maintenance_reminder once per start time, `remind_before` seconds before it starts."""
    start = maintenance.scheduled_for
    if start is None or known.started or known.completed:
        return None
    left = (start - now).total_seconds()
    stamp = rfc3339(start)
    if not 0 < left <= options.remind_before or known.reminded_for == stamp:
        return None
    known.reminded_for = stamp
    kind = EventKind.MAINTENANCE_REMINDER
    return Event(
        id=event_id(spec.id, kind, maintenance.id, stamp or ""),
        kind=kind,
        at=now,
        provider=spec,
        text=maintenance_text(kind, spec, maintenance, now),
        maintenance=maintenance,
    )


def _recalled_maintenance(maintenance_id: str, known: MaintenanceMemory) -> Maintenance:
    return Maintenance(
        id=maintenance_id,
        title=known.title,
        phase=Phase.COMPLETED,
        scheduled_for=known.scheduled_for,
        scheduled_until=known.scheduled_until,
        url=known.url,
        components=tuple(known.components),
        raw_status=known.raw_status,
    )


def _maintenance_event(
    kind: EventKind, spec: ProviderSpec, maintenance: Maintenance, now: datetime
) -> Event:
    ordered = _oldest_first(maintenance.updates)
    return Event(
        id=event_id(spec.id, kind, maintenance.id),
        kind=kind,
        at=ordered[-1].at if ordered else now,
        provider=spec,
        text=maintenance_text(kind, spec, maintenance, now),
        maintenance=maintenance,
    )


# --- components -----------------------------------------------------------------------------


def _components(
    memory: ProviderMemory, spec: ProviderSpec, page: Page, at: datetime
) -> list[Event]:
    """component_changed between two known statuses; unknown neither starts nor ends a change."""
    events: list[Event] = []
    present: set[str] = set()
    for component in page.components:
        present.add(component.id)
        known = memory.components.get(component.id)
        if known is None:
            memory.components[component.id] = ComponentMemory(status=component.status)
            continue
        if component.status is Status.UNKNOWN or component.status is known.status:
            continue
        if known.status is Status.UNKNOWN:
            known.status = component.status
            continue
        previous = known.status
        known.status = component.status
        known.changes += 1
        kind = EventKind.COMPONENT_CHANGED
        events.append(
            Event(
                id=event_id(
                    spec.id, kind, component.id, f"{known.changes}:{component.status.value}"
                ),
                kind=kind,
                at=at,
                provider=spec,
                text=component_text(spec, component, previous),
                component=component,
                previous=previous,
            )
        )
    for component_id in [c for c in memory.components if c not in present]:
        del memory.components[component_id]
    return events
