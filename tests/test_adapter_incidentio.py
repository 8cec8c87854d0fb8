"""The incident.io adapter on hand-written Statuspage-compatible summaries."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuswatch import adapters
from statuswatch.adapters import FormatChanged, ParseError, incidentio
from statuswatch.model import Component, Impact, Page, Phase, Status, Update

FIXTURES = Path(__file__).parent / "fixtures" / "incidentio"
STATUSPAGE_HTML = Path(__file__).parent / "fixtures" / "statuspage" / "moved-to-html.html"
INCIDENT_ID = "01M3QEXAMPLEINCIDENT000001"


def fixture(name: str) -> Page:
    """Parse one of our hand-written incident.io fixtures."""
    return incidentio.parse((FIXTURES / name).read_bytes(), {})


def at(text: str) -> datetime:
    """A UTC instant written as "YYYY-MM-DD HH:MM:SS"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://status.openai.com/", "https://status.openai.com/api/v2/summary.json"),
        ("https://status.openai.com", "https://status.openai.com/api/v2/summary.json"),
        ("http://127.0.0.1:8123/oai", "http://127.0.0.1:8123/oai/api/v2/summary.json"),
        (
            "https://status.openai.com/api/v2/status.json",
            "https://status.openai.com/api/v2/status.json",
        ),
    ],
)
def test_source_url(url: str, expected: str) -> None:
    assert incidentio.source_url(url) == expected


def test_registry_loads_this_module() -> None:
    assert adapters.load("incidentio") is incidentio


def test_components_keep_page_order_and_full_outage_is_major() -> None:
    page = fixture("summary-active.json")
    assert page.components == (
        Component("01JAAAAAAAAAAAAAAAAAAACHAT", "Chat", Status.DEGRADED, "degraded_performance"),
        Component("01JAAAAAAAAAAAAAAAAAAAAAPI", "API", Status.MAJOR_OUTAGE, "full_outage"),
        Component("01JAAAAAAAAAAAAAAAAAALOGIN", "Login", Status.OPERATIONAL, "operational"),
        Component("01JAAAAAAAAAAAAAAAAAAVOICE", "Voice", Status.PARTIAL_OUTAGE, "partial_outage"),
    )


def test_page_fields() -> None:
    page = fixture("summary-active.json")
    assert (page.status, page.raw_status, page.description) == (
        Status.PARTIAL_OUTAGE,
        "major",
        "Partial System Outage",
    )
    assert page.updated_at == at("2026-09-29 18:29:41")
    assert page.maintenances == ()  # the key is absent on incident.io pages


def test_incident_without_shortlink_started_at_or_components() -> None:
    (incident,) = fixture("summary-active.json").incidents
    assert (incident.id, incident.title, incident.phase, incident.impact) == (
        INCIDENT_ID,
        "Elevated errors on the API",
        Phase.IDENTIFIED,
        Impact.MAJOR,
    )
    assert incident.started_at == at("2026-09-29 17:52:52")  # created_at stands in
    assert incident.updated_at == at("2026-09-29 18:24:17")
    assert incident.resolved_at is None
    # The page URL ends in "/": no "//" in the incident's link.
    assert incident.url == f"https://status.example-ai.test/incidents/{INCIDENT_ID}"
    assert incident.components == ()


def test_updates_newest_first_with_markdown_kept_as_text_and_links_as_text_url() -> None:
    (incident,) = fixture("summary-active.json").incidents
    assert incident.updates == (
        Update(
            at("2026-09-29 18:24:17"),
            Phase.IDENTIFIED,
            "We identified a bad deploy and are rolling it back.",
            "identified",
        ),
        Update(
            at("2026-09-29 17:52:52"),
            Phase.INVESTIGATING,
            "We’re seeing **elevated errors** on the API.\n\n- Chat is slow\n- Voice drops calls"
            "\n\nStatus of p95 latency < 2s is not met. "
            "See our docs (https://docs.example-ai.test/errors).",
            "investigating",
        ),
    )


def test_operational_summary_without_incidents_key() -> None:
    page = fixture("summary-operational.json")
    assert (page.status, page.raw_status, page.description) == (
        Status.OPERATIONAL,
        "none",
        "All Systems Operational",
    )
    assert (page.incidents, page.maintenances) == ((), ())
    assert [c.name for c in page.components] == ["API", "Chat"]


def test_hostile_markdown_is_sanitised_but_markup_stays_literal() -> None:
    doc = {
        "page": {"url": "https://status.example-ai.test/"},
        "incidents": [
            {
                "id": "01EVIL",
                "name": "\u001b[1m[bold]Down[/bold]\u001b[0m \u202eoops",
                "status": "investigating",
                "impact": "minor",
                "created_at": "2026-09-29T17:00:00Z",
                "incident_updates": [
                    {
                        "status": "investigating",
                        "body": "**Heads up** \u001b]8;;https://evil.test\u0007[link]\u001b]8;;\u0007"
                        " \u009b2Jgone\u0000",
                        "display_at": "2026-09-29T17:00:00Z",
                    }
                ],
            }
        ],
    }
    (incident,) = incidentio.parse(json.dumps(doc).encode(), {}).incidents
    assert incident.title == "[bold]Down[/bold] oops"
    assert incident.updates[0].text == "**Heads up** [link] gone"
    assert incident.url == "https://status.example-ai.test/incidents/01EVIL"


def test_html_answer_names_incident_io() -> None:
    with pytest.raises(FormatChanged) as caught:
        incidentio.parse(STATUSPAGE_HTML.read_bytes(), {})
    assert str(caught.value) == (
        "the server answered with HTML where incident.io JSON was expected: the page changed format"
    )


def test_native_page_data_is_a_format_change() -> None:
    with pytest.raises(FormatChanged) as caught:
        fixture("native-proxy-data.json")
    assert str(caught.value) == (
        "the server answered with incident.io's native page data (not its Statuspage-compatible "
        "API) where incident.io JSON was expected: the page changed format"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body where incident.io JSON was expected"),
        (b"{", "invalid JSON in incident.io document: Expecting property name enclosed"),
        (b"[]", "incident.io document is a JSON array, not an object"),
        (b'{"ok": true}', "incident.io document has none of the keys page, status, components"),
    ],
)
def test_parse_errors_name_incident_io(body: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        incidentio.parse(body, {})
    assert type(caught.value) is ParseError
    assert str(caught.value).startswith(message)
