"""The feed adapter: Statuspage and incident.io history feeds, and feeds never seen before."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuswatch.adapters import FormatChanged, ParseError, feed
from statuswatch.adapters.feedtext import read_timeline
from statuswatch.model import Component, Impact, Page, Phase, Status

FIXTURES = Path(__file__).parent / "fixtures" / "feed"
STATUSPAGE_RSS = (FIXTURES / "statuspage-history.rss").read_bytes()
INCIDENTIO_ATOM = (FIXTURES / "incidentio.atom").read_bytes()
NEVER_SEEN = (FIXTURES / "never-seen.rss").read_bytes()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def atom(*entries: str, updated: str = "2025-11-18T12:00:00Z") -> bytes:
    """A minimal Atom feed around `entries`."""
    body = "".join(entries)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>T</title><id>tag:t</id><updated>{updated}</updated>{body}</feed>"
    ).encode()


def entry(title: str, content: str, *, updated: str, link: str = "", ident: str = "") -> str:
    escaped = content.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    link_tag = f'<link rel="alternate" href="{link}"/>' if link else ""
    return (
        f"<entry><id>{ident or title}</id><title>{title}</title><updated>{updated}</updated>"
        f'<published>{updated}</published>{link_tag}<content type="html">{escaped}</content>'
        "</entry>"
    )


def test_statuspage_history_rss() -> None:
    page = feed.parse(STATUSPAGE_RSS, {})
    assert (page.status, page.updated_at) == (Status.DEGRADED, at("2025-11-18 14:50:12"))
    open_one, resolved = page.incidents  # the October incident is past the seven days
    assert (open_one.id, open_one.title, open_one.phase, open_one.impact) == (
        "abc123def456",
        "Elevated errors on the dashboard",
        Phase.IDENTIFIED,
        Impact.MINOR,
    )
    assert open_one.url == "https://status.example.com/incidents/abc123def456"
    # Times printed in PST, without a year, come out in UTC; "Update" keeps the phase so far.
    assert [(u.at, u.phase, u.raw_status) for u in open_one.updates] == [
        (at("2025-11-18 14:42"), Phase.IDENTIFIED, "Identified"),
        (at("2025-11-18 14:05"), Phase.INVESTIGATING, "Update"),
        (at("2025-11-18 11:48"), Phase.INVESTIGATING, "Investigating"),
    ]
    assert open_one.updates[1].text == "We're still looking into it."
    assert (open_one.started_at, open_one.resolved_at) == (at("2025-11-18 11:48"), None)
    assert (resolved.phase, resolved.resolved_at) == (Phase.RESOLVED, at("2025-11-14 17:30"))
    assert [u.phase for u in resolved.updates] == [
        Phase.RESOLVED,
        Phase.MONITORING,
        Phase.INVESTIGATING,
    ]
    (maintenance,) = page.maintenances
    # "Nov 20, 23:00 - 01:00 PST": the window ends the next day.
    assert (maintenance.id, maintenance.phase) == ("mnt000000001", Phase.SCHEDULED)
    assert (maintenance.scheduled_for, maintenance.scheduled_until) == (
        at("2025-11-21 07:00"),
        at("2025-11-21 09:00"),
    )
    assert [(u.at, u.phase) for u in maintenance.updates] == [
        (at("2025-11-17 18:00"), Phase.SCHEDULED)
    ]


def test_incidentio_feed() -> None:
    page = feed.parse(INCIDENTIO_ATOM, {})
    assert page.status is Status.PARTIAL_OUTAGE  # its worst component is in partial outage
    identified, resolved = page.incidents
    assert (identified.id, identified.title, identified.phase, identified.impact) == (
        "01KA0000000000000000000001",
        "Elevated errors for ChatGPT",
        Phase.IDENTIFIED,
        Impact.MAJOR,
    )
    assert identified.components == ("Conversations", "Login")
    assert [(u.at, u.phase, u.raw_status, u.text) for u in identified.updates] == [
        (at("2025-11-18 12:10"), Phase.IDENTIFIED, "Identified",
         "We found the cause: a dependency is failing."),
    ]  # fmt: skip
    assert page.components == (
        Component("Conversations", "Conversations", Status.PARTIAL_OUTAGE, "partial_outage"),
        Component("Login", "Login", Status.DEGRADED, "degraded"),
    )
    assert (resolved.phase, resolved.resolved_at) == (Phase.RESOLVED, at("2025-11-17 10:00"))


def test_a_feed_never_seen_before() -> None:
    page = feed.parse(NEVER_SEEN, {})
    assert (page.status, page.updated_at) == (Status.DEGRADED, at("2025-11-18 11:00"))
    dns, storage = page.incidents
    # No marker at all, posted ten minutes before the feed: open, rated minor.
    assert (dns.title, dns.phase, dns.impact, dns.raw_status) == (
        "DNS resolution slow for some customers",
        Phase.UNKNOWN,
        Impact.MINOR,
        "",
    )
    assert dns.updates[0].text == "Some lookups take seconds."
    # Three items sharing a link are one incident; "[RESOLVED]" closes it; its category rates it.
    assert (storage.id, storage.title, storage.phase, storage.impact, storage.raw_impact) == (
        "https://fjord.example/status/notice/311",
        "Object storage unavailable in OSL-1",
        Phase.RESOLVED,
        Impact.MAJOR,
        "major",
    )
    assert [(u.at, u.phase) for u in storage.updates] == [
        (at("2025-11-18 10:30"), Phase.RESOLVED),
        (at("2025-11-18 09:45"), Phase.INVESTIGATING),
        (at("2025-11-18 09:02"), Phase.INVESTIGATING),
    ]
    assert storage.updates[0].text == "Storage is back. We are sorry for the trouble. Blåbær."
    # The unmarked note from two weeks before is not listed at all.


def test_unmarked_entries_count_as_open_for_a_day_only() -> None:
    page = feed.parse(NEVER_SEEN, {"date": "Wed, 19 Nov 2025 11:00:00 GMT"})
    assert [(i.title, i.phase) for i in page.incidents] == [
        ("Object storage unavailable in OSL-1", Phase.RESOLVED)
    ]
    assert page.status is Status.OPERATIONAL


def test_maintenance_in_progress_and_completed() -> None:
    body = atom(
        entry("Network upgrade", "<p><small>Nov <var>18</var>, <var>10:00</var> UTC</small><br>"
              "<strong>In progress</strong> - Started.</p><p><small>Nov <var>17</var>, "
              "<var>09:00</var> UTC</small><br><strong>Scheduled</strong> - Planned.</p>",
              updated="2025-11-18T10:00:00Z", link="https://s.test/incidents/upgrade00001"),
        entry("Old work", "<p><small>Nov <var>16</var>, <var>10:00</var> UTC</small><br>"
              "<strong>Completed</strong> - Done.</p>",
              updated="2025-11-16T10:00:00Z", link="https://s.test/incidents/old000000001"),
    )  # fmt: skip
    page = feed.parse(body, {})
    assert page.status is Status.MAINTENANCE
    assert [(m.id, m.phase, m.scheduled_for) for m in page.maintenances] == [
        ("upgrade00001", Phase.IN_PROGRESS, at("2025-11-17 09:00")),
        ("old000000001", Phase.COMPLETED, at("2025-11-16 10:00")),
    ]


def test_a_year_boundary_twelve_hour_clocks_and_an_unknown_zone() -> None:
    content = (
        "<p><small>Jan <var>2</var>, <var>1:15</var> PM XYZT</small><br>"
        "<strong>Resolved</strong> - Fixed.</p>"
        "<p><small>Dec <var>31</var>, <var>11:40</var> PM XYZT</small><br>"
        "<strong>Investigating</strong> - Looking.</p>"
    )
    # The entry's own time is its newest update: 13:15 at an unknown zone is 10:15 UTC (+3).
    timeline = read_timeline(content, at("2026-01-02 10:15"))
    assert timeline is not None
    assert [(u.at, u.label) for u in timeline.updates] == [
        (at("2026-01-02 10:15"), "Resolved"),
        (at("2025-12-31 20:40"), "Investigating"),
    ]


def test_numeric_offsets_and_stamps_without_var_tags() -> None:
    content = "<p><small>Jun  8, 09:08 +0200</small><br><strong>Identified</strong> - Found.</p>"
    timeline = read_timeline(content, at("2025-06-08 07:30"))
    assert timeline is not None
    assert [(u.at, u.label, u.text) for u in timeline.updates] == [
        (at("2025-06-08 07:08"), "Identified", "Found.")
    ]


def test_html_in_titles_and_bodies_becomes_plain_text() -> None:
    body = atom(
        entry("&lt;b&gt;Bold&lt;/b&gt; outage [Resolved]", "<script>alert(1)</script><p>Fine"
              "</p>", updated="2025-11-18T11:00:00Z"),
    )  # fmt: skip
    (incident,) = feed.parse(body, {}).incidents
    assert incident.title == "Bold outage [Resolved]"
    assert incident.updates[0].text == "Fine"


def test_an_empty_feed_is_operational() -> None:
    assert feed.parse(atom(), {}) == Page(
        status=Status.OPERATIONAL, updated_at=at("2025-11-18 12:00")
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html><html><head><title>Status</title></head></html>",
         "the page answered with an HTML page where an RSS/Atom feed was expected"),
        (b'{"page": {"id": "x", "time_zone": "Etc/UTC"}, "status": {"indicator": "none"}}',
         "the page answered in Atlassian Statuspage's format where an RSS/Atom feed was expected"),
        (b'<?xml version="1.0"?><config><a/></config>',
         "the page answered with an XML document that is not a feed where an RSS/Atom feed was "
         "expected"),
    ],
)  # fmt: skip
def test_other_documents_are_format_changes(body: bytes, message: str) -> None:
    with pytest.raises(FormatChanged) as caught:
        feed.parse(body, {})
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body where an RSS/Atom feed was expected"),
        (b"  \n", "empty body where an RSS/Atom feed was expected"),
        (b"[1, 2]", "a JSON document where an RSS/Atom feed was expected"),
        # A URL as the body is text to parse: feedparser must never go and fetch it.
        (b"https://status.example.com/history.atom", "not an RSS/Atom feed"),
    ],
)
def test_non_feeds_are_parse_errors(body: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        feed.parse(body, {})
    assert type(caught.value) is ParseError
    assert str(caught.value).startswith(message)


def test_source_url_is_the_feed() -> None:
    url = "https://www.githubstatus.com/history.atom"
    assert feed.source_url(url) == url


def test_closing_sentences_mark_feeds_without_labels() -> None:
    # One post per item, grouped by their incident link; no label anywhere but the prose.
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Edge status</title>'
        b"<link>https://edge.example/</link>"
        b"<item><title>Elevated errors</title><link>https://edge.example/incident/1</link>"
        b"<guid>/1/12</guid><pubDate>Tue, 18 Nov 2025 11:00:00 GMT</pubDate>"
        b"<description>The issue has been resolved.</description></item>"
        b"<item><title>Elevated errors</title><link>https://edge.example/incident/1</link>"
        b"<guid>/1/11</guid><pubDate>Tue, 18 Nov 2025 10:00:00 GMT</pubDate>"
        b"<description>We expect it to be resolved soon.</description></item>"
        b"<item><title>IAD maintenance</title><link>https://edge.example/incident/2</link>"
        b"<guid>/2/22</guid><pubDate>Tue, 18 Nov 2025 09:00:00 GMT</pubDate>"
        b"<description>The scheduled maintenance has been completed.</description></item>"
        b"<item><title>IAD maintenance</title><link>https://edge.example/incident/2</link>"
        b"<guid>/2/21</guid><pubDate>Mon, 17 Nov 2025 09:00:00 GMT</pubDate>"
        b"<description>We will perform maintenance.</description></item>"
        b"</channel></rss>"
    )
    page = feed.parse(body, {})
    assert page.status is Status.OPERATIONAL
    (incident,) = page.incidents
    assert (incident.id, incident.phase) == ("1", Phase.RESOLVED)
    assert [(u.phase, u.raw_status) for u in incident.updates] == [
        (Phase.RESOLVED, "resolved"),
        (Phase.INVESTIGATING, ""),
    ]
    (maintenance,) = page.maintenances
    assert (maintenance.id, maintenance.phase) == ("2", Phase.COMPLETED)
    assert [u.phase for u in maintenance.updates] == [Phase.COMPLETED, Phase.SCHEDULED]
