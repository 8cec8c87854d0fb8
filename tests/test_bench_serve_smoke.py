"""The serve benchmark's machinery on a small scale: its viewers, its load and its pages.

No timing is asserted: the benchmark measures, these check that what it measures is real.
"""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.request
from datetime import datetime
from pathlib import Path

from loopback import LoopbackServer
from notify_helpers import incident_stages
from serve_helpers import ServedPages

from statuswatch.timefmt import rfc3339

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH_DIR))

import bench_serve  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)

STAGES = incident_stages()


def test_the_viewers_record_each_event_with_the_poll_that_found_it(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    with ServedPages(loopback, ["ex"], tmp_path / "cache") as served:
        served.page("ex", STAGES[0])
        served.poll()
        host, port = served.url.removeprefix("http://").split(":")

        async def scenario() -> bench_serve.Viewers:
            viewers = bench_serve.Viewers(host, int(port), 3)
            await viewers.start(timeout=10)
            served.page("ex", STAGES[1])
            await asyncio.to_thread(served.poll)
            async with asyncio.timeout(10):
                while len(viewers.receipts) < 6:  # 2 events x 3 viewers
                    await asyncio.sleep(0.02)
                await viewers.polls.get()
            await viewers.stop()
            return viewers

        viewers = asyncio.run(scenario())
        found = served.server.snapshot
    assert found is not None
    assert viewers.failures == []
    assert sorted((r.client, r.kind, r.subject) for r in viewers.receipts) == [
        (n, kind, subject)
        for n in range(3)
        for kind, subject in (("component_changed", ""), ("incident_opened", "inc-1"))
    ]
    # The poll that found them, at the document's precision (milliseconds).
    stamp = datetime.fromisoformat(rfc3339(found.generated_at) or "").timestamp()
    assert {r.generated_at for r in viewers.receipts} == {stamp}
    assert all(r.latency >= -0.001 for r in viewers.receipts)


def test_the_load_counts_every_answered_request(loopback: LoopbackServer, tmp_path: Path) -> None:
    with ServedPages(loopback, ["ex"], tmp_path / "cache") as served:
        served.page("ex", STAGES[1])
        served.poll()
        body = urllib.request.urlopen(served.url + "/v1/status", timeout=5).read()
        result = asyncio.run(bench_serve._load(served.url, 40, 1.0, 2, False))
    assert (result["requests"], result["error_count"]) == (40, 0)
    assert result["body_bytes"] == [len(body)]
    assert set(result["service"]) == {"p50", "p90", "p99", "p99.9", "max", "mean"}
    assert result["window"][1] - result["window"][0] >= 1.0


def test_the_pages_open_a_new_incident_each_round() -> None:
    with bench_serve.Pages(2) as pages:
        assert pages.ids == ["p001", "p002"]
        first = pages.open_incident("p001", 1)
        second = pages.open_incident("p001", 2)
        url = pages.url("p001") + bench_serve.SUMMARY_PATH
        document = json.loads(urllib.request.urlopen(url, timeout=5).read())
    assert (first, second) == ("bench-1", "bench-2")
    ids = [i["id"] for i in document["incidents"]]
    assert ids[0] == "bench-2" and "bench-1" not in ids  # the previous one is gone: resolved


def test_percentiles_of_a_known_list() -> None:
    values = [float(n) for n in range(1, 101)]
    assert bench_serve._percentiles(values) == {
        "p50": 51.0,
        "p90": 91.0,
        "p99": 100.0,
        "p99.9": 100.0,
        "max": 100.0,
        "mean": 50.5,
    }
    assert bench_serve._percentiles([]) == {}
