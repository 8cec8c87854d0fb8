"""The status.io adapter: numeric status codes, components with regional containers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuswatch.adapters import FormatChanged, ParseError, statusio
from statuswatch.model import Component, Impact, Phase, Status

FIXTURES = Path(__file__).parent / "fixtures"
INCIDENT = (FIXTURES / "statusio" / "status-incident.json").read_bytes()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_an_incident_and_a_maintenance() -> None:
    page = statusio.parse(INCIDENT, {})
    assert (page.status, page.raw_status, page.description, page.updated_at) == (
        Status.PARTIAL_OUTAGE,
        "400",
        "Partial Service Disruption",
        at("2025-11-18 10:05"),
    )
    # A component is as bad as its worst region (container).
    assert page.components == (
        Component("c1", "Website", Status.OPERATIONAL, "100"),
        Component("c2", "CI Runners", Status.MAJOR_OUTAGE, "400"),
    )
    (incident,) = page.incidents
    assert (incident.id, incident.title, incident.phase, incident.impact, incident.raw_impact) == (
        "6731incident000000000001",
        "CI jobs stuck in pending",
        Phase.IDENTIFIED,
        Impact.CRITICAL,
        "500",
    )
    assert (incident.started_at, incident.updated_at, incident.components) == (
        at("2025-11-18 09:40"),
        at("2025-11-18 10:05"),
        ("CI Runners", "US"),
    )
    assert [(u.at, u.phase, u.raw_status, u.text) for u in incident.updates] == [
        (at("2025-11-18 10:05"), Phase.IDENTIFIED, "200",
         "The cause is a scheduler bug; a fix is rolling out."),
        (at("2025-11-18 09:40"), Phase.INVESTIGATING, "100",
         "We are investigating jobs stuck in pending."),
    ]  # fmt: skip
    (maintenance,) = page.maintenances
    assert (maintenance.title, maintenance.phase) == ("Runner fleet upgrade", Phase.SCHEDULED)
    assert (maintenance.scheduled_for, maintenance.scheduled_until) == (
        at("2025-11-22 06:00"),
        at("2025-11-22 08:00"),
    )


@pytest.mark.parametrize(
    ("code", "status"),
    [(100, Status.OPERATIONAL), (200, Status.MAINTENANCE), (300, Status.DEGRADED),
     (400, Status.PARTIAL_OUTAGE), (500, Status.MAJOR_OUTAGE), (600, Status.DEGRADED),
     (700, Status.UNKNOWN)],
)  # fmt: skip
def test_status_codes(code: int, status: Status) -> None:
    doc = {"result": {"status_overall": {"status_code": code}, "status": [
        {"id": "a", "name": "A", "status_code": code, "containers": []}]}}  # fmt: skip
    page = statusio.parse(json.dumps(doc).encode(), {})
    assert page.status is status
    assert page.components[0].status is status


def test_an_active_maintenance_and_missing_keys() -> None:
    doc = {
        "result": {
            "status_overall": {"status_code": "200"},
            "maintenance": {"active": [{"_id": "m", "name": "Now", "messages": None}]},
        }
    }
    page = statusio.parse(json.dumps(doc).encode(), {})
    assert page.status is Status.MAINTENANCE
    assert [(m.id, m.phase, m.updates) for m in page.maintenances] == [
        ("m", Phase.IN_PROGRESS, ())
    ]  # fmt: skip


def test_source_url() -> None:
    api = "https://api.status.io/1.0/status/5b36dc6502d06804c08349f7"
    assert statusio.source_url(api) == api
    assert statusio.source_url("https://status.gitlab.com/pages/5b36dc6502d06804c08349f7/rss") == (
        "https://status.gitlab.com/1.0/status/5b36dc6502d06804c08349f7"
    )
    assert statusio.source_url("https://status.gitlab.com") == "https://status.gitlab.com"
    assert statusio.page_id("https://status.gitlab.com/pages/5B36DC6502D06804C08349F7") == (
        "5b36dc6502d06804c08349f7"
    )


def test_other_documents_are_format_changes() -> None:
    with pytest.raises(FormatChanged) as caught:
        statusio.parse(b'{"data": {"id": "1", "type": "status_page", "attributes": {}}}', {})
    assert str(caught.value) == (
        "the page answered in Better Stack's format where status.io was expected"
    )
    with pytest.raises(FormatChanged, match="answered with an HTML page"):
        statusio.parse(b"<!DOCTYPE html><html></html>", {})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body where status.io JSON was expected"),
        (b'{"result": {}}', "status.io document has no result.status_overall"),
        (b'{"status": {"error": "yes", "message": "not found"}}',
         "status.io document has no result.status_overall"),
    ],
)  # fmt: skip
def test_unusable_bodies_are_parse_errors(body: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        statusio.parse(body, {})
    assert type(caught.value) is ParseError
    assert str(caught.value) == message
