"""Benchmark: `statuswatch report --since 90d --json` over 90 days of 200 providers.

    python benchmarks/bench_report.py                         # 200 providers, 90 days, 5 runs
    python benchmarks/bench_report.py --providers 20 --days 10 --repeat 1 --json-out /tmp/r.json

1. Writes a history with the real recorder (benchmarks/history_data.py): every provider polled
   every 25 minutes for the whole window plus at each change, about one incident in four days
   each (10 minutes to 6 hours, 3 to 8 updates, two of 20 components affected), half of them
   backfilled with 50 older incidents. Building it is not measured.
2. Writes a config watching those providers (the report's default set) and runs the command
   the user would, `statuswatch report --since 90d --json`, as a fresh process R times (after
   one unmeasured run that warms the OS cache): wall time from spawn to exit, median and max.
   Each run's document is checked (every provider, its schema value).
3. Times the computation alone in this process (`report_answer`), median of R.

The target (issue 14): the command answers in under 1 s. A missed target is reported, not an
error: this is a measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parent))

import history_data  # noqa: E402  (after the path fix above)

from statuswatch.history.answers import Ask, report_answer  # noqa: E402
from statuswatch.history.db import HistoryDB  # noqa: E402
from statuswatch.history.window import parse_moment  # noqa: E402

TARGET_S = 1.0


def write_config(path: Path, providers: int) -> None:
    """A config watching p000..pNNN (the ids history_data writes)."""
    ids = [f"p{n:03d}" for n in range(providers)]
    lines = [f"watch = {json.dumps(ids)}"]
    for n, pid in enumerate(ids):
        lines += [f"[providers.{pid}]", f'name = "Provider {n:03d}"', 'kind = "statuspage"']
        lines.append(f'url = "https://p{n}.test"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_command(env: dict[str, str], providers: int) -> float:
    """One `statuswatch report --since 90d --json`; its wall time; SystemExit if it failed."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "statuswatch", "report", "--since", "90d", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bench_report: the command failed: {done.stderr.strip()}")
    document = json.loads(done.stdout)
    if document.get("schema") != "statuswatch/report/v1" or len(document["providers"]) != providers:
        raise SystemExit("bench_report: the report does not cover every provider")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    """Build, measure, print (and write --json-out)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--providers", type=int, default=200)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        root = Path(tmp)
        state = root / "state"
        state.mkdir()
        until = datetime.now(UTC)
        started = time.perf_counter()
        built = history_data.build(
            state / "history.sqlite3", providers=args.providers, days=args.days, until=until
        )
        build_s = time.perf_counter() - started
        size = (state / "history.sqlite3").stat().st_size
        print(
            f"history: {built['providers']} providers, {built['days']} days, {built['polls']} "
            f"polls, {built['incidents']} incidents, {size / 2**20:.1f} MiB "
            f"(built in {build_s:.0f} s, not measured)"
        )
        write_config(root / "config.toml", args.providers)
        env = dict(
            os.environ,
            STATUSWATCH_CONFIG=str(root / "config.toml"),
            STATUSWATCH_STATE_DIR=str(state),
            STATUSWATCH_CACHE_DIR=str(root / "cache"),
            PYTHONPATH=str(REPO),
        )
        run_command(env, args.providers)  # warm-up: the OS page cache, .pyc files
        walls = [run_command(env, args.providers) for _ in range(args.repeat)]
        computes: list[float] = []
        ids = tuple(f"p{n:03d}" for n in range(args.providers))
        for _ in range(args.repeat):
            now = datetime.now(UTC)
            began = time.perf_counter()
            with HistoryDB.open(state / "history.sqlite3") as db:
                report_answer(db, Ask(since=parse_moment("90d", now), providers=ids), now)
            computes.append(time.perf_counter() - began)
    result = {
        "providers": args.providers,
        "days": args.days,
        "polls": built["polls"],
        "incidents": built["incidents"],
        "db_mib": round(size / 2**20, 2),
        "command_wall_s": {"median": statistics.median(walls), "max": max(walls), "runs": walls},
        "compute_s": {"median": statistics.median(computes), "max": max(computes)},
        "target_s": TARGET_S,
    }
    median = statistics.median(walls)
    verdict = "met" if median < TARGET_S else "MISSED"
    print(
        f"statuswatch report --since 90d --json: median {median:.3f} s, max {max(walls):.3f} s "
        f"over {args.repeat} runs (the computation alone: {statistics.median(computes):.3f} s)"
    )
    print(f"target: under {TARGET_S:g} s: {verdict}")
    if args.json_out is not None:
        args.json_out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
