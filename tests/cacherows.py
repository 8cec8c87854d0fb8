"""Reach the cache database's rows from tests, through a connection of the test's own."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from statuswatch.cachedb import DB_FILE


def database(directory: Path) -> Path:
    """The cache database of a cache directory."""
    return directory / DB_FILE


def row(directory: Path, url: str) -> dict[str, object] | None:
    """The row kept for `url` in the cache of `directory`, every column by name (with its
    confirmation's `confirmed_at`)."""
    conn = sqlite3.connect(database(directory))
    try:
        conn.row_factory = sqlite3.Row
        found = conn.execute(
            "SELECT e.*, c.confirmed_at FROM entries AS e LEFT JOIN confirmations AS c"
            " ON c.url = e.url WHERE e.url = ?",
            (url,),
        ).fetchone()
    finally:
        conn.close()
    return dict(found) if found is not None else None


def tamper(directory: Path, sql: str, *params: object) -> None:
    """Change the cache behind its back, as another program or a bad disk might."""
    conn = sqlite3.connect(database(directory))
    try:
        with conn:
            conn.execute(sql, params)
    finally:
        conn.close()
