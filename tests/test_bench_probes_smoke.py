"""bench_probes.py runs end to end at a tiny size and checks what it measures; no timing is
asserted (performance is measured side by side in the benchmark, not tested)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH_DIR))

import bench_probes  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)


def test_a_tiny_run_measures_both_modes_and_checks_every_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "numbers.json"
    code = bench_probes.main(
        ["--providers", "4", "--probes", "2", "--repeat", "1", "--latency", "0.01",
         "--probe-ports", "2", "--json-out", str(out)]
    )  # fmt: skip
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "wall ratio probes/no-probes:" in printed.out
    numbers = json.loads(out.read_text())
    assert [r["mode"] for r in numbers["runs"]] == ["probes", "no-probes"]
    assert all(r["problems"] == [] and r["wall"] > 0 for r in numbers["runs"])
    assert numbers["ratio"] > 0 and numbers["target"] == 1.3


def test_the_probe_check_catches_missing_or_unexpected_probes() -> None:
    entry = {"id": "p001", "probes": {"state": "off", "passed": 0, "total": 0}}
    document = json.dumps({"providers": [entry]}).encode()
    assert bench_probes.check_probes(document, 2, on=False) == []
    assert bench_probes.check_probes(document, 2, on=True) == [
        "p001: probes ('off', 0, 0), expected ('ok', 2, 2)"
    ]
    warned = {**entry, "early_warning": {"since": "x", "text": "y"}}
    problems = bench_probes.check_probes(json.dumps({"providers": [warned]}).encode(), 2, False)
    assert problems == ["p001: an early warning on healthy probes"]
    assert bench_probes.check_probes(b"not json", 2, on=True) == ["no document"]


def test_probe_urls_spread_over_the_ports() -> None:
    urls = [bench_probes.probe_urls(n, 2, [1001, 1002, 1003]) for n in range(3)]
    ports = [u.split(":")[2].split("/")[0] for pair in urls for u in pair]
    assert ports == ["1001", "1002", "1003", "1001", "1002", "1003"]
