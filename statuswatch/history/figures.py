"""The figures of one timeline and its incidents: what `report` says of a provider or a stack.

Incidents by impact, minutes by status, uptime (partial outage weighs 30 %), MTTR, the longest
incident and the page's mean lag, with the basis of each (see statuswatch/history/report.py).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from statuswatch.history.db import to_ms
from statuswatch.history.model import PastIncident, ProviderFigures
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

__all__ = [
    "IMPACTS",
    "MINUTE_STATUSES",
    "PARTIAL_WEIGHT",
    "ProviderData",
    "figures_of",
    "record_of",
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
