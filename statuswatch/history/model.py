"""What the history gives back: past incidents and maintenances, and reliability figures.

Plain data (stdlib only), built from the database by `query` and `report`, or from a server's
documents by `statuswatch.document.history_read`.
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime

from statuswatch.records import record

__all__ = ["Note", "PastIncident", "PastMaintenance", "ProviderFigures", "Report"]


@record
class Note:
    """One update of a past incident: when, in which phase, what it said."""

    at: datetime
    phase: str
    text: str


@record
class PastIncident:
    """An incident as the history knows it."""

    provider: str
    provider_name: str
    id: str
    title: str
    impact: str
    phase: str
    started_at: datetime | None  # the page's own start time
    posted_at: datetime | None  # the page's first post about it
    resolved_at: datetime | None  # the page's own time (or, gone from the page, its estimate)
    url: str | None
    components: tuple[str, ...]
    update_count: int
    first_update: Note | None
    last_update: Note | None
    observed: bool  # a poll saw it (else only a backfill did)
    first_seen_at: datetime | None
    detected_lead_s: int | None  # seconds an early warning came before the page's first post

    @property
    def source(self) -> str:
        """ "observed" when one of our polls saw it, "backfill" when only the page's record."""
        return "observed" if self.observed else "backfill"

    @property
    def start(self) -> datetime | None:
        """The best start time known: the page's, else its first post, else our first sight."""
        return self.started_at or self.posted_at or self.first_seen_at

    @property
    def duration_s(self) -> int | None:
        """Seconds from start to resolution; None while open or when the page's times disagree."""
        start = self.start
        if start is None or self.resolved_at is None or self.resolved_at < start:
            return None
        return int((self.resolved_at - start).total_seconds())

    @property
    def page_lag_s(self) -> int | None:
        """Seconds from the first sign of trouble to the page's first post about it.

        The signs: the start time the page itself gives (back-dated when it admits it late)
        and an early warning of our probes (`detected_lead_s`), whichever came first.
        """
        if self.posted_at is None:
            return None
        lags: list[int] = []
        if self.started_at is not None:
            lags.append(int((self.posted_at - self.started_at).total_seconds()))
        if self.detected_lead_s is not None:
            lags.append(self.detected_lead_s)
        return max(0, *lags) if lags else None


@record
class PastMaintenance:
    """A maintenance as the history knows it."""

    provider: str
    provider_name: str
    id: str
    title: str
    phase: str
    scheduled_for: datetime | None
    scheduled_until: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    url: str | None
    components: tuple[str, ...]
    observed: bool

    @property
    def source(self) -> str:
        """ "observed" or "backfill", as for incidents."""
        return "observed" if self.observed else "backfill"


@record
class ProviderFigures:
    """One provider's figures over the window."""

    id: str
    name: str
    incidents: dict[str, int]
    minutes: dict[str, float]
    uptime_pct: float | None
    mttr_s: int | None
    longest_s: int | None
    longest_id: str | None
    page_lag_s: int | None  # mean seconds from the first sign of trouble to the page's post
    observed_pct: float  # share of the window our polls watched
    known_pct: float  # share of the window known at all (observed or the page's record)
    basis: dict[str, str] = field(default_factory=dict)
    # Asked for (the 90-day bars): each UTC day of the window, its worst status (None: unknown).
    daily: tuple[tuple[str, str | None], ...] | None = None
    # A stack's figures (issue 13): its parts, `provider` or `provider:scope`; None: a provider.
    parts: tuple[str, ...] | None = None


@record
class Report:
    """The figures of every provider asked for, in the order asked, and of the stacks."""

    since: datetime
    until: datetime
    providers: list[ProviderFigures]
    stacks: list[ProviderFigures] = field(default_factory=list)
