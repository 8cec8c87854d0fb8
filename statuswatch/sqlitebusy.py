"""Retrying what SQLite refuses at once as busy or locked: for the cache's and the history's
databases alike."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

__all__ = ["retry_locked"]


def retry_locked(action: Callable[[], object], timeout: float) -> None:
    """Run `action`, retrying for up to `timeout` seconds while SQLite says the database is
    locked or busy.

    The busy timeout already waits inside SQLite; this covers the few places where SQLite
    answers SQLITE_BUSY at once (changing the journal mode, a WAL recovery in progress).
    """
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        try:
            action()
            return
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if ("locked" not in text and "busy" not in text) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.1)
