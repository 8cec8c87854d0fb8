"""The Statuspal adapter: services, incidents under way and maintenances.

The real capture is all operational; tests/fixtures/statuspal/derived-status-major-incident.json
is derived from it (same keys, a major incident, a maintenance under way and one to come, the
incident fields being those exoscale/cli's client reads).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuswatch.adapters import FormatChanged, statuspal
from statuswatch.model import Component, Impact, Phase, Status

DERIVED = Path(__file__).parent / "fixtures" / "statuspal" / "derived-status-major-incident.json"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_major_incident_on_one_service() -> None:
    page = statuspal.parse(DERIVED.read_bytes(), {})
    assert page.components == (
        Component("60460", "Platform", Status.MAJOR_OUTAGE, "major"),
        Component("60481", "Chat", Status.MAJOR_OUTAGE, "major", "Platform"),
        Component("60482", "Agents", Status.MAINTENANCE, "scheduled", "Platform"),
        Component("60483", "Apps", Status.OPERATIONAL, "", "Platform"),
        Component("60484", "Dashboard", Status.OPERATIONAL, "", "Platform"),
    )
    # "major" on the page, one of four services down: a partial outage.
    assert (page.status, page.raw_status) == (Status.PARTIAL_OUTAGE, "major")
    (incident,) = page.incidents
    assert (incident.id, incident.title, incident.impact, incident.phase) == (
        "900",
        "Chat is down",
        Impact.MAJOR,
        Phase.INVESTIGATING,
    )
    assert (incident.started_at, incident.components, incident.url) == (
        at("2026-10-01 09:30"),  # zone-less, UTC
        ("Chat",),
        "https://status.glideapps.com/incidents/900",
    )
    assert [u.at for u in incident.updates] == [at("2026-10-01 10:00"), at("2026-10-01 09:30")]
    under_way, to_come = page.maintenances
    assert (under_way.title, under_way.phase, under_way.components) == (
        "Agents upgrade",
        Phase.IN_PROGRESS,
        ("Agents",),
    )
    assert (to_come.title, to_come.phase, to_come.scheduled_for) == (
        "Dashboard migration",
        Phase.SCHEDULED,
        at("2026-10-05 06:00"),
    )


@pytest.mark.parametrize(
    ("url", "fetched"),
    [
        ("https://glideapps-com.statuspal.io", statuspal.API.format("glideapps-com")),
        (
            "https://statuspal.eu/api/v1/status_pages/exoscale/status",
            "https://statuspal.eu/api/v1/status_pages/exoscale/status",
        ),
    ],
)
def test_the_document_to_fetch(url: str, fetched: str) -> None:
    assert statuspal.source_url(url) == fetched


def test_other_shapes_are_format_changes() -> None:
    with pytest.raises(FormatChanged, match="Statuspal"):
        statuspal.parse(b'{"status_page": {}}', {})


def test_the_summary_document_without_status_page() -> None:
    # /summary carries the services, incidents and maintenances but no status_page.
    body = (
        b'{"services": [{"id": 1, "name": "API", "current_incident_type": "minor", '
        b'"children": null}], "incidents": [], "maintenances": []}'
    )
    page = statuspal.parse(body, {})
    assert (page.status, page.raw_status) == (Status.DEGRADED, "")
    assert page.components == (Component("1", "API", Status.DEGRADED, "minor"),)
