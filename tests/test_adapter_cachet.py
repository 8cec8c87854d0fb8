"""The Cachet adapter: components and incidents of /api/v1.

The one real capture is an all-operational components list; the unhappy components are in a
fixture derived from it (tests/fixtures/cachet/derived-components-issues.json). No real
incidents body is public: tests/fixtures/cachet/documented-incidents.json is made from Cachet
2.x's documented shape, and says so.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuswatch.adapters import FormatChanged, cachet
from statuswatch.model import Component, Impact, Phase, Status

FIXTURES = Path(__file__).parent / "fixtures" / "cachet"
COMPONENTS = (FIXTURES / "derived-components-issues.json").read_bytes()
INCIDENTS = (FIXTURES / "documented-incidents.json").read_bytes()
DATE = {"date": "Tue, 13 Oct 2020 10:00:00 GMT"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_component_states_and_the_page() -> None:
    page = cachet.parse(COMPONENTS, {})
    assert page.components == (
        Component("1", "Yoti Website", Status.OPERATIONAL, "Operational"),
        Component("2", "Yoti Age Scan", Status.DEGRADED, "Performance Issues"),
        Component("3", "Yoti App", Status.MAJOR_OUTAGE, "Major Outage"),
        Component("9", "Yoti Doc Scan", Status.PARTIAL_OUTAGE, "Partial Outage"),
        Component("5", "Yoti Sign", Status.UNKNOWN, "Unknown"),  # status 0
    )  # Yoti Hub is disabled: not on the page
    assert page.status is Status.PARTIAL_OUTAGE  # one component down, not all


def test_incidents_rated_by_their_component_and_kept_for_a_week() -> None:
    page = cachet.parse_many([(COMPONENTS, {}), (INCIDENTS, DATE)])
    assert [(i.id, i.title, i.phase, i.impact, i.components) for i in page.incidents] == [
        ("41", "Yoti App login failures", Phase.IDENTIFIED, Impact.CRITICAL, ("Yoti App",)),
        ("40", "Slow age scans", Phase.INVESTIGATING, Impact.MINOR, ("Yoti Age Scan",)),
        ("39", "Website hiccup", Phase.RESOLVED, Impact.MINOR, ("Yoti Website",)),
    ]  # "Old incident" was fixed six weeks before the Date header
    app = page.incidents[0]
    assert app.started_at == at("2020-10-13 09:25")
    assert [(u.at, u.phase, u.text) for u in app.updates] == [
        (at("2020-10-13 09:40"), Phase.IDENTIFIED, "Identified: a bad deploy."),
        (at("2020-10-13 09:25"), Phase.IDENTIFIED, "We have **identified** the cause."),
    ]
    assert page.incidents[2].resolved_at == at("2020-10-12 07:30")
    (maintenance,) = page.maintenances
    assert (maintenance.id, maintenance.phase, maintenance.scheduled_for) == (
        "42",
        Phase.SCHEDULED,
        at("2020-10-20 22:00"),
    )


def test_documents_of_a_page() -> None:
    assert cachet.source_urls("https://status.example/api/v1/components") == (
        "https://status.example/api/v1/components?per_page=100",
        "https://status.example/api/v1/incidents?sort=id&order=desc&per_page=50",
    )


def test_other_shapes_are_format_changes() -> None:
    with pytest.raises(FormatChanged, match="Cachet"):
        cachet.parse(b'{"data": {"id": 1}}', {})
    with pytest.raises(FormatChanged, match="Cachet"):
        cachet.parse(b"[]", {})
