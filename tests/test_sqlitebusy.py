"""retry_locked: what SQLite refuses at once as busy or locked is tried again, for a while."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from statuswatch.sqlitebusy import retry_locked


def test_a_locked_database_is_tried_again_until_it_frees(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")  # a writer holds the lock
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    attempts: list[float] = []

    def begin() -> None:
        attempts.append(time.monotonic())
        if len(attempts) == 3:
            holder.execute("COMMIT")  # the writer is done by the third try
        other.execute("BEGIN IMMEDIATE")

    retry_locked(begin, timeout=5.0)
    assert len(attempts) == 3  # refused twice while held, then taken
    assert other.in_transaction
    other.execute("COMMIT")


def test_another_error_is_not_retried() -> None:
    calls: list[int] = []

    def broken() -> None:
        calls.append(1)
        raise sqlite3.OperationalError("no such table: t")

    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        retry_locked(broken, timeout=5.0)
    assert calls == [1]


def test_a_lock_that_stays_is_given_up_after_the_timeout() -> None:
    calls: list[int] = []

    def locked() -> None:
        calls.append(1)
        raise sqlite3.OperationalError("database is locked")

    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        retry_locked(locked, timeout=0.05)
    assert 0.05 <= time.monotonic() - started < 2.0
    assert len(calls) >= 2
