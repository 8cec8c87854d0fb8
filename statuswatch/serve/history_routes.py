"""serve's /v1/history and /v1/report: the history's documents, as the commands print them.

The query string asks what the options do (`?since=30d&until=...&provider=ID[:SCOPE]&limit=N`,
`daily=1` for the report's per-day statuses); each answer is computed in a thread of its own
on a connection of its own (SQLite's WAL lets it read while the poll loop writes).
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from statuswatch.document.write import dumps
from statuswatch.history.answers import Ask, ask_from_query, history_answer, report_answer
from statuswatch.history.db import HistoryDB, HistoryError
from statuswatch.scope import parse_target
from statuswatch.stacks import Stack
from statuswatch.tomlcheck import match_id

__all__ = ["HISTORY_ROUTES", "HistoryRoutes"]

HISTORY_ROUTES = ("/v1/history", "/v1/report")
_JSON = "application/json; charset=utf-8"
_GZIP_OVER = 1024  # smaller bodies are not worth compressing

Answer = tuple[int, list[tuple[str, str]], bytes]


def _error(status: int, message: str) -> Answer:
    return status, [("Content-Type", _JSON)], (json.dumps({"error": message}) + "\n").encode()


class HistoryRoutes:
    """Answers /v1/history and /v1/report from the history database at `path`."""

    def __init__(
        self,
        path: Path | None,
        names: Mapping[str, str],
        watched: Sequence[str],
        now: Callable[[], datetime] | None = None,
        *,
        stacks: Sequence[Stack] = (),
        scopes: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self._path = path
        self._names = dict(names)
        self._watched = tuple(watched)  # the report's providers when none is asked for
        self._stacks = tuple(stacks)  # ... its stacks, and the scopes of its providers
        self._scopes = dict(scopes or {})
        self._now = now or (lambda: datetime.now(UTC))

    async def respond(self, path: str, query: str, gzip_ok: bool) -> Answer:
        """The answer to GET `path`?`query`."""
        now = self._now()
        try:
            ask = ask_from_query(query, now)
            ids, scopes = self._targets(ask.providers)
        except ValueError as exc:
            return _error(400, str(exc))
        ask = Ask(ask.since, ask.until, ids, ask.limit, ask.daily)
        try:
            body = await asyncio.to_thread(self._answer, path, ask, now, scopes)
        except HistoryError as exc:
            return _error(500, str(exc))
        headers = [
            ("Content-Type", _JSON),
            ("Cache-Control", "no-cache"),
            ("Vary", "Accept-Encoding"),
        ]
        if gzip_ok and len(body) > _GZIP_OVER:
            packed = await asyncio.to_thread(gzip.compress, body, 6)
            return 200, [*headers, ("Content-Encoding", "gzip")], packed
        return 200, headers, body

    def _targets(self, asked: Sequence[str]) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
        """The providers asked (`provider=GitHub:Actions`, as `-p` takes them: any case, a scope
        after the colon) and their scopes: the one asked, else the server's own for it."""
        ids: list[str] = []
        scopes: dict[str, tuple[str, ...]] = {}
        for text in asked:
            try:
                target = parse_target(text)
            except ValueError as exc:
                raise ValueError(f"provider: {exc}") from None
            provider = match_id(target.provider, list(self._names)) or target.provider
            ids.append(provider)
            scope = target.scope or self._scopes.get(provider)
            if scope:
                scopes[provider] = scope
        return tuple(dict.fromkeys(ids)), scopes

    def _answer(
        self, path: str, ask: Ask, now: datetime, scopes: Mapping[str, tuple[str, ...]]
    ) -> bytes:
        with HistoryDB.open(self._path) as db:
            if path == "/v1/history":
                document = history_answer(db, ask, now, scopes)
            elif ask.providers:  # each in the scope asked, else the server's own for it
                document = report_answer(db, ask, now, self._names, (), scopes)
            else:
                ask = Ask(ask.since, ask.until, self._watched, ask.limit, ask.daily)
                document = report_answer(db, ask, now, self._names, self._stacks, self._scopes)
        return dumps(document).encode("utf-8")
