"""The page's lag: how long after our early warning the page first posted about it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from statuswatch.model import Incident
from statuswatch.probes.warning import Memory

__all__ = ["LEAD_MEMORY", "LEAD_WINDOW", "first_post", "note_leads"]

# A page that posts within this long after our warning cleared is still late about the same
# trouble (pages often post once it is over); later than that it is about something else.
LEAD_WINDOW = timedelta(minutes=60)
# How long a lead is kept after its incident was last seen on the page.
LEAD_MEMORY = timedelta(days=30)


def first_post(incident: Incident) -> datetime | None:
    """When the page first posted about `incident`: its oldest update, else its start."""
    if incident.updates:
        return min(update.at for update in incident.updates)
    return incident.started_at


def note_leads(memory: Memory, incidents: Sequence[Incident], at: datetime) -> Memory:
    """Record `detected_lead_s` for incidents posted while a warning was open (or just after).

    A lead is the seconds from the warning's opening to the page's first post; it is kept
    once noted, so the incident carries it after the warning is gone.
    """
    leads = dict(memory.leads)
    seen = {i: t for i, t in memory.lead_seen.items() if at - t <= LEAD_MEMORY}
    leads = {i: lead for i, lead in leads.items() if i in seen}
    for incident in incidents:
        if incident.id in leads:
            seen[incident.id] = at
            continue
        lead = _lead(memory, incident)
        if lead is not None:
            leads[incident.id] = lead
            seen[incident.id] = at
    return replace(memory, leads=leads, lead_seen=seen)


def _lead(memory: Memory, incident: Incident) -> int | None:
    """The lead for `incident` against the open warning or the last closed one, if any."""
    posted = first_post(incident)
    if posted is None:
        return None
    windows: list[tuple[datetime, datetime | None]] = []
    if memory.warning is not None:
        windows.append((memory.warning, None))
    if memory.last is not None:
        windows.append((memory.last.opened_at, memory.last.closed_at + LEAD_WINDOW))
    for opened, until in windows:
        if opened <= posted and (until is None or posted <= until):
            return int((posted - opened).total_seconds())
    return None
