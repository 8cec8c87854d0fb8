"""The reliability figures the suites measure, gathered for one line at the end of `pytest`.

A suite records what it tried (``record("faults", tried=26, kinds=10, crashes=0)``); the
session-finish hook in conftest.py prints them as one line, and writes them as JSON to the
file named by ``STATUSWATCH_RELIABILITY_REPORT`` when that is set. Counts of one name add up
over the session (several fuzz tests each record their inputs).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["REPORT_ENV", "figures", "record", "summary_line", "write_report"]

REPORT_ENV = "STATUSWATCH_RELIABILITY_REPORT"
_FIGURES: dict[str, dict[str, int]] = {}
_MAXIMA = {"kinds", "faults"}  # dimensions of a matrix: the largest seen, not a sum


def record(name: str, **counts: int) -> None:
    """Add `counts` to the figures of `name` (dimensions of a matrix keep their largest value)."""
    table = _FIGURES.setdefault(name, {})
    for key, value in counts.items():
        if key in _MAXIMA:
            table[key] = max(table.get(key, 0), value)
        else:
            table[key] = table.get(key, 0) + value


def figures() -> dict[str, dict[str, int]]:
    """A copy of everything recorded so far."""
    return {name: dict(table) for name, table in _FIGURES.items()}


def summary_line(recorded: dict[str, dict[str, int]]) -> str | None:
    """One line for the end of the test run, or None when no reliability suite ran."""
    if not recorded:
        return None
    parts: list[str] = []
    crashes = 0
    matrix = recorded.get("faults")
    if matrix:
        parts.append(
            f"{matrix.get('faults', 0)} faults x {matrix.get('kinds', 0)} kinds tried"
            f" ({matrix.get('cells', 0)} provider-faults in {matrix.get('runs', 0)} runs)"
        )
        crashes += matrix.get("crashes", 0)
    fuzz = recorded.get("fuzz")
    if fuzz:
        refused = fuzz.get("parse_errors", 0)
        parts.append(f"{fuzz.get('inputs', 0)} inputs fuzzed ({refused} refused as unreadable)")
        crashes += fuzz.get("crashes", 0)
    hostile = recorded.get("hostile")
    if hostile:
        parts.append(
            f"{hostile.get('payloads', 0)} hostile payloads through {hostile.get('outputs', 0)}"
            f" outputs ({hostile.get('leaks', 0)} with a control character)"
        )
        crashes += hostile.get("crashes", 0)
    files = recorded.get("files")
    if files:
        parts.append(f"{files.get('kills', 0)} kills while writing ({files.get('torn', 0)} torn)")
        crashes += files.get("crashes", 0)
    history = recorded.get("history")
    if history:
        parts.append(
            f"history: {history.get('kills', 0)} kills mid-write"
            f" ({history.get('corrupt', 0)} failed integrity_check),"
            f" {history.get('writers', 0)} concurrent writers"
            f" ({history.get('locked', 0)} locked, {history.get('lost', 0)} transitions lost)"
        )
    return "reliability: " + ", ".join(parts) + f", {crashes} crashes"


def write_report(recorded: dict[str, dict[str, Any]], path: str | os.PathLike[str]) -> None:
    """Write the figures as JSON (the line included) to `path`."""
    document = {"summary": summary_line(recorded), "figures": recorded}
    Path(path).write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
