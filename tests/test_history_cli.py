"""The history's commands end to end: every front end records, `history`, `report`, `backfill`,
`export`, serve's /v1/history and /v1/report, and the `--server` clients reading them."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from loopback import LoopbackServer
from notify_helpers import (
    incident,
    incident_stages,
    notify_env,
    statuswatch,
    summary,
    update,
    write_config,
)
from test_serve_cli import client_env, serving

from statuswatch.document import HISTORY_SCHEMA, REPORT_SCHEMA
from statuswatch.document.schema import load_schema

SUMMARY = "/api/v2/summary.json"
STAGES = incident_stages()
REALWORLD = Path(__file__).resolve().parents[1].parent / "shared" / "realworld"
GITHUB_LIST = REALWORLD / "statuspage" / "github-incidents-list-2026-09-19.json"


def valid(name: str, document: Any) -> None:
    jsonschema.Draft202012Validator(load_schema(name)).validate(document)


@pytest.fixture
def env(tmp_path: Path, loopback: LoopbackServer) -> dict[str, str]:
    loopback.route(f"/ex{SUMMARY}", json.dumps(STAGES[0]).encode())
    loopback.route(f"/ok{SUMMARY}", json.dumps(summary()).encode())
    config = write_config(
        tmp_path / "config.toml", {"ex": loopback.url("/ex"), "ok": loopback.url("/ok")}
    )
    return notify_env(tmp_path, config)


def stage(loopback: LoopbackServer, n: int) -> None:
    loopback.route(f"/ex{SUMMARY}", json.dumps(STAGES[n]).encode())


def history(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = statuswatch(env, "history", "--json", *args)
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    valid(HISTORY_SCHEMA, document)
    return document


def test_every_front_end_records_and_history_tells_the_incident(
    env: dict[str, str], loopback: LoopbackServer, tmp_path: Path
) -> None:
    assert statuswatch(env, "--json").returncode == 0  # quiet page: a baseline
    stage(loopback, 1)
    assert statuswatch(env, "status").returncode == 0  # opened
    stage(loopback, 2)
    assert statuswatch(env, "check").returncode == 1  # updated (WARNING: a partial outage)
    stage(loopback, 3)
    notified = statuswatch(env, "notify")
    assert notified.returncode == 0, notified.stderr  # updated again
    stage(loopback, 4)
    waited = statuswatch(env, "wait", "ex", "--timeout", "0")
    assert waited.returncode == 0, waited.stderr  # resolved: gone from the summary
    [incident] = history(env)["incidents"]
    assert incident["id"] == "inc-1" and incident["provider"] == "ex"
    assert incident["source"] == "observed"
    assert incident["started_at"] == "2026-11-27T10:00:00Z"  # the page's own start
    assert incident["resolved_at"] is not None
    assert incident["updates"] == 3
    assert incident["first_update"]["text"] == "We are investigating."
    assert incident["last_update"]["text"] == "A fix is out."
    table = statuswatch(env, "history")
    assert "EX · [major] API errors" in table.stdout and "3 updates" in table.stdout
    # Every transition was recorded: quiet, partial outage (minor later), operational again.
    report = statuswatch(env, "report", "--json", "--since", "3650d")
    document = json.loads(report.stdout)
    valid(REPORT_SCHEMA, document)
    assert [p["id"] for p in document["providers"]] == ["ex", "ok"]
    assert document["providers"][0]["incidents"]["major"] == 1
    assert document["providers"][0]["basis"]["minutes"] in ("observed", "mixed")


def test_the_demo_and_dry_runs_record_nothing(env: dict[str, str], tmp_path: Path) -> None:
    assert statuswatch(env, "demo", "--json").returncode == 0
    assert statuswatch(env, "notify", "--dry-run").returncode == 0
    assert not (tmp_path / "state" / "history.sqlite3").exists()


def test_history_can_be_turned_off_and_a_bad_table_is_a_warning(
    env: dict[str, str], tmp_path: Path, loopback: LoopbackServer
) -> None:
    config = Path(env["STATUSWATCH_CONFIG"])
    base = config.read_text()
    config.write_text(base + "\n[history]\nenabled = false\n")
    stage(loopback, 1)
    assert statuswatch(env, "--json").returncode == 0
    assert not (tmp_path / "state" / "history.sqlite3").exists()
    config.write_text(base + "\n[history]\nretention_days = 0\n")
    done = statuswatch(env, "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["schema"] == "statuswatch/v1"
    assert "history.retention_days: must be from 1 to 36500, got 0" in done.stderr
    assert "polls are not recorded" in done.stderr
    # A number of days past what a date can go back was an OverflowError traceback.
    config.write_text(base + "\n[history]\nretention_days = 99999999999\n")
    done = statuswatch(env, "--json")
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert "history.retention_days: must be from 1 to 36500, got 99999999999" in done.stderr
    refused = statuswatch(env, "report")
    assert refused.returncode == 0  # the report reads; only recording follows [history]
    config.write_text(base + '\n[history]\nenabled = "yes"\n')
    assert (
        "history.enabled: expected true or false, got string" in statuswatch(env, "status").stderr
    )


def test_windows_filters_limits_and_bad_options(
    env: dict[str, str], loopback: LoopbackServer
) -> None:
    stage(loopback, 1)
    statuswatch(env, "--json")
    assert [i["id"] for i in history(env, "-p", "ex")["incidents"]] == ["inc-1"]
    assert history(env, "-p", "ok")["incidents"] == []
    # The incident started 2026-11-27 10:00 and is still open: in any window after that.
    assert history(env, "--until", "2026-11-27T10:00Z")["incidents"] == []
    assert len(history(env, "--since", "2026-11-27", "--limit", "1")["incidents"]) == 1
    bad = statuswatch(env, "history", "--since", "last week")
    assert bad.returncode == 2
    assert "--since: expected a span such as 30d" in bad.stderr
    backwards = statuswatch(env, "report", "--since", "1d", "--until", "2d")
    assert (backwards.returncode, "--since must come before --until" in backwards.stderr) == (
        2,
        True,
    )
    unknown = statuswatch(env, "report", "-p", "nope")
    assert unknown.returncode == 2 and "unknown provider 'nope'" in unknown.stderr


def test_history_reads_the_config_and_its_provider_ids_as_every_command_does(
    env: dict[str, str], loopback: LoopbackServer, tmp_path: Path
) -> None:
    # `history` read no config at all: a named file that does not exist, or a broken one, was
    # ignored (exit 0), and `-p EX`, `-p exx` or `-p ex:API` each listed nothing, silently.
    u = update("2026-11-27T10:01:00.000Z", "investigating", "Looking.")
    api = incident("on-api", "API errors", "investigating", [u], components=["API"])
    web = incident("on-web", "Web errors", "investigating", [u], components=["Web"])
    page = summary("major", [("API", "major_outage"), ("Web", "major_outage")], [api, web])
    loopback.route(f"/ex{SUMMARY}", json.dumps(page).encode())
    assert statuswatch(env, "--json").returncode == 0
    assert sorted(i["id"] for i in history(env, "-p", "EX")["incidents"]) == ["on-api", "on-web"]
    assert [i["id"] for i in history(env, "-p", "ex:API")["incidents"]] == ["on-api"]
    assert [i["id"] for i in history(env, "-p", "ex:Web", "--limit", "1")["incidents"]] == [
        "on-web"
    ]
    exported = statuswatch(env, "history", "export", "-p", "Ex:web").stdout.splitlines()
    assert [json.loads(line)["id"] for line in exported] == ["on-web"]
    for args in (["history", "-p", "exx"], ["history", "export", "-p", "exx"]):
        unknown = statuswatch(env, *args)
        assert unknown.returncode == 2, args
        assert "unknown provider 'exx' (did you mean 'ex'?)" in unknown.stderr
    missing = {**env, "STATUSWATCH_CONFIG": str(tmp_path / "missing.toml")}
    broken = tmp_path / "broken.toml"
    broken.write_text('watch = ["ex"\n')
    for named in (missing, {**env, "STATUSWATCH_CONFIG": str(broken)}):
        for args in (["history"], ["history", "export"], ["history", "--json"]):
            done = statuswatch(named, *args)
            assert done.returncode == 2, (args, done.stdout)
            assert (
                done.stderr.startswith("statuswatch: error: ")
                and len(done.stderr.splitlines()) == 1
            )


@pytest.mark.parametrize(
    "args",
    [
        ["history", "--since", "999999w"],
        ["report", "--since", "0001-01-01"],
        ["history", "export", "--until", "1969-12-31"],
    ],
)
def test_a_window_reaching_before_1970_is_one_line(env: dict[str, str], args: list[str]) -> None:
    # 999999w overflowed the date (a traceback), and year 1 made a report document that its
    # own reader refused ("unexpected document.since", exit 1).
    done = statuswatch(env, *args)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("statuswatch: error: --")
    assert "before 1970" in done.stderr and len(done.stderr.splitlines()) == 1


def test_history_limit_has_a_range(env: dict[str, str]) -> None:
    # A limit past SQLite's integers was an OverflowError traceback.
    done = statuswatch(env, "history", "--limit", "9" * 30)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "argument --limit: expected a whole number from 1 to 100000" in done.stderr


def test_export_jsonl_and_csv(
    env: dict[str, str], loopback: LoopbackServer, tmp_path: Path
) -> None:
    stage(loopback, 1)
    statuswatch(env, "--json")
    lines = statuswatch(env, "history", "export").stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["inc-1"]
    table = statuswatch(env, "history", "export", "--format", "csv", "-p", "ex").stdout
    rows = list(csv.DictReader(io.StringIO(table)))
    assert [(r["provider"], r["id"], r["impact"]) for r in rows] == [("ex", "inc-1", "major")]
    target = tmp_path / "out" / "incidents.csv"
    target.parent.mkdir()
    done = statuswatch(env, "history", "export", "--format", "csv", "--output", str(target))
    assert done.returncode == 0 and "1 incident written" in done.stderr
    assert target.read_text() == table
    markdown = statuswatch(env, "report", "--markdown").stdout
    assert markdown.startswith("## Reliability") and "| EX |" in markdown
    as_csv = list(csv.reader(io.StringIO(statuswatch(env, "report", "--csv").stdout)))
    assert [row[:2] for row in as_csv] == [["kind", "id"], ["provider", "ex"], ["provider", "ok"]]


@pytest.mark.skipif(not GITHUB_LIST.is_file(), reason="real-world payloads not found")
def test_backfill_command(env: dict[str, str], loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.route("/gh/api/v2/incidents.json", GITHUB_LIST.read_bytes())
    config = Path(env["STATUSWATCH_CONFIG"])
    config.write_text(
        config.read_text()
        + f'\n[providers.gh]\nname = "GitHub"\nkind = "statuspage"\nurl = "{loopback.url("/gh")}"\n'
    )
    done = statuswatch(env, "history", "backfill", "-p", "gh")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("gh: 50 incidents (50 new), 0 maintenances from http://127.0.0.1")
    again = statuswatch(env, "history", "backfill", "-p", "gh")
    assert "gh: 50 incidents (0 new)" in again.stdout
    found = history(env, "-p", "gh")["incidents"]
    assert len(found) == 50 and {i["source"] for i in found} == {"backfill"}
    one = json.loads(GITHUB_LIST.read_bytes())
    one["incidents"] = one["incidents"][:1]
    loopback.route("/ok/api/v2/incidents.json", json.dumps(one).encode())
    single = statuswatch(env, "history", "backfill", "-p", "ok")
    assert single.stdout.startswith("ok: 1 incident (1 new), 0 maintenances from")  # "1 incidents"
    failed = statuswatch(env, "history", "backfill", "-p", "ex")  # its server has no history
    assert failed.returncode == 1 and "ex: error: HTTP 404" in failed.stdout
    served = statuswatch(env, "history", "backfill", "--server", "http://127.0.0.1:9")
    assert served.returncode == 2


def test_serve_records_once_and_serves_history_and_report(
    env: dict[str, str], loopback: LoopbackServer, tmp_path: Path
) -> None:
    stage(loopback, 1)
    with serving(env, "--interval", "10") as url:
        deadline = time.monotonic() + 30
        while True:  # the first poll is recorded as it is made
            document = httpx.get(url + "/v1/history").json()
            if document["incidents"] or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        valid(HISTORY_SCHEMA, document)
        assert [i["id"] for i in document["incidents"]] == ["inc-1"]
        report = httpx.get(url + "/v1/report", params={"since": "1d", "daily": "1"}).json()
        valid(REPORT_SCHEMA, report)
        assert [p["id"] for p in report["providers"]] == ["ex", "ok"]
        assert len(report["providers"][0]["daily"]) == 2  # yesterday and today
        bad = httpx.get(url + "/v1/history", params={"since": "soon"})
        assert bad.status_code == 400 and "since/until" in bad.json()["error"]
        # A span past the calendar's start closed the connection without an answer.
        far = httpx.get(url + "/v1/history", params={"since": "999999w"})
        assert far.status_code == 400 and "before 1970" in far.json()["error"]
        # `report --server -p EX:API`: any case, and a scope, as the commands take them (the
        # server rated a provider named "EX:API" that it had never heard of).
        scoped = httpx.get(url + "/v1/report", params={"provider": "EX:API"}).json()
        assert [(p["id"], p["name"]) for p in scoped["providers"]] == [("ex", "EX (API)")]
        listed = httpx.get(url + "/v1/history", params={"provider": "Ex"}).json()
        assert [i["id"] for i in listed["incidents"]] == ["inc-1"]
        empty = httpx.get(url + "/v1/history", params={"provider": "ex:"})
        assert empty.status_code == 400 and "provider" in empty.json()["error"]
        backwards = httpx.get(url + "/v1/report", params={"since": "1d", "until": "2d"})
        assert backwards.status_code == 400  # answered 200 with an empty window
        assert backwards.json()["error"] == "since must come before until"
        unknown = httpx.get(url + "/v1/report", params={"color": "red"})
        assert unknown.status_code == 400 and "unknown parameter 'color'" in unknown.json()["error"]
        client = client_env(tmp_path, env)
        raw = httpx.get(url + "/v1/history", params={"provider": "ex"}).content
        mirrored = statuswatch(client, "history", "--server", url, "-p", "ex", "--json")
        table = statuswatch(client, "report", "--server", url)
        refused = statuswatch(client, "history", "--server", url, "--since", "1d", "--until", "2d")
        gone = statuswatch(client, "history", "--server", "http://127.0.0.1:9")
    assert mirrored.returncode == 0  # the server's document (made afresh for each request)
    assert {**json.loads(mirrored.stdout), "generated_at": None} == {
        **json.loads(raw),
        "generated_at": None,
    }
    assert table.returncode == 0 and "EX" in table.stdout
    assert refused.returncode == 2
    assert gone.returncode == 1 and "cannot reach http://127.0.0.1:9" in gone.stderr
    # The clients keep no history of their own: the server records for everyone.
    assert not (tmp_path / "client-state" / "history.sqlite3").exists()


def test_report_rates_the_configs_stacks(env: dict[str, str], loopback: LoopbackServer) -> None:
    config = Path(env["STATUSWATCH_CONFIG"])
    config.write_text(
        config.read_text() + '\n[stacks.shop]\nname = "Shop"\nuses = ["ex:API", "ok"]\n'
    )
    stage(loopback, 1)
    assert statuswatch(env, "--json").returncode == 0
    document = json.loads(statuswatch(env, "report", "--json").stdout)
    valid(REPORT_SCHEMA, document)
    [shop] = document["stacks"]
    assert (shop["id"], shop["name"], shop["parts"]) == ("shop", "Shop", ["ex:API", "ok"])
    assert shop["incidents"]["major"] == 0  # inc-1 names no component: not in ex:API
    chosen = json.loads(statuswatch(env, "report", "--json", "-p", "ok").stdout)
    assert chosen["stacks"] == []  # -p chooses providers: no stacks, as everywhere
    table = statuswatch(env, "report").stdout
    assert "\nstack" in table and "Shop" in table


def test_early_warnings_of_the_probes_and_their_lead_are_recorded(
    tmp_path: Path, loopback: LoopbackServer
) -> None:
    """Issue 12 with the history: the probes fail while the page is quiet (an early warning
    opens), then the page admits an incident: the history records the warning and the lead."""
    from notify_helpers import incident, update

    loopback.route("/ex/api/v2/summary.json", json.dumps(summary()).encode())
    loopback.fault("/api/ex", "503")
    config = tmp_path / "config.toml"
    config.write_text(
        'watch = ["ex"]\n[http]\nconnect_timeout = 1.0\ndeadline = 3.0\nretries = 0\n'
        "[probes]\ntimeout = 1.0\nconsecutive = 2\n[history]\nbackfill = false\n"
        f'[providers.ex]\nname = "EX"\nkind = "statuspage"\nurl = "{loopback.url("/ex")}"\n'
        f'probes = [{{url = "{loopback.url("/api/ex")}"}}]\n',
        encoding="utf-8",
    )
    env = notify_env(tmp_path, config)
    for _ in range(2):  # two failed probe polls in a row: the warning opens
        assert statuswatch(env, "--json").returncode == 0
    posted = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 1))
    first = update(posted, "investigating", "Oops")
    opened = summary(
        "major",
        [("API", "major_outage")],
        [incident("late-1", "API down", "investigating", [first])],
    )
    loopback.route("/ex/api/v2/summary.json", json.dumps(opened).encode())
    assert statuswatch(env, "--json").returncode == 0
    [found] = history(env)["incidents"]
    assert found["id"] == "late-1"
    assert found["detected_lead_s"] is not None and found["detected_lead_s"] >= 0
    import sqlite3

    db = sqlite3.connect(tmp_path / "state" / "history.sqlite3")
    warnings = db.execute("SELECT provider, cleared_at FROM early_warnings").fetchall()
    db.close()
    assert warnings == [("ex", None)]  # still open: the probes still fail
