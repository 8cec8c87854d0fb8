"""`statuswatch check`: the Nagios plugin line and its exit codes 0, 1, 2 and 3."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from loopback import LoopbackServer
from notify_helpers import incident, notify_env, statuswatch, summary, update, write_config

from statuswatch.model import (
    ErrorType,
    FetchError,
    Impact,
    Incident,
    Maintenance,
    Page,
    Phase,
    ProviderReport,
    ProviderSpec,
    Snapshot,
    Status,
)
from statuswatch.nagios import CheckState
from statuswatch.nagios import summary as check_summary

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
PERF = "providers={};;;0 ok={};;;0 warning={};;;0 critical={};;;0 unknown={};;;0"


def report(name: str, status: Status | None, **page: object) -> ProviderReport:
    spec = ProviderSpec(id=name.lower(), name=name, kind="statuspage", url="https://x.example")
    if status is None:
        error = FetchError(ErrorType.TIMEOUT, f"no answer from {name}")
        return ProviderReport(spec, Page(Status.OPERATIONAL), T0, stale=True, error=error)
    return ProviderReport(spec, Page(status, **page), T0)  # type: ignore[arg-type]


def critical_incident() -> Incident:
    return Incident("i", "Down", Impact.CRITICAL, Phase.INVESTIGATING, T0)


@pytest.mark.parametrize(
    ("reports", "state", "line"),
    [
        ([report("A", Status.OPERATIONAL), report("B", Status.OPERATIONAL)], CheckState.OK,
         "STATUSWATCH OK - 2 of 2 providers operational | " + PERF.format(2, 2, 0, 0, 0)),
        ([report("A", Status.DEGRADED), report("B", Status.OPERATIONAL)], CheckState.WARNING,
         "STATUSWATCH WARNING - 1 of 2 providers with problems: A degraded | "
         + PERF.format(2, 1, 1, 0, 0)),
        ([report("A", Status.OPERATIONAL, maintenances=(
            Maintenance("m", "DB", Phase.IN_PROGRESS, T0),))], CheckState.WARNING,
         "STATUSWATCH WARNING - 1 of 1 provider with problems: A maintenance | "
         + PERF.format(1, 0, 1, 0, 0)),
        ([report("A", Status.PARTIAL_OUTAGE), report("B", Status.MAJOR_OUTAGE),
          report("C", None)], CheckState.CRITICAL,
         "STATUSWATCH CRITICAL - 2 of 3 providers with problems: B major outage, A partial "
         "outage; 1 unknown | " + PERF.format(3, 0, 1, 1, 1)),
        ([report("A", Status.DEGRADED, incidents=(critical_incident(),))], CheckState.CRITICAL,
         "STATUSWATCH CRITICAL - 1 of 1 provider with problems: A degraded | "
         + PERF.format(1, 0, 0, 1, 0)),
        ([report("A", None), report("B", None)], CheckState.UNKNOWN,
         "STATUSWATCH UNKNOWN - no status page could be read (2 tried): no answer from A | "
         + PERF.format(2, 0, 0, 0, 2)),
        ([report("A", Status.UNKNOWN), report("B", Status.OPERATIONAL)], CheckState.OK,
         "STATUSWATCH OK - 1 of 2 providers operational; 1 unknown | "
         + PERF.format(2, 1, 0, 0, 1)),
        ([report("A", Status.UNKNOWN)], CheckState.UNKNOWN,
         "STATUSWATCH UNKNOWN - no provider's status could be told (1 read, none recognised) | "
         + PERF.format(1, 0, 0, 0, 1)),
        ([report("A|B", Status.DEGRADED)], CheckState.WARNING,
         "STATUSWATCH WARNING - 1 of 1 provider with problems: A/B degraded | "
         + PERF.format(1, 0, 1, 0, 0)),
    ],
)  # fmt: skip
def test_the_summary_line(reports: list[ProviderReport], state: CheckState, line: str) -> None:
    assert check_summary(Snapshot(T0, tuple(reports))) == (state, line)


def test_only_five_problems_are_named() -> None:
    reports = [report(f"P{i}", Status.DEGRADED) for i in range(7)]
    state, line = check_summary(Snapshot(T0, tuple(reports)))
    assert state is CheckState.WARNING
    assert "P0 degraded, P1 degraded, P2 degraded, P3 degraded, P4 degraded and 2 more |" in line


def test_exit_codes_0_1_2_3_against_real_pages(tmp_path: Path) -> None:
    u = update("2026-11-27T10:01:00.000Z", "investigating", "Down")
    pages = {
        "ok": summary(),
        "warn": summary("minor", [("API", "degraded_performance")]),
        "crit": summary("critical", [("API", "major_outage")],
                        [incident("i", "Everything is down", "investigating", [u], "critical")]),
    }  # fmt: skip
    with LoopbackServer() as srv:
        for pid, page in pages.items():
            srv.route(f"/{pid}/api/v2/summary.json", page)
        srv.fault("/gone/api/v2/summary.json", "500")
        providers = {pid: srv.url(f"/{pid}") for pid in (*pages, "gone")}
        env = notify_env(tmp_path, write_config(tmp_path / "config.toml", providers))
        results = {
            name: statuswatch(env, "check", *args)
            for name, args in {
                "ok": ["-p", "ok"],
                "warn": ["-p", "ok", "-p", "warn"],
                "crit": ["-p", "warn", "-p", "crit", "-p", "gone"],
                "gone": ["-p", "gone"],
            }.items()
        }
    assert {name: r.returncode for name, r in results.items()} == {
        "ok": 0, "warn": 1, "crit": 2, "gone": 3
    }  # fmt: skip
    assert results["ok"].stdout == (
        "STATUSWATCH OK - 1 of 1 provider operational | " + PERF.format(1, 1, 0, 0, 0) + "\n"
    )
    assert results["crit"].stdout == (
        "STATUSWATCH CRITICAL - 2 of 3 providers with problems: CRIT major outage, "
        "WARN degraded; 1 unknown | " + PERF.format(3, 0, 1, 1, 1) + "\n"
    )
    assert results["gone"].stdout.startswith(
        "STATUSWATCH UNKNOWN - no status page could be read (1 tried): HTTP 500 from "
    )
    assert all(r.stderr == "" for r in results.values())


def test_a_config_problem_is_unknown_too(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("watch = 3\n")
    done = statuswatch(notify_env(tmp_path, config), "check")
    assert done.returncode == 3
    assert done.stdout == (
        f"STATUSWATCH UNKNOWN - {config}: watch: expected a list of strings, got integer\n"
    )
