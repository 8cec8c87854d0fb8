"""The early-warning state machine of one provider: pure, the counts passed in and out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field, replace
from datetime import datetime
from enum import StrEnum

from statuswatch.model import ProbeResult, Status
from statuswatch.records import record

__all__ = [
    "Closed",
    "Memory",
    "Transition",
    "Verdict",
    "page_understates",
    "shown_status",
    "step",
    "verdict",
]


class Verdict(StrEnum):
    """One poll's word on a provider's probes."""

    PASSING = "passing"  # fewer than half failed
    FAILING = "failing"  # at least half failed
    UNKNOWN = "unknown"  # not counted: our own network looked down, or there was no result


class Transition(StrEnum):
    """What a step did to the early warning."""

    OPENED = "opened"
    CLEARED = "cleared"


@record
class Closed:
    """The last early warning that closed (for the page's lag: see statuswatch.probes.lead)."""

    opened_at: datetime
    closed_at: datetime


@record
class Memory:
    """What is kept of one provider's probes between polls (and runs)."""

    observed_at: datetime | None = None  # the last poll counted
    verdict: Verdict = Verdict.UNKNOWN  # that poll's verdict (never UNKNOWN once counted)
    streak: int = 0  # polls in a row with that verdict
    since: datetime | None = None  # the first poll of the streak
    warning: datetime | None = None  # when the open early warning opened, if one is open
    last: Closed | None = None
    leads: dict[str, int] = field(default_factory=dict)  # incident id -> detected_lead_s
    lead_seen: dict[str, datetime] = field(default_factory=dict)  # incident id -> last seen


def verdict(results: Sequence[ProbeResult]) -> Verdict:
    """FAILING when at least half of `results` failed, PASSING otherwise, UNKNOWN if none."""
    if not results:
        return Verdict.UNKNOWN
    failed = sum(not r.ok for r in results)
    return Verdict.FAILING if failed * 2 >= len(results) else Verdict.PASSING


def shown_status(results: Sequence[ProbeResult]) -> Status:
    """What the probes show: a major outage when all failed, partial when at least half did."""
    failed = sum(not r.ok for r in results)
    if results and failed == len(results):
        return Status.MAJOR_OUTAGE
    if failed * 2 >= len(results) > 0:
        return Status.PARTIAL_OUTAGE
    return Status.OPERATIONAL


def page_understates(page: Status, results: Sequence[ProbeResult]) -> bool:
    """True when the page says less than the probes show (an unreadable page says nothing)."""
    if page is Status.UNKNOWN:
        return False
    return page.severity < shown_status(results).severity


def step(
    memory: Memory,
    results: Sequence[ProbeResult],
    page: Status,
    *,
    at: datetime,
    consecutive: int,
    offline: bool = False,
) -> tuple[Memory, Transition | None]:
    """Count one poll at `at`; open or clear the early warning when its streak is long enough.

    A warning opens after `consecutive` failing polls in a row while the page understates,
    and clears after `consecutive` passing polls. A poll older than the last one counted (a
    concurrent run that finished late) and a poll from an offline vantage point count for
    nothing: they can neither open, clear nor break a streak.
    """
    now = verdict(results)
    if offline or now is Verdict.UNKNOWN:
        return memory, None
    if memory.observed_at is not None and at <= memory.observed_at:
        return memory, None
    if now is memory.verdict:
        streak, since = memory.streak + 1, memory.since or at
    else:
        streak, since = 1, at
    memory = replace(memory, observed_at=at, verdict=now, streak=streak, since=since)
    if memory.warning is not None:
        if now is Verdict.PASSING and streak >= consecutive:
            closed = Closed(opened_at=memory.warning, closed_at=at)
            return replace(memory, warning=None, last=closed), Transition.CLEARED
        return memory, None
    if now is Verdict.FAILING and streak >= consecutive and page_understates(page, results):
        return replace(memory, warning=at), Transition.OPENED
    return memory, None
