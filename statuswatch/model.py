"""The normalised incident model every adapter produces and every front end reads (stdlib only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


class Status(StrEnum):
    """Health of a provider or a component, declared in order of severity."""

    OPERATIONAL = "operational"
    MAINTENANCE = "maintenance"
    DEGRADED = "degraded"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"
    UNKNOWN = "unknown"  # we could not tell: a failed fetch or an unrecognised value

    @property
    def severity(self) -> int:
        """Rank of this status: 0 for operational, higher is worse."""
        return _STATUS_ORDER.index(self)

    @property
    def urgency(self) -> int:
        """Rank for listing worst first: outages above unknown, which is never an outage."""
        return _URGENCY[self]

    @property
    def is_problem(self) -> bool:
        """True for anything but operational."""
        return self is not Status.OPERATIONAL

    @property
    def label(self) -> str:
        """How the table and the live view name it: words, and a major outage in capitals."""
        return _LABELS[self]


_STATUS_ORDER: tuple[Status, ...] = tuple(Status)
_LABELS = {
    Status.OPERATIONAL: "operational",
    Status.MAINTENANCE: "maintenance",
    Status.DEGRADED: "degraded",
    Status.PARTIAL_OUTAGE: "partial outage",
    Status.MAJOR_OUTAGE: "MAJOR OUTAGE",
    Status.UNKNOWN: "unknown",
}
_URGENCY = {
    Status.OPERATIONAL: 0,
    Status.MAINTENANCE: 1,
    Status.UNKNOWN: 2,
    Status.DEGRADED: 3,
    Status.PARTIAL_OUTAGE: 4,
    Status.MAJOR_OUTAGE: 5,
}


class Impact(StrEnum):
    """How bad an incident is, as the provider rates it."""

    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"
    MAINTENANCE = "maintenance"

    @property
    def severity(self) -> int:
        """Rank for sorting incidents worst first; maintenance ranks below minor."""
        return _IMPACT_RANK[self]


_IMPACT_RANK = {
    Impact.NONE: 0,
    Impact.MAINTENANCE: 1,
    Impact.MINOR: 2,
    Impact.MAJOR: 3,
    Impact.CRITICAL: 4,
}


class Phase(StrEnum):
    """Where an incident or a maintenance is in its life."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    POSTMORTEM = "postmortem"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"
    UNKNOWN = "unknown"

    @property
    def is_closed(self) -> bool:
        """True once the incident or maintenance is over."""
        return self in (Phase.RESOLVED, Phase.POSTMORTEM, Phase.COMPLETED)


class ErrorType(StrEnum):
    """Why a provider could not be read; the `error.type` of the JSON document."""

    TIMEOUT = "timeout"
    CONNECTION = "connection"
    TLS = "tls"
    HTTP_STATUS = "http_status"
    TOO_LARGE = "too_large"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    FORMAT_CHANGED = "format_changed"  # HTML or another platform's document where ours was expected
    PARSE_ERROR = "parse_error"
    INTERNAL = "internal"


def utc(value: datetime) -> datetime:
    """Return `value` converted to UTC; naive datetimes are refused."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: every timestamp must carry its zone")
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Update:
    """One message posted on an incident or a maintenance."""

    at: datetime
    phase: Phase
    text: str
    raw_status: str = ""


@dataclass(frozen=True, slots=True)
class Component:
    """One part of a provider's service (a product, a region, a data centre)."""

    id: str
    name: str
    status: Status
    raw_status: str = ""
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Incident:
    """An unplanned event with its timeline; `updates` are newest first."""

    id: str
    title: str
    impact: Impact
    phase: Phase
    started_at: datetime | None
    updated_at: datetime | None = None
    resolved_at: datetime | None = None
    url: str | None = None
    components: tuple[str, ...] = ()
    updates: tuple[Update, ...] = ()
    raw_status: str = ""
    raw_impact: str = ""


@dataclass(frozen=True, slots=True)
class Maintenance:
    """Planned work, upcoming or in progress; `updates` are newest first."""

    id: str
    title: str
    phase: Phase
    scheduled_for: datetime | None
    scheduled_until: datetime | None = None
    url: str | None = None
    components: tuple[str, ...] = ()
    updates: tuple[Update, ...] = ()
    raw_status: str = ""

    def is_over(self, now: datetime) -> bool:
        """True once its window has ended, whatever phase the page still gives it."""
        return self.scheduled_until is not None and self.scheduled_until <= now

    def is_upcoming(self, now: datetime) -> bool:
        """Scheduled and not yet begun: a window whose start has passed is not upcoming, even
        while the page (which may never update it) still calls it scheduled."""
        if self.phase is not Phase.SCHEDULED or self.is_over(now):
            return False
        return self.scheduled_for is None or self.scheduled_for > now


@dataclass(frozen=True, slots=True)
class Page:
    """What an adapter read from one status page: the platform's view, normalised."""

    status: Status
    description: str = ""
    raw_status: str = ""
    updated_at: datetime | None = None
    components: tuple[Component, ...] = ()
    incidents: tuple[Incident, ...] = ()
    maintenances: tuple[Maintenance, ...] = ()


@dataclass(frozen=True, slots=True)
class FetchError:
    """Why a provider's page could not be read this time."""

    type: ErrorType
    message: str


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """One provider to watch, from the catalog or the user's config."""

    id: str
    name: str
    kind: str
    url: str
    category: str = "other"
    feed: str | None = None
    default: bool = False


@dataclass(frozen=True, slots=True)
class ProviderReport:
    """The result of polling one provider: its page, or an error and the last good page (stale)."""

    spec: ProviderSpec
    page: Page | None
    fetched_at: datetime | None  # when `page` was fetched (or confirmed by a 304)
    stale: bool = False
    error: FetchError | None = None

    @property
    def status(self) -> Status:
        """The provider's status now: unknown whenever this poll failed."""
        if self.error is not None or self.page is None:
            return Status.UNKNOWN
        return self.page.status


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Every provider polled in one run, in watch-list order."""

    generated_at: datetime
    reports: tuple[ProviderReport, ...] = field(default_factory=tuple)
