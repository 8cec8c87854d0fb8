"""The Slack status API adapter: string or integer ids, notes as updates, types as impact."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuswatch.adapters import FormatChanged, ParseError, slack
from statuswatch.model import Component, Impact, Page, Phase, Status

FIXTURES = Path(__file__).parent / "fixtures"
OUTAGE = (FIXTURES / "slack" / "current-outage.json").read_bytes()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_an_outage_a_notice_and_a_scheduled_item() -> None:
    page = slack.parse(OUTAGE, {})
    assert (page.status, page.raw_status, page.updated_at) == (
        Status.PARTIAL_OUTAGE,
        "active",
        at("2025-02-26 17:20"),
    )
    outage, notice = page.incidents
    assert (outage.id, outage.title, outage.impact, outage.phase, outage.raw_impact) == (
        "2712",
        "Some users can’t send messages",
        Impact.MAJOR,
        Phase.INVESTIGATING,
        "outage",
    )
    assert (outage.started_at, outage.updated_at) == (
        at("2025-02-26 15:55:03"),
        at("2025-02-26 17:20"),
    )
    # Escaped slashes decode; CRLF becomes a newline; HTML becomes text.
    assert outage.url == "https://slack-status.com/2025-02/1b757d1e07b1e4a1"
    assert [(u.at, u.phase, u.text) for u in outage.updates] == [
        (at("2025-02-26 17:20"), Phase.INVESTIGATING,
         "We’re still working on a fix.\nThanks for your patience."),
        (at("2025-02-26 15:55:03"), Phase.INVESTIGATING,
         "Users may have trouble sending messages."),
    ]  # fmt: skip
    assert outage.components == ("Messaging", "Connectivity")
    # An integer id; a notice rates nothing and marks no service.
    assert (notice.id, notice.impact, notice.updates) == ("9001", Impact.NONE, ())
    assert page.components == (
        Component("Messaging", "Messaging", Status.PARTIAL_OUTAGE),
        Component("Connectivity", "Connectivity", Status.PARTIAL_OUTAGE),
    )
    (maintenance,) = page.maintenances
    assert (maintenance.id, maintenance.phase, maintenance.scheduled_for) == (
        "9002",
        Phase.SCHEDULED,
        at("2025-02-27 10:00"),
    )
    assert [u.phase for u in maintenance.updates] == [Phase.SCHEDULED]


def test_ok_is_operational() -> None:
    body = b'{"status":"ok","active_incidents":[],"date_created":"2018-09-07T18:34:15-07:00",'
    body += b'"date_updated":"2018-09-07T18:34:15-07:00"}'
    assert slack.parse(body, {}) == Page(
        status=Status.OPERATIONAL, raw_status="ok", updated_at=at("2018-09-08 01:34:15")
    )


def test_only_notices_open_is_operational() -> None:
    doc = json.loads(OUTAGE)
    doc["active_incidents"] = doc["active_incidents"][1:2]
    assert slack.parse(json.dumps(doc).encode(), {}).status is Status.OPERATIONAL


def test_resolved_item_and_unknown_values() -> None:
    doc = {"status": "busy", "active_incidents": [
        {"id": 7, "title": "Fixed", "type": "incident", "status": "resolved",
         "date_updated": "2025-02-26T10:00:00-08:00",
         "notes": [{"date_created": "2025-02-26T09:00:00-08:00", "body": "Looking"},
                   {"date_created": "2025-02-26T10:00:00-08:00", "body": "Fixed"}]},
        {"id": True, "title": "Odd", "type": "meltdown", "status": "weird", "services": "all"},
    ]}  # fmt: skip
    page = slack.parse(json.dumps(doc).encode(), {})
    fixed, odd = page.incidents
    assert (fixed.phase, fixed.resolved_at) == (Phase.RESOLVED, at("2025-02-26 18:00"))
    assert [u.phase for u in fixed.updates] == [Phase.RESOLVED, Phase.INVESTIGATING]
    assert (odd.id, odd.impact, odd.phase, odd.components) == (
        "Odd",
        Impact.MINOR,
        Phase.UNKNOWN,
        (),
    )
    assert page.status is Status.DEGRADED  # an unknown page status: the incidents decide


def test_source_url() -> None:
    assert slack.source_url("https://slack-status.com") == (
        "https://slack-status.com/api/v2.0.0/current"
    )
    url = "https://slack-status.com/api/v2.0.0/current"
    assert slack.source_url(url) == url


def test_other_documents_are_format_changes() -> None:
    with pytest.raises(FormatChanged) as caught:
        slack.parse(b'{"page": {"name": "X", "url": "https://x.test", "status": "UP"}}', {})
    assert str(caught.value) == "the page answered in Instatus's format where Slack was expected"
    with pytest.raises(FormatChanged, match="answered with an HTML page where Slack JSON"):
        slack.parse(b"<html><body>Slack System Status</body></html>", {})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body where Slack JSON was expected"),
        (b"[]", "Slack document has no status and no active_incidents"),
        (b'{"status": "maybe"}', "Slack document has no status and no active_incidents"),
    ],
)
def test_unusable_bodies_are_parse_errors(body: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        slack.parse(body, {})
    assert type(caught.value) is ParseError
    assert str(caught.value) == message
