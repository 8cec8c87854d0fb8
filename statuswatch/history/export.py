"""The history and the report as text: tables for people, CSV, JSON Lines and Markdown.

Page text is plain already (adapters sanitise it once); what is added here is what each format
needs: CSV cells that a spreadsheet would run as a formula are defused, Markdown cells have
their pipes and markup characters escaped, tables keep to one line per row.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence

from statuswatch.document.history import incident_entry
from statuswatch.history.figures import IMPACTS, MINUTE_STATUSES
from statuswatch.history.model import PastIncident, ProviderFigures, Report
from statuswatch.text import cell_width, fit, one_line
from statuswatch.timefmt import rfc3339, short_utc
from statuswatch.wording import plural

__all__ = [
    "INCIDENT_COLUMNS",
    "duration_text",
    "history_table",
    "incidents_csv",
    "incidents_jsonl",
    "report_csv",
    "report_markdown",
    "report_table",
]

INCIDENT_COLUMNS = (
    "provider",
    "id",
    "title",
    "impact",
    "started_at",
    "resolved_at",
    "duration_s",
    "components",
    "updates",
    "first_update",
    "last_update",
    "source",
    "detected_lead_s",
    "page_lag_s",
    "url",
)
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_NAME_WIDTH = 28  # terminal cells for a name in the report's table, at most
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>|#])")


def duration_text(seconds: int | None) -> str:
    """`95` -> "1m 35s", `5400` -> "1h 30m", `200000` -> "2d 7h"; None -> "-"."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60}s"
    if seconds < 86400:
        return f"{seconds // 3600}h {seconds % 3600 // 60}m"
    return f"{seconds // 86400}d {seconds % 86400 // 3600}h"


def _cell(value: object) -> str:
    """A CSV cell; text that a spreadsheet would evaluate gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def incidents_jsonl(incidents: Iterable[PastIncident]) -> str:
    """One JSON object per line, the history document's incident entries."""
    return "".join(
        json.dumps(incident_entry(incident), ensure_ascii=False) + "\n" for incident in incidents
    )


def incidents_csv(incidents: Iterable[PastIncident]) -> str:
    """One row per incident; components joined with "; ", update texts in full."""
    return _csv(
        INCIDENT_COLUMNS,
        (
            (
                i.provider,
                i.id,
                i.title,
                i.impact,
                rfc3339(i.start),
                rfc3339(i.resolved_at),
                i.duration_s,
                "; ".join(i.components),
                i.update_count,
                i.first_update.text if i.first_update else None,
                i.last_update.text if i.last_update else None,
                i.source,
                i.detected_lead_s,
                i.page_lag_s,
                i.url,
            )
            for i in incidents
        ),
    )


def _report_header() -> list[str]:
    header = ["kind", "id", "name"]
    header += [f"incidents_{impact}" for impact in IMPACTS]
    header += [f"minutes_{status.value}" for status in MINUTE_STATUSES]
    header += [
        "uptime_pct",
        "mttr_s",
        "longest_s",
        "page_lag_s",
        "observed_pct",
        "known_pct",
        "basis_minutes",
        "parts",
    ]
    return header


def _report_row(p: ProviderFigures) -> list[object]:
    row: list[object] = ["provider" if p.parts is None else "stack", p.id, p.name]
    row += [p.incidents[impact] for impact in IMPACTS]
    row += [p.minutes[status.value] for status in MINUTE_STATUSES]
    row += [
        p.uptime_pct,
        p.mttr_s,
        p.longest_s,
        p.page_lag_s,
        p.observed_pct,
        p.known_pct,
        p.basis["minutes"],
        "; ".join(p.parts or ()),
    ]
    return row


def report_csv(report: Report) -> str:
    """One row per provider, then one per stack, every figure in its own column."""
    return _csv(_report_header(), (_report_row(p) for p in [*report.providers, *report.stacks]))


def _md(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", one_line(text))


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}".rstrip("0").rstrip(".") + " %"


def _markdown_rows(title: str, rows: Sequence[ProviderFigures]) -> list[str]:
    lines = [
        f"| {title} | uptime | incidents (crit/major/minor) | major outage | partial outage "
        "| degraded | maintenance | MTTR | longest | page lag | basis |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for p in rows:
        counts = f"{p.incidents['critical']}/{p.incidents['major']}/{p.incidents['minor']}"
        minutes = [f"{p.minutes[s.value]:g} min" for s in MINUTE_STATUSES]
        name = _md(p.name) + (f" ({_md(', '.join(p.parts))})" if p.parts else "")
        lines.append(
            f"| {name} | {_pct(p.uptime_pct)} | {counts} | "
            + " | ".join(minutes)
            + f" | {duration_text(p.mttr_s)} | {duration_text(p.longest_s)} "
            f"| {duration_text(p.page_lag_s)} | {p.basis['minutes']} |"
        )
    return lines


def report_markdown(report: Report) -> str:
    """Markdown tables (providers, then stacks), with the window and a note on the basis."""
    lines = [f"## Reliability {short_utc(report.since)} to {short_utc(report.until)}", ""]
    lines += _markdown_rows("provider", report.providers)
    if report.stacks:
        lines += ["", *_markdown_rows("stack", report.stacks)]
    lines += [
        "",
        "Minutes and uptime: *observed* from statuswatch's own polls, *page* from the status "
        "page's own incident record, *mixed* both. Uptime counts partial outage at 30 %.",
    ]
    return "\n".join(lines) + "\n"


def _table_lines(rows: Sequence[ProviderFigures], width: int) -> list[str]:
    lines = []
    for p in rows:
        total = sum(p.incidents[i] for i in IMPACTS if i != "maintenance")
        outage = p.minutes["major_outage"] + p.minutes["partial_outage"]
        lines.append(
            f"{fit(p.name, width)}  {_pct(p.uptime_pct):>9}  {total:>9}  {outage:>10g}  "
            f"{duration_text(p.mttr_s):>7}  {duration_text(p.longest_s):>7}  "
            f"{duration_text(p.page_lag_s):>6}  {p.basis['minutes']}"
        )
    return lines


def report_table(report: Report) -> str:
    """The report for a terminal: one line per provider, then one per stack."""
    every = [*report.providers, *report.stacks]
    # Terminal cells, not characters (CJK and emoji take two), and never narrower than the
    # header's word, or the header stands off its columns.
    width = max(min(max((cell_width(p.name) for p in every), default=0), _NAME_WIDTH), 8)
    count = len(report.providers)
    lines = [
        f"statuswatch report · {short_utc(report.since)} to {short_utc(report.until)} · "
        f"{count} provider{'' if count == 1 else 's'}",
        f"{fit('provider', width)}  {'uptime':>9}  {'incidents':>9}  {'outage min':>10}  "
        f"{'MTTR':>7}  {'longest':>7}  {'lag':>6}  basis",
        *_table_lines(report.providers, width),
    ]
    if report.stacks:
        lines += ["", fit("stack", width).rstrip(), *_table_lines(report.stacks, width)]
    return "\n".join(lines) + "\n"


def history_table(incidents: Sequence[PastIncident]) -> str:
    """Past incidents for a terminal: a line each, then its first and last update."""
    if not incidents:
        return "No incidents recorded in this window.\n"
    lines: list[str] = []
    for i in incidents:
        start = short_utc(i.start) if i.start else "start unknown"
        if i.resolved_at is None:
            span = f"{start}, still open"
        else:
            span = f"{start}, lasted {duration_text(i.duration_s)}"
        tag = "" if i.source == "observed" else " [backfill]"
        lead = ""
        if i.detected_lead_s is not None:
            lead = f", warned {duration_text(i.detected_lead_s)} ahead"
        lines.append(f"{i.provider_name} · [{i.impact}] {i.title}{tag}")
        components = f" · {', '.join(i.components)}" if i.components else ""
        lines.append(f"    {span}{lead} · {plural(i.update_count, 'update')}{components}")
        for label, note in (("first", i.first_update), ("last", i.last_update)):
            if note is None or (label == "last" and i.update_count < 2):
                continue
            text = one_line(note.text, 140)
            lines.append(f"    {label} ({short_utc(note.at)}): {text}")
    return "\n".join(lines) + "\n"
