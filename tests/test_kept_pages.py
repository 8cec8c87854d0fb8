"""Pages kept with their bodies in the cache: a 304 answered without parsing the body again,
exactly the page a parse gives, and never a page from another build, adapter or body, nor one
with anything in it that the sanitiser would not have left."""

from __future__ import annotations

import json
import logging
import sys
import types
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import cacherows
import httpx
import pytest
from loopback import LoopbackServer

from statuswatch import adapters, pagecodec
from statuswatch.adapters import (
    aws,
    azure,
    betterstack,
    cachet,
    feed,
    gatus,
    gcp,
    incidentio,
    playstation,
    slack,
    statusio,
    statuspage,
    statuspal,
    upptime,
    xbox,
)
from statuswatch.cache import Cache, CacheEntry, KeptPage
from statuswatch.model import (
    Component,
    Impact,
    Incident,
    Maintenance,
    Page,
    Phase,
    ProviderSpec,
    Status,
    Update,
)
from statuswatch.pagecodec import PageDecodeError, decode_page, encode_page, package_identity
from statuswatch.poll import poll
from statuswatch.settings import HttpSettings

REALWORLD = Path(__file__).resolve().parents[1].parent / "shared" / "realworld"
FAST = HttpSettings(connect_timeout=2.0, read_timeout=5.0, deadline=2.0, retries=0)
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
URL = "https://status.example.com/api/v2/summary.json"
BODY_ONLY = {
    "statuspage": statuspage,
    "incidentio": incidentio,
    "slack": slack,
    "statusio": statusio,
    "statuspal": statuspal,
    "upptime": upptime,
    "xbox": xbox,
    "gatus": gatus,
}
# These take the Date header for "now" (a window of recent items): what they read changes
# with the answer's date, so a page they gave is never reused.
READS_THE_DATE = [aws, azure, betterstack, cachet, feed, gcp, playstation]
FULL_PAGE = Page(
    Status.MAJOR_OUTAGE,
    description="Major outage\u00e9",
    raw_status="critical",
    updated_at=T0,
    components=(
        Component("c1", "API", Status.MAJOR_OUTAGE, "major_outage", "Core"),
        Component("c2", "Web", Status.OPERATIONAL),
    ),
    incidents=(
        Incident(
            "i1",
            "API errors",
            Impact.CRITICAL,
            Phase.IDENTIFIED,
            T0,
            updated_at=T0,
            resolved_at=None,
            url="https://status.example.com/incidents/i1",
            components=("API",),
            updates=(Update(T0, Phase.IDENTIFIED, "Line one\nline two", "identified"),),
            raw_status="identified",
            raw_impact="critical",
            detected_lead_s=420,
            component_ids=("c1",),
        ),
    ),
    maintenances=(
        Maintenance(
            "m1",
            "Upgrade",
            Phase.SCHEDULED,
            T0,
            T0,
            url=None,
            components=("Web",),
            updates=(),
            raw_status="scheduled",
            component_ids=("c2",),
        ),
    ),
)


def _round_trip(page: Page) -> Page:
    return decode_page(json.loads(json.dumps(encode_page(page))))


def _real_files() -> list[Path]:
    if not REALWORLD.is_dir():
        return []
    return sorted(p for p in REALWORLD.glob("*/*") if p.is_file() and not p.name.startswith("."))


def _adapter_for(path: Path) -> adapters.Adapter:
    """The adapter that reads a real-world file (as tests/test_conformance.py picks it)."""
    if path.parent.name in ("statuspage", "incidentio") and path.suffix in (".atom", ".rss"):
        return feed
    return adapters.load(path.parent.name)


# --- the codec ----------------------------------------------------------------------------------


def test_every_field_of_a_page_comes_back() -> None:
    back = _round_trip(FULL_PAGE)
    assert back == FULL_PAGE
    assert back.incidents[0].started_at is not None
    assert back.incidents[0].started_at.isoformat() == T0.isoformat()


@pytest.mark.skipif(not REALWORLD.is_dir(), reason=f"{REALWORLD} is absent")
@pytest.mark.parametrize("path", _real_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_real_page_comes_back_as_parsed(path: Path) -> None:
    # Every adapter's pages, kept or not: the form must hold whatever a page holds.
    page = _adapter_for(path).parse(path.read_bytes(), {})
    assert _round_trip(page) == page


@pytest.mark.skipif(not REALWORLD.is_dir(), reason=f"{REALWORLD} is absent")
@pytest.mark.parametrize("kind", sorted(BODY_ONLY))
def test_adapters_whose_pages_are_kept_read_the_body_alone(kind: str) -> None:
    adapter = BODY_ONLY[kind]
    assert getattr(adapter, "BODY_ONLY", False) is True
    other = {
        "date": "Thu, 01 Jan 2099 00:00:00 GMT",
        "content-type": "text/html; charset=utf-8",
        "last-modified": "Mon, 01 Jan 1990 00:00:00 GMT",
        "etag": '"x"',
    }
    read = 0
    for path in (REALWORLD / kind).glob("*.json"):
        body = path.read_bytes()
        try:
            page = adapter.parse(body, {})
        except adapters.ParseError:
            continue
        assert adapter.parse(body, other) == page, path.name
        read += 1
    assert read > 0


def test_adapters_that_read_the_date_do_not_keep_their_pages() -> None:
    assert [m.__name__ for m in READS_THE_DATE if getattr(m, "BODY_ONLY", False)] == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d.__setitem__(0, "fine"), "KeyError"),
        (lambda d: d.__setitem__(1, 42), "expected a string"),
        (lambda d: d.__setitem__(3, "2026-03-01T12:00:00"), "naive"),
        (lambda d: d[4][0].__setitem__(1, "API\x1b[31m"), "sanitiser"),
        (lambda d: d[4][0].__setitem__(1, "API\u202e"), "sanitiser"),
        (lambda d: d[5][0].__setitem__(1, "Tab\there"), "sanitiser"),
        (lambda d: d[5][0][9][0].__setitem__(2, "\x9b31m"), "sanitiser"),
        (lambda d: d[5][0].__setitem__(12, "420"), "detected_lead_s"),
        (lambda d: d[5][0].__setitem__(8, "API"), "expected a list"),
        (lambda d: d[6].append([1]), "ValueError"),
        (lambda d: d.append(None), "ValueError"),
    ],
    ids=[
        "status",
        "type",
        "naive time",
        "escape",
        "bidi",
        "tab",
        "C1 in an update",
        "lead",
        "components",
        "short row",
        "long page",
    ],
)
def test_a_kept_page_that_is_not_what_was_written_is_refused(change: object, problem: str) -> None:
    data = json.loads(json.dumps(encode_page(FULL_PAGE)))
    change(data)  # type: ignore[operator]
    with pytest.raises(PageDecodeError, match=problem):
        decode_page(data)


def test_the_build_identity_follows_the_version_and_each_module(tmp_path: Path) -> None:
    (tmp_path / "adapters").mkdir()
    (tmp_path / "model.py").write_text("x = 1\n")
    (tmp_path / "adapters" / "statuspage.py").write_text("y = 1\n")
    first = package_identity(tmp_path, "1.0")
    assert package_identity(tmp_path, "1.0") == first
    assert package_identity(tmp_path, "1.1") != first
    (tmp_path / "adapters" / "statuspage.py").write_text("y = 22\n")
    assert package_identity(tmp_path, "1.0") != first
    assert len(pagecodec.build_identity()) == 64


# --- the cache ----------------------------------------------------------------------------------


def _entry(body: bytes = b'{"status": {"indicator": "none"}}') -> CacheEntry:
    return CacheEntry(URL, body, T0, etag='"e1"', headers={"content-type": "application/json"})


def test_a_page_is_kept_with_its_entry_and_read_with_the_validators(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    assert cache.store(_entry(), KeptPage("statuspage", FULL_PAGE))
    known = cache.validators(URL)
    assert known is not None and known.etag == '"e1"'
    assert cache.kept_page(URL, known, "statuspage") == FULL_PAGE
    assert cache.kept_page(URL, known, "incidentio") is None  # another adapter's
    assert cache.load(URL) == replace(_entry(), headers={"content-type": "application/json"})
    row = cacherows.row(tmp_path, URL)  # one row: the page beside its body
    assert row is not None and (row["page_kind"], row["page_build"]) == (
        "statuspage",
        pagecodec.build_identity(),
    )


def test_an_entry_without_a_page_and_another_builds_page_give_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path)
    cache.store(_entry())
    known = cache.validators(URL)
    assert known is not None and cache.kept_page(URL, known, "statuspage") is None
    monkeypatch.setattr(pagecodec, "build_identity", lambda: "another build")
    cache.store(_entry(), KeptPage("statuspage", FULL_PAGE))
    monkeypatch.undo()
    known = cache.validators(URL)
    assert known is not None and cache.kept_page(URL, known, "statuspage") is None


def test_a_page_too_large_to_keep_is_not_kept(tmp_path: Path) -> None:
    many = tuple(
        Component(f"c{n}", f"Component number {n}", Status.OPERATIONAL) for n in range(2000)
    )
    cache = Cache(tmp_path)
    assert cache.store(_entry(), KeptPage("statuspage", Page(Status.OPERATIONAL, components=many)))
    known = cache.validators(URL)
    assert known is not None and known.page_too_large("statuspage")
    assert cache.kept_page(URL, known, "statuspage") is None
    assert not known.page_too_large("incidentio")  # another adapter may keep its page
    assert cache.load(URL) is not None


def test_a_page_of_non_ascii_text_is_kept_up_to_its_limit(tmp_path: Path) -> None:
    # 1,500 components of Japanese text are past the limit of a kept page (56 Ki characters).
    names = tuple(
        Component(
            f"c{n}", "\u969c\u5bb3\u60c5\u5831\u30b5\u30fc\u30d3\u30b9" + str(n), Status.OPERATIONAL
        )
        for n in range(1500)
    )
    cache = Cache(tmp_path)
    for count, kept in ((150, True), (1500, False)):
        page = Page(Status.OPERATIONAL, components=names[:count])
        assert cache.store(_entry(), KeptPage("statuspage", page))
        known = cache.validators(URL)
        assert known is not None and cache.load(URL) is not None
        assert (cache.kept_page(URL, known, "statuspage") == page) is kept
        assert known.page_too_large("statuspage") is not kept


def test_a_damaged_kept_page_is_refused_once_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = Cache(tmp_path)
    cache.store(_entry(), KeptPage("statuspage", FULL_PAGE))
    cacherows.tamper(
        tmp_path, "UPDATE entries SET page = replace(page, 'API errors', 'API \\u001b[2Jerrors')"
    )
    known = cache.validators(URL)
    assert known is not None
    with caplog.at_level(logging.WARNING):
        assert cache.kept_page(URL, known, "statuspage") is None
        assert cache.kept_page(URL, known, "statuspage") is None
    assert [r.getMessage() for r in caplog.records if "page kept in" in r.getMessage()] == [
        f"statuswatch: the page kept in {cache.database} for {URL} is unreadable (not a kept page "
        "(ValueError: a string the sanitiser would not have left)); reading its body"
    ]


# --- the engine ---------------------------------------------------------------------------------


class Counting:
    """A body-only adapter that counts its parses."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, body_only: bool = True) -> None:
        self.parses = 0
        module = types.ModuleType("statuswatch_test_kept_adapter")
        module.source_url = lambda url: url + "/doc.json"  # type: ignore[attr-defined]
        module.parse = self.parse  # type: ignore[attr-defined]
        if body_only:
            module.BODY_ONLY = True  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, module.__name__, module)
        monkeypatch.setitem(adapters.KINDS, "counting", module.__name__)

    def parse(self, body: bytes, headers: Mapping[str, str]) -> Page:
        self.parses += 1
        return statuspage.parse(body, headers)


SUMMARY = {
    "page": {"id": "p", "name": "P", "url": "https://p.example", "updated_at": None},
    "status": {"indicator": "minor", "description": "Minor Service Outage"},
    "components": [{"id": "c1", "name": "API", "status": "degraded_performance"}],
    "incidents": [
        {
            "id": "i1",
            "name": "API <b>errors</b>",
            "status": "identified",
            "impact": "minor",
            "created_at": "2026-03-01T11:00:00Z",
            "components": [{"id": "c1", "name": "API"}],
            "incident_updates": [
                {"status": "identified", "body": "Found it", "created_at": "2026-03-01T11:05:00Z"}
            ],
        }
    ],
}


def _spec(srv: LoopbackServer, kind: str = "counting") -> ProviderSpec:
    return ProviderSpec(id="p", name="P", kind=kind, url=srv.url("/p"))


def test_a_304_is_answered_with_the_kept_page_without_a_parse(
    loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = Counting(monkeypatch)
    loopback.route("/p/doc.json", SUMMARY, etag=True)
    spec = _spec(loopback)
    first = poll([spec], FAST, tmp_path).reports[0]
    assert (adapter.parses, first.error) == (1, None)
    url = loopback.url("/p/doc.json")
    written = cacherows.row(tmp_path, url)
    assert written is not None
    for _ in range(2):
        again = poll([spec], FAST, tmp_path).reports[0]
        assert again.page == first.page and again.error is None and not again.stale
    assert adapter.parses == 1
    confirmed = cacherows.row(tmp_path, url)
    assert confirmed is not None and confirmed["confirmed_at"] is not None
    # Confirmed by its time alone, never rewritten.
    assert {**confirmed, "confirmed_at": None} == {**written, "confirmed_at": None}
    assert loopback.hits("/p/doc.json") == (1, 2)  # (200s, 304s)
    assert first.page is not None and first.page.incidents[0].title == "API errors"


def test_a_changed_body_is_parsed_and_its_page_kept_instead(
    loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = Counting(monkeypatch)
    loopback.route("/p/doc.json", SUMMARY, etag=True)
    spec = _spec(loopback)
    poll([spec], FAST, tmp_path)
    changed = {**SUMMARY, "status": {"indicator": "none", "description": "All good"}}
    loopback.route("/p/doc.json", changed, etag=True)
    assert poll([spec], FAST, tmp_path).reports[0].page == statuspage.parse(
        json.dumps(changed).encode(), {}
    )
    assert poll([spec], FAST, tmp_path).reports[0].page.description == "All good"  # type: ignore[union-attr]
    assert adapter.parses == 2


def test_an_entry_kept_before_pages_were_is_given_its_page_at_the_next_304(
    loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = Counting(monkeypatch)
    loopback.route("/p/doc.json", SUMMARY, etag='"v1"')
    spec = _spec(loopback)
    url = loopback.url("/p/doc.json")
    body = json.dumps(SUMMARY).encode()
    Cache(tmp_path).store(CacheEntry(url, body, T0, etag='"v1"', headers={}))  # no page
    pages = [poll([spec], FAST, tmp_path).reports[0].page for _ in range(3)]
    assert pages == [statuspage.parse(body, {})] * 3
    assert adapter.parses == 1  # the first 304 parsed the body and kept its page
    assert loopback.hits("/p/doc.json") == (0, 3)


def test_a_304_with_a_new_etag_keeps_the_page_with_the_new_validator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = Counting(monkeypatch)
    body = json.dumps(SUMMARY).encode()
    sent: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.get("if-none-match"))
        if len(sent) == 1:
            return httpx.Response(200, content=body, headers={"ETag": '"v1"'})
        return httpx.Response(304, headers={"ETag": '"v2"'})  # the same body, renamed

    spec = ProviderSpec(id="p", name="P", kind="counting", url="https://p.example")
    transport = httpx.MockTransport(answer)
    pages = [poll([spec], FAST, tmp_path, transport=transport).reports[0].page for _ in range(3)]
    assert pages == [statuspage.parse(body, {})] * 3
    assert sent == [None, '"v1"', '"v2"']
    assert adapter.parses == 1
    known = Cache(tmp_path).validators("https://p.example/doc.json")
    assert known is not None and known.etag == '"v2"' and known.page is not None


def test_an_adapter_that_reads_headers_keeps_no_page(
    loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = Counting(monkeypatch, body_only=False)
    loopback.route("/p/doc.json", SUMMARY, etag=True)
    spec = _spec(loopback)
    for _ in range(3):
        poll([spec], FAST, tmp_path)
    assert adapter.parses == 3
    known = Cache(tmp_path).validators(loopback.url("/p/doc.json"))
    assert known is not None and known.page is None


def test_a_tampered_kept_page_is_never_shown(
    loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = Counting(monkeypatch)
    loopback.route("/p/doc.json", SUMMARY, etag=True)
    spec = _spec(loopback)
    clean = poll([spec], FAST, tmp_path).reports[0].page
    cacherows.tamper(
        tmp_path,
        "UPDATE entries SET page = replace(page, 'API errors', ?)",
        "\\u001b]8;;https://evil\\u0007x",
    )
    report = poll([spec], FAST, tmp_path).reports[0]
    assert report.page == clean and report.error is None
    assert adapter.parses == 2
    assert poll([spec], FAST, tmp_path).reports[0].page == clean  # kept anew, from the body
    assert adapter.parses == 2


def test_a_page_too_large_to_keep_leaves_its_entry_alone_at_each_304(
    loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = Counting(monkeypatch)
    components = [
        {"id": f"c{n}", "name": f"Component number {n}", "status": "operational"}
        for n in range(2000)
    ]
    big = {**SUMMARY, "components": components}
    loopback.route("/p/doc.json", big, etag=True)
    spec = _spec(loopback)
    poll([spec], FAST, tmp_path)
    url = loopback.url("/p/doc.json")
    written = cacherows.row(tmp_path, url)
    assert written is not None and written["page_kind"] == "counting" and written["page"] is None
    for _ in range(2):
        assert poll([spec], FAST, tmp_path).reports[0].error is None
    assert adapter.parses == 3  # parsed each time: too large to keep
    # Never rewritten for it: a 304 only sets the row's confirmation time.
    after = cacherows.row(tmp_path, url)
    assert after is not None and after["confirmed_at"] is not None
    assert {**after, "confirmed_at": None} == {**written, "confirmed_at": None}
