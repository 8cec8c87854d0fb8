"""The event hub behind `/v1/events`: a bounded ring of SSE frames with increasing ids.

Every frame is encoded once and shared by all subscribers. Ids are integers that increase by
one per event; the first id of a run is the start time in microseconds, so ids keep increasing
across restarts and a `Last-Event-ID` from an earlier run is recognised as too old.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from typing import Any

from statuswatch.records import record

__all__ = ["DEFAULT_CAPACITY", "EventHub", "Frame", "comment", "frame"]

DEFAULT_CAPACITY = 1024


@record
class Frame:
    """One published event: its id, its kind and the bytes sent for it."""

    id: int
    kind: str
    data: bytes


def _data(payload: dict[str, Any]) -> str:
    # Compact JSON never holds a raw newline (json escapes them): one `data:` line per event.
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def frame(kind: str, payload: dict[str, Any], event_id: int | None = None) -> bytes:
    """Encode one SSE message; without `event_id` it does not move the client's Last-Event-ID."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {kind}\ndata: {_data(payload)}\n\n".encode()


def comment(text: str) -> bytes:
    """An SSE comment line (ignored by clients; keeps proxies and NATs from closing the stream)."""
    return f": {text}\n\n".encode()


class EventHub:
    """Publishes frames to every subscriber; keeps the last `capacity` for resumption."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY, first_id: int | None = None) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._frames: deque[Frame] = deque(maxlen=capacity)
        start = time.time_ns() // 1000 if first_id is None else first_id
        self._ids = itertools.count(start)
        self._next = start
        self._changed = asyncio.Event()
        self.snapshot_frame: bytes | None = None  # the latest `snapshot` notice
        self.snapshot_generation = 0  # bumped with each new snapshot notice
        self.published = 0

    @property
    def last_id(self) -> int:
        """The id of the newest event (one less than the first id before any event)."""
        return self._next - 1

    def publish(self, kind: str, payload: dict[str, Any]) -> Frame:
        """Add an event to the ring; subscribers see it after the next `notify`."""
        event_id = next(self._ids)
        self._next = event_id + 1
        published = Frame(event_id, kind, frame(kind, payload, event_id))
        self._frames.append(published)
        self.published += 1
        return published

    def set_snapshot(self, payload: dict[str, Any]) -> None:
        """Replace the snapshot notice sent after each poll's events (and to every new client)."""
        self.snapshot_frame = frame("snapshot", payload)
        self.snapshot_generation += 1

    def notify(self) -> None:
        """Wake every subscriber waiting in `waiter()`."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def waiter(self) -> asyncio.Event:
        """The event set at the next `notify`; take it before reading what is pending."""
        return self._changed

    def parse_id(self, value: str | None) -> int | None:
        """A Last-Event-ID as an int, or None when absent or not a number."""
        if value is None:
            return None
        value = value.strip()
        return int(value) if value.isascii() and value.isdigit() and len(value) < 30 else None

    def since(self, last: int) -> list[Frame] | None:
        """The frames after id `last`, or None when `last` is unknown or too old to resume."""
        newest = self._next - 1
        if last > newest:
            return None  # from another run whose clock was ahead, or made up
        if last == newest:
            return []
        oldest = self._frames[0].id if self._frames else self._next
        if last < oldest - 1:
            return None  # events between `last` and `oldest` were dropped from the ring
        # Ids in the ring are consecutive, so the position is arithmetic.
        return list(itertools.islice(self._frames, last - oldest + 1, None))
