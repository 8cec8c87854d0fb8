"""poll/poll_all end to end against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import gc
import itertools
import json
import sys
import time
import types
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cacherows
import httpx
import pytest
from loopback import LoopbackServer, make_certificate

from statuswatch import adapters, source
from statuswatch.adapters import ParseError
from statuswatch.cache import Cache
from statuswatch.http import USER_AGENT
from statuswatch.model import (
    Component,
    ErrorType,
    FetchError,
    Page,
    ProviderReport,
    ProviderSpec,
    Status,
)
from statuswatch.poll import poll, poll_all
from statuswatch.settings import MIB, HttpSettings

DOC = "/api/v2/summary.json"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SUMMARY = {
    "page": {
        "id": "p1",
        "name": "Example",
        "url": "https://status.example.com",
        "time_zone": "Etc/UTC",
        "updated_at": "2026-03-01T11:59:00.000Z",
    },
    "status": {"indicator": "minor", "description": "Minor Service Outage"},
    "components": [
        {"id": "c1", "name": "API", "status": "degraded_performance", "position": 1},
        {"id": "c2", "name": "Web", "status": "operational", "position": 2},
    ],
    "incidents": [],
    "scheduled_maintenances": [],
}
OPERATIONAL = {**SUMMARY, "status": {"indicator": "none", "description": "All Systems Operational"}}
# Small limits so faults end quickly; read_timeout above the drip interval so the deadline acts.
FAST = HttpSettings(
    connect_timeout=2.0,
    read_timeout=5.0,
    deadline=1.0,
    retries=0,
    backoff=0.01,
    retry_after_cap=2.0,
    max_body=1 * MIB,
)


class Clock:
    """A settable clock for fetched_at."""

    def __init__(self, when: datetime = T0) -> None:
        self.when = when

    def __call__(self) -> datetime:
        return self.when


def _spec(srv: LoopbackServer, name: str, kind: str = "statuspage") -> ProviderSpec:
    return ProviderSpec(id=name, name=name.title(), kind=kind, url=srv.url(f"/{name}"))


def _doc(name: str) -> str:
    return f"/{name}{DOC}"


def _expected_page() -> Page:
    return Page(
        status=Status.DEGRADED,
        description="Minor Service Outage",
        raw_status="minor",
        updated_at=datetime(2026, 3, 1, 11, 59, tzinfo=UTC),
        components=(
            Component(
                id="c1", name="API", status=Status.DEGRADED, raw_status="degraded_performance"
            ),
            Component(id="c2", name="Web", status=Status.OPERATIONAL, raw_status="operational"),
        ),
    )


def test_success_report_and_user_agent(loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.route(_doc("ok"), SUMMARY)
    spec = _spec(loopback, "ok")
    snapshot = poll([spec], FAST, tmp_path, now=Clock())
    assert snapshot.generated_at == T0
    assert snapshot.reports == (ProviderReport(spec, _expected_page(), fetched_at=T0),)
    assert snapshot.reports[0].status is Status.DEGRADED
    assert loopback.request_headers(_doc("ok"))[0]["user-agent"] == USER_AGENT


FAULT_EXPECTATIONS: dict[str, tuple[ErrorType, str]] = {
    "500": (ErrorType.HTTP_STATUS, "HTTP 500 from {url}"),
    "503": (ErrorType.HTTP_STATUS, "HTTP 503 from {url} (Retry-After 1)"),
    "429": (ErrorType.HTTP_STATUS, "HTTP 429 from {url} (Retry-After 1)"),
    "hang": (ErrorType.TIMEOUT, "no answer from {url} within 1 s"),
    "slow_headers": (ErrorType.TIMEOUT, "no answer from {url} within 1 s"),
    "drip": (ErrorType.TIMEOUT, "the body from {url} took longer than the 1 s deadline"),
    "reset": (ErrorType.CONNECTION, "the connection to {url} failed before an answer: "),
    "truncated": (ErrorType.CONNECTION, "the body from {url} was truncated: "),
    "huge": (ErrorType.TOO_LARGE, "the body from {url} is 20 MiB, over the 1 MiB cap"),
    "html": (ErrorType.FORMAT_CHANGED, "could not read {url}: "),
    "redirect_loop": (ErrorType.TOO_MANY_REDIRECTS, "more than 5 redirects from {url}"),
    "invalid_json": (ErrorType.PARSE_ERROR, "could not read {url}: "),
    "empty": (ErrorType.PARSE_ERROR, "could not read {url}: "),
}


def test_every_fault_is_data_and_the_run_stays_bounded(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    specs = [_spec(loopback, "good")]
    loopback.route(_doc("good"), SUMMARY, latency=0.2)
    for mode in FAULT_EXPECTATIONS:
        name = mode.replace("_", "-")
        loopback.route(_doc(name), SUMMARY)
        loopback.fault(_doc(name), mode, retry_after=1 if mode in ("503", "429") else None)
        specs.append(_spec(loopback, name))
    finished: list[str] = []
    started = time.monotonic()
    snapshot = poll(
        specs, FAST, tmp_path, now=Clock(), on_report=lambda r: finished.append(r.spec.id)
    )
    # Bounded by the 1 s deadline (hang, drip and slow headers would otherwise run for 10 s+).
    assert time.monotonic() - started < 8
    assert [r.spec for r in snapshot.reports] == specs
    assert sorted(finished) == sorted(s.id for s in specs)
    good, *faulty = snapshot.reports
    assert good == ProviderReport(specs[0], _expected_page(), fetched_at=T0)
    for report, (mode, (error_type, message)) in zip(
        faulty, FAULT_EXPECTATIONS.items(), strict=True
    ):
        url = loopback.url(_doc(mode.replace("_", "-")))
        assert report.status is Status.UNKNOWN, mode
        assert (report.page, report.fetched_at, report.stale) == (None, None, False), mode
        assert report.error is not None and report.error.type is error_type, (mode, report.error)
        assert report.error.message.startswith(message.format(url=url)), (mode, report.error)


def test_chunked_body_over_the_cap_is_cut(loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.fault(_doc("big"), "huge", content_length=False)
    snapshot = poll([_spec(loopback, "big")], FAST, tmp_path)
    url = loopback.url(_doc("big"))
    assert snapshot.reports[0].error == FetchError(
        ErrorType.TOO_LARGE, f"the body from {url} is larger than the 1 MiB cap"
    )


def test_stale_page_with_its_age_when_a_later_poll_fails(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    spec = _spec(loopback, "flaky")
    loopback.route(_doc("flaky"), SUMMARY)
    clock = Clock()
    poll([spec], FAST, tmp_path, now=clock)
    loopback.fault(_doc("flaky"), "500")
    clock.when = T0 + timedelta(minutes=7)
    report = poll([spec], FAST, tmp_path, now=clock).reports[0]
    assert report == ProviderReport(
        spec,
        _expected_page(),
        fetched_at=T0,
        stale=True,
        error=FetchError(ErrorType.HTTP_STATUS, f"HTTP 500 from {loopback.url(_doc('flaky'))}"),
    )
    assert report.status is Status.UNKNOWN


def test_a_body_that_does_not_parse_never_replaces_the_last_good_one(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    spec = _spec(loopback, "p")
    loopback.route(_doc("p"), SUMMARY)
    poll([spec], FAST, tmp_path, now=Clock())
    loopback.route(_doc("p"), b'{"page": ', content_type="application/json")
    later = Clock(T0 + timedelta(hours=1))
    for _ in range(2):
        report = poll([spec], FAST, tmp_path, now=later).reports[0]
        assert report.error is not None and report.error.type is ErrorType.PARSE_ERROR
        assert (report.page, report.fetched_at, report.stale) == (_expected_page(), T0, True)


def test_etag_gives_304_across_runs_and_refreshes_the_age(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    spec = _spec(loopback, "etag")
    loopback.route(_doc("etag"), SUMMARY, etag=True)
    clock = Clock()
    first = poll([spec], FAST, tmp_path, now=clock).reports[0]
    clock.when = T0 + timedelta(minutes=1)
    second = poll([spec], FAST, tmp_path, now=clock).reports[0]
    assert loopback.hits(_doc("etag")) == (1, 1)
    assert first == ProviderReport(spec, _expected_page(), fetched_at=T0)
    assert second == ProviderReport(spec, _expected_page(), fetched_at=T0 + timedelta(minutes=1))
    # The 304 confirmed the body: a later failure shows it with the confirmed age.
    loopback.fault(_doc("etag"), "503")
    clock.when = T0 + timedelta(minutes=2)
    third = poll([spec], FAST, tmp_path, now=clock).reports[0]
    assert (third.stale, third.fetched_at, third.page) == (
        True,
        T0 + timedelta(minutes=1),
        second.page,
    )


def test_a_poll_reads_every_pages_validators_ahead_in_one_query(
    loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = [_spec(loopback, f"ahead{n}") for n in range(3)]
    for n in range(3):
        loopback.route(_doc(f"ahead{n}"), SUMMARY, etag=True)
    poll(specs, FAST, tmp_path)
    from statuswatch.cachedb import CacheDB

    single: list[str] = []
    many: list[int] = []
    select, select_in = CacheDB.select, CacheDB.select_in
    monkeypatch.setattr(
        CacheDB, "select", lambda db, sql, p: single.append(sql) or select(db, sql, p)
    )
    monkeypatch.setattr(
        CacheDB,
        "select_in",
        lambda db, sql, keys: many.append(len(keys)) or select_in(db, sql, keys),
    )
    second = poll(specs, FAST, tmp_path)
    assert many == [3] and single == []  # one query, then none per page
    assert [loopback.hits(_doc(f"ahead{n}")) for n in range(3)] == [(1, 1)] * 3
    assert [r.page for r in second.reports] == [_expected_page()] * 3


def test_304_and_error_answers_keep_their_connection(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    # 40 providers, one request at a time: the one pooled connection must serve every later
    # request too, also when the answer was a 304 or a 404 with a body.
    specs = [_spec(loopback, f"p{i}") for i in range(40)]
    for i, spec in enumerate(specs):
        if i % 2:
            loopback.route(_doc(spec.id), SUMMARY, etag=True)
    one_at_a_time = dataclasses.replace(FAST, max_connections=1)
    poll(specs, one_at_a_time, tmp_path)
    loopback.connections = 0
    warm = poll(specs, one_at_a_time, tmp_path)
    assert [r.error is None for r in warm.reports] == [bool(i % 2) for i in range(40)]
    assert sum(loopback.hits(_doc(s.id))[1] for s in specs) == 20
    assert loopback.connections == 1


def test_changed_body_is_fetched_again(loopback: LoopbackServer, tmp_path: Path) -> None:
    spec = _spec(loopback, "chg")
    loopback.route(_doc("chg"), SUMMARY, etag=True)
    poll([spec], FAST, tmp_path)
    loopback.route(_doc("chg"), OPERATIONAL, etag=True)
    report = poll([spec], FAST, tmp_path).reports[0]
    assert report.page is not None and report.page.status is Status.OPERATIONAL
    assert loopback.hits(_doc("chg")) == (2, 0)
    etags = [h.get("if-none-match") for h in loopback.request_headers(_doc("chg"))]
    assert etags[0] is None and etags[1] is not None


def test_last_modified_gives_304(loopback: LoopbackServer, tmp_path: Path) -> None:
    spec = _spec(loopback, "lm")
    loopback.route(_doc("lm"), SUMMARY, last_modified="Sun, 01 Mar 2026 10:00:00 GMT")
    poll([spec], FAST, tmp_path)
    report = poll([spec], FAST, tmp_path).reports[0]
    assert report.page == _expected_page() and report.error is None
    assert loopback.hits(_doc("lm")) == (1, 1)
    headers = loopback.request_headers(_doc("lm"))[1]
    assert headers["if-modified-since"] == "Sun, 01 Mar 2026 10:00:00 GMT"


def test_corrupt_cache_entry_is_ignored_and_replaced(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    spec = _spec(loopback, "cc")
    loopback.route(_doc("cc"), SUMMARY, etag=True)
    poll([spec], FAST, tmp_path)
    cacherows.tamper(tmp_path, "UPDATE entries SET body = substr(body, 1, length(body) - 10)")
    report = poll([spec], FAST, tmp_path).reports[0]
    assert report.page == _expected_page() and report.error is None
    assert loopback.hits(_doc("cc")) == (2, 0)  # no validators sent from a corrupt file
    assert Cache(tmp_path).load(loopback.url(_doc("cc"))) is not None


def test_retry_after_is_honoured(loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.route(_doc("ra"), SUMMARY)
    loopback.fault(_doc("ra"), "503", retry_after=1, times=1)
    settings = HttpSettings(deadline=2.0, retries=2, backoff=0.01, retry_after_cap=2.0)
    started = time.monotonic()
    report = poll([_spec(loopback, "ra")], settings, tmp_path).reports[0]
    assert time.monotonic() - started >= 0.95  # it waited the second it was asked to
    assert report.page == _expected_page() and report.error is None
    assert loopback.requests(_doc("ra")) == 2


def test_retries_then_error_counts_attempts(loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.fault(_doc("r"), "429")
    settings = HttpSettings(deadline=2.0, retries=2, backoff=0.01)
    report = poll([_spec(loopback, "r")], settings, tmp_path).reports[0]
    assert report.error == FetchError(
        ErrorType.HTTP_STATUS, f"HTTP 429 from {loopback.url(_doc('r'))} (after 3 attempts)"
    )
    assert loopback.requests(_doc("r")) == 3


def test_retry_after_over_the_cap_fails_at_once(loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.fault(_doc("cap"), "503", retry_after=30)
    settings = HttpSettings(deadline=2.0, retries=3, retry_after_cap=2.0)
    report = poll([_spec(loopback, "cap")], settings, tmp_path).reports[0]
    url = loopback.url(_doc("cap"))
    assert report.error == FetchError(
        ErrorType.HTTP_STATUS,
        f"HTTP 503 from {url} (Retry-After 30): the server asks to retry after 30 s,"
        " longer than the 2 s we wait",
    )
    assert loopback.requests(_doc("cap")) == 1


def test_redirects_followed_up_to_the_limit(loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.redirect(_doc("moved"), "/hop1")
    loopback.redirect("/hop1", "/hop2")
    loopback.redirect("/hop2", loopback.url(_doc("final")), status=301)
    loopback.route(_doc("final"), SUMMARY)
    spec = _spec(loopback, "moved")
    ok = poll([spec], HttpSettings(max_redirects=3), tmp_path).reports[0]
    assert ok.page == _expected_page() and ok.error is None
    too_many = poll([spec], HttpSettings(max_redirects=2), tmp_path / "other").reports[0]
    assert too_many.error == FetchError(
        ErrorType.TOO_MANY_REDIRECTS, f"more than 2 redirects from {loopback.url(_doc('moved'))}"
    )


def test_per_host_limit(tmp_path: Path) -> None:
    with LoopbackServer() as one, LoopbackServer() as two:
        specs = []
        for srv, prefix in ((one, "a"), (two, "b")):
            for i in range(6):
                srv.route(_doc(f"{prefix}{i}"), SUMMARY, latency=0.15)
                specs.append(_spec(srv, f"{prefix}{i}"))
        settings = HttpSettings(max_connections=50, max_per_host=2)
        snapshot = poll(specs, settings, tmp_path)
        assert all(r.error is None for r in snapshot.reports)
        assert (one.max_concurrent, two.max_concurrent) == (2, 2)


def test_global_limit(loopback: LoopbackServer, tmp_path: Path) -> None:
    specs = []
    for i in range(8):
        loopback.route(_doc(f"g{i}"), SUMMARY, latency=0.15)
        specs.append(_spec(loopback, f"g{i}"))
    snapshot = poll(specs, HttpSettings(max_connections=3, max_per_host=50), tmp_path)
    assert all(r.error is None for r in snapshot.reports)
    assert loopback.max_concurrent == 3


def test_providers_run_concurrently(loopback: LoopbackServer, tmp_path: Path) -> None:
    specs = []
    for i in range(20):
        loopback.route(_doc(f"c{i}"), SUMMARY, latency=0.5)
        specs.append(_spec(loopback, f"c{i}"))
    poll(specs, HttpSettings(), tmp_path)
    assert loopback.max_concurrent == 20


def test_reports_keep_spec_order_while_on_report_follows_completion(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.route(_doc("slow"), SUMMARY, latency=0.4)
    loopback.route(_doc("fast"), SUMMARY)
    specs = [_spec(loopback, "slow"), _spec(loopback, "fast")]
    seen: list[str] = []
    snapshot = poll(specs, FAST, tmp_path, on_report=lambda r: seen.append(r.spec.id))
    assert [r.spec.id for r in snapshot.reports] == ["slow", "fast"]
    assert seen == ["fast", "slow"]


def test_connection_refused_is_data(tmp_path: Path) -> None:
    with LoopbackServer() as srv:
        spec = _spec(srv, "gone")
    # The server is stopped: nothing listens on its port any more.
    report = poll([spec], HttpSettings(retries=1, backoff=0.01), tmp_path).reports[0]
    assert report.error is not None and report.error.type is ErrorType.CONNECTION
    assert report.error.message.startswith(f"could not connect to {spec.url}{DOC}: ")
    assert report.error.message.endswith("(after 2 attempts)")


def test_empty_watch_list(tmp_path: Path) -> None:
    snapshot = poll([], FAST, tmp_path, now=Clock())
    assert (snapshot.generated_at, snapshot.reports) == (T0, ())


# -- a fake adapter, to reach the engine's own error paths -------------------------------------


def _fake_adapter(monkeypatch: pytest.MonkeyPatch, parse: object) -> None:
    module = types.ModuleType("statuswatch_test_fake_adapter")
    module.source_url = lambda url: url + "/doc.json"  # type: ignore[attr-defined]
    module.parse = parse  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(adapters.KINDS, "fake", module.__name__)


def test_an_adapter_whose_url_fails_is_its_providers_error_not_the_polls(
    loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_adapter(monkeypatch, lambda body, headers: None)

    def source_url(url: str) -> str:
        raise RuntimeError("no document here")

    monkeypatch.setattr(sys.modules["statuswatch_test_fake_adapter"], "source_url", source_url)
    loopback.route(_doc("fine"), SUMMARY)
    # The cache is read ahead for every page before the requests: this one's URL fails there
    # too, and still only its own report says so.
    bad, fine = poll(
        [_spec(loopback, "bad", kind="fake"), _spec(loopback, "fine")], FAST, tmp_path
    ).reports
    assert bad.error is not None and bad.error.type is ErrorType.INTERNAL
    assert "no document here" in bad.error.message
    assert fine.page == _expected_page() and fine.error is None


def test_adapter_bug_is_internal_and_others_complete(
    loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def parse(body: bytes, headers: Mapping[str, str]) -> Page:
        raise ZeroDivisionError("division by zero")

    _fake_adapter(monkeypatch, parse)
    loopback.route("/bug/doc.json", b"{}")
    loopback.route(_doc("fine"), SUMMARY)
    specs = [
        _spec(loopback, "bug", kind="fake"),
        _spec(loopback, "nokind", kind="nosuchkind"),
        _spec(loopback, "fine"),
    ]
    bug, nokind, fine = poll(specs, FAST, tmp_path).reports
    url = loopback.url("/bug/doc.json")
    assert bug.error == FetchError(
        ErrorType.INTERNAL, f"internal error for {url}: division by zero"
    )
    assert nokind.error == FetchError(ErrorType.INTERNAL, "no adapter for kind 'nosuchkind'")
    assert fine.page == _expected_page() and fine.error is None


def test_parse_error_on_an_html_answer_is_format_changed(
    loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def parse(body: bytes, headers: Mapping[str, str]) -> Page:
        raise ParseError("expected JSON")

    _fake_adapter(monkeypatch, parse)
    loopback.route("/h/doc.json", "<html></html>", content_type="text/html; charset=utf-8")
    report = poll([_spec(loopback, "h", kind="fake")], FAST, tmp_path).reports[0]
    assert report.error == FetchError(
        ErrorType.FORMAT_CHANGED,
        f"{loopback.url('/h/doc.json')} answered with an HTML page: expected JSON",
    )


def test_304_for_a_cached_body_that_no_longer_parses_drops_it(
    loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    verdict = {"ok": True}

    def parse(body: bytes, headers: Mapping[str, str]) -> Page:
        if not verdict["ok"]:
            raise ParseError("now unreadable")
        return Page(status=Status(json.loads(body)["status"]))

    _fake_adapter(monkeypatch, parse)
    loopback.route("/e/doc.json", {"status": "operational"}, etag=True)
    spec = _spec(loopback, "e", kind="fake")
    assert poll([spec], FAST, tmp_path).reports[0].status is Status.OPERATIONAL
    verdict["ok"] = False
    report = poll([spec], FAST, tmp_path).reports[0]
    url = loopback.url("/e/doc.json")
    assert report == ProviderReport(
        spec,
        None,
        None,
        error=FetchError(ErrorType.PARSE_ERROR, f"could not read {url}: now unreadable"),
    )
    assert loopback.hits("/e/doc.json") == (1, 1)
    assert Cache(tmp_path).load(url) is None  # so the next run fetches the body again


def test_mock_transport_and_poll_all(tmp_path: Path) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json=SUMMARY)

    import asyncio

    spec = ProviderSpec(id="m", name="M", kind="statuspage", url="https://status.example.com")
    snapshot = asyncio.run(
        poll_all([spec], FAST, tmp_path, transport=httpx.MockTransport(handler), now=Clock())
    )
    assert snapshot.reports == (ProviderReport(spec, _expected_page(), fetched_at=T0),)
    assert seen == ["https://status.example.com/api/v2/summary.json"]


def test_on_report_exception_propagates_after_cleanup(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.route(_doc("x"), SUMMARY)
    loopback.route(_doc("y"), SUMMARY, latency=0.3)

    def explode(report: ProviderReport) -> None:
        raise RuntimeError("front end bug")

    with pytest.raises(RuntimeError, match="front end bug"):
        poll([_spec(loopback, "x"), _spec(loopback, "y")], FAST, tmp_path, on_report=explode)


# -- TLS -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    pair = make_certificate(tmp_path_factory.mktemp("tls"))
    if pair is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    return pair


def test_untrusted_certificate_is_a_tls_error(
    certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    with LoopbackServer(tls=certificate) as srv:
        srv.route(_doc("tls"), SUMMARY)
        spec = _spec(srv, "tls")
        assert spec.url.startswith("https://127.0.0.1:")
        report = poll([spec], HttpSettings(retries=2), tmp_path).reports[0]
        assert srv.requests(_doc("tls")) == 0
    assert report.error is not None and report.error.type is ErrorType.TLS
    assert report.error.message.startswith(f"TLS failure with {spec.url}{DOC}: ")
    assert "CERTIFICATE_VERIFY_FAILED" in report.error.message


def test_ssl_cert_file_is_trusted_even_after_a_redirect_from_http(
    certificate: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    with LoopbackServer(tls=certificate) as secure, LoopbackServer() as plain:
        secure.route(_doc("s"), SUMMARY)
        plain.redirect(_doc("p"), secure.url(_doc("s")), status=301)
        # Only an http URL: the CA bundle must still be loaded when the redirect leads to https.
        report = poll([_spec(plain, "p")], FAST, tmp_path).reports[0]
        assert secure.hits(_doc("s")) == (1, 0)
    assert (report.error, report.page) == (None, _expected_page())


def test_a_304_confirms_the_cached_entry_without_rewriting_it(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    spec = _spec(loopback, "kept")
    loopback.route(_doc("kept"), SUMMARY, etag='"v1"')
    clock = Clock()
    poll([spec], FAST, tmp_path, now=clock)
    url = spec.url + "/api/v2/summary.json"
    written = cacherows.row(tmp_path, url)
    assert written is not None and written["confirmed_at"] is None
    clock.when = T0 + timedelta(minutes=1)
    poll([spec], FAST, tmp_path, now=clock)
    confirmed = cacherows.row(tmp_path, url)
    assert confirmed is not None
    assert confirmed.pop("confirmed_at") == (T0 + timedelta(minutes=1)).isoformat()
    assert {**confirmed, "confirmed_at": None} == written  # not rewritten: same ETag
    assert loopback.hits(_doc("kept")) == (1, 1)


def test_a_304_with_new_validators_rewrites_the_cached_entry(tmp_path: Path) -> None:
    body = json.dumps(SUMMARY).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304, headers={"ETag": '"v2"'})  # same body, a new tag
        return httpx.Response(200, content=body, headers={"ETag": '"v1"'})

    spec = ProviderSpec(id="x", name="X", kind="statuspage", url="https://x.example")
    url = "https://x.example/api/v2/summary.json"
    clock = Clock()
    poll([spec], FAST, tmp_path, transport=httpx.MockTransport(handler), now=clock)
    clock.when = T0 + timedelta(minutes=1)
    second = poll([spec], FAST, tmp_path, transport=httpx.MockTransport(handler), now=clock)
    assert second.reports[0].page == _expected_page()
    entry = Cache(tmp_path).load(url)
    assert entry is not None
    assert (entry.etag, entry.body, entry.fetched_at) == ('"v2"', body, T0 + timedelta(minutes=1))


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_during_a_poll_and_restored(enabled: bool, tmp_path: Path) -> None:
    import gc

    seen: list[bool] = []
    spec = ProviderSpec(id="x", name="X", kind="statuspage", url="https://x.example")
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json=SUMMARY))
    before = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        poll([spec], FAST, tmp_path, transport=transport,
             on_report=lambda r: seen.append(gc.isenabled()))  # fmt: skip
        assert (seen, gc.isenabled()) == ([False], enabled)
    finally:
        (gc.enable if before else gc.disable)()


def test_what_is_frozen_after_a_poll_is_reclaimed_when_asked() -> None:
    import gc
    import weakref

    from statuswatch.collector import collector_paused

    class Node:
        pass

    with collector_paused(freeze=True):
        node = Node()
        node.loop = node  # type: ignore[attr-defined]  # a cycle, as a closed transport's
        ref = weakref.ref(node)
        del node
    gc.collect()
    assert ref() is not None  # frozen: no pass looks at it
    with collector_paused(reclaim=True):
        assert ref() is None  # unfrozen and collected before the block
    assert gc.get_freeze_count() == 0


def test_a_one_shot_poll_freezes_what_it_built_and_every_tenth_takes_back_the_cycles(
    loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loopback.route(_doc("g"), SUMMARY)
    unfrozen: list[int] = []
    real_unfreeze = gc.unfreeze

    def unfreeze() -> None:
        unfrozen.append(gc.get_freeze_count())
        real_unfreeze()

    monkeypatch.setattr(gc, "unfreeze", unfreeze)
    monkeypatch.setattr(source, "_ONE_SHOT_POLLS", itertools.count(1))
    was_enabled = gc.isenabled()
    try:
        for n in range(1, 11):
            snapshot = source.poll_once([_spec(loopback, "g")], FAST, tmp_path)
            assert snapshot.reports[0].error is None
            # The collector is back as it was, and the poll's objects are out of its passes.
            assert gc.isenabled() is was_enabled
            assert gc.get_freeze_count() > 0
            assert len(unfrozen) == (1 if n == 10 else 0)
    finally:
        real_unfreeze()


def _left_for_the_collector(run: Callable[[], object]) -> list[str]:
    """The types of the objects `run` leaves in reference cycles (the collector kept off)."""
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        run()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        return sorted({type(o).__name__ for o in gc.garbage})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()


@pytest.mark.parametrize("secure", [False, True], ids=["http", "https"])
def test_a_poll_leaves_no_reference_cycle_for_the_collector(
    secure: bool, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # Python 3.11's socket transports keep a cycle through their read callback once closed;
    # `serve` freezes what a poll made, so each poll's 7 objects a connection stayed until
    # its tenth. Every page on its own connection, some of them twice (fresh, then a 304).
    tls = request.getfixturevalue("certificate") if secure else None
    with LoopbackServer(tls=tls) as srv:
        if tls is not None:
            monkeypatch = request.getfixturevalue("monkeypatch")
            monkeypatch.setenv("SSL_CERT_FILE", str(tls[0]))
        specs = []
        for n in range(6):
            srv.route(_doc(f"c{n}"), SUMMARY, etag='"v1"')
            specs.append(_spec(srv, f"c{n}"))
        poll(specs, FAST, tmp_path)  # imports and first-time set-up out of the way
        found = _left_for_the_collector(lambda: poll(specs, FAST, tmp_path))
        assert srv.hits(_doc("c0")) == (1, 1)
    assert found == []
