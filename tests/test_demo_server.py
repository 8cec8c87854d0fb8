"""The demo's loopback server, tested like any HTTP fixture: real requests on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from statuswatch.demo import scenarios
from statuswatch.demo.clock import ScenarioClock
from statuswatch.demo.server import DemoServer
from statuswatch.demo.session import config_text, open_session
from statuswatch.model import Status
from statuswatch.poll import poll


class Real:
    """A settable monotonic clock."""

    def __init__(self) -> None:
        self.value = 0.0

    def __call__(self) -> float:
        return self.value


@pytest.fixture
def served() -> Iterator[tuple[DemoServer, Real]]:
    scenario = scenarios.load("cloudflare-2025-11-18")
    real = Real()
    with DemoServer(scenario, ScenarioClock(scenario.start, 60, monotonic=real)) as server:
        yield server, real


def test_documents_answer_with_type_etag_and_the_scenario_date(
    served: tuple[DemoServer, Real],
) -> None:
    server, _ = served
    assert server.base_url.startswith("http://127.0.0.1:")
    with httpx.Client() as client:
        answer = client.get(server.document_url("cloudflare"))
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/json"
        assert answer.headers["date"] == "Tue, 18 Nov 2025 11:15:00 GMT"
        assert answer.json()["status"]["indicator"] == "none"
        etag = answer.headers["etag"]
        again = client.get(server.document_url("cloudflare"), headers={"If-None-Match": etag})
        assert (again.status_code, again.content) == (304, b"")
        assert server.document_url("aws").endswith("/aws/public/currentevents")
        aws = client.get(server.document_url("aws"))
        assert aws.content[:2] == b"\xfe\xff"
        gcp = client.get(server.document_url("google-cloud"))
        assert gcp.json() == []
        assert client.get(server.base_url + "/nope/api/v2/summary.json").status_code == 404
        assert client.get(server.page_url("cloudflare") + "/other.json").status_code == 404
        assert client.get(server.page_url("cloudflare") + "/incidents/zzz").status_code == 404
        index = client.get(server.base_url + "/")
        assert index.headers["content-type"] == "text/html; charset=utf-8"
        assert "Cloudflare global outage" in index.text
    assert server.requests["/cloudflare/api/v2/summary.json"] == 2


def test_answers_follow_the_clock(served: tuple[DemoServer, Real]) -> None:
    server, real = served
    with httpx.Client() as client:
        first = client.get(server.document_url("cloudflare"))
        real.value = 75 * 60 / 60  # 75 scenario minutes later: 12:30
        second = client.get(server.document_url("cloudflare"))
        assert second.headers["date"] == "Tue, 18 Nov 2025 12:30:00 GMT"
        assert second.headers["etag"] != first.headers["etag"]
        document = second.json()
        assert document["status"]["indicator"] == "critical"
        (incident,) = document["incidents"]
        page = client.get(incident["shortlink"])
        assert page.status_code == 200
        assert "Cloudflare Global Network experiencing issues" in page.text
        # A conditional request with the old ETag gets the new body.
        third = client.get(
            server.document_url("cloudflare"), headers={"If-None-Match": first.headers["etag"]}
        )
        assert third.status_code == 200


def test_stop_frees_the_port() -> None:
    scenario = scenarios.load("cloudflare-2025-11-18")
    server = DemoServer(scenario, ScenarioClock(scenario.start, 0)).start()
    url = server.document_url("github")
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2)
    with pytest.raises(RuntimeError):
        _ = server.base_url


def test_session_goes_through_the_normal_config() -> None:
    scenario = scenarios.load("aws-us-east-1-2025-10-20")
    clock = ScenarioClock(scenario.peak, 0)
    with open_session(scenario, clock) as session:
        text = config_text(scenario, session.server)
        assert text.startswith("# statuswatch demo: aws-us-east-1-2025-10-20, served by http")
        assert session.config.path.name == "config.toml"
        assert session.config.path.read_text() == text
        assert [s.id for s in session.specs] == [p.id for p in scenario.providers]
        by_id = {s.id: s for s in session.specs}
        assert by_id["aws"].kind == "aws"
        assert by_id["aws"].url == session.server.document_url("aws")
        assert by_id["cloudflare"].url == session.server.page_url("cloudflare")
        assert all(s.feed is None for s in session.specs)
        assert all(s.url.startswith("http://127.0.0.1:") for s in session.specs)
        workdir = session.cache_dir.parent
        snapshot = poll(session.specs, session.config.http, session.cache_dir, now=clock.now)
        statuses = {r.spec.id: r.status for r in snapshot.reports}
        assert all(r.error is None for r in snapshot.reports)
        assert statuses["epic-games"] is Status.MAJOR_OUTAGE
        assert statuses["canva"] is Status.PARTIAL_OUTAGE
        assert statuses["aws"].is_problem
        assert statuses["github"] is Status.OPERATIONAL
        assert snapshot.generated_at == scenario.peak
        assert any(session.cache_dir.iterdir())  # the private cache was used
    assert not workdir.exists()
