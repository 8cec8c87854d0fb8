"""The normalised incident model every adapter produces and every front end reads (stdlib only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field
from datetime import UTC, datetime
from enum import StrEnum

from statuswatch.records import record


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

    @property
    def status(self) -> Status:
        """The status an open incident of this impact gives what it touches."""
        return _IMPACT_STATUS[self]


_IMPACT_RANK = {
    Impact.NONE: 0,
    Impact.MAINTENANCE: 1,
    Impact.MINOR: 2,
    Impact.MAJOR: 3,
    Impact.CRITICAL: 4,
}
_IMPACT_STATUS = {
    Impact.NONE: Status.OPERATIONAL,
    Impact.MINOR: Status.DEGRADED,
    Impact.MAJOR: Status.PARTIAL_OUTAGE,
    Impact.CRITICAL: Status.MAJOR_OUTAGE,
    Impact.MAINTENANCE: Status.MAINTENANCE,
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
    MOVED = "moved"  # the page now answers on another platform: the message suggests the entry
    PARSE_ERROR = "parse_error"
    INTERNAL = "internal"


def utc(value: datetime) -> datetime:
    """Return `value` converted to UTC; naive datetimes are refused."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: every timestamp must carry its zone")
    return value.astimezone(UTC)


@record
class Update:
    """One message posted on an incident or a maintenance."""

    at: datetime
    phase: Phase
    text: str
    raw_status: str = ""


@record
class Component:
    """One part of a provider's service (a product, a region, a data centre)."""

    id: str
    name: str
    status: Status
    raw_status: str = ""
    group: str | None = None


@record
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
    # Probes: seconds from our early warning to the page's first post about it (probes.lead).
    detected_lead_s: int | None = None
    # Ids of the components named, where the page gives them (Statuspage): scoping tells
    # two components of one name apart by them. Not part of the JSON document.
    component_ids: tuple[str, ...] = ()


@record
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
    component_ids: tuple[str, ...] = ()  # as for Incident

    def is_over(self, now: datetime) -> bool:
        """True once its window has ended, whatever phase the page still gives it."""
        return self.scheduled_until is not None and self.scheduled_until <= now

    def is_upcoming(self, now: datetime) -> bool:
        """Scheduled and not yet begun: a window whose start has passed is not upcoming, even
        while the page (which may never update it) still calls it scheduled."""
        if self.phase is not Phase.SCHEDULED or self.is_over(now):
            return False
        return self.scheduled_for is None or self.scheduled_for > now


@record
class Page:
    """What an adapter read from one status page: the platform's view, normalised."""

    status: Status
    description: str = ""
    raw_status: str = ""
    updated_at: datetime | None = None
    components: tuple[Component, ...] = ()
    incidents: tuple[Incident, ...] = ()
    maintenances: tuple[Maintenance, ...] = ()


@record
class FetchError:
    """Why a provider's page could not be read this time."""

    type: ErrorType
    message: str


@record
class ProviderSpec:
    """One provider to watch, from the catalog or the user's config."""

    id: str
    name: str
    kind: str
    url: str
    category: str = "other"
    feed: str | None = None
    default: bool = False
    probes: tuple[ProbeSpec, ...] = ()  # the service's own endpoints (statuswatch.probes)
    # Scoping and the blast radius (issue 13): the components watched (None: the whole page)
    # and the providers this one runs on.
    scope: tuple[str, ...] | None = None
    runs_on: tuple[Target, ...] = ()


@record
class ProviderReport:
    """The result of polling one provider: its page, or an error and the last good page (stale)."""

    spec: ProviderSpec
    page: Page | None
    fetched_at: datetime | None  # when `page` was fetched (or confirmed by a 304)
    stale: bool = False
    error: FetchError | None = None
    # Probes: what the service's own endpoints said, and the early warning they raised (never
    # a change of `status`); None where nothing probed (a report rebuilt from an old document).
    probes: ProbeSummary | None = None
    early_warning: EarlyWarning | None = None
    # Scoping and the blast radius (issue 13): how the page was cut to the scope, and the
    # providers it runs on that have an active incident (or an early warning) now.
    scope: ScopeNote | None = None
    at_risk_from: tuple[Risk, ...] = ()

    @property
    def status(self) -> Status:
        """The provider's status now: unknown whenever this poll failed."""
        if self.error is not None or self.page is None:
            return Status.UNKNOWN
        return self.page.status


@record
class Snapshot:
    """Every provider polled in one run, in watch-list order."""

    generated_at: datetime
    reports: tuple[ProviderReport, ...] = field(default_factory=tuple)
    vantage: Vantage | None = None  # probes: is our own network the trouble? (probes.vantage)
    # Stacks and shared causes (issue 13), worked out from the reports.
    stacks: tuple[StackReport, ...] = ()
    correlations: tuple[Correlation, ...] = ()


# --- probes: the service's own endpoints, checked beside its page (statuswatch.probes) -------


@record
class ProbeSpec:
    """One public endpoint of a provider's service (not its status page), probed each poll."""

    url: str
    expect: str = "<500"  # which HTTP statuses mean "up" (a 5xx never does)
    region: str | None = None
    method: str = "HEAD"  # HEAD unless the endpoint needs GET (a refused HEAD falls back)
    source: str | None = None  # where the endpoint is documented (catalog entries)


@record
class ProbeResult:
    """What one probe said this poll: an answer (`status`) or the failure (`error`)."""

    url: str
    ok: bool
    status: int | None = None
    error: str | None = None
    latency_ms: float | None = None  # from sending the request to the answer's headers
    region: str | None = None


class ProbeState(StrEnum):
    """What a provider's probes say this poll, the `probes.state` of the JSON document."""

    OK = "ok"  # every probe passed
    PARTIAL = "partial"  # some failed, fewer than half
    FAILING = "failing"  # at least half failed
    UNKNOWN = "unknown"  # not told this poll (our own network looked down, or no result)
    OFF = "off"  # no probes for this provider, or probes turned off


@record
class ProbeSummary:
    """A provider's probes this poll; `since` is when their state began (counted across runs)."""

    state: ProbeState
    passed: int = 0
    total: int = 0
    since: datetime | None = None
    results: tuple[ProbeResult, ...] = ()


@record
class EarlyWarning:
    """The provider's own endpoints fail while its page says less: never its `status`."""

    since: datetime  # when the warning opened (the failures began earlier: ProbeSummary.since)
    text: str


class VantageState(StrEnum):
    """Whether our own network looks usable, the `vantage.state` of the JSON document."""

    OK = "ok"
    OFFLINE = "offline"  # probes fail nearly everywhere at once: it is us, not them


@record
class Vantage:
    """What the probes as a whole say about our own vantage point."""

    state: VantageState = VantageState.OK
    text: str = ""


# --- scoping, stacks, the blast radius and shared causes (issue 13) ---------------------------


def worst_status(statuses: Iterable[Status], default: Status = Status.OPERATIONAL) -> Status:
    """The most urgent of `statuses` (an outage outranks unknown), else `default`."""
    return max(statuses, key=lambda status: status.urgency, default=default)


@record
class Target:
    """A provider, whole or cut down to some components: `aws`, `aws:us-east-1,eu-west-1`."""

    provider: str
    scope: tuple[str, ...] | None = None  # component patterns; None: the whole page

    def __str__(self) -> str:
        return self.provider if self.scope is None else f"{self.provider}:{','.join(self.scope)}"


@record
class ScopeNote:
    """How a scoped provider's page was cut down to the components the user named."""

    patterns: tuple[str, ...]
    out_of_scope_components: int = 0
    out_of_scope_incidents: int = 0
    # Incidents and maintenances that name no component: kept, as possibly affecting the scope.
    unnamed: frozenset[str] = frozenset()
    # A pattern that matches no component of a page listing them all (a typo, most likely).
    warning: str | None = None


@record
class Risk:
    """A provider this one runs on, with an active incident (or an early warning) now."""

    provider: str
    name: str
    scope: tuple[str, ...] | None
    status: Status
    early_warning: bool = False  # the upstream has no incident, only an early warning


@record
class StackPart:
    """One part of a stack: a provider as the stack uses it, and its status in that scope."""

    provider: str
    scope: tuple[str, ...] | None
    status: Status


@record
class StackReport:
    """A user's stack: the worst of its parts, why, and what it may be affected by."""

    id: str
    name: str
    status: Status
    parts: tuple[StackPart, ...]
    reasons: tuple[str, ...] = ()
    at_risk_from: tuple[Risk, ...] = ()


@record
class CorrelationMember:
    """One incident linked to a likely common cause."""

    provider: str
    incident: str
    started_at: datetime | None


@record
class Correlation:
    """Incidents of several providers that likely share one cause; `id` is stable across polls."""

    id: str
    cause: str
    members: tuple[CorrelationMember, ...]
    text: str
