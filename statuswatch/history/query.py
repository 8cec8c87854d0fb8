"""Reading the history back: past incidents and maintenances, newest first."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from statuswatch.history.db import HistoryDB, from_ms, to_ms
from statuswatch.history.model import Note, PastIncident, PastMaintenance

__all__ = ["past_incidents", "past_maintenances", "provider_names"]


def _names(value: object) -> tuple[str, ...]:
    try:
        loaded = json.loads(value) if isinstance(value, str) else []
    except ValueError:
        return ()
    return tuple(str(name) for name in loaded) if isinstance(loaded, list) else ()


def _filters(
    providers: Sequence[str], start: str, end: str, since: int | None, until: int | None
) -> tuple[str, dict[str, object]]:
    """A WHERE clause: an event overlapping [since, until) of one of `providers` (all if none)."""
    clauses = ["1"]
    params: dict[str, object] = {"since": since, "until": until}
    if since is not None:
        clauses.append(f"({end} IS NULL OR {end} >= :since)")
    if until is not None:
        clauses.append(f"({start} IS NULL OR {start} < :until)")
    if providers:
        marks = ", ".join(f":p{n}" for n in range(len(providers)))
        clauses.append(f"x.provider IN ({marks})")
        params.update({f"p{n}": provider for n, provider in enumerate(providers)})
    return " AND ".join(clauses), params


def past_incidents(
    db: HistoryDB,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    providers: Sequence[str] = (),
    limit: int | None = None,
    notes: bool = True,
) -> list[PastIncident]:
    """Incidents open at some point in [since, until) (all of them by default), newest first.

    Without `notes` the update count and texts are left out (zero and None): one query less
    per incident, for the report.
    """
    start = "coalesce(x.started_at, x.posted_at, x.first_seen_at)"
    where, params = _filters(providers, start, "x.resolved_at", to_ms(since), to_ms(until))
    params["limit"] = -1 if limit is None else limit
    with db.read() as conn:
        rows = conn.execute(
            f"""SELECT x.provider, coalesce(nullif(p.name, ''), x.provider), x.id, x.title,
                x.impact, x.phase, x.started_at, x.posted_at, x.resolved_at, x.url,
                x.components, x.first_seen_at, x.detected_lead_s
            FROM incidents x LEFT JOIN providers p ON p.id = x.provider
            WHERE {where} ORDER BY {start} DESC, x.provider, x.id LIMIT :limit""",
            params,
        ).fetchall()
        found: list[PastIncident] = []
        for row in rows:
            key = (row[0], row[2])
            count = 0
            if notes:
                count = conn.execute(
                    "SELECT count(*) FROM incident_updates WHERE provider = ? AND incident = ?",
                    key,
                ).fetchone()[0]
            first = _note(conn, key, "ASC") if count else None
            last = _note(conn, key, "DESC") if count else None
            found.append(
                PastIncident(
                    provider=row[0],
                    provider_name=row[1],
                    id=row[2],
                    title=row[3],
                    impact=row[4],
                    phase=row[5],
                    started_at=from_ms(row[6]),
                    posted_at=from_ms(row[7]),
                    resolved_at=from_ms(row[8]),
                    url=row[9],
                    components=_names(row[10]),
                    update_count=int(count),
                    first_update=first,
                    last_update=last,
                    observed=row[11] is not None,
                    first_seen_at=from_ms(row[11]),
                    detected_lead_s=row[12],
                )
            )
    return found


def _note(conn: sqlite3.Connection, key: tuple[str, str], order: str) -> Note | None:
    row = conn.execute(
        "SELECT at, phase, text FROM incident_updates WHERE provider = ? AND incident = ? "
        f"ORDER BY at {order} LIMIT 1",
        key,
    ).fetchone()
    if row is None:
        return None
    at = from_ms(row[0])
    assert at is not None
    return Note(at=at, phase=row[1], text=row[2])


def past_maintenances(
    db: HistoryDB,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    providers: Sequence[str] = (),
) -> list[PastMaintenance]:
    """Maintenances that began (or were due to) in [since, until), newest first."""
    start = "coalesce(x.started_at, x.scheduled_for)"
    end = "coalesce(x.completed_at, x.scheduled_until)"
    where, params = _filters(providers, start, end, to_ms(since), to_ms(until))
    with db.read() as conn:
        rows = conn.execute(
            f"""SELECT x.provider, coalesce(nullif(p.name, ''), x.provider), x.id, x.title,
                x.phase, x.scheduled_for, x.scheduled_until, x.started_at, x.completed_at,
                x.url, x.components, x.first_seen_at
            FROM maintenances x LEFT JOIN providers p ON p.id = x.provider
            WHERE {where} AND {start} IS NOT NULL ORDER BY {start} DESC, x.provider, x.id""",
            params,
        ).fetchall()
    return [
        PastMaintenance(
            provider=row[0],
            provider_name=row[1],
            id=row[2],
            title=row[3],
            phase=row[4],
            scheduled_for=from_ms(row[5]),
            scheduled_until=from_ms(row[6]),
            started_at=from_ms(row[7]),
            completed_at=from_ms(row[8]),
            url=row[9],
            components=_names(row[10]),
            observed=row[11] is not None,
        )
        for row in rows
    ]


def provider_names(db: HistoryDB) -> dict[str, str]:
    """Every provider the history knows, by id, with its name."""
    return {
        str(row[0]): str(row[1] or row[0])
        for row in db.conn.execute("SELECT id, name FROM providers ORDER BY id")
    }
