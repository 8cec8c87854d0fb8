"""Any RSS or Atom feed -> Page: the only module that imports feedparser.

feedparser is always handed the bytes (never a URL or a path: it would fetch by itself). A feed
is a history, so the page keeps what is open now plus what closed in the last seven days:

* Statuspage's /history.atom and /history.rss and incident.io's /feed.atom and /feed.rss carry
  one entry per incident with its timeline (see `feedtext`): phases come from its labels.
* Other feeds: entries that share a link (one item per update) are grouped into one incident;
  the platform's own markers (``[RESOLVED]``, "Resolved -", "Status: Resolved", categories,
  else a closing sentence such as "has been resolved" or "has been completed") say when it is
  over. An entry without any marker is taken as open only for a day after its last
  update: a feed says something happened, not that it is still happening.

Feeds do not rate incidents; an open one counts as minor (the page shows `degraded`) unless its
categories, a "Severity:" line or incident.io's component states say otherwise.
"""

from __future__ import annotations

import io
import json
import re
import xml.sax
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser

from statuswatch.adapters import FormatChanged, ParseError
from statuswatch.adapters import feedtext as ft
from statuswatch.adapters.common import IMPACT_STATUS, RECENT, reference_time, worst
from statuswatch.adapters.sniff import HTML, identify_document, identify_markup, moved
from statuswatch.model import Component, Impact, Incident, Maintenance, Page, Phase, Status, Update
from statuswatch.records import record
from statuswatch.text import one_line, plain_text, safe_url

EXPECTED = "an RSS/Atom feed"
# An entry without any marker counts as open this long after its last update.
FRESH = timedelta(days=1)
_MAX_ENTRIES = 1000  # a history longer than this is old news; keep parsing bounded
_INCIDENT_PATH = re.compile(r"/incidents?/([A-Za-z0-9_-]{1,64})/?$")
_ONGOING_MAINTENANCE = (Phase.IN_PROGRESS, Phase.VERIFYING)
# The prolog ends at the root element; entity declarations can only live before it.
_ROOT = re.compile(rb"<\w")


@record
class Entry:
    """One feed entry; `html` is the body as sent: parse it, never display it."""

    key: str  # its id/guid, else its link, else its title
    title: str
    link: str | None
    published: datetime | None
    updated: datetime | None
    html: str
    categories: tuple[str, ...] = ()

    @property
    def at(self) -> datetime | None:
        """When the entry was last touched."""
        return self.updated or self.published


@record
class Feed:
    """A parsed feed: its own title, link, date and generator, and its entries in feed order."""

    title: str
    link: str | None
    updated: datetime | None
    generator: str
    entries: tuple[Entry, ...]


def source_url(url: str) -> str:
    """Return the feed to fetch: a feed provider's `url` is the feed's own URL.

    Args:
        url: the RSS or Atom feed, e.g. ``https://www.githubstatus.com/history.atom``.

    Returns:
        `url` unchanged.
    """
    return url


def parse(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read an RSS or Atom feed into a Page.

    Args:
        body: the response body, as received (feedparser sniffs its encoding).
        headers: the response headers; the Date header is "now" for the seven-day window
            (without it, the feed's newest date).

    Returns:
        Open incidents and maintenances plus those closed in the last seven days, newest
        first, every text sanitised and every timestamp in UTC.

    Raises:
        FormatChanged: the body is HTML, or another platform's JSON document.
        ParseError: the body is empty or not a feed.
    """
    feed = read_feed(body)
    try:
        return build_page(feed, headers)
    except Exception as exc:  # the adapter contract: nothing but ParseError leaves parse()
        detail = one_line(f"{type(exc).__name__}: {exc}", 200)
        raise ParseError(f"unreadable feed ({detail})") from exc


def read_feed(body: bytes, expected: str = EXPECTED) -> Feed:
    """Parse feed bytes with feedparser; FormatChanged for HTML or JSON, ParseError otherwise."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf\xfe\xff \t\r\n").decode("utf-8", "replace")
    if not head:
        raise ParseError(f"empty body where {expected} was expected")
    if head[0] in "{[":
        _refuse_json(body, expected)
    if head.startswith("<") and identify_markup(head) is HTML:
        raise FormatChanged(moved(HTML, expected))
    root = _ROOT.search(body)
    if b"<!ENTITY" in body[: root.start() if root else len(body)].upper():
        # feedparser does not expand nested entities, but the document is an attack or a
        # mistake either way: no status feed declares its own entities.
        raise ParseError(f"{expected} declares its own XML entities (<!ENTITY>): refused")
    try:
        # A stream, never a str: given a str that looks like a URL, feedparser fetches it.
        parsed: Any = feedparser.parse(io.BytesIO(body), resolve_relative_uris=False)
    except Exception as exc:  # feedparser is lenient, but a parser bug must not escape
        raise ParseError(f"unreadable feed ({one_line(str(exc), 200)})") from exc
    if not parsed.get("version") and not parsed.get("entries"):
        problem = one_line(str(parsed.get("bozo_exception") or "no feed element"), 200)
        if head.startswith("<"):
            raise FormatChanged(f"{moved(identify_markup(head), expected)} ({problem})")
        raise ParseError(f"not {expected}: {problem}")
    _refuse_broken(parsed.get("bozo_exception"), expected)
    info = parsed.get("feed") or {}
    entries = tuple(_entry(raw) for raw in list(parsed.get("entries") or [])[:_MAX_ENTRIES])
    return Feed(
        title=one_line(info.get("title") or ""),
        link=safe_url(info.get("link")),
        updated=_time(_plain(info, "updated_parsed") or _plain(info, "published_parsed")),
        generator=one_line(info.get("generator") or "", 100),
        entries=entries,
    )


def _refuse_broken(problem: object, expected: str) -> None:
    """ParseError for a feed that is not well-formed XML or not text in its own encoding.

    feedparser would read what it can of either; what it guesses may be wrong (half a
    truncated history, every accent garbled), so the provider reports the fault instead.
    An undefined entity (``&nbsp;`` in RSS, a common slip) is still read.
    """
    if isinstance(problem, xml.sax.SAXParseException):
        reason = problem.getMessage()
        if reason != "undefined entity":
            where = f"line {problem.getLineNumber()}, column {problem.getColumnNumber()}"
            raise ParseError(f"{expected} is not well-formed XML ({reason} at {where})")
    elif isinstance(problem, feedparser.CharacterEncodingOverride):
        detail = one_line(str(problem), 200)
        raise ParseError(f"{expected} is not text in the encoding it declares ({detail})")


def _refuse_json(body: bytes, expected: str) -> None:
    """A JSON body where a feed was expected: say whose document it is if we can tell."""
    try:
        doc: object = json.loads(body)
    except (ValueError, RecursionError):
        doc = None
    found = identify_document(doc)
    if found is not None:
        raise FormatChanged(moved(found, expected))
    raise ParseError(f"a JSON document where {expected} was expected")


def _entry(raw: Any) -> Entry:
    """One feedparser entry as an Entry (feedparser already turned dates into UTC tuples)."""
    title = one_line(raw.get("title") or "")
    link = safe_url(raw.get("link"))
    bodies = [str(part.get("value") or "") for part in raw.get("content") or []]
    bodies.append(str(raw.get("summary") or ""))
    tags = raw.get("tags") or []
    categories = tuple(
        one_line(tag.get("term") or tag.get("label") or "", 64) for tag in tags if tag
    )
    return Entry(
        key=one_line(raw.get("id") or "", 300) or link or title,
        title=title,
        link=link,
        published=_time(_plain(raw, "published_parsed")),
        updated=_time(_plain(raw, "updated_parsed")),
        # incident.io's summary carries the affected components, its content does not.
        html=max(bodies, key=len),
        categories=tuple(c for c in categories if c),
    )


def _plain(row: Any, key: str) -> Any:
    """`row[key]` without feedparser's aliases (it answers "updated" with "published")."""
    return dict.get(row, key) if isinstance(row, dict) else None


def _time(value: Any) -> datetime | None:
    """A feedparser time tuple (always UTC) as an aware datetime."""
    try:
        year, month, day, hour, minute, second = tuple(value)[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError):
        return None


@dataclass
class _Draft:
    """What the entries of one incident say, before phases and windows are worked out."""

    title: str
    url: str | None
    ident: str
    raw: list[ft.RawUpdate] = field(default_factory=list)
    components: dict[str, Status] = field(default_factory=dict)
    rating: tuple[Impact | None, str] = (None, "")
    window: tuple[datetime | None, datetime | None] | None = None
    first_at: datetime | None = None


def build_page(feed: Feed, headers: Mapping[str, str], *, keep_all: bool = False) -> Page:
    """Normalise a parsed feed (see the module docstring; `keep_all` keeps every entry)."""
    now = reference_time(headers, [feed.updated, *(entry.at for entry in feed.entries)])
    drafts: dict[str, _Draft] = {}
    home = (feed.link or "").rstrip("/")
    for entry in feed.entries:
        # Items of one incident share its link; a link to the page itself groups nothing.
        key = entry.link if entry.link and entry.link.rstrip("/") != home else entry.key
        _add_entry(drafts, key, entry)
    incidents: list[Incident] = []
    maintenances: list[Maintenance] = []
    for draft in drafts.values():
        event = _event(draft)
        if isinstance(event, Incident):
            if keep_all or _keep_incident(event, now):
                incidents.append(event)
        elif keep_all or _keep_maintenance(event, now):
            maintenances.append(event)
    incidents.sort(key=_newest, reverse=True)
    components = _components(drafts, incidents)
    return Page(
        status=page_status(incidents, maintenances),
        updated_at=feed.updated or max((e.at for e in feed.entries if e.at), default=None),
        components=components,
        incidents=tuple(incidents),
        maintenances=tuple(maintenances),
    )


def page_status(incidents: list[Incident], maintenances: list[Maintenance]) -> Status:
    """The worst of the open incidents' impacts, maintenance in progress, else operational."""
    seen = [IMPACT_STATUS[i.impact] for i in incidents if not i.phase.is_closed]
    seen += [Status.MAINTENANCE for m in maintenances if m.phase in _ONGOING_MAINTENANCE]
    return worst(seen)


def _add_entry(drafts: dict[str, _Draft], key: str, entry: Entry) -> None:
    """Read one entry's body and fold it into the draft of its incident."""
    timeline = ft.read_timeline(entry.html, entry.published or entry.updated)
    title = entry.title
    if timeline is not None:
        raw = [
            ft.RawUpdate(update.at or entry.at, update.label, plain_text(update.text))
            for update in timeline.updates
        ]
    else:
        text = ft.lines_text(entry.html)
        label, title = ft.markers(entry.title, text, entry.categories)
        raw = [ft.RawUpdate(entry.at, label, text)]
    draft = drafts.get(key)
    if draft is None:
        draft = drafts[key] = _Draft(title=title, url=entry.link, ident=_ident(entry, key))
    elif entry.at is not None and all(u.at is None or u.at <= entry.at for u in draft.raw):
        draft.title = title  # feeds are newest first, but trust the dates over the order
    draft.raw.extend(raw)
    if timeline is not None:
        for name, status in timeline.components:
            draft.components[name] = status
        draft.window = timeline.window or draft.window
    impact, rating = ft.severity(ft.lines_text(entry.html), entry.categories)
    if impact is not None:
        draft.rating = (impact, rating)
    if entry.published is not None and (draft.first_at is None or entry.published < draft.first_at):
        draft.first_at = entry.published


def _ident(entry: Entry, key: str) -> str:
    """The incident's id: the one in its link (Statuspage's API id), else what groups its items."""
    match = _INCIDENT_PATH.search(entry.link or "")
    return match.group(1) if match else one_line(key, 200)


def _event(draft: _Draft) -> Incident | Maintenance:
    """The incident or maintenance a draft describes, with the phase of every update."""
    # Oldest first, an update seen in two entries once. Feeds list updates newest first, so
    # of two stamped the same minute ("Monitoring" then "Resolved" at 04:09) the one listed
    # first is the later: ties keep the feed's order, reversed.
    unique = list(dict.fromkeys((u.at, u.label, u.text) for u in draft.raw if u.at is not None))
    dated = [
        row
        for _key, row in sorted(((row[0], -position), row) for position, row in enumerate(unique))
    ]
    labels = [ft.label_phase(label) for _at, label, _text in dated]
    planned = draft.window is not None or any(p in ft.PLANNED for p in labels if p is not None)
    # One marked update makes the others part of a known timeline: they take the phase so far.
    marked = any(label for _at, label, _text in dated)
    updates: list[Update] = []
    current: Phase | None = None
    for (at, label, text), named in zip(dated, labels, strict=True):
        if named is not None:
            current = named
        elif marked:  # "Update", or an unmarked item of a marked incident
            current = current or (Phase.SCHEDULED if planned else Phase.INVESTIGATING)
        phase = current or Phase.UNKNOWN
        updates.append(Update(at=at, phase=phase, text=text, raw_status=one_line(label, 64)))
    updates.reverse()  # newest first
    phase = updates[0].phase if updates else Phase.UNKNOWN
    raw_status = updates[0].raw_status if updates else ""
    names = tuple(draft.components)
    if planned:
        start, end = draft.window or (None, None)
        return Maintenance(
            id=draft.ident,
            title=draft.title,
            phase=phase,
            scheduled_for=start or (updates[-1].at if updates else None),
            scheduled_until=end,
            url=draft.url,
            components=names,
            updates=tuple(updates),
            raw_status=raw_status,
        )
    impact, raw_impact = draft.rating
    if impact is None:
        impact = ft.impact_of_components(tuple(draft.components.items())) or Impact.MINOR
    return Incident(
        id=draft.ident,
        title=draft.title,
        impact=impact,
        phase=phase,
        started_at=updates[-1].at if updates else draft.first_at,
        updated_at=updates[0].at if updates else None,
        resolved_at=updates[0].at if updates and phase.is_closed else None,
        url=draft.url,
        components=names,
        updates=tuple(updates),
        raw_status=raw_status,
        raw_impact=raw_impact,
    )


def _newest(incident: Incident) -> datetime:
    return incident.updated_at or incident.started_at or datetime.min.replace(tzinfo=UTC)


def _keep_incident(incident: Incident, now: datetime | None) -> bool:
    """Open incidents, those closed in the last week, and unmarked ones from the last day."""
    last = incident.updated_at
    if incident.phase is Phase.UNKNOWN:
        return now is not None and last is not None and last >= now - FRESH
    if not incident.phase.is_closed:
        return True
    return now is None or (last is not None and last >= now - RECENT)


def _keep_maintenance(maintenance: Maintenance, now: datetime | None) -> bool:
    """Upcoming and ongoing maintenances, and those completed in the last week."""
    if maintenance.phase is Phase.UNKNOWN:
        return False
    if not maintenance.phase.is_closed:
        return True
    last = maintenance.updates[0].at if maintenance.updates else maintenance.scheduled_until
    return now is None or (last is not None and last >= now - RECENT)


def _components(drafts: dict[str, _Draft], incidents: list[Incident]) -> tuple[Component, ...]:
    """Components named with their state by open incidents (incident.io feeds list them)."""
    open_ids = {i.id for i in incidents if not i.phase.is_closed}
    found: dict[str, Status] = {}
    for draft in drafts.values():
        if draft.ident not in open_ids:
            continue
        for name, status in draft.components.items():
            found[name] = worst([found.get(name, Status.OPERATIONAL), status], status)
    return tuple(
        Component(id=name, name=name, status=status, raw_status=status.value)
        for name, status in found.items()
    )


# --- history (backfill) -----------------------------------------------------------------------


def history_url(url: str) -> str:
    """Return the feed itself: a feed is the page's history.

    Args:
        url: the RSS or Atom feed.

    Returns:
        `url` unchanged.
    """
    return url


def parse_history(body: bytes, headers: Mapping[str, str]) -> Page:
    """Read every entry of an RSS or Atom feed, however old.

    Args:
        body: the response body, as received.
        headers: the response headers.

    Returns:
        Every incident and maintenance the feed holds (at most its first 1,000 entries).

    Raises:
        FormatChanged: the body is HTML, or another platform's JSON document.
        ParseError: the body is empty or not a feed.
    """
    feed = read_feed(body)
    try:
        return build_page(feed, headers, keep_all=True)
    except Exception as exc:  # the adapter contract: nothing but ParseError leaves here
        detail = one_line(f"{type(exc).__name__}: {exc}", 200)
        raise ParseError(f"unreadable feed ({detail})") from exc
