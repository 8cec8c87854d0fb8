"""Reliability figures per provider over a window: incidents, minutes by status, uptime, MTTR.

Figures and where they come from (each provider's `basis` says it per figure):

* `incidents` (by impact, plus maintenances), `mttr_s`, `longest_s`, `page_lag_s`: the page's
  own incident record (its start and resolution times), whether a poll or a backfill saw it;
* `minutes` (major outage, partial outage, degraded, maintenance) and `uptime_pct`: our polls
  where they watched the provider ("observed"), the page's record elsewhere ("page"), "mixed"
  when both; time before anything was known is left out (`known_pct` says how much is known);
* uptime counts a minute of major outage as down and a minute of partial outage as 30 % down
  (the weighting Atlassian Statuspage uses for its own uptime bars); degraded and maintenance
  count as up.

All the rows are read in four queries; the rest is arithmetic in one pass per provider.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from statuswatch.history.db import HistoryDB, to_ms
from statuswatch.history.model import PastIncident, ProviderFigures, Report
from statuswatch.history.query import past_incidents
from statuswatch.history.timeline import (
    DAY_MS,
    IMPACT_STATUS,
    OBSERVED,
    PAGE,
    Interval,
    Segment,
    daily_worst,
    segments,
)
from statuswatch.model import Impact, Status
from statuswatch.stacks import Stack

__all__ = [
    "IMPACTS",
    "MINUTE_STATUSES",
    "PARTIAL_WEIGHT",
    "ProviderData",
    "figures_of",
    "load",
    "record_of",
    "report",
    "timeline",
    "with_days",
]

PARTIAL_WEIGHT = 0.3
IMPACTS = ("critical", "major", "minor", "none", "maintenance")
MINUTE_STATUSES = (
    Status.MAJOR_OUTAGE,
    Status.PARTIAL_OUTAGE,
    Status.DEGRADED,
    Status.MAINTENANCE,
)
_MS_PER_MINUTE = 60_000


def _basis(observed: int, known: int) -> str:
    if known == 0:
        return "none"
    if observed == known:
        return OBSERVED
    return PAGE if observed == 0 else "mixed"


@dataclass
class ProviderData:
    """What the history holds of one provider over a window, read once for the report."""

    name: str
    changes: list[tuple[int, Status]] = field(default_factory=list)
    coverage: list[tuple[int, int]] = field(default_factory=list)
    incidents: list[PastIncident] = field(default_factory=list)
    maintenances: list[Interval] = field(default_factory=list)
    maintenance_count: int = 0  # maintenances that began in the window
    known_from: int | None = None  # our first poll, or the oldest incident of a backfill


def report(
    db: HistoryDB,
    since: datetime,
    until: datetime,
    providers: Sequence[str] = (),
    names: dict[str, str] | None = None,
    *,
    daily: bool = False,
    stacks: Sequence[Stack] = (),
    scopes: Mapping[str, tuple[str, ...]] | None = None,
) -> Report:
    """The figures for `providers` (every provider the history knows when empty), and for
    `stacks` (issue 13: each rated as the worst of its parts, scoped as written).

    A provider in `scopes` is rated in that scope (its components, the incidents naming
    them), as a one-part stack is. With `daily`, each also gets the worst status of every
    UTC day of the window.
    """
    start, end = to_ms(since), to_ms(until)
    assert start is not None and end is not None
    used = [target.provider for stack in stacks for target in stack.uses]
    # Asked for some providers: those, and what the stacks use; else every one known.
    data = load(db, since, until, list(dict.fromkeys([*providers, *used])) if providers else [])
    for pid, name in (names or {}).items():
        if pid in data:
            data[pid].name = name
    wanted = list(providers) or list(data)
    figures = [
        figures_of(provider, data[provider], timeline(data[provider], start, end), start, end)
        for provider in wanted
    ]
    rated = []
    if stacks or scopes:
        from statuswatch.history.stackreport import scoped_figures, stack_figures

        rated = stack_figures(db, stacks, data, start, end)
        for n, found in enumerate(figures):
            if scopes and found.id in scopes:
                figures[n] = scoped_figures(db, found.id, scopes[found.id], data, start, end)
    if daily:
        figures = [with_days(f, timeline(data[f.id], start, end), start, end) for f in figures]
    return Report(since=since, until=until, providers=figures, stacks=rated)


def load(
    db: HistoryDB, since: datetime, until: datetime, providers: Sequence[str]
) -> dict[str, ProviderData]:
    """Every row the report needs, in four queries (only `providers`, when given)."""
    start, end = to_ms(since), to_ms(until)
    assert start is not None and end is not None
    incidents = past_incidents(db, since=since, until=until, providers=providers, notes=False)
    with db.read() as conn:
        known_rows = conn.execute(
            "SELECT id, name, first_recorded_at, record_since FROM providers ORDER BY id"
        ).fetchall()
        data: dict[str, ProviderData] = {}
        for pid, name, first_recorded, record_since in known_rows:
            starts = [t for t in (first_recorded, record_since) if t is not None]
            data[str(pid)] = ProviderData(str(name or pid), known_from=min(starts, default=None))
        for pid in providers:
            data.setdefault(pid, ProviderData(pid))
        if providers:
            data = {pid: data[pid] for pid in providers}
        # Only the providers asked for (the live view asks for one at a time).
        only = f" AND provider IN ({', '.join('?' * len(providers))})" if providers else ""
        chosen = tuple(providers)
        # The status in force when the window opens: the last change before it.
        for provider, at, status in conn.execute(
            "SELECT provider, max(at), status FROM status_changes WHERE component = '' "
            f"AND at < ?{only} GROUP BY provider",
            (start, *chosen),
        ):
            if provider in data:
                data[provider].changes.append((at, Status(status)))
        for provider, at, status in conn.execute(
            "SELECT provider, at, status FROM status_changes WHERE component = '' "
            f"AND at >= ? AND at < ?{only} ORDER BY provider, at",
            (start, end, *chosen),
        ):
            if provider in data:
                data[provider].changes.append((at, Status(status)))
        for provider, a, b in conn.execute(
            f"SELECT provider, start, end FROM coverage WHERE end > ? AND start < ?{only} "
            "ORDER BY provider, start",
            (start, end, *chosen),
        ):
            if provider in data:
                data[provider].coverage.append((a, b))
        for provider, a, b in conn.execute(
            "SELECT provider, coalesce(started_at, scheduled_for), "
            "coalesce(completed_at, scheduled_until) FROM maintenances "
            "WHERE coalesce(started_at, scheduled_for) < ? AND started_at IS NOT NULL "
            f"AND coalesce(completed_at, scheduled_until, ?) > ?{only}",
            (end, end, start, *chosen),
        ):
            if provider in data:
                data[provider].maintenances.append(
                    Interval(a, b if b is not None else end, Status.MAINTENANCE)
                )
                data[provider].maintenance_count += a >= start
    for incident in incidents:
        if incident.provider in data:
            data[incident.provider].incidents.append(incident)
    return data


def record_of(incidents: Sequence[PastIncident], end: int) -> list[Interval]:
    """The page's record as intervals: each incident open as its impact says."""
    out: list[Interval] = []
    for incident in incidents:
        began = to_ms(incident.start)
        status = IMPACT_STATUS.get(incident.impact, Status.DEGRADED)
        if began is None or status is Status.OPERATIONAL:
            continue
        ended = to_ms(incident.resolved_at)
        out.append(Interval(began, ended if ended is not None else end, status))
    return out


def timeline(data: ProviderData, start: int, end: int) -> list[Segment]:
    """The provider's status over [start, end): observed where we watched, the page elsewhere."""
    record = [*data.maintenances, *record_of(data.incidents, end)]
    return segments(data.changes, data.coverage, record, data.known_from, start, end)


def figures_of(
    ident: str, data: ProviderData, pieces: list[Segment], start: int, end: int
) -> ProviderFigures:
    """A provider's (or a stack's) figures from its timeline and its incidents."""
    counts = dict.fromkeys(IMPACTS, 0)
    counts["maintenance"] = data.maintenance_count
    durations: list[tuple[int, str]] = []
    lags: list[int] = []
    warned = False
    for incident in data.incidents:
        began = to_ms(incident.start)
        if began is None or began < start:
            continue  # open in the window, but counted in the window it started in
        counts[incident.impact if incident.impact in counts else Impact.NONE.value] += 1
        if incident.duration_s is not None:
            durations.append((incident.duration_s, incident.id))
        lag = incident.page_lag_s
        if lag is not None:
            lags.append(lag)
            warned = warned or incident.detected_lead_s is not None
    figures = _summarise(ident, data.name, pieces, counts, durations, lags, end - start)
    if warned:  # an early warning of our probes measured some of the lags
        figures.basis["page_lag_s"] = "mixed"
    return figures


def with_days(
    figures: ProviderFigures, pieces: list[Segment], start: int, end: int
) -> ProviderFigures:
    """`figures` with the worst status of each UTC day of the window."""
    return dataclasses.replace(figures, daily=_days(pieces, start, end))


def _days(pieces: list[Segment], start: int, end: int) -> tuple[tuple[str, str | None], ...]:
    """The worst status of each UTC day from the one `start` falls in to the one `end` does."""
    first = start - start % DAY_MS
    count = max(1, -(-(end - first) // DAY_MS))
    worst = daily_worst(pieces, first, count)
    dates = [datetime.fromtimestamp((first + n * DAY_MS) / 1000, UTC).date() for n in range(count)]
    return tuple(
        (day.isoformat(), None if status is None else status.value)
        for day, status in zip(dates, worst, strict=True)
    )


def _summarise(
    provider: str,
    name: str,
    pieces: list[Segment],
    counts: dict[str, int],
    durations: list[tuple[int, str]],
    lags: list[int],
    window: int,
) -> ProviderFigures:
    spent: dict[Status, int] = defaultdict(int)
    observed = known = 0
    for piece in pieces:
        spent[piece.status] += piece.length
        known += piece.length
        if piece.basis == OBSERVED:
            observed += piece.length
    down = spent[Status.MAJOR_OUTAGE] + PARTIAL_WEIGHT * spent[Status.PARTIAL_OUTAGE]
    uptime = None if known == 0 else round(100.0 * (1 - down / known), 3)
    longest = max(durations, default=None)
    figure_basis = _basis(observed, known)
    return ProviderFigures(
        id=provider,
        name=name,
        incidents=counts,
        minutes={s.value: round(spent[s] / _MS_PER_MINUTE, 1) for s in MINUTE_STATUSES},
        uptime_pct=uptime,
        mttr_s=round(sum(d for d, _ in durations) / len(durations)) if durations else None,
        longest_s=longest[0] if longest else None,
        longest_id=longest[1] if longest else None,
        page_lag_s=round(sum(lags) / len(lags)) if lags else None,
        observed_pct=round(100.0 * observed / window, 2) if window > 0 else 0.0,
        known_pct=round(100.0 * known / window, 2) if window > 0 else 0.0,
        basis={
            "incidents": PAGE,
            "mttr_s": PAGE,
            "longest_s": PAGE,
            "page_lag_s": PAGE,
            "minutes": figure_basis,
            "uptime_pct": figure_basis,
        },
    )
