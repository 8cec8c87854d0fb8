"""The benchmark's machinery: the loopback farm, the inputs it writes, the check of statuswatch's
JSON, and one tiny end-to-end run. No timing is asserted: performance is measured, not tested."""

from __future__ import annotations

import json
import platform
import shutil
import sys
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH_DIR))

import bench_poll  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)
import loopback_farm  # noqa: E402

from statuswatch.adapters import statuspage  # noqa: E402
from statuswatch.model import Phase, Status  # noqa: E402

needs_curl = pytest.mark.skipif(
    shutil.which("curl") is None, reason="curl is not on PATH: the benchmark compares against it"
)
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET `url` directly (no proxy); return status, headers and body, errors included."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_provider_ids_are_zero_padded_to_the_widest() -> None:
    assert loopback_farm.provider_ids(3) == ["p001", "p002", "p003"]
    assert loopback_farm.provider_ids(1000)[-1] == "p1000"
    assert loopback_farm.provider_ids(1000)[0] == "p0001"


def test_summary_body_is_a_realistic_statuspage_document() -> None:
    body = loopback_farm.summary_body("p042")
    doc = json.loads(body)
    assert 5_000 <= len(body) <= 12_000
    assert doc["page"]["time_zone"] == "Etc/UTC"
    assert len(doc["components"]) == loopback_farm.COMPONENTS_PER_PROVIDER
    assert [c["name"] for c in doc["components"] if c["group"]] == ["P042 Regions"]
    assert len(doc["incidents"][0]["incident_updates"]) == 3
    assert doc["status"] == {"indicator": "minor", "description": "Minor Service Outage"}


def test_statuspage_adapter_reads_the_farm_page() -> None:
    page = statuspage.parse(loopback_farm.summary_body("p007"), {})
    assert page.status is Status.DEGRADED
    # The group row is a heading, not a component: its six regions and 13 services remain.
    assert len(page.components) == loopback_farm.COMPONENTS_PER_PROVIDER - 1
    (incident,) = page.incidents
    assert incident.title == loopback_farm.incident_title("p007")
    assert incident.phase is Phase.IDENTIFIED
    assert len(incident.updates) == loopback_farm.UPDATES_PER_INCIDENT
    assert [m.title for m in page.maintenances] == [loopback_farm.maintenance_title("p007")]


def test_farm_serves_pages_etags_304s_and_404s_on_every_origin() -> None:
    with bench_poll.start_farm(providers=3, latency=0.0, origins=2) as farm:
        assert [host for host, _ in farm.origins] == ["127.0.0.1", "127.0.0.2"]
        assert farm.base_urls() == [
            f"http://127.0.0.1:{farm.ports[0]}/p001",
            f"http://127.0.0.2:{farm.ports[1]}/p002",
            f"http://127.0.0.1:{farm.ports[0]}/p003",
        ]
        url = farm.summary_urls()[0]
        status, headers, body = _get(url)
        assert status == 200
        assert body == loopback_farm.summary_body("p001")
        assert headers["ETag"] == loopback_farm.etag_of(body)
        again, _, empty = _get(url, {"If-None-Match": f'"other", W/{headers["ETag"]}'})
        assert (again, empty) == (304, b"")
        other_origin = f"http://127.0.0.2:{farm.ports[1]}/p001{loopback_farm.SUMMARY_PATH}"
        assert _get(other_origin)[0] == 200
        assert _get(f"http://127.0.0.1:{farm.ports[0]}/p004{loopback_farm.SUMMARY_PATH}")[0] == 404
        stats = farm.stats(reset=True)
        assert (stats["requests"], stats["ok"], stats["not_modified"], stats["not_found"]) == (
            4,
            2,
            1,
            1,
        )
        assert farm.stats()["requests"] == 0
    assert farm.proc.returncode is not None


def test_origin_hosts_are_distinct_loopback_addresses() -> None:
    hosts = [loopback_farm.origin_host(n) for n in (0, 1, 253, 254, 255, 70_000)]
    assert hosts == [
        "127.0.0.1",
        "127.0.0.2",
        "127.0.0.254",
        "127.0.0.255",
        "127.0.1.0",
        "127.1.17.113",
    ]
    assert bench_poll.origins_for(1000, 20) == 50
    assert bench_poll.origins_for(1001, 20) == 51
    assert bench_poll.origins_for(1000, None) == 1


def test_inputs_name_the_same_urls(tmp_path: Path) -> None:
    ids = ["p001", "p002"]
    bases = ["http://127.0.0.1:9/p001", "http://127.0.0.1:8/p002"]
    bench_poll.write_config(tmp_path / "config.toml", ids, bases, [("max_connections", "7")])
    config = tomllib.loads((tmp_path / "config.toml").read_text())
    assert config["http"] == {"max_connections": 7}
    assert config["watch"] == ids
    assert config["providers"]["p002"] == {
        "name": "Provider P002",
        "kind": "statuspage",
        "url": "http://127.0.0.1:8/p002",
    }
    urls = [b + loopback_farm.SUMMARY_PATH for b in bases]
    bench_poll.write_curl_config(tmp_path / "cold.cfg", urls)
    assert (tmp_path / "cold.cfg").read_text().splitlines() == [
        f'url = "{urls[0]}"',
        'output = "/dev/null"',
        f'url = "{urls[1]}"',
        'output = "/dev/null"',
    ]
    bench_poll.write_curl_config(tmp_path / "warm.cfg", urls, ['"a1"', '"b2"'])
    assert (tmp_path / "warm.cfg").read_text().splitlines()[2:5] == [
        'header = "If-None-Match: \\"a1\\""',
        "next",
        f'url = "{urls[1]}"',
    ]


def _entry(pid: str) -> dict[str, object]:
    """Return a provider entry as statuswatch writes it for a farm page read in full."""
    return {
        "id": pid,
        "status": "degraded",
        "stale": False,
        "error": None,
        "components": [{"id": f"c{n}"} for n in range(19)],
        "incidents": [{"title": loopback_farm.incident_title(pid), "updates": [{}, {}, {}]}],
        "maintenances": [{"title": loopback_farm.maintenance_title(pid)}],
    }


def _document(*entries: dict[str, object]) -> bytes:
    return json.dumps({"schema": "statuswatch/v1", "providers": list(entries)}).encode()


def test_validation_accepts_every_provider_read() -> None:
    assert (
        bench_poll.validate_document(_document(_entry("p001"), _entry("p002")), ["p001", "p002"])
        == []
    )


def test_validation_names_what_is_wrong() -> None:
    failed = _entry("p002") | {"error": {"type": "timeout", "message": "slow"}, "status": "unknown"}
    assert bench_poll.validate_document(_document(_entry("p001"), failed), ["p001", "p002"]) == [
        "p002: error {'type': 'timeout', 'message': 'slow'}"
    ]
    assert bench_poll.validate_document(_document(_entry("p001")), ["p001", "p002"]) == [
        "1 providers in the document, expected 2 in order"
    ]
    wrong = _entry("p001") | {"incidents": [], "stale": True}
    assert bench_poll.validate_document(_document(wrong), ["p001"]) == [
        "p001: stale",
        "p001: incidents []",
    ]
    assert bench_poll.validate_document(b"<html>", ["p001"])[0].startswith("stdout is not JSON")


@needs_curl
def test_end_to_end_run_checks_statuswatch_and_writes_the_numbers(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    argv = ["--providers", "5", "--latency", "0.01", "--repeat", "1", "--json-out", str(out)]
    assert bench_poll.main(argv) == 0
    numbers = json.loads(out.read_text())
    assert (numbers["providers"], numbers["repeat"], numbers["warm"]) == (5, 1, False)
    for tool in ("statuswatch", "curl"):
        (run,) = numbers["runs"][tool]
        # Every run fetched every page from the farm, and statuswatch's document passed the check.
        assert (run["returncode"], run["requests"], run["problems"]) == (0, 5, [])
        assert run["maxrss_mib"] > 0
    assert numbers["statuswatch_command"][-1] == "--json"
    assert numbers["origins"] == 1
    assert set(numbers["cpu_per_page_ms"]) == {"statuswatch", "curl"}
    assert set(numbers["ratios"]) == {
        "wall_median",
        "wall_min",
        "cpu_median",
        "cpu_min",
        "rss_median",
        "rss_min",
    }


@needs_curl
def test_a_statuswatch_document_with_failed_providers_fails_the_benchmark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "fake.py"
    failed = [
        _entry(p) | {"error": {"type": "connection", "message": "refused"}}
        for p in ("p001", "p002")
    ]
    fake.write_text(f"print({json.dumps({'schema': 'statuswatch/v1', 'providers': failed})!r})\n")
    argv = [
        "--providers",
        "2",
        "--latency",
        "0",
        "--repeat",
        "1",
        "--command",
        f"{sys.executable} {fake}",
    ]
    assert bench_poll.main(argv) == 1
    err = capsys.readouterr().err
    assert "statuswatch failed: p001: error {'type': 'connection', 'message': 'refused'}" in err
    # The fake never asked the farm for anything, and the check says so too.
    assert "the farm served 0 requests, expected 2" in err


@needs_curl
def test_many_origins_warm_and_an_http_setting_reach_both_tools(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    argv = ["--providers", "6", "--per-origin", "2", "--latency", "0.05", "--repeat", "1"]
    argv += ["--warm", "--http", "max_connections=2", "--json-out", str(out)]
    assert bench_poll.main(argv) == 0
    numbers = json.loads(out.read_text())
    assert (numbers["origins"], numbers["warm"], numbers["http"]) == (
        3,
        True,
        {"max_connections": "2"},
    )
    (sw,) = numbers["runs"]["statuswatch"]
    (cu,) = numbers["runs"]["curl"]
    # Every answer a 304, for both; the setting reached statuswatch (at most 2 in flight).
    assert (sw["not_modified"], cu["not_modified"]) == (6, 6)
    assert sw["peak_inflight"] <= 2 < cu["peak_inflight"]


@needs_curl
def test_a_suite_runs_each_size_cold_then_warm_and_prints_one_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(bench_poll.SUITES, "origins", [(4, 2), (6, 2)])
    out = tmp_path / "suite.json"
    argv = ["--suite", "origins", "--latency", "0.01", "--repeat", "1", "--json-out", str(out)]
    assert bench_poll.main(argv) == 0
    cases = json.loads(out.read_text())
    assert [(c["providers"], c["origins"], c["warm"]) for c in cases] == [
        (4, 2, False),
        (4, 2, True),
        (6, 3, False),
        (6, 3, True),
    ]
    printed = capsys.readouterr()
    # The interpreter is named: its build moves the CPU a page costs as much as a round of work.
    assert f"Python {platform.python_version()} at {sys.executable}" in printed.err
    table = printed.out.split("| pages |", 1)[1].splitlines()
    assert [row.split("|")[1:4] for row in table[2:]] == [
        [" 4 ", " 2 ", " cold "],
        [" 4 ", " 2 ", " warm (304) "],
        [" 6 ", " 3 ", " cold "],
        [" 6 ", " 3 ", " warm (304) "],
    ]


def test_each_case_says_how_fast_the_machine_was() -> None:
    import benchlib

    # The machine's speed is measured, not asserted: a positive CPU time, and where it shows.
    speed = benchlib.host_loop_ms(runs=1)
    assert 0 < speed < 60_000
    run = bench_poll.Run("statuswatch", 0.5, 0.3, 0.1, 40.0, 0, 2, 0, 2, 2)
    curl = bench_poll.Run("curl", 0.25, 0.02, 0.01, 15.0, 0, 2, 0, 2, 2)
    result = bench_poll.Result(2, 0.2, 1, 1, False, ["sw"], ["curl"], statuswatch=[run])
    result.curl.append(curl)
    result.host_loop_ms = (speed, 2 * speed)
    assert result.to_json()["host_loop_ms"] == {"before": speed, "after": 2 * speed}
    assert f"took {speed:.0f} ms of CPU before the runs, {2 * speed:.0f} ms after" in (
        bench_poll.format_table(result)
    )


def test_each_case_says_how_much_cpu_the_hypervisor_took() -> None:
    import benchlib

    # user nice system idle iowait irq softirq steal: 300 used, 100 stolen, idle apart.
    before = [1000, 0, 500, 9000, 10, 0, 20, 50]
    after = [1250, 0, 540, 9900, 12, 0, 30, 150]
    assert benchlib.steal_share(before, after) == 100 / 400
    assert benchlib.steal_share(before, before) is None  # nothing ran between them
    assert benchlib.steal_share(None, after) is None  # /proc/stat unreadable (not Linux)
    ticks = benchlib.cpu_ticks()
    if sys.platform == "linux":  # what the benchmark reads where it runs
        assert ticks is not None and len(ticks) == 8 and all(t >= 0 for t in ticks)
    run = bench_poll.Run("statuswatch", 0.5, 0.3, 0.1, 40.0, 0, 2, 0, 2, 2)
    curl = bench_poll.Run("curl", 0.25, 0.02, 0.01, 15.0, 0, 2, 0, 2, 2)
    result = bench_poll.Result(2, 0.2, 1, 1, False, ["sw"], ["curl"], statuswatch=[run])
    result.curl.append(curl)
    assert "host steal" not in bench_poll.format_table(result)  # not measured: not claimed
    result.host_steal = 0.25
    assert result.to_json()["host_steal_share"] == 0.25
    assert "the hypervisor took 25% of the CPU time" in bench_poll.format_table(result)
