"""Benchmark: `statuswatch --json` against `curl --parallel` on the same loopback providers.

    python benchmarks/bench_poll.py --providers 200 --latency 0.2 --repeat 5

Starts `loopback_farm.py` in its own process, writes a config watching every provider, then
runs the two commands alternately and reports wall time, CPU time (user+sys of the child) and
peak RSS of each, with the ratios statuswatch/curl. Every statuswatch run is checked: exit 0, a
`statuswatch/v1` document with every provider read, none in error. A failed check exits 1; a
missed target is reported but is not a failure (this is a measurement, not a test).
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import select
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loopback_farm  # a sibling script, not an installed package

REPO = Path(__file__).resolve().parents[1]
WALL_TARGET = 2.0  # seconds, for statuswatch at the default size
RATIO_TARGET = 3.0  # statuswatch wall / curl wall
TARGET_SIZE = (200, 0.2, 1)  # providers, latency, ports: the case the targets are set for
CURL_PARALLEL_MAX = 50
FARM_START_TIMEOUT = 30.0
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
# Loopback only: no proxy may stand between the measured commands and the farm.
_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class BenchError(Exception):
    """The benchmark could not measure what it set out to (not a missed target)."""


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
    """Everything one benchmark invocation measured."""

    providers: int
    latency: float
    repeat: int
    ports: int
    warm: bool
    statuswatch_command: list[str]
    curl_command: list[str]
    statuswatch: list[Run] = field(default_factory=list)
    curl: list[Run] = field(default_factory=list)

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

    def targets(self) -> dict[str, bool]:
        """Return whether the wall-time targets were met, judged on the medians."""
        sw, _ = self.summaries()
        return {
            f"wall_under_{WALL_TARGET:g}s": sw.wall_median <= WALL_TARGET,
            f"ratio_under_{RATIO_TARGET:g}x": self.ratios()["wall_median"] <= RATIO_TARGET,
        }

    def to_json(self) -> dict[str, Any]:
        """Return the numbers as a JSON-ready dict."""
        sw, cu = self.summaries()
        return {
            "providers": self.providers,
            "latency": self.latency,
            "repeat": self.repeat,
            "ports": self.ports,
            "warm": self.warm,
            "cpus": os.cpu_count(),
            "statuswatch_command": self.statuswatch_command,
            "curl_command": self.curl_command,
            "summary": {"statuswatch": asdict(sw), "curl": asdict(cu)},
            "ratios": self.ratios(),
            "targets": self.targets(),
            "runs": {
                "statuswatch": [asdict(r) | {"cpu": r.cpu} for r in self.statuswatch],
                "curl": [asdict(r) | {"cpu": r.cpu} for r in self.curl],
            },
        }


# --- the farm --------------------------------------------------------------------------------


class FarmProcess:
    """A running `loopback_farm.py` child: its ports, its URLs and its counters."""

    def __init__(self, proc: subprocess.Popen[bytes], ports: list[int], providers: int) -> None:
        self.proc = proc
        self.ports = ports
        self.ids = loopback_farm.provider_ids(providers)

    def base_url(self, index: int) -> str:
        """Return the page URL of provider number `index` (0-based), spread over the ports."""
        port = self.ports[index % len(self.ports)]
        return f"http://127.0.0.1:{port}/{self.ids[index]}"

    def base_urls(self) -> list[str]:
        """Return every provider's page URL, in provider order."""
        return [self.base_url(i) for i in range(len(self.ids))]

    def summary_urls(self) -> list[str]:
        """Return every provider's summary.json URL, the documents statuswatch fetches."""
        return [u + loopback_farm.SUMMARY_PATH for u in self.base_urls()]

    def stats(self, *, reset: bool = True) -> dict[str, int]:
        """Return the farm's counters since the last reset, and reset them."""
        url = f"http://127.0.0.1:{self.ports[0]}/_stats" + ("?reset=1" if reset else "")
        with _NO_PROXY_OPENER.open(url, timeout=10) as response:
            data: dict[str, int] = json.loads(response.read())
        return data


@contextmanager
def start_farm(providers: int, latency: float, ports: int) -> Iterator[FarmProcess]:
    """Start the farm, wait for its ports, and stop it on exit."""
    script = Path(__file__).resolve().parent / "loopback_farm.py"
    argv = [
        sys.executable,
        str(script),
        "--providers",
        str(providers),
        "--latency",
        str(latency),
        "--ports",
        str(ports),
        "--exit-on-stdin-eof",
        "--max-seconds",
        "7200",
    ]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], FARM_START_TIMEOUT)
        line = proc.stdout.readline() if ready else b""
        if not line:
            raise BenchError(f"the loopback farm did not start (exit code {proc.poll()})")
        announce = json.loads(line)
        yield FarmProcess(proc, [int(p) for p in announce["ports"]], providers)
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


# --- inputs of the two commands --------------------------------------------------------------


def _toml_string(value: str) -> str:
    """Return `value` as a TOML basic string (JSON escapes are valid TOML for these values)."""
    return json.dumps(value)


def write_config(path: Path, ids: Sequence[str], base_urls: Sequence[str]) -> None:
    """Write a statuswatch config that watches exactly these statuspage providers."""
    lines = ["watch = [" + ", ".join(_toml_string(i) for i in ids) + "]", ""]
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


def fetch_etags(urls: Sequence[str]) -> list[str]:
    """Return the ETag of each URL (used to give curl the validators statuswatch keeps)."""
    etags = []
    for url in urls:
        with _NO_PROXY_OPENER.open(url, timeout=30) as response:
            etags.append(response.headers["ETag"])
    return etags


def statuswatch_command() -> list[str]:
    """Return the console script next to this interpreter, else `python -m statuswatch`."""
    script = Path(sys.executable).parent / "statuswatch"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script), "--json"]
    return [sys.executable, "-m", "statuswatch", "--json"]


def import_path_env() -> dict[str, str]:
    """Return a PYTHONPATH naming this checkout when statuswatch is not installed, else {}."""
    if importlib.util.find_spec("statuswatch") is not None or not (REPO / "statuswatch").is_dir():
        return {}
    current = os.environ.get("PYTHONPATH", "")
    return {"PYTHONPATH": os.pathsep.join(p for p in (str(REPO), current) if p)}


def curl_command(config: Path) -> list[str]:
    """Return the curl command line that fetches the URLs of `config` in parallel."""
    curl = shutil.which("curl")
    if curl is None:
        raise BenchError("curl is not on PATH")
    return [
        curl,
        "--parallel",
        "--parallel-immediate",
        "--parallel-max",
        str(CURL_PARALLEL_MAX),
        "--no-progress-meter",
        "-s",
        "-K",
        str(config),
    ]


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    """Return this environment without proxies (loopback only), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.update(extra)
    return env


# --- measuring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """What one child process did and cost."""

    returncode: int
    wall: float
    user: float
    sys: float
    maxrss_mib: float
    stdout: bytes
    stderr: bytes


# Linux carries the parent's peak RSS over fork and exec into the child's ru_maxrss, so a child
# of this (large) Python would never report less than our own size. A tiny launcher spawns the
# command instead and reports the command's own rusage; it also times the command, so the
# launcher's start-up is not counted either.
_LAUNCHER = """
import os, sys, time
report, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(report, "w") as out:
    out.write(repr((os.waitstatus_to_exitcode(status), wall, ru.ru_utime, ru.ru_stime,
                    ru.ru_maxrss)))
"""


def measure(argv: Sequence[str], env: dict[str, str], workdir: Path) -> Measured:
    """Run `argv` once; return its exit code, wall, CPU and peak RSS from its own rusage."""
    out_path, err_path, report = workdir / "stdout", workdir / "stderr", workdir / "rusage"
    report.unlink(missing_ok=True)
    launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(report), *argv]
    # Files, not pipes: a large JSON document must never block the child on a full pipe.
    with out_path.open("wb") as out, err_path.open("wb") as err:
        done = subprocess.run(
            launcher, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, check=False
        )
    if done.returncode != 0 or not report.exists():
        detail = err_path.read_text(errors="replace").strip().splitlines()[-1:]
        raise BenchError(f"could not run {argv[0]}: {' '.join(detail)}")
    returncode, wall, user, system, maxrss_kib = ast.literal_eval(report.read_text())
    return Measured(
        returncode=int(returncode),
        wall=float(wall),
        user=float(user),
        sys=float(system),
        maxrss_mib=maxrss_kib / 1024,  # Linux reports KiB
        stdout=out_path.read_bytes(),
        stderr=err_path.read_bytes(),
    )


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
    ports: int = 1,
    warm: bool = False,
    command: Sequence[str] | None = None,
    log: TextIO | None = None,
) -> Result:
    """Start the farm and measure statuswatch and curl alternately; raise BenchError on failure."""
    sw_argv = list(command) if command else statuswatch_command()
    with (
        tempfile.TemporaryDirectory(prefix="statuswatch-bench-") as tmp_name,
        start_farm(providers, latency, ports) as farm,
    ):
        tmp = Path(tmp_name)
        config = tmp / "config.toml"
        write_config(config, farm.ids, farm.base_urls())
        curl_config = tmp / "curl.cfg"
        etags = fetch_etags(farm.summary_urls()) if warm else None
        write_curl_config(curl_config, farm.summary_urls(), etags)
        farm.stats(reset=True)
        cu_argv = curl_command(curl_config)
        result = Result(providers, latency, repeat, ports, warm, sw_argv, cu_argv)
        shared_dirs = _fresh_dirs(tmp / "warm")

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
                        f"conns {run.connections:4d}  in flight {run.peak_inflight:4d}",
                        file=log,
                        flush=True,
                    )
        return result


def _fresh_dirs(base: Path) -> dict[str, str]:
    """Return new, empty cache and state directories under `base`."""
    (base / "cache").mkdir(parents=True, exist_ok=True)
    (base / "state").mkdir(parents=True, exist_ok=True)
    return {
        "STATUSWATCH_CACHE_DIR": str(base / "cache"),
        "STATUSWATCH_STATE_DIR": str(base / "state"),
    }


def format_table(result: Result) -> str:
    """Return the human-readable report of `result`."""
    sw, cu = result.summaries()
    ratios = result.ratios()
    mode = "warm (ETags cached, 304s)" if result.warm else "cold (no cache)"
    rows = [
        f"{result.providers} providers, latency {result.latency:g} s, {result.ports} port(s), "
        f"{mode}, {result.repeat} runs each, {os.cpu_count()} CPUs",
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
    rows.append("")
    for name, met in result.targets().items():
        rows.append(f"target {name}: {'met' if met else 'MISSED'}")
    if (result.providers, result.latency, result.ports) != TARGET_SIZE:
        rows.append("(the targets are set for 200 providers at 0.2 s on one origin, not this size)")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark from the command line; 1 when a measured command failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--providers", type=int, default=200, help="providers to poll (200)")
    parser.add_argument(
        "--latency", type=float, default=0.2, help="seconds each provider takes to answer (0.2)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="measured runs of each tool (5)")
    parser.add_argument(
        "--ports", type=int, default=1, help="spread the providers over this many origins (1)"
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="keep statuswatch's cache between runs (304s); curl sends the ETags",
    )
    parser.add_argument("--json-out", type=Path, help="also write the numbers to this file")
    parser.add_argument(
        "--command",
        help="the statuswatch command to measure, shell-quoted "
        "(default: the console script next to this Python, with --json)",
    )
    args = parser.parse_args(argv)
    if args.providers < 1 or args.repeat < 1 or args.ports < 1 or args.latency < 0:
        parser.error("--providers, --repeat and --ports must be >= 1 and --latency >= 0")
    command = shlex.split(args.command) if args.command else None
    try:
        result = run_benchmark(
            args.providers,
            args.latency,
            args.repeat,
            args.ports,
            args.warm,
            command,
            log=sys.stderr,
        )
    except BenchError as exc:
        print(f"bench_poll: {exc}", file=sys.stderr)
        return 1
    print(format_table(result))
    if args.json_out:
        args.json_out.write_text(json.dumps(result.to_json(), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
