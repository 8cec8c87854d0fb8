"""What the TUI shows, kept apart from Textual: the latest report per provider, merged and sorted.

A failed poll never wipes what is known: a report without a page keeps the previous page,
marked stale. Incidents that appear or close between two good reads become `Change`s, which
the app turns into toasts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum

from statuswatch.model import (
    Correlation,
    ErrorType,
    FetchError,
    Incident,
    Maintenance,
    Phase,
    ProviderReport,
    ProviderSpec,
    Snapshot,
    StackReport,
    Status,
)
from statuswatch.records import record

__all__ = ["RESOLVED_KEPT", "Board", "Change", "ChangeKind", "IncidentRow", "rank"]

# An incident that closed while watching stays listed (as resolved) this long, by the app's clock.
RESOLVED_KEPT = timedelta(hours=2)


def rank(report: ProviderReport | None) -> int:
    """Sort rank of a provider's row: higher is listed first; 0 before its first report."""
    # The same order as the table (Status.urgency); a provider not heard from yet goes last.
    return 0 if report is None else report.status.urgency + 1


def _warned(provider_id: str, board: Board) -> bool:
    """True when the provider's latest report carries an early warning."""
    report = board.reports.get(provider_id)
    return report is not None and report.early_warning is not None


class ChangeKind(StrEnum):
    """What happened to an incident between two good reads."""

    NEW = "new"
    RESOLVED = "resolved"


@record
class Change:
    """An incident that appeared or closed while watching."""

    kind: ChangeKind
    report: ProviderReport
    incident: Incident


@record
class IncidentRow:
    """One line of the combined incident list; `closed_at` is set for one that closed."""

    report: ProviderReport
    incident: Incident
    closed_at: datetime | None = None

    @property
    def key(self) -> str:
        """A key unique across providers."""
        return row_key(self.report.spec.id, self.incident.id)


def row_key(provider_id: str, item_id: str) -> str:
    """The table key of an incident or a maintenance of a provider."""
    return f"{provider_id}\x1f{item_id}"


class Board:
    """The latest report of every watched provider and the incidents seen while watching."""

    def __init__(self, specs: Sequence[ProviderSpec]) -> None:
        self.specs: tuple[ProviderSpec, ...] = tuple(specs)
        self.reports: dict[str, ProviderReport] = {}
        self._order = {spec.id: index for index, spec in enumerate(self.specs)}
        self._active: dict[str, dict[str, Incident]] = {}  # provider -> open incidents, last read
        self._closed: dict[str, IncidentRow] = {}  # row key -> incident that closed
        # Stacks and shared causes (issue 13), as of the last finished poll.
        self.stacks: tuple[StackReport, ...] = ()
        self.correlations: tuple[Correlation, ...] = ()

    def apply(self, report: ProviderReport, now: datetime) -> list[Change]:
        """Take in one provider's report; return the incidents that opened or closed."""
        spec = report.spec
        previous = self.reports.get(spec.id)
        if report.page is None and previous is not None and previous.page is not None:
            # The engine had no cached body: keep what we showed, marked stale, with its age.
            report = replace(report, page=previous.page, fetched_at=previous.fetched_at, stale=True)
        if report.probes is None and previous is not None and previous.probes is not None:
            # A report as it arrives has no probe results yet (they come with the poll's end):
            # keep the last ones meanwhile, so an early warning does not blink off and on.
            report = replace(report, probes=previous.probes, early_warning=previous.early_warning)
        if previous is not None and not report.at_risk_from and previous.at_risk_from:
            # Risks are worked out once every report is in (take): keep the last ones till then.
            report = replace(report, at_risk_from=previous.at_risk_from)
        self.reports[spec.id] = report
        if report.error is not None or report.page is None:
            return []  # a failed read says nothing about incidents
        active = {i.id: i for i in report.page.incidents if not i.phase.is_closed}
        before = self._active.get(spec.id)
        self._active[spec.id] = active
        for incident_id in active:
            self._closed.pop(row_key(spec.id, incident_id), None)  # reopened
        if before is None:
            return []  # the first read: what is already there is not news
        changes = [
            Change(ChangeKind.NEW, report, incident)
            for incident_id, incident in active.items()
            if incident_id not in before
        ]
        listed = {i.id: i for i in report.page.incidents}
        for incident_id, incident in before.items():
            if incident_id in active:
                continue
            closed = listed.get(incident_id) or replace(incident, phase=Phase.RESOLVED)
            self._closed[row_key(spec.id, incident_id)] = IncidentRow(report, closed, now)
            changes.append(Change(ChangeKind.RESOLVED, report, closed))
        return changes

    def mark_failed(self, why: str, now: datetime) -> None:
        """No fresh data can be had (a server that stopped answering): every provider is
        unknown with `why`, its last page kept and marked stale with its age."""
        error = FetchError(ErrorType.CONNECTION, why)
        for report in list(self.reports.values()):
            if report.error is None or report.error.message != why:
                self.apply(replace(report, stale=report.page is not None, error=error), now)

    def take(self, snapshot: Snapshot) -> None:
        """Take in what a finished poll worked out from all its reports: risks, stacks, links."""
        for report in snapshot.reports:
            shown = self.reports.get(report.spec.id)
            if shown is not None and shown.at_risk_from != report.at_risk_from:
                self.reports[report.spec.id] = replace(shown, at_risk_from=report.at_risk_from)
        self.stacks = snapshot.stacks
        self.correlations = snapshot.correlations

    def links(self, provider_id: str, incident_id: str) -> list[Correlation]:
        """The shared causes an incident is part of."""
        return [
            c
            for c in self.correlations
            if any(m.provider == provider_id and m.incident == incident_id for m in c.members)
        ]

    def providers(self, text: str = "", only_problems: bool = False) -> list[ProviderSpec]:
        """The providers to list, worst first, in watch order among equals."""
        shown = []
        for spec in self.specs:
            report = self.reports.get(spec.id)
            if only_problems and (
                report is None or not (report.status.is_problem or report.early_warning)
            ):
                continue
            if text and not _matches(text, _provider_words(spec, report)):
                continue
            shown.append(spec)
        return sorted(
            shown,
            key=lambda s: (
                -rank(self.reports.get(s.id)),
                not _warned(s.id, self),
                self._order[s.id],
            ),
        )

    def incidents(self, now: datetime, text: str = "") -> list[IncidentRow]:
        """Open incidents of every provider, worst then newest first; then those that closed."""
        rows = [
            IncidentRow(report, incident)
            for report in self.reports.values()
            if report.page is not None
            for incident in report.page.incidents
            if not incident.phase.is_closed
        ]
        rows.sort(key=lambda r: (-r.incident.impact.severity, -_stamp(r.incident.started_at)))
        for key, row in list(self._closed.items()):
            if row.closed_at is not None and now - row.closed_at > RESOLVED_KEPT:
                del self._closed[key]
        closed = sorted(self._closed.values(), key=lambda r: -_stamp(r.closed_at))
        return [row for row in rows + closed if not text or _matches(text, _incident_words(row))]

    def maintenances(self, text: str = "") -> list[tuple[ProviderReport, Maintenance]]:
        """Maintenance not yet completed: in progress first, then upcoming, soonest first."""
        rows = [
            (report, item)
            for report in self.reports.values()
            if report.page is not None
            for item in report.page.maintenances
            if not item.phase.is_closed
        ]
        rows = [
            row
            for row in rows
            if not text or _matches(text, (row[0].spec.name, row[0].spec.id, row[1].title))
        ]
        return sorted(
            rows,
            key=lambda r: (r[1].phase is Phase.SCHEDULED, _stamp(r[1].scheduled_for)),
        )

    def warned(self) -> int:
        """How many providers carry an early warning (probes; never a status)."""
        return sum(1 for report in self.reports.values() if report.early_warning is not None)

    def counts(self) -> dict[Status, int]:
        """How many providers are in each status (those heard from)."""
        counts = dict.fromkeys(Status, 0)
        for report in self.reports.values():
            counts[report.status] += 1
        return counts

    def find_incident(self, key: str, now: datetime) -> IncidentRow | None:
        """The incident row with table key `key`, open or closed."""
        return next((row for row in self.incidents(now) if row.key == key), None)

    def find_maintenance(self, key: str) -> tuple[ProviderReport, Maintenance] | None:
        """The maintenance with table key `key`."""
        return next(
            (row for row in self.maintenances() if row_key(row[0].spec.id, row[1].id) == key),
            None,
        )


def _stamp(value: datetime | None) -> float:
    return value.timestamp() if value is not None else 0.0


def _matches(text: str, words: Iterable[str]) -> bool:
    """True when every word of the filter `text` appears in one of `words` (any case)."""
    haystack = "\n".join(words).casefold()
    return all(part in haystack for part in text.casefold().split())


def _provider_words(spec: ProviderSpec, report: ProviderReport | None) -> list[str]:
    words = [spec.id, spec.name, spec.category]
    if report is not None:
        words.append(report.status.value.replace("_", " "))
        if report.error is not None:
            words.append(report.error.message)
        if report.page is not None:
            words.append(report.page.description)
            words.extend(i.title for i in report.page.incidents if not i.phase.is_closed)
            words.extend(c.name for c in report.page.components if c.status.is_problem)
        words.extend(risk.name for risk in report.at_risk_from)  # "cloudflare": what it hits
    return words


def _incident_words(row: IncidentRow) -> list[str]:
    incident = row.incident
    return [row.report.spec.id, row.report.spec.name, incident.title, *incident.components]
