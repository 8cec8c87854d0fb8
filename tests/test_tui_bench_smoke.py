"""benchmarks/bench_tui.py end to end on a tiny farm: its machinery works (no timing asserted)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH_DIR))

import bench_tui  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)


def test_measure_a_tiny_farm() -> None:
    result = asyncio.run(bench_tui.measure(providers=5, latency=0.01, refreshes=2))
    assert [r.kind for r in result.refreshes] == ["cold", "warm"]
    assert [r.reports for r in result.refreshes] == [5, 5]
    assert result.rows == 5
    assert result.peak_rss_mb >= result.rss_mb > 0
    assert all(r.keys == 0 or r.key_ms_max >= r.key_ms_p50 for r in result.refreshes)
    table = bench_tui.format_table(result)
    assert "TUI benchmark: 5 providers on 127.0.0.1, 0.01 s each" in table
    assert "all 5 providers listed" in table
    document = json.loads(json.dumps(result.to_json()))
    assert set(document["targets"]) == {
        "all 5 providers listed",
        "key latency <= 100 ms",
        "peak RSS < 150 MB",
    }


def test_memory_is_read() -> None:
    current, peak = bench_tui.memory_mb()
    assert 0 < current <= peak
