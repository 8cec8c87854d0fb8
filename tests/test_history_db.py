"""The history database file: created private, WAL, versioned, migrated, pruned, recovered."""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from statuswatch.history import db as dbmod
from statuswatch.history.db import SCHEMA_VERSION, HistoryDB, HistoryError, default_path, to_ms
from statuswatch.history.query import past_incidents
from statuswatch.history.record import record_snapshot
from statuswatch.model import (
    Impact,
    Incident,
    Page,
    Phase,
    ProviderReport,
    ProviderSpec,
    Snapshot,
    Status,
)

SPEC = ProviderSpec(id="ex", name="Example", kind="statuspage", url="https://status.example.test")
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_created_in_the_state_directory_private_and_in_wal_mode(private_paths: Path) -> None:
    path = default_path()
    assert path == private_paths / "state" / "history.sqlite3"
    with HistoryDB.open() as db:
        assert db.version() == SCHEMA_VERSION
        assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        # A first record of 1,000 pages (~6 MB) fits its page cache: 8 MiB, not SQLite's 2.
        assert db.conn.execute("PRAGMA cache_size").fetchone()[0] == -8192
        record_snapshot(db, Snapshot(NOW, (ProviderReport(SPEC, Page(Status.OPERATIONAL), NOW),)))
        for name in ("history.sqlite3", "history.sqlite3-wal", "history.sqlite3-shm"):
            mode = stat.S_IMODE((path.parent / name).stat().st_mode)
            assert mode == 0o600, (name, oct(mode))
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_newer_schema_is_refused_not_damaged(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    HistoryDB.open(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(HistoryError, match=r"newer than the .* this statuswatch knows"):
        HistoryDB.open(path)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    raw.close()


def test_migrations_run_once_from_any_older_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "history.sqlite3"
    HistoryDB.open(path).close()
    # A version 2 that adds a column: opening the version 1 file migrates it, once.
    extra = ("ALTER TABLE incidents ADD COLUMN note TEXT",)
    monkeypatch.setattr(dbmod, "MIGRATIONS", (*dbmod.MIGRATIONS, extra))
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with HistoryDB.open(path) as db:
        assert db.version() == SCHEMA_VERSION + 1
        columns = [row[1] for row in db.conn.execute("PRAGMA table_info(incidents)")]
        assert "note" in columns
    with HistoryDB.open(path) as db:  # already there: nothing runs twice
        assert db.version() == SCHEMA_VERSION + 1


def test_a_file_that_is_not_a_database_is_set_aside_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not SQLite" * 300)
    warnings: list[str] = []
    with HistoryDB.open(path, warn=warnings.append) as db:
        assert db.version() == SCHEMA_VERSION
    [warning] = warnings
    assert "could not be read" in warning and "a new one is started" in warning
    [aside] = tmp_path.glob("history.sqlite3.corrupt-*")
    assert aside.read_bytes().startswith(b"this is not SQLite")


def test_an_unusable_directory_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(HistoryError, match="history database"):
        HistoryDB.open(blocker / "history.sqlite3")


def _incident(ident: str, start: datetime, end: datetime | None) -> Incident:
    return Incident(
        id=ident,
        title=ident,
        impact=Impact.MINOR,
        phase=Phase.RESOLVED if end else Phase.INVESTIGATING,
        started_at=start,
        resolved_at=end,
    )


def test_retention_forgets_what_ended_before_it_keeps_what_is_open(tmp_path: Path) -> None:
    with HistoryDB.open(tmp_path / "h.sqlite3") as db:
        old = NOW - timedelta(days=500)
        page = Page(
            Status.DEGRADED,
            incidents=(
                _incident("ancient", old, old + timedelta(hours=1)),
                _incident("open-for-ages", old, None),
                _incident("recent", NOW - timedelta(days=3), NOW - timedelta(days=2)),
            ),
        )
        record_snapshot(db, Snapshot(old, (ProviderReport(SPEC, Page(Status.OPERATIONAL), old),)))
        record_snapshot(db, Snapshot(NOW, (ProviderReport(SPEC, page, NOW),)))
        assert db.prune(NOW, 400)
        assert {i.id for i in past_incidents(db)} == {"open-for-ages", "recent"}
        # The status before the cutoff is kept: it says what held when the window opens.
        changes = db.conn.execute("SELECT at FROM status_changes WHERE component = ''").fetchall()
        assert [row[0] for row in changes] == [to_ms(old), to_ms(NOW)]
        assert not db.prune(NOW + timedelta(hours=1), 400)  # once a day
        assert db.prune(NOW + timedelta(hours=1), 400, force=True)
        assert db.integrity() == "ok"
