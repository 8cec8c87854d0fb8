"""The real `statuswatch notify` command, run again and again against pages on 127.0.0.1."""

from __future__ import annotations

import fcntl
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from loopback import LoopbackServer
from notify_helpers import (
    Receiver,
    incident,
    incident_stages,
    notify_env,
    statuswatch,
    summary,
    update,
    write_config,
)

from statuswatch.document.schema import load_schema

SUMMARY = "/{pid}/api/v2/summary.json"
_DEFS = load_schema()["$defs"]
INCIDENT_SCHEMA = jsonschema.Draft202012Validator({"$defs": _DEFS, "$ref": "#/$defs/incident"})
BASELINE = (
    "statuswatch: notify: first run: recorded a baseline of 2 providers; nothing sent "
    "(changes from now on will be; --send-existing sends what is active)\n"
)


def webhook(url: str, name: str = "hook", extra: str = "") -> str:
    return f'[[notify.channels]]\ntype = "webhook"\nname = "{name}"\nurl = "{url}"\n{extra}\n'


STDOUT = '[[notify.channels]]\ntype = "stdout"\n'


def setup(tmp_path: Path, srv: LoopbackServer, channels: str, notify: str = "") -> dict[str, str]:
    """Two providers: `ex` (whose pages the test changes) and a quiet `calm`."""
    srv.route(SUMMARY.format(pid="ex"), incident_stages()[0])
    srv.route(SUMMARY.format(pid="calm"), summary())
    providers = {"ex": srv.url("/ex"), "calm": srv.url("/calm")}
    config = write_config(tmp_path / "config.toml", providers, channels, notify)
    return notify_env(tmp_path, config)


def check_document(document: dict[str, Any]) -> dict[str, Any]:
    """The documented payload: exactly these keys, the incident as in --json."""
    assert list(document) == ["schema", "event"] and document["schema"] == "statuswatch/v1"
    event: dict[str, Any] = document["event"]
    assert list(event) == ["id", "kind", "at", "provider", "incident", "text"]
    assert list(event["provider"]) == ["id", "name", "page_url"]
    errors = [e.message for e in INCIDENT_SCHEMA.iter_errors(event["incident"])]
    assert errors == []
    return event


def test_each_change_reaches_the_webhook_exactly_once_over_20_runs(tmp_path: Path) -> None:
    with LoopbackServer() as srv, Receiver() as rx:
        env = setup(tmp_path, srv, webhook(rx.url("/hook")) + STDOUT)
        stages = incident_stages()
        outputs: list[tuple[int, str, str]] = []
        for run in range(20):
            srv.route(SUMMARY.format(pid="ex"), stages[run // 4])
            done = statuswatch(env, "notify")
            outputs.append((done.returncode, done.stdout, done.stderr))
        events = [check_document(body) for body in rx.bodies("/hook")]
    assert [e["kind"] for e in events] == [
        "incident_opened", "incident_updated", "incident_updated", "incident_resolved"
    ]  # fmt: skip
    assert len({e["id"] for e in events}) == 4
    assert [e["incident"]["phase"] for e in events] == [
        "investigating", "identified", "monitoring", "resolved"
    ]  # fmt: skip
    assert [e["at"] for e in events[:3]] == [
        "2026-11-27T10:00:00Z", "2026-11-27T10:11:00Z", "2026-11-27T10:21:00Z"
    ]  # fmt: skip
    assert events[1]["text"] == (
        "EX: update on [major] API errors: The cause is known. https://stspg.example/inc-1"
    )
    assert all(e["provider"]["id"] == "ex" and e["provider"]["name"] == "EX" for e in events)
    assert all(code == 0 for code, _, _ in outputs)
    assert outputs[0][2] == BASELINE
    assert all(err == "" for _, _, err in outputs[1:])
    # stdout only on the run right after a change: cron mails only when it matters.
    changed = {4, 8, 12, 16}
    assert [i for i, (_, out, _) in enumerate(outputs) if out] == sorted(changed)
    assert outputs[4][1] == (
        "2026-11-27T10:00:00Z  EX: new incident [major] API errors (investigating): "
        "We are investigating. https://stspg.example/inc-1\n"
    )


def test_a_receiver_that_fails_then_recovers_gets_every_event_later(tmp_path: Path) -> None:
    with LoopbackServer() as srv, Receiver() as rx:
        env = setup(tmp_path, srv, webhook(rx.url("/hook")))
        stages = incident_stages()
        assert statuswatch(env, "notify").returncode == 0
        rx.down = True
        failures = []
        for stage in stages[1:4]:
            srv.route(SUMMARY.format(pid="ex"), stage)
            failures.append(statuswatch(env, "notify"))
        assert rx.accepted() == []
        rx.down = False
        srv.route(SUMMARY.format(pid="ex"), stages[4])
        recovered = statuswatch(env, "notify")
        again = statuswatch(env, "notify")
        kinds = [b["event"]["kind"] for b in rx.bodies("/hook")]
    assert [f.returncode for f in failures] == [1, 1, 1]
    assert failures[2].stderr == (
        "statuswatch: notify: channel 'hook' (webhook): HTTP 503; 3 events kept for the next run\n"
    )
    assert (recovered.returncode, recovered.stderr, again.returncode) == (0, "", 0)
    assert kinds == ["incident_opened", "incident_updated", "incident_updated", "incident_resolved"]


def test_five_overlapping_runs_send_no_duplicate(tmp_path: Path) -> None:
    # The receiver is slow, so a run lasts long enough for the others to pile up behind it.
    with LoopbackServer() as srv, Receiver(latency=0.3) as rx:
        env = setup(tmp_path, srv, webhook(rx.url("/a"), "a") + webhook(rx.url("/b"), "b"))
        assert statuswatch(env, "notify").returncode == 0
        srv.route(SUMMARY.format(pid="ex"), incident_stages()[2])  # opened + nothing else
        srv.route(SUMMARY.format(pid="calm"), summary("major", [("API", "major_outage")], [
            incident("c1", "Calm broke", "investigating", [update("2026-11-27T10:05:00.000Z",
                     "investigating", "Broken")])]))  # fmt: skip
        command = [sys.executable, "-m", "statuswatch", "notify"]
        runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(5)]  # fmt: skip
        overlapping = all(run.poll() is None for run in runs)
        results = [run.communicate(timeout=60) for run in runs]
        codes = [run.returncode for run in runs]
        received = [(r.path, r.json()["event"]["id"]) for r in rx.accepted()]
    assert overlapping, "the five runs should have been running at the same time"
    assert codes == [0] * 5 and all(out == err == "" for out, err in results)
    assert len(received) == 4 and len(set(received)) == 4  # 2 events x 2 channels, once each


def test_a_run_that_cannot_get_the_lock_gives_up_with_75(tmp_path: Path) -> None:
    with LoopbackServer() as srv, Receiver() as rx:
        env = setup(tmp_path, srv, webhook(rx.url("/hook")))
        assert statuswatch(env, "notify").returncode == 0
        lock = tmp_path / "state" / "notify.lock"
        with lock.open("a") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            srv.route(SUMMARY.format(pid="ex"), incident_stages()[1])
            blocked = statuswatch(env, "notify", "--lock-timeout", "0.3")
        assert rx.accepted() == []
        after = statuswatch(env, "notify")
        kinds = [b["event"]["kind"] for b in rx.bodies()]
    assert (blocked.returncode, blocked.stdout) == (75, "")
    assert blocked.stderr == (
        f"statuswatch: notify: another statuswatch notify is running (lock {lock}); "
        "gave up after waiting 0.3 s\n"
    )
    assert after.returncode == 0 and kinds == ["incident_opened"]


def test_dry_run_prints_and_changes_nothing(tmp_path: Path) -> None:
    with LoopbackServer() as srv, Receiver() as rx:
        env = setup(tmp_path, srv, webhook(rx.url("/hook")) + STDOUT)
        first_dry = statuswatch(env, "notify", "--dry-run")
        assert not (tmp_path / "state" / "notify-state.json").exists()
        statuswatch(env, "notify")
        state = tmp_path / "state" / "notify-state.json"
        before = state.read_bytes()
        srv.route(SUMMARY.format(pid="ex"), incident_stages()[1])
        dry = statuswatch(env, "notify", "--dry-run")
        assert state.read_bytes() == before and rx.accepted() == []
        assert not (tmp_path / "state" / "notify-outbox.json").exists()
        real = statuswatch(env, "notify")
        assert [b["event"]["kind"] for b in rx.bodies()] == ["incident_opened"]
    assert first_dry.returncode == 0 and first_dry.stdout == ""
    assert first_dry.stderr == (
        "statuswatch: notify: dry run: no saved state: a real run would record a baseline and "
        "send nothing\n"
    )
    line = (
        "2026-11-27T10:00:00Z  EX: new incident [major] API errors (investigating): "
        "We are investigating. https://stspg.example/inc-1"
    )
    assert dry.returncode == 0 and dry.stderr == ""
    assert dry.stdout == f"would send to hook: {line}\nwould send to stdout: {line}\n"
    assert real.stdout == line + "\n"


def test_a_corrupt_state_is_set_aside_with_a_new_baseline_and_no_flood(tmp_path: Path) -> None:
    with LoopbackServer() as srv, Receiver() as rx:
        env = setup(tmp_path, srv, webhook(rx.url("/hook")))
        statuswatch(env, "notify")
        state = tmp_path / "state" / "notify-state.json"
        state.write_text('{"version": 1, "providers": {"ex": [')
        srv.route(SUMMARY.format(pid="ex"), incident_stages()[1])
        done = statuswatch(env, "notify")
        aside = sorted((tmp_path / "state").glob("notify-state.json.corrupt-*"))
        srv.route(SUMMARY.format(pid="ex"), incident_stages()[2])
        later = statuswatch(env, "notify")
        kinds = [b["event"]["kind"] for b in rx.bodies()]
    assert done.returncode == 0 and done.stdout == ""
    assert len(aside) == 1 and aside[0].read_text() == '{"version": 1, "providers": {"ex": ['
    assert done.stderr.startswith(
        f"statuswatch: notify: the notifier state {state} could not be read (not valid JSON); "
        f"moved to {aside[0].name}; a new baseline is recorded and nothing old is sent\n"
    )
    assert later.returncode == 0 and kinds == ["incident_updated"]


def test_send_existing_on_the_first_run_and_private_files(tmp_path: Path) -> None:
    with LoopbackServer() as srv, Receiver() as rx:
        env = setup(tmp_path, srv, webhook(rx.url("/hook")))
        srv.route(SUMMARY.format(pid="ex"), incident_stages()[3])
        done = statuswatch(env, "notify", "--send-existing")
        again = statuswatch(env, "notify")
        kinds = [b["event"]["kind"] for b in rx.bodies()]
    assert (done.returncode, done.stdout, done.stderr, again.returncode) == (0, "", "", 0)
    assert kinds == ["incident_opened"]
    state_dir = tmp_path / "state"
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700
    for name in ("notify-state.json", "notify-outbox.json", "notify.lock", "history.sqlite3"):
        assert stat.S_IMODE((state_dir / name).stat().st_mode) == 0o600, name
    assert sorted(os.listdir(state_dir)) == [
        "history.sqlite3", "notify-outbox.json", "notify-state.json", "notify.lock"
    ]  # fmt: skip


def test_an_unreachable_page_is_told_once_when_opted_in(tmp_path: Path) -> None:
    with LoopbackServer() as srv, Receiver() as rx:
        extra = 'events = ["provider_unreachable", "provider_recovered"]'
        env = setup(tmp_path, srv, webhook(rx.url("/hook"), extra=extra), "unreachable_after = 2")
        statuswatch(env, "notify")
        srv.fault(SUMMARY.format(pid="ex"), "500")
        runs = [statuswatch(env, "notify") for _ in range(3)]
        srv.clear_fault(SUMMARY.format(pid="ex"))
        runs.append(statuswatch(env, "notify"))
        texts = [b["event"]["text"] for b in rx.bodies()]
        bodies = rx.bodies()
        page = srv.url(SUMMARY.format(pid="ex"))
    assert [r.returncode for r in runs] == [0, 0, 0, 0]
    assert texts == [
        f"EX: status page unreachable: http_status: HTTP 500 from {page}",
        "EX: status page reachable again",
    ]
    assert list(bodies[0]["event"]) == ["id", "kind", "at", "provider", "text"]


@pytest.mark.parametrize("bad", ["[notify]\nretries = -1\n"])
def test_a_bad_notify_config_exits_2_with_one_line(tmp_path: Path, bad: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(bad)
    done = statuswatch(notify_env(tmp_path, config), "notify")
    assert (done.returncode, done.stdout) == (2, "")
    assert (
        done.stderr == f"statuswatch: error: {config}: notify.retries: must be at least 0, got -1\n"
    )
