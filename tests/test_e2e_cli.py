"""End to end: the real `statuswatch` command against real HTTP servers on 127.0.0.1."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from loopback import LoopbackServer
from schema_check import assert_valid

FIXTURES = Path(__file__).parent / "fixtures"
STATUSPAGE = (FIXTURES / "statuspage" / "summary-chicago.json").read_bytes()
INCIDENTIO = (FIXTURES / "incidentio" / "summary-active.json").read_bytes()

# fault -> the error type the provider must report
FAULTS = {
    "500": "http_status",
    "503": "http_status",
    "429": "http_status",
    "hang": "timeout",
    "slow_headers": "timeout",
    "drip": "timeout",
    "reset": "connection",
    "truncated": "connection",
    "huge": "too_large",
    "html": "format_changed",
    "redirect_loop": "too_many_redirects",
    "invalid_json": "parse_error",
    "empty": "parse_error",
}
HTTP = """
[http]
connect_timeout = 1.0
read_timeout = 1.5
deadline = 2.5
retries = 1
backoff = 0.05
retry_after_cap = 0.5
max_body = 1048576
"""


def _write_config(path: Path, providers: dict[str, tuple[str, str]]) -> None:
    lines = [f"watch = {json.dumps(list(providers))}"]
    for pid, (kind, url) in providers.items():
        lines += [f'[providers."{pid}"]', f'name = "{pid.upper()}"', f'kind = "{kind}"',
                  f'url = "{url}"']  # fmt: skip
    path.write_text("\n".join(lines) + "\n" + HTTP)


def _run(config: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    env = dict(os.environ, STATUSWATCH_CONFIG=str(config))
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "statuswatch", *args],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    return done, time.monotonic() - started


def _document(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    assert_valid(document)
    return document


def _serve_good(srv: LoopbackServer) -> dict[str, tuple[str, str]]:
    srv.route("/sp/api/v2/summary.json", STATUSPAGE, etag=True)
    srv.route("/io/api/v2/summary.json", INCIDENTIO, last_modified=True)
    return {"sp": ("statuspage", srv.url("/sp")), "io": ("incidentio", srv.url("/io"))}


def _check_statuspage(entry: dict[str, Any]) -> None:
    assert entry["status"] == "degraded"
    assert entry["error"] is None and entry["stale"] is False
    assert entry["description"] == "Minor Service Outage"
    assert [i["id"] for i in entry["incidents"]] == ["inc-chi-1", "inc-chi-2"]
    first = entry["incidents"][0]
    assert first["phase"] == "monitoring"
    assert first["started_at"] == "2019-02-20T15:58:30Z"  # the page sent -06:00
    times = [u["at"] for u in first["updates"]]
    assert len(times) == 4 and times == sorted(times, reverse=True)
    assert all(t.endswith("Z") for t in times)
    assert [(m["id"], m["phase"]) for m in entry["maintenances"]] == [
        ("mnt-chi-1", "in_progress"),
        ("mnt-chi-2", "scheduled"),
    ]
    assert not {i["id"] for i in entry["incidents"]} & {m["id"] for m in entry["maintenances"]}


def _check_incidentio(entry: dict[str, Any]) -> None:
    assert entry["status"] == "partial_outage"
    assert entry["error"] is None and entry["stale"] is False
    (incident,) = entry["incidents"]
    assert incident["id"] == "01M3QEXAMPLEINCIDENT000001"
    assert incident["phase"] == "identified"
    assert incident["started_at"] == "2026-09-29T17:52:52Z"
    assert len(incident["updates"]) == 2
    assert entry["maintenances"] == []


def test_every_fault_is_unknown_with_its_error_while_the_others_are_complete(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    providers = _serve_good(loopback)
    for mode in FAULTS:
        path = f"/f-{mode}/api/v2/summary.json"
        loopback.route(path, STATUSPAGE)
        loopback.fault(path, mode, retry_after=30 if mode in ("503", "429") else None,
                       size=4 * 1024 * 1024, interval=0.4)  # fmt: skip
        providers[f"f-{mode}"] = ("statuspage", loopback.url(f"/f-{mode}"))
    config = tmp_path / "config.toml"
    _write_config(config, providers)

    done, elapsed = _run(config, "--json")
    document = _document(done)

    # Bounded: a hang, a drip and slow headers each end at the 2.5 s deadline, in parallel.
    assert elapsed < 20, f"run took {elapsed:.1f} s"
    by_id = {p["id"]: p for p in document["providers"]}
    assert list(by_id) == list(providers)  # watch-list order
    _check_statuspage(by_id["sp"])
    _check_incidentio(by_id["io"])
    for mode, error_type in FAULTS.items():
        entry = by_id[f"f-{mode}"]
        assert entry["status"] == "unknown", mode
        assert entry["error"]["type"] == error_type, (mode, entry["error"])
        assert entry["error"]["message"], mode
        assert entry["incidents"] == [] and entry["stale"] is False, mode
    assert "Retry-After" in by_id["f-503"]["error"]["message"]
    assert "format" in by_id["f-html"]["error"]["message"]


def test_second_run_revalidates_with_304(loopback: LoopbackServer, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    _write_config(config, _serve_good(loopback))
    first = _document(_run(config, "--json")[0])
    second = _document(_run(config, "--json")[0])
    assert loopback.hits("/sp/api/v2/summary.json") == (1, 1)
    assert loopback.hits("/io/api/v2/summary.json") == (1, 1)
    # The cached body stands in for the 304: the same incidents, freshly confirmed.
    for a, b in zip(first["providers"], second["providers"], strict=True):
        assert a["incidents"] == b["incidents"]
        assert b["stale"] is False and b["error"] is None
    _check_statuspage(second["providers"][0])


def test_a_provider_that_fails_later_keeps_its_data_marked_stale(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    _write_config(config, _serve_good(loopback))
    first = _document(_run(config, "--json")[0])
    loopback.fault("/sp/api/v2/summary.json", "500")
    second = _document(_run(config, "--json")[0])
    sp = second["providers"][0]
    assert sp["status"] == "unknown"
    assert sp["stale"] is True
    assert sp["error"]["type"] == "http_status" and "500" in sp["error"]["message"]
    assert sp["fetched_at"] == first["providers"][0]["fetched_at"]
    assert sp["incidents"] == first["providers"][0]["incidents"]
    _check_incidentio(second["providers"][1])


def test_status_table_from_the_real_command(loopback: LoopbackServer, tmp_path: Path) -> None:
    providers = _serve_good(loopback)
    loopback.fault("/down/api/v2/summary.json", "500")
    providers["down"] = ("statuspage", loopback.url("/down"))
    config = tmp_path / "config.toml"
    _write_config(config, providers)
    done, _ = _run(config, "status")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].endswith("3 providers: 2 with problems, 1 unknown")
    # Worst first: partial outage (IO), degraded (SP), then unknown (DOWN): never an outage.
    rows = [line for line in lines[1:] if not line.startswith(" ")]
    assert [row[:14].strip() for row in rows] == ["partial outage", "degraded", "unknown"]
    assert [row[15:].split()[0] for row in rows] == ["IO", "SP", "DOWN"]
    assert "HTTP 500 from http://127.0.0.1:" in rows[2]
    assert "    ! [major] Elevated errors on the API (identified, since 2026-09-29 17:52 UTC" in (
        done.stdout
    )
    assert "    ~ maintenance in progress: Database upgrade, 2019-02-20 17:00 UTC" in done.stdout
    assert "\x1b" not in done.stdout  # not a terminal: no colour


@pytest.mark.parametrize("flag", ["--json", "status"])
def test_no_color_and_pipes(flag: str, loopback: LoopbackServer, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    _write_config(config, _serve_good(loopback))
    done, _ = _run(config, flag, "--color", "always")
    assert done.returncode == 0
    if flag == "status":
        assert "\x1b[33m" in done.stdout  # asked for explicitly
    else:
        assert "\x1b" not in done.stdout


def test_when_nothing_can_be_reached_stderr_says_so(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    _write_config(config, {"a": ("statuspage", "http://127.0.0.1:9/a")})
    done, _ = _run(config, "--json")
    assert _document(done)["providers"][0]["error"]["type"] == "connection"
    assert done.stderr == (
        "statuswatch: no provider could be reached: check the network, DNS or proxy "
        "settings (HTTPS_PROXY)\n"
    )
