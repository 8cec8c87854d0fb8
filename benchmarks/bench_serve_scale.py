"""`statuswatch serve` at scale: 5,000 pages polled every 60 s, its CPU, memory and latency.

    .venv/bin/python benchmarks/bench_serve_scale.py                   # 5,000 pages, 300 s
    .venv/bin/python benchmarks/bench_serve_scale.py --duration 130    # a quick run: 3 polls

What it does (everything on loopback, every wait bounded):

1. Starts `loopback_farm.py` as its own process: `--providers` Statuspage pages (~10 KB each,
   an ETag, a 304 when it matches) spread over distinct 127.0.0.x origins, `--per-origin`
   pages each, answering after `--latency` seconds.
2. Starts the real `statuswatch serve --bind 127.0.0.1:0 --interval S` on them, with the
   default `[http]` settings and fresh cache and state directories. The first poll is cold
   (every page sent), the later ones warm (304s, as a real page that has not changed).
3. Follows /v1/events to learn when each poll ends (the `snapshot` notice) and reads the
   farm's request counter every 0.1 s to learn when it starts (the first request).
4. Once the first poll is served, a separate process (its own GIL) asks GET /v1/status at
   `--probe-rate` per second over 4 keep-alive connections, open loop: request k is due at a
   fixed time and its latency counts from then, so a server that stalls cannot hide it. It
   asks for gzip as httpx, curl --compressed and browsers do (`--identity` for the whole
   document uncompressed).
5. Reads the server's CPU time (user + system, all threads, /proc) from its start to the end
   of `--duration`, its resident memory every second and its peak (VmHWM).

The report: CPU share of one core over the whole window (start-up and the cold first poll
included) and over the steady part (from the end of the first poll), RSS, each poll's
duration, and /v1/status latency percentiles during polls and between them. Targets
(issue 16): under 25% of one core averaged over 5 minutes, RSS under 300 MB, /v1/status p99
under 50 ms during polls. A missed target is reported, not an error; exit 1 only when the run
itself failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_poll import write_config  # sibling scripts, not an installed package
from benchlib import (
    BenchError,
    FarmProcess,
    clean_env,
    compile_bytecode,
    import_path_env,
    start_farm,
)

TICK = os.sysconf("SC_CLK_TCK")
CPU_TARGET = 0.25  # of one core, averaged over the window
RSS_TARGET_MB = 300.0
P99_TARGET = 0.050  # seconds, /v1/status during polls
PROBE_CONNECTIONS = 4
START_TIMEOUT = 60.0


# --- the server process -------------------------------------------------------------------------


@dataclass
class Server:
    """A running `statuswatch serve` child."""

    process: subprocess.Popen[str]
    host: str
    port: int
    started: float  # time.time() just before it was spawned
    stderr: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@contextmanager
def start_server(
    farm: FarmProcess, workdir: Path, interval: float, command: Sequence[str]
) -> Iterator[Server]:
    """Start `statuswatch serve` on the farm's pages; stop it on exit."""
    config = workdir / "config.toml"
    write_config(config, farm.ids, farm.base_urls())
    env = clean_env(
        {
            "STATUSWATCH_CONFIG": str(config),
            "STATUSWATCH_CACHE_DIR": str(workdir / "cache"),
            "STATUSWATCH_STATE_DIR": str(workdir / "state"),
            **import_path_env(),
        }
    )
    env.pop("STATUSWATCH_TOKEN", None)
    argv = [*command, "serve", "--bind", "127.0.0.1:0", "--interval", f"{interval:g}"]
    started = time.time()
    process = subprocess.Popen(
        argv, env=env, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        if " on http://" not in line:
            raise BenchError(f"statuswatch serve did not start: {line.strip()!r}")
        address = line.split(" on http://", 1)[1].split(" ", 1)[0].strip().rstrip("/")
        host, _, port = address.rpartition(":")
        server = Server(process, host, int(port), started)
        # Keep reading its stderr: a full pipe would stop the server.
        pipe = process.stderr
        threading.Thread(target=lambda: server.stderr.extend(pipe), daemon=True).start()
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process, all its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def memory_mib(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a live process in MiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) / 1024
    return found.get("VmRSS", 0.0), found.get("VmHWM", 0.0)


# --- watching the polls -------------------------------------------------------------------------


@dataclass
class Poll:
    """One poll of the server: when the farm saw its first request, when its snapshot came."""

    start: float | None = None
    end: float | None = None
    requests: int = 0

    @property
    def seconds(self) -> float | None:
        return None if self.start is None or self.end is None else self.end - self.start


class Watcher:
    """Follows the server's polls through /v1/events and the farm's request counter."""

    def __init__(self, server: Server, farm: FarmProcess) -> None:
        self.server = server
        self.farm = farm
        self.polls: list[Poll] = [Poll()]
        self.rss: list[float] = []
        self.failures: list[str] = []
        self._seen: set[str] = set()
        self._counted = 0
        self._next_rss = 0.0

    async def run(self, until: float) -> None:
        """Watch until the wall clock reaches `until`."""
        tasks = [asyncio.create_task(self._events()), asyncio.create_task(self._sample())]
        try:
            await asyncio.sleep(max(0.0, until - time.time()))
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def first_poll(self, timeout: float) -> None:
        """Wait for the first snapshot."""
        async with asyncio.timeout(timeout):
            while self.polls[0].end is None:
                if self.server.process.poll() is not None:
                    raise BenchError("statuswatch serve exited: " + "".join(self.server.stderr))
                await asyncio.sleep(0.05)

    async def _sample(self) -> None:
        while True:
            stats = await asyncio.to_thread(self.farm.stats, reset=False)
            now = time.time()
            current = self.polls[-1]
            # Only the pages count: the history's backfill asks the farm for documents it
            # does not serve (404), between polls.
            pages = stats["requests"] - stats["not_found"]
            if pages > self._counted:
                if current.start is None:
                    current.start = now - 0.05  # between this sample and the last one
                current.requests += pages - self._counted
                self._counted = pages
            if now >= self._next_rss:  # resident memory once a second
                self.rss.append(memory_mib(self.server.process.pid)[0])
                self._next_rss = now + 1.0
            await asyncio.sleep(0.1)

    async def _events(self) -> None:
        try:
            reader, writer = await asyncio.open_connection(self.server.host, self.server.port)
        except OSError as exc:
            self.failures.append(f"events: {exc}")
            return
        try:
            writer.write(b"GET /v1/events HTTP/1.1\r\nHost: bench\r\n\r\n")
            await reader.readuntil(b"\r\n\r\n")
            kind = ""
            while line := await reader.readline():
                text = line.decode().rstrip("\n")
                if text.startswith("event:"):
                    kind = text[6:].strip()
                elif text.startswith("data:") and kind == "snapshot":
                    stamp = json.loads(text[5:])["generated_at"]
                    if stamp not in self._seen:
                        self._seen.add(stamp)
                        self._snapshot(time.time())
                elif not text:
                    kind = ""
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            self.failures.append(f"events: {type(exc).__name__}: {exc}")
        finally:
            writer.close()

    def _snapshot(self, now: float) -> None:
        current = self.polls[-1]
        if current.start is None:  # no request counted yet: the sampler has not looked since
            current.start = now
        current.end = now
        self.polls.append(Poll())


# --- the probe process --------------------------------------------------------------------------


async def probe(url: str, rate: float, duration: float, gzip: bool) -> dict[str, Any]:
    """GET /v1/status open loop; return each request's due time (epoch) and latency."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    encoding = b"gzip" if gzip else b"identity"
    request = (
        b"GET /v1/status HTTP/1.1\r\nHost: bench\r\nAccept-Encoding: " + encoding + b"\r\n\r\n"
    )
    samples: list[tuple[float, float]] = []
    errors: list[str] = []
    sizes: set[int] = set()
    epoch, start = time.time() + 0.2, time.perf_counter() + 0.2
    end = start + duration

    async def connection(index: int) -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            k = 0
            while (due := start + (k * PROBE_CONNECTIONS + index) / rate) < end:
                if (delay := due - time.perf_counter()) > 0:
                    await asyncio.sleep(delay)
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.split(b"Content-Length: ", 1)[1].split(b"\r\n", 1)[0])
                body = await reader.readexactly(length)
                samples.append((epoch + (due - start), time.perf_counter() - due))
                if not head.startswith(b"HTTP/1.1 200 "):
                    errors.append(head.split(b"\r\n", 1)[0].decode())
                sizes.add(len(body))
                k += 1
        finally:
            writer.close()

    done = await asyncio.gather(
        *(connection(i) for i in range(PROBE_CONNECTIONS)), return_exceptions=True
    )
    errors += [f"{type(d).__name__}: {d}" for d in done if isinstance(d, BaseException)]
    return {"samples": samples, "errors": errors[:10], "bytes": sorted(sizes)[-3:]}


async def start_probe(
    url: str, rate: float, duration: float, gzip: bool
) -> asyncio.subprocess.Process:
    argv = [sys.executable, __file__, "--probe-worker", url, "--probe-rate", str(rate)]
    argv += ["--duration", str(duration)] + ([] if gzip else ["--identity"])
    return await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE)


# --- the run ------------------------------------------------------------------------------------


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50, p90, p99, max and mean of `values` (empty: {})."""
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]

    return {
        "p50": at(0.50),
        "p90": at(0.90),
        "p99": at(0.99),
        "max": ordered[-1],
        "mean": statistics.fmean(ordered),
        "count": float(len(ordered)),
    }


def split_by_polls(
    samples: Sequence[tuple[float, float]], polls: Sequence[Poll], margin: float = 0.5
) -> tuple[list[float], list[float]]:
    """Latencies of requests due during a poll (from its first request to its snapshot, plus
    `margin`) and of the others."""
    windows = [(p.start, p.end + margin) for p in polls if p.start is not None and p.end]
    during, between = [], []
    for due, latency in samples:
        inside = any(a <= due <= b for a, b in windows)
        (during if inside else between).append(latency)
    return during, between


async def _bench(args: argparse.Namespace, server: Server, farm: FarmProcess) -> dict[str, Any]:
    watcher = Watcher(server, farm)
    until = server.started + args.duration
    watching = asyncio.create_task(watcher.run(until))
    try:
        await watcher.first_poll(timeout=max(START_TIMEOUT, args.duration))
        print(f"first poll served after {time.time() - server.started:.1f} s", file=sys.stderr)
        cpu_first = cpu_seconds(server.process.pid)
        first_end = time.time()
        remaining = until - time.time()
        if remaining < 1:
            raise BenchError("--duration ended before the first poll did: make it longer")
        prober = await start_probe(server.url, args.probe_rate, remaining - 0.5, not args.identity)
        out, _ = await prober.communicate()
        await watching
    finally:
        watching.cancel()
    cpu_end = cpu_seconds(server.process.pid)
    window = time.time() - server.started
    rss_now, rss_peak = memory_mib(server.process.pid)
    if prober.returncode != 0:
        raise BenchError(f"the probe process failed with exit code {prober.returncode}")
    probed = json.loads(out)
    samples = [(float(a), float(b)) for a, b in probed["samples"]]
    polls = [p for p in watcher.polls if p.end is not None]
    during, between = split_by_polls(samples, polls[1:])  # the first poll: before probing
    steady = window - (first_end - server.started)
    return {
        "window_seconds": window,
        "cpu_seconds": cpu_end,
        "cpu_share": cpu_end / window,
        "steady_seconds": steady,
        "steady_cpu_seconds": cpu_end - cpu_first,
        "steady_cpu_share": (cpu_end - cpu_first) / steady if steady > 0 else None,
        "rss_mib": {"end": rss_now, "peak": rss_peak, "max_sampled": max(watcher.rss or [0])},
        "polls": [
            {"start": p.start, "end": p.end, "seconds": p.seconds, "requests": p.requests}
            for p in polls
        ],
        "status_during_polls": percentiles(during),
        "status_between_polls": percentiles(between),
        "probe_errors": probed["errors"],
        "document_bytes": probed["bytes"],
        "watch_failures": watcher.failures,
        "server_stderr": server.stderr[-5:],
    }


def targets(result: dict[str, Any]) -> dict[str, bool]:
    """Each target of issue 16 and whether it was met."""
    during = result["status_during_polls"]
    return {
        f"cpu_under_{CPU_TARGET:.0%}_of_a_core": result["cpu_share"] < CPU_TARGET,
        f"rss_under_{RSS_TARGET_MB:g}_mb": result["rss_mib"]["peak"] * 1.048576 < RSS_TARGET_MB,
        f"status_p99_under_{P99_TARGET * 1000:g}_ms_during_polls": bool(during)
        and during["p99"] < P99_TARGET,
    }


def _ms(values: dict[str, float], key: str) -> str:
    return f"{values[key] * 1000:.1f} ms" if key in values else "-"


def format_report(result: dict[str, Any], args: argparse.Namespace) -> str:
    """The numbers as a short text report."""
    lines = [
        f"statuswatch serve: {args.providers} pages over {result['origins']} origins, "
        f"latency {args.latency:g} s, --interval {args.interval:g}, {os.cpu_count()} CPUs",
        f"  CPU: {result['cpu_seconds']:.1f} s in {result['window_seconds']:.0f} s = "
        f"{result['cpu_share']:.1%} of one core (start-up and the cold first poll included); "
        f"after the first poll {result['steady_cpu_seconds']:.1f} s in "
        f"{result['steady_seconds']:.0f} s = {result['steady_cpu_share'] or 0:.1%}",
        f"  RSS: peak {result['rss_mib']['peak']:.0f} MiB, at the end "
        f"{result['rss_mib']['end']:.0f} MiB",
    ]
    for n, poll in enumerate(result["polls"], 1):
        seconds = poll["seconds"]
        lines.append(
            f"  poll {n} ({'cold' if n == 1 else 'warm'}): {poll['requests']} requests, "
            + (f"{seconds:.2f} s from first request to snapshot" if seconds else "-")
        )
    for label, key in (
        ("during polls", "status_during_polls"),
        ("between", "status_between_polls"),
    ):
        values = result[key]
        lines.append(
            f"  /v1/status {label}: {int(values.get('count', 0))} requests, p50 "
            f"{_ms(values, 'p50')}, p90 {_ms(values, 'p90')}, p99 {_ms(values, 'p99')}, "
            f"max {_ms(values, 'max')}"
        )
    lines.append(
        f"  document: {result['document_bytes']} bytes "
        f"({'identity' if args.identity else 'gzip'}); probe errors: {result['probe_errors']}"
    )
    for name, met in targets(result).items():
        lines.append(f"  target {name}: {'met' if met else 'MISSED'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with --probe-worker, only the probe)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--providers", type=int, default=5000, help="pages (5000)")
    parser.add_argument("--per-origin", type=int, default=20, help="pages per origin (20)")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds to answer (0.2)")
    parser.add_argument("--interval", type=float, default=60.0, help="serve --interval (60)")
    parser.add_argument(
        "--duration", type=float, default=300.0, help="seconds measured from the start (300)"
    )
    parser.add_argument(
        "--probe-rate", type=float, default=10.0, help="GET /v1/status per second (10)"
    )
    parser.add_argument("--identity", action="store_true", help="probe without gzip")
    parser.add_argument(
        "--command",
        default=f"{sys.executable} -m statuswatch",
        help="how to run statuswatch (default: this Python's -m statuswatch)",
    )
    parser.add_argument("--json-out", type=Path, help="also write the numbers to this file")
    parser.add_argument("--probe-worker", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe_worker:
        result = asyncio.run(
            probe(args.probe_worker, args.probe_rate, args.duration, not args.identity)
        )
        print(json.dumps(result))
        return 0
    if min(args.providers, args.per_origin) < 1 or args.duration <= 0 or args.probe_rate <= 0:
        parser.error("--providers, --per-origin >= 1; --duration and --probe-rate > 0")
    origins = max(1, math.ceil(args.providers / args.per_origin))
    compile_bytecode()  # as an installed statuswatch has it
    try:
        with (
            tempfile.TemporaryDirectory(prefix="statuswatch-serve-scale-") as workdir,
            start_farm(args.providers, args.latency, origins) as farm,
            start_server(farm, Path(workdir), args.interval, shlex.split(args.command)) as server,
        ):
            print(f"statuswatch serve on {server.url}, {args.providers} pages", file=sys.stderr)
            result = asyncio.run(_bench(args, server, farm))
    except (BenchError, TimeoutError) as exc:
        print(f"bench_serve_scale: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    result["origins"] = origins
    result["settings"] = {
        k: v for k, v in vars(args).items() if k not in ("json_out", "probe_worker")
    }
    result["targets"] = targets(result)
    print(format_report(result, args))
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
