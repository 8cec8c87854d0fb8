"""Start-up: `statuswatch --version` (and `--help`), optionally against another checkout.

    .venv/bin/python benchmarks/bench_startup.py                          # this checkout
    .venv/bin/python benchmarks/bench_startup.py --baseline /path/to/old/checkout

Runs `python -m statuswatch --version` `--repeat` times (default 30), and with `--baseline`
the same from the other checkout (run from its directory, which is also put first on
PYTHONPATH; the same interpreter), alternating the two so a drift of the machine hits both
alike. Prints the median and minimum wall time of each and the ratio. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import compile_bytecode  # noqa: E402  (a sibling script)


def run_once(argv: list[str], checkout: Path) -> float:
    """Wall seconds of one run of `python -m statuswatch ARGV` from `checkout`."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    command = [sys.executable, "-m", "statuswatch", *argv]
    start = time.perf_counter()
    # Run from the checkout: `-m` puts the working directory before PYTHONPATH (and before an
    # editable install), so elsewhere another checkout's package could be the one imported.
    done = subprocess.run(command, env=env, cwd=checkout, stdout=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bench_startup: {' '.join(command)} exited {done.returncode}")
    return elapsed


def measure(repeat: int, argv: list[str], baseline: Path | None) -> dict[str, Any]:
    """Alternate this checkout and the baseline; return every run and the summaries."""
    checkouts = {"this": REPO} | ({"baseline": baseline} if baseline else {})
    runs: dict[str, list[float]] = {name: [] for name in checkouts}
    for n in range(repeat):
        order = list(checkouts.items())
        for name, path in order if n % 2 == 0 else order[::-1]:
            runs[name].append(run_once(argv, path))
    summary = {
        name: {"median": statistics.median(values), "min": min(values)}
        for name, values in runs.items()
    }
    result: dict[str, Any] = {"argv": argv, "repeat": repeat, "runs": runs, "summary": summary}
    if baseline:
        result["ratio_median"] = summary["this"]["median"] / summary["baseline"]["median"]
    return result


def main(argv: list[str] | None = None) -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=30, help="runs of each (30)")
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    parser.add_argument("--help-text", action="store_true", help="time --help, not --version")
    parser.add_argument("--json-out", type=Path, help="also write the numbers to this file")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    if args.baseline and not (args.baseline / "statuswatch" / "__init__.py").is_file():
        parser.error(f"--baseline: no statuswatch package in {args.baseline}")
    command = ["--help"] if args.help_text else ["--version"]
    # Both as installed: their bytecode compiled (see benchlib.compile_bytecode).
    compile_bytecode(REPO, *([args.baseline] if args.baseline else []))
    result = measure(args.repeat, command, args.baseline)
    for name, numbers in result["summary"].items():
        print(
            f"statuswatch {command[0]} ({name}): median {numbers['median'] * 1000:.1f} ms, "
            f"min {numbers['min'] * 1000:.1f} ms over {args.repeat} runs"
        )
    if "ratio_median" in result:
        print(f"this / baseline: {result['ratio_median']:.2f}x (medians)")
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
