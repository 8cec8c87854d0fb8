"""Synthetic history for the benchmarks: N providers over D days, recorded as polls would be.

Every provider gets incidents at seeded random times (about one every four days, 10 minutes to
6 hours long, impact minor/major/critical, 3 to 8 updates, two of its 20 components affected),
and the history is written by the real recorder (`record_snapshot`), one snapshot of every
provider per poll: a poll every `step` minutes plus one at each change, so the coverage is
continuous and every transition lands exactly. Half the providers are also backfilled with 50
older incidents of their page, as `history backfill` would.

    from history_data import build
    build(path, providers=200, days=90, until=datetime.now(UTC))
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from statuswatch.history.backfill import apply_history
from statuswatch.history.db import HistoryDB
from statuswatch.history.record import record_snapshot
from statuswatch.model import (
    Component,
    Impact,
    Incident,
    Page,
    Phase,
    ProviderReport,
    ProviderSpec,
    Snapshot,
    Status,
    Update,
)

_STATUS = {
    Impact.MINOR: Status.DEGRADED,
    Impact.MAJOR: Status.PARTIAL_OUTAGE,
    Impact.CRITICAL: Status.MAJOR_OUTAGE,
}


@dataclass(frozen=True)
class Planned:
    """One synthetic incident."""

    id: str
    start: datetime
    end: datetime
    impact: Impact
    updates: tuple[datetime, ...]

    def shown(self, now: datetime) -> Incident:
        """The incident as the page shows it at `now` (updates posted so far)."""
        posted = [u for u in self.updates if u <= now]
        closed = now >= self.end
        updates = [
            Update(at, Phase.INVESTIGATING if n == 0 else Phase.IDENTIFIED, f"update {n}", "")
            for n, at in enumerate(posted)
        ]
        if closed:
            updates.append(Update(self.end, Phase.RESOLVED, "resolved", "resolved"))
        return Incident(
            id=self.id,
            title=f"Incident {self.id}",
            impact=self.impact,
            phase=Phase.RESOLVED if closed else Phase.IDENTIFIED,
            started_at=self.start,
            resolved_at=self.end if closed else None,
            components=("Component 1", "Component 2"),
            updates=tuple(reversed(updates)),
        )


def plan(rng: random.Random, provider: int, since: datetime, until: datetime) -> list[Planned]:
    """Incidents of one provider in [since, until), not overlapping."""
    out: list[Planned] = []
    at = since + timedelta(hours=rng.uniform(0, 96))
    n = 0
    while at < until:
        length = timedelta(minutes=rng.uniform(10, 360))
        impact = rng.choice((Impact.MINOR, Impact.MINOR, Impact.MAJOR, Impact.CRITICAL))
        count = rng.randint(3, 8)
        updates = tuple(sorted(at + length * rng.random() for _ in range(count - 1)))
        out.append(Planned(f"p{provider}-{n}", at, at + length, impact, (at, *updates)))
        n += 1
        at += length + timedelta(hours=rng.expovariate(1 / 96))
    return [p for p in out if p.end < until]


def page_at(incidents: list[Planned], now: datetime) -> Page:
    """The provider's summary page at `now`."""
    open_now = [p for p in incidents if p.updates[0] <= now < p.end]
    status = max((_STATUS[p.impact] for p in open_now), key=lambda s: s.severity, default=None)
    status = status or Status.OPERATIONAL
    components = tuple(
        Component(f"c{n}", f"Component {n}", status if n in (1, 2) else Status.OPERATIONAL)
        for n in range(20)
    )
    changed = [t for p in incidents for t in (*p.updates, p.end) if t <= now]
    return Page(
        status=status,
        updated_at=max(changed, default=None),
        components=components,
        incidents=tuple(p.shown(now) for p in open_now),
    )


class _Pages:
    """Each provider's page, rebuilt only when one of its incidents changed (as a CDN serves it)."""

    def __init__(self, planned: dict[str, list[Planned]]) -> None:
        self.planned = planned
        self.pages: dict[str, tuple[datetime | None, Page]] = {}
        self.changes = {
            pid: sorted(t for p in incidents for t in (*p.updates, p.end))
            for pid, incidents in planned.items()
        }

    def at(self, pid: str, now: datetime) -> Page:
        times = self.changes[pid]
        index = bisect.bisect_right(times, now)
        last = times[index - 1] if index else None
        known = self.pages.get(pid)
        if known is None or known[0] != last:
            known = (last, page_at(self.planned[pid], now))
            self.pages[pid] = known
        return known[1]


def build(
    path: Path,
    *,
    providers: int,
    days: int,
    until: datetime,
    step: timedelta = timedelta(minutes=25),
    seed: int = 14,
) -> dict[str, int]:
    """Write the history at `path`; return what was written."""
    rng = random.Random(seed)
    since = until - timedelta(days=days)
    specs = [
        ProviderSpec(f"p{n:03d}", f"Provider {n:03d}", "statuspage", f"https://p{n}.test")
        for n in range(providers)
    ]
    planned = {spec.id: plan(rng, n, since, until) for n, spec in enumerate(specs)}
    ticks: list[datetime] = []
    tick = since
    while tick < until:
        ticks.append(tick)
        tick += step
    # Polls of every provider every `step`, and one of the provider concerned at each change
    # (the others' pages are unchanged then: recording them too would add nothing).
    changes = sorted(
        (t, spec_id)
        for spec_id, incidents in planned.items()
        for p in incidents
        for t in (*p.updates, p.end)
        if since <= t < until
    )
    polls: list[tuple[datetime, list[ProviderSpec]]] = [(t, specs) for t in ticks]
    by_id = {spec.id: spec for spec in specs}
    polls += [(t, [by_id[spec_id]]) for t, spec_id in changes]
    polls.sort(key=lambda poll: poll[0])
    pages = _Pages(planned)
    with HistoryDB.open(path) as db:
        for spec in specs[::2]:  # half of them backfilled with their page's older record
            older = plan(rng, int(spec.id[1:]), since - timedelta(days=200), since)[-50:]
            page = Page(Status.OPERATIONAL, incidents=tuple(p.shown(since) for p in older))
            apply_history(db, spec, page, since)
        for now, polled in polls:
            reports = tuple(ProviderReport(spec, pages.at(spec.id, now), now) for spec in polled)
            record_snapshot(db, Snapshot(now, reports))
    return {
        "providers": providers,
        "days": days,
        "polls": len(polls),
        "incidents": sum(len(v) for v in planned.values()),
    }
