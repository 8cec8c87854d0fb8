"""Concurrent writers lose nothing and never see "database is locked"; SIGKILL never corrupts.

Writers are real processes (tests/history_writer.py) recording into one file at once, each at
its own logical times, committing in whatever order the scheduler gives.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import history_writer
import reliability

from statuswatch.history.db import HistoryDB, to_ms
from statuswatch.history.query import past_incidents

WRITER = Path(__file__).with_name("history_writer.py")


def _start(
    path: Path, writer: int, writers: int, rounds: int, providers: int
) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.Popen(
        [
            sys.executable,
            str(WRITER),
            str(path),
            str(writer),
            str(writers),
            str(rounds),
            str(providers),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def expected_changes(minutes: list[int]) -> list[tuple[int, str]]:
    """The run-length sequence of the truth over the minutes observed, in time order."""
    out: list[tuple[int, str]] = []
    for minute in sorted(minutes):
        status = history_writer.truth(minute).value
        if not out or out[-1][1] != status:
            ms = to_ms(history_writer.T0 + timedelta(minutes=minute))
            assert ms is not None
            out.append((ms, status))
    return out


def test_concurrent_writers_lose_no_transition(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    writers, rounds, providers = 4, 40, 10
    procs = [_start(path, k, writers, rounds, providers) for k in range(writers)]
    outputs = [proc.communicate(timeout=120)[0] for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * writers, outputs
    assert not any("locked" in out for out in outputs)
    assert all(out.strip() == "ready" for out in outputs), outputs
    observed = [k + writers * i for k in range(writers) for i in range(rounds)]
    want = expected_changes(observed)
    with HistoryDB.open(path) as db:
        assert db.integrity() == "ok"
        for n in range(providers):
            for component in ("", "c0", "c19"):
                rows = db.conn.execute(
                    "SELECT at, status FROM status_changes WHERE provider = ? AND component = ? "
                    "ORDER BY at",
                    (f"p{n}", component),
                ).fetchall()
                assert [tuple(r) for r in rows] == want, (n, component)
            current = db.conn.execute(
                "SELECT status FROM current_status WHERE provider = ? AND component = ''",
                (f"p{n}",),
            ).fetchone()[0]
            assert current == want[-1][1]
        # Every incident block seen is there once, resolved but the last (still open at the end).
        incidents = past_incidents(db, providers=["p0"])
        blocks = {
            m // (3 * history_writer.PERIOD) for m in observed if history_writer.truth(m).is_problem
        }
        assert {i.id for i in incidents} == {f"inc-{b}" for b in blocks}
        assert sum(i.resolved_at is None for i in incidents) == int(
            history_writer.truth(max(observed)).is_problem
        )
    reliability.record("history", writers=writers, locked=0, lost=0)


def test_sigkill_at_random_points_never_corrupts(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    rng = random.Random(1418)
    kills = 12
    for round_ in range(kills):
        proc = _start(path, round_, kills, 0, 30)  # forever, until killed
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"  # the file is open: writes begin
        time.sleep(rng.uniform(0.0, 0.6))  # somewhere inside a transaction, or between two
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        with HistoryDB.open(path) as db:
            assert db.integrity() == "ok"
            # Every transaction is whole: the cached current status agrees with the changes.
            disagree = db.conn.execute(
                "SELECT count(*) FROM current_status c WHERE c.status != (SELECT s.status FROM "
                "status_changes s WHERE s.provider = c.provider AND s.component = c.component "
                "ORDER BY s.at DESC LIMIT 1)"
            ).fetchone()[0]
            assert disagree == 0
    with HistoryDB.open(path) as db:
        written = db.conn.execute("SELECT count(*) FROM status_changes").fetchone()[0]
    assert written > 0  # the kills landed while writing, not before the first commit
    reliability.record("history", kills=kills, corrupt=0)
