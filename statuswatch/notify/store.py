"""The notifier's files in the state dir: state, outbox, lock; every write atomic, 0600."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from statuswatch.atomic import atomic_write
from statuswatch.notify.state import CorruptState, State, from_json, to_json

STATE_FILE = "notify-state.json"
OUTBOX_FILE = "notify-outbox.json"
LOCK_FILE = "notify.lock"
OUTBOX_VERSION = 1
# Delivered keys are remembered this long, so an event derived again is not sent again.
DELIVERED_MEMORY = timedelta(days=8)
_PRIVATE = 0o600  # events may name internal components; channel errors stay local


class LockTimeout(Exception):
    """Another run held the lock for longer than we were willing to wait."""


@dataclass
class Entry:
    """One event waiting for one channel."""

    event_id: str
    channel: str
    queued_at: datetime
    event: dict[str, Any]
    attempts: int = 0
    last_error: str | None = None

    @property
    def key(self) -> str:
        """What identifies a delivery: the event on the channel."""
        return f"{self.event_id}:{self.channel}"


@dataclass
class Outbox:
    """Events not yet accepted by their channel, and what was delivered recently."""

    pending: list[Entry] = field(default_factory=list)
    delivered: dict[str, datetime] = field(default_factory=dict)
    not_before: dict[str, datetime] = field(default_factory=dict)  # channel -> Retry-After end

    def add(self, entry: Entry) -> bool:
        """Queue `entry` unless it is queued or was delivered already; True if queued."""
        if entry.key in self.delivered or any(e.key == entry.key for e in self.pending):
            return False
        self.pending.append(entry)
        return True

    def prune(self, now: datetime) -> None:
        """Forget old delivered keys and finished Retry-After periods."""
        self.delivered = {k: t for k, t in self.delivered.items() if now - t <= DELIVERED_MEMORY}
        self.not_before = {c: t for c, t in self.not_before.items() if t > now}


class Store:
    """The files of the notifier in one directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.state_path = directory / STATE_FILE
        self.outbox_path = directory / OUTBOX_FILE
        self.lock_path = directory / LOCK_FILE

    def ensure(self) -> None:
        """Create the directory (private to the user) if it is missing."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    @contextlib.contextmanager
    def lock(self, timeout: float) -> Iterator[None]:
        """Hold the run lock; wait for it up to `timeout` seconds, then LockTimeout."""
        self.ensure()
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, _PRIVATE)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    # flock is released by the kernel when the process dies, even by SIGKILL.
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockTimeout(
                            f"another statuswatch notify is running (lock {self.lock_path})"
                        ) from None
                    time.sleep(0.05)
            self._clean_temp_files()
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def _clean_temp_files(self) -> None:
        """Remove temp files a killed run left behind (we hold the lock: none is in use)."""
        for name in (STATE_FILE, OUTBOX_FILE):
            for leftover in self.directory.glob(f".{name}.*.tmp"):
                with contextlib.suppress(OSError):
                    leftover.unlink()

    # -- state ------------------------------------------------------------------------------

    def load_state(self, now: datetime, set_aside: bool = True) -> tuple[State | None, str | None]:
        """The saved state (None if there is none or it is unreadable) and a warning."""
        try:
            data = self.state_path.read_bytes()
        except FileNotFoundError:
            return None, None
        try:
            return from_json(json.loads(data)), None
        except (ValueError, RecursionError) as exc:  # CorruptState and JSON errors
            reason = str(exc) if isinstance(exc, CorruptState) else "not valid JSON"
            if not set_aside:
                return None, f"the notifier state {self.state_path} could not be read ({reason})"
            aside = self._set_aside(self.state_path, now)
            return None, (
                f"the notifier state {self.state_path} could not be read ({reason}); "
                f"moved to {aside.name}; a new baseline is recorded and nothing old is sent"
            )

    def save_state(self, state: State, now: datetime) -> None:
        """Replace the state file atomically."""
        self.ensure()
        data = json.dumps(to_json(state, now), separators=(",", ":"))
        atomic_write(self.state_path, data, mode=_PRIVATE)

    # -- outbox -----------------------------------------------------------------------------

    def load_outbox(self, now: datetime, set_aside: bool = True) -> tuple[Outbox, str | None]:
        """The outbox (empty if there is none or it is unreadable) and a warning."""
        try:
            data = self.outbox_path.read_bytes()
        except FileNotFoundError:
            return Outbox(), None
        try:
            return _outbox_from_json(json.loads(data)), None
        except (ValueError, KeyError, TypeError, RecursionError):
            if not set_aside:
                return Outbox(), f"the notifier outbox {self.outbox_path} could not be read"
            aside = self._set_aside(self.outbox_path, now)
            return Outbox(), (
                f"the notifier outbox {self.outbox_path} could not be read; moved to "
                f"{aside.name}; events it held were not delivered"
            )

    def save_outbox(self, outbox: Outbox) -> None:
        """Replace the outbox file atomically."""
        self.ensure()
        atomic_write(self.outbox_path, json.dumps(outbox_to_json(outbox)), mode=_PRIVATE)

    def _set_aside(self, path: Path, now: datetime) -> Path:
        """Rename an unreadable file out of the way, keeping it for a person to look at."""
        aside = path.with_name(f"{path.name}.corrupt-{now.strftime('%Y%m%dT%H%M%S%fZ')}")
        os.replace(path, aside)
        return aside


def outbox_to_json(outbox: Outbox) -> dict[str, Any]:
    """The outbox as the JSON object its file holds (`_outbox_from_json` reads it back)."""
    return {
        "version": OUTBOX_VERSION,
        "pending": [
            {
                "event_id": e.event_id,
                "channel": e.channel,
                "queued_at": e.queued_at.isoformat(),
                "attempts": e.attempts,
                "last_error": e.last_error,
                "event": e.event,
            }
            for e in outbox.pending
        ],
        "delivered": {k: t.isoformat() for k, t in outbox.delivered.items()},
        "not_before": {c: t.isoformat() for c, t in outbox.not_before.items()},
    }


def _time(value: object) -> datetime:
    if not isinstance(value, str):
        raise TypeError("expected a time")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("time without a zone")
    return parsed


def _outbox_from_json(doc: Any) -> Outbox:
    if not isinstance(doc, dict) or doc.get("version") != OUTBOX_VERSION:
        raise ValueError("unknown outbox format")
    outbox = Outbox()
    for raw in doc["pending"]:
        event = raw["event"]
        if not isinstance(event, dict) or not isinstance(raw["event_id"], str):
            raise TypeError("bad entry")
        if not isinstance(raw["channel"], str) or not isinstance(raw["attempts"], int):
            raise TypeError("bad entry")
        error = raw.get("last_error")
        outbox.pending.append(
            Entry(
                event_id=raw["event_id"],
                channel=raw["channel"],
                queued_at=_time(raw["queued_at"]),
                event=event,
                attempts=raw["attempts"],
                last_error=error if isinstance(error, str) else None,
            )
        )
    outbox.delivered = {str(k): _time(t) for k, t in dict(doc["delivered"]).items()}
    outbox.not_before = {str(c): _time(t) for c, t in dict(doc["not_before"]).items()}
    return outbox
