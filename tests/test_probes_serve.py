"""serve with probes: early warnings over /v1/events, the three probe series on /metrics,
and the document a `--server` client reads back, probes included."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from loopback import LoopbackServer
from prometheus_client.parser import text_string_to_metric_families
from schema_check import assert_valid

from statuswatch.document.read import snapshot_from_document
from statuswatch.document.write import snapshot_document
from statuswatch.model import ProbeSpec, ProviderSpec, Snapshot
from statuswatch.probes.settings import ProbeSettings
from statuswatch.probes.store import ProbeStore
from statuswatch.serve.server import ServeSettings, StatusServer
from statuswatch.serverclient import ServerClient, ServerEvent
from statuswatch.settings import HttpSettings

OPERATIONAL = {
    "page": {"id": "p", "name": "P", "url": "https://status.example.com"},
    "status": {"indicator": "none", "description": "All Systems Operational"},
    "components": [],
    "incidents": [],
    "scheduled_maintenances": [],
}
HTTP = HttpSettings(connect_timeout=2.0, read_timeout=2.0, deadline=3.0, retries=0)
IDS = ("aa", "bb", "cc", "dd")


class Served:
    """A StatusServer with probes on its own loop thread, polled on demand."""

    def __init__(self, pages: LoopbackServer, state: Path, cache: Path) -> None:
        self.pages = pages
        self.specs = [
            ProviderSpec(
                pid,
                pid.upper(),
                "statuspage",
                pages.url(f"/{pid}"),
                probes=(ProbeSpec(pages.url(f"/api/{pid}"), region="eu"),),
            )
            for pid in IDS
        ]
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server = StatusServer(
            self.specs,
            HTTP,
            cache,
            ServeSettings(interval=None, heartbeat=0.5),
            first_event_id=999,
            probes=ProbeSettings(timeout=1.0),
            counts=ProbeStore(state),
        )
        self.url = ""

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def poll(self) -> Snapshot:
        snapshot: Snapshot = self.run(self.server.poll_once())
        return snapshot

    def __enter__(self) -> Served:
        self.thread.start()
        host, port = self.run(self.server.start("127.0.0.1", 0))
        self.url = f"http://{host}:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.run(self.server.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture
def served(loopback: LoopbackServer, tmp_path: Path) -> Iterator[Served]:
    for pid in IDS:
        loopback.route(f"/{pid}/api/v2/summary.json", OPERATIONAL)
        loopback.route(f"/api/{pid}", b"", status=401)
    with Served(loopback, tmp_path / "state", tmp_path / "cache") as server:
        yield server


def _until_snapshot(events: Iterator[ServerEvent]) -> list[ServerEvent]:
    seen = []
    for event in events:
        seen.append(event)
        if event.kind == "snapshot":
            return seen
    raise AssertionError(f"the stream ended after {seen}")


def test_events_carry_the_early_warning_and_its_end(served: Served) -> None:
    served.poll()  # the baseline
    served.pages.fault("/api/bb", "503")
    with ServerClient(served.url) as client:
        events = client.events(read_timeout=5)
        _until_snapshot(events)
        served.poll()
        first = _until_snapshot(events)  # one failing poll: nothing yet
        served.poll()
        opened = _until_snapshot(events)
        served.pages.clear_fault("/api/bb")
        served.poll()
        served.poll()
        _until_snapshot(events)
        cleared = _until_snapshot(events)
    assert [e.kind for e in first] == ["snapshot"]
    assert [e.kind for e in opened] == ["early_warning_opened", "snapshot"]
    event = opened[0].json()["event"]
    assert event["provider"]["id"] == "bb"
    assert event["early_warning"]["text"] == (
        f"probes: 1 of 1 failing since {event['early_warning']['since'][11:16]} UTC; "
        "the page says operational"
    )
    assert [e.kind for e in cleared] == ["early_warning_cleared", "snapshot"]
    assert cleared[0].json()["event"]["early_warning"]["since"] == event["early_warning"]["since"]


def test_metrics_have_each_probe_and_each_warning(served: Served) -> None:
    served.pages.fault("/api/cc", "503")
    served.poll()
    served.poll()
    text = httpx.get(served.url + "/metrics", timeout=5).text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    up = {
        (s.labels["provider"], s.labels["probe"]): s.value
        for s in families["statuswatch_probe_up"].samples
    }
    assert up == {(pid, served.pages.url(f"/api/{pid}")): (0 if pid == "cc" else 1) for pid in IDS}
    durations = families["statuswatch_probe_duration_seconds"].samples
    assert len(durations) == 4 and all(0 <= s.value < 5 for s in durations)
    warnings = {
        s.labels["provider"]: s.value for s in families["statuswatch_early_warning"].samples
    }
    assert warnings == {"aa": 0, "bb": 0, "cc": 1, "dd": 0}


def test_the_status_document_round_trips_with_probes(served: Served) -> None:
    served.pages.fault("/api/dd", "hang")
    served.poll()
    served.poll()
    body = httpx.get(served.url + "/v1/status", timeout=5).content
    document: dict[str, Any] = json.loads(body)
    assert_valid(document)
    dd = next(p for p in document["providers"] if p["id"] == "dd")
    assert dd["early_warning"] is not None and dd["probes"]["results"][0]["region"] == "eu"
    # What `--server` clients rebuild from it is the same document again.
    assert snapshot_document(snapshot_from_document(document)) == document
