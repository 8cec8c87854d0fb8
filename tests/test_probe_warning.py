"""The early-warning state machine, the page's lag and the vantage check (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from statuswatch.model import (
    Impact,
    Incident,
    Phase,
    ProbeResult,
    Status,
    Update,
    VantageState,
)
from statuswatch.probes.lead import LEAD_WINDOW, first_post, note_leads
from statuswatch.probes.vantage import OFFLINE_TEXT, vantage
from statuswatch.probes.warning import (
    Memory,
    Transition,
    Verdict,
    page_understates,
    step,
    verdict,
)

T0 = datetime(2025, 11, 18, 11, 20, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
OK = ProbeResult("https://a.example/", ok=True, status=200)
BAD = ProbeResult("https://b.example/", ok=False, status=503, error="HTTP 503")


def _polls(
    outcomes: list[list[ProbeResult]],
    page: Status = Status.OPERATIONAL,
    consecutive: int = 2,
    memory: Memory | None = None,
    start: datetime = T0,
) -> tuple[Memory, list[Transition | None]]:
    memory = memory or Memory()
    seen: list[Transition | None] = []
    for n, results in enumerate(outcomes):
        memory, transition = step(
            memory, results, page, at=start + n * MINUTE, consecutive=consecutive
        )
        seen.append(transition)
    return memory, seen


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([], Verdict.UNKNOWN),
        ([OK], Verdict.PASSING),
        ([BAD], Verdict.FAILING),
        ([OK, BAD], Verdict.FAILING),  # half counts
        ([OK, OK, BAD], Verdict.PASSING),
        ([OK, BAD, BAD], Verdict.FAILING),
    ],
)
def test_verdict_at_least_half(results: list[ProbeResult], expected: Verdict) -> None:
    assert verdict(results) is expected


def test_opens_after_consecutive_failing_polls_and_keeps_its_opening_time() -> None:
    memory, seen = _polls([[BAD, BAD]] * 3)
    assert seen == [None, Transition.OPENED, None]
    assert memory.warning == T0 + MINUTE
    assert memory.since == T0 and memory.streak == 3


def test_one_failed_poll_then_a_passing_one_opens_nothing() -> None:
    memory, seen = _polls([[BAD], [OK], [BAD], [OK]])
    assert seen == [None] * 4 and memory.warning is None


def test_consecutive_is_honoured() -> None:
    _, seen = _polls([[BAD]] * 4, consecutive=4)
    assert seen == [None, None, None, Transition.OPENED]
    _, seen = _polls([[BAD]], consecutive=1)
    assert seen == [Transition.OPENED]


def test_clears_after_consecutive_passing_polls_only() -> None:
    memory, seen = _polls([[BAD]] * 2 + [[OK], [BAD], [OK], [OK]])
    assert seen == [None, Transition.OPENED, None, None, None, Transition.CLEARED]
    assert memory.warning is None
    assert memory.last is not None
    assert memory.last.opened_at == T0 + MINUTE and memory.last.closed_at == T0 + 5 * MINUTE


@pytest.mark.parametrize(
    ("page", "results", "opens"),
    [
        (Status.OPERATIONAL, [BAD, OK], True),
        (Status.MAINTENANCE, [BAD, BAD], True),
        (Status.DEGRADED, [BAD, BAD], True),  # the page says less than all probes failing
        (Status.PARTIAL_OUTAGE, [BAD, BAD], True),
        (Status.PARTIAL_OUTAGE, [BAD, OK], False),  # the page says as much as the probes
        (Status.MAJOR_OUTAGE, [BAD, BAD], False),
        (Status.UNKNOWN, [BAD, BAD], False),  # an unreadable page says nothing
    ],
)
def test_only_while_the_page_says_less(
    page: Status, results: list[ProbeResult], opens: bool
) -> None:
    assert page_understates(page, results) is opens
    memory, _ = _polls([results] * 2, page=page)
    assert (memory.warning is not None) is opens


def test_an_offline_poll_counts_for_nothing() -> None:
    memory, _ = _polls([[BAD]])
    after, transition = step(
        memory, [BAD], Status.OPERATIONAL, at=T0 + MINUTE, consecutive=2, offline=True
    )
    assert after == memory and transition is None


def test_an_older_poll_finishing_late_is_not_counted() -> None:
    memory, _ = _polls([[BAD]])
    late, transition = step(memory, [BAD], Status.OPERATIONAL, at=T0, consecutive=2)
    assert late == memory and transition is None
    earlier, _ = step(memory, [OK], Status.OPERATIONAL, at=T0 - MINUTE, consecutive=2)
    assert earlier == memory


def _incident(posted: datetime, incident_id: str = "inc") -> Incident:
    return Incident(
        id=incident_id,
        title="Network issues",
        impact=Impact.MAJOR,
        phase=Phase.INVESTIGATING,
        started_at=posted - timedelta(minutes=28),  # pages backdate the start
        updates=(
            Update(at=posted + 10 * MINUTE, phase=Phase.IDENTIFIED, text="found"),
            Update(at=posted, phase=Phase.INVESTIGATING, text="looking"),
        ),
    )


def test_first_post_is_the_oldest_update_else_the_start() -> None:
    posted = T0 + 28 * MINUTE
    assert first_post(_incident(posted)) == posted
    bare = Incident("i", "t", Impact.MINOR, Phase.INVESTIGATING, started_at=T0)
    assert first_post(bare) == T0


def test_lead_from_the_warnings_opening_to_the_pages_first_post() -> None:
    memory, _ = _polls([[BAD]] * 2)  # opens at 11:21
    posted = T0 + 28 * MINUTE  # 11:48
    memory = note_leads(memory, [_incident(posted)], posted + MINUTE)
    assert memory.leads == {"inc": 27 * 60}


def test_lead_is_kept_after_the_warning_clears() -> None:
    memory, _ = _polls([[BAD]] * 2)
    memory = note_leads(memory, [_incident(T0 + 28 * MINUTE)], T0 + 30 * MINUTE)
    memory, _ = _polls([[OK]] * 2, memory=memory, start=T0 + 40 * MINUTE)
    memory = note_leads(memory, [_incident(T0 + 28 * MINUTE)], T0 + 90 * MINUTE)
    assert memory.warning is None and memory.leads == {"inc": 27 * 60}


def test_a_post_soon_after_the_warning_closed_still_has_a_lead() -> None:
    memory, _ = _polls([[BAD]] * 2 + [[OK]] * 2)  # opened 11:21, closed 11:23
    assert memory.last is not None
    inside = memory.last.closed_at + LEAD_WINDOW - MINUTE
    outside = memory.last.closed_at + LEAD_WINDOW + MINUTE
    noted = note_leads(memory, [_incident(inside, "a"), _incident(outside, "b")], outside)
    assert noted.leads == {"a": int((inside - (T0 + MINUTE)).total_seconds())}


def test_an_incident_posted_before_the_warning_gets_no_lead() -> None:
    memory, _ = _polls([[BAD]] * 2)
    noted = note_leads(memory, [_incident(T0 - MINUTE)], T0 + 5 * MINUTE)
    assert noted.leads == {}


def test_no_warning_no_lead() -> None:
    memory, _ = _polls([[OK]] * 3)
    assert note_leads(memory, [_incident(T0)], T0 + MINUTE).leads == {}


def test_vantage_offline_when_most_providers_fail_at_once() -> None:
    results = {f"p{n}": [BAD] for n in range(7)} | {f"q{n}": [OK] for n in range(3)}
    seen = vantage(results)
    assert seen.state is VantageState.OFFLINE and seen.text.startswith(OFFLINE_TEXT)
    assert "7 of 10" in seen.text


@pytest.mark.parametrize(
    ("failing", "passing", "offline"),
    [
        (6, 4, False),  # 60% is not more than 60%
        (2, 0, False),  # fewer than 3 failing says nothing about us
        (3, 0, True),
        (3, 17, False),
        (20, 0, True),
    ],
)
def test_vantage_thresholds(failing: int, passing: int, offline: bool) -> None:
    results = {f"p{n}": [BAD, BAD] for n in range(failing)}
    results |= {f"q{n}": [OK, OK] for n in range(passing)}
    results["none"] = []  # a provider without results is not judged
    assert (vantage(results).state is VantageState.OFFLINE) is offline
