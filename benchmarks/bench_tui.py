"""The TUI under load: key latency while a refresh of N providers runs, and resident memory.

    .venv/bin/python benchmarks/bench_tui.py                   # 200 providers, 0.2 s, 5 refreshes
    .venv/bin/python benchmarks/bench_tui.py --providers 1000 --json-out /tmp/tui.json

It starts `loopback_farm.py` (a separate process: 127.0.0.1 only, every provider a ~10 KB
Statuspage summary with one incident and one maintenance, so every list has N rows), runs the
real app (`build_app` with the real engine) headless at 160x45 in this process, and refreshes
it R times: the first refresh is cold (200s), the others warm (304s, the cache answers).

During each refresh a "typist" thread presses j and k every 20 ms the way the terminal driver
does (a Key event posted to the app from another thread). Measured:

* key latency: from the Key event being posted to the cursor action running (the table moved);
* loop lag: the worst delay of a 10 ms heartbeat timer on the UI loop (what any key would wait);
* resident memory (VmRSS, and the peak VmHWM) of this process after the refreshes.

Targets (issue 4): no key waits more than 100 ms, RSS under 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from bench_poll import start_farm  # noqa: E402  (benchmarks/ is a folder of scripts)
from benchlib import compile_bytecode  # noqa: E402

from statuswatch.model import ProviderSpec  # noqa: E402
from statuswatch.settings import HttpSettings  # noqa: E402

KEY_EVERY = 0.02  # seconds between two key presses of the typist
HEARTBEAT = 0.01  # seconds between two beats of the loop-lag timer
LATENCY_TARGET_MS = 100.0
RSS_TARGET_MB = 150.0


@dataclass
class Refresh:
    """One measured refresh."""

    kind: str  # "cold" (every body sent) or "warm" (304s)
    seconds: float
    reports: int
    keys: int
    key_ms_max: float
    key_ms_p50: float
    key_ms_p99: float
    loop_lag_ms_max: float


@dataclass
class Result:
    """The whole run."""

    providers: int
    latency: float
    refreshes: list[Refresh] = field(default_factory=list)
    rss_mb: float = 0.0
    peak_rss_mb: float = 0.0
    rows: int = 0  # provider rows in the table at the end: every provider must be there

    def targets(self) -> dict[str, bool]:
        """Whether each target of the issue is met."""
        worst = max((r.key_ms_max for r in self.refreshes), default=0.0)
        return {
            f"all {self.providers} providers listed": self.rows == self.providers,
            f"key latency <= {LATENCY_TARGET_MS:g} ms": worst <= LATENCY_TARGET_MS,
            f"peak RSS < {RSS_TARGET_MB:g} MB": self.peak_rss_mb < RSS_TARGET_MB,
        }

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON-ready dict."""
        return {
            "providers": self.providers,
            "latency": self.latency,
            "refreshes": [asdict(r) for r in self.refreshes],
            "rss_mb": self.rss_mb,
            "peak_rss_mb": self.peak_rss_mb,
            "rows": self.rows,
            "targets": self.targets(),
        }


def memory_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB."""
    try:
        fields = dict(
            line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines()
        )
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    except (OSError, KeyError, ValueError):  # not Linux: only the peak is known
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return peak, peak


class Typist:
    """Presses j and k from another thread while `active`, one key at a time, and times each.

    Like a person, it waits for a key to take effect before the next one (at most 2 s), so
    each latency belongs to one press. `pause` and `finish` wait (without blocking the app's
    loop) until no press is in flight: a key posted after the measure, or after the app has
    closed its screens (a slow machine let the thread run late), would land on no screen.
    """

    def __init__(self, app: Any) -> None:
        from textual import events

        self.app = app
        self.events = events
        self.latencies: list[float] = []
        self.handled = threading.Event()
        self.active = threading.Event()
        self.stop = threading.Event()
        self.pressing = threading.Event()  # set from the decision to press until it is timed
        self.thread = threading.Thread(target=self._run, name="typist", daemon=True)

    def _run(self) -> None:
        down = True
        while not self.stop.is_set():
            self.pressing.set()
            # Checked once `pressing` is set: `pause` clears `active`, then waits for this.
            if self.active.is_set() and not self.stop.is_set():
                self.handled.clear()
                sent = time.perf_counter()
                self.app.post_message(self.events.Key("j" if down else "k", None))
                if self.handled.wait(2.0):
                    self.latencies.append((time.perf_counter() - sent) * 1000)
                else:
                    self.latencies.append(2000.0)
                down = not down
            self.pressing.clear()
            time.sleep(KEY_EVERY)

    async def pause(self) -> None:
        """Stop pressing; return once no press is in flight (the app's loop keeps running)."""
        self.active.clear()
        while self.pressing.is_set():
            await asyncio.sleep(0.005)

    async def finish(self) -> None:
        """Stop the thread and wait for it: no key reaches the app after this."""
        self.stop.set()
        await self.pause()
        while self.thread.is_alive():
            await asyncio.sleep(0.005)

    def take(self) -> list[float]:
        """Latencies in ms of the presses so far (and forget them)."""
        taken, self.latencies = self.latencies, []
        return taken


async def measure(providers: int, latency: float, refreshes: int) -> Result:
    """Run the app against the farm and measure `refreshes` refreshes."""
    from statuswatch.source import engine_poller
    from statuswatch.tui.app import build_app
    from statuswatch.tui.widgets import ListTable

    result = Result(providers, latency)
    with start_farm(providers, latency, 1) as farm, tempfile.TemporaryDirectory() as tmp:
        specs = [
            ProviderSpec(pid, f"Provider {pid.upper()}", "statuspage", url)
            for pid, url in zip(farm.ids, farm.base_urls(), strict=True)
        ]
        # As the command line builds it (tune_gc: see StatusApp._poll_finished).
        app = build_app(
            specs,
            interval=3600,
            settings=HttpSettings(),
            cache_dir=Path(tmp) / "cache",
            tune_gc=True,
        )
        typist = Typist(app)
        for name in ("action_cursor_down", "action_cursor_up"):
            original = getattr(ListTable, name)

            def timed(self: ListTable, _original: Any = original) -> None:
                _original(self)
                typist.handled.set()

            setattr(ListTable, name, timed)
        lags: list[float] = []
        last = [time.perf_counter()]

        def beat() -> None:
            now = time.perf_counter()
            lags.append((now - last[0] - HEARTBEAT) * 1000)
            last[0] = now

        async with app.run_test(size=(160, 45), headless=True) as pilot:
            await app.workers.wait_for_complete()  # the refresh started at mount: unmeasured
            await pilot.pause(0.5)
            app.set_interval(HEARTBEAT, beat)
            typist.thread.start()
            try:
                for index in range(refreshes):
                    kind = "cold" if index == 0 else "warm"
                    # The mount refresh filled "cache": the measured ones use their own, so the
                    # first is cold (every body sent) and the others warm (304s).
                    app.poller = engine_poller(specs, HttpSettings(), Path(tmp) / "measured")
                    await pilot.pause(0.3)
                    lags.clear()
                    last[0] = time.perf_counter()
                    typist.active.set()
                    started = time.perf_counter()
                    app.start_poll()
                    while app.polling:
                        await asyncio.sleep(0.005)
                    await pilot.pause(0.2)  # the last redraw
                    seconds = time.perf_counter() - started
                    await typist.pause()
                    keys = typist.take()
                    ordered = sorted(keys) or [0.0]
                    result.refreshes.append(
                        Refresh(
                            kind=kind,
                            seconds=round(seconds, 3),
                            reports=len(app.board.reports),
                            keys=len(keys),
                            key_ms_max=round(ordered[-1], 1),
                            key_ms_p50=round(statistics.median(ordered), 1),
                            key_ms_p99=round(ordered[int(0.99 * (len(ordered) - 1))], 1),
                            loop_lag_ms_max=round(max(lags, default=0.0), 1),
                        )
                    )
            finally:
                await typist.finish()  # before run_test closes the app's screens
            result.rows = app.query_one("#providers", ListTable).row_count
            result.rss_mb, result.peak_rss_mb = (round(v, 1) for v in memory_mb())
    return result


def format_table(result: Result) -> str:
    """The result for people."""
    lines = [
        f"TUI benchmark: {result.providers} providers on 127.0.0.1, {result.latency:g} s each",
        "",
        "refresh  seconds  reports  keys  key ms max  p50   p99   loop lag ms max",
    ]
    for r in result.refreshes:
        lines.append(
            f"{r.kind:<7}  {r.seconds:>7.2f}  {r.reports:>7}  {r.keys:>4}  {r.key_ms_max:>10.1f}"
            f"  {r.key_ms_p50:>4.1f}  {r.key_ms_p99:>4.1f}  {r.loop_lag_ms_max:>15.1f}"
        )
    lines += ["", f"RSS {result.rss_mb:.1f} MB, peak {result.peak_rss_mb:.1f} MB", ""]
    lines += [f"{'ok  ' if met else 'MISS'} {target}" for target, met in result.targets().items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; exit 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--providers", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--refreshes", type=int, default=5)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    compile_bytecode()  # what the live view imports as it starts, as installed
    result = asyncio.run(measure(args.providers, args.latency, max(1, args.refreshes)))
    sys.stdout.write(format_table(result))
    if args.json_out:
        args.json_out.write_text(json.dumps(result.to_json(), indent=2) + "\n")
    return 0 if all(result.targets().values()) else 1


if __name__ == "__main__":
    sys.exit(main())
