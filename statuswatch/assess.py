"""From what the pages say to what it means for the user: scopes, the blast radius, stacks and
shared causes, worked out from one poll's reports (pure: no I/O, no clock)."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence

from statuswatch.blast import risks
from statuswatch.correlate import correlate
from statuswatch.model import ProviderReport, Snapshot
from statuswatch.scope import scope_report
from statuswatch.stacks import Stack, evaluate

__all__ = ["assess", "scope_warnings"]


def assess(
    snapshot: Snapshot,
    stacks: Sequence[Stack] = (),
    *,
    early_warnings: Collection[str] = (),
) -> Snapshot:
    """Return `snapshot` as the user sees it: each report cut to its spec's scope and marked
    with what it may be affected by, the stacks rated, the shared causes linked.

    Args:
        snapshot: one poll, each report as read from its page (a report that already carries
            a scope note was assessed before, by a server, and is kept as it is).
        stacks: the user's stacks.
        early_warnings: ids of the providers with an open early warning (issue 12's probes):
            they put what runs on them at risk as an incident would.
    """
    raw = {report.spec.id: report for report in snapshot.reports}
    seen: list[ProviderReport] = []
    for report in snapshot.reports:
        view = report if report.scope is not None else scope_report(report, report.spec.scope)
        found = risks(
            report.spec.runs_on, raw, early_warnings=early_warnings, own_id=report.spec.id
        )
        seen.append(dataclasses.replace(view, at_risk_from=found))
    return dataclasses.replace(
        snapshot,
        reports=tuple(seen),
        stacks=tuple(evaluate(s, raw, early_warnings=early_warnings) for s in stacks),
        correlations=correlate(seen, raw),
    )


def scope_warnings(snapshot: Snapshot) -> list[str]:
    """One line per scope that matches nothing on a page that lists every component."""
    lines = [r.scope.warning for r in snapshot.reports if r.scope is not None and r.scope.warning]
    return list(dict.fromkeys(lines))
