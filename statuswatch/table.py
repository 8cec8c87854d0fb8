"""The plain-text status table: worst first, a line per provider, active incidents below."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from statuswatch.blast import risk_text
from statuswatch.model import (
    Correlation,
    Incident,
    Maintenance,
    Phase,
    ProviderReport,
    Risk,
    Snapshot,
    StackReport,
    Status,
)
from statuswatch.text import cell_width, fit
from statuswatch.timefmt import age, short_utc
from statuswatch.wording import plural

__all__ = ["cell_width", "fit", "lead_text", "status_table", "worst_first"]

_COLOURS = {
    Status.OPERATIONAL: "32",  # green
    Status.MAINTENANCE: "34",  # blue
    Status.DEGRADED: "33",  # yellow
    Status.PARTIAL_OUTAGE: "38;5;208",  # orange
    Status.MAJOR_OUTAGE: "1;31",  # bold red
    Status.UNKNOWN: "35",  # magenta
}


_WARNING_COLOUR = "33"  # yellow: looks like trouble, not yet confirmed by the page
WARNING_MARK = "⚠"  # an early warning (probes), unlike the `?` of what may be at risk


def lead_text(seconds: int) -> str:
    """An incident's lag behind our early warning, in words."""
    minutes = round(seconds / 60)
    return f"posted {minutes} min after statuswatch's early warning (probes)"


NAME_WIDTH = 32  # terminal columns for a provider's name, at most


def _risk_line(risk: Risk) -> str:
    """`may be affected by Cloudflare (MAJOR OUTAGE)`; an early warning has no status to add
    (its page says nothing yet: that is the warning)."""
    text = risk_text(risk)
    return text if risk.early_warning else f"{text} ({risk.status.label})"


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def _active(incidents: Iterable[Incident]) -> list[Incident]:
    return [i for i in incidents if not i.phase.is_closed]


def worst_first(reports: Sequence[ProviderReport]) -> list[ProviderReport]:
    """Return reports worst first (outages, then unknown), keeping watch order among equals;
    among equals an early warning comes first (it is not a status, but it is news)."""
    return sorted(reports, key=lambda r: (-r.status.urgency, r.early_warning is None))


def _incident_lines(incident: Incident, now: datetime) -> list[str]:
    since = ""
    if incident.started_at is not None:
        since = f", since {short_utc(incident.started_at)} ({age(incident.started_at, now)})"
    phase = incident.phase.value.replace("_", " ")
    lines = [f"    ! [{incident.impact.value}] {incident.title} ({phase}{since})"]
    if incident.detected_lead_s is not None:
        lines.append(f"      {lead_text(incident.detected_lead_s)}")
    if incident.updates:
        newest = max(incident.updates, key=lambda u: u.at)
        first_line = newest.text.split("\n", 1)[0]
        if len(first_line) > 160:
            first_line = first_line[:159] + "…"
        lines.append(f"      {age(newest.at, now)}: {first_line}")
    if incident.url:
        lines.append(f"      {incident.url}")
    return lines


def _maintenance_lines(maintenance: Maintenance, now: datetime) -> list[str]:
    when = ""
    if maintenance.scheduled_for is not None:
        when = f", {short_utc(maintenance.scheduled_for)} ({age(maintenance.scheduled_for, now)})"
    phase = maintenance.phase.value.replace("_", " ")
    return [f"    ~ maintenance {phase}: {maintenance.title}{when}"]


def status_table(snapshot: Snapshot, *, only_problems: bool = False, colour: bool = False) -> str:
    """Return the plain-text table: worst first, a line per provider, active incidents below."""
    now = snapshot.generated_at
    reports = worst_first(snapshot.reports)
    problems = [r for r in reports if r.status.is_problem]
    unknown = sum(1 for r in problems if r.status is Status.UNKNOWN)
    lines = [
        f"statuswatch · {short_utc(now)} · {plural(len(reports), 'provider')}: "
        f"{len(problems) - unknown} with problems, {unknown} unknown" + _at_risk_count(reports)
    ]
    warned = [r for r in reports if r.early_warning is not None]
    if warned:
        lines[0] += f", {len(warned)} early warning{'s' if len(warned) > 1 else ''}"
    if snapshot.vantage is not None and snapshot.vantage.text:
        lines.append(f"{WARNING_MARK} {snapshot.vantage.text}")
    lines += _stack_lines(snapshot.stacks, colour)
    # An early warning is shown with the problems, though the provider's status is unchanged.
    problems_or_warned = [r for r in reports if r.status.is_problem or r.early_warning]
    shown = problems_or_warned if only_problems else reports
    if not shown:
        lines.append("All providers operational.")
    # Display width, not len(): a CJK or emoji name takes two columns per character.
    name_width = min(max((cell_width(r.spec.name) for r in shown), default=10), NAME_WIDTH)
    for report in shown:
        status = report.status
        label = _paint(f"{status.label:<14}", _COLOURS[status], colour)
        name = fit(report.spec.name, name_width)
        detail = _detail(report, now)
        lines.append(f"{label} {name}  {detail}".rstrip())
        if report.early_warning is not None:
            text = f"    {WARNING_MARK} early warning: {report.early_warning.text}"
            lines.append(_paint(text, _WARNING_COLOUR, colour))
        lines += [f"    ? {_risk_line(risk)}" for risk in report.at_risk_from]
        page = report.page
        if page is None:
            continue
        unnamed = report.scope.unnamed if report.scope is not None else frozenset()
        for incident in _active(page.incidents):
            lines.extend(_incident_lines(incident, now))
            if incident.id in unnamed:
                lines.append("      (names no component: it may affect the scope)")
        for maintenance in page.maintenances:
            if maintenance.phase in (Phase.IN_PROGRESS, Phase.VERIFYING):
                lines.extend(_maintenance_lines(maintenance, now))
        upcoming = sum(1 for m in page.maintenances if m.is_upcoming(now))
        if upcoming and not only_problems:
            lines.append(f"    ~ {plural(upcoming, 'upcoming maintenance')}")
    lines += _correlation_lines(snapshot.correlations)
    return "\n".join(lines) + "\n"


# --- stacks, the blast radius and shared causes (issue 13) -----------------------------------


def _at_risk_count(reports: Sequence[ProviderReport]) -> str:
    at_risk = sum(1 for r in reports if r.at_risk_from)
    return f", {at_risk} at risk" if at_risk else ""


def _stack_lines(stacks: Sequence[StackReport], colour: bool) -> list[str]:
    """The stacks, worst first, each with the reasons it is in its state: they head the table."""
    if not stacks:
        return []
    lines = ["Stacks:"]
    width = min(max(len(s.name) for s in stacks), 32)
    for stack in sorted(stacks, key=lambda s: -s.status.urgency):
        label = _paint(f"{stack.status.label:<14}", _COLOURS[stack.status], colour)
        first = stack.reasons[0] if stack.reasons else ""
        lines.append(f"{label} {stack.name[:width]:<{width}}  {first}".rstrip())
        lines += [f"{'':<{15 + width}}  {reason}" for reason in stack.reasons[1:]]
    lines.append("Providers:")
    return lines


def _correlation_lines(correlations: Sequence[Correlation]) -> list[str]:
    if not correlations:
        return []
    return ["Linked incidents:", *(f"  {c.text}" for c in correlations)]


def _detail(report: ProviderReport, now: datetime) -> str:
    if report.error is None:
        return report.page.description if report.page else ""
    text = f"{report.error.type.value}: {report.error.message}"
    if report.stale and report.fetched_at is not None:
        text += f" (showing data from {age(report.fetched_at, now)})"
    return text
