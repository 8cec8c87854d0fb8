"""A stack's figures over a window (issue 13's stacks): the worst of its parts at each moment.

A part is a provider, whole or scoped (`aws:us-east-1`). A whole provider's part is its own
timeline (see `report`). A scoped part is, where our polls watched the provider, the worst of
the components its scope matches (operational when none of them is troubled: a page listing
only impacted components shows nothing of a healthy region), and elsewhere the page's
incidents that name a component of the scope. The history keeps pages as they were read, so
any scope can be asked of it afterwards. The stack's incidents are its parts' (for a scoped
part, those naming a component of the scope); its maintenances, those of its whole parts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from statuswatch.history.db import HistoryDB
from statuswatch.history.figures import (
    ProviderData,
    figures_of,
    record_of,
    timeline,
    with_days,
)
from statuswatch.history.model import PastIncident, PastMaintenance, ProviderFigures
from statuswatch.history.timeline import OBSERVED, Segment, combine, segments
from statuswatch.model import Component, Status, Target
from statuswatch.scope import Scope, component_labels
from statuswatch.stacks import Stack

__all__ = ["incidents_in_scope", "scoped_figures", "stack_figures"]

Past = TypeVar("Past", PastIncident, PastMaintenance)


def stack_figures(
    db: HistoryDB,
    stacks: Sequence[Stack],
    data: Mapping[str, ProviderData],
    start: int,
    end: int,
    *,
    daily: bool = False,
) -> list[ProviderFigures]:
    """The figures of each stack, from the providers' data the report read (with the worst
    status of each UTC day of the window when `daily`)."""
    out: list[ProviderFigures] = []
    for stack in stacks:
        parts: list[list[Segment]] = []
        incidents: dict[tuple[str, str], PastIncident] = {}
        maintenance_count = 0
        for target in stack.uses:
            provider = data.get(target.provider)
            if provider is None:
                continue  # never recorded: nothing known of this part
            if target.scope is None:
                parts.append(timeline(provider, start, end))
                chosen = provider.incidents
                maintenance_count += provider.maintenance_count
            else:
                matched = _matched(db, target)
                chosen = [i for i in provider.incidents if _touches(i, target, matched)]
                parts.append(_scoped(db, target, provider, matched, chosen, start, end))
            for incident in chosen:
                incidents.setdefault((incident.provider, incident.id), incident)
        joined = ProviderData(
            name=stack.name,
            incidents=sorted(incidents.values(), key=_when),
            maintenance_count=maintenance_count,
        )
        pieces = combine(parts, start, end)
        figures = figures_of(stack.id, joined, pieces, start, end)
        if daily:
            figures = with_days(figures, pieces, start, end)
        out.append(dataclasses.replace(figures, parts=tuple(str(t) for t in stack.uses)))
    return out


def scoped_figures(
    db: HistoryDB,
    provider: str,
    scope: tuple[str, ...],
    data: Mapping[str, ProviderData],
    start: int,
    end: int,
    *,
    daily: bool = False,
) -> ProviderFigures:
    """A provider's figures in a scope (`-p aws:us-east-1`, a scoped watch entry)."""
    name = data[provider].name if provider in data else provider
    one = Stack(provider, f"{name} ({', '.join(scope)})", (Target(provider, scope),))
    [figures] = stack_figures(db, [one], data, start, end, daily=daily)
    return dataclasses.replace(figures, parts=None)


def incidents_in_scope(db: HistoryDB, target: Target, incidents: Sequence[Past]) -> list[Past]:
    """The incidents (or maintenances) that name a component in `target`'s scope (all of them
    without one)."""
    if target.scope is None:
        return list(incidents)
    matched = _matched(db, target)
    return [i for i in incidents if _touches(i, target, matched)]


def _when(incident: PastIncident) -> datetime:
    return incident.start or datetime.min.replace(tzinfo=UTC)


def _matched(db: HistoryDB, target: Target) -> dict[str, Component]:
    """The provider's components (all the history ever saw) that the part's scope matches."""
    assert target.scope is not None
    scope = Scope.of(target.scope)
    found: dict[str, Component] = {}
    for ident, name, group in db.conn.execute(
        "SELECT id, name, grp FROM components WHERE provider = ?", (target.provider,)
    ):
        component = Component(str(ident), str(name), Status.OPERATIONAL, group=group)
        if scope.matches(component_labels(component)):
            found[component.id] = component
    return found


def _touches(
    incident: PastIncident | PastMaintenance, target: Target, matched: Mapping[str, Component]
) -> bool:
    """True if the incident names a component in the part's scope."""
    assert target.scope is not None
    scope = Scope.of(target.scope)
    names = {c.name.casefold(): c for c in matched.values()}
    for named in incident.components:
        labels = [named]
        component = names.get(named.casefold())
        if component is not None:
            labels += component_labels(component)
        if scope.matches(labels):
            return True
    return False


def _scoped(
    db: HistoryDB,
    target: Target,
    provider: ProviderData,
    matched: Mapping[str, Component],
    incidents: Sequence[PastIncident],
    start: int,
    end: int,
) -> list[Segment]:
    """A scoped part's timeline: its components where we watched, its incidents elsewhere."""
    calm = [Segment(a, b, Status.OPERATIONAL, OBSERVED) for a, b in _clip(provider, start, end)]
    pieces = [calm]
    for component in matched:
        changes = [
            (int(at), Status(status))
            for at, status in db.conn.execute(
                "SELECT at, status FROM status_changes WHERE provider = ? AND component = ? "
                "AND at < ? ORDER BY at",
                (target.provider, component, end),
            )
        ]
        pieces.append(segments(changes, provider.coverage, [], None, start, end))
    record = record_of(incidents, end)
    pieces.append(segments([], provider.coverage, record, provider.known_from, start, end))
    return combine(pieces, start, end)


def _clip(provider: ProviderData, start: int, end: int) -> list[tuple[int, int]]:
    return [
        (max(a, start), min(b, end)) for a, b in provider.coverage if min(b, end) > max(a, start)
    ]
