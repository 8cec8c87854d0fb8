"""Probes in the live view: the early warning's mark, its details, each probe, the page's lag.

An early warning is marked unlike any status label: it never is the provider's status. Like
render.py, text is appended as literal text, never markup.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text

from statuswatch.model import Incident, ProviderReport
from statuswatch.text import one_line
from statuswatch.timefmt import age

__all__ = ["WARNING_MARK", "WARNING_STYLE", "add_lead", "add_probes", "warning_mark"]

WARNING_MARK = "⚠"
WARNING_STYLE = "bold black on yellow"


def warning_mark() -> Text:
    """The mark of an early warning, unlike any status label."""
    return Text(f"{WARNING_MARK} early warning", style=WARNING_STYLE)


def _when(moment: datetime, now: datetime) -> str:
    """As the detail pane writes times: `2025-11-18 11:21 UTC (19m ago)`."""
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC ({age(moment, now)})"


def add_probes(out: Text, report: ProviderReport, now: datetime) -> None:
    """The provider detail's early warning and each probe's result."""
    warning = report.early_warning
    if warning is not None:
        out.append("\n")
        out.append_text(warning_mark())
        out.append("  " + one_line(warning.text) + "\n", style="bold yellow")
        out.append(
            f"          opened {_when(warning.since, now)}; its own endpoints fail while its "
            "page says less (the status above is the page's)\n",
            style="dim",
        )
    probes = report.probes
    if probes is None or not probes.results:
        return
    since = f", since {_when(probes.since, now)}" if probes.since is not None else ""
    out.append(
        f"\nProbes    {probes.passed} of {probes.total} passed ({probes.state.value}{since})\n"
    )
    for result in probes.results:
        ok = result.ok
        out.append("  ✓ " if ok else "  ✗ ", style="green" if ok else "bold red")
        out.append(one_line(result.url))
        if result.region:
            out.append(f"  [{one_line(result.region)}]", style="dim")
        said = f"HTTP {result.status}" if result.status is not None else ""
        if result.error and not ok:
            said = one_line(result.error)
        if result.latency_ms is not None:
            said += f" · {result.latency_ms:.0f} ms"
        out.append(f"  {said}\n", style="dim" if ok else "red")


def add_lead(out: Text, incident: Incident) -> None:
    """How late the page was, when we warned before it posted."""
    if incident.detected_lead_s is not None:
        minutes = round(incident.detected_lead_s / 60)
        out.append(
            f"Lead      the page posted {minutes} min after statuswatch's early warning\n",
            style="bold yellow",
        )
