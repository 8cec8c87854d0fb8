"""The parts of a scenario: scripted providers, their incidents and posts, read at any moment."""

from __future__ import annotations

from datetime import UTC, datetime

from statuswatch.model import Impact, Phase, Status
from statuswatch.records import record

__all__ = [
    "Event",
    "EventState",
    "Part",
    "Planned",
    "Post",
    "Probe",
    "Provider",
    "Scenario",
    "hit",
    "utc_at",
]


def utc_at(text: str) -> datetime:
    """Return `YYYY-MM-DD HH:MM[:SS]` read as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def hit(status: Status, *part_ids: str) -> tuple[tuple[str, Status], ...]:
    """Return `(part id, status)` pairs: the same status for every part named."""
    return tuple((part_id, status) for part_id in part_ids)


@record
class Part:
    """One component of a scripted page (a product, a service in a region)."""

    id: str
    name: str
    group: str | None = None


@record
class Post:
    """One update on a scripted incident, and what the page shows from then on."""

    at: datetime
    phase: Phase
    text: str
    # Part id -> status from this post on; parts not named keep theirs. None changes nothing.
    affects: tuple[tuple[str, Status], ...] | None = None
    impact: Impact | None = None  # None keeps the incident's impact


@record
class EventState:
    """A scripted incident as its page shows it at one moment."""

    event: Event
    posts: tuple[Post, ...]  # published so far, newest first
    phase: Phase
    impact: Impact
    affects: dict[str, Status]  # every part it ever touched -> its status now

    @property
    def resolved(self) -> bool:
        """True once the resolving post is out."""
        return self.phase.is_closed

    @property
    def started_at(self) -> datetime:
        """When the first post went out."""
        return self.posts[-1].at

    @property
    def updated_at(self) -> datetime:
        """When the latest post went out."""
        return self.posts[0].at

    @property
    def resolved_at(self) -> datetime | None:
        """When the resolving post went out, if it has."""
        return self.posts[0].at if self.resolved else None

    def worst(self) -> Status:
        """The worst status among the parts it touches now."""
        return max(self.affects.values(), key=lambda s: s.severity, default=Status.OPERATIONAL)


@record
class Event:
    """A scripted incident: a title and its posts, oldest first."""

    id: str
    title: str
    impact: Impact
    posts: tuple[Post, ...]
    # When the trouble began, where the page says so apart from its first post (Google
    # Cloud's `begin`, Statuspage's `started_at`); None: at the first post.
    began: datetime | None = None

    def at(self, moment: datetime) -> EventState | None:
        """Return the incident as it stands at `moment`, or None before its first post."""
        published = [post for post in self.posts if post.at <= moment]
        if not published:
            return None
        impact = self.impact
        affects: dict[str, Status] = {}
        for post in published:
            impact = post.impact or impact
            if post.affects is not None:
                affects.update(post.affects)
        phase = published[-1].phase
        if phase.is_closed:
            affects = dict.fromkeys(affects, Status.OPERATIONAL)
        return EventState(self, tuple(reversed(published)), phase, impact, affects)


@record
class Planned:
    """A scripted maintenance window."""

    id: str
    title: str
    text: str
    starts: datetime
    ends: datetime
    parts: tuple[str, ...] = ()

    def phase(self, moment: datetime) -> Phase:
        """Scheduled before the window, in progress during it, completed after."""
        if moment < self.starts:
            return Phase.SCHEDULED
        return Phase.IN_PROGRESS if moment < self.ends else Phase.COMPLETED


@record
class Probe:
    """A scripted probe: a stand-in for one endpoint of the provider's own service, failing
    during `fails` (start, end) windows, at their real times."""

    id: str
    name: str
    fails: tuple[tuple[datetime, datetime], ...] = ()
    # How it fails: "503" answers HTTP 503; "drop" closes the connection without an answer
    # (what a name that no longer resolves or an unreachable endpoint looks like to a client).
    failure: str = "503"

    def failing_at(self, moment: datetime) -> bool:
        """True when `moment` is inside one of the failure windows."""
        return any(start <= moment < end for start, end in self.fails)


@record
class Provider:
    """One provider of a scenario: its page's platform, components, incidents and maintenance."""

    id: str
    name: str
    kind: str  # the adapter kind the demo server speaks for it
    category: str
    parts: tuple[Part, ...]
    events: tuple[Event, ...] = ()
    planned: tuple[Planned, ...] = ()
    probes: tuple[Probe, ...] = ()  # its service's own endpoints (statuswatch.probes)

    def events_at(self, moment: datetime) -> list[EventState]:
        """Every incident published by `moment`, oldest first."""
        states = (event.at(moment) for event in self.events)
        return [state for state in states if state is not None]

    def parts_at(self, moment: datetime) -> dict[str, Status]:
        """Each part's status at `moment`: the worst any open incident gives it."""
        status = dict.fromkeys((part.id for part in self.parts), Status.OPERATIONAL)
        for window in self.planned:
            if window.phase(moment) is Phase.IN_PROGRESS:
                status.update(dict.fromkeys(window.parts, Status.MAINTENANCE))
        for state in self.events_at(moment):
            for part_id, level in state.affects.items():
                if level.severity > status.get(part_id, Status.OPERATIONAL).severity:
                    status[part_id] = level
        return status

    def status_at(self, moment: datetime) -> Status:
        """The page's overall status at `moment`: its worst part."""
        return max(
            self.parts_at(moment).values(), key=lambda s: s.severity, default=Status.OPERATIONAL
        )

    def changed_at(self, moment: datetime, since: datetime) -> datetime:
        """The last moment up to `moment` when the page changed (`since` if it never did)."""
        times = [post.at for event in self.events for post in event.posts if post.at <= moment]
        for window in self.planned:
            times.extend(t for t in (window.starts, window.ends) if t <= moment)
        return max(times, default=since)


@record
class Scenario:
    """A replayable outage: providers and their posts between `start` and `end`."""

    id: str
    title: str
    summary: str  # a paragraph in our own words, shown by `demo list`
    start: datetime  # the replay begins here, before the first post
    end: datetime  # the replay has shown everything by here
    peak: datetime  # the moment a one-shot `demo --json` shows by default
    speed: float  # default scenario seconds per real second
    providers: tuple[Provider, ...]
