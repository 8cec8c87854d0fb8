"""`statuswatch wait ID[:COMPONENT]`: blocks until operational; 1 on timeout."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from loopback import LoopbackServer
from notify_helpers import notify_env, statuswatch, summary, write_config

PAGE = "/ex/api/v2/summary.json"
DEGRADED = summary("minor", [("API", "operational"), ("Web", "degraded_performance")])


def env_for(tmp_path: Path, srv: LoopbackServer) -> dict[str, str]:
    return notify_env(tmp_path, write_config(tmp_path / "config.toml", {"ex": srv.url("/ex")}))


def test_an_operational_provider_returns_at_once(tmp_path: Path) -> None:
    with LoopbackServer() as srv:
        srv.route(PAGE, summary())
        done = statuswatch(env_for(tmp_path, srv), "wait", "ex")
        assert srv.requests(PAGE) == 1
    assert (done.returncode, done.stdout, done.stderr) == (0, "ex: operational\n", "")


def test_a_component_is_waited_for_by_name_or_id(tmp_path: Path) -> None:
    with LoopbackServer() as srv:
        srv.route(PAGE, DEGRADED)
        env = env_for(tmp_path, srv)
        by_name = statuswatch(env, "wait", "ex:api")
        by_id = statuswatch(env, "wait", "ex:c-API")
        unknown = statuswatch(env, "wait", "ex:Wbe")
    assert (by_name.returncode, by_name.stdout) == (0, "ex:api: operational\n")
    assert (by_id.returncode, by_id.stdout) == (0, "ex:c-API: operational\n")
    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert unknown.stderr == "statuswatch: error: ex has no component 'Wbe' (did you mean 'Web'?)\n"


def test_timeout_gives_1(tmp_path: Path) -> None:
    with LoopbackServer() as srv:
        srv.route(PAGE, DEGRADED)
        done = statuswatch(env_for(tmp_path, srv), "wait", "ex:Web", "--timeout", "1",
                           "--interval", "1")  # fmt: skip
        polls = srv.requests(PAGE)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "statuswatch: wait: ex:Web is degraded\n"
        "statuswatch: wait: timed out after 1 s: ex:Web is degraded\n"
    )
    assert polls == 2  # one at the start, one at the deadline


def test_waits_until_the_page_says_operational(tmp_path: Path) -> None:
    with LoopbackServer() as srv:
        srv.route(PAGE, DEGRADED)
        command = [sys.executable, "-m", "statuswatch", "wait", "ex", "--interval", "1",
                   "--timeout", "30"]  # fmt: skip
        process = subprocess.Popen(command, env=env_for(tmp_path, srv), text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        deadline = time.monotonic() + 20
        while srv.requests(PAGE) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        srv.route(PAGE, summary())
        out, err = process.communicate(timeout=30)
    assert (process.returncode, out) == (0, "ex: operational\n")
    assert err == "statuswatch: wait: ex is degraded\n"


def test_an_unreachable_page_means_keep_waiting(tmp_path: Path) -> None:
    with LoopbackServer() as srv:
        srv.fault(PAGE, "500")
        done = statuswatch(env_for(tmp_path, srv), "wait", "ex", "--timeout", "1",
                           "--interval", "1")  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == (
        "statuswatch: wait: ex is unknown (http_status: keep waiting)\n"
        "statuswatch: wait: timed out after 1 s: ex is unknown\n"
    )


def test_an_unknown_provider_is_a_usage_error(tmp_path: Path) -> None:
    with LoopbackServer() as srv:
        done = statuswatch(env_for(tmp_path, srv), "wait", "exx")
    assert done.returncode == 2
    assert done.stderr == "statuswatch: error: unknown provider 'exx' (did you mean 'ex'?)\n"
