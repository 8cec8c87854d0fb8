"""The Instatus adapter: two documents (summary and components) read together."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuswatch.adapters import FormatChanged, ParseError, instatus
from statuswatch.model import Component, Impact, Phase, Status

FIXTURES = Path(__file__).parent / "fixtures"
SUMMARY = (FIXTURES / "instatus" / "summary-issues.json").read_bytes()
COMPONENTS = (FIXTURES / "instatus" / "components-issues.json").read_bytes()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_both_documents_together() -> None:
    page = instatus.parse_many([(SUMMARY, {}), (COMPONENTS, {})])
    assert (page.status, page.raw_status) == (Status.PARTIAL_OUTAGE, "HASISSUES")
    assert page.components == (
        Component("clb0000000000000000000001", "Deploys", Status.PARTIAL_OUTAGE, "PARTIALOUTAGE",
                  "Platform"),
        Component("clb0000000000000000000002", "Dashboard", Status.OPERATIONAL, "OPERATIONAL"),
        Component("clb0000000000000000000003", "Edge Network", Status.UNKNOWN, "SOMETHINGNEW",
                  "Network"),
    )  # fmt: skip
    (incident,) = page.incidents
    assert (incident.id, incident.title, incident.phase, incident.impact) == (
        "cm3incident000000000000001",
        "Deploys are slow",
        Phase.IDENTIFIED,
        Impact.MAJOR,
    )
    assert (incident.started_at, incident.raw_impact, incident.url) == (
        at("2025-11-18 09:12:44"),
        "PARTIALOUTAGE",
        "https://status.railway.app/incident/cm3incident000000000000001",
    )
    (maintenance,) = page.maintenances
    assert (maintenance.title, maintenance.phase, maintenance.scheduled_for) == (
        "Database migration",
        Phase.SCHEDULED,
        at("2025-11-19 02:00"),
    )


def test_either_document_alone() -> None:
    summary = instatus.parse(SUMMARY, {})
    assert (summary.status, summary.components, len(summary.incidents)) == (
        Status.PARTIAL_OUTAGE,
        (),
        1,
    )
    listed = instatus.parse(COMPONENTS, {})
    assert (listed.status, len(listed.components), listed.incidents) == (
        Status.PARTIAL_OUTAGE,
        3,
        (),
    )


@pytest.mark.parametrize(
    ("state", "status"),
    [("UP", Status.OPERATIONAL), ("UNDERMAINTENANCE", Status.MAINTENANCE),
     ("HASISSUES", Status.DEGRADED), ("NEWSTATE", Status.UNKNOWN)],
)  # fmt: skip
def test_page_states(state: str, status: Status) -> None:
    body = json.dumps({"page": {"name": "P", "url": "https://p.test", "status": state}})
    assert instatus.parse(body.encode(), {}).status is status


def test_source_urls() -> None:
    expected = (
        "https://status.perplexity.com/summary.json",
        "https://status.perplexity.com/v2/components.json",
    )
    for url in (
        "https://status.perplexity.com",
        "https://status.perplexity.com/",
        "https://status.perplexity.com/summary.json",
        "https://status.perplexity.com/v2/components.json",
    ):
        assert instatus.source_urls(url) == expected
        assert instatus.source_url(url) == expected[0]


def test_other_documents_are_format_changes() -> None:
    statuspage = b'{"page": {"id": "x", "name": "X", "time_zone": "Etc/UTC"}, "components": []}'
    with pytest.raises(FormatChanged) as caught:
        instatus.parse_many([(SUMMARY, {}), (statuspage, {})])
    assert str(caught.value) == (
        "the page answered in Atlassian Statuspage's format where Instatus was expected"
    )
    with pytest.raises(FormatChanged, match="answered with an HTML page"):
        instatus.parse_many([(b"<html><body>moved</body></html>", {}), (COMPONENTS, {})])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body where Instatus JSON was expected"),
        (b"[]", "Instatus document has neither page.status nor components"),
        (b'{"page": {"name": "P"}}', "Instatus document has neither page.status nor components"),
    ],
)
def test_unusable_bodies_are_parse_errors(body: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        instatus.parse(body, {})
    assert type(caught.value) is ParseError
    assert str(caught.value) == message
