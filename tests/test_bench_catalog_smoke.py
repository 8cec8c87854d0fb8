"""The catalog benchmark runs and checks what it reads; no timing is asserted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH_DIR))

import bench_catalog  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)


def test_one_round_reads_every_form(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "catalog.json"
    assert bench_catalog.main(["--repeat", "1", "--json-out", str(out)]) == 0
    measures = json.loads(out.read_text())
    assert [(m["name"], m["providers"], m["runs"]) for m in measures] == [
        ("372 pages (tables)", 372, 1),
        ("1,307 pages (as shipped)", 1307, 1),
        ("1,307 pages (inline)", 1307, 1),
    ]
    assert "inline / tables (as shipped): " in capsys.readouterr().out
