"""Event derivation from sequences of snapshots: pure, no I/O, every kind and every trap."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

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
    Update,
)
from statuswatch.notify.derive import DeriveOptions, derive
from statuswatch.notify.events import Event, event_id, payload
from statuswatch.notify.settings import EventKind as K
from statuswatch.notify.state import CorruptState, State, from_json, to_json

SPEC = ProviderSpec(id="ex", name="Example", kind="statuspage", url="https://status.example.test")
OTHER = ProviderSpec(id="other", name="Other", kind="statuspage", url="https://other.example")
T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def upd(minutes: float, phase: Phase, text: str = "") -> Update:
    return Update(at=at(minutes), phase=phase, text=text or f"{phase.value} at {minutes}",
                  raw_status=phase.value)  # fmt: skip


def inc(
    phase: Phase, *updates: Update, ident: str = "i1", impact: Impact = Impact.MAJOR
) -> Incident:
    return Incident(
        id=ident,
        title="API errors",
        impact=impact,
        phase=phase,
        started_at=T0,
        url="https://status.example.test/incidents/i1",
        components=("API",),
        updates=tuple(sorted(updates, key=lambda u: u.at, reverse=True)),
    )


def page(
    incidents: Sequence[Incident] = (),
    maintenances: Sequence[Maintenance] = (),
    components: Sequence[tuple[str, Status]] = (("API", Status.OPERATIONAL),),
) -> Page:
    return Page(
        status=Status.OPERATIONAL,
        components=tuple(Component(id=f"c-{n}", name=n, status=s) for n, s in components),
        incidents=tuple(incidents),
        maintenances=tuple(maintenances),
    )


def ok(p: Page, minutes: float = 0, spec: ProviderSpec = SPEC) -> ProviderReport:
    return ProviderReport(spec, p, fetched_at=at(minutes))


def failed(stale: Page | None = None, spec: ProviderSpec = SPEC) -> ProviderReport:
    error = FetchError(ErrorType.TIMEOUT, "no answer within 15 s")
    return ProviderReport(spec, stale, fetched_at=T0 if stale else None, stale=stale is not None,
                          error=error)  # fmt: skip


class Run:
    """Feeds snapshots one by one, like successive cron runs."""

    def __init__(self, **options: object) -> None:
        self.state: State | None = None
        self.minute = 0.0
        self.options = options

    def __call__(self, *reports: ProviderReport, minutes: float | None = None) -> list[Event]:
        self.minute = self.minute + 5 if minutes is None else minutes
        snapshot = Snapshot(generated_at=at(self.minute), reports=reports)
        opts = DeriveOptions(first_run=self.state is None, **self.options)  # type: ignore[arg-type]
        events, self.state = derive(self.state or State(), snapshot, opts)
        return events


def kinds(events: Sequence[Event]) -> list[str]:
    return [e.kind.value for e in events]


# --- first run and baselines --------------------------------------------------------------------


def test_first_run_records_a_baseline_and_tells_nothing() -> None:
    run = Run()
    busy = page([inc(Phase.INVESTIGATING, upd(1, Phase.INVESTIGATING))],
                [Maintenance("m1", "DB upgrade", Phase.IN_PROGRESS, at(-5))],
                [("API", Status.MAJOR_OUTAGE)])  # fmt: skip
    assert run(ok(busy)) == []
    assert run(ok(busy)) == []  # and the same page again is no news
    assert run.state is not None and run.state.providers["ex"].baseline is True


def test_send_existing_tells_what_is_active_on_the_baseline_only() -> None:
    run = Run(send_existing=True)
    busy = page(
        [inc(Phase.INVESTIGATING, upd(1, Phase.INVESTIGATING)),
         inc(Phase.RESOLVED, upd(1, Phase.RESOLVED), ident="old")],
        [Maintenance("m1", "DB upgrade", Phase.IN_PROGRESS, at(-5)),
         Maintenance("m2", "Later", Phase.SCHEDULED, at(600))],
    )  # fmt: skip
    events = run(ok(busy))
    assert kinds(events) == ["incident_opened", "maintenance_started"]
    assert events[0].id == event_id("ex", K.INCIDENT_OPENED, "i1", "0")
    assert run(ok(busy)) == []


def test_a_provider_added_later_gets_its_own_silent_baseline() -> None:
    run = Run()
    run(ok(page()))
    busy = page([inc(Phase.INVESTIGATING, upd(1, Phase.INVESTIGATING))])
    assert run(ok(page()), ok(busy, spec=OTHER)) == []
    assert kinds(run(ok(page([inc(Phase.INVESTIGATING, upd(1, Phase.INVESTIGATING))])))) == [
        "incident_opened"
    ]


def test_a_baseline_is_never_taken_from_a_failed_or_stale_fetch() -> None:
    run = Run()
    stale = page([inc(Phase.INVESTIGATING, upd(1, Phase.INVESTIGATING))])
    assert run(failed(stale)) == []
    assert run.state is not None and run.state.providers["ex"].baseline is False
    # The first fresh page is the baseline: the stale incident is not "resolved" by it.
    assert run(ok(page())) == []
    assert run.state.providers["ex"].baseline is True


# --- incidents ----------------------------------------------------------------------------------


def test_open_update_update_resolve() -> None:
    run = Run()
    u1 = upd(1, Phase.INVESTIGATING, "Looking into it")
    u2 = upd(11, Phase.IDENTIFIED, "Found it")
    u3 = upd(21, Phase.MONITORING, "Fix deployed")
    u4 = upd(31, Phase.RESOLVED, "All good")
    run(ok(page()))
    opened = run(ok(page([inc(Phase.INVESTIGATING, u1)])))
    first = run(ok(page([inc(Phase.IDENTIFIED, u1, u2)])))
    second = run(ok(page([inc(Phase.MONITORING, u1, u2, u3)])))
    resolved = run(ok(page([inc(Phase.RESOLVED, u1, u2, u3, u4)])))
    assert kinds(opened + first + second + resolved) == [
        "incident_opened", "incident_updated", "incident_updated", "incident_resolved"
    ]  # fmt: skip
    assert opened[0].id == event_id("ex", K.INCIDENT_OPENED, "i1", "0")
    assert first[0].id == event_id(
        "ex", K.INCIDENT_UPDATED, "i1", "2026-11-27T10:11:00Z|identified"
    )
    assert resolved[0].id == event_id("ex", K.INCIDENT_RESOLVED, "i1", "0")
    assert opened[0].at == T0 and first[0].at == at(11) and resolved[0].at == at(31)
    assert opened[0].text == (
        "Example: new incident [major] API errors (investigating): Looking into it "
        "https://status.example.test/incidents/i1"
    )
    assert first[0].text.startswith("Example: update on [major] API errors: Found it")
    assert resolved[0].text.startswith("Example: resolved: [major] API errors: All good")
    # Nothing more while the resolved incident stays listed.
    assert run(ok(page([inc(Phase.RESOLVED, u1, u2, u3, u4)]))) == []


def test_several_new_updates_are_told_oldest_first_and_the_closing_one_by_the_resolution() -> None:
    run = Run()
    u1 = upd(1, Phase.INVESTIGATING)
    run(ok(page([inc(Phase.INVESTIGATING, u1)])))
    u2, u3, u4 = upd(5, Phase.IDENTIFIED), upd(6, Phase.MONITORING), upd(7, Phase.RESOLVED)
    events = run(ok(page([inc(Phase.RESOLVED, u1, u2, u3, u4)])))
    assert kinds(events) == ["incident_updated", "incident_updated", "incident_resolved"]
    assert [e.at for e in events] == [at(5), at(6), at(7)]


def test_an_incident_the_fresh_page_drops_is_resolved_with_its_remembered_details() -> None:
    run = Run()
    run(ok(page()))
    run(ok(page([inc(Phase.INVESTIGATING, upd(1, Phase.INVESTIGATING))])))
    events = run(ok(page()), minutes=30)
    assert kinds(events) == ["incident_resolved"]
    body = payload(events[0])
    assert body["incident"]["phase"] == "resolved"
    assert body["incident"]["title"] == "API errors"
    assert body["incident"]["impact"] == "major"
    assert body["incident"]["url"] == "https://status.example.test/incidents/i1"
    assert body["incident"]["components"] == ["API"]
    assert body["at"] == "2026-11-27T10:30:00Z"
    assert run(ok(page())) == []


def test_a_dropped_incident_and_maintenance_keep_the_platforms_last_words() -> None:
    # The README: a subject resolved by disappearing carries what was last seen, the
    # platform's raw_impact and raw_status included (they were empty), through a saved state.
    run = Run()
    run(ok(page()))
    seen = replace(inc(Phase.MONITORING, upd(1, Phase.MONITORING)),
                   raw_status="monitoring", raw_impact="major")  # fmt: skip
    work = replace(mnt(Phase.IN_PROGRESS, start=-5), raw_status="in_progress")
    run(ok(page([seen], [work])))
    assert run.state is not None
    run.state = from_json(json.loads(json.dumps(to_json(run.state, T0))))
    events = run(ok(page()), minutes=30)
    assert kinds(events) == ["incident_resolved", "maintenance_completed"]
    incident, maintenance = (payload(e) for e in events)
    assert (incident["incident"]["raw_impact"], incident["incident"]["raw_status"]) == (
        "major",
        "monitoring",
    )
    assert incident["incident"]["phase"] == "resolved"
    assert maintenance["maintenance"]["raw_status"] == "in_progress"


def test_a_state_saved_before_the_raw_words_were_kept_still_reads() -> None:
    run = Run()
    run(ok(page()))
    run(ok(page([inc(Phase.INVESTIGATING, upd(1, Phase.INVESTIGATING))])))
    assert run.state is not None
    document = to_json(run.state, T0)
    for incident in document["providers"]["ex"]["incidents"].values():
        del incident["raw_impact"], incident["raw_status"]
    assert from_json(document).providers["ex"].incidents["i1"].raw_status == ""


def test_an_incident_opened_and_resolved_between_two_runs_is_told_twice() -> None:
    run = Run()
    run(ok(page()))
    quick = inc(Phase.RESOLVED, upd(1, Phase.INVESTIGATING), upd(2, Phase.RESOLVED))
    assert kinds(run(ok(page([quick])))) == ["incident_opened", "incident_resolved"]


def test_a_reopened_incident_gets_new_ids_for_its_second_life() -> None:
    run = Run()
    u1, u2 = upd(1, Phase.INVESTIGATING), upd(2, Phase.RESOLVED)
    run(ok(page([inc(Phase.INVESTIGATING, u1)])))
    first_close = run(ok(page([inc(Phase.RESOLVED, u1, u2)])))
    u3 = upd(40, Phase.INVESTIGATING, "It is back")
    reopened = run(ok(page([inc(Phase.INVESTIGATING, u1, u2, u3)])))
    second_close = run(ok(page()))
    assert kinds(reopened) == ["incident_opened"]
    assert reopened[0].id == event_id("ex", K.INCIDENT_OPENED, "i1", "1")
    assert kinds(second_close) == ["incident_resolved"]
    assert second_close[0].id == event_id("ex", K.INCIDENT_RESOLVED, "i1", "1")
    assert second_close[0].id != first_close[0].id


# --- failed and stale fetches -------------------------------------------------------------------


def test_a_failed_or_stale_fetch_never_resolves_nor_reopens() -> None:
    run = Run()
    open_page = page([inc(Phase.INVESTIGATING, upd(1, Phase.INVESTIGATING))])
    run(ok(open_page))
    # Stale data that lacks the incident, and a plain failure: no resolution.
    assert run(failed(page())) == []
    assert run(failed()) == []
    assert run(ok(open_page)) == []
    assert kinds(run(ok(page()))) == ["incident_resolved"]
    # Stale data that still shows it open: no reopening.
    assert run(failed(open_page)) == []
    assert run(ok(page())) == []


def test_flapping_fetches_tell_nothing() -> None:
    run = Run()
    open_page = page([inc(Phase.INVESTIGATING, upd(1, Phase.INVESTIGATING))],
                     components=[("API", Status.DEGRADED)])  # fmt: skip
    run(ok(open_page))
    for _ in range(5):
        assert run(failed(page())) == []
        assert run(failed()) == []
        assert run(ok(open_page)) == []
    assert run.state is not None and run.state.providers["ex"].unreachable is False


def test_unreachable_after_n_consecutive_failures_then_recovered() -> None:
    run = Run(unreachable_after=3)
    run(ok(page()))
    assert run(failed()) == [] and run(failed()) == []
    down = run(failed())
    assert kinds(down) == ["provider_unreachable"]
    assert down[0].id == event_id("ex", K.PROVIDER_UNREACHABLE, "", "1")
    assert down[0].text == "Example: status page unreachable: timeout: no answer within 15 s"
    assert run(failed()) == []  # told once per outage
    up = run(ok(page()))
    assert kinds(up) == ["provider_recovered"]
    assert up[0].text == "Example: status page reachable again"
    for _ in range(2):
        run(failed())
    again = run(failed())
    assert kinds(again) == ["provider_unreachable"] and again[0].id != down[0].id


def test_the_first_run_does_not_tell_unreachable_even_when_n_is_one() -> None:
    run = Run(unreachable_after=1)
    assert run(failed()) == []
    assert kinds(run(failed())) == ["provider_unreachable"]


# --- components ---------------------------------------------------------------------------------


def comps(status: Status) -> Page:
    return page(components=[("API", status), ("Web", Status.OPERATIONAL)])


def test_component_changes_and_unknown_is_never_an_end_of_a_change() -> None:
    run = Run()
    run(ok(comps(Status.OPERATIONAL)))
    down = run(ok(comps(Status.DEGRADED)))
    assert kinds(down) == ["component_changed"]
    assert down[0].text == "Example: API is now degraded (was operational)"
    assert down[0].impact is Impact.MINOR
    assert run(ok(comps(Status.UNKNOWN))) == []  # to unknown: no event
    assert run(ok(comps(Status.DEGRADED))) == []  # from unknown back to the same: no event
    assert run(ok(comps(Status.UNKNOWN))) == []
    back = run(ok(comps(Status.OPERATIONAL)))  # from unknown to a new status: degraded -> ok
    assert [e.text for e in back] == ["Example: API is now operational (was degraded)"]
    assert back[0].previous is Status.DEGRADED and back[0].impact is Impact.MINOR


def test_a_flapping_component_tells_each_change_with_its_own_id() -> None:
    run = Run()
    run(ok(comps(Status.OPERATIONAL)))
    events = []
    for status in (Status.MAJOR_OUTAGE, Status.OPERATIONAL, Status.MAJOR_OUTAGE):
        events += run(ok(comps(status)))
    assert kinds(events) == ["component_changed"] * 3
    assert len({e.id for e in events}) == 3
    assert [e.impact for e in events] == [Impact.CRITICAL] * 3


def test_a_component_first_seen_unknown_takes_its_first_known_status_silently() -> None:
    run = Run()
    run(ok(comps(Status.UNKNOWN)))
    assert run(ok(comps(Status.PARTIAL_OUTAGE))) == []
    assert kinds(run(ok(comps(Status.OPERATIONAL)))) == ["component_changed"]


# --- maintenances -------------------------------------------------------------------------------


def mnt(phase: Phase, start: float = 120, ident: str = "m1") -> Maintenance:
    url = "https://status.example.test/incidents/m1"
    return Maintenance(ident, "DB upgrade", phase, at(start), at(start + 60), url=url,
                       components=("DB",))  # fmt: skip


def test_maintenance_scheduled_started_completed() -> None:
    run = Run()
    run(ok(page()))
    events = run(ok(page(maintenances=[mnt(Phase.SCHEDULED)])))
    events += run(ok(page(maintenances=[mnt(Phase.SCHEDULED)])))
    events += run(ok(page(maintenances=[mnt(Phase.IN_PROGRESS)])), minutes=121)
    events += run(ok(page(maintenances=[mnt(Phase.VERIFYING)])), minutes=150)
    events += run(ok(page(maintenances=[mnt(Phase.COMPLETED)])), minutes=180)
    events += run(ok(page()), minutes=200)
    assert kinds(events) == [
        "maintenance_scheduled",
        "maintenance_started",
        "maintenance_completed",
    ]
    assert events[0].text == (
        "Example: maintenance scheduled: DB upgrade (2026-11-27 12:00 UTC) "
        "https://status.example.test/incidents/m1"
    )
    assert events[0].impact is Impact.MAINTENANCE


def test_a_maintenance_the_page_drops_is_completed_if_it_started_and_forgotten_if_cancelled() -> (
    None
):
    run = Run()
    run(ok(page()))
    run(ok(page(maintenances=[mnt(Phase.IN_PROGRESS, start=-5), mnt(Phase.SCHEDULED, ident="m2")])))
    events = run(ok(page()))
    assert kinds(events) == ["maintenance_completed"]
    assert payload(events[0])["maintenance"]["id"] == "m1"
    assert payload(events[0])["maintenance"]["phase"] == "completed"


def test_a_window_already_over_when_first_seen_is_not_announced() -> None:
    run = Run()
    run(ok(page()))
    stale = mnt(Phase.SCHEDULED, start=-600)  # ended nine hours ago, never updated
    assert run(ok(page(maintenances=[stale]))) == []
    assert kinds(run(ok(page(maintenances=[stale, mnt(Phase.SCHEDULED, ident="m2")])))) == [
        "maintenance_scheduled"
    ]


def test_maintenance_reminder_once_per_start_time() -> None:
    run = Run(remind_before=3600)
    run(ok(page(maintenances=[mnt(Phase.SCHEDULED, start=200)])), minutes=0)
    assert run(ok(page(maintenances=[mnt(Phase.SCHEDULED, start=200)])), minutes=100) == []
    first = run(ok(page(maintenances=[mnt(Phase.SCHEDULED, start=200)])), minutes=150)
    assert kinds(first) == ["maintenance_reminder"]
    assert first[0].text.startswith("Example: maintenance starts in 50m: DB upgrade")
    assert run(ok(page(maintenances=[mnt(Phase.SCHEDULED, start=200)])), minutes=160) == []
    # Moved later, then close again: a new reminder for the new time.
    assert run(ok(page(maintenances=[mnt(Phase.SCHEDULED, start=400)])), minutes=170) == []
    second = run(ok(page(maintenances=[mnt(Phase.SCHEDULED, start=400)])), minutes=350)
    assert kinds(second) == ["maintenance_reminder"] and second[0].id != first[0].id


# --- ids, purity, state -------------------------------------------------------------------------


def test_deriving_twice_from_the_same_state_gives_the_same_ids_and_leaves_the_state_alone() -> None:
    run = Run()
    run(ok(page()))
    assert run.state is not None
    before = json.dumps(to_json(run.state, T0))
    snapshot = Snapshot(at(9), (ok(page([inc(Phase.INVESTIGATING, upd(1, Phase.INVESTIGATING))])),))
    one, _ = derive(run.state, snapshot, DeriveOptions())
    two, _ = derive(run.state, snapshot, DeriveOptions())
    assert [e.id for e in one] == [e.id for e in two] and len(one) == 1
    assert json.dumps(to_json(run.state, T0)) == before


def test_ids_differ_between_providers_kinds_and_subjects() -> None:
    ids = {
        event_id("ex", K.INCIDENT_OPENED, "i1", "0"),
        event_id("other", K.INCIDENT_OPENED, "i1", "0"),
        event_id("ex", K.INCIDENT_RESOLVED, "i1", "0"),
        event_id("ex", K.INCIDENT_OPENED, "i2", "0"),
        event_id("ex", K.INCIDENT_OPENED, "i1", "1"),
    }
    assert len(ids) == 5 and all(len(i) == 32 for i in ids)


def test_the_state_survives_its_json_form() -> None:
    run = Run()
    run(ok(page([inc(Phase.INVESTIGATING, upd(1, Phase.INVESTIGATING))],
                [mnt(Phase.SCHEDULED)], [("API", Status.DEGRADED)])))  # fmt: skip
    run(failed())
    assert run.state is not None
    document = json.loads(json.dumps(to_json(run.state, T0)))
    assert from_json(document) == run.state


@pytest.mark.parametrize(
    "document",
    [
        [],
        {"version": 99, "providers": {}},
        {"version": 1, "providers": []},
        {"version": 1, "providers": {"ex": {"baseline": "yes"}}},
        {"version": 1, "providers": {"ex": {
            "baseline": True, "failures": True, "unreachable": False, "outages": 0,
            "incidents": {}, "maintenances": {}, "components": {}}}},
    ],
)  # fmt: skip
def test_a_malformed_state_is_refused_as_corrupt(document: object) -> None:
    with pytest.raises(CorruptState):
        from_json(document)


def test_state_copy_is_deep_and_complete() -> None:
    import dataclasses
    from datetime import UTC, datetime

    from statuswatch.model import Status
    from statuswatch.notify.state import (
        ComponentMemory,
        IncidentMemory,
        MaintenanceMemory,
        ProviderMemory,
        StackMemory,
        State,
    )

    when = datetime(2026, 3, 1, tzinfo=UTC)
    incident = IncidentMemory(
        2, True, when, ["u1"], "t", "major", "https://x", ["API"], when, "critical", "monitoring"
    )
    maintenance = MaintenanceMemory(
        "scheduled", when, True, True, "r", "m", "https://m", ["DB"], when, "in_progress"
    )
    memory = ProviderMemory(
        baseline=True,
        failures=3,
        unreachable=True,
        outages=1,
        warning_since=when,
        warning_text="probes fail",
        seen_at=when,
        incidents={"i": incident},
        maintenances={"m": maintenance},
        components={"c": ComponentMemory(Status.DEGRADED, 4)},
    )
    stack = StackMemory(Status.MAJOR_OUTAGE, 2, when)
    state = State({"p": memory}, {"s": stack}, {"c": when})
    copied = state.copy()
    assert copied == state

    def mutable_parts(obj: object) -> list[object]:
        # Every container and dataclass inside, whatever fields a later version adds.
        found: list[object] = []
        children: list[object] = []
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            found.append(obj)
            children = [getattr(obj, f.name) for f in dataclasses.fields(obj)]
        elif isinstance(obj, dict):
            found.append(obj)
            children = list(obj.values())
        elif isinstance(obj, list | set):
            found.append(obj)
            children = list(obj)
        for child in children:
            found += mutable_parts(child)
        return found

    original = {id(part) for part in mutable_parts(state)}
    parts = mutable_parts(copied)
    assert len(parts) == len(original) and not original & {id(part) for part in parts}
    # Every field of every memory was given a value different from its default above, so a
    # field the copy forgot would show as a difference.
    for cls, value in (
        (IncidentMemory, incident),
        (MaintenanceMemory, maintenance),
        (ProviderMemory, memory),
        (StackMemory, stack),
        (State, state),
    ):
        required = {MaintenanceMemory: {"phase": "x"}, StackMemory: {"status": Status.UNKNOWN}}
        defaults = cls(**required.get(cls, {}))  # type: ignore[arg-type]
        for f in dataclasses.fields(cls):
            assert getattr(value, f.name) != getattr(defaults, f.name), (cls.__name__, f.name)
