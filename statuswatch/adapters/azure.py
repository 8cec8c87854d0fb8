"""Azure's status RSS feed -> Page.

The feed (``https://azure.status.microsoft/en-us/status/feed/``, .NET SyndicationFeed output
with a lenient ``lastBuildDate`` such as ``Thu, 06 Aug 2026 01:09:00 Z``) is normally EMPTY:
Microsoft lists only broad, ongoing incidents, one item each ("Virtual Machines - East US 2"),
and removes it when the incident is over. So an empty feed means operational and an item means
a partial outage of Azure, unless the item itself says it is resolved or mitigated.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from statuswatch.adapters import FormatChanged, ParseError
from statuswatch.adapters import feedtext as ft
from statuswatch.adapters.common import RECENT, markup_head, reference_time, worst
from statuswatch.adapters.feed import Entry, read_feed
from statuswatch.adapters.sniff import (
    AWS_RSS,
    INCIDENTIO_FEED,
    STATUSPAGE_FEED,
    identify_markup,
    moved,
)
from statuswatch.model import Component, Impact, Incident, Page, Phase, Status, Update
from statuswatch.text import one_line

PLATFORM = "the Azure status feed"
FEED_PATH = "/en-us/status/feed/"


def source_url(url: str) -> str:
    """Return the Azure status feed for `url`.

    Args:
        url: the feed itself (``https://rssfeed.azure.status.microsoft/en-us/status/feed/``,
            returned unchanged) or the status site (``https://azure.status.microsoft``).

    Returns:
        The feed URL.
    """
    if "/feed" in url.lower() or url.lower().rstrip("/").endswith((".xml", ".rss")):
        return url
    return url.strip().rstrip("/") + FEED_PATH


def parse(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read the Azure status feed into a Page.

    Args:
        body: the response body (RSS 2.0).
        headers: the response headers; the Date header is "now" for keeping resolved items.

    Returns:
        Operational with no incident for an empty feed; otherwise one incident per item,
        every text sanitised and every timestamp in UTC.

    Raises:
        FormatChanged: the body is HTML or another platform's JSON document.
        ParseError: the body is empty or not a feed.
    """
    head = markup_head(body)
    found = identify_markup(head) if head is not None else None
    if found in (AWS_RSS, STATUSPAGE_FEED, INCIDENTIO_FEED):
        # Another platform's feed: reading its history as Azure's would invent outages.
        raise FormatChanged(moved(found, PLATFORM))
    feed = read_feed(body, PLATFORM)
    try:
        now = reference_time(headers, [feed.updated, *(e.at for e in feed.entries)])
        incidents = [_incident(entry) for entry in feed.entries]
        kept = [
            i
            for i in incidents
            if not i.phase.is_closed
            or now is None
            or (i.updated_at is not None and i.updated_at >= now - RECENT)
        ]
        kept.sort(key=lambda i: i.updated_at or datetime.min.replace(tzinfo=UTC), reverse=True)
        open_incidents = [i for i in kept if not i.phase.is_closed]
        return Page(
            status=worst(Status.PARTIAL_OUTAGE for _ in open_incidents),
            updated_at=feed.updated,
            components=_components(open_incidents),
            incidents=tuple(kept),
        )
    except Exception as exc:  # the adapter contract: nothing but ParseError leaves parse()
        detail = one_line(f"{type(exc).__name__}: {exc}", 200)
        raise ParseError(f"unreadable Azure status feed ({detail})") from exc


def _incident(entry: Entry) -> Incident:
    """One feed item: an ongoing broad incident unless it says otherwise."""
    text = ft.lines_text(entry.html)
    label, title = ft.markers(entry.title, text, entry.categories)
    phase = ft.label_phase(label) if label else None
    if phase is None:
        phase = Phase.INVESTIGATING
    at = entry.at
    updates = (Update(at=at, phase=phase, text=text, raw_status=label),) if at else ()
    return Incident(
        id=entry.key,
        title=title,
        impact=Impact.MAJOR,
        phase=phase,
        started_at=entry.published or at,
        updated_at=at,
        resolved_at=at if phase.is_closed else None,
        url=entry.link,
        components=(title,) if title else (),
        updates=updates,
        raw_status=label,
    )


def _components(incidents: list[Incident]) -> tuple[Component, ...]:
    """One component per open item: "Service - Region" titles name both."""
    out: dict[str, Component] = {}
    for incident in incidents:
        for name in incident.components:
            _service, sep, region = name.rpartition(" - ")
            out.setdefault(
                name,
                Component(
                    id=name,
                    name=name,
                    status=Status.PARTIAL_OUTAGE,
                    group=region.strip() if sep else None,
                ),
            )
    return tuple(out.values())
