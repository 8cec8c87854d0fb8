"""The notifier's events for stacks and shared causes (pure, no I/O).

A stack is told when it goes from operational (or maintenance) to a problem, again when it gets
worse, and when it is operational again; unknown changes nothing. A correlation is told once,
when its id first appears (its id stays while providers join it).
"""

from __future__ import annotations

from datetime import timedelta

from statuswatch.model import ProviderSpec, Snapshot, Status
from statuswatch.notify.events import Event, cascade_text, event_id, stack_text
from statuswatch.notify.settings import EventKind
from statuswatch.notify.state import StackMemory, State

__all__ = ["stack_events"]

# A correlation not seen for this long is forgotten (it cannot come back with the same id
# before its cause's incident is over, and a page keeps a closed incident about a week).
RETENTION = timedelta(days=7)
_CALM = (Status.OPERATIONAL, Status.MAINTENANCE)


def stack_events(
    state: State,
    snapshot: Snapshot,
    *,
    first_run: bool,
    send_existing: bool,
    forget_after: timedelta,
) -> list[Event]:
    """The events of the snapshot's stacks and correlations; updates `state` in place.

    Args:
        state: the saved state, changed in place.
        snapshot: the poll, assessed (its stacks and correlations worked out).
        first_run: no saved state at all: record, tell nothing (unless `send_existing`).
        send_existing: a stack seen for the first time tells what is wrong with it now,
            instead of being recorded silently (as a provider seen for the first time is).
        forget_after: a stack not seen for this long is forgotten.
    """
    now = snapshot.generated_at
    events: list[Event] = []
    for stack in snapshot.stacks:
        memory = state.stacks.get(stack.id)
        if stack.status is Status.UNKNOWN:
            if memory is not None:
                memory.seen_at = now
            continue  # we cannot tell: no news either way
        if memory is None:
            memory = state.stacks[stack.id] = StackMemory(Status.OPERATIONAL)
            if not send_existing:  # a baseline: what is already wrong is not news
                memory.status, memory.seen_at = stack.status, now
                continue
        previous = memory.status
        memory.seen_at = now
        memory.status = stack.status
        kind: EventKind | None = None
        if stack.status in _CALM:
            if previous not in _CALM:
                kind = EventKind.STACK_RECOVERED
        elif previous in _CALM:
            memory.spells += 1
            kind = EventKind.STACK_DEGRADED
        elif stack.status.urgency > previous.urgency:
            kind = EventKind.STACK_DEGRADED  # worse within the same spell
        if kind is None:
            continue
        detail = f"{memory.spells}:{stack.status.value if kind is EventKind.STACK_DEGRADED else ''}"
        events.append(
            Event(
                id=event_id(f"stack:{stack.id}", kind, "", detail),
                kind=kind,
                at=now,
                provider=None,
                text=stack_text(kind, stack, previous),
                previous=previous,
                stack=stack,
            )
        )
    for sid in [s for s, m in state.stacks.items() if m.seen_at and now - m.seen_at > forget_after]:
        del state.stacks[sid]
    specs = {report.spec.id: report.spec for report in snapshot.reports}
    for correlation in snapshot.correlations:
        known = correlation.id in state.correlations
        state.correlations[correlation.id] = now
        if known or (first_run and not send_existing):
            continue
        cause = specs.get(correlation.cause) or ProviderSpec(
            correlation.cause, correlation.cause, "", ""
        )
        kind = EventKind.CASCADE_SUSPECTED
        events.append(
            Event(
                id=event_id(cause.id, kind, correlation.id),
                kind=kind,
                at=now,
                provider=cause,
                text=cascade_text(correlation),
                correlation=correlation,
            )
        )
    for cid in [c for c, seen in state.correlations.items() if now - seen > RETENTION]:
        del state.correlations[cid]
    return events
