"""Demo scenarios: the script at any moment, and each page in its real format, read back by
the real adapters."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from statuswatch import adapters
from statuswatch.demo import scenarios
from statuswatch.demo.clock import ScenarioClock
from statuswatch.demo.formats import DOCUMENT_PATHS, incident_page, render
from statuswatch.demo.script import Scenario, utc_at
from statuswatch.demo.session import parse_at
from statuswatch.model import Impact, Page, Phase, Status
from statuswatch.text import one_line, plain_text

CLOUDFLARE_DAY = "cloudflare-2025-11-18"
AWS_DAY = "aws-us-east-1-2025-10-20"
GCP_DAY = "gcp-cloudflare-2025-06-12"


def read(scenario: Scenario, provider_id: str, when: str) -> Page:
    """The provider's page at `when`, as its adapter reads it."""
    provider = next(p for p in scenario.providers if p.id == provider_id)
    moment = utc_at(when)
    document = render(provider, moment, f"http://127.0.0.1:1/{provider_id}", scenario.start)
    headers = {"content-type": document.content_type, "date": format_datetime(moment, True)}
    return adapters.load(provider.kind).parse(document.body, headers)


def active(page: Page) -> list[str]:
    return [i.title for i in page.incidents if not i.phase.is_closed]


def test_three_scenarios_the_cloudflare_one_first() -> None:
    assert scenarios.names() == [CLOUDFLARE_DAY, AWS_DAY, GCP_DAY]
    assert scenarios.DEFAULT == CLOUDFLARE_DAY
    for scenario_id in scenarios.names():
        scenario = scenarios.load(scenario_id)
        assert scenario.id == scenario_id
        assert scenario.start < scenario.peak < scenario.end
        assert all(p.kind in adapters.KINDS for p in scenario.providers)
        # Every scenario text is already plain: nothing for the sanitiser to change.
        for provider in scenario.providers:
            for event in provider.events:
                assert one_line(event.title) == event.title
                assert all(plain_text(post.text) == post.text for post in event.posts)
                assert [p.at for p in event.posts] == sorted(p.at for p in event.posts)
    with pytest.raises(KeyError):
        scenarios.load("nope")


def test_event_state_at_moments() -> None:
    scenario = scenarios.load(CLOUDFLARE_DAY)
    event = scenario.providers[0].events[0]
    assert event.at(utc_at("2025-11-18 11:47")) is None
    state = event.at(utc_at("2025-11-18 12:30"))
    assert state is not None
    assert state.phase is Phase.INVESTIGATING
    assert state.impact is Impact.CRITICAL
    assert [p.at for p in state.posts] == [utc_at("2025-11-18 12:10"), utc_at("2025-11-18 11:48")]
    assert state.affects["cdn"] is Status.MAJOR_OUTAGE
    assert state.affects["email"] is Status.PARTIAL_OUTAGE
    assert state.started_at == utc_at("2025-11-18 11:48")
    assert state.resolved_at is None
    done = event.at(utc_at("2025-11-18 17:06"))
    assert done is not None and done.resolved
    assert done.resolved_at == utc_at("2025-11-18 17:06")
    assert set(done.affects.values()) == {Status.OPERATIONAL}


def test_clock_runs_speed_times_real_time_and_zero_stops_it() -> None:
    real = [100.0]
    start = datetime(2025, 11, 18, 11, 15, tzinfo=UTC)
    clock = ScenarioClock(start, 120, monotonic=lambda: real[0])
    assert clock.now() == start
    real[0] = 130.0
    assert clock.now() == start + timedelta(hours=1)
    frozen = ScenarioClock(start, 0, monotonic=lambda: real[0])
    real[0] = 1000.0
    assert frozen.now() == start
    with pytest.raises(ValueError):
        ScenarioClock(start, -1)


def test_parse_at() -> None:
    scenario = scenarios.load(AWS_DAY)
    assert parse_at("08:00", scenario) == datetime(2025, 10, 20, 8, 0, tzinfo=UTC)
    assert parse_at("2025-10-20T09:25Z", scenario) == datetime(2025, 10, 20, 9, 25, tzinfo=UTC)
    assert parse_at("2025-10-20 02:25-07:00", scenario) == datetime(2025, 10, 20, 9, 25, tzinfo=UTC)
    assert parse_at("2025-10-20 09:25", scenario) == datetime(2025, 10, 20, 9, 25, tzinfo=UTC)
    with pytest.raises(ValueError, match="expected HH:MM or an ISO date-time, got 'noon'"):
        parse_at("noon", scenario)
    # Within a day of the scenario: the probes are replayed a minute at a time up to the moment
    # (`--at 9999-12-31T23:59` ran for ever), and year 1 wrote `1-01-01T00:00:00Z` documents.
    assert parse_at("2025-10-21T21:30Z", scenario) == datetime(2025, 10, 21, 21, 30, tzinfo=UTC)
    for far in ("9999-12-31T23:59", "0001-01-01T00:00", "2025-10-21T21:31Z", "2025-10-19T06:44"):
        with pytest.raises(ValueError, match=f"^{far[:10]} .* is not within a day of the scenario"):
            parse_at(far, scenario)


def test_cloudflare_page_through_the_day() -> None:
    scenario = scenarios.load(CLOUDFLARE_DAY)
    calm = read(scenario, "cloudflare", "2025-11-18 11:30")
    assert (calm.status, calm.description, active(calm)) == (
        Status.OPERATIONAL,
        "All Systems Operational",
        [],
    )
    assert [(m.title, m.phase) for m in calm.maintenances] == [
        ("Scheduled maintenance in the ORD (Chicago) data centre", Phase.SCHEDULED)
    ]
    peak = read(scenario, "cloudflare", "2025-11-18 12:30")
    assert peak.status is Status.MAJOR_OUTAGE
    assert peak.updated_at == utc_at("2025-11-18 12:10")
    (incident,) = peak.incidents
    assert incident.title == "Cloudflare Global Network experiencing issues"
    assert (incident.phase, incident.impact) == (Phase.INVESTIGATING, Impact.CRITICAL)
    assert incident.started_at == utc_at("2025-11-18 11:48")
    assert [u.at for u in incident.updates] == [
        utc_at("2025-11-18 12:10"),
        utc_at("2025-11-18 11:48"),
    ]
    assert incident.url is not None and incident.url.startswith("http://127.0.0.1:1/cloudflare/")
    troubled = sorted(c.name for c in peak.components if c.status.is_problem)
    assert troubled == sorted(
        [
            "CDN/Cache",
            "Bot Management",
            "Access",
            "WARP",
            "Workers",
            "Workers KV",
            "Dashboard",
            "Turnstile",
            "Email Security",
            "Firewall",
            "Network",
        ]
    )
    assert {c.group for c in peak.components} == {"Cloudflare Sites and Services"}
    recovering = read(scenario, "cloudflare", "2025-11-18 14:50")
    assert recovering.status is Status.DEGRADED
    assert recovering.incidents[0].phase is Phase.MONITORING
    assert len(recovering.incidents[0].updates) == 6
    done = read(scenario, "cloudflare", "2025-11-18 17:10")
    assert (done.status, done.incidents) == (Status.OPERATIONAL, ())
    assert all(c.status is Status.OPERATIONAL for c in done.components)


def test_openai_speaks_incident_io() -> None:
    scenario = scenarios.load(CLOUDFLARE_DAY)
    provider = next(p for p in scenario.providers if p.id == "openai")
    moment = utc_at("2025-11-18 12:30")
    document = json.loads(render(provider, moment, "http://x/openai", scenario.start).body)
    assert "scheduled_maintenances" not in document
    incident_id = document["incidents"][0]["id"]
    assert len(incident_id) == 26 and incident_id.isalnum() and incident_id.isupper()
    assert document["page"]["url"] == "http://x/openai/"
    calm = json.loads(render(provider, utc_at("2025-11-18 11:30"), "http://x", scenario.start).body)
    assert "incidents" not in calm  # incident.io leaves the key out when there is none
    page = read(scenario, "openai", "2025-11-18 12:30")
    assert active(page) == ["Some users cannot reach ChatGPT"]
    assert page.status is Status.PARTIAL_OUTAGE


def test_aws_currentevents_is_utf16_and_reads_back() -> None:
    scenario = scenarios.load(AWS_DAY)
    aws = scenario.providers[0]
    calm = render(aws, utc_at("2025-10-20 07:00"), "http://x/aws", scenario.start)
    assert calm.body == b"\xfe\xff" + "[]".encode("utf-16-be")
    peak = render(aws, utc_at("2025-10-20 08:00"), "http://x/aws", scenario.start)
    (event,) = json.loads(peak.body[2:].decode("utf-16-be"))
    assert event["status"] == "3"
    assert event["region_name"] == "N. Virginia"
    assert event["date"] == str(int(utc_at("2025-10-20 07:11").timestamp()))
    assert [e["timestamp"] for e in event["event_log"]] == [
        int(utc_at("2025-10-20 07:11").timestamp()),
        int(utc_at("2025-10-20 07:38").timestamp()),
    ]
    assert event["impacted_services"]["dynamodb-us-east-1"] == {
        "service_name": "Amazon DynamoDB",
        "current": "3",
        "max": "3",
    }
    assert "end_time" not in event
    page = read(scenario, "aws", "2025-10-20 08:00")
    assert page.status.is_problem
    assert active(page) == ["Increased Error Rates and Latencies"]
    assert len(page.incidents[0].updates) == 2
    over = render(aws, utc_at("2025-10-20 21:30"), "http://x/aws", scenario.start)
    (event,) = json.loads(over.body[2:].decode("utf-16-be"))
    assert (event["status"], event["summary"]) == (
        "0",
        "[RESOLVED] Increased Error Rates and Latencies",
    )
    assert event["end_time"] == str(int(utc_at("2025-10-20 21:20").timestamp()))
    done = read(scenario, "aws", "2025-10-20 21:30")
    assert (done.status, active(done)) == (Status.OPERATIONAL, [])


def test_gcp_incidents_json_and_the_cascade() -> None:
    scenario = scenarios.load(GCP_DAY)
    before = read(scenario, "google-cloud", "2025-06-12 17:50")
    assert (before.status, before.incidents) == (Status.OPERATIONAL, ())
    gcp = scenario.providers[0]
    document = json.loads(render(gcp, utc_at("2025-06-12 19:00"), "http://x", scenario.start).body)
    (incident,) = document
    assert "end" not in incident
    assert (incident["severity"], incident["status_impact"]) == ("high", "SERVICE_OUTAGE")
    # Posted at 18:05, dated from when the 503s began (the page's `begin`).
    assert incident["begin"] == "2025-06-12T17:50:00+00:00"
    assert incident["created"] == "2025-06-12T18:05:00+00:00"
    assert [u["when"] for u in incident["updates"]] == [
        "2025-06-12T18:45:00+00:00",
        "2025-06-12T18:05:00+00:00",
    ]
    assert incident["service_key"] == "zall"
    peak = read(scenario, "google-cloud", "2025-06-12 18:35")
    assert peak.status.is_problem
    assert active(peak) == ["Multiple Google Cloud products are returning 503 errors"]
    cloudflare = read(scenario, "cloudflare", "2025-06-12 18:35")
    assert cloudflare.status is Status.MAJOR_OUTAGE
    assert active(cloudflare) == ["Workers KV and dependent services are failing"]
    end = utc_at("2025-06-12 21:15")
    assert read(scenario, "cloudflare", "2025-06-12 21:15").status is Status.OPERATIONAL
    # The record leaves us-central1 recovering: the replay ends with Google Cloud still open.
    assert read(scenario, "google-cloud", "2025-06-12 21:15").status is Status.DEGRADED
    assert end == scenario.end


def test_incident_pages_are_escaped_html() -> None:
    scenario = scenarios.load(CLOUDFLARE_DAY)
    provider = scenario.providers[0]
    moment = utc_at("2025-11-18 12:30")
    shortlink = read(scenario, "cloudflare", "2025-11-18 12:30").incidents[0].url
    assert shortlink is not None
    body = incident_page(provider, shortlink.rsplit("/", 1)[1], moment)
    assert body is not None
    assert b"<title>Cloudflare: Cloudflare Global Network experiencing issues</title>" in body
    assert b"Errors come and go" in body
    assert incident_page(provider, "unknown-id", moment) is None
    assert DOCUMENT_PATHS["gcp"] == "/incidents.json"
