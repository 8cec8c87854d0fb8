"""`notify --test`: one test event through every configured channel, each one's result told.

Nothing is polled and nothing of the notifier's state or outbox is read or written: the test
says whether each channel delivers now, with its own words when it does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from statuswatch.model import Impact, Incident, Phase, ProviderSpec
from statuswatch.notify.channels import DeliveryError, build
from statuswatch.notify.events import Event, event_id, incident_text, payload
from statuswatch.notify.settings import ChannelSettings, EventKind, NotifySettings
from statuswatch.records import record

__all__ = ["ChannelResult", "send_test", "test_event"]

# A provider no page has: the event cannot be mistaken for a real incident.
TEST_PROVIDER = ProviderSpec(
    id="statuswatch-test",
    name="statuswatch",
    kind="statuspage",
    url="https://github.com/statuswatch/statuswatch",
)


@record
class ChannelResult:
    """What one channel did with the test event: `problem` is None when it accepted it."""

    channel: ChannelSettings
    problem: str | None

    @property
    def label(self) -> str:
        """How the channel is named in messages: `'ops' (slack)`."""
        return f"{self.channel.name!r} ({self.channel.type})"


def test_event(now: datetime) -> Event:
    """An `incident_opened` event that says it is a test, with an id of its own each time
    (a receiver that drops repeats by id still shows the next test)."""
    incident = Incident(
        id=f"test-{now:%Y%m%dT%H%M%S}",
        title="Test notification from `statuswatch notify --test`: this channel works",
        impact=Impact.MINOR,
        phase=Phase.INVESTIGATING,
        started_at=now,
        updated_at=now,
        raw_status="investigating",
        raw_impact="minor",
    )
    kind = EventKind.INCIDENT_OPENED
    return Event(
        id=event_id(TEST_PROVIDER.id, kind, incident.id),
        kind=kind,
        at=now,
        provider=TEST_PROVIDER,
        text=incident_text(kind, TEST_PROVIDER, incident, ""),
        incident=incident,
    )


def send_test(
    settings: NotifySettings, now: datetime, environ: Mapping[str, str]
) -> list[ChannelResult]:
    """Send the test event once through each channel (filters aside: it is a test of the
    channel, not of which events it takes); one result per channel, in config order."""
    body = payload(test_event(now))
    results: list[ChannelResult] = []
    for channel_settings in settings.effective_channels():
        problem: str | None = None
        try:
            channel = build(channel_settings, environ)
            try:
                channel.send(body)
            finally:
                channel.close()
        except DeliveryError as exc:
            problem = str(exc)
        except Exception as exc:  # a broken channel is its result, not a crash of the test
            # Only the type: an arbitrary exception's message may quote a URL or a token.
            problem = f"unexpected error ({type(exc).__name__})"
        results.append(ChannelResult(channel_settings, problem))
    return results
