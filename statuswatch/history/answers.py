"""The history's two questions, asked the same way by the commands and by serve's routes.

`history_answer` gives the `statuswatch/history/v1` document, `report_answer` the
`statuswatch/report/v1` one; `ask_from_query` reads serve's query string (`?since=30d&
provider=github&provider=openai&limit=50&daily=1`) into the same `Ask` the options make.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field
from datetime import datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import parse_qs

from statuswatch.document.history import history_document, report_document
from statuswatch.history.db import HistoryDB
from statuswatch.history.model import PastIncident, PastMaintenance
from statuswatch.history.query import past_incidents, past_maintenances
from statuswatch.history.report import report
from statuswatch.history.stackreport import incidents_in_scope
from statuswatch.history.window import parse_moment
from statuswatch.model import Target
from statuswatch.records import record
from statuswatch.stacks import Stack

__all__ = [
    "MAX_LIMIT",
    "REPORT_SINCE",
    "Ask",
    "ask_from_query",
    "history_answer",
    "report_answer",
]

# The report's window when none is given: the 90 days of a status page's own bars.
REPORT_SINCE = timedelta(days=90)
MAX_LIMIT = 100_000
_QUERY_KEYS = ("since", "until", "provider", "limit", "daily")


@record
class Ask:
    """What is asked: a window, providers (all when empty), at most `limit` incidents."""

    since: datetime | None = None
    until: datetime | None = None
    providers: tuple[str, ...] = field(default_factory=tuple)
    limit: int | None = None
    daily: bool = False


Past = TypeVar("Past", PastIncident, PastMaintenance)


def history_answer(
    db: HistoryDB,
    ask: Ask,
    now: datetime,
    scopes: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, Any]:
    """The `statuswatch/history/v1` document for `ask`; a provider in `scopes` (`-p
    github:Actions`) only with what names a component of its scope, as the report rates it."""
    scoped = {provider: scope for provider, scope in (scopes or {}).items() if scope}
    incidents = past_incidents(
        db,
        since=ask.since,
        until=ask.until,
        providers=ask.providers,
        limit=None if scoped else ask.limit,  # cut after the scope has had its say
    )
    maintenances = past_maintenances(db, since=ask.since, until=ask.until, providers=ask.providers)
    if scoped:
        incidents = _in_scopes(db, incidents, scoped)[: ask.limit]
        maintenances = _in_scopes(db, maintenances, scoped)
    return history_document(
        incidents, maintenances, generated_at=now, since=ask.since, until=ask.until
    )


def _in_scopes(
    db: HistoryDB, rows: Sequence[Past], scopes: Mapping[str, tuple[str, ...]]
) -> list[Past]:
    """`rows` but those of a scoped provider that name no component of its scope."""
    kept: set[tuple[str, str]] = set()
    for provider, scope in scopes.items():
        mine = [row for row in rows if row.provider == provider]
        kept.update(
            (r.provider, r.id) for r in incidents_in_scope(db, Target(provider, scope), mine)
        )
    return [row for row in rows if row.provider not in scopes or (row.provider, row.id) in kept]


def report_answer(
    db: HistoryDB,
    ask: Ask,
    now: datetime,
    names: Mapping[str, str] | None = None,
    stacks: Sequence[Stack] = (),
    scopes: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, Any]:
    """The `statuswatch/report/v1` document for `ask` (the last 90 days by default), with the
    figures of `stacks`, and the providers of `scopes` rated in their scope."""
    until = ask.until or now
    since = ask.since or until - REPORT_SINCE
    figures = report(
        db,
        since,
        until,
        ask.providers,
        dict(names) if names else None,
        daily=ask.daily,
        stacks=stacks,
        scopes=scopes,
    )
    return report_document(figures, generated_at=now)


def ask_from_query(query: str, now: datetime) -> Ask:
    """An Ask from a query string; ValueError names the parameter at fault."""
    try:
        given = parse_qs(query, keep_blank_values=True, strict_parsing=False, max_num_fields=200)
    except ValueError:
        raise ValueError("too many query parameters") from None
    for key in given:
        if key not in _QUERY_KEYS:
            raise ValueError(f"unknown parameter {key[:40]!r} (known: {', '.join(_QUERY_KEYS)})")

    def one(key: str) -> str | None:
        values = given.get(key)
        if not values:
            return None
        if len(values) > 1:
            raise ValueError(f"{key}: given more than once")
        return values[0]

    since, until, limit, daily = one("since"), one("until"), one("limit"), one("daily")
    try:
        start = parse_moment(since, now) if since else None
        end = parse_moment(until, now) if until else None
    except ValueError as exc:
        raise ValueError(f"since/until: {exc}") from None
    if start is not None and end is not None and start >= end:
        raise ValueError("since must come before until")  # as the commands' --since/--until
    count: int | None = None
    if limit:
        if not limit.isdigit() or not 0 < int(limit) <= MAX_LIMIT:
            raise ValueError(f"limit: expected a number from 1 to {MAX_LIMIT}")
        count = int(limit)
    if daily not in (None, "", "0", "1", "true", "false"):
        raise ValueError("daily: expected 1 or 0")
    return Ask(
        since=start,
        until=end,
        providers=tuple(dict.fromkeys(given.get("provider", []))),
        limit=count,
        daily=daily in ("", "1", "true"),
    )
