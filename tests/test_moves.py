"""A provider whose page moved to another platform is reported as moved, with the new entry."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from loopback import LoopbackServer
from test_fault_matrix import page_path, source_urls

from statuswatch import adapters
from statuswatch.model import ErrorType, ProviderSpec, Status
from statuswatch.moves import suggested_entry
from statuswatch.poll import poll
from statuswatch.settings import MIB, HttpSettings

FIXTURES = Path(__file__).parent / "fixtures"
STATUSPAGE = (FIXTURES / "statuspage" / "summary-chicago.json").read_bytes()
BETTERSTACK = (FIXTURES / "betterstack" / "index-downtime.json").read_bytes()
HTML = b"<!DOCTYPE html><html><head><title>Acme Status</title></head><body>ok</body></html>"
INSTATUS_SUMMARY = {"page": {"name": "Acme", "url": "https://acme.example", "status": "UP"}}
INSTATUS_COMPONENTS = {"components": [{"id": "c1", "name": "API", "status": "OPERATIONAL"}]}
T0 = datetime(2025, 11, 18, 12, 0, tzinfo=UTC)
FAST = HttpSettings(connect_timeout=2.0, read_timeout=2.0, deadline=2.0, retries=0, max_body=MIB)


def _clock() -> datetime:
    return T0


def _statuspage(srv: LoopbackServer) -> ProviderSpec:
    srv.route("/acme", HTML, content_type="text/html")
    srv.route("/acme/api/v2/summary.json", STATUSPAGE)
    return ProviderSpec(id="acme", name="Acme", kind="statuspage", url=srv.url("/acme"))


def test_a_page_answering_another_platform_is_moved_with_its_new_entry(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    spec = _statuspage(loopback)
    first = poll([spec], FAST, tmp_path, now=_clock).reports[0]
    assert first.error is None
    # The same address now serves an Instatus page: Statuspage's document is an HTML page.
    loopback.route("/acme/api/v2/summary.json", HTML, content_type="text/html")
    loopback.route("/acme/summary.json", INSTATUS_SUMMARY)
    loopback.route("/acme/v2/components.json", INSTATUS_COMPONENTS)
    (report,) = poll([spec], FAST, tmp_path, now=_clock).reports
    assert report.status is Status.UNKNOWN  # news, never an outage
    assert report.error is not None and report.error.type is ErrorType.MOVED
    assert report.error.message == (
        f"moved: {spec.url} now answers as Instatus (Instatus's format); suggested entry: "
        f'[providers.acme] kind = "instatus", url = "{spec.url}"'
    )
    # The page read where it now is comes with it.
    assert report.page is not None and [c.name for c in report.page.components] == ["API"]


def test_a_page_redirected_to_another_platform_is_moved(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    spec = _statuspage(loopback)
    poll([spec], FAST, tmp_path, now=_clock)
    # The whole page now redirects to a Better Stack page elsewhere; its old document is gone.
    loopback.redirect("/acme", loopback.url("/bs"), status=301)
    loopback.redirect("/acme/api/v2/summary.json", loopback.url("/bs/api/v2/summary.json"))
    loopback.route("/bs", HTML, content_type="text/html")
    loopback.route("/bs/index.json", BETTERSTACK)
    (report,) = poll([spec], FAST, tmp_path, now=_clock).reports
    assert report.error is not None and report.error.type is ErrorType.MOVED
    assert report.error.message.endswith(
        f'suggested entry: [providers.acme] kind = "betterstack", url = "{loopback.url("/bs")}"'
    )
    assert report.status is Status.UNKNOWN


def test_a_page_that_only_fails_is_not_moved(loopback: LoopbackServer, tmp_path: Path) -> None:
    spec = _statuspage(loopback)
    loopback.route("/acme/api/v2/summary.json", HTML, content_type="text/html")
    (report,) = poll([spec], FAST, tmp_path, now=_clock).reports
    # Nothing readable anywhere there: the format change is reported as it was.
    assert report.error is not None and report.error.type is ErrorType.FORMAT_CHANGED
    assert report.error.message.endswith(f"`statuswatch add {spec.url}` detects its format")


def test_suggested_entries_quote_what_toml_must() -> None:
    assert suggested_entry("status.io-x", "feed", 'https://a.example/"x"') == (
        '[providers."status.io-x"] kind = "feed", url = "https://a.example/\\"x\\""'
    )


@pytest.mark.parametrize("kind", adapters.kinds())
def test_every_kind_reports_a_move_to_another_platform(
    kind: str, loopback: LoopbackServer, tmp_path: Path
) -> None:
    # A provider of each kind whose documents now answer with an HTML page, while the page's
    # address serves another platform (Instatus; Statuspage for Instatus's own entries).
    page_url = loopback.url(page_path(kind, f"moved-{kind}"))
    for url in source_urls(kind, page_url):
        loopback.route(_path(url), HTML, content_type="text/html")
    prefix = page_url.removeprefix(loopback.url("")).rstrip("/")
    if kind == "instatus":
        loopback.route(f"{prefix}/api/v2/summary.json", STATUSPAGE)
        new_kind = "statuspage"
    else:
        loopback.route(f"{prefix}/summary.json", INSTATUS_SUMMARY)
        loopback.route(f"{prefix}/v2/components.json", INSTATUS_COMPONENTS)
        new_kind = "instatus"
    spec = ProviderSpec(id="p", name="P", kind=kind, url=page_url)
    (report,) = poll([spec], FAST, tmp_path, now=_clock).reports
    assert report.status is Status.UNKNOWN
    assert report.error is not None and report.error.type is ErrorType.MOVED, report.error
    assert report.error.message.endswith(
        f'suggested entry: [providers.p] kind = "{new_kind}", url = "{page_url.rstrip("/")}"'
    )


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3].split("?", 1)[0]
