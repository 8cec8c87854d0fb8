"""Benchmark: `statuswatch --json` against `curl --parallel` on the same loopback pages.

    python benchmarks/bench_poll.py --providers 1000 --per-origin 20      # one case
    python benchmarks/bench_poll.py --suite origins                       # the must-show table
    python benchmarks/bench_poll.py --suite one-origin                    # the one-origin table

Starts `loopback_farm.py` in its own process (pages spread over distinct 127.0.0.x origins),
writes a config watching every page, then runs statuswatch and curl alternately and reports
wall time, CPU time (user+sys of the child) per page and peak RSS of each, with the ratios
statuswatch/curl. Every statuswatch run is checked: exit 0, a `statuswatch/v1` document with
every provider read, none in error. A failed check exits 1; a missed target is reported but
is not a failure (this is a measurement, not a test).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loopback_farm  # sibling scripts, not an installed package
from benchlib import (
    BenchError,
    FarmProcess,
    clean_env,
    compile_bytecode,
    cpu_ticks,
    host_loop_ms,
    import_path_env,
    measure,
    start_farm,
    statuswatch_command,
    steal_share,
)

__all__ = ["BenchError", "FarmProcess", "main", "run_benchmark", "start_farm"]

# Issue 16's must-show targets, judged on the medians of runs taken side by side.
RATIO_TARGETS = {(200, 10): 2.5, (1000, 50): 2.0}  # (pages, origins) -> statuswatch/curl wall
CPU_TARGETS = {(1000, False): 2.0, (1000, True): 1.0}  # (pages, warm) -> ms of CPU per page
# The first targets (issue 2): 200 pages on one origin within 2 s and within 3x curl.
ONE_ORIGIN_TARGETS = {"wall": 2.0, "ratio": 3.0}
# curl up to 8.15 silently caps --parallel-max at 300; the farm's peak in flight shows it.
CURL_PARALLEL_MAX = 1000
PER_ORIGIN = 20  # pages per origin in the many-origin suite: real pages live on distinct hosts
SUITES: dict[str, list[tuple[int, int | None]]] = {
    # (pages, pages per origin; None: one origin), each run cold then warm
    "origins": [(200, PER_ORIGIN), (1000, PER_ORIGIN), (5000, PER_ORIGIN)],
    "one-origin": [(200, None), (1000, None)],
}
# On one origin curl gets statuswatch's per-host cap (50), as in the first one-origin tables:
# both then wait for the same waves, and the table compares what each does with them.
SUITE_CURL_MAX = {"origins": CURL_PARALLEL_MAX, "one-origin": 50}


@dataclass(frozen=True)
class Run:
    """One measured run of one command."""

    tool: str
    wall: float  # seconds, spawn to reap
    user: float  # CPU seconds in user mode, the child and what it waited for
    sys: float
    maxrss_mib: float
    returncode: int
    requests: int  # what the farm served during the run
    not_modified: int
    connections: int
    peak_inflight: int
    problems: tuple[str, ...] = ()

    @property
    def cpu(self) -> float:
        """User plus system CPU seconds."""
        return self.user + self.sys


@dataclass
class Summary:
    """Median and minimum of each measure over the runs of one tool."""

    runs: int
    wall_median: float
    wall_min: float
    cpu_median: float
    cpu_min: float
    rss_median: float
    rss_min: float
    peak_inflight_median: float = 0.0
    connections_median: float = 0.0
    not_modified_median: float = 0.0

    @classmethod
    def of(cls, runs: Sequence[Run]) -> Summary:
        """Summarise `runs` (at least one)."""
        return cls(
            runs=len(runs),
            wall_median=statistics.median(r.wall for r in runs),
            wall_min=min(r.wall for r in runs),
            cpu_median=statistics.median(r.cpu for r in runs),
            cpu_min=min(r.cpu for r in runs),
            rss_median=statistics.median(r.maxrss_mib for r in runs),
            rss_min=min(r.maxrss_mib for r in runs),
            peak_inflight_median=statistics.median(r.peak_inflight for r in runs),
            connections_median=statistics.median(r.connections for r in runs),
            not_modified_median=statistics.median(r.not_modified for r in runs),
        )


@dataclass
class Result:
    """Everything one benchmark case measured."""

    providers: int
    latency: float
    repeat: int
    origins: int
    warm: bool
    statuswatch_command: list[str]
    curl_command: list[str]
    http: list[tuple[str, str]] = field(default_factory=list)
    statuswatch: list[Run] = field(default_factory=list)
    curl: list[Run] = field(default_factory=list)
    # benchlib.host_loop_ms before and after the runs: the machine's speed while they ran.
    host_loop_ms: tuple[float, float] = (0.0, 0.0)
    # benchlib.steal_share over the measured runs: the CPU time the hypervisor took meanwhile.
    host_steal: float | None = None

    def summaries(self) -> tuple[Summary, Summary]:
        """Return the statuswatch and the curl summaries."""
        return Summary.of(self.statuswatch), Summary.of(self.curl)

    def ratios(self) -> dict[str, float]:
        """Return statuswatch/curl for the median and the minimum of each measure."""
        sw, cu = self.summaries()
        return {
            name: getattr(sw, name) / getattr(cu, name) if getattr(cu, name) else float("inf")
            for name in (
                "wall_median",
                "wall_min",
                "cpu_median",
                "cpu_min",
                "rss_median",
                "rss_min",
            )
        }

    def cpu_per_page_ms(self) -> tuple[float, float]:
        """Return the median CPU per page (user + sys of the whole run / pages) of each tool."""
        sw, cu = self.summaries()
        return sw.cpu_median / self.providers * 1000, cu.cpu_median / self.providers * 1000

    def targets(self) -> dict[str, bool]:
        """Return each target set for this case and whether the medians met it."""
        sw, _ = self.summaries()
        ratio = self.ratios()["wall_median"]
        found: dict[str, bool] = {}
        limit = RATIO_TARGETS.get((self.providers, self.origins))
        if limit is not None and not self.warm:
            found[f"wall_within_{limit:g}x_curl"] = ratio <= limit
        cpu_limit = CPU_TARGETS.get((self.providers, self.warm))
        if cpu_limit is not None:
            found[f"cpu_at_most_{cpu_limit:g}ms_per_page"] = self.cpu_per_page_ms()[0] <= cpu_limit
        if (self.providers, self.latency, self.origins) == (200, 0.2, 1):
            found[f"wall_under_{ONE_ORIGIN_TARGETS['wall']:g}s"] = (
                sw.wall_median <= ONE_ORIGIN_TARGETS["wall"]
            )
            found[f"wall_within_{ONE_ORIGIN_TARGETS['ratio']:g}x_curl"] = (
                ratio <= ONE_ORIGIN_TARGETS["ratio"]
            )
        return found

    def to_json(self) -> dict[str, Any]:
        """Return the numbers as a JSON-ready dict."""
        sw, cu = self.summaries()
        sw_cpu, cu_cpu = self.cpu_per_page_ms()
        return {
            "providers": self.providers,
            "latency": self.latency,
            "repeat": self.repeat,
            "origins": self.origins,
            "warm": self.warm,
            "http": dict(self.http),
            "cpus": os.cpu_count(),
            "host_loop_ms": {"before": self.host_loop_ms[0], "after": self.host_loop_ms[1]},
            "host_steal_share": self.host_steal,
            "statuswatch_command": self.statuswatch_command,
            "curl_command": self.curl_command,
            "summary": {"statuswatch": asdict(sw), "curl": asdict(cu)},
            "cpu_per_page_ms": {"statuswatch": sw_cpu, "curl": cu_cpu},
            "ratios": self.ratios(),
            "targets": self.targets(),
            "runs": {
                "statuswatch": [asdict(r) | {"cpu": r.cpu} for r in self.statuswatch],
                "curl": [asdict(r) | {"cpu": r.cpu} for r in self.curl],
            },
        }


# --- inputs of the two commands --------------------------------------------------------------


def _toml_string(value: str) -> str:
    """Return `value` as a TOML basic string (JSON escapes are valid TOML for these values)."""
    return json.dumps(value)


def write_config(
    path: Path,
    ids: Sequence[str],
    base_urls: Sequence[str],
    http: Sequence[tuple[str, str]] = (),
) -> None:
    """Write a statuswatch config that watches exactly these statuspage providers.

    `http` gives `[http]` settings as (key, TOML value) pairs; none: the defaults.
    """
    lines = ["watch = [" + ", ".join(_toml_string(i) for i in ids) + "]", ""]
    if http:
        lines += ["[http]", *(f"{key} = {value}" for key, value in http), ""]
    for pid, url in zip(ids, base_urls, strict=True):
        lines += [
            f"[providers.{pid}]",
            f"name = {_toml_string('Provider ' + pid.upper())}",
            'kind = "statuspage"',
            f"url = {_toml_string(url)}",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


def write_curl_config(path: Path, urls: Sequence[str], etags: Sequence[str] | None = None) -> None:
    """Write a curl `-K` file fetching `urls` to /dev/null, with If-None-Match when `etags`."""
    blocks = []
    for n, url in enumerate(urls):
        block = [f"url = {_toml_string(url)}", 'output = "/dev/null"']
        if etags is not None:
            block.append(f"header = {_toml_string('If-None-Match: ' + etags[n])}")
        blocks.append("\n".join(block))
    # `next` starts a new set of per-URL options; the global --parallel still spans them all.
    separator = "\nnext\n" if etags is not None else "\n"
    path.write_text(separator.join(blocks) + "\n", encoding="utf-8")


def curl_command(config: Path, parallel_max: int = CURL_PARALLEL_MAX) -> list[str]:
    """Return the curl command line that fetches the URLs of `config` in parallel."""
    curl = shutil.which("curl")
    if curl is None:
        raise BenchError("curl is not on PATH")
    return [
        curl,
        "--parallel",
        "--parallel-immediate",
        "--parallel-max",
        str(parallel_max),
        "--no-progress-meter",
        "-s",
        "-K",
        str(config),
    ]


def curl_version() -> str:
    """Return curl's version line (the first of `curl --version`)."""
    curl = shutil.which("curl")
    if curl is None:
        return "curl not found"
    done = subprocess.run([curl, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.splitlines()[0] if done.stdout else "curl (version unknown)"


def python_line() -> str:
    """Name the interpreter the default command runs on: its build moves the CPU a page costs
    by ~15% (round 11: pyenv's 3.11.7 without PGO/LTO against Debian's 3.11 with both)."""
    return f"Python {platform.python_version()} at {sys.executable} (the default command's)"


def http_setting(text: str) -> tuple[str, str]:
    """Parse `--http KEY=VALUE` (an `[http]` setting, VALUE as TOML) for argparse."""
    key, sep, value = text.partition("=")
    if not sep or not re.fullmatch(r"[a-z_]+", key.strip()) or not value.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key.strip(), value.strip()


# --- measuring -------------------------------------------------------------------------------


def validate_document(stdout: bytes, ids: Sequence[str]) -> list[str]:
    """Return what is wrong with a `statuswatch --json` document for the farm's `ids` (none: [])."""
    try:
        doc = json.loads(stdout)
    except ValueError as exc:
        return [f"stdout is not JSON: {exc}"]
    if not isinstance(doc, dict):
        return ["the document is not a JSON object"]
    problems = []
    if doc.get("schema") != "statuswatch/v1":
        problems.append(f"schema is {doc.get('schema')!r}, not 'statuswatch/v1'")
    providers = doc.get("providers")
    if not isinstance(providers, list):
        return [*problems, "no `providers` list"]
    got = [p.get("id") if isinstance(p, dict) else None for p in providers]
    if got != list(ids):
        problems.append(f"{len(got)} providers in the document, expected {len(ids)} in order")
    for entry in providers:
        if not isinstance(entry, dict):
            problems.append("a provider entry is not an object")
            continue
        problems += _provider_problems(entry)
        if len(problems) >= 10:  # the first few say enough
            break
    return problems


def _provider_problems(entry: dict[str, Any]) -> list[str]:
    """Return what is wrong with one provider entry: it must be the farm's page, fully read."""
    pid = str(entry.get("id"))
    if entry.get("error") is not None:
        return [f"{pid}: error {entry['error']}"]
    problems = []
    if entry.get("status") in (None, "unknown", "operational"):
        problems.append(f"{pid}: status {entry.get('status')!r}, expected a degraded page")
    if entry.get("stale"):
        problems.append(f"{pid}: stale")
    incidents = entry.get("incidents") or []
    titles = [i.get("title") for i in incidents]
    if titles != [loopback_farm.incident_title(pid)]:
        problems.append(f"{pid}: incidents {titles!r}")
    elif len(incidents[0].get("updates") or []) != loopback_farm.UPDATES_PER_INCIDENT:
        problems.append(f"{pid}: incident updates missing")
    maintenances = [m.get("title") for m in entry.get("maintenances") or []]
    if maintenances != [loopback_farm.maintenance_title(pid)]:
        problems.append(f"{pid}: maintenances {maintenances!r}")
    components = entry.get("components") or []
    # The group row may or may not be listed as a component; its children must all be there.
    if len(components) < loopback_farm.COMPONENTS_PER_PROVIDER - 1:
        problems.append(f"{pid}: {len(components)} components")
    return problems


def _run(
    tool: str,
    argv: Sequence[str],
    env: dict[str, str],
    farm: FarmProcess,
    workdir: Path,
    ids: Sequence[str],
) -> Run:
    """Measure one run of `tool` and check what it did."""
    farm.stats(reset=True)
    got = measure(argv, env, workdir)
    served = farm.stats(reset=True)
    problems: list[str] = []
    if got.returncode != 0:
        tail = got.stderr.decode(errors="replace").strip().splitlines()[-5:]
        problems.append(f"exit code {got.returncode}: " + " | ".join(tail))
    elif tool == "statuswatch":
        problems += validate_document(got.stdout, ids)
    if served["requests"] != len(ids):
        problems.append(f"the farm served {served['requests']} requests, expected {len(ids)}")
    return Run(
        tool=tool,
        wall=got.wall,
        user=got.user,
        sys=got.sys,
        maxrss_mib=got.maxrss_mib,
        returncode=got.returncode,
        requests=served["requests"],
        not_modified=served["not_modified"],
        connections=served["connections"],
        peak_inflight=served["peak_inflight"],
        problems=tuple(problems),
    )


def run_benchmark(
    providers: int = 200,
    latency: float = 0.2,
    repeat: int = 5,
    origins: int = 1,
    warm: bool = False,
    command: Sequence[str] | None = None,
    log: TextIO | None = None,
    *,
    http: Sequence[tuple[str, str]] = (),
    curl_parallel_max: int = CURL_PARALLEL_MAX,
) -> Result:
    """Start the farm and measure statuswatch and curl alternately; raise BenchError on failure."""
    sw_argv = list(command) if command else statuswatch_command()
    with (
        tempfile.TemporaryDirectory(prefix="statuswatch-bench-") as tmp_name,
        start_farm(providers, latency, origins) as farm,
    ):
        tmp = Path(tmp_name)
        config = tmp / "config.toml"
        write_config(config, farm.ids, farm.base_urls(), http)
        curl_config = tmp / "curl.cfg"
        # The farm's ETags are a hash of each body: the same validators statuswatch keeps.
        etags = [loopback_farm.etag_of(loopback_farm.summary_body(i)) for i in farm.ids]
        write_curl_config(curl_config, farm.summary_urls(), etags if warm else None)
        farm.stats(reset=True)
        cu_argv = curl_command(curl_config, curl_parallel_max)
        result = Result(providers, latency, repeat, origins, warm, sw_argv, cu_argv, list(http))
        shared_dirs = _fresh_dirs(tmp / "warm")
        speed_before = host_loop_ms()

        def sw_env() -> dict[str, str]:
            dirs = shared_dirs if warm else _fresh_dirs(tmp / f"cold-{time.monotonic_ns()}")
            return clean_env({"STATUSWATCH_CONFIG": str(config), **dirs, **import_path_env()})

        def curl_env() -> dict[str, str]:
            return clean_env({})

        tools = [("statuswatch", sw_argv, sw_env), ("curl", cu_argv, curl_env)]
        # One unmeasured round first: the page cache holds the interpreter and curl afterwards,
        # and in --warm mode statuswatch's cache holds every ETag.
        for tool, argv, make_env in tools:
            first = _run(tool, argv, make_env(), farm, tmp, farm.ids)
            if first.problems:
                raise BenchError(f"{tool} failed: " + "; ".join(first.problems))
        ticks_before = cpu_ticks()
        for n in range(repeat):
            # Alternate who goes first, so a slow drift of the machine hits both alike.
            for tool, argv, make_env in tools if n % 2 == 0 else tools[::-1]:
                run = _run(tool, argv, make_env(), farm, tmp, farm.ids)
                if run.problems:
                    raise BenchError(f"{tool} run {n + 1} failed: " + "; ".join(run.problems))
                (result.statuswatch if tool == "statuswatch" else result.curl).append(run)
                if log is not None:
                    print(
                        f"  run {n + 1}/{repeat} {tool:<11} wall {run.wall:6.3f} s  "
                        f"cpu {run.cpu:6.3f} s  rss {run.maxrss_mib:6.1f} MiB  "
                        f"conns {run.connections:5d}  in flight {run.peak_inflight:5d}",
                        file=log,
                        flush=True,
                    )
        result.host_steal = steal_share(ticks_before, cpu_ticks())
        result.host_loop_ms = (speed_before, host_loop_ms())
        return result


def _fresh_dirs(base: Path) -> dict[str, str]:
    """Return new, empty cache and state directories under `base`."""
    (base / "cache").mkdir(parents=True, exist_ok=True)
    (base / "state").mkdir(parents=True, exist_ok=True)
    return {
        "STATUSWATCH_CACHE_DIR": str(base / "cache"),
        "STATUSWATCH_STATE_DIR": str(base / "state"),
    }


# --- reporting -------------------------------------------------------------------------------


def format_table(result: Result) -> str:
    """Return the human-readable report of one case."""
    sw, cu = result.summaries()
    ratios = result.ratios()
    mode = "warm (ETags cached, 304s)" if result.warm else "cold (no cache)"
    settings = ", ".join(f"{k}={v}" for k, v in result.http) or "default [http] settings"
    rows = [
        f"{result.providers} providers over {result.origins} origin(s), latency "
        f"{result.latency:g} s, {mode}, {result.repeat} runs each, {os.cpu_count()} CPUs, "
        f"{settings}",
        "",
        f"{'':<16}{'statuswatch':>14}{'curl':>14}{'ratio':>10}",
    ]
    for label, name, unit in (
        ("wall median", "wall_median", "s"),
        ("wall min", "wall_min", "s"),
        ("CPU median", "cpu_median", "s"),
        ("CPU min", "cpu_min", "s"),
        ("peak RSS median", "rss_median", "MiB"),
        ("peak RSS min", "rss_min", "MiB"),
    ):
        rows.append(
            f"{label:<16}{getattr(sw, name):>10.3f} {unit:<3}{getattr(cu, name):>10.3f} "
            f"{unit:<3}{ratios[name]:>9.2f}x"
        )
    sw_cpu, cu_cpu = result.cpu_per_page_ms()
    rows.append(f"{'CPU per page':<16}{sw_cpu:>10.3f} ms {cu_cpu:>10.3f} ms")
    rows.append(
        f"{'conns median':<16}{sw.connections_median:>10.0f}    {cu.connections_median:>10.0f}"
    )
    rows.append(
        f"{'in flight peak':<16}{sw.peak_inflight_median:>10.0f}    "
        f"{cu.peak_inflight_median:>10.0f}"
    )
    rows.append(
        f"{'304s median':<16}{sw.not_modified_median:>10.0f}    {cu.not_modified_median:>10.0f}"
    )
    before, after = result.host_loop_ms
    rows.append(
        f"host speed: a million-step Python loop took {before:.0f} ms of CPU before the runs, "
        f"{after:.0f} ms after"
    )
    if result.host_steal is not None:
        rows.append(
            f"host steal: the hypervisor took {100 * result.host_steal:.0f}% of the CPU time "
            "used while the runs ran (/proc/stat)"
        )
    rows.append(f"every run read all {result.providers} providers (checked)")
    for name, met in result.targets().items():
        rows.append(f"target {name}: {'met' if met else 'MISSED'}")
    return "\n".join(rows)


def markdown_table(results: Sequence[Result]) -> str:
    """Return one Markdown table row per case (the form README.md keeps)."""
    rows = [
        "| pages | origins | cache | statuswatch wall median (min) | curl wall median (min) "
        "| wall ratio | statuswatch CPU/page | curl CPU/page | statuswatch RSS | curl RSS "
        "| in flight (sw / curl) | targets |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        sw, cu = r.summaries()
        sw_cpu, cu_cpu = r.cpu_per_page_ms()
        targets = ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in r.targets().items())
        rows.append(
            f"| {r.providers:,} | {r.origins} | {'warm (304)' if r.warm else 'cold'} "
            f"| {sw.wall_median:.2f} s ({sw.wall_min:.2f}) | {cu.wall_median:.2f} s "
            f"({cu.wall_min:.2f}) | {r.ratios()['wall_median']:.2f}x | {sw_cpu:.2f} ms "
            f"| {cu_cpu:.2f} ms | {sw.rss_median:.0f} MiB | {cu.rss_median:.0f} MiB "
            f"| {sw.peak_inflight_median:.0f} / {cu.peak_inflight_median:.0f} "
            f"| {targets or '-'} |"
        )
    return "\n".join(rows)


def origins_for(providers: int, per_origin: int | None) -> int:
    """Return how many origins `providers` pages take at `per_origin` each (None: one)."""
    return 1 if per_origin is None else max(1, math.ceil(providers / per_origin))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark from the command line; 1 when a measured command failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--providers", type=int, default=200, help="pages to poll (200)")
    parser.add_argument(
        "--latency", type=float, default=0.2, help="seconds each page takes to answer (0.2)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="measured runs of each tool (5)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--origins",
        "--ports",
        dest="origins",
        type=int,
        help="spread the pages over this many 127.0.0.x origins (default 1)",
    )
    where.add_argument(
        "--per-origin", type=int, help="pages per origin (the origins follow from --providers)"
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="keep statuswatch's cache between runs (304s); curl sends the same ETags",
    )
    parser.add_argument(
        "--suite",
        choices=sorted(SUITES),
        help="run a whole table, each size cold then warm: origins (200, 1,000, 5,000 pages, "
        f"{PER_ORIGIN} per origin) or one-origin (200, 1,000 pages on 127.0.0.1)",
    )
    parser.add_argument(
        "--http",
        action="append",
        default=[],
        type=http_setting,
        metavar="KEY=VALUE",
        help="an [http] setting for statuswatch, e.g. max_connections=256 (repeatable)",
    )
    parser.add_argument(
        "--curl-parallel-max",
        type=int,
        help=f"curl --parallel-max ({CURL_PARALLEL_MAX}, or 50 in the one-origin suite; curl "
        "before 8.16 caps it at 300)",
    )
    parser.add_argument("--json-out", type=Path, help="also write the numbers to this file")
    parser.add_argument(
        "--command",
        help="the statuswatch command to measure, shell-quoted "
        "(default: the console script next to this Python, with --json)",
    )
    args = parser.parse_args(argv)
    if args.providers < 1 or args.repeat < 1 or args.latency < 0:
        parser.error("--providers and --repeat must be >= 1 and --latency >= 0")
    if (args.origins is not None and args.origins < 1) or (
        args.per_origin is not None and args.per_origin < 1
    ):
        parser.error("--origins and --per-origin must be >= 1")
    command = shlex.split(args.command) if args.command else None
    if args.suite:
        cases = [
            (pages, origins_for(pages, per), warm)
            for pages, per in SUITES[args.suite]
            for warm in (False, True)
        ]
    else:
        origins = args.origins or origins_for(args.providers, args.per_origin)
        cases = [(args.providers, origins, args.warm)]
    curl_max = args.curl_parallel_max or SUITE_CURL_MAX.get(args.suite, CURL_PARALLEL_MAX)
    print(curl_version(), file=sys.stderr)
    print(python_line(), file=sys.stderr)
    compile_bytecode()  # as an installed statuswatch has it (see benchlib.compile_bytecode)
    results: list[Result] = []
    try:
        for pages, origins, warm in cases:
            print(
                f"{pages} pages, {origins} origin(s), {'warm' if warm else 'cold'}:",
                file=sys.stderr,
            )
            result = run_benchmark(
                pages,
                args.latency,
                args.repeat,
                origins,
                warm,
                command,
                log=sys.stderr,
                http=args.http,
                curl_parallel_max=curl_max,
            )
            results.append(result)
            print(format_table(result) + "\n", flush=True)
    except BenchError as exc:
        print(f"bench_poll: {exc}", file=sys.stderr)
        return 1
    if len(results) > 1:
        print(markdown_table(results))
    if args.json_out:
        numbers: Any = [r.to_json() for r in results] if args.suite else results[0].to_json()
        args.json_out.write_text(json.dumps(numbers, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
