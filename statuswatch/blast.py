"""The blast radius: which providers may be affected because something they run on is failing.

An edge `runs_on = ["cloudflare", "aws:us-east-1"]` (from the catalog or the user's config) says a
provider runs on another, whole or in some components. When that upstream has an active incident
in the edge's scope, or an early warning, the provider is marked at risk: "may be affected by
Cloudflare". The mark never changes the provider's own status. Only direct edges count: a
failure two hops away is the upstream's own risk, shown on the upstream.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from statuswatch.model import ProviderReport, Risk, Target
from statuswatch.scope import scope_report

__all__ = ["active_incidents", "risk_text", "risks"]


def active_incidents(report: ProviderReport, scope: tuple[str, ...] | None) -> list[str]:
    """Ids of the open incidents of `report` within `scope` (events naming no component count)."""
    if report.error is not None or report.page is None:
        return []  # an unread page is unknown, never evidence of an outage
    view = scope_report(report, scope)
    assert view.page is not None
    return [i.id for i in view.page.incidents if not i.phase.is_closed]


def risks(
    edges: Iterable[Target],
    upstream: Mapping[str, ProviderReport],
    *,
    early_warnings: Collection[str] = (),
    own_id: str = "",
) -> tuple[Risk, ...]:
    """The upstreams among `edges` that have an active incident (or an early warning) now.

    Args:
        edges: what the provider (or a stack's part) runs on.
        upstream: every polled provider's report by id, as read from its page (not scoped).
        early_warnings: ids of providers with an open early warning. This is the hook for
            independent probes (issue 12): a provider in it counts as failing even while its
            page has no incident.
        own_id: the provider the edges belong to; an edge to itself is ignored.

    Returns:
        One Risk per failing edge, in edge order, without duplicates.
    """
    found: dict[tuple[str, tuple[str, ...] | None], Risk] = {}
    for edge in edges:
        report = upstream.get(edge.provider)
        key = (edge.provider, edge.scope)
        if report is None or edge.provider == own_id or key in found:
            continue  # not polled: whether it fails is unknown
        incidents = active_incidents(report, edge.scope)
        warned = edge.provider in early_warnings
        if not incidents and not warned:
            continue
        view = scope_report(report, edge.scope)
        found[key] = Risk(
            provider=edge.provider,
            name=report.spec.name,
            scope=edge.scope,
            status=view.status,
            early_warning=not incidents,
        )
    return tuple(found.values())


def risk_text(risk: Risk) -> str:
    """`may be affected by Cloudflare`, with the scope and the kind of signal when they matter."""
    where = f" ({', '.join(risk.scope)})" if risk.scope else ""
    signal = " (early warning)" if risk.early_warning else ""
    return f"may be affected by {risk.name}{where}{signal}"
