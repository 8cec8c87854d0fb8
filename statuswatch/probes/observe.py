"""One poll's probes applied: the counts updated, early warnings, leads and the vantage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from statuswatch.model import (
    EarlyWarning,
    ProbeResult,
    ProbeState,
    ProbeSummary,
    ProviderReport,
    Snapshot,
    Status,
    Vantage,
    VantageState,
)
from statuswatch.probes.lead import note_leads
from statuswatch.probes.runner import ProbeRun
from statuswatch.probes.settings import ProbeSettings
from statuswatch.probes.store import Counts, MemoryCounts
from statuswatch.probes.vantage import vantage
from statuswatch.probes.warning import Memory, Transition, Verdict, step

__all__ = ["OFF", "Observation", "apply", "observe", "warning_text"]

OFF = ProbeSummary(state=ProbeState.OFF)


@dataclass(frozen=True)
class Observation:
    """What the probes add to one snapshot, by provider id."""

    vantage: Vantage
    probes: dict[str, ProbeSummary] = field(default_factory=dict)
    warnings: dict[str, EarlyWarning] = field(default_factory=dict)
    leads: dict[str, dict[str, int]] = field(default_factory=dict)  # id -> incident -> lead
    transitions: dict[str, Transition] = field(default_factory=dict)
    problems: tuple[str, ...] = ()  # the store's troubles, for stderr or the log


def observe(
    snapshot: Snapshot,
    run: ProbeRun | None,
    settings: ProbeSettings,
    store: Counts | None,
) -> Observation:
    """Count this poll's probes in `store` and say what they add to `snapshot`.

    `run` is the ProbeRun that went alongside the poll (None, or `settings.enabled` false,
    when probes are off). Without a store the counts start from nothing every time.
    The snapshot itself is left as it is: `apply` puts the observation into it.
    """
    if run is None or not settings.enabled:
        return Observation(vantage=Vantage(), probes={r.spec.id: OFF for r in snapshot.reports})
    at = snapshot.generated_at
    probed = [r for r in snapshot.reports if r.spec.probes and r.spec.id in run.results]
    results = {r.spec.id: run.results[r.spec.id] for r in probed}
    seen = vantage(results)
    offline = seen.state is VantageState.OFFLINE
    counts = store if store is not None else MemoryCounts()
    memories: dict[str, Memory] = {}
    transitions: dict[str, Transition] = {}
    with counts.update(at) as kept:
        for report in probed:
            pid = report.spec.id
            memory, transition = _count(
                kept.providers.get(pid, Memory()), report, results, at, settings, offline
            )
            kept.providers[pid] = memories[pid] = memory
            if transition is not None:
                transitions[pid] = transition
        for url in run.head_refused:
            kept.head_refused[url] = at
    # Told once: a long-lived poller (the live view, serve) must not repeat them each poll.
    problems = tuple(counts.warnings)
    counts.warnings.clear()
    observation = Observation(vantage=seen, transitions=transitions, problems=problems)
    for report in snapshot.reports:
        pid = report.spec.id
        counted = memories.get(pid)
        if counted is None:
            observation.probes[pid] = OFF
            continue
        observation.probes[pid] = _summary(results[pid], counted, offline)
        if counted.warning is not None:
            text = warning_text(results[pid], counted, report.status, offline)
            observation.warnings[pid] = EarlyWarning(since=counted.warning, text=text)
        if counted.leads:
            observation.leads[pid] = dict(counted.leads)
    return observation


def _count(
    memory: Memory,
    report: ProviderReport,
    results: Mapping[str, Sequence[ProbeResult]],
    at: datetime,
    settings: ProbeSettings,
    offline: bool,
) -> tuple[Memory, Transition | None]:
    """One provider's step, then the leads of the incidents on its page."""
    memory, transition = step(
        memory,
        results[report.spec.id],
        report.status,
        at=at,
        consecutive=settings.consecutive,
        offline=offline,
    )
    if report.page is not None:
        memory = note_leads(memory, report.page.incidents, at)
    return memory, transition


def _summary(results: Sequence[ProbeResult], memory: Memory, offline: bool) -> ProbeSummary:
    """The `probes` of one provider: the state this poll and since when its verdict holds."""
    passed = sum(r.ok for r in results)
    total = len(results)
    if offline:
        state = ProbeState.UNKNOWN
    elif passed == total:
        state = ProbeState.OK
    elif (total - passed) * 2 >= total:
        state = ProbeState.FAILING
    else:
        state = ProbeState.PARTIAL
    since = None if offline else memory.since
    return ProbeSummary(
        state=state, passed=passed, total=total, since=since, results=tuple(results)
    )


def warning_text(
    results: Sequence[ProbeResult], memory: Memory, page: Status, offline: bool
) -> str:
    """The early warning in words, e.g. "probes: 2 of 3 failing since 11:21 UTC; the page
    says operational"."""
    failed = sum(not r.ok for r in results)
    total = len(results)
    if offline:
        probes = "probes: not told this poll (your network or DNS looks down)"
    elif memory.verdict is Verdict.FAILING and memory.since is not None:
        probes = f"probes: {failed} of {total} failing since {_clock(memory.since)}"
    elif memory.since is not None:
        probes = f"probes: {failed} of {total} failing, passing again since {_clock(memory.since)}"
    else:
        probes = f"probes: {failed} of {total} failing"
    if page is Status.UNKNOWN:
        return f"{probes}; the page could not be read"
    return f"{probes}; the page says {page.value.replace('_', ' ')}"


def _clock(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%H:%M UTC")


def apply(snapshot: Snapshot, observation: Observation) -> Snapshot:
    """`snapshot` with the probes, early warnings, leads and vantage of `observation` in it.

    Nothing else changes: an early warning is a field of its own, never a provider's status.
    """
    reports = []
    for report in snapshot.reports:
        pid = report.spec.id
        page = report.page
        leads = observation.leads.get(pid)
        if page is not None and leads:
            incidents = tuple(
                replace(i, detected_lead_s=leads[i.id]) if i.id in leads else i
                for i in page.incidents
            )
            page = replace(page, incidents=incidents)
        reports.append(
            replace(
                report,
                page=page,
                probes=observation.probes.get(pid, OFF),
                early_warning=observation.warnings.get(pid),
            )
        )
    return replace(snapshot, reports=tuple(reports), vantage=observation.vantage)
