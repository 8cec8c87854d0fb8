"""The notifier's early-warning events: opened and cleared, from the snapshot's probes."""

from __future__ import annotations

from datetime import datetime

from statuswatch.model import EarlyWarning, ProbeState, ProviderReport, ProviderSpec
from statuswatch.notify.events import Event, early_warning_text, event_id
from statuswatch.notify.settings import EventKind
from statuswatch.notify.state import ProviderMemory
from statuswatch.timefmt import rfc3339

__all__ = ["early_warning_events"]


def early_warning_events(
    memory: ProviderMemory,
    report: ProviderReport,
    now: datetime,
    *,
    first_run: bool,
    send_existing: bool,
) -> list[Event]:
    """early_warning_opened / _cleared when the report's warning differs from the memory's.

    Whatever the page did: a warning may stay open while the page cannot be read. A report
    whose probes were off (`--no-probes`) says nothing about the warning: it stays as it was.
    On a first run the warning is recorded, and told only with `send_existing`.
    """
    probes = report.probes
    if probes is None or probes.state is ProbeState.OFF:
        return []
    warning = report.early_warning
    since = warning.since if warning is not None else None
    if since == memory.warning_since:
        if warning is not None:
            memory.warning_text = warning.text
        return []
    spec = report.spec
    events: list[Event] = []
    if memory.warning_since is not None and not first_run:
        ended = EarlyWarning(since=memory.warning_since, text=memory.warning_text)
        events.append(_event(EventKind.EARLY_WARNING_CLEARED, spec, ended, now))
    if warning is not None and (not first_run or send_existing):
        events.append(_event(EventKind.EARLY_WARNING_OPENED, spec, warning, now))
    memory.warning_since = since
    memory.warning_text = warning.text if warning is not None else ""
    return events


def _event(kind: EventKind, spec: ProviderSpec, warning: EarlyWarning, now: datetime) -> Event:
    """One early-warning event; its id is the warning's opening time, stable across runs."""
    return Event(
        id=event_id(spec.id, kind, rfc3339(warning.since) or ""),
        kind=kind,
        at=now,
        provider=spec,
        text=early_warning_text(kind, spec, warning),
        early_warning=warning,
    )
