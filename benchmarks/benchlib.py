"""What the benchmarks share: the loopback farm as a child process, and measuring a command.

Not a package: the scripts in benchmarks/ import it as a sibling (`import benchlib`).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import select
import statistics
import subprocess
import sys
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loopback_farm  # a sibling script, not an installed package

REPO = Path(__file__).resolve().parents[1]
FARM_START_TIMEOUT = 60.0
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
# Loopback only: no proxy may stand between the measured commands and the farm.
NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class BenchError(Exception):
    """The benchmark could not measure what it set out to (not a missed target)."""


# --- the farm --------------------------------------------------------------------------------


class FarmProcess:
    """A running `loopback_farm.py` child: its ports, its URLs and its counters."""

    def __init__(
        self, proc: subprocess.Popen[bytes], origins: list[tuple[str, int]], providers: int
    ) -> None:
        self.proc = proc
        self.origins = origins
        self.ports = [port for _, port in origins]
        self.ids = loopback_farm.provider_ids(providers)

    def base_url(self, index: int) -> str:
        """Return the page URL of provider number `index` (0-based), spread over the origins."""
        host, port = self.origins[index % len(self.origins)]
        return f"http://{host}:{port}/{self.ids[index]}"

    def base_urls(self) -> list[str]:
        """Return every provider's page URL, in provider order."""
        return [self.base_url(i) for i in range(len(self.ids))]

    def summary_urls(self) -> list[str]:
        """Return every provider's summary.json URL, the documents statuswatch fetches."""
        return [u + loopback_farm.SUMMARY_PATH for u in self.base_urls()]

    def stats(self, *, reset: bool = True) -> dict[str, int]:
        """Return the farm's counters since the last reset, and reset them."""
        host, port = self.origins[0]
        url = f"http://{host}:{port}/_stats" + ("?reset=1" if reset else "")
        with NO_PROXY_OPENER.open(url, timeout=10) as response:
            data: dict[str, int] = json.loads(response.read())
        return data


@contextmanager
def start_farm(providers: int, latency: float, origins: int) -> Iterator[FarmProcess]:
    """Start the farm, wait for its ports, and stop it on exit."""
    script = Path(__file__).resolve().parent / "loopback_farm.py"
    argv = [
        sys.executable,
        str(script),
        "--providers",
        str(providers),
        "--latency",
        str(latency),
        "--origins",
        str(origins),
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
        found = [(str(host), int(port)) for host, port in announce["origins"]]
        yield FarmProcess(proc, found, providers)
    finally:
        stop_child(proc)
        if proc.stdout is not None:
            proc.stdout.close()


def stop_child(proc: subprocess.Popen[bytes]) -> None:
    """Stop a child started with --exit-on-stdin-eof: close its stdin, then signal if need be."""
    if proc.stdin is not None:
        proc.stdin.close()  # it stops by itself; a signal after its loop closed only adds noise
    try:
        proc.wait(timeout=5)
        return
    except subprocess.TimeoutExpired:
        proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- the commands' environment ----------------------------------------------------------


# A fixed piece of pure-Python work: how long it takes says how fast the machine is at the
# moment. On the 2-core VM of issue 16, the same build's CPU for one poll moved by a third
# within an hour; a row is read against the speed it was taken at.
_LOOP = (
    "import time\nt = time.process_time()\ns = 0\nfor i in range(1_000_000):\n    s += i\n"
    "print(time.process_time() - t)"
)


def host_loop_ms(runs: int = 3) -> float:
    """CPU ms a fresh interpreter takes to count a million times (median of `runs`)."""
    times = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", _LOOP], capture_output=True, text=True, check=True
        )
        times.append(float(done.stdout) * 1000)
    return statistics.median(times)


# /proc/stat's first line: the machine's CPU time in ticks, by kind. Its eighth count, steal,
# is the time a virtual CPU was ready to run and the hypervisor ran someone else.
_PROC_STAT = Path("/proc/stat")


def cpu_ticks() -> list[int] | None:
    """The machine's CPU counters (user, nice, system, idle, iowait, irq, softirq, steal),
    or None where /proc/stat does not give them all (not Linux)."""
    try:
        fields = _PROC_STAT.read_text(encoding="ascii").split("\n", 1)[0].split()
    except OSError:
        return None
    if len(fields) < 9 or fields[0] != "cpu":
        return None
    return [int(value) for value in fields[1:9]]


def steal_share(before: list[int] | None, after: list[int] | None) -> float | None:
    """Of the CPU time used or stolen between two `cpu_ticks` readings, the share the
    hypervisor took (steal); None without both readings or with nothing busy between them."""
    if before is None or after is None:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        b - a for a, b in zip(before, after, strict=True)
    )
    busy = user + nice + system + irq + softirq + steal
    return steal / busy if busy > 0 else None


def compile_bytecode(*checkouts: Path) -> None:
    """Compile the statuswatch package of each checkout (default: this one) to bytecode.

    An installed wheel has its bytecode compiled by pip; a checkout has it once Python has
    written it, which Python never does where PYTHONDONTWRITEBYTECODE is set (some sandboxes
    and containers set it): every measured run would then compile every module again,
    ~80 ms of CPU, a third of a 200-page run's start-up. Compiled once here (compileall
    writes it whatever that variable says), each run measures what an installed statuswatch
    does. A no-op for what is compiled already.
    """
    import compileall

    for checkout in checkouts or (REPO,):
        compileall.compile_dir(str(checkout / "statuswatch"), quiet=1)


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


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    """Return this environment without proxies (loopback only), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.update(extra)
    return env


# --- measuring a command ----------------------------------------------------------------


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


def measure(
    argv: Sequence[str], env: dict[str, str], workdir: Path, *, cwd: Path | None = None
) -> Measured:
    """Run `argv` once (in `cwd`, if given); return its exit code, wall, CPU and peak RSS
    from its own rusage."""
    out_path, err_path, report = workdir / "stdout", workdir / "stderr", workdir / "rusage"
    report.unlink(missing_ok=True)
    launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(report), *argv]
    # Files, not pipes: a large JSON document must never block the child on a full pipe.
    with out_path.open("wb") as out, err_path.open("wb") as err:
        done = subprocess.run(
            launcher,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            cwd=cwd,
            check=False,
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


# --- runs taken in pairs ----------------------------------------------------------------


def paired(
    runs: dict[str, list[dict[str, float]]], top: str, bottom: str, measures: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """For each measure: both sides' medians and the pairs' ratios (`top` / `bottom`), their
    median and interquartile range; `runs[top][n]` and `runs[bottom][n]` are pair n."""
    summary: dict[str, dict[str, Any]] = {}
    for key in measures:
        pairs = zip(runs[top], runs[bottom], strict=True)
        ratios = sorted(a[key] / b[key] for a, b in pairs)
        low, high = (ratios[0], ratios[0])
        if len(ratios) > 1:
            low, _, high = statistics.quantiles(ratios, n=4)
        summary[key] = {
            f"{top}_median": statistics.median(r[key] for r in runs[top]),
            f"{bottom}_median": statistics.median(r[key] for r in runs[bottom]),
            "ratio_median": statistics.median(ratios),
            "ratio_iqr": (low, high),
        }
    return summary


def paired_lines(
    result: dict[str, Any], top: str, bottom: str, measures: Sequence[str]
) -> list[str]:
    """A line a measure of `paired`'s summary (kept in `result` under each measure)."""
    lines = []
    for key in measures:
        got = result[key]
        q1, q3 = got["ratio_iqr"]
        lines.append(
            f"  {key:4} {top} {got[f'{top}_median']:.3f} s, {bottom} "
            f"{got[f'{bottom}_median']:.3f} s; {top} / {bottom}: {got['ratio_median']:.3f}"
            f" (pairs' IQR {q1:.3f}-{q3:.3f})"
        )
    return lines
