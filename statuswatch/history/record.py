"""Recording a snapshot: what each provider's page changed since the history last saw it.

Every front end calls `record_snapshot` after a poll; several may do so at the same moment
(the live view, a cron `notify`, `serve`). Each call is one short write transaction, and
whatever order the transactions land in, the result is the same:

* a provider's newest observation time is kept; a poll older than it (a concurrent run that
  polled earlier but committed later) still adds its status changes at their place in time,
  its new incidents and updates, but never reopens, resolves or overrides a newer view;
* status changes form a run-length sequence per provider and component, and an observation
  is inserted at its own time (a change seen late by another writer moves to when it was
  first seen), so no transition is lost and none is written twice;
* a page whose content is unchanged since the newest observation only extends the coverage
  (the spans of time our polls watched it) and its time: the common poll writes two small
  rows, for every such provider of the snapshot in one statement each.

Failed polls (`unknown`, stale data) are not observations: they record nothing.

Early warnings (issue 12's probes) are recorded as they open and clear, whatever the page
says; an incident the page posts while one is open (or within the hour after it cleared)
gets its lead (or the lead the probes measured themselves, `Incident.detected_lead_s`).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from statuswatch.history.coverage import CoverageWrites
from statuswatch.history.db import HistoryDB, to_ms
from statuswatch.history.rows import (
    LEAD_WINDOW_MS,
    FirstRows,
    estimate_end,
    incident_values,
    maintenance_values,
    update_rows,
    upsert_incident,
)
from statuswatch.history.rows import upsert_maintenance as write_maintenance
from statuswatch.model import EarlyWarning, Impact, Page, Phase, ProviderReport, Snapshot, Status
from statuswatch.sqlrows import insert_rows

__all__ = ["Recorded", "record_early_warning", "record_snapshot", "write_warning"]

# Each enum member's value, by a dict lookup: `.value` is a descriptor call (0.3 us).
_VALUE: dict[Status | Impact | Phase, str] = {
    member: member.value for enum in (Status, Impact, Phase) for member in enum
}
# A fingerprint's separators: between fields, between the items of a list, and a field that is
# None (see `fingerprint`).
_FIELD, _ITEM, _NONE = "\x1f", "\x1e", "\x1d"


@dataclass
class Recorded:
    """What one snapshot added to the history."""

    observed: int = 0  # providers whose page was read
    changes: int = 0  # status changes written (provider and components)
    new_incidents: int = 0
    resolved: int = 0
    updates: int = 0
    first_recorded: list[str] = field(default_factory=list)  # providers new to the history


def record_snapshot(db: HistoryDB, snapshot: Snapshot) -> Recorded:
    """Record what `snapshot` shows, in one transaction; return what it added."""
    with db.write() as conn:
        return _Recorder(conn).snapshot(snapshot)


def record_early_warning(
    db: HistoryDB,
    provider: str,
    opened_at: datetime,
    cleared_at: datetime | None = None,
    text: str = "",
) -> None:
    """Record an early warning (issue 12's probes) and give its lead to incidents it preceded.

    Called when a warning opens and again when it clears (same `opened_at`: one row). An
    incident the page first posted while it was open, or within an hour after it cleared,
    gets `detected_lead_s` = seconds from the warning's opening to that first post.
    """
    opened = to_ms(opened_at)
    assert opened is not None
    with db.write() as conn:
        write_warning(conn, provider, opened, to_ms(cleared_at), text)


def write_warning(
    conn: sqlite3.Connection, provider: str, opened: int, cleared: int | None, text: str
) -> None:
    """`record_early_warning` inside the caller's transaction."""
    conn.execute(
        "INSERT INTO early_warnings (provider, opened_at, cleared_at, text) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (provider, opened_at) DO UPDATE SET "
        "cleared_at = coalesce(excluded.cleared_at, cleared_at), text = excluded.text",
        (provider, opened, cleared, text),
    )
    until = None if cleared is None else cleared + LEAD_WINDOW_MS
    conn.execute(
        "UPDATE incidents SET detected_at = :opened, "
        "detected_lead_s = (posted_at - :opened) / 1000 "
        "WHERE provider = :provider AND detected_at IS NULL AND posted_at >= :opened "
        "AND (:until IS NULL OR posted_at <= :until)",
        {"opened": opened, "until": until, "provider": provider},
    )


def fingerprint(page: Page) -> str:
    """A digest of everything the history records from a page (not its `updated_at`)."""
    # Every field as text, in records of a fixed length, each led by its kind; the separators
    # are control characters, which no string of a page holds (the sanitiser leaves none but
    # the newline), so one text is one page. A repr of the same fields took 4x as long (the
    # digest is taken of every page of every poll).
    fields: list[str] = ["P", page.status]
    for c in page.components:
        fields += ("C", c.id, c.name, _NONE if c.group is None else c.group, c.status)
    for i in page.incidents:
        fields += (
            "I", i.id, i.title, i.impact, i.raw_impact, i.phase, i.raw_status,
            _ms(i.started_at), _ms(i.resolved_at), _NONE if i.url is None else i.url,
            _items(i.components), str(i.detected_lead_s), str(len(i.updates)),
        )  # fmt: skip
        for u in i.updates:
            fields += ("U", _ms(u.at), u.raw_status, u.phase, u.text)
    for m in page.maintenances:
        fields += (
            "M", m.id, m.title, m.phase, m.raw_status, _ms(m.scheduled_for),
            _ms(m.scheduled_until), _NONE if m.url is None else m.url, _items(m.components),
            str(len(m.updates)),
        )  # fmt: skip
        for u in m.updates:
            fields += ("W", _ms(u.at), u.raw_status, u.phase)
    text = _FIELD.join(fields)
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=16).hexdigest()


def _ms(value: datetime | None) -> str:
    """A time in a fingerprint: its milliseconds, or the mark of none."""
    return _NONE if value is None else str(round(value.timestamp() * 1000))


def _items(values: tuple[str, ...]) -> str:
    """A list in a fingerprint: its length, then its items."""
    return _ITEM.join((str(len(values)), *values))


class _Recorder:
    """One snapshot's writes, inside the caller's transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.done = Recorded()
        self.warnings: dict[str, int] = {}  # provider -> opening of its open early warning
        # Rows for `_write_statuses`: (provider, component, at, status), (provider,
        # component, status), (provider, id, name, group).
        self.changes: list[tuple[str, str, int, str]] = []
        self.current: list[tuple[str, str, str]] = []
        self.components: list[tuple[str, str, str, str | None]] = []
        self.first = FirstRows()  # the providers new to the history (`_first`)
        self.coverage = CoverageWrites()  # every provider observed, written at the end
        self.unchanged: list[tuple[int, str]] = []  # (at, provider): a page as last seen

    def snapshot(self, snapshot: Snapshot) -> Recorded:
        rows = self.conn.execute("SELECT id, observed_at, fingerprint, name, kind FROM providers")
        known: dict[str, tuple[int | None, str | None]] = {}
        named: dict[str, tuple[str, str]] = {}
        for row in rows:
            known[str(row[0])] = (row[1], row[2])
            named[str(row[0])] = (row[3], row[4])
        generated = to_ms(snapshot.generated_at)
        self.warnings = {
            str(row[0]): int(row[1])
            for row in self.conn.execute(
                "SELECT provider, opened_at FROM early_warnings WHERE cleared_at IS NULL"
            )
        }
        # A provider new to the history has no rows anywhere yet (each writer adds its
        # providers row first) but, maybe, early warnings: without those, and once in the
        # snapshot, all it has to write are inserts, made for all such providers at once.
        times = Counter(r.spec.id for r in snapshot.reports if r.spec.id not in known)
        warned = (
            {str(row[0]) for row in self.conn.execute("SELECT provider FROM early_warnings")}
            if times
            else set()
        )
        for report in snapshot.reports:
            spec = report.spec
            if spec.id not in known:
                known[spec.id] = (None, None)
                self.done.first_recorded.append(spec.id)
                if times[spec.id] == 1 and spec.id not in warned and self._first(report, generated):
                    continue
                self.conn.execute(
                    "INSERT INTO providers (id, name, kind, first_recorded_at) VALUES (?, ?, ?, ?)",
                    (spec.id, spec.name, spec.kind, generated),
                )
            elif named[spec.id] != (spec.name, spec.kind):
                self.conn.execute(
                    "UPDATE providers SET name = ?, kind = ? WHERE id = ?",
                    (spec.name, spec.kind, spec.id),
                )
            self._report(report, known[spec.id], generated)
        self.done.updates += self.first.write(self.conn)
        self.coverage.write(self.conn)
        # The newest observation is kept whatever order the snapshot's reports come in.
        self.conn.executemany(
            "UPDATE providers SET observed_at = max(coalesce(observed_at, ?1), ?1) WHERE id = ?2",
            self.unchanged,
        )
        self._write_statuses()
        return self.done

    def _first(self, report: ProviderReport, generated: int | None) -> bool:
        """What `_report` would write for a provider new to the history, as rows for
        `FirstRows.write`; False (nothing taken) for a page it would not write so."""
        spec, page = report.spec, report.page
        at = to_ms(report.fetched_at) or generated
        if report.error is not None or page is None or at is None:
            self.first.providers.append((spec.id, spec.name, spec.kind, generated, None, None))
            return True  # a failed poll observed nothing
        if report.early_warning is not None or len({i.id for i in page.incidents}) != len(
            page.incidents
        ):
            return False
        provider = spec.id
        self.done.observed += 1
        self.first.providers.append(
            (provider, spec.name, spec.kind, generated, at, fingerprint(page))
        )
        self.first.coverage.append((provider, at, at))
        self._statuses(provider, page, at, True, current={})
        page_updated = to_ms(page.updated_at)
        for incident in page.incidents:
            values, updates = incident_values(
                provider, incident, at=at, live=True, page_updated=page_updated
            )
            self.first.incidents.append(values)
            # The last of one key wins, as an update written over the first would.
            self.first.updates.update(
                (row[:4], row) for row in update_rows(provider, incident.id, updates)
            )
            self.done.new_incidents += 1
            self.done.resolved += incident.phase.is_closed
        self.first.maintenances += [
            maintenance_values(provider, m, at=at, live=True) for m in page.maintenances
        ]
        return True

    def _report(
        self, report: ProviderReport, known: tuple[int | None, str | None], generated: int | None
    ) -> None:
        page = report.page
        if report.error is not None or page is None:
            return  # a failed poll observed nothing
        provider = report.spec.id
        at = to_ms(report.fetched_at) or generated
        if at is None:
            return
        observed_at, stored = known
        in_order = observed_at is None or at >= observed_at
        self.done.observed += 1
        self.coverage.add(provider, at)
        if in_order:
            self._early_warning(provider, report.early_warning, at)
        digest = fingerprint(page)
        if in_order and digest == stored:
            self.unchanged.append((at, provider))
            return
        self._statuses(provider, page, at, in_order)
        self._incidents(provider, page, at, in_order)
        self._maintenances(provider, page, at, in_order)
        self.conn.execute(
            "UPDATE providers SET observed_at = max(coalesce(observed_at, :at), :at), "
            "fingerprint = CASE WHEN :in_order THEN :digest ELSE fingerprint END WHERE id = :id",
            {"at": at, "in_order": in_order, "digest": digest, "id": provider},
        )

    # -- early warnings (issue 12) ----------------------------------------------------------

    def _early_warning(self, provider: str, warning: EarlyWarning | None, at: int) -> None:
        """Open, keep or clear the provider's early warning as this poll's probes say."""
        opened = self.warnings.get(provider)
        if warning is None:
            if opened is not None:
                self.conn.execute(
                    "UPDATE early_warnings SET cleared_at = ? WHERE provider = ? AND opened_at = ?",
                    (at, provider, opened),
                )
            return
        since = to_ms(warning.since) or at
        if since != opened:
            if opened is not None:  # a new warning replaces one never seen clearing
                self.conn.execute(
                    "UPDATE early_warnings SET cleared_at = ? WHERE provider = ? AND opened_at = ?",
                    (at, provider, opened),
                )
            write_warning(self.conn, provider, since, None, warning.text)
            self.warnings[provider] = since

    # -- statuses ---------------------------------------------------------------------------

    def _statuses(
        self,
        provider: str,
        page: Page,
        at: int,
        in_order: bool,
        current: dict[str, str] | None = None,
    ) -> None:
        if current is None:
            current = {
                str(row[0]): str(row[1])
                for row in self.conn.execute(
                    "SELECT component, status FROM current_status WHERE provider = ?", (provider,)
                )
            }
        seen: list[tuple[str, Status]] = [("", page.status)]
        seen += [(c.id, c.status) for c in page.components]
        names = {c.id: (c.name, c.group) for c in page.components}
        wrote: list[tuple[str, str]] = []  # (component, status) of each change written
        for component, status in seen:
            if status is Status.UNKNOWN:
                continue  # "we could not tell" starts and ends nothing
            value = _VALUE[status]
            if in_order:
                if current.get(component) != value:
                    wrote.append((component, value))
            elif self._insert_ordered(provider, component, value, at):
                wrote.append((component, value))
        if not wrote:
            return
        self.done.changes += len(wrote)
        # Written with every other provider's at the snapshot's end (`_write_statuses`).
        if in_order:
            self.changes += [(provider, component, at, value) for component, value in wrote]
            self.current += [(provider, component, value) for component, value in wrote]
        self.components += [
            (provider, component, *names[component]) for component, _ in wrote if component
        ]

    def _write_statuses(self) -> None:
        """Write the snapshot's status changes, current statuses and component names, a few
        statements for all (a first poll writes three rows per component: 12,000 at 200
        pages), after every provider's reads: each provider's rows are its own."""
        insert_rows(
            self.conn,
            "INSERT OR REPLACE INTO status_changes (provider, component, at, status) VALUES",
            self.changes,
        )
        insert_rows(
            self.conn,
            "INSERT OR REPLACE INTO current_status (provider, component, status) VALUES",
            self.current,
        )
        insert_rows(
            self.conn,
            "INSERT INTO components (provider, id, name, grp) VALUES",
            self.components,
            " ON CONFLICT (provider, id) DO UPDATE SET name = excluded.name, grp = excluded.grp",
        )

    def _insert_ordered(self, provider: str, component: str, status: str, at: int) -> bool:
        """Insert an observation older than the newest one at its place in the sequence."""
        key = (provider, component, at)
        before = self.conn.execute(
            "SELECT status FROM status_changes WHERE provider = ? AND component = ? AND at <= ? "
            "ORDER BY at DESC LIMIT 1",
            key,
        ).fetchone()
        if before is not None and before[0] == status:
            return False  # consistent with what is known
        after = self.conn.execute(
            "SELECT at, status FROM status_changes WHERE provider = ? AND component = ? "
            "AND at > ? ORDER BY at LIMIT 1",
            key,
        ).fetchone()
        self.conn.execute(
            "INSERT OR REPLACE INTO status_changes (provider, component, at, status) "
            "VALUES (?, ?, ?, ?)",
            (*key, status),
        )
        if after is not None and after[1] == status:
            # The change recorded later happened by this earlier poll already: move it here.
            self.conn.execute(
                "DELETE FROM status_changes WHERE provider = ? AND component = ? AND at = ?",
                (provider, component, after[0]),
            )
        elif after is None:
            self.conn.execute(
                "INSERT OR REPLACE INTO current_status (provider, component, status) "
                "VALUES (?, ?, ?)",
                (provider, component, status),
            )
        return True

    # -- incidents and maintenances ---------------------------------------------------------

    def _incidents(self, provider: str, page: Page, at: int, in_order: bool) -> None:
        page_updated = to_ms(page.updated_at)
        present: set[str] = set()
        for incident in page.incidents:
            present.add(incident.id)
            wrote = upsert_incident(
                self.conn,
                provider,
                incident,
                at=at,
                live=True,
                in_order=in_order,
                page_updated=page_updated,
            )
            self.done.new_incidents += wrote.new
            self.done.resolved += wrote.resolved
            self.done.updates += wrote.updates
        if not in_order:
            return  # an older poll cannot tell that something is gone now
        gone = [
            (str(row[0]), row[1])
            for row in self.conn.execute(
                "SELECT id, updated_at FROM incidents WHERE provider = ? AND resolved_at IS NULL",
                (provider,),
            )
            if row[0] not in present
        ]
        for incident_id, last_update in gone:
            # Statuspage's summary (and other pages) drop an incident once it is resolved.
            self.conn.execute(
                "UPDATE incidents SET resolved_at = ?, resolved_seen_at = ?, phase = 'resolved' "
                "WHERE provider = ? AND id = ?",
                (estimate_end(last_update, page_updated, at), at, provider, incident_id),
            )
            self.done.resolved += 1

    def _maintenances(self, provider: str, page: Page, at: int, in_order: bool) -> None:
        present: set[str] = set()
        for maintenance in page.maintenances:
            present.add(maintenance.id)
            write_maintenance(self.conn, provider, maintenance, at=at, live=True, in_order=in_order)
        if not in_order:
            return
        rows = self.conn.execute(
            "SELECT id, scheduled_for, started_at FROM maintenances WHERE provider = ? "
            "AND completed_at IS NULL",
            (provider,),
        ).fetchall()
        page_updated = to_ms(page.updated_at)
        for maintenance_id, scheduled_for, started_at in rows:
            if maintenance_id in present:
                continue
            if started_at is None and (scheduled_for is None or scheduled_for > at):
                # Gone before it began: cancelled (or moved under a new id); it did not happen.
                self.conn.execute(
                    "DELETE FROM maintenances WHERE provider = ? AND id = ?",
                    (provider, maintenance_id),
                )
                continue
            began = started_at if started_at is not None else scheduled_for
            self.conn.execute(
                "UPDATE maintenances SET completed_at = ?, phase = 'completed', "
                "started_at = coalesce(started_at, ?) WHERE provider = ? AND id = ?",
                (estimate_end(began, page_updated, at), began, provider, maintenance_id),
            )
