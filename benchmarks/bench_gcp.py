"""Benchmark: the Google Cloud adapter on a real 1.3 MB incidents.json, against plain json.loads.

    python benchmarks/bench_gcp.py              # the real capture in ../shared/realworld/gcp
    python benchmarks/bench_gcp.py --repeat 200 --file incidents.json --json-out /tmp/gcp.json

The document is fetched on every poll, so its parse is on every poll's path. Three measures
of the same bytes, each the median (and minimum) of --repeat runs in this process:

* ``json.loads``: decoding alone, the floor any reader pays;
* ``gcp.parse``: the adapter as polled (no Date header: "now" is the newest `modified`, so the
  incidents of the last seven days are normalised, 8 of 157 here);
* ``gcp.parse, all kept``: a Date header before every incident, so all 157 are normalised (an
  upper bound: what a week with that many incidents would cost).

Each parse is checked (its incident count); the target (issue: under 100 ms) is judged on the
median of ``gcp.parse``. A missed target is reported, not an error: this is a measurement.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from statuswatch.adapters import gcp  # noqa: E402  (after the path fix above)

DEFAULT_FILE = REPO.parent / "shared" / "realworld" / "gcp" / "gcp-incidents-2022-07.json"
TARGET_MS = 100.0
BEFORE_EVERYTHING = {"date": "Sat, 01 Jan 2011 00:00:00 GMT"}


@dataclass(frozen=True)
class Measure:
    """One measured function: milliseconds per call."""

    name: str
    median_ms: float
    min_ms: float
    runs: int
    incidents: int | None  # what the parse kept (None for json.loads)


def measure(name: str, call: Callable[[], object], repeat: int) -> tuple[Measure, object]:
    """Time `call` `repeat` times (after one warm-up call); return the measure and a result."""
    result = call()
    times: list[float] = []
    for _ in range(repeat):
        gc.collect()  # each run starts from the same heap, not from the last one's garbage
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    incidents = len(result.incidents) if isinstance(result, gcp.Page) else None
    return Measure(name, statistics.median(times), min(times), repeat, incidents), result


def run(path: Path, repeat: int) -> list[Measure]:
    """Measure the three readers of the document at `path`."""
    body = path.read_bytes()
    floor, doc = measure("json.loads", lambda: json.loads(body), repeat)
    polled, page = measure("gcp.parse", lambda: gcp.parse(body, {}), repeat)
    everything, full = measure(
        "gcp.parse, all kept", lambda: gcp.parse(body, BEFORE_EVERYTHING), repeat
    )
    total = len(doc) if isinstance(doc, list) else 0
    if not isinstance(page, gcp.Page) or not isinstance(full, gcp.Page):
        raise SystemExit("the adapter did not return a page")
    if len(full.incidents) != total:
        raise SystemExit(f"all kept: {len(full.incidents)} incidents, expected {total}")
    return [floor, polled, everything]


def report(path: Path, measures: Sequence[Measure]) -> str:
    """The table printed to stdout."""
    size = path.stat().st_size / (1024 * 1024)
    floor = measures[0].median_ms
    lines = [f"{path.name}: {size:.2f} MiB", ""]
    lines.append(f"{'reader':<22} {'median ms':>10} {'min ms':>8} {'x loads':>8}  incidents")
    for m in measures:
        kept = "" if m.incidents is None else str(m.incidents)
        ratio = m.median_ms / floor if floor else float("nan")
        lines.append(f"{m.name:<22} {m.median_ms:>10.2f} {m.min_ms:>8.2f} {ratio:>8.2f}  {kept}")
    polled = measures[1].median_ms
    verdict = "met" if polled < TARGET_MS else "MISSED"
    lines += ["", f"target: gcp.parse under {TARGET_MS:g} ms (median {polled:.2f} ms): {verdict}"]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the table; 0 unless it could not measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="an incidents.json")
    parser.add_argument("--repeat", type=int, default=50, help="measured runs of each reader")
    parser.add_argument("--json-out", type=Path, help="also write the measures as JSON")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"bench_gcp: {args.file} not found", file=sys.stderr)
        return 1
    measures = run(args.file, max(1, args.repeat))
    sys.stdout.write(report(args.file, measures))
    if args.json_out:
        args.json_out.write_text(json.dumps([asdict(m) for m in measures], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
