"""The body cache: one file per URL, round trips, and corrupt files read as absent."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from statuswatch import cache as cache_module
from statuswatch.cache import Cache, CacheEntry, Validators

URL = "https://status.example.com/api/v2/summary.json"
WHEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


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


def test_round_trip_keeps_body_time_validators_and_known_headers(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
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


def test_one_file_per_url_named_by_hash(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.store(_entry())
    cache.store(_entry(url=URL + "?other"))
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 2
    assert all(len(name) == 64 + len(".entry") and name.endswith(".entry") for name in files)
    assert cache.path_for(URL).name in files


def test_missing_entry_is_none(tmp_path: Path) -> None:
    assert Cache(tmp_path / "absent").load(URL) is None


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda raw: b"", id="empty"),
        pytest.param(lambda raw: raw[:-3], id="truncated-body"),
        pytest.param(lambda raw: raw + b"extra", id="longer-body"),
        pytest.param(lambda raw: b"garbage without newline", id="no-header"),
        pytest.param(lambda raw: b"{not json}\n" + raw, id="bad-json"),
        pytest.param(lambda raw: b"[1, 2]\nbody", id="header-not-object"),
        pytest.param(lambda raw: raw.replace(b'"format":1', b'"format":99'), id="future-format"),
        pytest.param(lambda raw: raw.replace(b"example.com", b"example.org"), id="other-url"),
        pytest.param(lambda raw: raw.replace(b"+00:00", b""), id="naive-time"),
        pytest.param(lambda raw: raw.replace(b'"size":', b'"size":"3","x":'), id="bad-size"),
        pytest.param(lambda raw: b"\xff\xfe\n" + raw, id="not-utf8"),
    ],
)
def test_corrupt_file_reads_as_absent_and_is_replaced(tmp_path: Path, mangle: object) -> None:
    cache = Cache(tmp_path)
    cache.store(_entry())
    path = cache.path_for(URL)
    path.write_bytes(mangle(path.read_bytes()))  # type: ignore[operator]
    assert cache.load(URL) is None
    assert cache.validators(URL) is None  # no conditional request for an unusable entry
    assert cache.store(_entry(body=b"fresh"))
    loaded = cache.load(URL)
    assert loaded is not None and loaded.body == b"fresh"


def test_validator_with_control_characters_is_dropped(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.store(_entry(etag='"a"\r\nX-Evil: 1', last_modified=""))
    loaded = cache.load(URL)
    assert loaded is not None
    assert (loaded.etag, loaded.last_modified, loaded.body) == (None, None, _entry().body)


def test_header_line_is_json_then_raw_body(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.store(_entry(body=b"\x00\n\xff"))
    raw = cache.path_for(URL).read_bytes()
    header, body = raw.split(b"\n", 1)
    assert json.loads(header)["size"] == 3
    assert body == b"\x00\n\xff"


def test_write_failure_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(cache_module, "atomic_write", refuse)
    assert Cache(tmp_path).store(_entry()) is False


def test_discard_forgets_and_tolerates_absence(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.store(_entry())
    cache.discard(URL)
    assert cache.load(URL) is None
    cache.discard(URL)
    assert list(tmp_path.iterdir()) == []


def test_an_entry_written_is_as_old_as_its_fetch(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.store(_entry())
    assert cache.path_for(URL).stat().st_mtime == WHEN.timestamp()
    loaded = cache.load(URL)
    assert loaded is not None and loaded.fetched_at == WHEN and "date" not in loaded.headers


def test_confirm_moves_the_age_and_date_forward_without_rewriting(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.store(_entry(headers={"Date": "Sun, 01 Mar 2026 12:00:00 GMT"}))
    path = cache.path_for(URL)
    before = (path.stat().st_ino, path.read_bytes())
    later = WHEN + timedelta(hours=2, microseconds=250)
    assert cache.confirm(URL, later)
    assert (path.stat().st_ino, path.read_bytes()) == before  # the same file, untouched
    loaded = cache.load(URL)
    assert loaded is not None
    assert loaded.fetched_at == later
    # History pages are read against the Date: it follows the confirmation.
    assert loaded.headers["date"] == "Sun, 01 Mar 2026 14:00:00 GMT"
    assert (loaded.body, loaded.etag) == (_entry().body, '"abc"')


def test_confirming_an_absent_entry_is_reported_not_raised(tmp_path: Path) -> None:
    assert Cache(tmp_path).confirm(URL, WHEN) is False


def test_writes_asked_for_soon_are_done_once_settled(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    later = WHEN + timedelta(minutes=5)
    for n in range(20):
        cache.store_soon(_entry(url=f"{URL}?{n}", body=b"%d" % n))
    cache.confirm_soon(f"{URL}?3", later)
    cache.settle()
    loaded = [cache.load(f"{URL}?{n}") for n in range(20)]
    assert [e.body if e else None for e in loaded] == [b"%d" % n for n in range(20)]
    assert [e.fetched_at if e else None for e in loaded][2:5] == [WHEN, later, WHEN]
    cache.settle()  # nothing pending: returns at once
    cache.store_soon(_entry(body=b"again"))  # a new writer after settling
    cache.settle()
    again = cache.load(URL)
    assert again is not None and again.body == b"again"


def test_validators_are_read_without_the_body(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    assert cache.validators(URL) is None
    cache.store(_entry(body=b"x" * 100_000))
    assert cache.validators(URL) == Validators('"abc"', "Sun, 01 Mar 2026 11:00:00 GMT")
    cache.store(_entry(etag=None, last_modified='"bad\r\nvalue"'))
    assert cache.validators(URL) == Validators(None, None)


def test_an_unreadable_file_is_warned_about_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = Cache(tmp_path)
    cache.store(_entry())
    cache.path_for(URL).write_bytes(b"garbage")
    assert (cache.validators(URL), cache.load(URL), cache.load(URL)) == (None, None, None)
    assert [r.getMessage().split(" is unreadable")[0] for r in caplog.records] == [
        f"the cache file {cache.path_for(URL)} for {URL}"  # the handler adds the prefix
    ]
