"""Reads the incident timelines that status platforms write inside feed entries (pure text work).

* Statuspage's /history.atom and /history.rss: one entry per incident whose HTML lists every
  update, newest first: ``<p><small>Oct <var>21</var>, <var>17:39</var> UTC</small><br>
  <strong>Resolved</strong> - text</p>`` (no year; the time is in the page's zone).
* incident.io's /feed.atom and /feed.rss: one entry per incident whose HTML starts with
  ``<b>Status: Investigating</b>`` and may end with an "Affected components" list.
* Anything else: the platform's own markers (``[RESOLVED]`` in a title, "Resolved -",
  "Status: Resolved", categories) or nothing at all.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from statuswatch.model import Impact, Phase, Status
from statuswatch.records import record
from statuswatch.text import one_line, plain_text

# Update labels (lower case) and what they say about the phase; None: "an update", no change.
LABELS: dict[str, Phase | None] = {
    "investigating": Phase.INVESTIGATING,
    "identified": Phase.IDENTIFIED,
    "monitoring": Phase.MONITORING,
    "resolved": Phase.RESOLVED,
    "postmortem": Phase.POSTMORTEM,
    "post-mortem": Phase.POSTMORTEM,
    "scheduled": Phase.SCHEDULED,
    "in progress": Phase.IN_PROGRESS,
    "in_progress": Phase.IN_PROGRESS,
    "verifying": Phase.VERIFYING,
    "completed": Phase.COMPLETED,
    "cancelled": Phase.COMPLETED,
    "canceled": Phase.COMPLETED,
    "operational": Phase.RESOLVED,
    "mitigated": Phase.MONITORING,  # the harm has stopped; the provider has not closed it yet
    "update": None,
    # incident.io pages write the state in the page's language (seen: Portuguese).
    "investigando": Phase.INVESTIGATING,
    "identificado": Phase.IDENTIFIED,
    "monitorando": Phase.MONITORING,
    "resolvido": Phase.RESOLVED,
    "concluído": Phase.COMPLETED,
    "concluido": Phase.COMPLETED,
}
PLANNED = frozenset({Phase.SCHEDULED, Phase.IN_PROGRESS, Phase.VERIFYING, Phase.COMPLETED})

# incident.io's component states, as its feeds spell them.
COMPONENT_STATES: dict[str, Status] = {
    "operational": Status.OPERATIONAL,
    "degraded performance": Status.DEGRADED,
    "partial outage": Status.PARTIAL_OUTAGE,
    "full outage": Status.MAJOR_OUTAGE,
    "major outage": Status.MAJOR_OUTAGE,
    "under maintenance": Status.MAINTENANCE,
}
SEVERITIES: dict[str, Impact] = {
    "none": Impact.NONE,
    "minor": Impact.MINOR,
    "degraded": Impact.MINOR,
    "degraded performance": Impact.MINOR,
    "major": Impact.MAJOR,
    "partial outage": Impact.MAJOR,
    "outage": Impact.MAJOR,
    "critical": Impact.CRITICAL,
    "major outage": Impact.CRITICAL,
    "full outage": Impact.CRITICAL,
    "maintenance": Impact.MAINTENANCE,
}
_STATUS_IMPACT = {
    Status.DEGRADED: Impact.MINOR,
    Status.PARTIAL_OUTAGE: Impact.MAJOR,
    Status.MAJOR_OUTAGE: Impact.CRITICAL,
}

# US and common zone names as status pages print them (Statuspage prints the page's zone).
ZONES: dict[str, float] = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2,
    "EET": 2, "EEST": 3, "MSK": 3, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7,
    "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "IST": 5.5,
    "SGT": 8, "HKT": 8, "AWST": 8, "JST": 9, "KST": 9, "ACST": 9.5, "ACDT": 10.5,
    "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13, "BRT": -3, "ART": -3, "SAST": 2,
}  # fmt: skip
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip

_BLOCK = re.compile(r"<p\b[^>]*>(.*?)</p\s*>", re.IGNORECASE | re.DOTALL)
# Block-level tags that plain_text would run together ("components</b><ul><li>Search").
_BLOCK_TAGS = re.compile(r"(?=<(?:li|ul|ol|p|div|h[1-6]|tr|/ul|/ol)\b)", re.IGNORECASE)
_STAMP = re.compile(
    r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?P<day>\d{1,2}),?\s+"
    r"(?:(?P<year>\d{4}),?\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*(?P<ampm>[ap]\.?m\.?)?"
    r"\s*(?P<zone>[a-z]{1,5}|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)
_STAMP_LINE = re.compile(rf"^\s*{_STAMP.pattern}\s*$", re.IGNORECASE)
_LABEL_LINE = re.compile(r"^\s*(?P<label>[^\W\d][\w ]{0,30}?)\s+[-–—]\s+(?P<text>.*)$", re.DOTALL)
_SCHEDULED = re.compile(r"this is a scheduled event\s+(?P<window>.+)", re.IGNORECASE)
_STATUS_LINE = re.compile(r"^\s*status\s*:\s*(?P<label>[^\n]{1,40})\s*$", re.IGNORECASE)
_TITLE_TAG = re.compile(r"^\s*\[(?P<label>[a-z][a-z _-]{2,20})\]\s*", re.IGNORECASE)
_TITLE_PREFIX = re.compile(
    r"^\s*(?P<label>resolved|completed|mitigated|postmortem)\s*[:\-–—]\s*", re.IGNORECASE
)
_COMPONENT = re.compile(r"^\s*[-*•]?\s*(?P<name>.+?)\s*\((?P<state>[^()]+)\)\s*$")
# Plain sentences that close an update ("The issue has been resolved.", "... has been
# completed."): the last marker a feed without labels has. Future tenses do not match.
_PROSE = re.compile(
    r"\b(?:has|have) been (?P<a>resolved|fixed|mitigated|completed)\b"
    r"|\bis (?:now )?(?P<b>resolved|fixed|mitigated|completed)\b",
    re.IGNORECASE,
)
_PROSE_LABEL = {"fixed": "resolved"}


@record
class Stamp:
    """A date as a status page prints it: no year (usually) and a zone name (maybe)."""

    month: int
    day: int
    hour: int
    minute: int
    year: int | None = None
    zone: str = ""


@record
class RawUpdate:
    """One update read out of an entry: when, its label as printed, and its text."""

    at: datetime | None
    label: str
    text: str


@record
class Timeline:
    """What one entry's body says: its updates (newest first), components, planned window."""

    updates: tuple[RawUpdate, ...]
    components: tuple[tuple[str, Status], ...] = ()
    window: tuple[datetime | None, datetime | None] | None = None  # a maintenance's schedule


def label_phase(label: str) -> Phase | None:
    """The phase a printed label names; None for "Update" and for words we do not know."""
    return LABELS.get(" ".join(label.lower().replace("_", " ").split()))


def is_label(label: str) -> bool:
    """True if `label` is a word platforms use to mark an update's state."""
    return " ".join(label.lower().replace("_", " ").split()) in LABELS


def lines_text(html: str) -> str:
    """An HTML body as plain text, keeping list items and paragraphs on their own lines."""
    return plain_text(_BLOCK_TAGS.sub("\n", html)) if "<" in html else plain_text(html)


def read_timeline(html: str, reference: datetime | None) -> Timeline | None:
    """Read a Statuspage or incident.io entry body; None if it is neither."""
    return _statuspage_timeline(html, reference) or _incidentio_state(html)


def _statuspage_timeline(html: str, reference: datetime | None) -> Timeline | None:
    """Statuspage's list of dated, labelled updates (in <p> blocks), newest first."""
    blocks = _BLOCK.findall(html) or [html]
    updates: list[RawUpdate] = []
    stamps: list[Stamp] = []
    window: tuple[datetime | None, datetime | None] | None = None
    for block in blocks:
        text = plain_text(block)
        scheduled = _SCHEDULED.search(text)
        if scheduled:
            window = _window(scheduled.group("window"), reference)
            continue
        head, _, rest = text.partition("\n")
        stamp = _STAMP_LINE.match(head)
        labelled = _LABEL_LINE.match(rest)
        if stamp is None or labelled is None or not is_label(labelled.group("label")):
            continue
        stamps.append(_stamp(stamp))
        updates.append(RawUpdate(None, labelled.group("label").strip(), labelled.group("text")))
    if not updates:
        return None
    offset = _zone_offset(stamps, reference)
    dated = [
        RawUpdate(_stamp_time(stamp, offset, reference), update.label, update.text)
        for stamp, update in zip(stamps, updates, strict=True)
    ]
    return Timeline(tuple(dated), window=window)


def _incidentio_state(html: str) -> Timeline | None:
    """incident.io's "Status: X", its message, then the affected components with their state."""
    text = lines_text(html)
    first, _, rest = text.partition("\n")
    status = _STATUS_LINE.match(first)
    if status is None or not is_label(status.group("label")):
        return None
    parts = re.split(r"(?im)^affected components\s*$", rest, maxsplit=1)
    body, listed = parts[0], (parts[1] if len(parts) > 1 else "")
    components: list[tuple[str, Status]] = []
    for line in listed.split("\n"):
        match = _COMPONENT.match(line)
        if match:
            state = COMPONENT_STATES.get(match.group("state").strip().lower(), Status.UNKNOWN)
            components.append((one_line(match.group("name")), state))
    update = RawUpdate(None, status.group("label").strip(), body.strip())
    return Timeline((update,), components=tuple(components))


def markers(title: str, text: str, categories: tuple[str, ...]) -> tuple[str, str]:
    """(label, title without it) from a generic entry's own markers; label "" when none."""
    tag = _TITLE_TAG.match(title)
    if tag and is_label(tag.group("label")):
        return tag.group("label"), title[tag.end() :].strip()
    prefix = _TITLE_PREFIX.match(title)
    if prefix:
        return prefix.group("label"), title[prefix.end() :].strip()
    for line in text.split("\n")[:20]:
        status = _STATUS_LINE.match(line)
        if status and is_label(status.group("label")):
            return status.group("label").strip(), title
    labelled = _LABEL_LINE.match(text.split("\n", 1)[0])
    if labelled and label_phase(labelled.group("label")) is not None:
        return labelled.group("label").strip(), title
    for category in categories:
        if label_phase(category) is not None:
            return category, title
    prose = _PROSE.search(text[:2000])
    if prose:
        word = (prose.group("a") or prose.group("b")).lower()
        return _PROSE_LABEL.get(word, word), title
    return "", title


def severity(text: str, categories: tuple[str, ...]) -> tuple[Impact | None, str]:
    """An entry's own rating, from its categories or a "Severity:" line; (None, "") if none."""
    for category in categories:
        impact = SEVERITIES.get(" ".join(category.lower().split()))
        if impact is not None:
            return impact, one_line(category, 64)
    match = re.search(r"(?im)^\s*(?:severity|impact)\s*:\s*([a-z ]{3,30}?)\s*$", text)
    if match:
        impact = SEVERITIES.get(" ".join(match.group(1).lower().split()))
        if impact is not None:
            return impact, one_line(match.group(1), 64)
    return None, ""


def impact_of_components(components: tuple[tuple[str, Status], ...]) -> Impact | None:
    """The impact the worst affected component shows (incident.io feeds rate nothing else)."""
    found = [_STATUS_IMPACT[status] for _name, status in components if status in _STATUS_IMPACT]
    return max(found, key=lambda impact: impact.severity) if found else None


def _stamp(match: re.Match[str]) -> Stamp:
    """A printed stamp, 12-hour clocks converted."""
    hour = int(match.group("hour"))
    ampm = (match.group("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    return Stamp(
        month=_MONTHS[match.group("mon").lower()[:3]],
        day=int(match.group("day")),
        hour=hour,
        minute=int(match.group("minute")),
        year=int(match.group("year")) if match.group("year") else None,
        zone=match.group("zone") or "",
    )


def _zone_offset(stamps: list[Stamp], reference: datetime | None) -> timedelta:
    """The offset of the printed zone; an unknown name is inferred from the entry's own time."""
    for stamp in stamps:
        offset = _known_offset(stamp.zone)
        if offset is not None:
            return offset
    if reference is not None and stamps:
        # The entry's time is its newest update's, in UTC: the difference is the page's offset.
        newest = stamps[0]
        try:
            local = datetime(
                newest.year or reference.year,
                newest.month,
                newest.day,
                newest.hour,
                newest.minute,
                tzinfo=UTC,
            )
        except ValueError:
            return timedelta(0)
        quarter = round((local - reference).total_seconds() / 900) * 900
        if abs(quarter) <= 14 * 3600:
            return timedelta(seconds=quarter)
    return timedelta(0)


def _known_offset(zone: str) -> timedelta | None:
    """The offset of a zone name or a numeric offset, None if unknown."""
    if not zone:
        return None
    if zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        sign = -1 if zone[0] == "-" else 1
        return sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))
    hours = ZONES.get(zone.upper())
    return None if hours is None else timedelta(hours=hours)


def _stamp_time(
    stamp: Stamp, offset: timedelta, reference: datetime | None, *, future: bool = False
) -> datetime | None:
    """A printed stamp as UTC; the missing year is the one that puts it nearest the reference."""
    base = stamp.year or (reference.year if reference is not None else None)
    if base is None:
        return None
    try:
        when = datetime(
            base, stamp.month, stamp.day, stamp.hour, stamp.minute, tzinfo=timezone(offset)
        )
        if stamp.year is None and reference is not None:
            # Updates are never after the entry (2 days of slack for zones); schedules may be.
            if not future and when > reference + timedelta(days=2):
                when = when.replace(year=base - 1)
            elif future and when < reference - timedelta(days=180):
                when = when.replace(year=base + 1)
    except ValueError:  # 29 February in the wrong year, an hour past 23
        return None
    return when.astimezone(UTC)


def _window(
    text: str, reference: datetime | None
) -> tuple[datetime | None, datetime | None] | None:
    """A maintenance window "Sep 14, 06:00 - 10:00 UTC" or "Sep 14, 22:00 - Sep 15, 02:00 UTC"."""
    window = text.strip()
    start_match = _STAMP.match(window)
    if start_match is None:
        return None
    start = _stamp(start_match)
    end: Stamp | None = None
    tail = re.sub(r"^\s*[-–—]\s*", "", window[start_match.end() :], count=1)
    full = _STAMP.match(tail)
    short = re.match(r"(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*(?P<zone>[a-z]{1,5})?", tail, re.I)
    if full is not None:
        end = _stamp(full)
    elif short is not None:
        end = Stamp(
            start.month,
            start.day,
            int(short.group("hour")),
            int(short.group("minute")),
            start.year,
            short.group("zone") or "",
        )
    zone = start.zone or (end.zone if end is not None else "")
    offset = _known_offset(zone) or timedelta(0)
    begins = _stamp_time(start, offset, reference, future=True)
    ends = _stamp_time(end, offset, reference, future=True) if end is not None else None
    if begins is not None and ends is not None and ends < begins:
        ends += timedelta(days=1)  # "23:00 - 01:00": the end is on the next day
    return begins, ends
