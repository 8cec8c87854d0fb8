"""The serve-at-scale benchmark on a small scale: its polls, its probe and its numbers.

No timing is asserted: the benchmark measures, these check that what it measures is real.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH_DIR))

import bench_serve_scale  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)


def test_a_short_run_sees_every_poll_and_probes_between_and_during(tmp_path: Path) -> None:
    out = tmp_path / "scale.json"
    argv = ["--providers", "20", "--per-origin", "5", "--interval", "10", "--duration", "13"]
    argv += ["--probe-rate", "20", "--json-out", str(out)]
    assert bench_serve_scale.main(argv) == 0
    result = json.loads(out.read_text())
    assert result["origins"] == 4
    polls = result["polls"]
    assert len(polls) >= 2  # the cold one at the start, a warm one 10 s later
    assert all(p["requests"] == 20 and p["seconds"] > 0 for p in polls)
    probed = result["status_during_polls"].get("count", 0)
    probed += result["status_between_polls"]["count"]
    assert probed >= 100  # 20/s for the ~10 s after the first poll
    assert result["probe_errors"] == [] and result["watch_failures"] == []
    assert result["document_bytes"] and min(result["document_bytes"]) > 100
    assert result["cpu_seconds"] > 0 and result["rss_mib"]["peak"] > 0
    assert set(result["targets"]) == {
        "cpu_under_25%_of_a_core",
        "rss_under_300_mb",
        "status_p99_under_50_ms_during_polls",
    }


def test_requests_are_told_apart_by_the_poll_windows() -> None:
    polls = [bench_serve_scale.Poll(start=10.0, end=12.0), bench_serve_scale.Poll(start=70.0)]
    samples = [(9.9, 0.1), (10.0, 0.2), (12.4, 0.3), (12.6, 0.4), (71.0, 0.5)]
    during, between = bench_serve_scale.split_by_polls(samples, polls, margin=0.5)
    # The unfinished poll has no window yet; the margin covers the snapshot's publication.
    assert (during, between) == ([0.2, 0.3], [0.1, 0.4, 0.5])


def test_percentiles_of_a_known_list() -> None:
    values = [float(n) for n in range(1, 101)]
    got = bench_serve_scale.percentiles(values)
    assert (got["p50"], got["p90"], got["p99"], got["max"], got["count"]) == (
        50.0,
        90.0,
        99.0,
        100.0,
        100.0,
    )
    assert bench_serve_scale.percentiles([]) == {}


def test_the_targets_are_those_of_the_issue() -> None:
    assert (bench_serve_scale.CPU_TARGET, bench_serve_scale.RSS_TARGET_MB) == (0.25, 300.0)
    assert bench_serve_scale.P99_TARGET == 0.050
