"""SIGKILL at random instants: no event is ever lost, and only in-flight ones can repeat.

Each run is a real process doing real file and network I/O, forked from a warm interpreter
(the "zygote") so the kill points fall in the run itself rather than in Python's start-up.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from loopback import LoopbackServer
from notify_helpers import Receiver, incident, notify_env, summary, update, write_config

from statuswatch.notify.events import event_id
from statuswatch.notify.settings import EventKind

KILLS = 100
PROVIDERS = ("a", "b", "c")
CHANNELS = ("/one", "/two")
STAMPS = ("10:01", "10:11", "10:21")
PHASES = ("investigating", "identified", "monitoring")

# Forks one `statuswatch notify` per line read and prints its pid; reaps it (and prints its wait
# status) only at the next line, so until then its pid cannot be reused by another process.
ZYGOTE = """
import contextlib, io, os, sys
from statuswatch.cli import main
# Warm up: a dry run imports every lazy module and caches the catalog, and changes nothing.
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    main(["notify", "--dry-run"])
for _ in sys.stdin:
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os._exit(main(["notify"]))
    print(pid, flush=True)
    sys.stdin.readline()
    print(os.waitpid(pid, 0)[1], flush=True)
"""


class Zygote:
    """Starts runs and kills them."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        assert process.stdin is not None and process.stdout is not None
        self.stdin, self.stdout = process.stdin, process.stdout

    def start(self) -> int:
        self.stdin.write("go\n")
        self.stdin.flush()
        return int(self.stdout.readline())

    def finish(self) -> int:
        """The run's wait status once it has ended."""
        self.stdin.write("reap\n")
        self.stdin.flush()
        return int(self.stdout.readline())

    def run(self) -> int:
        """A whole run; its exit code."""
        self.start()
        return os.waitstatus_to_exitcode(self.finish())


def stage_page(cycle: int, stage: int, pid: str) -> dict[str, Any]:
    """Stage 0 opens incident `cycle`, 1 and 2 update it, 3 resolves it (the page drops it)."""
    if stage == 3:
        return summary()
    updates = [
        update(f"2026-11-27T{STAMPS[i]}:{cycle:02d}.000Z", PHASES[i], f"{pid} {cycle} step {i}")
        for i in range(stage + 1)
    ][::-1]
    name = f"Incident {cycle} on {pid}"
    return summary("major", [("API", "major_outage")],
                   [incident(f"inc-{cycle}", name, PHASES[stage], updates)])  # fmt: skip


def expected_ids(cycles: int) -> set[str]:
    """Every event the page sequence must produce, computed from the documented id scheme."""
    ids = set()
    for cycle in range(cycles):
        for pid in PROVIDERS:
            subject = f"inc-{cycle}"
            ids.add(event_id(pid, EventKind.INCIDENT_OPENED, subject, "0"))
            for i in (1, 2):
                key = f"2026-11-27T{STAMPS[i]}:{cycle:02d}Z|{PHASES[i]}"
                ids.add(event_id(pid, EventKind.INCIDENT_UPDATED, subject, key))
            ids.add(event_id(pid, EventKind.INCIDENT_RESOLVED, subject, "0"))
    return ids


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


@pytest.fixture
def zygote(tmp_path: Path) -> Iterator[tuple[Zygote, Receiver, LoopbackServer]]:
    with LoopbackServer() as srv, Receiver(latency=0.01) as rx:
        for pid in PROVIDERS:
            srv.route(f"/{pid}/api/v2/summary.json", summary())
        hooks = "".join(
            f'[[notify.channels]]\ntype = "webhook"\nname = "{path[1:]}"\nurl = "{rx.url(path)}"\n'
            for path in CHANNELS
        )
        config = write_config(tmp_path / "config.toml",
                              {pid: srv.url(f"/{pid}") for pid in PROVIDERS}, hooks)  # fmt: skip
        process = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE], env=notify_env(tmp_path, config),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            yield Zygote(process), rx, srv
        finally:
            process.kill()
            process.wait(timeout=10)


def test_runs_killed_at_random_instants_lose_no_event(
    tmp_path: Path, zygote: tuple[Zygote, Receiver, LoopbackServer]
) -> None:
    runs, rx, srv = zygote
    rng = random.Random(5)  # reproducible kill points
    state = tmp_path / "state"
    assert runs.run() == 0  # the baseline
    # Kill points are drawn in [0, span]; span adapts so that about one run in five ends
    # before its kill point, i.e. it tracks the length of a whole run on this machine.
    span = 0.1
    kills = in_delivery = after_queue = completed = 0
    cycle = 0
    while kills < KILLS:
        for stage in range(4):
            for pid in PROVIDERS:
                srv.route(f"/{pid}/api/v2/summary.json", stage_page(cycle, stage, pid))
            for _ in range(rng.randint(2, 6)):
                posts = len(rx.received)
                outbox = _read(state / "notify-outbox.json")
                pid = runs.start()
                time.sleep(rng.uniform(0.0, span))
                os.kill(pid, signal.SIGKILL)  # an ended run is a zombie until reaped: no-op
                status = runs.finish()
                if not os.WIFSIGNALED(status):
                    completed += 1
                    span *= 0.8
                    continue
                span *= 1.05
                kills += 1
                in_delivery += len(rx.received) > posts
                after_queue += _read(state / "notify-outbox.json") != outbox
            assert runs.run() == 0  # the page moves on only after a whole run
        cycle += 1
    received = [(r.path, r.json()["event"]["id"]) for r in rx.accepted()]
    expected = expected_ids(cycle)
    print(f"\n{kills} kills ({in_delivery} while delivering, {after_queue} after queueing), "
          f"{completed} runs ended before their kill point, {cycle} incident cycles, "
          f"{len(expected) * len(CHANNELS)} deliveries expected, {len(received)} made, "
          f"kill points within {span:.3f} s at the end")  # fmt: skip
    for path in CHANNELS:
        ids = [event for where, event in received if where == path]
        assert set(ids) == expected, path  # every event, and nothing else
    duplicates = len(received) - len(set(received))
    # A repeat needs a kill between the receiver's acceptance and the outbox rewrite: at most
    # one per kill that struck while delivering.
    assert duplicates <= in_delivery
    assert after_queue >= 3, "too few kills landed after the outbox was written"
    assert sorted(p.name for p in state.iterdir()) == [
        "history.sqlite3", "notify-outbox.json", "notify-state.json", "notify.lock"
    ]  # no temp file left behind (the history's WAL is folded in at the last close)  # fmt: skip
