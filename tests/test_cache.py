"""The body cache: one row per URL in one database, round trips, and damaged rows or files
read as absent."""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
import threading
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cacherows
import pytest

from statuswatch.cache import Cache, CacheEntry, KeptPage, Validators
from statuswatch.cachedb import DB_FILE, SCHEMA_VERSION, CacheDB
from statuswatch.model import Page, Status

URL = "https://status.example.com/api/v2/summary.json"
WHEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WHEN_MODIFIED = "Sun, 01 Mar 2026 11:00:00 GMT"


def _entry(body: bytes = b'{"a": 1}\n{"b": 2}', **kwargs: object) -> CacheEntry:
    fields: dict[str, object] = {
        "url": URL,
        "body": body,
        "fetched_at": WHEN,
        "etag": '"abc"',
        "last_modified": "Sun, 01 Mar 2026 11:00:00 GMT",
        "headers": {"Content-Type": "application/json", "Set-Cookie": "x=1"},
    }
    fields.update(kwargs)
    return CacheEntry(**fields)  # type: ignore[arg-type]


def _row(cache: Cache, url: str = URL) -> dict[str, object] | None:
    return cacherows.row(cache.directory, url)


def _tamper(cache: Cache, sql: str, *params: object) -> None:
    cacherows.tamper(cache.directory, sql, *params)


def test_round_trip_keeps_body_time_validators_and_known_headers(tmp_path: Path) -> None:
    with Cache(tmp_path / "cache") as cache:
        assert cache.store(_entry())
        loaded = cache.load(URL)
    assert loaded == CacheEntry(
        url=URL,
        body=b'{"a": 1}\n{"b": 2}',
        fetched_at=WHEN,
        etag='"abc"',
        last_modified="Sun, 01 Mar 2026 11:00:00 GMT",
        headers={"content-type": "application/json"},
    )


def test_one_row_per_url_in_one_database_file(tmp_path: Path) -> None:
    with Cache(tmp_path) as cache:
        cache.store(_entry())
        cache.store(_entry(url=URL + "?other"))
        cache.store(_entry(body=b"again"))  # replaces the first URL's row
    # Closed, SQLite folds its write-ahead log back in: one file is left.
    assert [p.name for p in tmp_path.iterdir()] == [DB_FILE]
    with sqlite3.connect(cache.database) as conn:
        rows = conn.execute("SELECT url, body FROM entries ORDER BY url").fetchall()
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert rows == [(URL, b"again"), (URL + "?other", _entry().body)]


def test_missing_entry_is_none_and_reading_creates_nothing(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "absent")
    assert (cache.load(URL), cache.validators(URL)) == (None, None)
    cache.discard(URL)
    cache.close()
    assert not (tmp_path / "absent").exists()


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        pytest.param("UPDATE entries SET body = substr(body, 1, 3)", (), id="truncated-body"),
        pytest.param("UPDATE entries SET body = body || x'00'", (), id="longer-body"),
        pytest.param("UPDATE entries SET body = 'text'", (), id="body-not-blob"),
        pytest.param("UPDATE entries SET size = 'seventeen'", (), id="size-not-integer"),
        pytest.param("UPDATE entries SET headers = '{not json'", (), id="bad-json"),
        pytest.param("UPDATE entries SET headers = '[1, 2]'", (), id="headers-not-object"),
        pytest.param("UPDATE entries SET fetched_at = 'yesterday'", (), id="bad-time"),
        pytest.param(
            "UPDATE entries SET fetched_at = replace(fetched_at, '+00:00', '')", (), id="naive"
        ),
        pytest.param("UPDATE entries SET fetched_at = 12", (), id="time-not-text"),
    ],
)
def test_a_damaged_row_reads_as_absent_and_is_replaced(
    tmp_path: Path, sql: str, params: tuple[object, ...]
) -> None:
    cache = Cache(tmp_path)
    cache.store(_entry())
    _tamper(cache, sql, *params)
    assert cache.load(URL) is None
    assert cache.validators(URL) is None  # no conditional request for an unusable entry
    assert cache.store(_entry(body=b"fresh"))
    loaded = cache.load(URL)
    assert loaded is not None and loaded.body == b"fresh"
    cache.close()


def test_a_damaged_confirmation_reads_as_absent(tmp_path: Path) -> None:
    with Cache(tmp_path) as cache:
        cache.store(_entry())
        _tamper(cache, "INSERT INTO confirmations VALUES (?, '2026-03-01T13:00:00')", URL)  # naive
        assert cache.load(URL) is None


def test_validator_with_control_characters_is_dropped(tmp_path: Path) -> None:
    with Cache(tmp_path) as cache:
        cache.store(_entry(etag='"a"\r\nX-Evil: 1', last_modified=""))
        loaded = cache.load(URL)
    assert loaded is not None
    assert (loaded.etag, loaded.last_modified, loaded.body) == (None, None, _entry().body)


def test_the_body_is_kept_byte_for_byte_with_its_size(tmp_path: Path) -> None:
    with Cache(tmp_path) as cache:
        cache.store(_entry(body=b"\x00\n\xff"))
        row = _row(cache)
        loaded = cache.load(URL)
    assert row is not None and (row["size"], row["body"]) == (3, b"\x00\n\xff")
    assert loaded is not None and loaded.body == b"\x00\n\xff"


def test_a_directory_that_cannot_be_written_is_reported_once_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("in the way")
    cache = Cache(blocked)
    with caplog.at_level(logging.WARNING):
        assert cache.store(_entry()) is False
        assert cache.store(_entry(url=URL + "?2")) is False
        assert cache.confirm(URL, WHEN) is False
        cache.store_soon(_entry(url=URL + "?3"))
        cache.settle()
        assert cache.load(URL) is None
    cache.close()
    assert [r.getMessage() for r in caplog.records] == [
        f"cannot write the cache in {blocked} (File exists): pages are fetched in full each run"
    ]
    assert blocked.read_text() == "in the way"


def test_discard_forgets_and_tolerates_absence(tmp_path: Path) -> None:
    with Cache(tmp_path) as cache:
        cache.store(_entry())
        cache.store(_entry(url=URL + "?kept"))
        cache.discard(URL)
        assert cache.load(URL) is None
        cache.discard(URL)
        assert _row(cache) is None and cache.load(URL + "?kept") is not None


def test_an_entry_written_is_as_old_as_its_fetch(tmp_path: Path) -> None:
    with Cache(tmp_path) as cache:
        cache.store(_entry())
        row = _row(cache)
        loaded = cache.load(URL)
    assert row is not None and row["confirmed_at"] is None
    assert loaded is not None and loaded.fetched_at == WHEN and "date" not in loaded.headers


def test_confirm_moves_the_age_and_date_forward_without_rewriting(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.store(_entry(headers={"Date": "Sun, 01 Mar 2026 12:00:00 GMT"}))
    before = _row(cache)
    later = WHEN + timedelta(hours=2, microseconds=250)
    assert cache.confirm(URL, later)
    after = _row(cache)
    assert before is not None and after is not None
    assert after.pop("confirmed_at") == later.isoformat()
    assert {**before, "confirmed_at": None} == {**after, "confirmed_at": None}  # body untouched
    loaded = cache.load(URL)
    assert loaded is not None
    assert loaded.fetched_at == later
    # History pages are read against the Date: it follows the confirmation.
    assert loaded.headers["date"] == "Sun, 01 Mar 2026 14:00:00 GMT"
    assert (loaded.body, loaded.etag) == (_entry().body, '"abc"')
    # A confirmation within a second of the fetch is the write itself: the Date is the page's.
    cache.store(_entry(headers={"Date": "Sun, 01 Mar 2026 12:00:00 GMT"}))
    assert cache.confirm(URL, WHEN + timedelta(milliseconds=500))
    again = cache.load(URL)
    assert again is not None and again.fetched_at == WHEN
    assert again.headers["date"] == "Sun, 01 Mar 2026 12:00:00 GMT"
    cache.close()


def test_confirming_an_absent_entry_is_reported_not_raised(tmp_path: Path) -> None:
    with Cache(tmp_path) as cache:
        assert cache.confirm(URL, WHEN) is False
        cache.store(_entry(url=URL + "?other"))
        assert cache.confirm(URL, WHEN) is False


def test_writes_asked_for_soon_are_done_once_settled(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    later = WHEN + timedelta(minutes=5)
    for n in range(600):  # more than one transaction's worth
        cache.store_soon(_entry(url=f"{URL}?{n}", body=b"%d" % n))
    cache.confirm_soon(f"{URL}?3", later)
    cache.settle()
    loaded = [cache.load(f"{URL}?{n}") for n in range(600)]
    assert [e.body if e else None for e in loaded] == [b"%d" % n for n in range(600)]
    assert [e.fetched_at if e else None for e in loaded][2:5] == [WHEN, later, WHEN]
    cache.settle()  # nothing pending: returns at once
    cache.store_soon(_entry(body=b"again"))  # a new writer after settling
    cache.settle()
    again = cache.load(URL)
    assert again is not None and again.body == b"again"
    cache.close()


def test_queued_writes_land_in_the_order_they_were_asked(tmp_path: Path) -> None:
    """The writer runs each stretch of one kind of write together; the order still holds: a
    store after a confirm replaces it, a confirm after a store confirms it."""
    cache = Cache(tmp_path / "cache")
    later = WHEN + timedelta(minutes=5)
    cache.store_soon(_entry(url=URL + "?a", body=b"old"))
    cache.confirm_soon(URL + "?a", later)
    cache.store_soon(_entry(url=URL + "?a", body=b"new"))  # fetched anew: unconfirmed
    cache.store_soon(_entry(url=URL + "?b"))
    cache.confirm_soon(URL + "?b", later)
    cache.confirm_soon(URL + "?absent", later)  # no row: nothing, and no error
    cache.settle()
    a, b = cache.load(URL + "?a"), cache.load(URL + "?b")
    assert a is not None and (a.body, a.fetched_at) == (b"new", WHEN)
    assert b is not None and b.fetched_at == later
    assert cache.load(URL + "?absent") is None
    cache.close()


def test_close_settles_and_may_be_called_twice(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.store_soon(_entry())
    cache.close()
    cache.close()
    with Cache(tmp_path) as other:
        assert other.load(URL) is not None
    assert cache.load(URL) is not None  # a closed cache opens again when used


def test_validators_are_read_without_the_body(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    assert cache.validators(URL) is None
    cache.store(_entry(body=b"x" * 8_000_000))
    cache.validators(URL)  # the connection and its statement, made once
    tracemalloc.start()
    try:
        known = cache.validators(URL)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert known == Validators('"abc"', "Sun, 01 Mar 2026 11:00:00 GMT")
    assert peak < 1_000_000  # the 8 MB body never came into the process
    cache.store(_entry(etag=None, last_modified='"bad\r\nvalue"'))
    assert cache.validators(URL) == Validators(None, None)
    cache.close()


def test_validators_read_ahead_are_the_same_and_given_out_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = [f"https://status{n}.example.com/api/v2/summary.json" for n in range(1_200)]
    with Cache(tmp_path) as cache:
        cache.read_ahead(urls)  # no database yet: nothing read, none made
        assert cache.validators(urls[0]) is None
        assert not cache.database.exists()
        for n, url in enumerate(urls[:-1]):  # the last one has no entry
            cache.store_soon(_entry(url=url, etag=f'"{n}"'))
        cache.settle()
        # Written since they were read ahead: read again.
        one_by_one = [cache.validators(url) for url in urls]
    assert one_by_one[-1] is None and one_by_one[7] == Validators('"7"', WHEN_MODIFIED)
    with Cache(tmp_path) as cache:
        queries: list[int] = []
        select_in = CacheDB.select_in
        monkeypatch.setattr(
            CacheDB,
            "select_in",
            lambda db, sql, keys: queries.append(len(keys)) or select_in(db, sql, keys),
        )
        cache.read_ahead([*urls, urls[0]])  # three batches; one URL twice
        assert queries == []  # each batch is read when the first of it is asked for
        first = cache.validators(urls[0])
        _tamper(cache, "UPDATE entries SET etag = '\"changed\"'")
        # The rest of the first batch was read with it; the next batches are read after.
        got = [first] + [cache.validators(url) for url in urls[1:]]
        assert got[:500] == one_by_one[:500]
        assert got[500] == Validators('"changed"', WHEN_MODIFIED) and got[-1] is None
        assert queries == [500, 500, 200]
        # Each is given out once: then the database is read again.
        assert cache.validators(urls[7]) == Validators('"changed"', WHEN_MODIFIED)
        assert queries == [500, 500, 200]


def test_reading_ahead_never_fails_where_each_pages_read_would_say_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Cache(tmp_path) as cache:
        cache.store(_entry(), KeptPage("statuspage", Page(Status.OPERATIONAL)))

        def unreadable() -> str:
            raise PermissionError(13, "Permission denied", "statuswatch")

        monkeypatch.setattr("statuswatch.pagecodec.build_identity", unreadable)
        cache.read_ahead([URL])  # quietly reads nothing ahead
        with pytest.raises(PermissionError):
            cache.validators(URL)  # the page's own read: the poll reports it for that page


def test_a_damaged_row_read_ahead_reads_as_absent(tmp_path: Path) -> None:
    with Cache(tmp_path) as cache:
        cache.store(_entry())
        _tamper(cache, "UPDATE entries SET size = 1")
        cache.read_ahead([URL])
        assert cache.validators(URL) is None


def test_an_unreadable_row_is_warned_about_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = Cache(tmp_path)
    cache.store(_entry())
    _tamper(cache, "UPDATE entries SET size = 1")
    assert (cache.validators(URL), cache.load(URL), cache.load(URL)) == (None, None, None)
    assert [r.getMessage().split(" is unreadable")[0] for r in caplog.records] == [
        f"the cache entry in {cache.database} for {URL}"  # the handler adds the prefix
    ]
    cache.close()


# --- the database file ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: b"SQLite format 2\x00" + bytes(4000), id="not-a-database"),
        pytest.param(lambda data: bytes(range(256)) * 40, id="garbage"),
        pytest.param(lambda data: data[:100], id="truncated-header"),
    ],
)
def test_a_file_that_is_not_a_database_is_replaced_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: object
) -> None:
    with Cache(tmp_path) as cache:
        cache.store(_entry())
    cache.database.write_bytes(damage(cache.database.read_bytes()))  # type: ignore[operator]
    with Cache(tmp_path) as cache, caplog.at_level(logging.WARNING):
        assert (cache.validators(URL), cache.load(URL), cache.load(URL + "?2")) == (None,) * 3
        assert cache.store(_entry(body=b"fresh"))
        loaded = cache.load(URL)
    assert loaded is not None and loaded.body == b"fresh"
    (warning,) = [r.getMessage() for r in caplog.records]
    assert warning.startswith(f"the cache database {cache.database} could not be read (")
    assert warning.endswith("); a new one is started")


def test_a_truncated_database_never_gives_a_wrong_row(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    urls = [f"{URL}?{n}" for n in range(60)]
    with Cache(tmp_path) as cache:
        for n, url in enumerate(urls):
            cache.store(_entry(url=url, body=bytes([n]) * 9000))
    data = cache.database.read_bytes()
    cache.database.write_bytes(data[: len(data) // 2])
    with Cache(tmp_path) as cache, caplog.at_level(logging.WARNING):
        for n, url in enumerate(urls):
            entry = cache.load(url)
            assert entry is None or entry.body == bytes([n]) * 9000
        assert cache.store(_entry(body=b"fresh"))
        loaded = cache.load(URL)
    assert loaded is not None and loaded.body == b"fresh"
    assert len(caplog.records) <= 1


@pytest.mark.parametrize("version", [0, 1, 99])
def test_a_database_of_another_schema_version_is_started_afresh(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, version: int
) -> None:
    with sqlite3.connect(tmp_path / DB_FILE) as conn:
        conn.execute("CREATE TABLE entries (url TEXT, something_else BLOB)")
        conn.execute("INSERT INTO entries VALUES (?, x'00')", (URL,))
        conn.execute(f"PRAGMA user_version = {version}")
    conn.close()
    with Cache(tmp_path) as cache, caplog.at_level(logging.WARNING):
        assert cache.load(URL) is None
        assert cache.store(_entry())
        assert cache.load(URL) is not None
    assert [r.getMessage() for r in caplog.records] == [
        f"the cache database {cache.database} could not be read (schema version {version}, "
        f"not {SCHEMA_VERSION}); a new one is started"
    ]


def test_the_files_of_the_old_cache_are_removed_when_the_database_is_made(
    tmp_path: Path,
) -> None:
    old = "ab" * 32 + ".entry"
    for name in (old, "cd" * 32 + ".entry", f".{old}.0123456789ab.tmp", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    with Cache(tmp_path) as cache:
        assert cache.load(URL) is None  # reading makes no database: the files stay
        assert len(list(tmp_path.iterdir())) == 4
        cache.store(_entry())
    assert sorted(p.name for p in tmp_path.iterdir()) == [DB_FILE, "notes.txt"]


def test_another_thread_reads_through_a_connection_of_its_own(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.store(_entry())
    seen: list[object] = []
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(200):
                entry = cache.load(URL)
                seen.append(entry.body if entry is not None else None)
        except BaseException as exc:  # pragma: no cover - reported by the assert below
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for thread in readers:
        thread.start()
    for n in range(200):
        cache.store(_entry(body=b"%d" % (n % 2)))
    for thread in readers:
        thread.join()
    cache.close()
    assert errors == []
    assert set(seen) <= {_entry().body, b"0", b"1"} and len(seen) == 600


WRITER = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from statuswatch.cache import Cache, CacheEntry

directory, name = Path(sys.argv[1]), sys.argv[2]
now = datetime.now(UTC)
with Cache(directory) as cache:
    for round in range(5):
        for n in range(200):
            body = f"{name} {round} {n}".encode() * 50
            cache.store_soon(CacheEntry(f"https://own.example/{name}/{n}", body, now))
            cache.store_soon(CacheEntry(f"https://shared.example/{n}", body, now))
        cache.store(CacheEntry(f"https://sync.example/{name}/{round}", b"s", now))
        cache.confirm_soon(f"https://shared.example/{round}", now)
        cache.settle()
print("done", flush=True)
"""


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    directory = tmp_path / "cache"
    children = [
        subprocess.Popen(
            [sys.executable, str(script), str(directory), name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name in ("a", "b")
    ]
    outputs = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0]
    assert outputs == [(b"done\n", b"")] * 2  # no warning: each waited for the other
    with Cache(directory) as cache:
        for name in ("a", "b"):
            for n in range(200):
                entry = cache.load(f"https://own.example/{name}/{n}")
                assert entry is not None and entry.body == f"{name} 4 {n}".encode() * 50
            for r in range(5):
                assert cache.load(f"https://sync.example/{name}/{r}") is not None
        for n in range(200):
            shared = cache.load(f"https://shared.example/{n}")
            assert shared is not None
            assert shared.body in (f"a 4 {n}".encode() * 50, f"b 4 {n}".encode() * 50)
    with sqlite3.connect(cache.database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 2 * 200 + 200 + 10
    conn.close()


def _numbered_entry(n: int, body: bytes) -> CacheEntry:
    return CacheEntry(
        url=f"https://status.example/{n}",
        body=body,
        fetched_at=datetime(2026, 12, 6, 20, 0, n % 60, tzinfo=UTC),
        etag=f'"{n}"',
    )


def test_a_cache_writer_storing_many_keeps_each_and_what_came_between(tmp_path: Path) -> None:
    # 250 stores queued at once (several statements of rows), a confirmation among them, a
    # store that replaces an earlier one: all as if each had been written alone, in order.
    at = datetime(2026, 12, 6, 21, 0, tzinfo=UTC)
    with Cache(tmp_path) as cache:
        for n in range(250):
            cache.store_soon(_numbered_entry(n, f"body {n}".encode()))
            if n == 100:
                cache.confirm_soon(_numbered_entry(5, b"").url, at)
        cache.store_soon(_numbered_entry(7, b"replaced"))
        cache.settle()
        for n in range(250):
            loaded = cache.load(_numbered_entry(n, b"").url)
            assert loaded is not None
            assert loaded.body == (b"replaced" if n == 7 else f"body {n}".encode())
        five = cache.load(_numbered_entry(5, b"").url)
        assert five is not None and five.fetched_at == at  # confirmed after it was stored
