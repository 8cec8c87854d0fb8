"""The Google Cloud benchmark runs and checks what it measures; no timing is asserted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH_DIR))

import bench_gcp  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)

pytestmark = pytest.mark.skipif(
    not bench_gcp.DEFAULT_FILE.is_file(), reason=f"{bench_gcp.DEFAULT_FILE} is absent"
)


def test_one_round_reports_every_reader(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "gcp.json"
    assert bench_gcp.main(["--repeat", "1", "--json-out", str(out)]) == 0
    measures = json.loads(out.read_text())
    assert [(m["name"], m["incidents"], m["runs"]) for m in measures] == [
        ("json.loads", None, 1),
        ("gcp.parse", 8, 1),
        ("gcp.parse, all kept", 157, 1),
    ]
    printed = capsys.readouterr().out
    assert printed.startswith("gcp-incidents-2022-07.json: 1.29 MiB\n")
    assert "target: gcp.parse under 100 ms" in printed


def test_a_missing_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_gcp.main(["--file", str(tmp_path / "none.json")]) == 1
    assert capsys.readouterr().err == f"bench_gcp: {tmp_path / 'none.json'} not found\n"
