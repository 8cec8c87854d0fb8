"""Writing incidents and maintenances: one upsert each, shared by live polls and backfills.

Rows are keyed by (provider, id) and updates by (provider, incident, time, status), so writing
the same page twice, from two processes or from a poll and a backfill, changes nothing the
second time. The page is the authority on its own times (start, resolution, schedule); what
we add is when we saw things (`first_seen_at`, `resolved_seen_at`) and how far ahead an early
warning knew (`detected_lead_s`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field

from statuswatch.history.db import to_ms
from statuswatch.model import Incident, Maintenance, Phase, Update
from statuswatch.records import record

__all__ = [
    "INSERT_INCIDENT",
    "INSERT_UPDATE",
    "LEAD_WINDOW_MS",
    "UPSERT_MAINTENANCE",
    "FirstRows",
    "IncidentWrite",
    "estimate_end",
    "incident_values",
    "lead_for",
    "maintenance_values",
    "update_rows",
    "upsert_incident",
    "upsert_maintenance",
]

# An incident posted up to this long after an early warning cleared still counts as its lead.
LEAD_WINDOW_MS = 60 * 60 * 1000
# A page's clock may run a little ahead of ours.
_SKEW_MS = 5 * 60 * 1000
_RUNNING = (Phase.IN_PROGRESS, Phase.VERIFYING)


@record
class IncidentWrite:
    """What one upsert did: the incident is new, newly resolved, reopened; updates added."""

    new: bool = False
    resolved: bool = False
    reopened: bool = False
    updates: int = 0


# Made once: `json.dumps` with an option makes an encoder per call (~3 us, per incident written).
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _components(names: Iterable[str]) -> str:
    return _ENCODER.encode(list(names))


def _oldest(updates: Iterable[Update]) -> list[Update]:
    return sorted(updates, key=lambda update: update.at)


def _closing_time(incident: Incident) -> int | None:
    """When the page says the incident ended: its resolved_at, else its last closing update."""
    if incident.resolved_at is not None:
        return to_ms(incident.resolved_at)
    closing = [u for u in _oldest(incident.updates) if u.phase.is_closed]
    return to_ms(closing[-1].at) if closing else None


def estimate_end(last_update: int | None, page_updated: int | None, seen: int) -> int:
    """When an incident that left the page ended: the page's own last change, if plausible.

    Statuspage's summary drops a resolved incident at once and bumps the page's `updated_at`
    when it does, so that stamp (between the incident's last update and the poll that found
    it gone) is the page's own time of the resolution; otherwise the poll's time.
    """
    if page_updated is None or page_updated > seen + _SKEW_MS:
        return seen
    return page_updated if last_update is None or page_updated >= last_update else seen


def lead_for(conn: sqlite3.Connection, provider: str, posted: int | None) -> tuple[int, int] | None:
    """The early warning open when the page first posted (or closed within the window before).

    Returns:
        (the warning's opening time, the lead in seconds), or None.
    """
    if posted is None:
        return None
    row = conn.execute(
        "SELECT opened_at FROM early_warnings WHERE provider = ? AND opened_at <= ? "
        "AND (cleared_at IS NULL OR cleared_at >= ?) ORDER BY opened_at DESC LIMIT 1",
        (provider, posted, posted - LEAD_WINDOW_MS),
    ).fetchone()
    if row is None:
        return None
    opened = int(row[0])
    return opened, (posted - opened) // 1000


# An incident new to the history, with the values of `incident_values` (and its lead).
INSERT_INCIDENT = """INSERT INTO incidents (provider, id, title, impact, raw_impact, phase,
    raw_status, started_at, posted_at, updated_at, resolved_at, url, components, first_seen_at,
    last_seen_at, resolved_seen_at, backfilled_at, detected_at, detected_lead_s)
VALUES (:provider, :id, :title, :impact, :raw_impact, :phase, :raw_status,
    :started_at, :posted, :updated_at, :ended, :url, :components, :seen, :seen,
    CASE WHEN :ended IS NULL THEN NULL ELSE :seen END, :backfilled, :detected_at, :lead)"""
# An update of an incident, unless the history has it (its key: provider, incident, at, status).
INSERT_UPDATE = (
    "INSERT OR IGNORE INTO incident_updates (provider, incident, at, status, phase, text) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


def incident_values(
    provider: str, incident: Incident, *, at: int, live: bool, page_updated: int | None
) -> tuple[dict[str, object], list[Update]]:
    """The row of `incident` as a page shows it at `at`, and its updates oldest first; its
    lead is `detected_lead_s` (None: none measured) and `detected_at` None, for the caller
    to fill."""
    updates = _oldest(incident.updates)
    posted = to_ms(updates[0].at) if updates else to_ms(incident.started_at)
    newest = to_ms(updates[-1].at) if updates else to_ms(incident.updated_at)
    ended: int | None = None
    if incident.phase.is_closed:
        ended = _closing_time(incident) or estimate_end(newest, page_updated, at)
    values: dict[str, object] = {
        "provider": provider,
        "id": incident.id,
        "title": incident.title,
        "impact": incident.impact.value,
        "raw_impact": incident.raw_impact,
        "phase": incident.phase.value,
        "raw_status": incident.raw_status,
        "started_at": to_ms(incident.started_at),
        "posted": posted,
        "updated_at": newest,
        "ended": ended,
        "url": incident.url,
        "components": _components(incident.components),
        "seen": at if live else None,
        "backfilled": None if live else at,
        "detected_at": None,
        "lead": incident.detected_lead_s,
    }
    return values, updates


def update_rows(provider: str, incident_id: str, updates: list[Update]) -> list[tuple[object, ...]]:
    """The rows of INSERT_UPDATE for an incident's updates."""
    return [
        (provider, incident_id, to_ms(u.at), u.raw_status or u.phase.value, u.phase.value, u.text)
        for u in updates
    ]


def upsert_incident(
    conn: sqlite3.Connection,
    provider: str,
    incident: Incident,
    *,
    at: int,
    live: bool,
    in_order: bool = True,
    page_updated: int | None = None,
) -> IncidentWrite:
    """Write an incident as a page shows it (`live`: a poll, else a backfill) at time `at`.

    A live poll marks it seen; a backfill marks it backfilled. A closed incident records its
    resolution; an open one reopens a resolved row only from a live, in-order poll (a stale
    history document or an older concurrent poll never undoes a resolution).
    """
    closed = incident.phase.is_closed
    row = conn.execute(
        "SELECT resolved_at, posted_at, detected_at FROM incidents WHERE provider = ? AND id = ?",
        (provider, incident.id),
    ).fetchone()
    values, updates = incident_values(
        provider, incident, at=at, live=live, page_updated=page_updated
    )
    result = IncidentWrite()
    if row is None:
        posted = values["posted"]
        lead = lead_for(conn, provider, posted if isinstance(posted, int) else None)
        values["detected_at"] = lead[0] if lead else None
        # Issue 12 measures the lead on the incident itself when its probes warned first.
        if incident.detected_lead_s is None:
            values["lead"] = lead[1] if lead else None
        conn.execute(INSERT_INCIDENT, values)
        result = IncidentWrite(new=True, resolved=closed)
    else:
        resolved_before = row[0] is not None
        reopen = live and in_order and not closed and resolved_before
        resolve = closed and not resolved_before
        # Descriptive fields follow the page; the phase only from a poll that is not stale.
        follow = (live and in_order) or (not live and resolve)
        conn.execute(
            """UPDATE incidents SET title = :title, impact = :impact, raw_impact = :raw_impact,
                phase = CASE WHEN :follow THEN :phase ELSE phase END,
                raw_status = CASE WHEN :follow THEN :raw_status ELSE raw_status END,
                started_at = coalesce(:started_at, started_at),
                posted_at = min(coalesce(posted_at, :posted), coalesce(:posted, posted_at)),
                updated_at = max(coalesce(updated_at, :updated_at),
                                 coalesce(:updated_at, updated_at)),
                resolved_at = CASE WHEN :reopen THEN NULL
                                   WHEN :ended IS NOT NULL THEN :ended
                                   ELSE resolved_at END,
                resolved_seen_at = CASE WHEN :reopen THEN NULL
                                        WHEN :resolve AND :seen IS NOT NULL THEN :seen
                                        ELSE resolved_seen_at END,
                url = coalesce(:url, url), components = :components,
                first_seen_at = coalesce(first_seen_at, :seen),
                last_seen_at = max(coalesce(last_seen_at, :seen), coalesce(:seen, last_seen_at)),
                backfilled_at = coalesce(:backfilled, backfilled_at),
                detected_lead_s = coalesce(:given_lead, detected_lead_s)
            WHERE provider = :provider AND id = :id""",
            {
                **values,
                "follow": follow,
                "reopen": reopen,
                "resolve": resolve,
                "given_lead": incident.detected_lead_s,
            },
        )
        if row[2] is None:
            _fill_lead(conn, provider, incident.id)
        result = IncidentWrite(resolved=resolve, reopened=reopen)
    added = _write_updates(conn, provider, incident.id, updates)
    return IncidentWrite(result.new, result.resolved, result.reopened, added)


def _fill_lead(conn: sqlite3.Connection, provider: str, incident_id: str) -> None:
    """Give an incident the lead of an early warning recorded after it (a late writer)."""
    row = conn.execute(
        "SELECT posted_at FROM incidents WHERE provider = ? AND id = ?", (provider, incident_id)
    ).fetchone()
    lead = lead_for(conn, provider, None if row is None else row[0])
    if lead is not None:
        conn.execute(
            "UPDATE incidents SET detected_at = ?, detected_lead_s = ? "
            "WHERE provider = ? AND id = ?",
            (lead[0], lead[1], provider, incident_id),
        )


def _write_updates(
    conn: sqlite3.Connection, provider: str, incident_id: str, updates: list[Update]
) -> int:
    """Insert new updates (an edited text replaces the old one); return how many were new."""
    new = 0
    for row in update_rows(provider, incident_id, updates):
        if conn.execute(INSERT_UPDATE, row).rowcount:
            new += 1
        else:
            key, phase, text = row[:4], row[4], row[5]
            conn.execute(
                "UPDATE incident_updates SET text = ?, phase = ? WHERE provider = ? "
                "AND incident = ? AND at = ? AND status = ? AND (text != ? OR phase != ?)",
                (text, phase, *key, text, phase),
            )
    return new


# A maintenance as a page shows it: inserted, or merged into the row the history has.
UPSERT_MAINTENANCE = """INSERT INTO maintenances (provider, id, title, phase, raw_status,
    scheduled_for, scheduled_until, started_at, completed_at, url, components, first_seen_at,
    last_seen_at, backfilled_at)
VALUES (:provider, :id, :title, :phase, :raw_status, :scheduled_for, :scheduled_until,
    :started, :completed, :url, :components, :seen, :seen, :backfilled)
ON CONFLICT (provider, id) DO UPDATE SET title = excluded.title,
    phase = CASE WHEN :follow THEN excluded.phase ELSE phase END,
    raw_status = CASE WHEN :follow THEN excluded.raw_status ELSE raw_status END,
    scheduled_for = coalesce(excluded.scheduled_for, scheduled_for),
    scheduled_until = coalesce(excluded.scheduled_until, scheduled_until),
    started_at = coalesce(started_at, excluded.started_at),
    completed_at = coalesce(completed_at, excluded.completed_at),
    url = coalesce(excluded.url, url), components = excluded.components,
    first_seen_at = coalesce(first_seen_at, excluded.first_seen_at),
    last_seen_at = max(coalesce(last_seen_at, excluded.last_seen_at),
                       coalesce(excluded.last_seen_at, last_seen_at)),
    backfilled_at = coalesce(excluded.backfilled_at, backfilled_at)"""


def upsert_maintenance(
    conn: sqlite3.Connection,
    provider: str,
    maintenance: Maintenance,
    *,
    at: int,
    live: bool,
    in_order: bool = True,
) -> None:
    """Write a maintenance as a page shows it; running and completed times from its updates."""
    conn.execute(
        UPSERT_MAINTENANCE,
        maintenance_values(provider, maintenance, at=at, live=live, in_order=in_order),
    )


def maintenance_values(
    provider: str, maintenance: Maintenance, *, at: int, live: bool, in_order: bool = True
) -> dict[str, object]:
    """The parameters of UPSERT_MAINTENANCE for `maintenance` as a page shows it at `at`."""
    updates = _oldest(maintenance.updates)
    running = [u for u in updates if u.phase in _RUNNING]
    done = [u for u in updates if u.phase.is_closed]
    started: int | None = None
    if running:
        started = to_ms(running[0].at)
    elif maintenance.phase in _RUNNING or maintenance.phase.is_closed:
        started = to_ms(maintenance.scheduled_for) or (at if live else None)
    completed: int | None = None
    if maintenance.phase.is_closed:
        completed = to_ms(done[-1].at) if done else to_ms(maintenance.scheduled_until) or at
    return {
        "provider": provider,
        "id": maintenance.id,
        "title": maintenance.title,
        "phase": maintenance.phase.value,
        "raw_status": maintenance.raw_status,
        "scheduled_for": to_ms(maintenance.scheduled_for),
        "scheduled_until": to_ms(maintenance.scheduled_until),
        "started": started,
        "completed": completed,
        "url": maintenance.url,
        "components": _components(maintenance.components),
        "seen": at if live else None,
        "backfilled": None if live else at,
        "follow": (live and in_order) or maintenance.phase.is_closed,
    }


@dataclass
class FirstRows:
    """The rows of the providers new to the history in one snapshot (the record's `_first`),
    written together: all of them are inserts."""

    # (id, name, kind, first recorded, observed, fingerprint)
    providers: list[tuple[str, str, str, int | None, int | None, str | None]] = field(
        default_factory=list
    )
    coverage: list[tuple[str, int, int]] = field(default_factory=list)
    incidents: list[dict[str, object]] = field(default_factory=list)
    updates: dict[tuple[object, ...], tuple[object, ...]] = field(default_factory=dict)
    maintenances: list[dict[str, object]] = field(default_factory=list)

    def write(self, conn: sqlite3.Connection) -> int:
        """Insert them, one statement for many rows each; return how many updates were new."""
        conn.executemany(
            "INSERT INTO providers (id, name, kind, first_recorded_at, observed_at, fingerprint) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            self.providers,
        )
        conn.executemany(
            "INSERT INTO coverage (provider, start, end) VALUES (?, ?, ?)", self.coverage
        )
        conn.executemany(INSERT_INCIDENT, self.incidents)
        added = conn.executemany(INSERT_UPDATE, list(self.updates.values())).rowcount
        conn.executemany(UPSERT_MAINTENANCE, self.maintenances)
        return max(0, added)
