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

from collections.abc import Mapping, Sequence
from datetime import datetime

from statuswatch.history.db import HistoryDB, to_ms
from statuswatch.history.figures import ProviderData, figures_of, timeline, with_days
from statuswatch.history.model import Report
from statuswatch.history.query import past_incidents
from statuswatch.history.stackreport import scoped_figures, stack_figures
from statuswatch.history.timeline import Interval
from statuswatch.model import Status
from statuswatch.stacks import Stack

__all__ = ["load", "report"]


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
    figures = []
    for provider in wanted:
        if scopes and provider in scopes:
            scope = scopes[provider]
            figures.append(scoped_figures(db, provider, scope, data, start, end, daily=daily))
            continue
        pieces = timeline(data[provider], start, end)
        found = figures_of(provider, data[provider], pieces, start, end)
        figures.append(with_days(found, pieces, start, end) if daily else found)
    rated = stack_figures(db, stacks, data, start, end, daily=daily)
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
