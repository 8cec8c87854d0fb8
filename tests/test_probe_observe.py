"""observe(): one poll's probes counted in the store, turned into what the snapshot shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from statuswatch.model import (
    Impact,
    Incident,
    Page,
    Phase,
    ProbeResult,
    ProbeSpec,
    ProbeState,
    ProviderReport,
    ProviderSpec,
    Snapshot,
    Status,
    Update,
    VantageState,
)
from statuswatch.probes.observe import observe
from statuswatch.probes.runner import ProbeRun
from statuswatch.probes.settings import ProbeSettings
from statuswatch.probes.store import STATE_FILE, ProbeStore

T0 = datetime(2025, 11, 18, 11, 20, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
SETTINGS = ProbeSettings()


def _spec(pid: str, probes: int = 2) -> ProviderSpec:
    urls = tuple(ProbeSpec(f"https://{pid}-{n}.example/") for n in range(probes))
    return ProviderSpec(
        pid, pid.title(), "statuspage", f"https://status.{pid}.example", probes=urls
    )


def _poll(
    specs: list[ProviderSpec],
    failing: set[str],
    at: datetime,
    store: ProbeStore | None,
    *,
    incidents: dict[str, tuple[Incident, ...]] | None = None,
    settings: ProbeSettings = SETTINGS,
):  # type: ignore[no-untyped-def]
    reports = tuple(
        ProviderReport(
            spec,
            Page(Status.OPERATIONAL, incidents=(incidents or {}).get(spec.id, ())),
            fetched_at=at,
        )
        for spec in specs
    )
    snapshot = Snapshot(generated_at=at, reports=reports)
    run = ProbeRun(specs, settings)
    run.results = {
        spec.id: tuple(
            ProbeResult(p.url, ok=spec.id not in failing, status=503 if spec.id in failing else 200)
            for p in spec.probes
        )
        for spec in run.specs
    }
    return observe(snapshot, run, settings, store)


def test_exactly_the_failing_providers_are_warned_after_consecutive_polls(tmp_path: Path) -> None:
    specs = [_spec(f"p{n:02}") for n in range(20)]
    failing = {"p03", "p11", "p17"}
    store = ProbeStore(tmp_path)
    first = _poll(specs, failing, T0, store)
    assert first.warnings == {}
    assert {pid for pid, s in first.probes.items() if s.state is ProbeState.FAILING} == failing
    second = _poll(specs, failing, T0 + MINUTE, ProbeStore(tmp_path))  # a new run, same dir
    assert set(second.warnings) == failing
    assert second.vantage.state is VantageState.OK
    warning = second.warnings["p03"]
    assert warning.since == T0 + MINUTE
    assert warning.text == "probes: 2 of 2 failing since 11:20 UTC; the page says operational"
    summary = second.probes["p03"]
    assert (summary.state, summary.passed, summary.total, summary.since) == (
        ProbeState.FAILING,
        0,
        2,
        T0,
    )
    assert second.probes["p00"].state is ProbeState.OK


def test_one_failed_poll_then_a_passing_one_opens_nothing(tmp_path: Path) -> None:
    specs = [_spec(f"p{n}") for n in range(5)]
    store = ProbeStore(tmp_path)
    _poll(specs, {"p1"}, T0, store)
    after = _poll(specs, set(), T0 + MINUTE, store)
    again = _poll(specs, set(), T0 + 2 * MINUTE, store)
    assert after.warnings == again.warnings == {}


def test_everything_failing_is_our_network_not_an_outage(tmp_path: Path) -> None:
    specs = [_spec(f"p{n}") for n in range(20)]
    store = ProbeStore(tmp_path)
    for n in range(4):
        seen = _poll(specs, {s.id for s in specs}, T0 + n * MINUTE, store)
        assert seen.vantage.state is VantageState.OFFLINE
        assert "your network or DNS looks down" in seen.vantage.text
        assert seen.warnings == {}
        assert {s.state for s in seen.probes.values()} == {ProbeState.UNKNOWN}


def test_probes_off_touch_nothing(tmp_path: Path) -> None:
    specs = [_spec("a"), _spec("b", probes=0)]
    seen = _poll(specs, {"a"}, T0, ProbeStore(tmp_path), settings=ProbeSettings(enabled=False))
    assert {pid: s.state for pid, s in seen.probes.items()} == {
        "a": ProbeState.OFF,
        "b": ProbeState.OFF,
    }
    assert not (tmp_path / STATE_FILE).exists()
    on = _poll(specs, set(), T0, ProbeStore(tmp_path))
    assert on.probes["b"].state is ProbeState.OFF and on.probes["a"].state is ProbeState.OK


def test_partial_and_the_lead_of_an_incident(tmp_path: Path) -> None:
    spec = _spec("cf", probes=3)
    store = ProbeStore(tmp_path)
    _poll([spec], {"cf"}, T0, store)
    _poll([spec], {"cf"}, T0 + MINUTE, store)
    posted = T0 + 28 * MINUTE
    incident = Incident(
        "inc",
        "Global network issues",
        Impact.MAJOR,
        Phase.INVESTIGATING,
        started_at=T0,
        updates=(Update(at=posted, phase=Phase.INVESTIGATING, text="looking"),),
    )
    seen = _poll([spec], {"cf"}, T0 + 30 * MINUTE, store, incidents={"cf": (incident,)})
    assert seen.leads == {"cf": {"inc": 27 * 60}}
    assert "cf" in seen.warnings


def test_without_a_store_every_run_starts_afresh() -> None:
    spec = _spec("a")
    _poll([spec], {"a"}, T0, None)
    assert _poll([spec], {"a"}, T0 + MINUTE, None).warnings == {}
