"""The engine with the new platforms: several documents per page, and providers that moved."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from loopback import LoopbackServer

from statuswatch.model import ErrorType, Phase, ProviderSpec, Status
from statuswatch.poll import poll
from statuswatch.settings import MIB, HttpSettings

FIXTURES = Path(__file__).parent / "fixtures"
SUMMARY = (FIXTURES / "instatus" / "summary-issues.json").read_bytes()
COMPONENTS = (FIXTURES / "instatus" / "components-issues.json").read_bytes()
INCIDENTIO = (FIXTURES / "incidentio" / "summary-active.json").read_bytes()
STATUSPAGE = (FIXTURES / "statuspage" / "summary-chicago.json").read_bytes()
AWS = (FIXTURES / "aws" / "currentevents-active.json").read_bytes()
T0 = datetime(2025, 11, 18, 12, 0, tzinfo=UTC)
FAST = HttpSettings(connect_timeout=2.0, read_timeout=2.0, deadline=2.0, retries=0, max_body=MIB)


def _clock() -> datetime:
    return T0


def _instatus(srv: LoopbackServer) -> ProviderSpec:
    srv.route("/rw/summary.json", SUMMARY, etag=True)
    srv.route("/rw/v2/components.json", COMPONENTS, last_modified=True)
    return ProviderSpec(id="railway", name="Railway", kind="instatus", url=srv.url("/rw"))


def test_instatus_reads_both_documents_into_one_page(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    spec = _instatus(loopback)
    (report,) = poll([spec], FAST, tmp_path, now=_clock).reports
    assert (report.error, report.stale, report.fetched_at) == (None, False, T0)
    assert report.page is not None
    assert report.status is Status.PARTIAL_OUTAGE
    assert [c.name for c in report.page.components] == ["Deploys", "Dashboard", "Edge Network"]
    assert [i.title for i in report.page.incidents] == ["Deploys are slow"]
    assert loopback.hits("/rw/summary.json") == (1, 0)
    assert loopback.hits("/rw/v2/components.json") == (1, 0)


def test_each_document_revalidates_with_its_own_validators(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    spec = _instatus(loopback)
    first = poll([spec], FAST, tmp_path, now=_clock).reports[0]
    second = poll([spec], FAST, tmp_path, now=_clock).reports[0]
    assert loopback.hits("/rw/summary.json") == (1, 1)  # ETag
    assert loopback.hits("/rw/v2/components.json") == (1, 1)  # Last-Modified
    headers = loopback.request_headers("/rw/summary.json")[1]
    assert headers["if-none-match"].startswith('"')
    assert "if-modified-since" in loopback.request_headers("/rw/v2/components.json")[1]
    assert second.page == first.page and second.error is None


def test_one_failed_document_fails_the_provider_with_the_last_good_page(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    spec = _instatus(loopback)
    first = poll([spec], FAST, tmp_path, now=_clock).reports[0]
    loopback.fault("/rw/v2/components.json", "500")
    second = poll([spec], FAST, tmp_path, now=_clock).reports[0]
    assert second.error is not None
    assert second.error.type is ErrorType.HTTP_STATUS
    assert second.error.message == f"HTTP 500 from {loopback.url('/rw/v2/components.json')}"
    assert (second.stale, second.page, second.status) == (True, first.page, Status.UNKNOWN)


def test_without_any_cache_a_failed_document_is_just_the_error(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    spec = _instatus(loopback)
    loopback.fault("/rw/summary.json", "reset")
    (report,) = poll([spec], FAST, tmp_path, now=_clock).reports
    assert (report.page, report.stale, report.fetched_at) == (None, False, None)
    assert report.error is not None and report.error.type is ErrorType.CONNECTION


def test_a_statuspage_entry_answering_incidentio_is_read_and_not_an_outage(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    # OpenAI moved from Statuspage to incident.io; the summary kept its shape: parsed as it is.
    loopback.route("/moved/api/v2/summary.json", INCIDENTIO)
    spec = ProviderSpec(id="moved", name="Moved", kind="statuspage", url=loopback.url("/moved"))
    (report,) = poll([spec], FAST, tmp_path, now=_clock).reports
    assert report.error is None and report.page is not None
    assert report.status is Status.PARTIAL_OUTAGE  # what its own indicator ("major") says
    assert [i.phase for i in report.page.incidents] == [Phase.IDENTIFIED]


def test_a_provider_answering_another_platforms_format_is_unknown_with_advice(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.route("/slack/api/v2.0.0/current", STATUSPAGE)
    spec = ProviderSpec(id="slack", name="Slack", kind="slack", url=loopback.url("/slack"))
    (report,) = poll([spec], FAST, tmp_path, now=_clock).reports
    assert report.status is Status.UNKNOWN and report.page is None
    assert report.error is not None and report.error.type is ErrorType.FORMAT_CHANGED
    url = loopback.url("/slack/api/v2.0.0/current")
    assert report.error.message == (
        f"could not read {url}: the page answered in Atlassian Statuspage's format where Slack "
        f"was expected; if the provider moved, `statuswatch add {spec.url}` detects its format"
    )


def test_a_provider_answering_html_is_unknown_never_an_outage(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.route("/aws/public/currentevents", AWS, etag=True)
    spec = ProviderSpec(id="aws", name="AWS", kind="aws", url=loopback.url("/aws"))
    first = poll([spec], FAST, tmp_path, now=_clock).reports[0]
    assert first.status is Status.PARTIAL_OUTAGE
    loopback.route(
        "/aws/public/currentevents",
        "<!DOCTYPE html><html><body>We moved</body></html>",
        content_type="text/html",
    )
    second = poll([spec], FAST, tmp_path, now=_clock).reports[0]
    assert second.status is Status.UNKNOWN and second.stale is True
    assert second.error is not None and second.error.type is ErrorType.FORMAT_CHANGED
    assert "answered with an HTML page where AWS Health Dashboard JSON" in second.error.message
    assert second.error.message.endswith(f"`statuswatch add {spec.url}` detects its format")
