"""Which channels get an event: the `providers`, `stacks`, `components`, `min_impact` and
`events` filters."""

from __future__ import annotations

from statuswatch.notify.events import Event
from statuswatch.notify.settings import ChannelSettings


def wants(channel: ChannelSettings, event: Event) -> bool:
    """True when every filter of `channel` lets `event` through."""
    if event.kind not in channel.events:
        return False
    if not _subject_wanted(channel, event):
        return False
    if channel.components:
        wanted = {name.casefold() for name in channel.components}
        if not any(name.casefold() in wanted for name in event.components):
            return False
    impact = event.impact
    # Provider events (unreachable, recovered) have no impact: opting in to them is enough.
    return not (
        channel.min_impact is not None
        and impact is not None
        and impact.severity < channel.min_impact.severity
    )


def _subject_wanted(channel: ChannelSettings, event: Event) -> bool:
    """The `providers` and `stacks` filters."""
    if event.stack is not None:
        # A stack's events: the stacks listed; with only providers listed, the stacks that
        # use one of them.
        if channel.stacks:
            return event.stack.id in channel.stacks
        uses = {part.provider for part in event.stack.parts}
        return not channel.providers or bool(uses & set(channel.providers))
    if event.correlation is not None:
        # A shared cause concerns every provider it links.
        members = {member.provider for member in event.correlation.members}
        return not channel.providers or bool(members & set(channel.providers))
    if not channel.providers:
        return True
    return event.provider is not None and event.provider.id in channel.providers
