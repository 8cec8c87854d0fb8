"""The Uptime Kuma adapter: monitors in groups, latest beats, the pinned incident, maintenances.

The unhappy states are read from fixtures derived from the one real capture (an "all is well"
page and its heartbeats, ../shared/realworld/uptimekuma/): same keys and formats, states
changed (each fixture says so in its `_derived_from` key).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuswatch.adapters import FormatChanged, ParseError, uptimekuma
from statuswatch.model import Component, Impact, Phase, Status

FIXTURES = Path(__file__).parent / "fixtures" / "uptimekuma"
PAGE = (FIXTURES / "derived-page-incident-maintenance.json").read_bytes()
BEATS = (FIXTURES / "derived-heartbeat-one-down.json").read_bytes()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_monitor_down_at_its_latest_beat_is_an_outage_of_that_component() -> None:
    page = uptimekuma.parse_many([(PAGE, {}), (BEATS, {})])
    assert page.components == (
        Component("1", "Unraid", Status.OPERATIONAL, "up", "Dienste"),
        Component("2", "Plex", Status.MAJOR_OUTAGE, "down", "Dienste"),  # up, then down
        Component("3", "Router", Status.DEGRADED, "pending", "Netz"),  # down, then retrying
        Component("4", "VPN", Status.OPERATIONAL, "up", "Netz"),  # an empty bucket ends it
    )
    # One monitor down of four: part of the page, not all of it.
    assert page.status is Status.PARTIAL_OUTAGE
    assert page.updated_at == at("2026-09-30 20:15:16.689")


def test_the_pinned_incident_and_the_maintenance_under_way() -> None:
    page = uptimekuma.parse_many([(PAGE, {}), (BEATS, {})])
    (incident,) = page.incidents
    assert (incident.id, incident.title, incident.impact, incident.phase) == (
        "7",
        "NAS not reachable",  # the terminal escape sequence is gone
        Impact.MAJOR,  # style "danger"
        Phase.INVESTIGATING,
    )
    assert (incident.started_at, incident.updated_at) == (
        at("2026-09-30 20:20"),
        at("2026-09-30 20:40"),
    )
    assert incident.updates[0].text == "We are **looking** into it.\n\nNext update soon."
    (maintenance,) = page.maintenances
    assert (maintenance.id, maintenance.title, maintenance.phase) == (
        "3",
        "Disk swap",
        Phase.IN_PROGRESS,
    )
    # Written in the maintenance's own zone (+02:00), read as UTC.
    assert (maintenance.scheduled_for, maintenance.scheduled_until) == (
        at("2026-09-30 20:00"),
        at("2026-10-01 00:00"),
    )


def test_every_monitor_down_is_a_major_outage() -> None:
    beats = (
        b'{"heartbeatList":{"1":[{"status":0,"time":"2026-09-30 20:15:16.689","msg":"x"}]},'
        b'"uptimeList":{}}'
    )
    page = uptimekuma.parse(beats, {})
    assert page.status is Status.MAJOR_OUTAGE
    assert page.components == (Component("1", "monitor 1", Status.MAJOR_OUTAGE, "down"),)


def test_a_monitor_without_beats_is_unknown_never_down() -> None:
    beats = b'{"heartbeatList":{"1":[]},"uptimeList":{}}'
    page = uptimekuma.parse_many([(PAGE.replace(b'"incident":{', b'"x":{'), {}), (beats, {})])
    assert {c.status for c in page.components} == {Status.UNKNOWN}
    assert page.status is Status.MAINTENANCE  # only the maintenance says anything


@pytest.mark.parametrize(
    ("url", "documents"),
    [
        ("https://up.example/status/Main", ("/api/status-page/main",)),
        ("https://up.example/kuma/status/main/", ("/kuma/api/status-page/main",)),
        ("https://up.example/api/status-page/heartbeat/main", ("/api/status-page/main",)),
        ("https://up.example/status", ("/api/status-page/default",)),
    ],
)
def test_documents_of_a_page(url: str, documents: tuple[str, ...]) -> None:
    page_doc, beats = uptimekuma.source_urls(url)
    prefix = "https://up.example"
    assert page_doc == prefix + documents[0]
    assert beats == prefix + documents[0].replace("/status-page/", "/status-page/heartbeat/")


def test_other_shapes_are_format_changes() -> None:
    with pytest.raises(FormatChanged, match="Uptime Kuma"):
        uptimekuma.parse(b'{"config": {}, "groups": []}', {})
    with pytest.raises(FormatChanged, match="HTML"):
        uptimekuma.parse(b"<!DOCTYPE html><html><body>Uptime Kuma</body></html>", {})
    with pytest.raises(ParseError):
        uptimekuma.parse(b'{"heartbeatList": ', {})


def test_later_versions_list_their_pinned_incidents() -> None:
    page_doc = PAGE.replace(b'"incident":{', b'"incidents":[{').replace(
        b'"lastUpdatedDate":"2026-09-30 20:40:00"}', b'"lastUpdatedDate":"2026-09-30 20:40:00"}]'
    )
    page = uptimekuma.parse_many([(page_doc, {}), (BEATS, {})])
    assert [(i.id, i.impact) for i in page.incidents] == [("7", Impact.MAJOR)]
