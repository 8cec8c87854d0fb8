"""The delivery loop: each outbox entry leaves the outbox only once its channel accepted it."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from statuswatch.notify.channels import Channel, DeliveryError, build
from statuswatch.notify.settings import ChannelSettings, NotifySettings
from statuswatch.notify.store import Entry, Outbox
from statuswatch.wording import plural


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    delivered: int = 0
    failed_channels: list[str] = field(default_factory=list)
    kept: int = 0  # entries left for a later run
    dropped: int = 0  # entries given up (too old, or their channel is gone)


@dataclass
class Delivery:
    """Delivers an outbox, saving it after every change so a kill loses nothing."""

    outbox: Outbox
    channels: Mapping[str, ChannelSettings]
    settings: NotifySettings
    save: Callable[[], None]
    warn: Callable[[str], None]
    environ: Mapping[str, str]
    now: Callable[[], datetime]
    sleep: Callable[[float], None] = time.sleep
    build_channel: Callable[[ChannelSettings, Mapping[str, str]], Channel] = build

    def run(self) -> DeliveryReport:
        """Deliver every pending entry, channel by channel, oldest first."""
        report = DeliveryReport()
        order = list(dict.fromkeys(entry.channel for entry in self.outbox.pending))
        for name in order:
            entries = [e for e in self.outbox.pending if e.channel == name]
            settings = self.channels.get(name)
            if settings is None:
                self._drop(entries, report)
                self.warn(
                    f"channel {name!r} is no longer configured: "
                    f"{plural(len(entries), 'undelivered event')} dropped"
                )
                continue
            self._channel(settings, entries, report)
        report.kept = len(self.outbox.pending)
        return report

    def _drop(self, entries: list[Entry], report: DeliveryReport) -> None:
        for entry in entries:
            self.outbox.pending.remove(entry)
        report.dropped += len(entries)
        self.save()

    def _channel(
        self, settings: ChannelSettings, entries: list[Entry], report: DeliveryReport
    ) -> None:
        """Deliver one channel's entries in order; stop at its first failure."""
        label = f"channel {settings.name!r} ({settings.type})"
        max_age = timedelta(seconds=self.settings.max_age)
        old = [e for e in entries if self.now() - e.queued_at > max_age]
        if old:
            self._drop(old, report)
            self.warn(
                f"{label}: gave up on {plural(len(old), 'event')} not delivered within "
                f"{self.settings.max_age:g} s"
            )
            entries = [e for e in entries if e not in old]
        if not entries:
            return
        until = self.outbox.not_before.get(settings.name)
        if until is not None and until > self.now():
            self.warn(
                f"{label}: the receiver asked to wait until {until.isoformat()}: "
                f"{plural(len(entries), 'event')} kept for a later run"
            )
            report.failed_channels.append(settings.name)
            return
        try:
            channel = self.build_channel(settings, self.environ)
        except DeliveryError as exc:
            self._failed(label, settings, entries, exc, report)
            return
        except Exception as exc:  # one broken channel must not stop the others
            self._failed(label, settings, entries, _unexpected(exc), report)
            return
        try:
            last = 0.0
            for index, entry in enumerate(entries):
                wait = last + settings.min_interval - time.monotonic()
                if index and wait > 0:
                    self.sleep(wait)  # the channel's own rate limit
                try:
                    self._send(channel, entry)
                except DeliveryError as exc:
                    entry.attempts += 1
                    entry.last_error = str(exc)
                    self._failed(label, settings, entries[index:], exc, report)
                    return
                last = time.monotonic()
                self.outbox.pending.remove(entry)
                self.outbox.delivered[entry.key] = self.now()
                self.save()
                report.delivered += 1
        finally:
            channel.close()

    def _send(self, channel: Channel, entry: Entry) -> None:
        """One delivery with retries for what may pass on a second try."""
        attempts = 1 + self.settings.retries
        for attempt in range(1, attempts + 1):
            try:
                try:
                    channel.send(entry.event)
                except DeliveryError:
                    raise
                except Exception as exc:  # a bug or an odd input: kept, and said, not a crash
                    raise _unexpected(exc) from None
                return
            except DeliveryError as exc:
                if not exc.retryable or attempt == attempts:
                    raise
                delay = exc.retry_after
                if delay is None:
                    delay = self.settings.backoff * 2 ** (attempt - 1)
                elif delay > self.settings.retry_after_cap:
                    raise  # not waited for here: the channel is deferred to a later run
                self.sleep(delay)

    def _failed(
        self,
        label: str,
        settings: ChannelSettings,
        entries: list[Entry],
        exc: DeliveryError,
        report: DeliveryReport,
    ) -> None:
        if exc.retry_after is not None and exc.retry_after > self.settings.retry_after_cap:
            self.outbox.not_before[settings.name] = self.now() + timedelta(seconds=exc.retry_after)
        self.save()
        report.failed_channels.append(settings.name)
        self.warn(f"{label}: {exc}; {plural(len(entries), 'event')} kept for the next run")


def _unexpected(exc: Exception) -> DeliveryError:
    # Only the type: the message of an arbitrary exception may quote a URL or a token.
    return DeliveryError(f"unexpected {type(exc).__name__}", retryable=False)
