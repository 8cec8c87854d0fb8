"""Channels: where events go. Each type lives in a module imported only when it is used."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from statuswatch.notify.settings import ChannelSettings

# type -> module defining `build(settings, environ) -> Channel`
MODULES = {
    "stdout": "statuswatch.notify.channels.local",
    "desktop": "statuswatch.notify.channels.local",
    "command": "statuswatch.notify.channels.local",
    "webhook": "statuswatch.notify.channels.web",
    "slack": "statuswatch.notify.channels.web",
    "discord": "statuswatch.notify.channels.web",
    "ntfy": "statuswatch.notify.channels.web",
    "email": "statuswatch.notify.channels.mail",
    "apprise": "statuswatch.notify.channels.apprise_channel",
}
_SHOWN = "***"


class DeliveryError(Exception):
    """A channel did not accept an event; the message never holds a secret.

    `retryable` says whether trying again soon may help (timeouts, 429, 5xx);
    `retry_after` is the delay the receiver asked for, in seconds.
    """

    def __init__(
        self, message: str, *, retryable: bool = True, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class Channel(Protocol):
    """What the delivery loop needs of a channel."""

    def send(self, event: Mapping[str, Any]) -> None:
        """Deliver one stored event; return only once the receiver accepted it."""

    def close(self) -> None:
        """Release connections."""


def build(settings: ChannelSettings, environ: Mapping[str, str]) -> Channel:
    """Build the channel for `settings`; DeliveryError if it cannot be (a secret is missing)."""
    module: Any = importlib.import_module(MODULES[settings.type])
    channel: Channel = module.build(settings, environ)
    return channel


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret (longest first) in `text` by ***."""
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, _SHOWN)
    return text


def subject(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """The incident, maintenance or component an event is about ({} for provider events)."""
    for key in ("incident", "maintenance", "component"):
        value = event.get(key)
        if isinstance(value, Mapping):
            return value
    return {}


def headline(event: Mapping[str, Any]) -> str:
    """A short title: `Provider: what happened`."""
    provider = event.get("provider") or {}
    kind = str(event.get("kind", "")).replace("_", " ")
    stack = event.get("stack")
    if isinstance(stack, Mapping):  # a stack's event has no provider
        return f"stack {stack.get('name', '')}: {kind}"
    return f"{provider.get('name', '')}: {kind}"
