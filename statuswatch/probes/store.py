"""The probe counts kept in the state directory: locked, written atomically, versioned.

The live view, a cron `notify` and `serve` may poll at once: each takes the lock only to
read, update and replace the file (milliseconds), so no count is lost, and the kernel frees
the lock of a process that dies, even by SIGKILL.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from statuswatch.atomic import atomic_write
from statuswatch.probes.warning import Closed, Memory, Verdict

__all__ = [
    "LOCK_FILE",
    "MIGRATIONS",
    "STATE_FILE",
    "VERSION",
    "Counts",
    "MemoryCounts",
    "ProbeMemory",
    "ProbeStore",
]

STATE_FILE = "probes.json"
LOCK_FILE = "probes.lock"
VERSION = 1
# Each older version's upgrade to the next: {1: upgrade_1_to_2, ...} once version 2 exists.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}
# A provider not polled for this long is forgotten; a URL that refused HEAD is tried again.
FORGET_AFTER = timedelta(days=30)
HEAD_MEMORY = timedelta(days=7)
LOCK_WAIT = 10.0
_PRIVATE = 0o600


@dataclass
class ProbeMemory:
    """The whole file: each provider's counts, and the URLs that refused HEAD (and when)."""

    providers: dict[str, Memory] = field(default_factory=dict)
    head_refused: dict[str, datetime] = field(default_factory=dict)

    def prune(self, now: datetime) -> None:
        """Forget providers not polled for long (a warning of theirs is long stale), and old
        HEAD refusals."""
        self.providers = {
            pid: m
            for pid, m in self.providers.items()
            if m.observed_at is None or now - m.observed_at <= FORGET_AFTER
        }
        self.head_refused = {u: t for u, t in self.head_refused.items() if now - t <= HEAD_MEMORY}


class Counts(Protocol):
    """Where the probe counts live between polls: the state dir, or this process alone."""

    warnings: list[str]

    def read(self) -> ProbeMemory:
        """The memory as it stands (read-only use)."""
        ...

    def update(self, now: datetime) -> contextlib.AbstractContextManager[ProbeMemory]:
        """The memory to change; kept once the block ends."""
        ...


class MemoryCounts:
    """Probe counts kept in this process only: the demo, which touches nothing of the user's,
    and a dry run, which starts from the saved counts and saves nothing."""

    def __init__(self, memory: ProbeMemory | None = None) -> None:
        self.memory = memory if memory is not None else ProbeMemory()
        self.warnings: list[str] = []

    def read(self) -> ProbeMemory:
        """The memory as it stands."""
        return self.memory

    @contextlib.contextmanager
    def update(self, now: datetime) -> Iterator[ProbeMemory]:
        """The memory to change in place."""
        yield self.memory
        self.memory.prune(now)


class ProbeStore:
    """The probe counts of one state directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / STATE_FILE
        self.lock_path = directory / LOCK_FILE
        self.warnings: list[str] = []  # problems met (an unreadable file set aside, ...)

    def read(self) -> ProbeMemory:
        """The saved memory without taking the lock (the file is replaced atomically)."""
        memory, _ = self._load(set_aside=False)
        return memory

    @contextlib.contextmanager
    def update(self, now: datetime) -> Iterator[ProbeMemory]:
        """Hold the lock while the caller changes the memory, then save it atomically.

        Without the lock (another run held it for over LOCK_WAIT seconds) or with a file from
        a newer statuswatch, the caller still gets the memory, but nothing is saved.
        """
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, _PRIVATE)
        try:
            locked = _lock(fd, LOCK_WAIT)
            if not locked:
                self.warnings.append(
                    f"the probe counts {self.path} stayed locked by another run: "
                    "this poll's counts are not kept"
                )
            if locked:
                _clean_temp_files(self.directory)
            memory, writable = self._load(set_aside=locked)
            yield memory
            if locked and writable:
                memory.prune(now)
                data = json.dumps(_to_json(memory), separators=(",", ":"), sort_keys=True)
                atomic_write(self.path, data, mode=_PRIVATE)
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def _load(self, *, set_aside: bool) -> tuple[ProbeMemory, bool]:
        """The memory in the file (empty when missing) and whether it may be replaced."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return ProbeMemory(), True
        except OSError as exc:
            self.warnings.append(f"cannot read the probe counts {self.path}: {exc.strerror}")
            return ProbeMemory(), False
        try:
            doc = json.loads(data)
            version = doc.get("version") if isinstance(doc, dict) else None
            if isinstance(version, int) and version > VERSION:
                self.warnings.append(
                    f"the probe counts {self.path} were written by a newer statuswatch "
                    f"(version {version}): left as they are, this run's counts are not kept"
                )
                return ProbeMemory(), False
            return _from_json(_migrate(doc)), True
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            if not set_aside:
                return ProbeMemory(), False
            aside = self.path.with_name(f"{self.path.name}.corrupt-{time.time_ns()}")
            with contextlib.suppress(OSError):
                os.replace(self.path, aside)
            self.warnings.append(
                f"the probe counts {self.path} could not be read; moved to {aside.name}; "
                "counting starts again"
            )
            return ProbeMemory(), True


def _lock(fd: int, wait: float) -> bool:
    """Take the exclusive lock on `fd`, waiting up to `wait` seconds; False if not taken."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)


def _clean_temp_files(directory: Path) -> None:
    """Remove temp files a killed run left behind (we hold the lock: none is in use)."""
    for leftover in directory.glob(f".{STATE_FILE}.*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def _migrate(doc: dict[str, Any]) -> dict[str, Any]:
    """Bring a document of an older version up to VERSION, one step at a time."""
    version = doc["version"]
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"unknown version {version!r}")
    while version < VERSION:
        doc = MIGRATIONS[version](doc)
        version += 1
        doc["version"] = version
    return doc


# --- JSON form ---------------------------------------------------------------------------------


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse_time(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("expected a time")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("a time without its zone")
    return parsed


def _required_time(value: object) -> datetime:
    parsed = _parse_time(value)
    if parsed is None:
        raise TypeError("expected a time")
    return parsed


def _to_json(memory: ProbeMemory) -> dict[str, Any]:
    return {
        "version": VERSION,
        "providers": {pid: _provider_json(m) for pid, m in memory.providers.items()},
        "head_refused": {url: _time(t) for url, t in memory.head_refused.items()},
    }


def _provider_json(m: Memory) -> dict[str, Any]:
    return {
        "observed_at": _time(m.observed_at),
        "verdict": m.verdict.value,
        "streak": m.streak,
        "since": _time(m.since),
        "warning": _time(m.warning),
        "last": None
        if m.last is None
        else {"opened_at": _time(m.last.opened_at), "closed_at": _time(m.last.closed_at)},
        "leads": {
            incident: {"lead_s": lead, "seen_at": _time(m.lead_seen.get(incident))}
            for incident, lead in m.leads.items()
        },
    }


def _from_json(doc: Mapping[str, Any]) -> ProbeMemory:
    providers = doc["providers"]
    refused = doc["head_refused"]
    if not isinstance(providers, dict) or not isinstance(refused, dict):
        raise TypeError("expected tables")
    return ProbeMemory(
        providers={str(pid): _provider(raw) for pid, raw in providers.items()},
        head_refused={str(url): _required_time(t) for url, t in refused.items()},
    )


def _provider(raw: Mapping[str, Any]) -> Memory:
    streak = raw["streak"]
    if not isinstance(streak, int) or isinstance(streak, bool) or streak < 0:
        raise TypeError("bad streak")
    last = raw["last"]
    closed = None
    if last is not None:
        closed = Closed(_required_time(last["opened_at"]), _required_time(last["closed_at"]))
    leads: dict[str, int] = {}
    seen: dict[str, datetime] = {}
    for incident, entry in dict(raw["leads"]).items():
        lead = entry["lead_s"]
        if not isinstance(lead, int) or isinstance(lead, bool):
            raise TypeError("bad lead")
        leads[str(incident)] = lead
        seen[str(incident)] = _required_time(entry["seen_at"])
    return Memory(
        observed_at=_parse_time(raw["observed_at"]),
        verdict=Verdict(raw["verdict"]),
        streak=streak,
        since=_parse_time(raw["since"]),
        warning=_parse_time(raw["warning"]),
        last=closed,
        leads=leads,
        lead_seen=seen,
    )
