"""The apprise channel: any of apprise's services, with apprise imported only when used."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from statuswatch.notify.channels import DeliveryError, headline
from statuswatch.notify.settings import ChannelSettings, Secret, SecretMissing

INSTALL_HINT = "the apprise channel needs apprise: pip install 'statuswatch[apprise]'"


class Apprise:
    """Sends through one apprise URL (the URL holds the service's credentials: never shown)."""

    def __init__(self, url: str) -> None:
        try:
            module: Any = importlib.import_module("apprise")
        except ImportError:
            raise DeliveryError(INSTALL_HINT, retryable=False) from None
        self._apprise = module.Apprise()
        if not self._apprise.add(url):
            raise DeliveryError("apprise did not accept the URL (not shown)", retryable=False)

    def send(self, event: Mapping[str, Any]) -> None:
        """Notify; apprise returns False when a service refused."""
        if not self._apprise.notify(title=headline(event), body=str(event.get("text", ""))):
            raise DeliveryError("apprise could not deliver the notification")

    def close(self) -> None:
        """Nothing to release."""


def build(settings: ChannelSettings, environ: Mapping[str, str]) -> Apprise:
    """The channel for an apprise table."""
    secret: Secret = settings.options["url"]
    try:
        url = secret.resolve(environ)
    except SecretMissing as exc:
        raise DeliveryError(str(exc), retryable=False) from None
    return Apprise(url)
