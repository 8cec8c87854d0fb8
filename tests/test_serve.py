"""The server's endpoints against real loopback status pages: status, metrics, health, SSE, auth."""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from loopback import LoopbackServer
from notify_helpers import incident_stages
from prometheus_client.parser import text_string_to_metric_families
from schema_check import assert_valid
from serve_helpers import SUMMARY, ServedPages

from statuswatch.document.write import dumps, snapshot_document
from statuswatch.serve.server import ServeSettings
from statuswatch.serverclient import ServerClient, ServerError, ServerEvent

TOKEN = "s3cret-token-for-tests"
FIRST = 1_000
STAGES = incident_stages()
PLAIN = {"Accept-Encoding": "identity"}


@pytest.fixture
def served(loopback: LoopbackServer, tmp_path: Path) -> Iterator[ServedPages]:
    with ServedPages(loopback, ["ex", "down"], tmp_path / "cache", first_event_id=FIRST) as s:
        s.page("ex", STAGES[0])
        loopback.fault(f"/down{SUMMARY}", "500")
        yield s


def _raw(url: str, data: bytes, read: int = 65536) -> bytes:
    """Send raw bytes to the server and return everything it answers until it closes."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(read):
            chunks.append(chunk)
    return b"".join(chunks)


# --- /v1/status ---------------------------------------------------------------------------------


def test_status_is_the_json_document_of_the_last_poll(served: ServedPages) -> None:
    snapshot = served.poll()
    response = httpx.get(served.url + "/v1/status", headers=PLAIN)
    assert response.status_code == 200
    assert response.content == dumps(snapshot_document(snapshot)).encode()
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert "content-encoding" not in response.headers
    document = response.json()
    assert_valid(document)
    assert [(p["id"], p["status"]) for p in document["providers"]] == [
        ("ex", "operational"),
        ("down", "unknown"),
    ]
    assert document["providers"][1]["error"]["type"] == "http_status"


def test_status_answers_304_to_its_etag_and_gzip_when_asked(served: ServedPages) -> None:
    served.poll()
    plain = httpx.get(served.url + "/v1/status", headers=PLAIN)
    etag = plain.headers["etag"]
    again = httpx.get(served.url + "/v1/status", headers={"If-None-Match": etag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    zipped = httpx.get(served.url + "/v1/status", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content  # httpx decodes it
    raw = _raw(
        served.url,
        b"GET /v1/status HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n",
    )
    head, _, body = raw.partition(b"\r\n\r\n")
    assert b"\r\nContent-Encoding: gzip\r\n" in head
    assert gzip.decompress(body) == plain.content
    refused = httpx.get(served.url + "/v1/status", headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


def test_a_new_poll_changes_the_document_and_its_etag(served: ServedPages) -> None:
    served.poll()
    first = httpx.get(served.url + "/v1/status", headers=PLAIN)
    served.page("ex", STAGES[1])
    snapshot = served.poll()
    headers = {**PLAIN, "If-None-Match": first.headers["etag"]}
    second = httpx.get(served.url + "/v1/status", headers=headers)
    assert second.status_code == 200
    assert second.headers["etag"] != first.headers["etag"]
    assert second.content == dumps(snapshot_document(snapshot)).encode()
    assert second.json()["providers"][0]["incidents"][0]["title"] == "API errors"


def test_status_before_the_first_poll_waits_then_answers_503(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    settings = ServeSettings(interval=None, first_poll_wait=0.2)
    with ServedPages(loopback, ["ex"], tmp_path / "cache", settings) as served:
        started = time.monotonic()
        response = httpx.get(served.url + "/v1/status")
        waited = time.monotonic() - started
        health = httpx.get(served.url + "/healthz")
    assert (response.status_code, response.headers["retry-after"]) == (503, "5")
    assert response.json() == {"error": "no poll has finished yet"}
    assert waited >= 0.2
    assert (health.status_code, health.json()["status"]) == (503, "starting")


# --- /metrics, /healthz, the rest -------------------------------------------------------------


def test_metrics_parse_as_prometheus_text(served: ServedPages) -> None:
    served.page("ex", STAGES[1])
    served.poll()
    response = httpx.get(served.url + "/metrics")
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    values = {
        name: {tuple(sorted(s.labels.items())): s.value for s in families[name].samples}
        for name in (
            "statuswatch_provider_status",
            "statuswatch_source_up",
            "statuswatch_component_status",
            "statuswatch_incident_info",
            "statuswatch_polls",
            "statuswatch_sse_clients",
        )
    }
    assert values == {
        "statuswatch_provider_status": {(("provider", "ex"),): 3.0, (("provider", "down"),): -1.0},
        "statuswatch_source_up": {(("provider", "ex"),): 1.0, (("provider", "down"),): 0.0},
        "statuswatch_component_status": {(("component", "API"), ("provider", "ex")): 3.0},
        "statuswatch_incident_info": {
            (("impact", "major"), ("incident_id", "inc-1"), ("provider", "ex")): 1.0
        },
        "statuswatch_polls": {(): 1.0},
        "statuswatch_sse_clients": {(): 0.0},
    }
    fetches = {
        tuple(sorted(s.labels.items())): s.value for s in families["statuswatch_fetches"].samples
    }
    assert fetches == {
        (("provider", "ex"), ("result", "ok")): 1.0,
        (("provider", "down"), ("result", "http_status")): 1.0,
    }
    durations = families["statuswatch_fetch_duration_seconds"].samples
    assert sorted(s.labels["provider"] for s in durations) == ["down", "ex"]
    assert all(0 < s.value < 3 for s in durations)


def test_metrics_speak_openmetrics_when_asked(served: ServedPages) -> None:
    served.poll()
    response = httpx.get(
        served.url + "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n")


def test_healthz_says_ok_after_a_poll(served: ServedPages) -> None:
    snapshot = served.poll()
    response = httpx.get(served.url + "/healthz")
    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["providers"], body["sse_clients"]) == ("ok", 2, 0)
    assert body["generated_at"] == snapshot_document(snapshot)["generated_at"]


def test_healthz_says_stale_when_polls_stopped(loopback: LoopbackServer, tmp_path: Path) -> None:
    long_ago = datetime.now(UTC) - timedelta(minutes=10)
    settings = ServeSettings(interval=60)  # the loop is never started here: `poll` polls
    with ServedPages(loopback, ["ex"], tmp_path / "cache", settings, now=lambda: long_ago) as s:
        s.page("ex", STAGES[0])
        s.poll()
        response = httpx.get(s.url + "/healthz")
    assert (response.status_code, response.json()["status"]) == (503, "stale")
    assert response.json()["age_seconds"] >= 600


def test_connections_past_the_limit_get_503(loopback: LoopbackServer, tmp_path: Path) -> None:
    settings = ServeSettings(interval=None, max_connections=1)
    with ServedPages(loopback, ["ex"], tmp_path / "cache", settings) as served:
        served.page("ex", STAGES[0])
        served.poll()
        with ServerClient(served.url) as client:
            events = client.events(read_timeout=5)
            assert next(events).kind == "snapshot"  # holds the one connection allowed
            refused = httpx.get(served.url + "/healthz")
            events.close()
    assert (refused.status_code, refused.json()) == (503, {"error": "too many connections"})


def test_a_client_that_stops_reading_is_disconnected(
    served: ServedPages, monkeypatch: pytest.MonkeyPatch
) -> None:
    from statuswatch.serve import server

    monkeypatch.setattr(server, "WRITE_TIMEOUT", 0.3)
    served.poll()
    host, port = served.url.removeprefix("http://").split(":")
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect((host, int(port)))
        sock.settimeout(5)
        request = b"GET /v1/status HTTP/1.1\r\nHost: x\r\nAccept-Encoding: identity\r\n\r\n"
        with contextlib.suppress(OSError):  # the server may close while we still send
            sock.sendall(request * 5000)  # ~5 MB of answers that are never read
        deadline = time.monotonic() + 10
        while not served.server.connections and time.monotonic() < deadline:
            time.sleep(0.01)
        assert served.server.connections == 1
        while served.server.connections and time.monotonic() < deadline:
            time.sleep(0.05)  # the server blocks on a full socket, then gives up on it
        assert served.server.connections == 0


def test_unknown_paths_methods_and_malformed_requests(served: ServedPages) -> None:
    missing = httpx.get(served.url + "/v2/status")
    assert (missing.status_code, missing.json()["error"]) == (
        404,
        "no such endpoint (try: /healthz, /metrics, /v1/events, /v1/status, /v1/history, "
        "/v1/report)",
    )
    posted = httpx.post(served.url + "/v1/status", content=b"{}")
    assert (posted.status_code, posted.headers["allow"]) == (405, "GET, HEAD")
    assert _raw(served.url, b"BREW /pot\r\n\r\n").startswith(b"HTTP/1.1 400 Bad Request\r\n")
    huge = b"GET / HTTP/1.1\r\nX: " + b"a" * 20_000 + b"\r\n\r\n"
    assert _raw(served.url, huge).startswith(b"HTTP/1.1 431 ")
    index = httpx.get(served.url + "/")
    assert index.text.startswith("statuswatch serve\n")


def test_a_connection_serves_several_requests_in_order(served: ServedPages) -> None:
    served.poll()
    requests = (
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        b"HEAD /v1/status HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    answer = _raw(served.url, requests)
    statuses = re.findall(rb"HTTP/1\.1 \d{3} [A-Za-z ]+\r\n", answer)
    assert [line.rstrip() for line in statuses] == [
        b"HTTP/1.1 200 OK",
        b"HTTP/1.1 200 OK",
        b"HTTP/1.1 404 Not Found",
    ]
    # HEAD sends the length of the body it leaves out.
    head = answer.split(b"HTTP/1.1 ")[2]
    length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    assert length == len(httpx.get(served.url + "/v1/status", headers=PLAIN).content)


# --- token ------------------------------------------------------------------------------------


def test_a_token_is_required_everywhere_but_healthz(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    settings = ServeSettings(interval=None, token=TOKEN, heartbeat=0.5)
    with ServedPages(loopback, ["ex"], tmp_path / "cache", settings) as served:
        served.page("ex", STAGES[0])
        served.poll()
        good = {"Authorization": f"Bearer {TOKEN}"}
        for path in ("/v1/status", "/metrics", "/v1/events", "/"):
            for headers in ({}, {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": TOKEN}):
                refused = httpx.get(served.url + path, headers=headers)
                assert refused.status_code == 401, (path, headers)
                assert refused.headers["www-authenticate"] == "Bearer"
        assert httpx.get(served.url + "/v1/status", headers=good).status_code == 200
        assert httpx.get(served.url + "/metrics", headers=good).status_code == 200
        lower = {"Authorization": f"bearer {TOKEN}"}
        assert httpx.get(served.url + "/v1/status", headers=lower).status_code == 200
        assert httpx.get(served.url + "/healthz").status_code == 200
        with ServerClient(served.url, token=TOKEN) as client:
            events = client.events(read_timeout=5)
            assert next(events).kind == "snapshot"
        with ServerClient(served.url, token="wrong-token-wrong-token") as client:
            with pytest.raises(ServerError, match="refused the token") as caught:
                client.status_bytes()
            assert caught.value.fatal


# --- /v1/events -------------------------------------------------------------------------------


def _until_snapshot(events: Iterator[ServerEvent]) -> list[ServerEvent]:
    """The events up to and including the next snapshot notice."""
    seen = []
    for event in events:
        seen.append(event)
        if event.kind == "snapshot":
            return seen
    raise AssertionError(f"the stream ended after {seen}")


def test_events_stream_live_after_each_poll(served: ServedPages) -> None:
    first = served.poll()  # the baseline: no events
    with ServerClient(served.url) as client:
        events = client.events(read_timeout=5)
        hello = _until_snapshot(events)
        assert [e.kind for e in hello] == ["snapshot"]
        notice = hello[0].json()
        assert notice["generated_at"] == snapshot_document(first)["generated_at"]
        assert (notice["events"], notice["providers"], notice["last_event_id"]) == (0, 2, "999")
        served.page("ex", STAGES[1])
        second = served.poll()
        opened = _until_snapshot(events)
        served.page("ex", STAGES[4])
        served.poll()
        resolved = _until_snapshot(events)
    assert [(e.kind, e.id) for e in opened] == [
        ("incident_opened", "1000"),
        ("component_changed", "1001"),
        ("snapshot", None),
    ]
    data = opened[0].json()
    assert data["schema"] == "statuswatch/v1"
    assert data["generated_at"] == snapshot_document(second)["generated_at"]
    assert data["event"]["kind"] == "incident_opened"
    assert data["event"]["provider"] == {"id": "ex", "name": "EX", "page_url": served.specs[0].url}
    assert data["event"]["text"] == (
        "EX: new incident [major] API errors (investigating): We are investigating. "
        "https://stspg.example/inc-1"
    )
    assert opened[1].json()["event"]["text"] == "EX: API is now partial outage (was operational)"
    assert opened[2].json()["events"] == 2
    # The third poll that fails to read `down` makes it unreachable ([notify] unreachable_after).
    assert [(e.kind, e.id) for e in resolved] == [
        ("incident_resolved", "1002"),
        ("component_changed", "1003"),
        ("provider_unreachable", "1004"),
        ("snapshot", None),
    ]
    assert resolved[2].json()["event"]["text"] == (
        "DOWN: status page unreachable: http_status: "
        + served.server.snapshot.reports[1].error.message  # type: ignore[union-attr]
    )


def test_last_event_id_resumes_exactly_after_it(served: ServedPages) -> None:
    served.poll()
    for stage in STAGES[1:]:
        served.page("ex", stage)
        served.poll()
    with ServerClient(served.url) as client:
        replay = _until_snapshot(client.events("1001", read_timeout=5))
        nothing = _until_snapshot(client.events("1006", read_timeout=5))
        everything = _until_snapshot(client.events("999", read_timeout=5))
    assert [(e.kind, e.id) for e in replay] == [
        ("incident_updated", "1002"),
        ("provider_unreachable", "1003"),
        ("incident_updated", "1004"),
        ("incident_resolved", "1005"),
        ("component_changed", "1006"),
        ("snapshot", None),
    ]
    assert [e.kind for e in nothing] == ["snapshot"]
    assert [e.id for e in everything] == [str(n) for n in range(1000, 1007)] + [None]
    texts = [e.json()["event"]["text"] for e in (replay[0], replay[2])]
    assert texts == [
        "EX: update on [major] API errors: The cause is known. https://stspg.example/inc-1",
        "EX: update on [major] API errors: A fix is out. https://stspg.example/inc-1",
    ]


def test_an_id_that_cannot_be_resumed_gets_a_reset(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    settings = ServeSettings(interval=None, heartbeat=0.5, capacity=2)
    with ServedPages(loopback, ["ex"], tmp_path / "cache", settings, first_event_id=FIRST) as s:
        s.page("ex", STAGES[0])
        s.poll()
        s.page("ex", STAGES[1])
        s.poll()  # 1000, 1001
        s.page("ex", STAGES[2])
        s.poll()  # 1002: the ring keeps 1001 and 1002
        with ServerClient(s.url) as client:
            kept = _until_snapshot(client.events("1000", read_timeout=5))
            for given in ("999", "5000", "not-a-number"):
                reset = _until_snapshot(client.events(given, read_timeout=5))
                assert [(e.kind, e.id) for e in reset] == [("reset", "1002"), ("snapshot", None)]
                assert reset[0].json()["last_event_id"] == given
    assert [e.id for e in kept] == ["1001", "1002", None]


def test_heartbeats_keep_an_idle_stream_alive(served: ServedPages) -> None:
    served.poll()
    lines = []
    with httpx.stream("GET", served.url + "/v1/events", timeout=5) as response:
        assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert response.headers["cache-control"] == "no-store"
        for line in response.iter_lines():
            lines.append(line)
            if line == ": keep-alive":
                break
    assert lines[:2] == ["retry: 3000", ""]
    assert lines[2] == "event: snapshot"


def test_a_client_that_leaves_is_forgotten(served: ServedPages) -> None:
    served.poll()
    with ServerClient(served.url) as client:
        events = client.events(read_timeout=5)
        next(events)
        assert served.server.sse_clients == 1
        events.close()
    deadline = time.monotonic() + 5
    while served.server.sse_clients and time.monotonic() < deadline:
        time.sleep(0.05)  # noticed at the next heartbeat (0.5 s here)
    assert served.server.sse_clients == 0
    assert served.server.connections == 0


def test_closing_the_server_ends_every_stream(loopback: LoopbackServer, tmp_path: Path) -> None:
    served = ServedPages(loopback, ["ex"], tmp_path / "cache")
    with served:
        served.page("ex", STAGES[0])
        served.poll()
        client = ServerClient(served.url)
        events = client.events(read_timeout=5)
        next(events)
    assert list(events) == []  # the stream ended, no timeout
    client.close()


def test_the_json_document_survives_a_round_trip_through_the_model(served: ServedPages) -> None:
    from statuswatch.document.read import parse_document, snapshot_from_document

    served.page("ex", STAGES[3])
    served.poll()
    served.pages.fault(f"/ex{SUMMARY}", "500")
    served.poll()  # ex is now stale: its last good page, with the error
    body = httpx.get(served.url + "/v1/status", headers=PLAIN).content
    document = parse_document(body)
    assert document["providers"][0]["stale"] is True
    assert document["providers"][0]["incidents"][0]["updates"][0]["text"] == "A fix is out."
    assert dumps(snapshot_document(snapshot_from_document(document))).encode() == body
    assert json.loads(body) == document
