"""Small builders of reports for the scoping, stacks, blast-radius and correlation tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from statuswatch.model import (
    Component,
    ErrorType,
    FetchError,
    Impact,
    Incident,
    Page,
    Phase,
    ProviderReport,
    ProviderSpec,
    Status,
    Target,
)
from statuswatch.scope import parse_target

T0 = datetime(2025, 6, 12, 17, 50, tzinfo=UTC)
NAMES = {"aws": "Amazon Web Services", "google-cloud": "Google Cloud", "openai": "OpenAI"}


def minutes(n: float) -> datetime:
    """T0 plus `n` minutes."""
    return T0 + timedelta(minutes=n)


def spec(
    provider: str,
    *,
    kind: str = "statuspage",
    runs_on: tuple[str, ...] = (),
    scope: tuple[str, ...] | None = None,
) -> ProviderSpec:
    """A spec named after its id, with `runs_on` written as in the catalog."""
    edges: tuple[Target, ...] = tuple(parse_target(edge) for edge in runs_on)
    name = NAMES.get(provider) or provider.replace("-", " ").title()
    return ProviderSpec(
        provider, name, kind, f"https://{provider}.example", scope=scope, runs_on=edges
    )


def open_incident(
    ident: str,
    at: datetime = T0,
    *components: str,
    impact: Impact = Impact.MAJOR,
    phase: Phase = Phase.INVESTIGATING,
) -> Incident:
    """An incident opened at `at` naming `components`."""
    return Incident(ident, f"Incident {ident}", impact, phase, at, components=components)


def report(
    provider: str,
    *incidents: Incident,
    status: Status | None = None,
    components: tuple[Component, ...] = (),
    kind: str = "statuspage",
    runs_on: tuple[str, ...] = (),
    scope: tuple[str, ...] | None = None,
) -> ProviderReport:
    """A read page: operational unless `status` or an open incident says otherwise."""
    if status is None:
        active = [i.impact.status for i in incidents if not i.phase.is_closed]
        status = max(active, key=lambda s: s.urgency, default=Status.OPERATIONAL)
    page = Page(status, components=components, incidents=incidents)
    return ProviderReport(spec(provider, kind=kind, runs_on=runs_on, scope=scope), page, T0)


def failed(provider: str, *, runs_on: tuple[str, ...] = ()) -> ProviderReport:
    """A page that could not be read."""
    error = FetchError(ErrorType.TIMEOUT, "no answer")
    return ProviderReport(spec(provider, runs_on=runs_on), None, None, error=error)
