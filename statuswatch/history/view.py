"""What the live view shows of the past, from the local history or from a server.

`ProviderPast` is one provider's last 90 days (a status per day, uptime, its incidents); the
history screen lists recent incidents across every provider. `LocalHistory` reads the SQLite
file, `ServerHistory` a `statuswatch serve` (/v1/report?daily=1 and /v1/history). Both block:
the live view calls them from a worker thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from statuswatch.history.answers import Ask
from statuswatch.history.model import PastIncident, ProviderFigures
from statuswatch.records import record

__all__ = [
    "BAR_DAYS",
    "HistoryView",
    "LocalHistory",
    "ProviderPast",
    "ServerHistory",
    "fetch_from_server",
]

BAR_DAYS = 90
TIMELINE = 20  # past incidents listed in a provider's details
RECENT = 200  # incidents on the history screen


@record
class ProviderPast:
    """One provider's last BAR_DAYS days."""

    provider: str
    figures: ProviderFigures | None  # with `daily` set: one status per day, oldest first
    incidents: tuple[PastIncident, ...]  # newest first, at most TIMELINE


class HistoryView(Protocol):
    """Where the live view reads the past from."""

    def provider_past(
        self, provider: str, now: datetime, scope: tuple[str, ...] | None = None
    ) -> ProviderPast:
        """The last BAR_DAYS days of `provider` (in `scope`, when it has one)."""
        ...

    def recent(self, providers: Sequence[str], now: datetime) -> list[PastIncident]:
        """The latest incidents of `providers` (all when empty), newest first."""
        ...


def _window(now: datetime) -> tuple[datetime, datetime]:
    # Whole UTC days, so the first cell of the bar is a full day like the others.
    first = (now - timedelta(days=BAR_DAYS - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return first, now


class LocalHistory:
    """The history database of this machine (a connection per call: calls come from threads)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path

    def provider_past(
        self, provider: str, now: datetime, scope: tuple[str, ...] | None = None
    ) -> ProviderPast:
        """The last BAR_DAYS days of `provider` (in `scope`), from the database."""
        from statuswatch.history.db import HistoryDB
        from statuswatch.history.query import past_incidents
        from statuswatch.history.report import report
        from statuswatch.history.stackreport import incidents_in_scope
        from statuswatch.model import Target

        since, until = _window(now)
        with HistoryDB.open(self.path) as db:
            scopes = {provider: scope} if scope else None
            figures = report(db, since, until, [provider], daily=True, scopes=scopes).providers[0]
            incidents = past_incidents(db, since=since, providers=[provider], limit=TIMELINE)
            if scope:
                found = past_incidents(db, since=since, providers=[provider])
                incidents = incidents_in_scope(db, Target(provider, scope), found)[:TIMELINE]
        return ProviderPast(provider, figures, tuple(incidents))

    def recent(self, providers: Sequence[str], now: datetime) -> list[PastIncident]:
        """The latest incidents, from the database."""
        from statuswatch.history.db import HistoryDB
        from statuswatch.history.query import past_incidents

        with HistoryDB.open(self.path) as db:
            return past_incidents(db, providers=providers, limit=RECENT)


class ServerHistory:
    """The history a `statuswatch serve` records, through /v1/report and /v1/history."""

    def __init__(self, url: str) -> None:
        self.url = url

    def provider_past(
        self, provider: str, now: datetime, scope: tuple[str, ...] | None = None
    ) -> ProviderPast:
        """The last BAR_DAYS days of `provider`, from the server (in the server's own scope)."""
        from statuswatch.document import HISTORY_SCHEMA, REPORT_SCHEMA
        from statuswatch.document.history_read import (
            incidents_from_document,
            report_from_document,
        )

        since, until = _window(now)
        ask = Ask(since=since, until=until, providers=(provider,), daily=True)
        _body, document = fetch_from_server(self.url, "/v1/report", ask, REPORT_SCHEMA)
        found = report_from_document(document).providers
        ask = Ask(since=since, providers=(provider,), limit=TIMELINE)
        _body, document = fetch_from_server(self.url, "/v1/history", ask, HISTORY_SCHEMA)
        incidents = incidents_from_document(document)
        return ProviderPast(provider, found[0] if found else None, tuple(incidents))

    def recent(self, providers: Sequence[str], now: datetime) -> list[PastIncident]:
        """The latest incidents, from the server."""
        from statuswatch.document import HISTORY_SCHEMA
        from statuswatch.document.history_read import incidents_from_document

        ask = Ask(providers=tuple(providers), limit=RECENT)
        _body, document = fetch_from_server(self.url, "/v1/history", ask, HISTORY_SCHEMA)
        return incidents_from_document(document)


def server_failures(server: str | None) -> tuple[type[Exception], ...]:
    """What `fetch_from_server` raises when a server is asked (httpx is imported only then:
    ~50 ms); none without one."""
    if server is None:
        return ()
    from statuswatch.serverclient import ServerError

    return (ServerError,)


def fetch_from_server(url: str, path: str, ask: Ask, schema: str) -> tuple[bytes, dict[str, Any]]:
    """The server's answer to `ask` at `path`: its bytes (re-serialised if they carried control
    sequences) and the document. ServerError or DocumentError when it cannot be had."""
    from statuswatch.document.history_read import parse_history_document
    from statuswatch.document.read import clean_strings
    from statuswatch.document.write import dumps
    from statuswatch.serverclient import ServerClient
    from statuswatch.timefmt import rfc3339

    params: list[tuple[str, str]] = []
    for name, moment in (("since", ask.since), ("until", ask.until)):
        if moment is not None:
            params.append((name, rfc3339(moment.astimezone(UTC)) or ""))
    params += [("provider", provider) for provider in ask.providers]
    if ask.limit is not None:
        params.append(("limit", str(ask.limit)))
    if ask.daily:
        params.append(("daily", "1"))
    with ServerClient(url) as client:
        body = client.document_bytes(path, params)
    document = parse_history_document(body, schema, url)
    document, tampered = clean_strings(document)
    if tampered:
        body = dumps(document).encode("utf-8")
    return body, document
