"""The notifier on stacks and shared causes: stack_degraded, stack_recovered,
cascade_suspected (once), the channels' `stacks` filter, and the state that remembers them."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from assess_helpers import T0, minutes, open_incident, report

from statuswatch.assess import assess
from statuswatch.config import ConfigError, load_config
from statuswatch.model import Impact, Snapshot, Status
from statuswatch.notify.configparse import notify_settings
from statuswatch.notify.derive import DeriveOptions, derive
from statuswatch.notify.events import Event, payload
from statuswatch.notify.route import wants
from statuswatch.notify.settings import ChannelSettings
from statuswatch.notify.settings import EventKind as K
from statuswatch.notify.state import State, from_json, to_json
from statuswatch.scope import parse_target
from statuswatch.stacks import Stack

CHECKOUT = Stack("checkout", "Checkout", (parse_target("stripe"), parse_target("github")))
RUN = DeriveOptions()


def snapshot(stripe_impact: Impact | None, at: float = 0, *, fail: bool = False) -> Snapshot:
    """Stripe (with an incident of `stripe_impact`) and GitHub, the checkout stack rated."""
    from assess_helpers import failed

    if fail:
        stripe = failed("stripe")
    elif stripe_impact is None:
        stripe = report("stripe")
    else:
        stripe = report("stripe", open_incident("s1", T0, impact=stripe_impact))
    return assess(Snapshot(minutes(at), (stripe, report("github"))), [CHECKOUT])


def kinds(events: list[Event]) -> list[str]:
    return [e.kind.value for e in events]


def run(states: list[Snapshot], options: DeriveOptions = RUN) -> list[list[Event]]:
    """Derive over a sequence of snapshots from an empty (not first-run) state."""
    state = State()
    told = []
    for shot in states:
        events, state = derive(state, shot, options)
        told.append([e for e in events if e.kind.value.startswith(("stack", "cascade"))])
    return told


def test_a_stack_is_told_when_it_degrades_worsens_and_recovers() -> None:
    told = run(
        [
            snapshot(None, 0),  # first sight: recorded
            snapshot(Impact.MINOR, 5),  # degraded
            snapshot(Impact.MINOR, 10),  # no change
            snapshot(Impact.CRITICAL, 15),  # worse
            snapshot(Impact.MINOR, 20),  # better, still degraded: nothing
            snapshot(None, 25, fail=True),  # unknown: nothing either way
            snapshot(None, 30),  # recovered
            snapshot(Impact.MAJOR, 35),  # a new spell
        ]
    )
    assert [kinds(events) for events in told] == [
        [],
        ["stack_degraded"],
        [],
        ["stack_degraded"],
        [],
        [],
        ["stack_recovered"],
        ["stack_degraded"],
    ]
    first, worse, recovered, again = told[1][0], told[3][0], told[6][0], told[7][0]
    assert first.text == "stack Checkout is degraded: Stripe: degraded: Incident s1"
    assert worse.text.startswith("stack Checkout is major outage")
    assert recovered.text == "stack Checkout: operational again (was degraded)"
    assert len({first.id, worse.id, recovered.id, again.id}) == 4  # each told once, by id
    body = payload(first)
    assert body["provider"] is None
    assert body["stack"]["id"] == "checkout" and body["stack"]["status"] == "degraded"


def test_a_stack_already_down_on_first_sight_is_a_baseline_unless_send_existing() -> None:
    assert run([snapshot(Impact.MAJOR), snapshot(Impact.MAJOR, 5)]) == [[], []]
    existing = DeriveOptions(send_existing=True)
    assert kinds(run([snapshot(Impact.MAJOR)], existing)[0]) == ["stack_degraded"]


def test_a_stack_event_repeated_after_a_crash_has_the_same_id() -> None:
    state = State()
    _, state = derive(state, snapshot(None), RUN)
    once, _ = derive(state, snapshot(Impact.MINOR, 5), RUN)
    again, _ = derive(state, snapshot(Impact.MINOR, 5), RUN)  # the saved state, re-run
    assert [e.id for e in once] == [e.id for e in again]


def _cascade(at: float) -> Snapshot:
    gcp = report("google-cloud", open_incident("g1", minutes(0)))
    cloudflare = report("cloudflare", open_incident("kv", minutes(2)), runs_on=("google-cloud",))
    reports = (gcp, cloudflare)
    if at >= 10:  # a third provider joins the same correlation
        reports += (report("replit", open_incident("r", minutes(9)), runs_on=("google-cloud",)),)
    return assess(Snapshot(minutes(at), reports))


def test_a_shared_cause_is_told_once() -> None:
    state = State()
    _, state = derive(state, Snapshot(minutes(-5), ()), RUN)
    told = []
    for at in (5, 10, 15):
        events, state = derive(state, _cascade(at), RUN)
        told.append([e for e in events if e.kind is K.CASCADE_SUSPECTED])
    assert [len(events) for events in told] == [1, 0, 0]
    (event,) = told[0]
    assert event.provider is not None and event.provider.id == "google-cloud"
    assert event.text == (
        "incidents linked: likely common cause: Google Cloud (17:50 UTC), then Cloudflare "
        "(17:52 UTC)"
    )
    body = payload(event)
    assert body["correlation"]["cause"] == "google-cloud"
    # The state remembers it through its JSON form too.
    restored = from_json(json.loads(json.dumps(to_json(state, minutes(15)))))
    assert restored.correlations == state.correlations
    events, _ = derive(restored, _cascade(20), RUN)
    assert not [e for e in events if e.kind is K.CASCADE_SUSPECTED]


def test_a_first_run_records_a_shared_cause_without_telling_it() -> None:
    events, state = derive(State(), _cascade(5), DeriveOptions(first_run=True))
    assert not [e for e in events if e.kind is K.CASCADE_SUSPECTED]
    assert len(state.correlations) == 1


def test_a_state_from_before_stacks_still_reads() -> None:
    document = to_json(State(), T0)
    del document["stacks"], document["correlations"]
    assert from_json(document) == State()


def test_stack_state_round_trips() -> None:
    state = State()
    for shot in (snapshot(None), snapshot(Impact.MINOR, 5)):
        _, state = derive(state, shot, RUN)
    restored = from_json(json.loads(json.dumps(to_json(state, minutes(5)))))
    assert restored.stacks == state.stacks
    assert restored.stacks["checkout"].status is Status.DEGRADED


def _stack_event(*parts: str) -> Event:
    stack = Stack("checkout", "Checkout", tuple(parse_target(p) for p in parts))
    rated = assess(Snapshot(T0, tuple(report(p) for p in parts)), [stack]).stacks[0]
    return Event("x", K.STACK_DEGRADED, T0, None, "t", stack=rated)


@pytest.mark.parametrize(
    ("providers", "stacks", "wanted"),
    [
        ((), (), True),
        ((), ("checkout",), True),
        ((), ("other",), False),
        (("stripe",), (), True),  # a stack that uses a listed provider
        (("aws",), (), False),
        (("aws",), ("checkout",), True),  # the stacks filter decides stack events
    ],
)
def test_the_channel_filters_on_a_stack_event(
    providers: tuple[str, ...], stacks: tuple[str, ...], wanted: bool
) -> None:
    channel = ChannelSettings("stdout", "out", providers=providers, stacks=stacks)
    assert wants(channel, _stack_event("stripe", "github")) is wanted


def test_a_cascade_reaches_a_channel_of_any_provider_it_links() -> None:
    events, _ = derive(State(), _cascade(5), DeriveOptions(send_existing=True))
    (event,) = [e for e in events if e.kind is K.CASCADE_SUSPECTED]
    assert wants(ChannelSettings("stdout", "a", providers=("cloudflare",)), event)
    assert not wants(ChannelSettings("stdout", "b", providers=("aws",)), event)


def test_a_channel_names_only_defined_stacks(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[stacks.checkout]\nuses = ["stripe"]\n'
        '[[notify.channels]]\ntype = "stdout"\nstacks = ["chekout"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        notify_settings(load_config(path))
    assert str(caught.value) == (
        f"{path}: notify.channels[0].stacks[0]: unknown stack 'chekout' (did you mean "
        "'checkout'?); defined: checkout"
    )
    path.write_text(
        '[stacks.checkout]\nuses = ["stripe"]\n'
        '[[notify.channels]]\ntype = "stdout"\nstacks = ["checkout"]\n',
        encoding="utf-8",
    )
    assert notify_settings(load_config(path)).channels[0].stacks == ("checkout",)


def test_forgotten_after_a_month_unseen() -> None:
    state = State()
    for shot in (snapshot(None), snapshot(Impact.MINOR, 5)):
        _, state = derive(state, shot, RUN)
    later = Snapshot(minutes(5) + timedelta(days=31), ())
    _, state = derive(state, later, RUN)
    assert state.stacks == {}
