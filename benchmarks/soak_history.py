"""Soak: the live view, `serve` and a `notify` every few seconds writing one history together.

    python benchmarks/soak_history.py                    # 5 minutes, 20 providers
    python benchmarks/soak_history.py --seconds 600 --kill-rate 0.5 --json-out /tmp/soak.json

On 127.0.0.1, N Statuspage providers whose pages go round operational -> degraded (an incident
open) -> operational -> major outage (another incident) -> ..., each state lasting `--period`
seconds (15 by default), every provider on its own phase. For `--seconds`:

* `statuswatch serve --interval 10` polls them and records every poll;
* the live view (`statuswatch --interval 10`, the real TUI in a pseudo-terminal) does too;
* `statuswatch notify` runs every `--notify-every` seconds (3), and a share of those runs
  (`--kill-rate`, 0.3) is killed with SIGKILL at a random instant; after each kill
  `PRAGMA integrity_check` is run on the file while the others keep writing.

Then it checks, per provider, that the history holds every state the pages went through, in
order, each change recorded within one poll interval of when it happened (no lost and no
doubled transition), every incident once (resolved, but for any still open), and that no
process ever said "database is locked" (or anything at all about the history). Exits 1 on
any failure.
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from statuswatch.servethread import LocalHTTPServer

REPO = Path(__file__).resolve().parents[1]
CYCLE = ("operational", "degraded", "operational", "major_outage")
_INDICATOR = {"operational": "none", "degraded": "minor", "major_outage": "critical"}
_COMPONENT = {"operational": "operational", "degraded": "degraded_performance",
              "major_outage": "major_outage"}  # fmt: skip


@dataclass
class Truth:
    """What each provider's page says when: state k of provider p holds from its start."""

    start: float  # wall clock (epoch seconds) the run began
    period: float
    providers: int

    def offset(self, provider: int) -> float:
        return self.period * provider / self.providers  # every provider on its own phase

    def index(self, provider: int, when: float) -> int:
        return int((when - self.start + self.offset(provider)) // self.period)

    def state(self, provider: int, when: float) -> str:
        return CYCLE[self.index(provider, when) % len(CYCLE)]

    def began(self, provider: int, index: int) -> float:
        return self.start - self.offset(provider) + index * self.period


def iso(when: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(when)) + f".{int(when % 1 * 1000):03d}Z"


def summary(truth: Truth, provider: int, now: float) -> bytes:
    """The provider's summary.json at `now`."""
    index = truth.index(provider, now)
    state = CYCLE[index % len(CYCLE)]
    began = truth.began(provider, index)
    incidents = []
    if state != "operational":
        update = {"id": f"u-{provider}-{index}", "status": "investigating", "body": "looking",
                  "created_at": iso(began), "display_at": iso(began)}  # fmt: skip
        incidents.append(
            {
                "id": f"inc-{provider}-{index}",
                "name": f"Trouble {index}",
                "status": "investigating",
                "impact": "minor" if state == "degraded" else "critical",
                "created_at": iso(began),
                "started_at": iso(began),
                "updated_at": iso(began),
                "incident_updates": [update],
            }
        )
    document = {
        "page": {"id": f"p{provider}", "name": f"P{provider}", "url": "https://p.test",
                 "updated_at": iso(began)},
        "status": {"indicator": _INDICATOR[state], "description": state},
        "components": [{"id": "api", "name": "API", "status": _COMPONENT[state], "group": False}],
        "incidents": incidents,
        "scheduled_maintenances": [],
    }  # fmt: skip
    return json.dumps(document).encode()


def farm(truth: Truth) -> LocalHTTPServer:
    """The providers' pages on 127.0.0.1 (a port of its own), served in a thread."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            parts = self.path.strip("/").split("/")
            if len(parts) == 4 and parts[0].startswith("p") and parts[3] == "summary.json":
                body = summary(truth, int(parts[0][1:]), time.time())
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
            else:
                body = b'{"error": "not found"}'
                self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class Quiet(LocalHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a notify run killed mid-request resets its connection: expected

    server = Quiet(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@dataclass
class Outcome:
    """What the soak saw."""

    notify_runs: int = 0
    kills: int = 0
    integrity_failures: list[str] = field(default_factory=list)
    complaints: list[str] = field(default_factory=list)  # stderr lines about the history
    problems: list[str] = field(default_factory=list)  # lost, doubled or late transitions


def _complaints(text: str) -> list[str]:
    words = ("locked", "history", "database", "Traceback")
    return [line for line in text.splitlines() if any(w in line for w in words)]


def live_view(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int, list[bytes]]:
    """The real TUI in a pseudo-terminal; its output drained so it never blocks."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "statuswatch", "--interval", "10"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**env, "TERM": "xterm-256color", "COLUMNS": "160", "LINES": "45"},
        close_fds=True,
    )
    os.close(slave)
    screen: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            screen.append(chunk)
            del screen[:-50]

    threading.Thread(target=drain, daemon=True).start()
    return process, master, screen


def check_history(path: Path, truth: Truth, end: float, interval: float) -> list[str]:
    """Every state change from the first observation to `end` recorded once, in order, in
    time (within one poll `interval` of when it happened)."""
    problems: list[str] = []
    conn = sqlite3.connect(path)
    try:
        for provider in range(truth.providers):
            rows = conn.execute(
                "SELECT at, status FROM status_changes WHERE provider = ? AND component = '' "
                "ORDER BY at",
                (f"p{provider:02d}",),
            ).fetchall()
            if not rows:
                problems.append(f"p{provider:02d}: nothing recorded")
                continue
            first = truth.index(provider, rows[0][0] / 1000)
            last = truth.index(provider, end - interval - 1.0)  # the last state surely seen
            got = [status for _at, status in rows]
            want = [CYCLE[k % len(CYCLE)] for k in range(first, first + len(got))]
            # The cycle never repeats a state twice in a row: the recorded run-length
            # sequence must follow it exactly, from the state first seen to the last.
            if got != want or first + len(got) - 1 < last:
                problems.append(f"p{provider:02d}: states {got} (expected {want} to {last})")
                continue
            for k, (at, status) in zip(range(first + 1, first + len(got)), rows[1:], strict=True):
                lag = at / 1000 - truth.began(provider, k)
                if not -1.0 <= lag <= interval + 5.0:
                    problems.append(
                        f"p{provider:02d}: {status} recorded {lag:.1f} s after it began"
                    )
            incidents = conn.execute(
                "SELECT id, resolved_at FROM incidents WHERE provider = ?", (f"p{provider:02d}",)
            ).fetchall()
            expected = {
                f"inc-{provider}-{k}"
                for k in range(first, first + len(got))
                if CYCLE[k % len(CYCLE)] != "operational"
            }
            found = {row[0] for row in incidents}
            if not expected <= found:
                problems.append(f"p{provider:02d}: incidents {sorted(expected - found)} missing")
            still_open = [row[0] for row in incidents if row[1] is None]
            if len(still_open) > 1:
                problems.append(f"p{provider:02d}: {still_open} all still open")
    finally:
        conn.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    """Run the soak; print the outcome (and write --json-out); 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--providers", type=int, default=20)
    parser.add_argument("--period", type=float, default=15.0)
    parser.add_argument("--notify-every", type=float, default=3.0)
    parser.add_argument("--kill-rate", type=float, default=0.3)
    parser.add_argument("--no-tui", action="store_true", help="leave the live view out")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    outcome = Outcome()
    with tempfile.TemporaryDirectory(prefix="soak-history-") as tmp:
        root = Path(tmp)
        truth = Truth(time.time(), args.period, args.providers)
        pages = farm(truth)
        base = f"http://127.0.0.1:{pages.server_address[1]}"
        ids = [f"p{n:02d}" for n in range(args.providers)]
        lines = [f"watch = {json.dumps(ids)}"]
        for n, pid in enumerate(ids):
            lines += [f"[providers.{pid}]", 'kind = "statuspage"', f'url = "{base}/p{n}"']
        lines += ["[http]", "retries = 0", "[notify]", "lock_timeout = 30"]
        (root / "config.toml").write_text("\n".join(lines) + "\n")
        env = dict(
            os.environ,
            STATUSWATCH_CONFIG=str(root / "config.toml"),
            STATUSWATCH_STATE_DIR=str(root / "state"),
            STATUSWATCH_CACHE_DIR=str(root / "cache"),
            PYTHONPATH=str(REPO),
        )
        serve = subprocess.Popen(
            [sys.executable, "-m", "statuswatch", "serve", "--bind", "127.0.0.1:0",
             "--interval", "10"],
            env=env, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        tui = None if args.no_tui else live_view(env)
        history = root / "state" / "history.sqlite3"
        begin = time.time()
        deadline = begin + args.seconds
        while time.time() < deadline:
            run = subprocess.Popen(
                [sys.executable, "-m", "statuswatch", "notify"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            outcome.notify_runs += 1
            if rng.random() < args.kill_rate:
                time.sleep(rng.uniform(0.05, 1.5))  # interpreter start, poll, record, deliver
                run.send_signal(signal.SIGKILL)
                run.communicate(timeout=60)
                if run.returncode == -signal.SIGKILL:
                    outcome.kills += 1
                    if history.exists():
                        conn = sqlite3.connect(history, timeout=30)
                        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
                        conn.close()
                        if verdict != "ok":
                            outcome.integrity_failures.append(str(verdict))
            else:
                _, err = run.communicate(timeout=120)
                outcome.complaints += _complaints(err)
            time.sleep(max(0.0, args.notify_every - 0.5))
        end = time.time()
        if tui is not None:
            process, master, _screen = tui
            os.write(master, b"q")
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                outcome.complaints.append("the live view did not quit on q")
            os.close(master)
        serve.send_signal(signal.SIGTERM)
        _, err = serve.communicate(timeout=60)
        outcome.complaints += [line for line in _complaints(err) if "serving" not in line]
        pages.shutdown()
        conn = sqlite3.connect(history)
        final = conn.execute("PRAGMA integrity_check").fetchone()[0]
        conn.close()
        if final != "ok":
            outcome.integrity_failures.append(f"at the end: {final}")
        outcome.problems = check_history(history, truth, end, 10.0)
        size = history.stat().st_size
    ok = not (outcome.integrity_failures or outcome.complaints or outcome.problems)
    print(
        f"soak: {args.seconds:g} s, {args.providers} providers changing every {args.period:g} s; "
        f"serve + {'the live view + ' if tui else ''}{outcome.notify_runs} notify runs, "
        f"{outcome.kills} killed with SIGKILL; history {size / 2**20:.2f} MiB"
    )
    print(
        f"integrity_check failures: {len(outcome.integrity_failures)}; "
        f"complaints (locked, history, tracebacks): {len(outcome.complaints)}; "
        f"lost, doubled or late transitions: {len(outcome.problems)}"
    )
    for line in (outcome.integrity_failures + outcome.complaints + outcome.problems)[:20]:
        print(f"  {line}")
    if args.json_out is not None:
        document = {"seconds": args.seconds, "providers": args.providers, "ok": ok,
                    **outcome.__dict__}  # fmt: skip
        args.json_out.write_text(json.dumps(document, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
