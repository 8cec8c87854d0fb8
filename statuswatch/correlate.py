"""Incidents that likely share one cause, linked across providers through the `runs_on` edges.

Two incidents are linked when they opened within 30 minutes of each other and one provider runs
on the other, or when both providers run on a third that has an open incident (which is then
linked too). Linked incidents form one correlation; its cause is the incident furthest upstream,
and its id is made from that incident alone, so it stays the same while others join it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from statuswatch.model import (
    Correlation,
    CorrelationMember,
    Incident,
    ProviderReport,
    Target,
)
from statuswatch.scope import scope_report

__all__ = ["WINDOW", "correlate", "correlation_id"]

WINDOW = timedelta(minutes=30)
_NEVER = datetime.max.replace(tzinfo=UTC)  # sorts an incident without a time last

_Node = tuple[str, str]  # (provider id, incident id)


def correlation_id(provider: str, incident: str) -> str:
    """A stable id for the correlation caused by one incident."""
    digest = hashlib.sha256(f"{provider}\0{incident}".encode()).hexdigest()
    return f"cascade-{digest[:16]}"


def _open(report: ProviderReport, scope: tuple[str, ...] | None) -> list[Incident]:
    """Open incidents with a start time, within `scope`; none for a page that was not read."""
    if report.error is not None or report.page is None:
        return []
    view = scope_report(report, scope)
    assert view.page is not None
    return [i for i in view.page.incidents if not i.phase.is_closed and _start(i) is not None]


def _start(incident: Incident) -> datetime | None:
    """When an incident opened: its start, else its first update."""
    if incident.started_at is not None:
        return incident.started_at
    return min((u.at for u in incident.updates), default=None)


def _near(a: Incident, b: Incident, window: timedelta) -> bool:
    start_a, start_b = _start(a), _start(b)
    return start_a is not None and start_b is not None and abs(start_a - start_b) <= window


def correlate(
    reports: Sequence[ProviderReport],
    upstream: Mapping[str, ProviderReport],
    *,
    window: timedelta = WINDOW,
) -> tuple[Correlation, ...]:
    """Link the open incidents of `reports` that likely share a cause.

    Args:
        reports: the providers as the user sees them (scoped); their incidents are the members.
        upstream: every polled provider's report by id, as read from its page (not scoped):
            an edge's scope is applied to it.
        window: how far apart two incidents may open and still be linked.

    Returns:
        The correlations, the earliest cause first.
    """
    incidents: dict[_Node, Incident] = {}
    links: list[tuple[_Node, _Node]] = []  # (upstream incident, downstream incident)
    # Downstream incidents per (upstream provider, edge scope), for the shared-upstream rule.
    by_edge: dict[tuple[str, tuple[str, ...] | None], list[tuple[_Node, Incident]]] = {}
    for report in reports:
        own = _open(report, None)  # the report is already in the user's scope
        if not own:
            continue
        for edge in _edges(report):
            if edge.provider == report.spec.id or edge.provider not in upstream:
                continue
            above = _open(upstream[edge.provider], edge.scope)
            for down in own:
                node = (report.spec.id, down.id)
                incidents[node] = down
                by_edge.setdefault((edge.provider, edge.scope), []).append((node, down))
                for up in above:
                    if _near(up, down, window):
                        up_node = (edge.provider, up.id)
                        incidents[up_node] = up
                        links.append((up_node, node))
    for (provider, scope), downs in by_edge.items():
        above = _open(upstream[provider], scope)
        if not above:
            continue
        for index, (node_a, inc_a) in enumerate(downs):
            for node_b, inc_b in downs[index + 1 :]:
                if node_a[0] == node_b[0] or not _near(inc_a, inc_b, window):
                    continue
                up = _closest(above, inc_a)
                up_node = (provider, up.id)
                incidents[up_node] = up
                links += [(up_node, node_a), (up_node, node_b)]
    return _group(links, incidents, reports, upstream)


def _edges(report: ProviderReport) -> tuple[Target, ...]:
    return report.spec.runs_on


def _closest(candidates: list[Incident], incident: Incident) -> Incident:
    """The candidate that opened nearest to `incident`."""
    start = _start(incident)
    assert start is not None
    return min(candidates, key=lambda c: abs((_start(c) or start) - start))


def _group(
    links: list[tuple[_Node, _Node]],
    incidents: Mapping[_Node, Incident],
    reports: Sequence[ProviderReport],
    upstream: Mapping[str, ProviderReport],
) -> tuple[Correlation, ...]:
    """Join linked incidents into correlations, one per connected group."""
    parent: dict[_Node, _Node] = {}

    def root(node: _Node) -> _Node:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for up, down in links:
        parent[root(up)] = root(down)
    groups: dict[_Node, list[_Node]] = {}
    for node in parent:
        groups.setdefault(root(node), []).append(node)
    downstream = {down for _up, down in links}
    names = {r.spec.id: r.spec.name for r in upstream.values()}
    names.update({r.spec.id: r.spec.name for r in reports})
    out = []
    for members in groups.values():
        if len({provider for provider, _ in members}) < 2:
            continue
        ordered = sorted(members, key=lambda n: (_start(incidents[n]) or _NEVER, n))
        # The cause is furthest upstream: an incident nothing links into; the earliest of them.
        cause = next((n for n in ordered if n not in downstream), ordered[0])
        out.append(
            Correlation(
                id=correlation_id(*cause),
                cause=cause[0],
                members=tuple(
                    CorrelationMember(provider, incident, _start(incidents[(provider, incident)]))
                    for provider, incident in ordered
                ),
                text=_text(cause, ordered, incidents, names),
            )
        )
    out.sort(key=lambda c: _start(incidents[(c.cause, _cause_incident(c))]) or _NEVER)
    return tuple(out)


def _cause_incident(correlation: Correlation) -> str:
    return next(m.incident for m in correlation.members if m.provider == correlation.cause)


def _text(
    cause: _Node,
    ordered: list[_Node],
    incidents: Mapping[_Node, Incident],
    names: Mapping[str, str],
) -> str:
    """`likely common cause: Google Cloud (17:50 UTC), then Cloudflare (17:52 UTC)`."""

    def when(node: _Node) -> str:
        start = _start(incidents[node])
        return f" ({start.astimezone(UTC):%H:%M} UTC)" if start is not None else ""

    cause_start = _start(incidents[cause])
    text = f"likely common cause: {names.get(cause[0], cause[0])}{when(cause)}"
    later: list[str] = []
    earlier: list[str] = []
    seen = {cause[0]}
    for node in ordered:
        if node[0] in seen:
            continue  # a provider is named once, at its first incident
        seen.add(node[0])
        start = _start(incidents[node])
        label = f"{names.get(node[0], node[0])}{when(node)}"
        if cause_start is not None and start is not None and start < cause_start:
            earlier.append(label)
        else:
            later.append(label)
    if later:
        text += ", then " + ", ".join(later)
    if earlier:
        text += ", already seen at " + ", ".join(earlier)
    return text
