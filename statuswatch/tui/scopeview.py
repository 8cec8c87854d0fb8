"""Stacks, the blast radius and shared causes in the live view: rows, notes and detail lines.

Like render.py, every string from a page is appended as literal text, never markup.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text

from statuswatch.blast import risk_text
from statuswatch.model import ProviderReport
from statuswatch.scope import left_out
from statuswatch.text import one_line
from statuswatch.tui.board import Board

__all__ = ["RISK_STYLE", "add_links", "add_risks", "add_scope", "risk_note"]

RISK_STYLE = "italic dark_orange"


def _line(value: object, style: str = "") -> Text:
    return Text(one_line(value), style=style, no_wrap=True, overflow="ellipsis")


def risk_note(report: ProviderReport) -> Text | None:
    """`may be affected by Cloudflare`, for a provider row whose own page says nothing yet."""
    if not report.at_risk_from:
        return None
    names = ", ".join(one_line(risk.name) for risk in report.at_risk_from)
    return _line(f"may be affected by {names}", RISK_STYLE)


def add_scope(out: Text, report: ProviderReport) -> None:
    """The provider's scope and what it leaves out, in its detail pane."""
    note = report.scope
    if note is None:
        return
    out.append("Scope     ")
    out.append(one_line(", ".join(note.patterns)), style="bold")
    elsewhere = left_out(note)
    if elsewhere:
        out.append(f"  ({elsewhere}, left out)", style="dim")
    out.append("\n")
    if note.warning:
        out.append("Warning   " + one_line(note.warning) + "\n", style="bold yellow")


def add_risks(out: Text, report: ProviderReport) -> None:
    """What the provider may be affected by, in its detail pane."""
    for risk in report.at_risk_from:
        out.append("At risk   ", style=RISK_STYLE)
        out.append(one_line(risk_text(risk)), style=RISK_STYLE)
        out.append(f" ({risk.status.label}): it runs on it\n", style="dim")


def add_links(out: Text, board: Board, provider_id: str, incident_id: str) -> None:
    """The shared causes an incident is part of, in its detail pane (on both ends of a link)."""
    for correlation in board.links(provider_id, incident_id):
        out.append("Linked    ", style="bold dark_orange")
        out.append(one_line(correlation.text) + "\n", style="dark_orange")
        others = [
            m for m in correlation.members if (m.provider, m.incident) != (provider_id, incident_id)
        ]
        for member in others:
            report = board.reports.get(member.provider)
            name = report.spec.name if report is not None else member.provider
            started = member.started_at
            at = f" ({started.astimezone(UTC):%H:%M} UTC)" if isinstance(started, datetime) else ""
            out.append(f"          with {one_line(name)}{at}\n", style="dim")
