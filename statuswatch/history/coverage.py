"""The spans of time our polls watched each provider, extended by a snapshot's polls at once.

Two polls at most `GAP_MS` apart are taken to have watched the time between them: a poll
extends the span it falls in (or near), starts one of its own, or bridges two (an
out-of-order poll), which become one. A snapshot's polls are collected first and written
together at its end: one read of the spans they may touch (a query per 997 providers, by the
`coverage_provider_end` index) and one statement per kind of change, instead of a query and
a write per provider (3,000 statements at 1,000 pages, half of a steady poll's record).
"""

from __future__ import annotations

import sqlite3

from statuswatch.sqlrows import select_in

__all__ = ["GAP_MS", "CoverageWrites"]

# Two polls at most this far apart are taken to have watched the time between them.
GAP_MS = 30 * 60 * 1000


class _Span:
    """A span in memory: its row (None: new), its ends, and the ends the row has."""

    __slots__ = ("end", "row", "start", "stored")

    def __init__(self, row: int | None, start: int, end: int) -> None:
        self.row = row
        self.start = start
        self.end = end
        self.stored = (start, end) if row is not None else None


class CoverageWrites:
    """The polls of one snapshot, (provider, time), applied to the spans by `write`."""

    def __init__(self) -> None:
        self._polls: list[tuple[str, int]] = []

    def add(self, provider: str, at: int) -> None:
        """Note that `provider` was watched at `at` (ms)."""
        self._polls.append((provider, at))

    def write(self, conn: sqlite3.Connection) -> None:
        """Extend, start and join spans as the polls say, in the caller's transaction.

        The same spans result as from applying each poll in turn: each poll, in the order
        added, takes the spans within `GAP_MS` of it, ordered by start; the first becomes
        their union with the poll and the rest are deleted.
        """
        if not self._polls:
            return
        spans = self._read(conn)
        deleted: list[tuple[int]] = []
        for provider, at in self._polls:
            own = spans.setdefault(provider, [])
            near = sorted(
                (s for s in own if s.end >= at - GAP_MS and s.start <= at + GAP_MS),
                key=lambda span: span.start,
            )
            if not near:
                own.append(_Span(None, at, at))
                continue
            first = near[0]
            first.start = min(at, *(s.start for s in near))
            first.end = max(at, *(s.end for s in near))
            for other in near[1:]:  # an out-of-order poll bridged two spans
                own.remove(other)
                if other.row is not None:
                    deleted.append((other.row,))
        inserted: list[tuple[str, int, int]] = []
        changed: list[tuple[int, int, int]] = []
        for provider, own in spans.items():
            for span in own:
                if span.row is None:
                    inserted.append((provider, span.start, span.end))
                elif span.stored != (span.start, span.end):
                    changed.append((span.start, span.end, span.row))
        conn.executemany("DELETE FROM coverage WHERE rowid = ?", deleted)
        conn.executemany("UPDATE coverage SET start = ?, end = ? WHERE rowid = ?", changed)
        conn.executemany("INSERT INTO coverage (provider, start, end) VALUES (?, ?, ?)", inserted)
        self._polls = []

    def _read(self, conn: sqlite3.Connection) -> dict[str, list[_Span]]:
        """The stored spans the polls may touch, by provider (a superset: each poll filters)."""
        low = min(at for _, at in self._polls) - GAP_MS
        high = max(at for _, at in self._polls) + GAP_MS
        providers = list(dict.fromkeys(provider for provider, _ in self._polls))
        spans: dict[str, list[_Span]] = {}
        rows = select_in(
            conn,
            "SELECT provider, rowid, start, end FROM coverage WHERE provider IN ({}) "
            "AND end >= ? AND start <= ?",
            providers,
            (low, high),
        )
        for provider, row, start, end in rows:
            spans.setdefault(str(provider), []).append(_Span(int(row), int(start), int(end)))
        return spans
