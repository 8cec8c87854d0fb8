"""The probe counts in the state dir: atomic, locked across processes, versioned."""

from __future__ import annotations

import json
import os
import random
import stat
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from statuswatch.probes import store as store_module
from statuswatch.probes.store import STATE_FILE, VERSION, ProbeMemory, ProbeStore
from statuswatch.probes.warning import Closed, Memory, Verdict

T0 = datetime(2025, 11, 18, 11, 20, tzinfo=UTC)


def _memory() -> Memory:
    return Memory(
        observed_at=T0,
        verdict=Verdict.FAILING,
        streak=3,
        since=T0 - timedelta(minutes=2),
        warning=T0 - timedelta(minutes=1),
        last=Closed(T0 - timedelta(hours=3), T0 - timedelta(hours=2)),
        leads={"inc-1": 1620},
        lead_seen={"inc-1": T0},
    )


def test_round_trip_private_and_atomic(tmp_path: Path) -> None:
    store = ProbeStore(tmp_path / "state")
    with store.update(T0) as memory:
        memory.providers["cloudflare"] = _memory()
        memory.head_refused["https://api.example/"] = T0
    again = ProbeStore(tmp_path / "state").read()
    assert again == ProbeMemory(
        providers={"cloudflare": _memory()}, head_refused={"https://api.example/": T0}
    )
    path = tmp_path / "state" / STATE_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_bytes())["version"] == VERSION
    assert not list(path.parent.glob(".*.tmp"))
    assert store.warnings == []


def test_missing_file_is_an_empty_memory(tmp_path: Path) -> None:
    assert ProbeStore(tmp_path / "nothing").read() == ProbeMemory()


def test_old_entries_are_forgotten(tmp_path: Path) -> None:
    store = ProbeStore(tmp_path)
    later = T0 + timedelta(days=40)
    with store.update(later) as memory:
        memory.providers["old"] = Memory(observed_at=T0, verdict=Verdict.PASSING, streak=1)
        memory.providers["warned"] = Memory(observed_at=T0, warning=T0)  # a stale warning too
        memory.providers["new"] = Memory(observed_at=later, verdict=Verdict.PASSING, streak=1)
        memory.head_refused["https://old.example/"] = T0
    assert set(store.read().providers) == {"new"}
    assert store.read().head_refused == {}


@pytest.mark.parametrize(
    "data", [b"", b"{", b"[]", b'{"version": 1}', b"[" * 100_000, b'{"version": "x"}']
)
def test_an_unreadable_file_is_set_aside_and_counting_restarts(tmp_path: Path, data: bytes) -> None:
    (tmp_path / STATE_FILE).write_bytes(data)
    store = ProbeStore(tmp_path)
    with store.update(T0) as memory:
        assert memory == ProbeMemory()
        memory.providers["x"] = Memory(observed_at=T0, verdict=Verdict.PASSING, streak=1)
    (warning,) = store.warnings
    assert "could not be read" in warning and "counting starts again" in warning
    (aside,) = tmp_path.glob(f"{STATE_FILE}.corrupt-*")
    assert aside.read_bytes() == data
    assert set(ProbeStore(tmp_path).read().providers) == {"x"}


def test_a_file_from_a_newer_version_is_left_alone(tmp_path: Path) -> None:
    newer = json.dumps({"version": VERSION + 1, "whatever": True}).encode()
    (tmp_path / STATE_FILE).write_bytes(newer)
    store = ProbeStore(tmp_path)
    with store.update(T0) as memory:
        memory.providers["x"] = Memory()
    assert (tmp_path / STATE_FILE).read_bytes() == newer
    assert "newer statuswatch" in store.warnings[0]


def test_an_older_version_is_migrated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Write a file as today's version, then pretend a version 2 exists with its upgrade.
    with ProbeStore(tmp_path).update(T0) as memory:
        memory.providers["x"] = _memory()
    upgraded: list[int] = []

    def upgrade(doc: dict[str, object]) -> dict[str, object]:
        upgraded.append(1)
        return {**doc, "head_refused": {"https://migrated.example/": T0.isoformat()}}

    monkeypatch.setattr(store_module, "VERSION", VERSION + 1)
    monkeypatch.setattr(store_module, "MIGRATIONS", {VERSION: upgrade})
    store = ProbeStore(tmp_path)
    with store.update(T0) as memory:
        assert memory.providers["x"] == _memory()
        assert "https://migrated.example/" in memory.head_refused
    assert upgraded == [1]
    saved = json.loads((tmp_path / STATE_FILE).read_bytes())
    assert saved["version"] == VERSION + 1


def test_a_lock_held_too_long_keeps_nothing_but_still_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "LOCK_WAIT", 0.2)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(tmp_path)], stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
        store = ProbeStore(tmp_path)
        with store.update(T0) as memory:
            memory.providers["x"] = Memory()
        assert "stayed locked" in store.warnings[0]
        assert not (tmp_path / STATE_FILE).exists()
    finally:
        holder.kill()
        holder.wait()


_HOLD_LOCK = textwrap.dedent(
    """
    import fcntl, os, sys, time
    fd = os.open(os.path.join(sys.argv[1], "probes.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    print("locked", flush=True)
    time.sleep(60)
    """
)

# Each process counts its own provider many times, as fast as it can, all at once: a lost
# update (a read-modify-write racing another) would show as a streak short of the count.
_COUNTER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime, timedelta
    from pathlib import Path
    from statuswatch.probes.store import ProbeStore
    from statuswatch.probes.warning import Memory, Verdict
    directory, name, times = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    for n in range(times):
        with ProbeStore(directory).update(t0) as memory:
            old = memory.providers.get(name, Memory())
            memory.providers[name] = Memory(
                observed_at=t0 + timedelta(seconds=n), verdict=Verdict.FAILING,
                streak=old.streak + 1, since=t0,
            )
        if n == 0:
            print("counting", flush=True)
    print("done", flush=True)
    """
)


def test_concurrent_runs_lose_no_count(tmp_path: Path) -> None:
    runs, times = 4, 30
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _COUNTER, str(tmp_path), f"p{n}", str(times)],
            stdout=subprocess.PIPE,
        )
        for n in range(runs)
    ]
    for child in children:
        out, _ = child.communicate(timeout=60)
        assert out == b"counting\ndone\n"
    memory = ProbeStore(tmp_path).read()
    assert {pid: m.streak for pid, m in memory.providers.items()} == {
        f"p{n}": times for n in range(runs)
    }


def test_a_kill_at_any_instant_leaves_a_readable_file_and_a_free_lock(tmp_path: Path) -> None:
    rng = random.Random()
    for attempt in range(12):
        child = subprocess.Popen(
            [sys.executable, "-c", _COUNTER, str(tmp_path), f"p{attempt}", "100000"],
            stdout=subprocess.PIPE,
        )
        assert child.stdout is not None and child.stdout.readline() == b"counting\n"
        time.sleep(rng.uniform(0, 0.2))
        child.kill()  # SIGKILL: no handler, no cleanup
        child.wait()
        store = ProbeStore(tmp_path)
        started = time.monotonic()
        with store.update(T0) as memory:  # the lock is free again at once
            assert f"p{attempt}" in memory.providers
        assert time.monotonic() - started < 1.0
        assert store.warnings == [], store.warnings
    assert not list(tmp_path.glob(".*.tmp"))  # leftovers of killed writes are cleaned up
    assert os.path.exists(tmp_path / STATE_FILE)
