"""This checkout's `statuswatch --json` against another checkout's, run in pairs on the farm.

    .venv/bin/python benchmarks/bench_pair.py --baseline /path/to/old/checkout
    .venv/bin/python benchmarks/bench_pair.py --baseline ../old --providers 1000 --warm

On a machine whose speed drifts (a shared VM: the host takes a tenth of it, then a quarter),
two builds measured an hour apart differ by the drift; run next to each other they do not.
Both checkouts poll the same loopback farm (bench_poll's: N Statuspage pages over distinct
origins, each answering after `--latency`) with the same config, the same interpreter,
`python -m statuswatch --json` from each checkout's own directory (also first on
PYTHONPATH), both compiled to bytecode first. Each pair is one run of each, who goes first
alternating; cold runs get fresh cache and state directories, `--warm` runs keep one per
checkout (every answer a 304 after the first, unmeasured round). It prints the median of
each and, the figure to quote, the median of the pairs' ratios (this / baseline) with their
interquartile range. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_poll  # a sibling script, as benchlib is
from benchlib import (
    REPO,
    BenchError,
    clean_env,
    compile_bytecode,
    measure,
    paired,
    paired_lines,
    start_farm,
)

# What each run is judged on: statuswatch's wall (seconds) and CPU (user + system).
MEASURES = ("wall", "cpu")


def run_once(checkout: Path, config: Path, dirs: Path, farm_ids: Sequence[str]) -> dict[str, float]:
    """One `statuswatch --json` of `checkout`; its wall and CPU (BenchError if it failed)."""
    (dirs / "cache").mkdir(parents=True, exist_ok=True)
    (dirs / "state").mkdir(parents=True, exist_ok=True)
    env = clean_env(
        {
            "PYTHONPATH": str(checkout),
            "STATUSWATCH_CONFIG": str(config),
            "STATUSWATCH_CACHE_DIR": str(dirs / "cache"),
            "STATUSWATCH_STATE_DIR": str(dirs / "state"),
        }
    )
    # `python -m` from the checkout: its directory comes before PYTHONPATH and before an
    # editable install, so the package run is that checkout's.
    argv = [sys.executable, "-m", "statuswatch", "--json"]
    got = measure(argv, env, dirs, cwd=checkout)
    problems = bench_poll.validate_document(got.stdout, farm_ids) if got.returncode == 0 else []
    if got.returncode != 0 or problems:
        tail = got.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise BenchError(f"{checkout}: exit code {got.returncode}; {problems[:3]} {tail}")
    return {"wall": got.wall, "cpu": got.user + got.sys}


def pairs(
    this: Path,
    baseline: Path,
    providers: int,
    origins: int,
    latency: float,
    repeat: int,
    warm: bool,
) -> dict[str, Any]:
    """Measure `repeat` pairs; return every run, the medians and the pairs' ratios."""
    compile_bytecode(this, baseline)
    checkouts = {"this": this, "baseline": baseline}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in checkouts}
    with (
        tempfile.TemporaryDirectory(prefix="statuswatch-pair-") as tmp_name,
        start_farm(providers, latency, origins) as farm,
    ):
        tmp = Path(tmp_name)
        config = tmp / "config.toml"
        bench_poll.write_config(config, farm.ids, farm.base_urls())
        for n in range(repeat + 1):  # round 0 unmeasured: the page cache, and warm's 304s
            order = list(checkouts.items())
            for name, path in order if n % 2 == 0 else order[::-1]:
                dirs = tmp / (f"warm-{name}" if warm else f"cold-{name}-{n}")
                got = run_once(path, config, dirs, farm.ids)
                if n:
                    runs[name].append(got)
    result: dict[str, Any] = {
        "providers": providers,
        "origins": origins,
        "latency": latency,
        "warm": warm,
        "repeat": repeat,
        "runs": runs,
    }
    result.update(paired(runs, "this", "baseline", MEASURES))
    return result


def report(result: dict[str, Any]) -> str:
    """The result as a few lines for a person."""
    cache = "warm (every answer a 304)" if result["warm"] else "cold"
    lines = [
        f"{result['providers']} pages over {result['origins']} origin(s), {cache}, "
        f"{result['repeat']} pairs"
    ]
    lines += paired_lines(result, "this", "baseline", MEASURES)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the pairs and print them (and `--json-out`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--baseline", type=Path, required=True, help="the other checkout")
    parser.add_argument("--providers", type=int, default=200, help="pages to poll (200)")
    parser.add_argument("--per-origin", type=int, default=20, help="pages per origin (20)")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds to answer (0.2)")
    parser.add_argument("--repeat", type=int, default=20, help="pairs measured (20)")
    parser.add_argument("--warm", action="store_true", help="keep each checkout's cache (304s)")
    parser.add_argument("--json-out", type=Path, help="also write every run to this file")
    args = parser.parse_args(argv)
    if not (args.baseline / "statuswatch" / "__main__.py").is_file():
        parser.error(f"--baseline {args.baseline}: no statuswatch package there")
    if min(args.providers, args.per_origin, args.repeat) < 1 or args.latency < 0:
        parser.error("--providers, --per-origin and --repeat >= 1; --latency >= 0")
    origins = bench_poll.origins_for(args.providers, args.per_origin)
    try:
        result = pairs(
            REPO, args.baseline.resolve(), args.providers, origins, args.latency, args.repeat,
            args.warm,
        )  # fmt: skip
    except BenchError as exc:
        print(f"bench_pair: {exc}", file=sys.stderr)
        return 1
    print(report(result))
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
