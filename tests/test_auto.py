"""`kind = "auto"`: detected on the first poll, remembered in the cache, detected again when the
page stops matching; an unrecognisable page is unknown with the reason, never an outage."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import cacherows
import pytest
from loopback import LoopbackServer

from statuswatch.auto import recall
from statuswatch.cache import Cache
from statuswatch.cli import main
from statuswatch.model import ErrorType, ProviderSpec, Status
from statuswatch.poll import poll
from statuswatch.settings import MIB, HttpSettings

FIXTURES = Path(__file__).parent / "fixtures"
STATUSPAGE = (FIXTURES / "statuspage" / "summary-chicago.json").read_bytes()
HTML = b"<!DOCTYPE html><html><head><title>Acme Status</title></head><body>ok</body></html>"
INSTATUS_SUMMARY = {"page": {"name": "Acme", "url": "https://acme.example", "status": "UP"}}
INSTATUS_COMPONENTS = {
    "components": [{"id": "c1", "name": "API", "status": "OPERATIONAL", "group": None}]
}
T0 = datetime(2025, 11, 18, 12, 0, tzinfo=UTC)
FAST = HttpSettings(connect_timeout=2.0, read_timeout=2.0, deadline=2.0, retries=0, max_body=MIB)


def _clock() -> datetime:
    return T0


def _serve_statuspage(srv: LoopbackServer) -> ProviderSpec:
    srv.route("/acme", HTML, content_type="text/html")
    srv.route("/acme/api/v2/summary.json", STATUSPAGE)
    return ProviderSpec(id="acme", name="Acme", kind="auto", url=srv.url("/acme"))


def _serve_instatus_instead(srv: LoopbackServer) -> None:
    srv.route("/acme/api/v2/summary.json", b"Not Found", status=404, content_type="text/plain")
    srv.route("/acme/summary.json", INSTATUS_SUMMARY)
    srv.route("/acme/v2/components.json", INSTATUS_COMPONENTS)


def test_first_poll_detects_and_remembers(loopback: LoopbackServer, tmp_path: Path) -> None:
    spec = _serve_statuspage(loopback)
    (report,) = poll([spec], FAST, tmp_path, now=_clock).reports
    assert report.error is None and report.page is not None
    # Read as Statuspage: its own indicator decides (summary-chicago.json says "minor").
    assert (report.spec.kind, report.spec.url, report.spec.id) == ("statuspage", spec.url, "acme")
    assert report.status is Status.DEGRADED
    remembered = recall(Cache(tmp_path), spec.url)
    assert remembered is not None and (remembered.kind, remembered.url) == ("statuspage", spec.url)
    # Later polls read the remembered platform: the page itself is not asked again.
    asked = loopback.requests("/acme")
    (again,) = poll([spec], FAST, tmp_path, now=_clock).reports
    assert (again.spec.kind, again.status, again.error) == ("statuspage", report.status, None)
    assert loopback.requests("/acme") == asked


def test_a_page_now_on_instatus_is_detected_again(loopback: LoopbackServer, tmp_path: Path) -> None:
    spec = _serve_statuspage(loopback)
    poll([spec], FAST, tmp_path, now=_clock)
    _serve_instatus_instead(loopback)
    (report,) = poll([spec], FAST, tmp_path, now=_clock).reports
    assert report.error is None and report.page is not None
    assert (report.spec.kind, report.status) == ("instatus", Status.OPERATIONAL)
    assert report.page.description == (
        "detected again: the page moved from Atlassian Statuspage to Instatus (Instatus's format)"
    )
    remembered = recall(Cache(tmp_path), spec.url)
    assert remembered is not None and remembered.kind == "instatus"


def test_a_page_answering_html_where_its_document_was_is_detected_again(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    spec = _serve_statuspage(loopback)
    poll([spec], FAST, tmp_path, now=_clock)
    loopback.route("/acme/api/v2/summary.json", HTML, content_type="text/html")
    loopback.route("/acme/summary.json", INSTATUS_SUMMARY)
    loopback.route("/acme/v2/components.json", INSTATUS_COMPONENTS)
    (report,) = poll([spec], FAST, tmp_path, now=_clock).reports
    assert (report.spec.kind, report.status, report.error) == ("instatus", Status.OPERATIONAL, None)


def test_an_unrecognisable_page_is_unknown_with_the_reason(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.route("/blog", HTML, content_type="text/html")
    spec = ProviderSpec(id="blog", name="Blog", kind="auto", url=loopback.url("/blog"))
    (report,) = poll([spec], FAST, tmp_path, now=_clock).reports
    assert (report.status, report.page, report.spec.kind) == (Status.UNKNOWN, None, "auto")
    assert report.error is not None and report.error.type is ErrorType.PARSE_ERROR
    assert report.error.message.startswith(
        f"could not recognise the platform of {spec.url}: {spec.url} is not a status page "
        f"statuswatch can read (tried {spec.url}: an HTML page; "
    )
    assert recall(Cache(tmp_path), spec.url) is None
    # For an hour that finding stands: the page is not asked for every platform's document
    # on every poll.
    asked = loopback.requests("/blog/api/v2/summary.json")
    (again,) = poll([spec], FAST, tmp_path, now=_clock).reports
    assert loopback.requests("/blog/api/v2/summary.json") == asked
    assert again.error is not None and again.error.type is ErrorType.PARSE_ERROR
    assert again.error.message.endswith("UTC; tried again an hour after)")
    assert again.status is Status.UNKNOWN


def test_an_unreachable_page_is_tried_again_on_the_next_poll(tmp_path: Path) -> None:
    spec = ProviderSpec(id="gone", name="Gone", kind="auto", url="http://127.0.0.1:9/status")
    (report,) = poll([spec], FAST, tmp_path, now=_clock).reports
    assert report.error is not None and report.error.type is ErrorType.CONNECTION
    assert report.status is Status.UNKNOWN
    assert Cache(tmp_path).load(f"auto-unrecognised:{spec.url}") is None  # not remembered


def test_a_page_that_stops_answering_keeps_its_platform_and_last_page(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    spec = _serve_statuspage(loopback)
    first = poll([spec], FAST, tmp_path, now=_clock).reports[0]
    loopback.route("/acme/api/v2/summary.json", b"down", status=503, content_type="text/plain")
    (report,) = poll([spec], FAST, tmp_path, now=_clock).reports
    # An outage of the page is not a change of platform: no detection, the last page kept.
    assert (report.spec.kind, report.status, report.stale) == ("statuspage", Status.UNKNOWN, True)
    assert report.page == first.page
    assert report.error is not None and report.error.type is ErrorType.HTTP_STATUS
    assert recall(Cache(tmp_path), spec.url) is not None


def test_a_page_gone_for_good_is_unknown_and_forgotten(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    spec = _serve_statuspage(loopback)
    poll([spec], FAST, tmp_path, now=_clock)
    loopback.route("/acme/api/v2/summary.json", HTML, content_type="text/html")
    (report,) = poll([spec], FAST, tmp_path, now=_clock).reports
    assert report.status is Status.UNKNOWN and report.stale is True
    assert report.error is not None and report.error.type is ErrorType.FORMAT_CHANGED
    assert report.error.message.startswith(
        f"{spec.url} no longer answers as it did (statuspage), and no platform statuswatch "
        "reads was found there: "
    )
    assert recall(Cache(tmp_path), spec.url) is None


def test_a_corrupt_memory_is_no_memory(loopback: LoopbackServer, tmp_path: Path) -> None:
    spec = _serve_statuspage(loopback)
    poll([spec], FAST, tmp_path, now=_clock)
    cache = Cache(tmp_path)
    cacherows.tamper(
        tmp_path,
        "UPDATE entries SET body = CAST(replace(CAST(body AS TEXT), '\"statuspage\"', '\"ftp\"')"
        " AS BLOB), size = size - 7 WHERE url = ?",
        f"auto:{spec.url}",
    )
    assert recall(cache, spec.url) is None
    (report,) = poll([spec], FAST, tmp_path, now=_clock).reports
    assert report.spec.kind == "statuspage"  # detected afresh


def test_auto_entries_through_json(
    loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    spec = _serve_statuspage(loopback)
    config = tmp_path / "config.toml"
    config.write_text(
        f'watch = ["acme"]\n[providers.acme]\nname = "Acme"\nkind = "auto"\nurl = "{spec.url}"\n'
    )
    monkeypatch.setenv("STATUSWATCH_CONFIG", str(config))
    assert main(["--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)["providers"]
    assert (entry["id"], entry["kind"], entry["status"], entry["error"]) == (
        "acme",
        "statuspage",
        "degraded",
        None,
    )
    _serve_instatus_instead(loopback)
    assert main(["--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)["providers"]
    assert (entry["kind"], entry["status"]) == ("instatus", "operational")
