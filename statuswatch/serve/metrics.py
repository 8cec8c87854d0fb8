"""Prometheus metrics of the latest snapshot and of the polls, through prometheus_client.

One custom collector reads the current snapshot at scrape time, so nothing is kept in
sync by hand; the same families make the textfile written by `notify --prometheus-textfile`.
Label values come from status pages: prometheus_client escapes them, and they still go
through `one_line` (no control characters, no newlines, bounded length).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from prometheus_client.exposition import choose_encoder, generate_latest
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from statuswatch.model import Phase, ProviderReport, Snapshot, Status
from statuswatch.text import one_line

__all__ = [
    "SEVERITY",
    "FetchStats",
    "PollTimer",
    "SnapshotCollector",
    "encode",
    "probe_families",
    "snapshot_families",
    "textfile",
]

# The value of statuswatch_provider_status and statuswatch_component_status. Unknown is -1,
# not above major_outage, so `>= 3` alerts on real outages and never on an unreadable page
# (statuswatch_source_up says that).
SEVERITY: dict[Status, int] = {
    Status.OPERATIONAL: 0,
    Status.MAINTENANCE: 1,
    Status.DEGRADED: 2,
    Status.PARTIAL_OUTAGE: 3,
    Status.MAJOR_OUTAGE: 4,
    Status.UNKNOWN: -1,
}
_MAPPING = ", ".join(f"{value} {status.value}" for status, value in SEVERITY.items())
_LABEL_LIMIT = 200
_RUNNING = (Phase.IN_PROGRESS, Phase.VERIFYING)


def _label(value: object) -> str:
    return one_line(value, _LABEL_LIMIT)


class PollTimer:
    """Times each provider of one poll, from the poll's start to its report (pass `on_report`)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.started = clock()
        self.durations: dict[str, float] = {}

    def on_report(self, report: ProviderReport) -> None:
        """Record when `report` arrived."""
        self.durations[report.spec.id] = self._clock() - self.started

    def elapsed(self) -> float:
        """Seconds since the poll started."""
        return self._clock() - self.started


@dataclass
class FetchStats:
    """Fetch durations of the last poll and fetch counts since the process started."""

    durations: dict[str, float] = field(default_factory=dict)
    fetches: Counter[tuple[str, str]] = field(default_factory=Counter)
    polls: int = 0
    poll_seconds: float | None = None

    def record(self, snapshot: Snapshot, durations: Mapping[str, float], seconds: float) -> None:
        """Count one poll: each provider's result (`ok` or the error type) and its duration."""
        self.polls += 1
        self.poll_seconds = seconds
        self.durations = {
            r.spec.id: durations[r.spec.id] for r in snapshot.reports if r.spec.id in durations
        }
        for report in snapshot.reports:
            result = "ok" if report.error is None else report.error.type.value
            self.fetches[(report.spec.id, result)] += 1


def _stack_families(snapshot: Snapshot) -> list[Metric]:
    """statuswatch_stack_status{stack} (issue 13), when the config has stacks."""
    if not snapshot.stacks:
        return []
    stacks = _gauge(
        "statuswatch_stack_status",
        f"Stack status, the worst of its parts ({_MAPPING}).",
        ["stack"],
    )
    for stack in snapshot.stacks:
        stacks.add_metric([_label(stack.id)], SEVERITY[stack.status])
    return [stacks]


def _gauge(name: str, documentation: str, labels: Iterable[str] = ()) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=list(labels))


def snapshot_families(snapshot: Snapshot | None, stats: FetchStats) -> list[Metric]:
    """Every metric family of a snapshot and its poll statistics."""
    polls = CounterMetricFamily("statuswatch_polls", "Polls completed.", value=stats.polls)
    if snapshot is None:
        return [polls]
    status = _gauge("statuswatch_provider_status", f"Provider status ({_MAPPING}).", ["provider"])
    info = _gauge(
        "statuswatch_provider_info",
        "Always 1: the provider's name, kind and status page.",
        ["provider", "name", "kind", "page_url"],
    )
    up = _gauge(
        "statuswatch_source_up", "1 if the last poll read the status page, else 0.", ["provider"]
    )
    stale = _gauge(
        "statuswatch_source_stale",
        "1 if the provider's data is the last good page from an earlier poll.",
        ["provider"],
    )
    fetched = _gauge(
        "statuswatch_source_fetched_timestamp_seconds",
        "When the provider's data was fetched (or confirmed by a 304), Unix time.",
        ["provider"],
    )
    components = _gauge(
        "statuswatch_component_status", f"Component status ({_MAPPING}).", ["provider", "component"]
    )
    incidents = _gauge(
        "statuswatch_incident_info",
        "Always 1, one series per incident that is not resolved.",
        ["provider", "incident_id", "impact"],
    )
    titles = _gauge(
        "statuswatch_incident_title_info",
        "Always 1: the title of each incident that is not resolved (join on incident_id).",
        ["provider", "incident_id", "title"],
    )
    active = _gauge(
        "statuswatch_incidents_active", "Incidents that are not resolved.", ["provider"]
    )
    maintaining = _gauge(
        "statuswatch_maintenances_active", "Maintenances in progress.", ["provider"]
    )
    duration = _gauge(
        "statuswatch_fetch_duration_seconds",
        "Seconds from the start of the last poll to the provider's report.",
        ["provider"],
    )
    fetches = CounterMetricFamily(
        "statuswatch_fetches",
        "Fetches by result: ok, or the error type (timeout, connection, http_status, ...).",
        labels=["provider", "result"],
    )
    for report in snapshot.reports:
        provider = _label(report.spec.id)
        spec = report.spec
        status.add_metric([provider], SEVERITY[report.status])
        info.add_metric([provider, _label(spec.name), _label(spec.kind), _label(spec.url)], 1)
        up.add_metric([provider], 1 if report.error is None else 0)
        stale.add_metric([provider], 1 if report.stale else 0)
        if report.fetched_at is not None:
            fetched.add_metric([provider], report.fetched_at.timestamp())
        if spec.id in stats.durations:
            duration.add_metric([provider], stats.durations[spec.id])
        page = report.page
        if page is None:
            continue
        for name, value in _components(report):
            components.add_metric([provider, name], value)
        seen: set[str] = set()
        for incident in page.incidents:
            incident_id = _label(incident.id)
            if incident.phase.is_closed or incident_id in seen:
                continue
            seen.add(incident_id)
            incidents.add_metric([provider, incident_id, incident.impact.value], 1)
            titles.add_metric([provider, incident_id, _label(incident.title)], 1)
        active.add_metric([provider], len(seen))
        running = sum(1 for m in page.maintenances if m.phase in _RUNNING)
        maintaining.add_metric([provider], running)
    for (provider_id, result), count in sorted(stats.fetches.items()):
        fetches.add_metric([_label(provider_id), result], count)
    families: list[Metric] = [
        status,
        info,
        up,
        stale,
        fetched,
        components,
        incidents,
        titles,
        active,
        maintaining,
        duration,
        fetches,
        polls,
    ]
    families += _stack_families(snapshot)
    if stats.poll_seconds is not None:
        families.append(
            GaugeMetricFamily(
                "statuswatch_poll_duration_seconds",
                "Seconds the last poll took.",
                value=stats.poll_seconds,
            )
        )
    families.append(
        GaugeMetricFamily(
            "statuswatch_last_poll_timestamp_seconds",
            "When the last poll finished, Unix time.",
            value=snapshot.generated_at.timestamp(),
        )
    )
    families.extend(probe_families(snapshot))
    return families


# --- probes (statuswatch.probes) ----------------------------------------------------------------


def probe_families(snapshot: Snapshot) -> list[Metric]:
    """Each probe's result and latency, and each provider's early warning (0 or 1)."""
    up = _gauge(
        "statuswatch_probe_up",
        "1 if the probe of the provider's own endpoint passed in the last poll, else 0.",
        ["provider", "probe"],
    )
    duration = _gauge(
        "statuswatch_probe_duration_seconds",
        "Seconds the probe's answer took in the last poll (none when no answer came).",
        ["provider", "probe"],
    )
    warning = _gauge(
        "statuswatch_early_warning",
        "1 while the provider's probes fail and its page says less (never its status), else 0.",
        ["provider"],
    )
    for report in snapshot.reports:
        provider = _label(report.spec.id)
        warning.add_metric([provider], 0 if report.early_warning is None else 1)
        results = report.probes.results if report.probes is not None else ()
        for result in results:
            probe = _label(result.url)
            up.add_metric([provider, probe], 1 if result.ok else 0)
            if result.latency_ms is not None:
                duration.add_metric([provider, probe], result.latency_ms / 1000)
    return [up, duration, warning]


def _components(report: ProviderReport) -> Iterator[tuple[str, int]]:
    """(label, severity) per component; a name shared by two components gets its id added."""
    page = report.page
    if page is None:
        return
    names: set[str] = set()
    for component in page.components:
        name = f"{component.group} / {component.name}" if component.group else component.name
        label = _label(name)
        if label in names:
            label = _label(f"{name} ({component.id})")
            if label in names:
                continue  # two components with one name and one id: keep the first
        names.add(label)
        yield label, SEVERITY[component.status]


class SnapshotCollector(Collector):
    """Reads the current snapshot and statistics at each scrape; `extra` adds more families."""

    def __init__(
        self,
        read: Callable[[], tuple[Snapshot | None, FetchStats]],
        extra: Callable[[], Iterable[Metric]] | None = None,
    ) -> None:
        self._read = read
        self._extra = extra

    def collect(self) -> Iterable[Metric]:
        """Every family, built afresh."""
        families = snapshot_families(*self._read())
        if self._extra is not None:
            families.extend(self._extra())
        return families


def registry(collector: Collector) -> CollectorRegistry:
    """A registry holding only `collector` (no process or platform metrics)."""
    # auto_describe off: describing would collect once more at registration for nothing.
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry


def encode(registry: CollectorRegistry, accept: str = "") -> tuple[bytes, str]:
    """The exposition for an `Accept` header (text 0.0.4 by default, or OpenMetrics)."""
    encoder, content_type = choose_encoder(accept)
    return encoder(registry), content_type


def textfile(snapshot: Snapshot, stats: FetchStats) -> bytes:
    """The text exposition of one snapshot, for node_exporter's textfile collector."""
    return generate_latest(registry(SnapshotCollector(lambda: (snapshot, stats))))
