"""The Better Stack adapter: JSON:API resources, sections and status reports."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuswatch.adapters import FormatChanged, ParseError, betterstack
from statuswatch.model import Component, Impact, Phase, Status

FIXTURES = Path(__file__).parent / "fixtures"
DOWNTIME = (FIXTURES / "betterstack" / "index-downtime.json").read_bytes()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_resources_reports_and_updates() -> None:
    page = betterstack.parse(DOWNTIME, {})
    # Some resources down, not all: a partial outage of the page.
    assert (page.status, page.raw_status, page.updated_at) == (
        Status.PARTIAL_OUTAGE,
        "downtime",
        at("2025-11-18 10:00"),
    )
    # Sections in their order, resources in theirs; one without a known section comes last.
    assert page.components == (
        Component("103", "Website", Status.OPERATIONAL, "operational", "Website"),
        Component("102", "Mistral 7B", Status.DEGRADED, "degraded", "Inference"),
        Component("101", "Llama 70B", Status.MAJOR_OUTAGE, "downtime", "Inference"),
        Component("104", "Orphan", Status.UNKNOWN, "paused", None),
    )
    (incident,) = page.incidents  # the October report is past the seven days
    assert (incident.id, incident.title, incident.phase, incident.impact) == (
        "901",
        "Llama 70B is down",
        Phase.INVESTIGATING,
        Impact.MAJOR,
    )
    assert (incident.started_at, incident.updated_at, incident.url) == (
        at("2025-11-18 09:30"),
        at("2025-11-18 09:55"),
        "https://status.models.example",
    )
    assert [(u.at, u.text) for u in incident.updates] == [
        (at("2025-11-18 09:55"), "A bad deploy is being rolled back."),
        (at("2025-11-18 09:31"), "We are investigating failures of Llama 70B."),
    ]
    (maintenance,) = page.maintenances
    assert (maintenance.title, maintenance.phase) == ("GPU maintenance", Phase.SCHEDULED)
    assert (maintenance.scheduled_for, maintenance.scheduled_until) == (
        at("2025-11-20 06:00"),
        at("2025-11-20 08:00"),
    )


def test_the_date_header_moves_reports_through_their_phases() -> None:
    during = betterstack.parse(DOWNTIME, {"date": "Thu, 20 Nov 2025 07:00:00 GMT"})
    assert [m.phase for m in during.maintenances] == [Phase.IN_PROGRESS]
    after = betterstack.parse(DOWNTIME, {"date": "Thu, 20 Nov 2025 09:00:00 GMT"})
    assert [(m.phase, [u.phase for u in m.updates]) for m in after.maintenances] == [
        (Phase.COMPLETED, [Phase.COMPLETED])
    ]
    older = betterstack.parse(DOWNTIME, {"date": "Wed, 01 Oct 2025 12:00:00 GMT"})
    assert [(i.id, i.phase) for i in older.incidents] == [
        ("901", Phase.INVESTIGATING),
        ("903", Phase.RESOLVED),
    ]


def test_all_resources_down_is_a_major_outage() -> None:
    doc = {
        "data": {"id": "1", "type": "status_page", "attributes": {"aggregate_state": "downtime"}},
        "included": [
            {
                "id": "r",
                "type": "status_page_resource",
                "attributes": {"public_name": "API", "status": "downtime"},
            }
        ],
    }
    assert betterstack.parse(json.dumps(doc).encode(), {}).status is Status.MAJOR_OUTAGE


@pytest.mark.parametrize(
    ("state", "status"),
    [("operational", Status.OPERATIONAL), ("degraded", Status.DEGRADED),
     ("maintenance", Status.MAINTENANCE), ("", Status.OPERATIONAL), ("weird", Status.UNKNOWN)],
)  # fmt: skip
def test_page_states(state: str, status: Status) -> None:
    doc = {"data": {"id": "1", "type": "status_page", "attributes": {"aggregate_state": state}}}
    assert betterstack.parse(json.dumps(doc).encode(), {}).status is status


def test_source_url() -> None:
    assert betterstack.source_url("https://status.together.ai/") == (
        "https://status.together.ai/index.json"
    )
    url = "https://status.together.ai/index.json"
    assert betterstack.source_url(url) == url


def test_other_documents_are_format_changes() -> None:
    with pytest.raises(FormatChanged) as caught:
        betterstack.parse(b'{"result": {"status_overall": {"status_code": 100}}}', {})
    assert str(caught.value) == (
        "the page answered in status.io's format where Better Stack was expected"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body where Better Stack JSON was expected"),
        (b'{"data": {"type": "monitor"}}', "Better Stack document has no status_page data"),
        (b"[]", "Better Stack document has no status_page data"),
    ],
)
def test_unusable_bodies_are_parse_errors(body: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        betterstack.parse(body, {})
    assert type(caught.value) is ParseError
    assert str(caught.value) == message
