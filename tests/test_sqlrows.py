"""Many rows in one statement (statuswatch.sqlrows), as the history's record writes them."""

from __future__ import annotations

import sqlite3

import pytest

from statuswatch.sqlrows import MAX_PARAMETERS, batches, insert_rows, rows_sql, select_in


@pytest.fixture
def conn() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (k TEXT PRIMARY KEY, a INTEGER, b TEXT)")
    return db


def test_rows_sql_places_every_row_between_head_and_tail() -> None:
    sql = rows_sql("INSERT INTO t (k, a) VALUES", 2, 3, " ON CONFLICT (k) DO NOTHING")
    assert sql == "INSERT INTO t (k, a) VALUES (?, ?), (?, ?), (?, ?) ON CONFLICT (k) DO NOTHING"


def test_batches_never_bind_more_parameters_than_sqlite_allows() -> None:
    rows = [(n, n, n, n) for n in range(1000)]
    cut = list(batches(rows, 4))
    assert all(len(batch) * 4 <= MAX_PARAMETERS for batch in cut)
    assert [row for batch in cut for row in batch] == rows
    assert len(cut) == 5  # 249 rows of 4 in each but the last


def test_insert_rows_writes_every_row_over_several_statements(conn: sqlite3.Connection) -> None:
    rows = [(f"k{n:04d}", n, "x" * (n % 7)) for n in range(1000)]  # 3 columns: 333 a statement
    assert insert_rows(conn, "INSERT INTO t (k, a, b) VALUES", rows) == 1000
    assert conn.execute("SELECT k, a, b FROM t ORDER BY k").fetchall() == rows


def test_insert_rows_keeps_the_order_of_rows_for_one_key(conn: sqlite3.Connection) -> None:
    # As one statement per row did: the last row for a key is what stays.
    rows = [("a", 1, "first"), ("b", 2, "b"), ("a", 3, "last")]
    insert_rows(conn, "INSERT OR REPLACE INTO t (k, a, b) VALUES", rows)
    assert conn.execute("SELECT k, a, b FROM t ORDER BY k").fetchall() == [
        ("a", 3, "last"),
        ("b", 2, "b"),
    ]
    tail = " ON CONFLICT (k) DO UPDATE SET b = excluded.b"
    insert_rows(conn, "INSERT INTO t (k, a, b) VALUES", [("a", 9, "upserted"), ("c", 4, "c")], tail)
    assert conn.execute("SELECT k, a, b FROM t ORDER BY k").fetchall() == [
        ("a", 3, "upserted"),
        ("b", 2, "b"),
        ("c", 4, "c"),
    ]


def test_insert_rows_of_nothing_runs_nothing(conn: sqlite3.Connection) -> None:
    assert insert_rows(conn, "INSERT INTO nowhere (k) VALUES", []) == 0


def test_select_in_reads_every_key_in_queries_sqlite_can_bind(conn: sqlite3.Connection) -> None:
    insert_rows(
        conn, "INSERT INTO t (k, a, b) VALUES", [(f"k{n:04d}", n, "x") for n in range(2500)]
    )
    queries: list[str] = []
    conn.set_trace_callback(queries.append)
    keys = [f"k{n:04d}" for n in range(0, 2500, 2)] + ["absent"]
    rows = select_in(conn, "SELECT k, a FROM t WHERE k IN ({}) AND a >= ?", keys, (100,))
    assert sorted(rows) == [(f"k{n:04d}", n) for n in range(100, 2500, 2)]
    assert len(queries) == 2  # 1,251 keys: 998 bound beside the one extra, then the rest
    small = select_in(conn, "SELECT k FROM t WHERE k IN ({})", keys[:10], size=4)
    assert sorted(small) == [(k,) for k in keys[:10]]
