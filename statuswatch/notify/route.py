"""Which channels get an event: the `providers`, `components`, `min_impact`, `events` filters."""

from __future__ import annotations

from statuswatch.notify.events import Event
from statuswatch.notify.settings import ChannelSettings


def wants(channel: ChannelSettings, event: Event) -> bool:
    """True when every filter of `channel` lets `event` through."""
    if event.kind not in channel.events:
        return False
    if channel.providers and event.provider.id not in channel.providers:
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
