"""The Azure status feed adapter: empty means operational, an item is a broad ongoing incident."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuswatch.adapters import FormatChanged, ParseError, azure
from statuswatch.model import Component, Impact, Page, Phase, Status

FIXTURES = Path(__file__).parent / "fixtures"
ITEMS = (FIXTURES / "azure" / "feed-with-items.xml").read_bytes()
EMPTY = b"""<?xml version="1.0" encoding="utf-8"?>
<rss xmlns:a10="http://www.w3.org/2005/Atom" version="2.0"><channel><title>Azure Status</title>
<link>https://azure.status.microsoft/en-us/status/</link><description>Azure Status</description>
<lastBuildDate>Thu, 06 Aug 2026 01:09:00 Z</lastBuildDate></channel></rss>"""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_an_empty_feed_is_operational_and_its_lenient_date_is_read() -> None:
    assert azure.parse(EMPTY, {}) == Page(
        status=Status.OPERATIONAL, updated_at=at("2026-08-06 01:09")
    )


def test_items_are_incidents() -> None:
    page = azure.parse(ITEMS, {})
    assert page.status is Status.PARTIAL_OUTAGE
    assert page.updated_at == at("2025-10-29 17:20")
    front_door, vms = page.incidents
    assert (front_door.id, front_door.title, front_door.phase, front_door.impact) == (
        "afd-global-20251029",
        "Azure Front Door - Multiple regions",
        Phase.INVESTIGATING,
        Impact.MAJOR,
    )
    assert (front_door.started_at, front_door.resolved_at) == (at("2025-10-29 17:05"), None)
    assert [(u.at, u.phase, u.text) for u in front_door.updates] == [
        (
            at("2025-10-29 17:05"),
            Phase.INVESTIGATING,
            "Summary of impact: Starting at 16:00 UTC on 29 Oct 2025, customers may experience "
            "latencies and timeouts.\n\nWe are investigating.",
        )
    ]
    # "RESOLVED:" in the title closes the item and leaves the title.
    assert (vms.title, vms.phase, vms.resolved_at) == (
        "Virtual Machines - East US 2",
        Phase.RESOLVED,
        at("2025-10-29 09:45"),
    )
    assert page.components == (
        Component("Azure Front Door - Multiple regions", "Azure Front Door - Multiple regions",
                  Status.PARTIAL_OUTAGE, "", "Multiple regions"),
    )  # fmt: skip


def test_resolved_items_leave_after_seven_days() -> None:
    page = azure.parse(ITEMS, {"date": "Fri, 07 Nov 2025 00:00:00 GMT"})
    assert [i.title for i in page.incidents] == ["Azure Front Door - Multiple regions"]


def test_source_url() -> None:
    feed = "https://rssfeed.azure.status.microsoft/en-us/status/feed/"
    assert azure.source_url(feed) == feed
    assert azure.source_url("https://azure.status.microsoft") == (
        "https://azure.status.microsoft/en-us/status/feed/"
    )


def test_html_and_json_are_format_changes() -> None:
    with pytest.raises(FormatChanged) as caught:
        azure.parse(b"<!doctype html><html><head><title>Azure status</title></head></html>", {})
    assert str(caught.value) == (
        "the page answered with an HTML page where the Azure status feed was expected"
    )
    with pytest.raises(FormatChanged, match="answered in Slack's status API format"):
        azure.parse(b'{"status": "ok", "active_incidents": []}', {})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body where the Azure status feed was expected"),
        (b"just text", "not the Azure status feed"),
        (b'{"x": 1}', "a JSON document where the Azure status feed was expected"),
    ],
)
def test_not_a_feed_is_a_parse_error(body: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        azure.parse(body, {})
    assert type(caught.value) is ParseError
    assert str(caught.value).startswith(message)
