"""The AWS Health Dashboard adapter: current events in any Unicode encoding, and RSS."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuswatch.adapters import FormatChanged, ParseError, aws
from statuswatch.model import Component, Impact, Page, Phase, Status

FIXTURES = Path(__file__).parent / "fixtures"
EVENTS = (FIXTURES / "aws" / "currentevents-active.json").read_bytes()
RSS_2017 = (FIXTURES / "aws" / "service-rss-2017.rss").read_bytes()
DYNAMO_ARN = (
    "arn:aws:health:us-east-1::event/DYNAMODB/AWS_DYNAMODB_OPERATIONAL_ISSUE/"
    "AWS_DYNAMODB_OPERATIONAL_ISSUE_EXAMPLE1"
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def encodings(text: str) -> dict[str, bytes]:
    """The same JSON text in every encoding the endpoint has been seen (or said) to use."""
    return {
        "utf-8": text.encode("utf-8"),
        "utf-8 with BOM": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "utf-16 BE with BOM": b"\xfe\xff" + text.encode("utf-16-be"),
        "utf-16 LE with BOM": b"\xff\xfe" + text.encode("utf-16-le"),
        "utf-16 LE without BOM": text.encode("utf-16-le"),
        "utf-16 BE without BOM": text.encode("utf-16-be"),
    }


@pytest.mark.parametrize("encoding", list(encodings("[]")))
def test_every_encoding_reads_the_same(encoding: str) -> None:
    body = encodings(EVENTS.decode("utf-8"))[encoding]
    assert aws.parse(body, {}) == aws.parse(EVENTS, {})


def test_current_events_to_the_model() -> None:
    page = aws.parse(b"\xfe\xff" + EVENTS.decode().encode("utf-16-be"), {})
    region = "N. Virginia (us-east-1)"
    assert page.status is Status.PARTIAL_OUTAGE  # one region's disruption is not all of AWS
    assert page.updated_at == at("2025-10-19 07:38")
    assert page.components == (
        Component("dynamodb-us-east-1", "Amazon DynamoDB (us-east-1)", Status.MAJOR_OUTAGE,
                  "3", region),
        Component("ec2-us-east-1", "Amazon Elastic Compute Cloud (us-east-1)",
                  Status.PARTIAL_OUTAGE, "2", region),
        Component("lambda-us-east-1", "AWS Lambda (us-east-1)", Status.DEGRADED, "1", region),
    )  # fmt: skip
    dynamo, s3 = page.incidents
    assert (dynamo.id, dynamo.title, dynamo.phase, dynamo.impact) == (
        DYNAMO_ARN,
        "Increased Error Rates",
        Phase.INVESTIGATING,
        Impact.CRITICAL,
    )
    assert (dynamo.started_at, dynamo.updated_at, dynamo.resolved_at) == (
        at("2025-10-19 07:00"),
        at("2025-10-19 07:38"),
        None,
    )
    assert (dynamo.raw_status, dynamo.raw_impact) == ("3", "3")
    assert dynamo.url == "https://health.aws.amazon.com/health/status"
    assert [(u.at, u.phase, u.raw_status) for u in dynamo.updates] == [
        (at("2025-10-19 07:38"), Phase.INVESTIGATING, "3"),
        (at("2025-10-19 07:00"), Phase.INVESTIGATING, "1"),
    ]
    # The log's HTML becomes plain text, its line breaks kept.
    assert dynamo.updates[0].text == (
        "We have identified the trigger: DNS resolution of the regional endpoint.\n"
        "We are working on mitigations."
    )
    # `end_time` closes an event; its "[RESOLVED]" prefix goes, its worst rating stays.
    assert (s3.title, s3.phase, s3.impact, s3.raw_impact) == (
        "Elevated Latencies",
        Phase.RESOLVED,
        Impact.MAJOR,
        "2",
    )
    assert (s3.started_at, s3.resolved_at) == (at("2025-10-18 07:00"), at("2025-10-18 08:00"))
    assert s3.components == ("Amazon Simple Storage Service (eu-west-1)",)
    assert [u.phase for u in s3.updates] == [Phase.RESOLVED, Phase.INVESTIGATING]


@pytest.mark.parametrize("body", [b"[]", b"\xfe\xff\x00[\x00]", b"\xff\xfe[\x00]\x00", b" [ ]\n"])
def test_no_events_is_operational(body: bytes) -> None:
    assert aws.parse(body, {}) == Page(status=Status.OPERATIONAL)


def test_missing_keys_and_unknown_codes_are_kept_apart() -> None:
    body = json.dumps([
        {"service": "newsvc-ap-south-1", "status": "7", "summary": "Something new",
         "date": "not a number", "event_log": [{"message": 42}, {"timestamp": "1760857200"}]},
    ]).encode()  # fmt: skip
    page = aws.parse(body, {})
    (incident,) = page.incidents
    # An open event we cannot rate is still something: minor, never an outage.
    assert (incident.phase, incident.impact, incident.raw_status) == (
        Phase.INVESTIGATING,
        Impact.MINOR,
        "7",
    )
    assert incident.id == "newsvc-ap-south-1_not a number"
    assert incident.started_at is None
    assert [(u.at, u.text) for u in incident.updates] == [(at("2025-10-19 07:00"), "")]
    assert page.components == (Component("newsvc-ap-south-1", "newsvc-ap-south-1",
                                         Status.UNKNOWN, "7", None),)  # fmt: skip
    assert page.status is Status.DEGRADED


def test_an_event_back_to_normal_but_not_closed_is_monitoring() -> None:
    body = json.dumps(
        [
            {
                "arn": "arn:aws:health:global::event/X/Y/Z",
                "status": "0",
                "summary": "Recovering",
                "impacted_services": {"iam": {"service_name": "IAM", "current": "0", "max": "1"}},
            }
        ]
    ).encode()
    (incident,) = aws.parse(body, {}).incidents
    assert (incident.phase, incident.impact) == (Phase.MONITORING, Impact.MINOR)


def test_rss_items_are_grouped_into_incidents_by_guid_prefix() -> None:
    page = aws.parse(RSS_2017, {})
    assert page.updated_at == at("2017-03-09 07:10")  # "Wed,  8 Mar 2017 23:10:00 PST"
    assert page.status is Status.DEGRADED  # an open informational message
    new, old = page.incidents
    assert (new.id, new.title, new.phase, new.impact) == (
        "s3-us-standard_1489041600",
        "Increased error rates for new uploads",
        Phase.INVESTIGATING,
        Impact.MINOR,
    )
    assert new.started_at == at("2017-03-09 06:40")
    # The disruption and its resolution: one incident, split from the later one.
    assert (old.id, old.title, old.phase, old.impact) == (
        "s3-us-standard_1488909120",
        "Elevated error rates",
        Phase.RESOLVED,
        Impact.CRITICAL,
    )
    assert [(u.at, u.phase, u.raw_status) for u in old.updates] == [
        (at("2017-03-07 19:35"), Phase.RESOLVED, "Service is operating normally"),
        (at("2017-03-07 17:52"), Phase.INVESTIGATING, "Service disruption"),
    ]
    assert (old.resolved_at, old.components) == (at("2017-03-07 19:35"), ("s3-us-standard",))
    # The EC2 event resolved in February is more than seven days older than the feed.
    assert [i.id for i in page.incidents] == [new.id, old.id]


def test_rss_window_follows_the_date_header() -> None:
    page = aws.parse(RSS_2017, {"date": "Mon, 20 Mar 2017 00:00:00 GMT"})
    assert [i.id for i in page.incidents] == ["s3-us-standard_1489041600"]  # only the open one


def test_source_url() -> None:
    assert aws.source_url("https://health.aws.amazon.com") == (
        "https://health.aws.amazon.com/public/currentevents"
    )
    for url in (
        "https://health.aws.amazon.com/public/currentevents",
        "https://status.aws.amazon.com/rss/all.rss",
        "https://status.aws.amazon.com/rss/ec2-us-east-1.rss",
    ):
        assert aws.source_url(url) == url


def test_html_is_a_format_change() -> None:
    with pytest.raises(FormatChanged) as caught:
        aws.parse(b"<!DOCTYPE html><html><body>AWS Health Dashboard</body></html>", {})
    assert str(caught.value) == (
        "the page answered with an HTML page where AWS Health Dashboard JSON was expected"
    )


def test_another_platforms_document_is_a_format_change() -> None:
    body = json.dumps({"page": {"id": "x", "time_zone": "Etc/UTC"}, "status": {}}).encode()
    with pytest.raises(FormatChanged) as caught:
        aws.parse(body, {})
    assert str(caught.value) == (
        "the page answered in Atlassian Statuspage's format where AWS Health Dashboard was expected"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body where AWS Health Dashboard JSON was expected"),
        (b"[1, 2", "invalid JSON in AWS Health Dashboard document"),
        (b'{"hello": 1}', "AWS Health Dashboard current events is not a JSON array of events"),
        (b"[1, 2]", "AWS Health Dashboard current events holds no event objects"),
        (b"\xfe\xff\x00[\xd8", "AWS Health Dashboard document is not UTF-16 text"),
        (b'["\xff"]', "AWS Health Dashboard document is not UTF-8 text"),
    ],
)
def test_unreadable_bodies_are_parse_errors(body: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        aws.parse(body, {})
    assert type(caught.value) is ParseError
    assert str(caught.value).startswith(message)
