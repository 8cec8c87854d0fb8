"""The soak script runs its writers together and checks the history; a short round here."""

from __future__ import annotations

import json
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH_DIR))

import soak_history  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)


def test_a_short_soak_loses_nothing(tmp_path: Path) -> None:
    out = tmp_path / "soak.json"
    argv = ["--seconds", "22", "--providers", "3", "--period", "10", "--notify-every", "1",
            "--kill-rate", "0.3", "--no-tui", "--json-out", str(out)]  # fmt: skip
    assert soak_history.main(argv) == 0
    outcome = json.loads(out.read_text())
    assert outcome["ok"] and outcome["notify_runs"] >= 4
    assert outcome["integrity_failures"] == [] and outcome["problems"] == []


def test_the_check_finds_a_lost_transition(tmp_path: Path) -> None:
    import sqlite3

    truth = soak_history.Truth(start=1000.0, period=10.0, providers=1)
    path = tmp_path / "h.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE status_changes (provider, component, at, status)")
    conn.execute("CREATE TABLE incidents (provider, id, resolved_at)")
    # operational from 1000, degraded from 1010 (lost), operational again from 1020.
    conn.execute("INSERT INTO status_changes VALUES ('p00', '', 1001000, 'operational')")
    conn.execute("INSERT INTO status_changes VALUES ('p00', '', 1021000, 'operational')")
    conn.commit()
    conn.close()
    problems = soak_history.check_history(path, truth, end=1035.0, interval=10.0)
    assert problems and "states ['operational', 'operational']" in problems[0]
