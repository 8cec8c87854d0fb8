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
from collections.abc import Sequence
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

__all__ = ["IMPACTS", "MINUTE_STATUSES", "PARTIAL_WEIGHT", "report"]

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


def report(
    db: HistoryDB,
    since: datetime,
    until: datetime,
    providers: Sequence[str] = (),
    names: dict[str, str] | None = None,
    *,
    daily: bool = False,
) -> Report:
    """The figures for `providers` (every provider the history knows when empty).

    With `daily`, each provider also gets the worst status of every UTC day of the window.
    """
    start, end = to_ms(since), to_ms(until)
    assert start is not None and end is not None
    incidents = past_incidents_light(db, since, until, providers)
    with db.read() as conn:
        known_rows = conn.execute(
            "SELECT id, name, first_recorded_at, record_since FROM providers ORDER BY id"
        ).fetchall()
        info = {str(r[0]): (str(r[1] or r[0]), r[2], r[3]) for r in known_rows}
        wanted = list(providers) or list(info)
        # Only the providers asked for (the live view asks for one at a time).
        only = f" AND provider IN ({', '.join('?' * len(providers))})" if providers else ""
        chosen = tuple(providers)
        changes: dict[str, list[tuple[int, Status]]] = defaultdict(list)
        # The status in force when the window opens: the last change before it.
        for provider, at, status in conn.execute(
            "SELECT provider, max(at), status FROM status_changes WHERE component = '' "
            f"AND at < ?{only} GROUP BY provider",
            (start, *chosen),
        ):
            changes[provider].append((at, Status(status)))
        for provider, at, status in conn.execute(
            "SELECT provider, at, status FROM status_changes WHERE component = '' "
            f"AND at >= ? AND at < ?{only} ORDER BY provider, at",
            (start, end, *chosen),
        ):
            changes[provider].append((at, Status(status)))
        coverage: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for provider, a, b in conn.execute(
            f"SELECT provider, start, end FROM coverage WHERE end > ? AND start < ?{only} "
            "ORDER BY provider, start",
            (start, end, *chosen),
        ):
            coverage[provider].append((a, b))
        maintenance_rows = conn.execute(
            "SELECT provider, coalesce(started_at, scheduled_for), "
            "coalesce(completed_at, scheduled_until) FROM maintenances "
            "WHERE coalesce(started_at, scheduled_for) < ? AND started_at IS NOT NULL "
            f"AND coalesce(completed_at, scheduled_until, ?) > ?{only}",
            (end, end, start, *chosen),
        ).fetchall()
    maintenances: dict[str, list[Interval]] = defaultdict(list)
    counted: dict[str, int] = defaultdict(int)
    for provider, a, b in maintenance_rows:
        maintenances[provider].append(Interval(a, b if b is not None else end, Status.MAINTENANCE))
        if a >= start:
            counted[provider] += 1
    by_provider: dict[str, list[PastIncident]] = defaultdict(list)
    for incident in incidents:
        by_provider[incident.provider].append(incident)
    figures = []
    for provider in wanted:
        name, first_recorded, record_since = info.get(provider, (provider, None, None))
        if names and provider in names:
            name = names[provider]
        starts = [t for t in (first_recorded, record_since) if t is not None]
        figures.append(
            _figures(
                provider,
                name,
                changes.get(provider, []),
                coverage.get(provider, []),
                by_provider.get(provider, []),
                maintenances.get(provider, []),
                counted.get(provider, 0),
                min(starts) if starts else None,
                start,
                end,
                daily,
            )
        )
    return Report(since=since, until=until, providers=figures)


def past_incidents_light(
    db: HistoryDB, since: datetime, until: datetime, providers: Sequence[str]
) -> list[PastIncident]:
    """The incidents of the window without their update texts (the report needs none)."""
    return past_incidents(db, since=since, until=until, providers=providers, notes=False)


def _figures(
    provider: str,
    name: str,
    changes: list[tuple[int, Status]],
    coverage: list[tuple[int, int]],
    incidents: list[PastIncident],
    maintenances: list[Interval],
    maintenance_count: int,
    known_from: int | None,
    start: int,
    end: int,
    daily: bool = False,
) -> ProviderFigures:
    record = list(maintenances)
    counts = dict.fromkeys(IMPACTS, 0)
    counts["maintenance"] = maintenance_count
    durations: list[tuple[int, str]] = []
    lags: list[int] = []
    warned = False
    for incident in incidents:
        began = to_ms(incident.start)
        if began is None:
            continue
        ended = to_ms(incident.resolved_at)
        status = IMPACT_STATUS.get(incident.impact, Status.DEGRADED)
        if status is not Status.OPERATIONAL:
            record.append(Interval(began, ended if ended is not None else end, status))
        if began < start:
            continue  # open in the window, but counted in the window it started in
        counts[incident.impact if incident.impact in counts else Impact.NONE.value] += 1
        if incident.duration_s is not None:
            durations.append((incident.duration_s, incident.id))
        lag = incident.page_lag_s
        if lag is not None:
            lags.append(lag)
            warned = warned or incident.detected_lead_s is not None
    pieces = segments(changes, coverage, record, known_from, start, end)
    figures = _summarise(provider, name, pieces, counts, durations, lags, end - start)
    if warned:  # an early warning of our probes measured some of the lags
        figures.basis["page_lag_s"] = "mixed"
    if daily:
        figures = dataclasses.replace(figures, daily=_days(pieces, start, end))
    return figures


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
