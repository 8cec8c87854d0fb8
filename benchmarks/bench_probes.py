"""Benchmark: `statuswatch --json` with probes against the same run with `--no-probes`.

    python benchmarks/bench_probes.py --providers 200 --probes 2 --latency 0.2 --repeat 5

Starts `loopback_farm.py` for the status pages and, in a second process, a probe server (this
script with `--serve-probes`) answering every probe with 401 after the same latency, as an API
does without credentials. It writes a config watching every provider, each with `--probes`
probes spread over the probe server's ports, then runs the two commands alternately (side by
side, so load on the machine hits both alike), each with a fresh cache and state directory, and
reports the median wall and CPU time of each and their ratio (target: at most 1.30).

Every run is checked: exit 0, every provider read; with probes every probe answered and
counted (`probes.state` "ok"); with `--no-probes` none sent (`probes.state` "off"). A failed
check exits 1; a missed target is reported but is not a failure (a measurement, not a test).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import select
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_poll  # a sibling script: the farm, the launcher that measures, the env

RATIO_TARGET = 1.30  # wall with probes / wall with --no-probes
START_TIMEOUT = 30.0


# --- the probe server (its own process) ------------------------------------------------------


async def _answer_probes(
    latency: float, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Answer every request on a keep-alive connection with 401, after `latency` seconds."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            await asyncio.sleep(latency)
            body = b"" if head.startswith(b"HEAD ") else b'{"error":"unauthorized"}'
            writer.write(
                b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
                b"WWW-Authenticate: Bearer\r\nContent-Length: 24\r\n\r\n" + body
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def serve_probes(ports: int, latency: float) -> None:
    """Listen on `ports` loopback ports, announce them on stdout, serve until stdin closes."""
    servers = [
        await asyncio.start_server(
            lambda r, w: _answer_probes(latency, r, w), "127.0.0.1", 0, backlog=2048
        )
        for _ in range(ports)
    ]
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await loop.connect_read_pipe(lambda: bench_poll.loopback_farm._EofProtocol(stop), sys.stdin)
    chosen = [s.sockets[0].getsockname()[1] for s in servers]
    sys.stdout.write(json.dumps({"ports": chosen}) + "\n")
    sys.stdout.flush()
    await stop.wait()
    for server in servers:
        server.close()


@contextmanager
def start_probe_server(ports: int, latency: float) -> Iterator[list[int]]:
    """Start the probe server process; yield its ports; stop it on exit."""
    argv = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--serve-probes",
        "--probe-ports",
        str(ports),
        "--latency",
        str(latency),
    ]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT)
        line = proc.stdout.readline() if ready else b""
        if not line:
            raise bench_poll.BenchError(f"the probe server did not start ({proc.poll()})")
        yield [int(p) for p in json.loads(line)["ports"]]
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


# --- inputs and checks -------------------------------------------------------------------------


def probe_urls(index: int, probes: int, ports: Sequence[int]) -> list[str]:
    """The probe URLs of the provider at `index`, spread over the probe server's ports."""
    return [
        f"http://127.0.0.1:{ports[(index * probes + n) % len(ports)]}/p{index}/probe{n}"
        for n in range(probes)
    ]


def write_config(
    path: Path,
    ids: Sequence[str],
    base_urls: Sequence[str],
    probes: Sequence[Sequence[str]],
    max_connections: int | None = None,
) -> None:
    """Write a config watching the farm's statuspage providers, each with its probes (and
    `[http] max_connections`, when given: the engine's in-flight cap, the default else)."""
    text = json.dumps  # a JSON string of ASCII is a TOML basic string
    lines = ["watch = [" + ", ".join(text(i) for i in ids) + "]", ""]
    if max_connections is not None:
        cap = max_connections
        lines += ["[http]", f"max_connections = {cap}", f"max_per_host = {cap}", ""]
    for pid, url, urls in zip(ids, base_urls, probes, strict=True):
        listed = ", ".join(f"{{url = {text(u)}}}" for u in urls)
        lines += [
            f"[providers.{pid}]",
            f"name = {text('Provider ' + pid.upper())}",
            'kind = "statuspage"',
            f"url = {text(url)}",
            f"probes = [{listed}]",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


def check_probes(stdout: bytes, probes: int, on: bool) -> list[str]:
    """What is wrong with the probes of a document (none: [])."""
    try:
        providers = json.loads(stdout)["providers"]
    except (ValueError, KeyError, TypeError):
        return ["no document"]
    problems = []
    for entry in providers:
        seen = entry.get("probes") or {}
        wanted = ("ok", probes, probes) if on else ("off", 0, 0)
        got = (seen.get("state"), seen.get("passed"), seen.get("total"))
        if got != wanted:
            problems.append(f"{entry.get('id')}: probes {got}, expected {wanted}")
        if entry.get("early_warning") is not None:
            problems.append(f"{entry.get('id')}: an early warning on healthy probes")
    return problems[:5]


# --- measuring -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One measured run."""

    mode: str  # "probes" or "no-probes"
    wall: float
    cpu: float
    maxrss_mib: float
    problems: tuple[str, ...] = ()


@dataclass
class Result:
    """Everything one invocation measured."""

    providers: int
    probes: int
    latency: float
    repeat: int
    command: list[str]
    max_connections: int | None = None
    runs: list[Run] = field(default_factory=list)

    def median(self, mode: str, what: str) -> float:
        """The median of `what` ("wall", "cpu", "maxrss_mib") over the runs of `mode`."""
        return statistics.median(getattr(r, what) for r in self.runs if r.mode == mode)

    @property
    def ratio(self) -> float:
        """Median wall with probes over median wall without."""
        return self.median("probes", "wall") / self.median("no-probes", "wall")

    @property
    def problems(self) -> list[str]:
        """Every check that failed, in every run."""
        return [f"{r.mode}: {p}" for r in self.runs for p in r.problems]

    def to_json(self) -> dict[str, Any]:
        """The numbers, for --json-out."""
        return {
            **{k: v for k, v in asdict(self).items() if k != "runs"},
            "runs": [asdict(r) for r in self.runs],
            "ratio": self.ratio,
            "target": RATIO_TARGET,
        }


def run_benchmark(
    providers: int,
    probes: int,
    latency: float,
    repeat: int,
    ports: int,
    probe_ports: int,
    max_connections: int | None = None,
) -> Result:
    """Start both servers and measure `repeat` rounds of the two commands, alternately."""
    base = bench_poll.statuswatch_command()  # [..., "--json"]
    result = Result(providers, probes, latency, repeat, base, max_connections)
    with (
        bench_poll.start_farm(providers, latency, ports) as farm,
        start_probe_server(probe_ports, latency) as probe_server_ports,
        tempfile.TemporaryDirectory(prefix="bench-probes-") as tmp,
    ):
        work = Path(tmp)
        ids = bench_poll.loopback_farm.provider_ids(providers)
        urls = [probe_urls(n, probes, probe_server_ports) for n in range(providers)]
        config = work / "config.toml"
        write_config(config, ids, farm.base_urls(), urls, max_connections)
        for round_ in range(repeat):
            # Alternate which goes first, so neither always runs on a warmer machine.
            modes = ["probes", "no-probes"] if round_ % 2 == 0 else ["no-probes", "probes"]
            for mode in modes:
                argv = [*base, "--no-probes"] if mode == "no-probes" else base
                fresh = work / f"run-{round_}-{mode}"
                env = bench_poll.clean_env(
                    {
                        "STATUSWATCH_CONFIG": str(config),
                        "STATUSWATCH_CACHE_DIR": str(fresh / "cache"),
                        "STATUSWATCH_STATE_DIR": str(fresh / "state"),
                        **bench_poll.import_path_env(),
                    }
                )
                fresh.mkdir()
                done = bench_poll.measure(argv, env, fresh)
                problems = [] if done.returncode == 0 else [f"exit {done.returncode}"]
                problems += bench_poll.validate_document(done.stdout, ids)
                problems += check_probes(done.stdout, probes, mode == "probes")
                result.runs.append(
                    Run(mode, done.wall, done.user + done.sys, done.maxrss_mib, tuple(problems))
                )
    return result


def format_table(result: Result) -> str:
    """The medians side by side, the ratio and whether it meets the target."""
    cap = "default" if result.max_connections is None else str(result.max_connections)
    rows = [
        f"{result.providers} providers x {result.probes} probes, latency {result.latency:g} s,"
        f" max_connections {cap}, {result.repeat} rounds (medians)",
        f"{'':12} {'wall s':>8} {'cpu s':>8} {'rss MiB':>8}",
    ]
    for mode in ("no-probes", "probes"):
        rows.append(
            f"{mode:12} {result.median(mode, 'wall'):8.3f} {result.median(mode, 'cpu'):8.3f}"
            f" {result.median(mode, 'maxrss_mib'):8.1f}"
        )
    verdict = "met" if result.ratio <= RATIO_TARGET else "MISSED"
    rows.append(
        f"wall ratio probes/no-probes: {result.ratio:.2f} (target <= {RATIO_TARGET}: {verdict})"
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with --serve-probes, be the probe server)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--providers", type=int, default=200)
    parser.add_argument("--probes", type=int, default=2, help="probes per provider")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per answer")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--ports", type=int, default=1, help="ports of the page farm")
    parser.add_argument("--probe-ports", type=int, default=50, help="ports of the probe server")
    parser.add_argument(
        "--max-connections",
        type=int,
        default=None,
        help="[http] max_connections (and max_per_host) for both runs (default: the engine's)",
    )
    parser.add_argument("--json-out", type=Path, help="also write the numbers to this file")
    parser.add_argument("--serve-probes", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_probes:
        asyncio.run(serve_probes(args.probe_ports, args.latency))
        return 0
    bench_poll.compile_bytecode()  # as an installed statuswatch has it
    try:
        result = run_benchmark(
            args.providers,
            args.probes,
            args.latency,
            args.repeat,
            args.ports,
            args.probe_ports,
            args.max_connections,
        )
    except bench_poll.BenchError as exc:
        print(f"bench_probes: {exc}", file=sys.stderr)
        return 1
    print(format_table(result))
    if args.json_out:
        args.json_out.write_text(json.dumps(result.to_json(), indent=2), encoding="utf-8")
    if result.problems:
        print("\n".join(["checks failed:", *result.problems[:20]]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
