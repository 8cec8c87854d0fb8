"""Load benchmark of `statuswatch serve`: SSE viewers and 1,000 status requests/s on 127.0.0.1.

    .venv/bin/python benchmarks/bench_serve.py
    .venv/bin/python benchmarks/bench_serve.py --clients 200 --rate 1000 --duration 30 \
        --json-out /tmp/serve.json

What it does (everything on 127.0.0.1, every wait bounded, the whole run under --max-seconds):

1. Serves `--providers` fake Statuspage providers (the ~10 KB summaries of loopback_farm.py)
   from a thread of this process, and starts the real `statuswatch serve` as a child process
   (`--interval 10`, the smallest the config allows) polling them.
2. Connects `--clients` SSE clients to /v1/events (raw asyncio streams in this process).
3. Idle rounds: right after a poll (seen as the `snapshot` notice), one provider's page gets a
   new incident; the next poll finds it and every client must receive its `incident_opened`
   event. Latency = when the client read the event minus the `generated_at` of the poll that
   found it (the end of that poll, in the server's clock: the same machine's wall clock).
4. Loaded rounds: the same while a separate load process (its own core's worth of Python)
   sends GET /v1/status at `--rate` requests per second for `--duration` seconds over
   `--connections` keep-alive connections, open loop: each request has its scheduled time,
   and its latency is counted from that time, so a server that falls behind is not hidden
   (no coordinated omission).
5. Prints the SSE latency distribution per phase, the achieved request rate and its latency
   percentiles, the server's CPU time and peak RSS; `--json-out` writes it all as JSON.

A missed target is reported, not an error: this measures, it does not test. Exit 1 only when
the run itself failed (the server did not start, a client saw a wrong document).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import h11
import loopback_farm

from statuswatch.serverclient import SseParser
from statuswatch.servethread import LocalHTTPServer, ServerThread

SUMMARY_PATH = loopback_farm.SUMMARY_PATH
BENCH_INCIDENT = "bench"
START_TIMEOUT = 60.0
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class BenchError(Exception):
    """The benchmark could not run (not a missed target)."""


# --- the status pages ---------------------------------------------------------------------------


class Pages(ServerThread):
    """The fake providers' summary.json bodies, served by a threaded HTTP server."""

    def __init__(self, providers: int) -> None:
        super().__init__("pages", poll_interval=0.5)
        self.ids = loopback_farm.provider_ids(providers)
        self._documents = {i: loopback_farm.summary_document(i) for i in self.ids}
        self._bodies = {i: json.dumps(d).encode() for i, d in self._documents.items()}
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                provider = self.path.split("/")[1]
                with owner._lock:
                    body = owner._bodies.get(provider)
                if body is None or not self.path.endswith(SUMMARY_PATH):
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._handler = Handler

    def make_server(self) -> LocalHTTPServer:
        """A server on a free port of 127.0.0.1, answering with the pages' bodies."""
        return LocalHTTPServer(("127.0.0.1", 0), self._handler)

    def url(self, provider: str) -> str:
        """The page URL of a provider."""
        return f"http://127.0.0.1:{self.port}/{provider}"

    def open_incident(self, provider: str, number: int) -> str:
        """Add incident `bench-N` to the provider's page (the previous one disappears)."""
        incident_id = f"{BENCH_INCIDENT}-{number}"
        document = json.loads(json.dumps(self._documents[provider]))
        template = document["incidents"][0]
        document["incidents"].insert(
            0, {**template, "id": incident_id, "name": f"Benchmark incident {number}"}
        )
        with self._lock:
            self._bodies[provider] = json.dumps(document).encode()
        return incident_id


# --- the server ---------------------------------------------------------------------------------


@contextlib.contextmanager
def start_server(
    workdir: Path, pages: Pages, server_path: Path | None = None
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`statuswatch serve` as a child process; yields it and its base URL.

    `server_path`: a checkout whose `statuswatch` the server runs instead (to compare two).
    """
    lines = [f"watch = {json.dumps(pages.ids)}", "interval = 10"]
    for provider in pages.ids:
        lines += [
            f"[providers.{provider}]",
            f'name = "{provider.upper()}"',
            'kind = "statuspage"',
            f'url = "{pages.url(provider)}"',
        ]
    config = workdir / "config.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {
        **os.environ,
        "STATUSWATCH_CONFIG": str(config),
        "STATUSWATCH_CACHE_DIR": str(workdir / "cache"),
        "STATUSWATCH_STATE_DIR": str(workdir / "state"),
    }
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        env.pop(name, None)
    env.pop("STATUSWATCH_TOKEN", None)
    if server_path is not None:
        env["PYTHONPATH"] = str(server_path)
    command = [sys.executable, "-m", "statuswatch", "serve", "--bind", "127.0.0.1:0"]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        if " on http://" not in line:
            raise BenchError(f"statuswatch serve did not start: {line.strip()!r}")
        yield process, line.split(" on ", 1)[1].split(" ", 1)[0]
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a live process (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def peak_rss_mib(pid: int) -> float | None:
    """Peak resident memory of a live process in MiB (Linux /proc), None elsewhere."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# --- SSE clients --------------------------------------------------------------------------------


@dataclass
class Receipt:
    """One event read by one client."""

    client: int
    kind: str
    subject: str
    generated_at: float
    received: float

    @property
    def latency(self) -> float:
        return self.received - self.generated_at


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


class Viewers:
    """N SSE clients; each records the events it reads and the poll notices it sees."""

    def __init__(self, host: str, port: int, count: int) -> None:
        self.host, self.port, self.count = host, port, count
        self.receipts: list[Receipt] = []
        self.connected = 0
        self.polls: asyncio.Queue[str] = asyncio.Queue()  # generated_at of each poll (client 0)
        self.failures: list[str] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self, timeout: float) -> None:
        self._tasks = [asyncio.create_task(self._client(n)) for n in range(self.count)]
        async with asyncio.timeout(timeout):
            while self.connected < self.count:
                if self.failures:
                    raise BenchError(f"an SSE client failed: {self.failures[0]}")
                await asyncio.sleep(0.05)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _client(self, number: int) -> None:
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        except OSError as exc:
            self.failures.append(f"connect: {exc}")
            return
        # The stream is chunked (HTTP/1.1): h11 takes the framing off, as a viewer's client does.
        client = h11.Connection(h11.CLIENT)
        try:
            request = h11.Request(
                method="GET",
                target="/v1/events",
                headers=[("Host", "bench"), ("Accept", "text/event-stream")],
            )
            writer.write(client.send(request) or b"")
            parser = SseParser()
            first = True
            pending = b""
            while data := await reader.read(65536):
                client.receive_data(data)
                while (got := client.next_event()) is not h11.NEED_DATA:
                    if isinstance(got, h11.Response) and got.status_code != 200:
                        self.failures.append(f"HTTP {got.status_code}")
                        return
                    if not isinstance(got, h11.Data):
                        continue
                    *lines, pending = (pending + bytes(got.data)).split(b"\n")
                    for line in lines:
                        event = parser.feed(line.decode())
                        if event is None:
                            continue
                        received = time.time()
                        payload = json.loads(event.data)
                        if event.kind == "snapshot":
                            if first:
                                first = False
                                self.connected += 1
                            elif number == 0:
                                self.polls.put_nowait(payload["generated_at"])
                            continue
                        subject = (payload["event"].get("incident") or {}).get("id", "")
                        self.receipts.append(
                            Receipt(
                                number,
                                event.kind,
                                subject,
                                _epoch(payload["generated_at"]),
                                received,
                            )
                        )
        except (OSError, asyncio.IncompleteReadError, ValueError, h11.ProtocolError) as exc:
            self.failures.append(f"client {number}: {type(exc).__name__}: {exc}")
        finally:
            writer.close()


@dataclass
class Round:
    """One incident opened on a page and what the viewers saw of it."""

    incident: str
    complete: bool = False  # every viewer got it (or the wait for it ran out)
    found_at: float | None = None  # generated_at of the poll that found it
    latencies: list[float] = field(default_factory=list)


async def run_rounds(
    viewers: Viewers, pages: Pages, rounds: list[Round], count: int | None
) -> None:
    """Open an incident right after a poll, wait for every viewer to get it; `count` times
    (None: until cancelled)."""
    while count is None or count > 0:
        async with asyncio.timeout(30):
            await viewers.polls.get()  # a poll ended: the next one will find the change
        incident = pages.open_incident(pages.ids[0], len(rounds) + 1)
        current = Round(incident)
        rounds.append(current)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(25):  # the next poll is due within the 10 s interval
                while len(current.latencies) < viewers.count:
                    await asyncio.sleep(0.02)
                    seen = [
                        r
                        for r in viewers.receipts
                        if r.kind == "incident_opened" and r.subject == incident
                    ]
                    current.latencies = [r.latency for r in seen]
                    current.found_at = seen[0].generated_at if seen else None
        current.complete = True
        if count is not None:
            count -= 1


# --- the load process ---------------------------------------------------------------------------


async def _load(
    url: str, rate: float, duration: float, connections: int, gzip: bool
) -> dict[str, Any]:
    host, port = url.removeprefix("http://").split(":")
    encoding = b"gzip" if gzip else b"identity"
    request = (
        b"GET /v1/status HTTP/1.1\r\nHost: bench\r\nAccept-Encoding: " + encoding + b"\r\n\r\n"
    )
    from_schedule: list[float] = []
    service: list[float] = []
    sizes: set[int] = set()
    errors: list[str] = []
    start = time.perf_counter() + 0.5
    end = start + duration
    wall_start = time.time() + 0.5

    async def connection(index: int) -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            k = 0
            while True:
                scheduled = start + (k * connections + index) / rate
                if scheduled >= end:
                    return
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                sent = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.split(b"Content-Length: ", 1)[1].split(b"\r\n", 1)[0])
                body = await reader.readexactly(length)
                done = time.perf_counter()
                if not head.startswith(b"HTTP/1.1 200 "):
                    errors.append(head.split(b"\r\n", 1)[0].decode())
                sizes.add(len(body))
                from_schedule.append(done - scheduled)
                service.append(done - sent)
                k += 1
        finally:
            writer.close()

    results = await asyncio.gather(
        *(connection(i) for i in range(connections)), return_exceptions=True
    )
    errors += [f"{type(r).__name__}: {r}" for r in results if isinstance(r, BaseException)]
    elapsed = max(time.perf_counter(), end) - start
    return {
        "window": [wall_start, wall_start + elapsed],
        "requests": len(service),
        "elapsed": elapsed,
        "rate": len(service) / elapsed,
        "from_schedule": _percentiles(from_schedule),
        "service": _percentiles(service),
        "body_bytes": sorted(sizes),
        "errors": errors[:10],
        "error_count": len(errors),
    }


def _percentiles(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {
        "p50": at(0.50),
        "p90": at(0.90),
        "p99": at(0.99),
        "p99.9": at(0.999),
        "max": ordered[-1],
        "mean": statistics.fmean(ordered),
    }


async def start_load(
    url: str, rate: float, duration: float, connections: int, gzip: bool
) -> asyncio.subprocess.Process:
    """The load generator as a separate process (so it does not share this one's GIL)."""
    argv = [
        sys.executable,
        __file__,
        "--load-worker",
        url,
        "--rate",
        str(rate),
        "--duration",
        str(duration),
        "--connections",
        str(connections),
    ]
    if gzip:
        argv.append("--gzip")
    return await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE)


# --- the whole run ------------------------------------------------------------------------------


async def _bench(args: argparse.Namespace, url: str, pages: Pages, pid: int) -> dict[str, Any]:
    host, port = url.removeprefix("http://").split(":")
    viewers = Viewers(host, int(port), args.clients)
    rounds: list[Round] = []
    try:
        await viewers.start(timeout=START_TIMEOUT)
        print(f"{args.clients} SSE clients connected", file=sys.stderr)
        await run_rounds(viewers, pages, rounds, args.rounds)
        print(f"{args.rounds} rounds without load done", file=sys.stderr)
        cpu_before = cpu_seconds(pid)
        load = await start_load(url, args.rate, args.duration, args.connections, args.gzip)
        during = asyncio.create_task(run_rounds(viewers, pages, rounds, None))
        try:
            async with asyncio.timeout(args.duration + 60):
                out, _ = await load.communicate()
        finally:
            during.cancel()
            await asyncio.gather(during, return_exceptions=True)
        cpu_after = cpu_seconds(pid)
        print("load done", file=sys.stderr)
    finally:
        await viewers.stop()
    if load.returncode != 0:
        raise BenchError(f"the load process failed with exit code {load.returncode}")
    load_result = json.loads(out)
    begin, end = load_result["window"]
    done = [r for r in rounds if r.complete and r.found_at is not None]
    loaded = [r for r in done if r.found_at is not None and begin <= r.found_at <= end]
    idle = [r for r in done if r not in loaded]
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return {
        "rounds": [
            {
                "incident": r.incident,
                "complete": r.complete,
                "during_load": r in loaded,
                "received": len(r.latencies),
                "expected": args.clients,
                "latency": _percentiles(r.latencies),
            }
            for r in rounds
        ],
        "sse_idle": _phase(idle, args.clients),
        "sse_loaded": _phase(loaded, args.clients),
        "load": load_result,
        "server_cpu_seconds_during_load": cpu,
        "server_peak_rss_mib": peak_rss_mib(pid),
        "sse_failures": viewers.failures[:10],
    }


def _phase(rounds: Sequence[Round], clients: int) -> dict[str, Any]:
    latencies = [x for r in rounds for x in r.latencies]
    expected = clients * len(rounds)
    return {
        "rounds": len(rounds),
        "expected": expected,
        "received": len(latencies),
        "within_1s": sum(1 for x in latencies if x <= 1.0),
        "all_within_1s": bool(rounds) and len(latencies) == expected and max(latencies) <= 1.0,
        "latency": _percentiles(latencies),
    }


def _ms(values: dict[str, float], key: str) -> str:
    return f"{values[key] * 1000:.1f} ms" if key in values else "-"


def format_report(result: dict[str, Any], args: argparse.Namespace) -> str:
    """The numbers as a short text report."""
    lines = [f"statuswatch serve: {args.providers} providers, {args.clients} SSE clients"]
    for name in ("sse_idle", "sse_loaded"):  # polls that found the incident without / with load
        phase = result[name]
        lat = phase["latency"]
        lines.append(
            f"  {name}: {phase['rounds']} rounds, {phase['received']}/{phase['expected']} "
            f"events received, {phase['within_1s']} within 1 s; latency p50 {_ms(lat, 'p50')}, "
            f"p99 {_ms(lat, 'p99')}, max {_ms(lat, 'max')} -> "
            + ("all within 1 s" if phase["all_within_1s"] else "TARGET MISSED")
        )
    load = result["load"]
    sched, service = load["from_schedule"], load["service"]
    lines.append(
        f"  /v1/status: {load['requests']} requests in {load['elapsed']:.1f} s = "
        f"{load['rate']:.0f}/s (asked {args.rate:g}/s over {args.connections} connections, "
        f"{'gzip' if args.gzip else 'identity'}, body {load['body_bytes']} bytes), "
        f"{load['error_count']} errors"
    )
    lines.append(
        f"    latency from schedule p50 {_ms(sched, 'p50')}, p90 {_ms(sched, 'p90')}, "
        f"p99 {_ms(sched, 'p99')}, p99.9 {_ms(sched, 'p99.9')}, max {_ms(sched, 'max')}"
    )
    lines.append(
        f"    service time p50 {_ms(service, 'p50')}, p99 {_ms(service, 'p99')}, "
        f"max {_ms(service, 'max')}"
    )
    cpu = result["server_cpu_seconds_during_load"]
    if cpu is not None:
        lines.append(
            f"  server CPU during the load: {cpu:.1f} s over {load['elapsed']:.0f} s "
            f"({cpu / load['elapsed'] * 100:.0f}% of one core); peak RSS "
            f"{result['server_peak_rss_mib']:.1f} MiB"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with --load-worker, only the load generator)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--providers", type=int, default=15, help="providers served (15)")
    parser.add_argument("--clients", type=int, default=200, help="SSE clients (200)")
    parser.add_argument("--rounds", type=int, default=3, help="idle rounds (3)")
    parser.add_argument("--rate", type=float, default=1000.0, help="status requests/s (1000)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load (30)")
    parser.add_argument("--connections", type=int, default=32, help="load connections (32)")
    parser.add_argument("--gzip", action="store_true", help="load asks for gzip")
    parser.add_argument("--max-seconds", type=float, default=300.0, help="whole-run bound")
    parser.add_argument("--json-out", type=Path, help="also write the numbers to this file")
    parser.add_argument(
        "--server-path",
        type=Path,
        metavar="DIR",
        help="run the server from the checkout DIR (e.g. an older commit, to compare)",
    )
    parser.add_argument("--load-worker", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.load_worker:
        result = asyncio.run(
            _load(args.load_worker, args.rate, args.duration, args.connections, args.gzip)
        )
        print(json.dumps(result))
        return 0
    if min(args.providers, args.clients, args.connections) < 1 or args.duration < 10:
        parser.error("--providers, --clients and --connections >= 1; --duration >= 10")
    try:
        with (
            tempfile.TemporaryDirectory() as workdir,
            Pages(args.providers) as pages,
            start_server(Path(workdir), pages, args.server_path) as (process, url),
        ):
            print(f"statuswatch serve on {url}", file=sys.stderr)

            async def bounded() -> dict[str, Any]:
                async with asyncio.timeout(args.max_seconds):
                    return await _bench(args, url, pages, process.pid)

            result = asyncio.run(bounded())
    except (BenchError, TimeoutError) as exc:
        print(f"bench_serve: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    result["settings"] = {
        k: str(v) if isinstance(v, Path) else v
        for k, v in vars(args).items()
        if k not in ("json_out", "load_worker")
    }
    print(format_report(result, args))
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
