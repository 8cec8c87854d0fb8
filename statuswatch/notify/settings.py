"""The `[notify]` settings and the event kinds, as plain data (stdlib only)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import field
from enum import StrEnum
from typing import Any

from statuswatch.model import Impact
from statuswatch.records import record


class EventKind(StrEnum):
    """What happened, the `kind` of an event."""

    INCIDENT_OPENED = "incident_opened"
    INCIDENT_UPDATED = "incident_updated"
    INCIDENT_RESOLVED = "incident_resolved"
    MAINTENANCE_SCHEDULED = "maintenance_scheduled"
    MAINTENANCE_STARTED = "maintenance_started"
    MAINTENANCE_COMPLETED = "maintenance_completed"
    COMPONENT_CHANGED = "component_changed"
    MAINTENANCE_REMINDER = "maintenance_reminder"
    PROVIDER_UNREACHABLE = "provider_unreachable"
    PROVIDER_RECOVERED = "provider_recovered"
    # Stacks and shared causes (issue 13).
    STACK_DEGRADED = "stack_degraded"
    STACK_RECOVERED = "stack_recovered"
    CASCADE_SUSPECTED = "cascade_suspected"
    # Probes (statuswatch.probes): the service's own endpoints fail while its page says less.
    EARLY_WARNING_OPENED = "early_warning_opened"
    EARLY_WARNING_CLEARED = "early_warning_cleared"


# Sent only to channels that list them in `events`: they are noisy for most people.
OPT_IN = frozenset(
    {
        EventKind.COMPONENT_CHANGED,
        EventKind.MAINTENANCE_REMINDER,
        EventKind.PROVIDER_UNREACHABLE,
        EventKind.PROVIDER_RECOVERED,
    }
)
DEFAULT_EVENTS: tuple[EventKind, ...] = tuple(k for k in EventKind if k not in OPT_IN)

CHANNEL_TYPES = (
    "stdout",
    "webhook",
    "slack",
    "discord",
    "ntfy",
    "email",
    "desktop",
    "command",
    "apprise",
)


class SecretMissing(Exception):
    """A secret's environment variable is not set; the message names the variable only."""


@record
class Secret:
    """A value given in the config or read from an environment variable; never shown."""

    value: str | None = field(default=None, repr=False)
    env: str | None = None

    def resolve(self, environ: Mapping[str, str] | None = None) -> str:
        """Return the secret; SecretMissing when its variable is unset or empty."""
        if self.value is not None:
            return self.value
        source = os.environ if environ is None else environ
        found = source.get(self.env or "", "")
        if not found:
            raise SecretMissing(f"environment variable {self.env} is not set")
        return found


@record
class ChannelSettings:
    """One `[[notify.channels]]` table: where events go and which ones."""

    type: str
    name: str
    # Type-specific keys, validated; secret-bearing ones are Secret. Never in a repr.
    options: Mapping[str, Any] = field(default_factory=dict, repr=False)
    providers: tuple[str, ...] = ()  # empty: every provider
    components: tuple[str, ...] = ()  # empty: every event; else events naming one of these
    stacks: tuple[str, ...] = ()  # empty: every stack's events; else only these stacks'
    min_impact: Impact | None = None
    events: tuple[EventKind, ...] = DEFAULT_EVENTS
    timeout: float = 10.0
    min_interval: float = 0.0  # seconds between two deliveries on this channel (rate limit)


@record
class NotifySettings:
    """The `[notify]` table."""

    channels: tuple[ChannelSettings, ...] = ()  # none configured: one stdout channel
    unreachable_after: int = 3  # consecutive failed runs before provider_unreachable
    remind_before: float = 3600.0  # seconds before a maintenance starts: maintenance_reminder
    max_age: float = 86400.0  # an event not delivered within this many seconds is dropped
    lock_timeout: float = 60.0  # default of --lock-timeout
    retries: int = 2  # extra attempts per delivery within one run
    backoff: float = 1.0  # base of the exponential backoff between those attempts
    retry_after_cap: float = 30.0  # a longer Retry-After defers the channel to a later run

    def effective_channels(self) -> tuple[ChannelSettings, ...]:
        """The configured channels, or the default stdout channel."""
        return self.channels or (ChannelSettings(type="stdout", name="stdout"),)
