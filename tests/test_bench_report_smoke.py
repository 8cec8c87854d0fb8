"""The report benchmark runs and checks what it measures; no timing is asserted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH_DIR))

import bench_report  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)


def test_one_small_round(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.json"
    argv = ["--providers", "4", "--days", "3", "--repeat", "1", "--json-out", str(out)]
    assert bench_report.main(argv) == 0
    measured = json.loads(out.read_text())
    assert (measured["providers"], measured["days"]) == (4, 3)
    assert measured["polls"] > 3 * 24 * 60 // 25  # a poll every 25 minutes, and the changes
    assert len(measured["command_wall_s"]["runs"]) == 1
    printed = capsys.readouterr().out
    assert "statuswatch report --since 90d --json: median" in printed
    assert "target: under 1 s" in printed
