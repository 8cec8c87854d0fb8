"""The Prometheus metrics of a snapshot: names, labels, values, sanitised label text."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from prometheus_client.parser import text_string_to_metric_families

from statuswatch.model import (
    Component,
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
from statuswatch.serve.metrics import SEVERITY, FetchStats, PollTimer, textfile

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 27, 10, 5, 30, tzinfo=UTC)


def _spec(provider_id: str, name: str | None = None) -> ProviderSpec:
    return ProviderSpec(
        id=provider_id,
        name=name or provider_id.upper(),
        kind="statuspage",
        url=f"https://{provider_id}.example/",
    )


def _snapshot() -> Snapshot:
    page = Page(
        status=Status.PARTIAL_OUTAGE,
        components=(
            Component("c1", "API", Status.PARTIAL_OUTAGE),
            Component("c2", "API", Status.OPERATIONAL),  # same name: its id is added
            Component("c3", "Dashboard", Status.DEGRADED, group="Web"),
            Component("c4", "Odd\nname \x1b[31mred", Status.UNKNOWN),
        ),
        incidents=(
            Incident("i1", 'API "errors"\nnow', Impact.MAJOR, Phase.INVESTIGATING, T0),
            Incident("i0", "Old", Impact.MINOR, Phase.RESOLVED, T0),
        ),
        maintenances=(
            Maintenance("m1", "Upgrade", Phase.IN_PROGRESS, T0),
            Maintenance("m2", "Later", Phase.SCHEDULED, T1),
        ),
    )
    return Snapshot(
        generated_at=T1,
        reports=(
            ProviderReport(_spec("ex", 'Ex "Co"\\'), page, fetched_at=T1),
            ProviderReport(
                _spec("down"),
                Page(status=Status.OPERATIONAL),
                fetched_at=T0,
                stale=True,
                error=FetchError(ErrorType.TIMEOUT, "timed out"),
            ),
            ProviderReport(
                _spec("gone"), None, fetched_at=None, error=FetchError(ErrorType.TLS, "bad")
            ),
        ),
    )


def _samples(text: str) -> dict[str, set[tuple[tuple[tuple[str, str], ...], float]]]:
    found: dict[str, set[tuple[tuple[tuple[str, str], ...], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = tuple(sorted(sample.labels.items()))
            found.setdefault(sample.name, set()).add((labels, sample.value))
    return found


def _labels(**labels: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(labels.items()))


def _stats(snapshot: Snapshot, polls: Iterable[dict[str, float]]) -> FetchStats:
    stats = FetchStats()
    for durations in polls:
        stats.record(snapshot, durations, 1.5)
    return stats


def test_the_severity_mapping_is_documented_and_unknown_is_minus_one() -> None:
    assert {s.value: v for s, v in SEVERITY.items()} == {
        "operational": 0,
        "maintenance": 1,
        "degraded": 2,
        "partial_outage": 3,
        "major_outage": 4,
        "unknown": -1,
    }


def test_every_metric_of_a_snapshot() -> None:
    snapshot = _snapshot()
    stats = _stats(snapshot, [{"ex": 0.25, "down": 3.0, "gone": 0.5}, {"ex": 0.125}])
    samples = _samples(textfile(snapshot, stats).decode())
    assert samples["statuswatch_provider_status"] == {
        (_labels(provider="ex"), 3.0),
        (_labels(provider="down"), -1.0),
        (_labels(provider="gone"), -1.0),
    }
    assert samples["statuswatch_source_up"] == {
        (_labels(provider="ex"), 1.0),
        (_labels(provider="down"), 0.0),
        (_labels(provider="gone"), 0.0),
    }
    assert samples["statuswatch_source_stale"] == {
        (_labels(provider="ex"), 0.0),
        (_labels(provider="down"), 1.0),
        (_labels(provider="gone"), 0.0),
    }
    assert samples["statuswatch_source_fetched_timestamp_seconds"] == {
        (_labels(provider="ex"), T1.timestamp()),
        (_labels(provider="down"), T0.timestamp()),
    }
    assert samples["statuswatch_component_status"] == {
        (_labels(provider="ex", component="API"), 3.0),
        (_labels(provider="ex", component="API (c2)"), 0.0),
        (_labels(provider="ex", component="Web / Dashboard"), 2.0),
        (_labels(provider="ex", component="Odd name red"), -1.0),
        # the stale page's components are still shown: they are the last known
    }
    assert samples["statuswatch_incident_info"] == {
        (_labels(provider="ex", incident_id="i1", impact="major"), 1.0)
    }
    assert samples["statuswatch_incident_title_info"] == {
        (_labels(provider="ex", incident_id="i1", title='API "errors" now'), 1.0)
    }
    assert samples["statuswatch_incidents_active"] == {
        (_labels(provider="ex"), 1.0),
        (_labels(provider="down"), 0.0),
    }
    assert samples["statuswatch_maintenances_active"] == {
        (_labels(provider="ex"), 1.0),
        (_labels(provider="down"), 0.0),
    }
    assert samples["statuswatch_provider_info"] == {
        (
            _labels(
                provider="ex", name='Ex "Co"\\', kind="statuspage", page_url="https://ex.example/"
            ),
            1.0,
        ),
        (
            _labels(
                provider="down", name="DOWN", kind="statuspage", page_url="https://down.example/"
            ),
            1.0,
        ),
        (
            _labels(
                provider="gone", name="GONE", kind="statuspage", page_url="https://gone.example/"
            ),
            1.0,
        ),
    }
    # The last poll's durations only; the counts add up over both polls.
    assert samples["statuswatch_fetch_duration_seconds"] == {(_labels(provider="ex"), 0.125)}
    assert samples["statuswatch_fetches_total"] == {
        (_labels(provider="ex", result="ok"), 2.0),
        (_labels(provider="down", result="timeout"), 2.0),
        (_labels(provider="gone", result="tls"), 2.0),
    }
    assert samples["statuswatch_polls_total"] == {((), 2.0)}
    assert samples["statuswatch_poll_duration_seconds"] == {((), 1.5)}
    assert samples["statuswatch_last_poll_timestamp_seconds"] == {((), T1.timestamp())}


def test_label_values_are_escaped_in_the_exposition() -> None:
    text = textfile(_snapshot(), FetchStats()).decode()
    assert 'name="Ex \\"Co\\"\\\\"' in text
    assert "\x1b" not in text
    assert 'title="API \\"errors\\" now"' in text


def test_no_snapshot_yet_gives_the_poll_count_only() -> None:
    from statuswatch.serve.metrics import snapshot_families

    families = snapshot_families(None, FetchStats())
    found = [(f.name, [s.value for s in f.samples]) for f in families]
    assert found == [("statuswatch_polls", [0])]


def test_the_timer_measures_from_the_start_of_the_poll() -> None:
    ticks = iter([10.0, 10.5, 12.0, 13.0])
    timer = PollTimer(clock=lambda: next(ticks))
    report = _snapshot().reports[0]
    timer.on_report(report)
    timer.on_report(_snapshot().reports[1])
    assert timer.durations == {"ex": 0.5, "down": 2.0}
    assert timer.elapsed() == 3.0
    assert report.spec.id == "ex"
