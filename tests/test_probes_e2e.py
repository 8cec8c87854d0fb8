"""Probes end to end: the real `statuswatch` command, pages and probes on 127.0.0.1.

The must-show cases of issue 12: 20 providers whose pages all say operational, the probes of
3 failing (503, refused, hanging past the timeout); one failed probe poll then a passing one;
every probe unreachable; `check`, `notify` and `--no-probes` on the same ground.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from loopback import LoopbackServer
from schema_check import assert_valid

OPERATIONAL = {
    "page": {"id": "p", "name": "P", "url": "https://status.example.com"},
    "status": {"indicator": "none", "description": "All Systems Operational"},
    "components": [],
    "incidents": [],
    "scheduled_maintenances": [],
}
PROBE_TIMEOUT = 1.0
IDS = [f"p{n:02}" for n in range(20)]
FAILING = {"p03": "503", "p11": "refused", "p17": "hang"}


def _closed_port() -> int:
    """A loopback port nobody listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _write_config(
    path: Path, farm: LoopbackServer, probes: dict[str, list[str]], *, consecutive: int = 2
) -> None:
    lines = [f"watch = {json.dumps(list(probes))}", "interval = 60"]
    lines += ["[http]", "connect_timeout = 1.0", "deadline = 3.0", "retries = 0"]
    lines += ["[probes]", f"timeout = {PROBE_TIMEOUT}", f"consecutive = {consecutive}"]
    for pid, urls in probes.items():
        listed = ", ".join(f"{{url = {json.dumps(u)}}}" for u in urls)
        lines += [
            f"[providers.{pid}]",
            f'name = "Provider {pid.upper()}"',
            'kind = "statuspage"',
            f'url = "{farm.url("/" + pid)}"',
            f"probes = [{listed}]",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        STATUSWATCH_CONFIG=str(tmp_path / "config.toml"),
        STATUSWATCH_STATE_DIR=str(tmp_path / "state"),
        STATUSWATCH_CACHE_DIR=str(tmp_path / "cache"),
    )
    return subprocess.run(
        [sys.executable, "-m", "statuswatch", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def _document(tmp_path: Path, *args: str) -> dict[str, Any]:
    done = _run(tmp_path, "--json", *args)
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    assert_valid(document)
    return document


def _warned(document: dict[str, Any]) -> set[str]:
    return {p["id"] for p in document["providers"] if p["early_warning"] is not None}


@pytest.fixture
def farm() -> Iterator[LoopbackServer]:
    """Pages of the 20 providers, all operational, and an endpoint for each one's probe."""
    with LoopbackServer() as server:
        for pid in IDS:
            server.route(f"/{pid}/api/v2/summary.json", OPERATIONAL)
            server.route(f"/api/{pid}", b'{"error": "unauthorized"}', status=401)
        yield server


def _probe_urls(farm: LoopbackServer, refused_port: int) -> dict[str, list[str]]:
    urls = {pid: [farm.url(f"/api/{pid}")] for pid in IDS}
    farm.fault("/api/p03", "503")
    urls["p11"] = [f"http://127.0.0.1:{refused_port}/api/p11"]
    farm.fault("/api/p17", "hang")
    return urls


def test_exactly_the_three_failing_providers_get_an_early_warning(
    farm: LoopbackServer, tmp_path: Path
) -> None:
    _write_config(tmp_path / "config.toml", farm, _probe_urls(farm, _closed_port()))
    first = _document(tmp_path)
    assert _warned(first) == set()  # one failing poll is not enough (consecutive = 2)
    failing = {p["id"] for p in first["providers"] if p["probes"]["state"] == "failing"}
    assert failing == set(FAILING)
    second = _document(tmp_path)  # a new run: the counts came through the state dir
    assert _warned(second) == set(FAILING)
    assert second["vantage"] == {"state": "ok", "text": ""}
    by_id = {p["id"]: p for p in second["providers"]}
    assert [p["status"] for p in second["providers"]] == ["operational"] * 20
    for pid in FAILING:
        warning = by_id[pid]["early_warning"]
        assert warning["text"].startswith("probes: 1 of 1 failing since ")
        assert warning["text"].endswith("; the page says operational")
        assert by_id[pid]["probes"]["state"] == "failing"
    assert by_id["p03"]["probes"]["results"][0]["status"] == 503
    assert "connection refused" in by_id["p11"]["probes"]["results"][0]["error"]
    assert f"within {PROBE_TIMEOUT:g} s" in by_id["p17"]["probes"]["results"][0]["error"]
    ok = by_id["p00"]["probes"]
    assert (ok["state"], ok["passed"], ok["total"]) == ("ok", 1, 1)
    assert ok["results"][0]["status"] == 401 and ok["results"][0]["latency_ms"] >= 0
    # `check`: a WARNING for the early warnings, never CRITICAL (every page is operational).
    check = _run(tmp_path, "check")
    assert check.returncode == 1, check.stdout
    assert "early warning" in check.stdout
    # The table shows them with the problems.
    table = _run(tmp_path, "status", "--only-problems", "--color", "never")
    assert table.stdout.count("⚠ early warning: probes: 1 of 1 failing") == 3


def test_one_failed_probe_poll_then_a_passing_one_opens_nothing(
    farm: LoopbackServer, tmp_path: Path
) -> None:
    _write_config(tmp_path / "config.toml", farm, {pid: [farm.url(f"/api/{pid}")] for pid in IDS})
    farm.fault("/api/p05", "503")
    assert _warned(_document(tmp_path)) == set()
    farm.clear_fault("/api/p05")
    for _ in range(2):
        document = _document(tmp_path)
        assert _warned(document) == set()
    assert {p["probes"]["state"] for p in document["providers"]} == {"ok"}


def test_every_probe_unreachable_is_our_network_not_20_outages(
    farm: LoopbackServer, tmp_path: Path
) -> None:
    port = _closed_port()
    _write_config(
        tmp_path / "config.toml", farm, {pid: [f"http://127.0.0.1:{port}/{pid}"] for pid in IDS}
    )
    for _ in range(3):
        done = _run(tmp_path, "--json")
        document = json.loads(done.stdout)
        assert document["vantage"]["state"] == "offline"
        assert "your network or DNS looks down" in document["vantage"]["text"]
        assert _warned(document) == set()
        assert {p["status"] for p in document["providers"]} == {"operational"}
        assert {p["probes"]["state"] for p in document["providers"]} == {"unknown"}
        assert "probes fail everywhere: your network or DNS looks down" in done.stderr
    check = _run(tmp_path, "check")
    assert check.returncode == 0, check.stdout  # OK: the pages are operational
    assert "your network or DNS looks down" in check.stdout


def test_no_probes_sends_none_and_warns_of_nothing(farm: LoopbackServer, tmp_path: Path) -> None:
    _write_config(tmp_path / "config.toml", farm, _probe_urls(farm, _closed_port()))
    for _ in range(2):
        document = _document(tmp_path, "--no-probes")
    assert _warned(document) == set()
    assert {p["probes"]["state"] for p in document["providers"]} == {"off"}
    assert farm.requests("/api/p00") == 0 and farm.requests("/api/p03") == 0
    assert not (tmp_path / "state" / "probes.json").exists()
    # [probes] enabled = false does the same from the config.
    text = (tmp_path / "config.toml").read_text().replace("[probes]", "[probes]\nenabled = false")
    (tmp_path / "config.toml").write_text(text)
    assert {p["probes"]["state"] for p in _document(tmp_path)["providers"]} == {"off"}
    assert farm.requests("/api/p00") == 0


def test_notify_tells_an_early_warning_once_and_its_end(
    farm: LoopbackServer, tmp_path: Path
) -> None:
    _write_config(
        tmp_path / "config.toml", farm, {pid: [farm.url(f"/api/{pid}")] for pid in IDS[:5]}
    )
    farm.fault("/api/p02", "503")
    first = _run(tmp_path, "notify")  # the first run records a baseline, tells nothing
    assert first.returncode == 0 and first.stdout == ""
    second = _run(tmp_path, "notify")
    assert second.returncode == 0, second.stderr
    lines = second.stdout.splitlines()
    assert len(lines) == 1
    assert "Provider P02: early warning (not on its status page yet): probes: 1 of 1" in lines[0]
    assert _run(tmp_path, "notify").stdout == ""  # told once
    farm.clear_fault("/api/p02")
    assert _run(tmp_path, "notify").stdout == ""  # one passing poll does not clear it
    cleared = _run(tmp_path, "notify").stdout.splitlines()
    assert len(cleared) == 1 and "Provider P02: early warning cleared" in cleared[0]
