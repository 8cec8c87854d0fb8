"""The Google Cloud adapter: open incidents plus the last week's, rated by Google's own fields."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuswatch.adapters import FormatChanged, ParseError, gcp
from statuswatch.model import Component, Impact, Page, Phase, Status

FIXTURES = Path(__file__).parent / "fixtures"
MIXED = (FIXTURES / "gcp" / "incidents-mixed.json").read_bytes()
# The fixed clock of these tests: the Date header of the response.
NOW = {"date": "Thu, 12 Jun 2025 19:30:00 GMT"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_open_and_recent_incidents_to_the_model() -> None:
    page = gcp.parse(MIXED, NOW)
    # A product's outage is part of Google Cloud, not all of it.
    assert page.status is Status.PARTIAL_OUTAGE
    assert page.updated_at == at("2025-06-12 19:10")
    assert [i.id for i in page.incidents] == [
        "openOutage0000000001",
        "openUnknownImpact002",
        "recentResolved000003",
    ]  # the incident that ended on 1 May is past the seven days
    outage, unknown, resolved = page.incidents
    assert (outage.title, outage.phase, outage.impact, outage.raw_status, outage.raw_impact) == (
        "Multiple Google Cloud products are failing with 503 errors",
        Phase.INVESTIGATING,
        Impact.CRITICAL,
        "SERVICE_OUTAGE",
        "high",
    )
    assert (outage.started_at, outage.updated_at, outage.resolved_at) == (
        at("2025-06-12 17:51"),
        at("2025-06-12 19:10"),
        None,
    )
    assert outage.url == "https://status.cloud.google.com/incidents/openOutage0000000001"
    # Products (by their current title when Google renamed one), then locations.
    assert outage.components == (
        "Identity and Access Management",
        "Google Cloud Storage",
        "Iowa (us-central1)",
        "Global",
    )
    assert [(u.at, u.phase, u.raw_status) for u in outage.updates] == [
        (at("2025-06-12 19:10"), Phase.INVESTIGATING, "SERVICE_OUTAGE"),
        (at("2025-06-12 18:05"), Phase.INVESTIGATING, "SERVICE_OUTAGE"),
    ]
    assert outage.updates[0].text == (
        "Mitigation is **in progress** for most regions.\nus-central1 is still affected."
    )
    # An unknown status_impact falls back on the severity; `"end": null` is open.
    assert (unknown.impact, unknown.raw_status, unknown.phase, unknown.updates) == (
        Impact.MAJOR,
        "SERVICE_SOMETHING_NEW",
        Phase.INVESTIGATING,
        (),
    )
    assert (resolved.phase, resolved.impact, resolved.resolved_at) == (
        Phase.RESOLVED,
        Impact.MINOR,
        at("2025-06-08 12:00"),
    )
    assert resolved.components == ("Google BigQuery", "Belgium (europe-west1)")
    assert [(u.phase, u.raw_status) for u in resolved.updates] == [
        (Phase.RESOLVED, "AVAILABLE"),
        (Phase.INVESTIGATING, "SERVICE_INFORMATION"),
    ]


def test_components_are_what_open_incidents_touch() -> None:
    page = gcp.parse(MIXED, NOW)
    assert page.components == (
        Component("adnGEDEt9zWzs8uF1oKA", "Identity and Access Management",
                  Status.MAJOR_OUTAGE, "", "Products"),
        Component("UwaYoXQ5bHYHG6EdiPB8", "Google Cloud Storage", Status.MAJOR_OUTAGE, "",
                  "Products"),
        Component("us-central1", "Iowa (us-central1)", Status.MAJOR_OUTAGE, "", "Locations"),
        Component("global", "Global", Status.MAJOR_OUTAGE, "", "Locations"),
        Component("cloud-build", "Cloud Build", Status.PARTIAL_OUTAGE, "", "Products"),
    )  # fmt: skip


def test_the_window_is_seven_days_before_the_date_header() -> None:
    later = gcp.parse(MIXED, {"date": "Mon, 16 Jun 2025 12:00:01 GMT"})
    assert [i.id for i in later.incidents] == ["openOutage0000000001", "openUnknownImpact002"]
    earlier = gcp.parse(MIXED, {"date": "Sat, 03 May 2025 00:00:00 GMT"})
    assert len(earlier.incidents) == 4  # the May incident ended two days "ago" then


def test_without_a_date_header_the_newest_modification_is_now() -> None:
    page = gcp.parse(MIXED, {})
    assert [i.id for i in page.incidents] == [
        "openOutage0000000001",
        "openUnknownImpact002",
        "recentResolved000003",
    ]


def test_only_closed_incidents_is_operational() -> None:
    doc = json.loads(MIXED)[2:]
    page = gcp.parse(json.dumps(doc).encode(), NOW)
    assert (page.status, page.components, [i.phase for i in page.incidents]) == (
        Status.OPERATIONAL,
        (),
        [Phase.RESOLVED],
    )


def test_empty_document_is_operational() -> None:
    assert gcp.parse(b"[]", NOW) == Page(status=Status.OPERATIONAL)


def test_missing_and_wrong_keys_are_tolerated() -> None:
    body = json.dumps(
        [{"id": "x1", "service_name": "Cloud Run", "severity": "extreme", "updates": "none",
          "affected_products": "nope", "begin": "yesterday"}]
    ).encode()  # fmt: skip
    (incident,) = gcp.parse(body, NOW).incidents
    assert (incident.title, incident.impact, incident.phase, incident.started_at) == (
        "Cloud Run",
        Impact.MINOR,
        Phase.INVESTIGATING,
        None,
    )
    assert (incident.components, incident.updates, incident.url) == (("Cloud Run",), (), None)


def test_a_closed_incident_ends_on_a_resolved_update() -> None:
    doc = [
        {"id": "x2", "end": "2025-06-12T10:00:00+00:00", "external_desc": "Done",
         "updates": [{"when": "2025-06-12T10:00:00+00:00", "status": "SERVICE_DISRUPTION",
                      "text": "Fixed."}]}
    ]  # fmt: skip
    (incident,) = gcp.parse(json.dumps(doc).encode(), NOW).incidents
    assert [u.phase for u in incident.updates] == [Phase.RESOLVED]


def test_source_url() -> None:
    assert gcp.source_url("https://status.cloud.google.com/") == (
        "https://status.cloud.google.com/incidents.json"
    )
    url = "https://status.cloud.google.com/incidents.json"
    assert gcp.source_url(url) == url


def test_another_platforms_document_is_a_format_change() -> None:
    with pytest.raises(FormatChanged) as caught:
        gcp.parse(b'[{"arn": "arn:aws:health:us-east-1::event/X", "event_log": []}]', NOW)
    assert str(caught.value) == (
        "the page answered in the AWS Health Dashboard's format where Google Cloud was expected"
    )
    with pytest.raises(FormatChanged, match="answered with an HTML page"):
        gcp.parse(b"<html><body>Google Cloud Service Health</body></html>", NOW)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body where Google Cloud JSON was expected"),
        (b'{"products": []}', "Google Cloud incidents.json is not a JSON array of incidents"),
        (b'["a", 1]', "Google Cloud incidents.json holds no incident objects"),
        (b"[{]", "invalid JSON in Google Cloud document"),
    ],
)
def test_unreadable_bodies_are_parse_errors(body: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        gcp.parse(body, NOW)
    assert type(caught.value) is ParseError
    assert str(caught.value).startswith(message)
