"""Many rows in one SQL statement, for the history's record of a poll; rows selected for many
keys by `IN (...)` queries of as many as one statement binds.

A first poll of 200 pages writes 12,000 small rows (a status change, a current status and a
name per component); one statement of many rows each is cheaper than `executemany` (34 ms of
CPU for the whole record against 41), and its thread gives the GIL up once a statement, not
once a row, while an event loop parses pages.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["MAX_PARAMETERS", "batches", "insert_rows", "rows_sql", "select_in"]

# Parameters one statement may bind: SQLite's limit before 3.32 (since then 32,766).
MAX_PARAMETERS = 999


@functools.cache
def rows_sql(head: str, width: int, count: int, tail: str = "") -> str:
    """`head` (up to VALUES), `count` rows of `width` parameters, then `tail` (ON CONFLICT)."""
    row = "(" + ", ".join("?" * width) + ")"
    return f"{head} {', '.join([row] * count)}{tail}"


def batches(
    rows: Sequence[tuple[object, ...]], width: int
) -> Iterator[Sequence[tuple[object, ...]]]:
    """`rows` cut into runs that one statement can bind."""
    size = max(1, MAX_PARAMETERS // width)
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def insert_rows(
    conn: sqlite3.Connection, head: str, rows: Sequence[tuple[object, ...]], tail: str = ""
) -> int:
    """Run `head VALUES (...), (...) tail` for `rows` (all of one width) in as few
    statements as SQLite allows; return how many rows they changed."""
    if not rows:
        return 0
    width = len(rows[0])
    changed = 0
    for batch in batches(rows, width):
        sql = rows_sql(head, width, len(batch), tail)
        changed += conn.execute(sql, [value for row in batch for value in row]).rowcount
    return changed


def select_in(
    conn: sqlite3.Connection,
    sql: str,
    keys: Sequence[object],
    extra: tuple[object, ...] = (),
    size: int = MAX_PARAMETERS,
) -> list[tuple[Any, ...]]:
    """The rows `sql` selects for `keys`: its `IN ({})` given up to `size` of them a query (and
    fewer if `extra`, the parameters after them, would pass SQLite's limit)."""
    size = max(1, min(size, MAX_PARAMETERS - len(extra)))
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(keys), size):
        batch = keys[start : start + size]
        found += conn.execute(sql.format(", ".join("?" * len(batch))), (*batch, *extra))
    return found
