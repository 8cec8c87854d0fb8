"""Benchmark: reading the 1,307-page catalog, as shipped (tables) and with inline tables.

    python benchmarks/bench_catalog.py
    python benchmarks/bench_catalog.py --repeat 50 --json-out /tmp/catalog.json

Every command reads the built-in catalog once (TOML parse, then the checks of every entry), so
its cost is on the start of every `statuswatch --json`. Three readings of catalog bytes, each
the median (and minimum) of --repeat runs in this process, alternated round by round so a drift
of a shared machine hits them alike:

* ``372 pages (tables)``: the catalog before issue 15 (the part before the appended section);
* ``1,307 pages (as shipped)``: every entry a ``[providers.<id>]`` table;
* ``1,307 pages (inline)``: the same pages with the appended entries as inline tables under
  one ``[providers]`` table, one line each (the form the section was first written in).

Each reading is checked (its number of providers, and that both forms give the same entries).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
import tomllib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from statuswatch.catalog import parse_catalog  # noqa: E402  (after the path fix above)

CATALOG = REPO / "providers.toml"
SECTION = "# Added for issue 15"  # where the appended entries begin


@dataclass(frozen=True)
class Measure:
    """One way of writing the catalog: milliseconds per full read."""

    name: str
    median_ms: float
    min_ms: float
    runs: int
    providers: int


def variants(text: str) -> dict[str, str]:
    """The three catalogs compared: before issue 15, as shipped, with inline tables."""
    start = text.find(SECTION)
    if start < 0:
        raise SystemExit(f"{CATALOG}: no appended section")
    head = text[: text.rfind("\n#", 0, start) + 1]
    appended = list(tomllib.loads(text)["providers"].items())[
        len(tomllib.loads(head)["providers"]) :
    ]
    inline = [
        f"{key} = {{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in entry.items()) + " }"
        for key, entry in appended
    ]
    return {
        "372 pages (tables)": head,
        "1,307 pages (as shipped)": text,
        "1,307 pages (inline)": head + "\n[providers]\n" + "\n".join(inline) + "\n",
    }


def run(repeat: int) -> list[Measure]:
    """Read each variant `repeat` times, alternating; check what each reading gives."""
    texts = {name: body.encode("utf-8") for name, body in variants(CATALOG.read_text()).items()}
    results = {name: parse_catalog(name, data) for name, data in texts.items()}  # warm-up
    shipped, inline = results["1,307 pages (as shipped)"], results["1,307 pages (inline)"]
    if shipped != inline:
        raise SystemExit("the inline and the table forms do not give the same catalog")
    times: dict[str, list[float]] = {name: [] for name in texts}
    for _ in range(repeat):
        for name, data in texts.items():
            gc.collect()
            started = time.perf_counter()
            parse_catalog(name, data)
            times[name].append((time.perf_counter() - started) * 1000)
    return [
        Measure(name, statistics.median(t), min(t), repeat, len(results[name]))
        for name, t in times.items()
    ]


def report(measures: Sequence[Measure]) -> str:
    """The table printed to stdout."""
    base = measures[0].median_ms
    lines = [f"{'catalog':<26} {'providers':>9} {'median ms':>10} {'min ms':>8} {'x 372':>6}"]
    for m in measures:
        ratio = m.median_ms / base if base else float("nan")
        lines.append(
            f"{m.name:<26} {m.providers:>9} {m.median_ms:>10.1f} {m.min_ms:>8.1f} {ratio:>6.2f}"
        )
    shipped, inline = measures[1].median_ms, measures[2].median_ms
    lines.append(f"\ninline / tables (as shipped): {inline / shipped:.2f}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="measured reads of each catalog")
    parser.add_argument("--json-out", type=Path, help="also write the measures as JSON")
    args = parser.parse_args(argv)
    measures = run(max(1, args.repeat))
    sys.stdout.write(report(measures))
    if args.json_out:
        args.json_out.write_text(json.dumps([asdict(m) for m in measures], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
