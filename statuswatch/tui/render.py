"""Rich `Text` for every cell and pane: page strings are appended as literal text, never markup.

`Text(str)` and `Text.append(str)` do not parse markup, so `[bold]` or `[@click=app.quit]` in a
title stays text. Strings are passed through statuswatch.text once more on the way in (cheap
for clean text), so an escape sequence from a provider the sanitiser never saw still cannot
reach the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from rich.text import Text

from statuswatch.model import (
    Impact,
    Incident,
    Maintenance,
    Phase,
    ProviderReport,
    ProviderSpec,
    StackReport,
    Status,
    Update,
)
from statuswatch.text import one_line, plain_text, safe_url
from statuswatch.timefmt import age
from statuswatch.tui.board import Board
from statuswatch.tui.probeview import (
    add_lead,
    add_probes,
    warning_mark,
)
from statuswatch.tui.scopeview import RISK_STYLE, add_links, add_risks, add_scope, risk_note

__all__ = [
    "STATUS_STYLES",
    "incident_cells",
    "incident_detail",
    "line",
    "maintenance_cells",
    "maintenance_detail",
    "provider_cells",
    "provider_detail",
    "selected_detail",
    "stack_cells",
    "stack_detail",
    "status_label",
    "when",
]

STATUS_STYLES = {
    Status.OPERATIONAL: "green",
    Status.MAINTENANCE: "bright_blue",
    Status.DEGRADED: "bold yellow",
    Status.PARTIAL_OUTAGE: "bold dark_orange",
    Status.MAJOR_OUTAGE: "bold white on red",
    Status.UNKNOWN: "magenta",
}
IMPACT_STYLES = {
    Impact.NONE: "dim",
    Impact.MAINTENANCE: "bright_blue",
    Impact.MINOR: "yellow",
    Impact.MAJOR: "bold dark_orange",
    Impact.CRITICAL: "bold white on red",
}
_PENDING = "checking…"


def line(value: object, style: str = "") -> Text:
    """One line of page text, literal."""
    return Text(one_line(value), style=style, no_wrap=True, overflow="ellipsis")


def when(moment: datetime | None, now: datetime) -> str:
    """An absolute UTC time with its age: `2025-11-18 11:48 UTC (42m ago)`."""
    if moment is None:
        return "unknown time"
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC ({age(moment, now)})"


def status_label(status: Status) -> Text:
    """The status as a coloured word (the word carries it without colour too)."""
    return Text(status.label, style=STATUS_STYLES[status])


def provider_cells(
    spec: ProviderSpec, report: ProviderReport | None, now: datetime
) -> tuple[Text, Text, Text]:
    """Status, name and note of a provider row (an early warning leads the note, marked)."""
    if report is None:
        return Text(_PENDING, style="dim"), line(spec.name), Text("")
    note = _note(report, now)
    if report.early_warning is not None:
        note = _one_row(Text.assemble(warning_mark(), " ", note))
    return status_label(report.status), line(spec.name), note


def _note(report: ProviderReport, now: datetime) -> Text:
    """Why a provider is in its state: the failure and the data's age, or the page's words."""
    page = report.page
    if report.error is not None:
        note = line(f"{report.error.type.value}: {report.error.message}", "magenta")
        if report.stale and report.fetched_at is not None and page is not None:
            was = page.status.label
            note = _one_row(
                Text.assemble(
                    Text(
                        f"stale {age(report.fetched_at, now)}, was {was} · ", style="bold magenta"
                    ),
                    note,
                )
            )
        return note
    if page is None:
        return Text("")
    opened = [i for i in page.incidents if not i.phase.is_closed]
    if opened:
        count = f" (+{len(opened) - 1})" if len(opened) > 1 else ""
        return _one_row(Text.assemble(line(opened[0].title), Text(count, style="dim")))
    # Before its own page says anything: what it runs on is failing.
    at_risk = risk_note(report)
    if at_risk is not None:
        return at_risk
    # AWS and Google Cloud documents carry no summary sentence.
    return line(page.description or "no open incidents", "dim")


def _one_row(text: Text) -> Text:
    """`text` kept on one row, cut with an ellipsis (assembling loses both settings)."""
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


def incident_cells(
    report: ProviderReport, incident: Incident, now: datetime, closed_at: datetime | None
) -> tuple[Text, Text, Text, Text, Text]:
    """Impact, provider, title, phase and start of an incident row."""
    if closed_at is not None:
        # "resolved" leads the title too: at 80 columns the impact and phase columns give way.
        title = _one_row(Text.assemble(Text("resolved: ", style="green"), line(incident.title)))
        title.stylize("dim", 10)
        return (
            Text("resolved", style="green"),
            line(report.spec.name, "dim"),
            title,
            Text(f"closed {age(closed_at, now).removesuffix(' ago')}", style="green"),
            Text(_short_age(incident.started_at, now), style="dim"),
        )
    phase = incident.phase.value.replace("_", " ")
    stale = " (stale)" if report.stale else ""
    return (
        Text(incident.impact.value, style=IMPACT_STYLES[incident.impact]),
        line(report.spec.name),
        line(incident.title),
        Text(phase + stale, style="magenta" if stale else ""),
        Text(_short_age(incident.started_at, now)),
    )


def maintenance_cells(
    report: ProviderReport, item: Maintenance, now: datetime
) -> tuple[Text, Text, Text]:
    """When, provider and title of a maintenance row."""
    if item.phase is Phase.SCHEDULED:
        start = item.scheduled_for
        moment = f"{start.astimezone(UTC):%b %d %H:%M}" if start else "scheduled"
        return Text(moment, style="bright_blue"), line(report.spec.name), line(item.title)
    return Text("in progress", style="bold bright_blue"), line(report.spec.name), line(item.title)


def _short_age(moment: datetime | None, now: datetime) -> str:
    return age(moment, now) if moment is not None else ""


# --- detail panes ------------------------------------------------------------------------------


def incident_detail(
    report: ProviderReport,
    incident: Incident,
    now: datetime,
    closed_at: datetime | None = None,
    board: Board | None = None,
) -> Text:
    """Everything about one incident: title, impact, phase, components, times, all updates."""
    out = Text()
    out.append(one_line(incident.title) + "\n", style="bold")
    out.append(one_line(report.spec.name), style="bold cyan")
    out.append("  ·  impact ")
    out.append(incident.impact.value, style=IMPACT_STYLES[incident.impact])
    out.append("  ·  phase ")
    out.append(incident.phase.value.replace("_", " "), style="bold")
    if closed_at is not None:
        out.append(f"  ·  closed while watching, {age(closed_at, now)}", style="green")
    if report.stale:
        out.append("  ·  stale: the page could not be read, this is older data", style="magenta")
    out.append("\n")
    out.append(f"Started   {when(incident.started_at, now)}\n")
    if incident.updated_at is not None:
        out.append(f"Updated   {when(incident.updated_at, now)}\n")
    if incident.resolved_at is not None:
        out.append(f"Resolved  {when(incident.resolved_at, now)}\n")
    add_lead(out, incident)
    if board is not None:
        add_links(out, board, report.spec.id, incident.id)
    if report.scope is not None and incident.id in report.scope.unnamed:
        out.append("Scope     names no component: it may affect yours\n", style="dim")
    _components(out, incident.components)
    _url(out, incident.url)
    _timeline(out, incident.updates, now)
    return out


def maintenance_detail(report: ProviderReport, item: Maintenance, now: datetime) -> Text:
    """Everything about one maintenance window."""
    out = Text()
    out.append(one_line(item.title) + "\n", style="bold")
    out.append(one_line(report.spec.name), style="bold cyan")
    out.append("  ·  maintenance ")
    out.append(item.phase.value.replace("_", " "), style="bold bright_blue")
    out.append("\n")
    out.append(f"From      {when(item.scheduled_for, now)}\n")
    if item.scheduled_until is not None:
        out.append(f"Until     {when(item.scheduled_until, now)}\n")
    _components(out, item.components)
    _url(out, item.url)
    _timeline(out, item.updates, now)
    return out


def provider_detail(spec: ProviderSpec, report: ProviderReport | None, now: datetime) -> Text:
    """A provider: status, the page's words, failure and age, problem components, incidents."""
    out = Text()
    out.append(one_line(spec.name), style="bold cyan")
    out.append("  ")
    if report is None:
        out.append(_PENDING, style="dim")
        out.append(f"\n{one_line(spec.url)}\n", style="dim")
        return out
    out.append_text(status_label(report.status))
    out.append(f"  ·  {spec.kind} page\n", style="dim")
    page = report.page
    if report.error is not None:
        out.append(f"Error     {report.error.type.value}: ", style="magenta")
        out.append(one_line(report.error.message) + "\n", style="magenta")
    if report.stale and report.fetched_at is not None:
        out.append(f"Stale     showing data read {when(report.fetched_at, now)}\n", style="magenta")
    elif report.fetched_at is not None:
        out.append(f"Read      {when(report.fetched_at, now)}\n")
    if page is not None:
        if page.description:
            out.append("Page says ")
            out.append(one_line(page.description) + "\n", style="bold")
        if page.updated_at is not None:
            out.append(f"Updated   {when(page.updated_at, now)}\n")
    out.append("Page      ")
    out.append(one_line(spec.url) + "\n", style="underline")
    add_probes(out, report, now)
    add_scope(out, report)
    add_risks(out, report)
    if page is None:
        return out
    # Worst first (AWS lists services by name, a major outage after a dozen degraded ones);
    # the page's order among equals.
    troubled = sorted(
        (c for c in page.components if c.status.is_problem), key=lambda c: -c.status.urgency
    )
    if troubled:
        out.append(f"\nComponents not operational ({len(troubled)} of {len(page.components)})\n")
        for component in troubled:
            name = f"{component.group} › {component.name}" if component.group else component.name
            out.append("  ")
            out.append_text(status_label(component.status))
            out.append("  " + one_line(name) + "\n")
    elif page.components:
        everything = (
            "the one component"
            if len(page.components) == 1
            else (f"all {len(page.components)} components")
        )
        out.append(f"\n{everything.capitalize()} operational\n", style="green")
    opened = [i for i in page.incidents if not i.phase.is_closed]
    if opened:
        out.append("\nActive incidents\n", style="bold")
        for incident in opened:
            out.append(f"  {incident.impact.value:<8} ", style=IMPACT_STYLES[incident.impact])
            out.append(one_line(incident.title))
            out.append(f"  ({incident.phase.value}, {when(incident.started_at, now)})\n")
    planned = [m for m in page.maintenances if not m.phase.is_closed]
    if planned:
        out.append("\nMaintenance\n", style="bold")
        for item in planned:
            out.append(f"  {item.phase.value.replace('_', ' '):<12} ", style="bright_blue")
            out.append(one_line(item.title))
            out.append(f"  ({when(item.scheduled_for, now)})\n")
    return out


def _components(out: Text, components: Iterable[str]) -> None:
    names = [one_line(name) for name in components]
    if names:
        out.append("Affects   ")
        out.append(", ".join(names) + "\n")


def _url(out: Text, url: str | None) -> None:
    if url:
        out.append("Link      ")
        out.append(one_line(url), style="underline")
        out.append("  (o opens it)\n", style="dim")


def _timeline(out: Text, updates: Iterable[Update], now: datetime) -> None:
    """Every update, newest first, whatever order the adapter gave."""
    ordered = sorted(updates, key=lambda u: u.at, reverse=True)
    if not ordered:
        return
    out.append(f"\nUpdates, newest first ({len(ordered)})\n", style="bold")
    for update in ordered:
        out.append(f"\n{when(update.at, now)}  ", style="cyan")
        out.append(update.phase.value.replace("_", " "), style="bold")
        out.append("\n")
        out.append(plain_text(update.text) + "\n")


# --- stacks (issue 13) ------------------------------------------------------------------------


def stack_cells(stack: StackReport) -> tuple[Text, Text, Text]:
    """Status, name and note of a stack row: its first reason, or what it may be affected by."""
    note = stack.reasons[0] if stack.reasons else f"{len(stack.parts)} parts operational"
    style = RISK_STYLE if note.startswith("may be affected") else "" if stack.reasons else "dim"
    return status_label(stack.status), line(stack.name), line(note, style)


def stack_detail(board: Board, key: str) -> Text | None:
    """A stack: its status, each part as the stack uses it, why, and what it may be hit by."""
    stack = next((s for s in board.stacks if f"stack:{s.id}" == key), None)
    if stack is None:
        return None
    out = Text()
    out.append(one_line(stack.name), style="bold cyan")
    out.append("  ")
    out.append_text(status_label(stack.status))
    out.append("  ·  stack, the worst of its parts\n", style="dim")
    out.append("\nParts\n", style="bold")
    for part in stack.parts:
        report = board.reports.get(part.provider)
        name = report.spec.name if report is not None else part.provider
        scope = f" ({', '.join(part.scope)})" if part.scope else ""
        out.append("  ")
        out.append_text(status_label(part.status))
        out.append("  " + one_line(name + scope) + "\n")
    if stack.reasons:
        out.append("\nWhy\n", style="bold")
        for reason in stack.reasons:
            style = RISK_STYLE if reason.startswith("may be affected") else ""
            out.append("  " + one_line(reason) + "\n", style=style)
    return out


def selected_detail(
    board: Board, table: str, key: str, now: datetime
) -> tuple[Text, str | None] | None:
    """The detail text and link of row `key` of list `table`, None if it is gone.

    The link is the item's own page if it is http(s), else the provider's page.
    """
    if table == "providers":
        spec = next((s for s in board.specs if s.id == key), None)
        if spec is None:
            return None
        return provider_detail(spec, board.reports.get(key), now), safe_url(spec.url)
    if table == "stacks":
        detail = stack_detail(board, key)
        return None if detail is None else (detail, None)
    if table == "incidents":
        row = board.find_incident(key, now)
        if row is None:
            return None
        text = incident_detail(row.report, row.incident, now, row.closed_at, board)
        return text, safe_url(row.incident.url) or safe_url(row.report.spec.url)
    found = board.find_maintenance(key)
    if found is None:
        return None
    report, item = found
    return maintenance_detail(report, item, now), safe_url(item.url) or safe_url(report.spec.url)
