"""The most a second process could save: one `statuswatch --json` against two over halves.

    .venv/bin/python benchmarks/bench_split.py                      # 200 pages, cold, 20 pairs
    .venv/bin/python benchmarks/bench_split.py --providers 1000 --repeat 8

A poll runs on one core; the machine has two. Any design that puts a second process to work
(a helper that fetches and parses half the pages, a parse worker, a forked recorder) pays a
second interpreter's start and the handoff, and saves at most what two independent processes
over half the pages each save against one over all of them. That bound is what this measures,
on bench_poll's farm (N Statuspage pages over distinct origins, each answering after
`--latency`): each pair is one run over every page and one "split" run, two processes started
together over halves of the pages (each origin's pages shared between them), who goes first
alternating, every run cold (fresh cache and state directories). The split's wall runs from
the first spawn to the last exit, its CPU is both processes' user + system. It prints the
medians and the pairs' ratios (split / one) with their interquartile range. Nothing is
asserted.
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_poll  # a sibling script, as benchlib is
from benchlib import REPO, BenchError, clean_env, compile_bytecode, paired, paired_lines, start_farm

MEASURES = ("wall", "cpu")

# Spawns every command at once and waits for all: each one's exit code, the wall from the
# first spawn to the last exit, and the summed rusage (this launcher's own start not counted).
_LAUNCHER = """
import json, os, sys, time
report, commands = sys.argv[1], json.loads(sys.argv[2])
envs = [dict(os.environ, STATUSWATCH_CACHE_DIR=c[0] + "/cache",
             STATUSWATCH_STATE_DIR=c[0] + "/state", STATUSWATCH_CONFIG=c[1]) for c in commands]
outs = [os.open(c[0] + "/stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC) for c in commands]
start = time.perf_counter()
pids = [os.posix_spawnp(c[2], c[2:], env, file_actions=[(os.POSIX_SPAWN_DUP2, fd, 1)])
        for c, env, fd in zip(commands, envs, outs)]
codes, user, system = [], 0.0, 0.0
for pid in pids:
    _, status, ru = os.wait4(pid, 0)
    codes.append(os.waitstatus_to_exitcode(status))
    user, system = user + ru.ru_utime, system + ru.ru_stime
wall = time.perf_counter() - start
with open(report, "w") as out:
    out.write(repr((codes, wall, user + system)))
"""


def run_together(plans: Sequence[tuple[Path, list[str]]], workdir: Path) -> dict[str, float]:
    """Run `statuswatch --json` once per (config, the farm ids it watches), all at once, cold;
    their wall and summed CPU."""
    argv = [sys.executable, "-m", "statuswatch", "--json"]
    commands: list[list[str]] = []
    for n, (config, _) in enumerate(plans):
        dirs = workdir / f"run-{n}"
        (dirs / "cache").mkdir(parents=True)
        (dirs / "state").mkdir(parents=True)
        commands.append([str(dirs), str(config), *argv])
    report = workdir / "rusage"
    launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(report), json.dumps(commands)]
    done = subprocess.run(
        launcher, env=clean_env({}), cwd=REPO, stdin=subprocess.DEVNULL, check=False
    )
    if done.returncode != 0 or not report.exists():
        raise BenchError(f"the launcher failed (exit code {done.returncode})")
    codes, wall, cpu = ast.literal_eval(report.read_text())
    for n, (code, (config, ids)) in enumerate(zip(codes, plans, strict=True)):
        stdout = (workdir / f"run-{n}" / "stdout").read_bytes()
        problems = bench_poll.validate_document(stdout, ids) if code == 0 else []
        if code != 0 or problems:
            raise BenchError(f"{config.name}: exit code {code}; {problems[:3]}")
    return {"wall": float(wall), "cpu": float(cpu)}


def pairs(providers: int, origins: int, latency: float, repeat: int) -> dict[str, Any]:
    """Measure `repeat` pairs of one run over every page and two over halves at once."""
    compile_bytecode(REPO)
    runs: dict[str, list[dict[str, float]]] = {"one": [], "split": []}
    with (
        tempfile.TemporaryDirectory(prefix="statuswatch-split-") as tmp_name,
        start_farm(providers, latency, origins) as farm,
    ):
        tmp = Path(tmp_name)
        urls = farm.base_urls()
        # Page i is on origin i % origins: alternate runs of `origins` pages give each half
        # every origin, as the whole has them.
        halves = [[i for i in range(providers) if (i // origins) % 2 == n] for n in (0, 1)]
        plans: dict[str, list[tuple[Path, list[str]]]] = {}
        for shape, groups in (("one", [list(range(providers))]), ("split", halves)):
            plans[shape] = []
            for k, group in enumerate(groups):
                config, ids = tmp / f"{shape}-{k}.toml", [farm.ids[i] for i in group]
                bench_poll.write_config(config, ids, [urls[i] for i in group])
                plans[shape].append((config, ids))
        for n in range(repeat + 1):  # round 0 unmeasured: the page cache and the farm warm up
            for shape in ("one", "split") if n % 2 == 0 else ("split", "one"):
                got = run_together(plans[shape], tmp / f"{shape}-{n}")
                if n:
                    runs[shape].append(got)
    result: dict[str, Any] = {
        "providers": providers,
        "origins": origins,
        "latency": latency,
        "repeat": repeat,
        "runs": runs,
    }
    result.update(paired(runs, "split", "one", MEASURES))
    return result


def report(result: dict[str, Any]) -> str:
    """The result as a few lines for a person."""
    lines = [
        f"{result['providers']} pages over {result['origins']} origin(s), cold, "
        f"{result['repeat']} pairs: one process against two over halves at once"
    ]
    lines += paired_lines(result, "split", "one", MEASURES)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the pairs and print them (and `--json-out`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--providers", type=int, default=200, help="pages to poll (200)")
    parser.add_argument("--per-origin", type=int, default=20, help="pages per origin (20)")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds to answer (0.2)")
    parser.add_argument("--repeat", type=int, default=20, help="pairs measured (20)")
    parser.add_argument("--json-out", type=Path, help="also write every run to this file")
    args = parser.parse_args(argv)
    if min(args.providers, args.per_origin) < 2 or args.repeat < 1 or args.latency < 0:
        # Each half needs pages on the origins, as the whole has them.
        parser.error("--providers and --per-origin >= 2, --repeat >= 1, --latency >= 0")
    origins = bench_poll.origins_for(args.providers, args.per_origin)
    try:
        result = pairs(args.providers, origins, args.latency, args.repeat)
    except BenchError as exc:
        print(f"bench_split: {exc}", file=sys.stderr)
        return 1
    print(report(result))
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
